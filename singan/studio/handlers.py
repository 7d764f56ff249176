"""What the studio's page does when a button is pressed: `Studio`'s methods, one per event, each a call of
`actions` or `models` (the API the commands call). A handler's first output is its tab's message line: a
SinGANError becomes that line and the other outputs stay as they were (`guarded`; nothing is written then).
A model is always one of the listing's (`Studio.model_file`), never a path typed into the page.

Gradio runs handlers in threads at once, and torch's random generator is one for the process: loading a
checkpoint draws from it, so a listing read beside a seeded sampling would change its pixels. The handlers
that touch torch hold one lock (`TORCH`): a seed gives the API's images.
"""

import threading
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from ..apps import sr
from ..core.config import PRESETS, TrainConfig
from ..errors import SinGANError
from ..io import paths
from . import actions, models

TORCH = threading.RLock()  # held by every handler that loads a model or runs one (see the module's docstring)
FINAL = ("done", "stopped", "error")  # a training's states once its process has ended


def guarded(outputs: int):
    """A handler returning (message, *outputs), run holding TORCH: a SinGANError becomes the message, the
    outputs unchanged (`outputs` 0: the message alone)."""
    def wrap(fn):
        @wraps(fn)
        def handler(*args):
            try:
                with TORCH:
                    result = fn(*args)
            except SinGANError as e:
                result = (f"**{e}**", *[gr.skip()] * outputs)
            return result if outputs else result[0]
        return handler
    return wrap


SR = "super-resolution"  # the form's purpose of a model trained as SR.py trains one


def config(preset: str, max_size, min_size, niter, seed, purpose: str, sr_factor) -> tuple[TrainConfig, float | None]:
    """The TrainConfig of the form (the preset's defaults, then the fields given, checked as the flags are)
    and the sr_factor of a super-resolution model (SR.py's --alpha and pyramid), else None."""
    given = {"max_size": max_size, "min_size": min_size, "manualSeed": seed, "niter": niter}
    missing = [name for name, value in given.items() if value is None and name != "niter"]
    if missing:
        raise SinGANError(f"enter {' and '.join(missing)}")
    given = {name: int(value) for name, value in given.items() if value is not None}
    if purpose != SR:
        return TrainConfig(**{**PRESETS[preset], **given}).validate(), None
    cfg = TrainConfig(**{**PRESETS[preset], **sr.SR_TRAINING, **given})
    return sr.sr_config(cfg, float(sr_factor)).validate(), float(sr_factor)


def bar(report: dict) -> str:
    """A training's report as a line: state, bar, scale, time elapsed and left."""
    work, elapsed = report.get("work", 0.0), report.get("elapsed", 0.0)
    left = f", about {models.duration(elapsed * (1 - work) / work)} left" if 0 < work < 1 else ""
    scale = f"scale {report['scale'] + 1}/{report['num_scales']}, " if report.get("num_scales") else ""
    filled = round(work * 30)
    text = f"`{'█' * filled}{'░' * (30 - filled)}` {work:.0%} ({scale}{models.duration(elapsed)} elapsed{left})"
    return f"{report['state']}: {text}" + (f" **{report['message']}**" if report.get("message") else "")


def paste(photo: np.ndarray, obj: np.ndarray, x: float, y: float, width: float) -> np.ndarray:
    """`obj` (RGBA: its alpha is kept) scaled to `width` % of the photo's width, centred at (x %, y %)."""
    base = Image.fromarray(photo[..., :3]).convert("RGBA")
    item = Image.fromarray(obj).convert("RGBA")
    w = max(1, round(base.width * width / 100))
    item = item.resize((w, max(1, round(item.height * w / item.width))), Image.LANCZOS)
    corner = (round(base.width * x / 100 - item.width / 2), round(base.height * y / 100 - item.height / 2))
    base.alpha_composite(item, corner)
    return np.asarray(base.convert("RGB"))


def composite(value) -> np.ndarray | None:
    """An image editor's picture (RGB): what was painted over its background, or the background alone."""
    pictures = [value[k] for k in ("composite", "background") if value and value.get(k) is not None]
    return np.asarray(pictures[0])[..., :3] if pictures else None


@dataclass
class Studio:
    """The server's settings, the trainings it started (by model file) and the page's handlers."""

    models_dir: Path
    input_dir: Path
    device: str = "auto"
    trainings: dict[Path, models.Training] = field(default_factory=dict)

    def model_file(self, label: str | None) -> Path:
        files = models.list_models(self.models_dir)
        if label not in files:
            raise SinGANError("choose a model from the list (train one in the Model tab)")
        return files[label]

    def model(self, label: str | None):
        return actions.load_model(self.model_file(label), self.device)

    def photo(self, model) -> Path:
        return actions.training_photo(model, self.input_dir)

    def choices(self) -> list[tuple[str, str]]:
        listing = models.list_models(self.models_dir)
        return [(f"{label} ({models.model_status(f)})", label) for label, f in listing.items()]

    # ---------------------------------------------------------------- Model

    @guarded(0)
    def plan(self, upload, *flags):
        if not upload:
            return ("",)
        models.check_upload(upload)
        return (models.plan_training(Path(upload), *config(*flags), self.device)[2],)

    @guarded(1)
    def start(self, upload, *flags_and_switches):
        *flags, resume, overwrite = flags_and_switches
        cfg, sr_factor = config(*flags)
        models.check_upload(upload)
        upload = Path(upload)
        model_file = paths.trained_model_file(upload.name, cfg.scale_factor, cfg.alpha, root=self.models_dir,
                                              sr_factor=sr_factor)
        running = self.trainings.get(model_file)
        if running is not None and running.process.poll() is None:
            raise SinGANError(f"{upload.name} is being trained by this page already")
        training = models.start_training(upload, self.input_dir, cfg, model_file, self.device, resume, overwrite,
                                         sr_factor)
        self.trainings[model_file] = training
        return models.plan_training(upload, cfg, sr_factor, self.device)[2], str(model_file)

    def tick(self, model_file):
        """The progress of the training started last, until it ends (then the listing, once)."""
        if model_file is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        report = self.trainings[Path(model_file)].progress()
        listing, following = gr.skip(), model_file
        if report["state"] in FINAL:
            following = None
            with TORCH:
                label = str(Path(model_file).parent.relative_to(self.models_dir))
                listing = gr.Dropdown(choices=self.choices(), value=label if report["state"] == "done" else None)
        return bar(report), models.previews(Path(model_file)), listing, following

    def halt(self, model_file):
        if model_file is None:
            return "no training of this page is running"
        self.trainings[Path(model_file)].stop()
        return "stopping: the model is saved where it is"

    @guarded(1)
    def refresh(self):
        return "", gr.Dropdown(choices=self.choices())

    # ---------------------------------------------------------------- the applications

    @guarded(2)
    def sample(self, label, gen_start, h, v, n, s, size_mode, custom_size):
        model = self.model(label)
        spec = custom_size if size_mode == "custom" else size_mode
        files, zipped = actions.sample(model, n, gen_start, h, v, s, spec,
                                       self.photo(model) if size_mode == "full" else None)
        height, width = Image.open(files[0]).size[::-1]
        return f"{len(files)} samples of {height}x{width}", files, zipped

    @guarded(2)
    def load_photo(self, label):
        model = self.model(label)
        photo = np.round(models.check_upload(self.photo(model)) * 255).astype(np.uint8)
        top = max(2, model.num_trained - 1)  # a slider needs two ends; injection_scale refuses a scale too high
        return "", photo, gr.Slider(1, top, max(1, model.num_trained - 3), step=1)

    @guarded(1)
    def paste(self, value, item, x, y, width):
        if composite(value) is None or item is None:
            raise SinGANError("load the photo and upload an object first")
        return "", paste(composite(value), item, x, y, width)

    @guarded(1)
    def difference(self, label, value):
        if composite(value) is None:
            raise SinGANError("load the photo first")
        model = self.model(label)
        return "", actions.reference_mask(self.photo(model), composite(value), model.device)

    @guarded(3)
    def run_masked(self, label, value, mask_value, mode, n, s):
        ref, mask = composite(value), composite(mask_value)
        if ref is None or mask is None:
            raise SinGANError("load the photo, change it and make the mask first")
        model = self.model(label)
        return f"{mode} at scale {int(n)}", ref, *actions.masked(model, self.photo(model), ref, mask, n, mode, s)

    @guarded(1)
    def canvas(self, label, n):
        model = self.model(label)
        colours, quantized = actions.palette(model, self.photo(model), n)
        brush = gr.Brush(colors=colours, color_mode="fixed", default_size=6)
        return f"palette: {' '.join(colours)}", gr.ImageEditor(value=quantized, brush=brush)

    @guarded(1)
    def paint(self, label, value, n, quantize, s):
        if composite(value) is None:
            raise SinGANError("make the canvas first")
        model = self.model(label)
        return "", actions.paint(model, self.photo(model), composite(value), n, quantize, s, self.models_dir)

    @guarded(1)
    def super_resolution(self, label, factor, s):
        model = self.model(label)
        return "", actions.super_resolution(model, self.photo(model), factor, s)

    @guarded(1)
    def animation(self, label, alpha, beta, start, frames, s):
        return "", actions.animation(self.model(label), alpha, beta, start, frames, s)
