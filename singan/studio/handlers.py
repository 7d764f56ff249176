"""What the studio's page does when a button is pressed: `Studio`'s methods, one per event, each a call of the
functions the commands call (their checks included) or of `models`. A handler's first output is its tab's
message line: a SinGANError becomes that line and the other outputs stay as they were (`guarded`; nothing is
written then). A model is always one of the listing's, never a path typed into the page. Images come from the
page as uint8 arrays and go back as PNG / GIF files in a fresh temporary folder (`new_folder`: the downloads).

Gradio runs handlers in threads at once, and torch's random generator is one for the process: loading a
checkpoint draws from it, so a listing read beside a seeded sampling would change its pixels. The handlers
that touch torch hold one lock (`TORCH`): a seed gives the API's images.
"""

import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path

import gradio as gr
import numpy as np
import torch
from PIL import Image
from torch import Tensor
from tqdm import tqdm

from ..api import generate, load
from ..apps.animation import animate, save_animation
from ..apps.injection import EDITING_RADIUS, HARMONIZATION_RADIUS, inject, injection_scale, masked_injection
from ..apps.paint import paint_model, quantized_paint_input
from ..apps.references import difference_mask, to_size, training_image
from ..apps.sr import SR_TRAINING, sr_config, super_resolve
from ..apps.upscale import image_size
from ..core.config import PRESETS, TrainConfig
from ..core.imresize import norm
from ..core.model import SinGAN
from ..core.sampling import seeded
from ..errors import SinGANError
from ..io import paths
from ..io.images import read_image, save_image, save_images, to_numpy_image
from ..io.lock import check_free
from ..runtime.progress import about
from . import models

TORCH = threading.RLock()  # held by every handler that loads a model or runs one (see the module's docstring)
SR = "super-resolution"  # the form's purpose of a model trained as SR.py trains one
RADIUS = {"harmonization": HARMONIZATION_RADIUS, "editing": EDITING_RADIUS}


def guarded(outputs: int):
    """A handler returning (message, *outputs) (`outputs` 0: the message alone), run holding TORCH."""
    def wrap(fn):
        @wraps(fn)
        def handler(*args):
            try:
                with TORCH:
                    return fn(*args)
            except SinGANError as e:
                return (f"**{e}**", *[gr.skip()] * outputs) if outputs else f"**{e}**"
        return handler
    return wrap


def config(preset: str, max_size, min_size, niter, seed, purpose: str, sr_factor) -> tuple[TrainConfig, float | None]:
    """The TrainConfig of the form (the preset's defaults, then the fields given, checked as the flags are)
    and the sr_factor of a super-resolution model (SR.py's --alpha and pyramid), else None."""
    given = {"max_size": max_size, "min_size": min_size, "manualSeed": seed, "niter": niter}
    missing = [name for name, value in given.items() if value is None and name != "niter"]
    if missing:
        raise SinGANError(f"enter {' and '.join(missing)}")
    given = {name: int(value) for name, value in given.items() if value is not None}
    sr_factor = float(sr_factor) if purpose == SR else None
    cfg = TrainConfig(**{**PRESETS[preset], **(SR_TRAINING if sr_factor else {}), **given})
    return (sr_config(cfg, sr_factor) if sr_factor else cfg).validate(), sr_factor


def bar(report: dict) -> str:
    """A training's report as a line: state, bar, scale, time elapsed and left."""
    work, elapsed = report.get("work", 0.0), report.get("elapsed", 0.0)
    left = f", {about(elapsed * (1 - work) / work)} left" if 0 < work < 1 else ""
    scale = f"scale {report['scale'] + 1}/{report['scales']}, " if report.get("scales") else ""
    filled = round(work * 30)
    text = f"`{'█' * filled}{'░' * (30 - filled)}` {work:.0%} ({scale}{tqdm.format_interval(elapsed)} elapsed{left})"
    return f"{report['state']}: {text}" + (f" **{report['message']}**" if report.get("message") else "")


def picture(value, missing: str) -> np.ndarray:
    """An image editor's picture, uint8 (H, W, 3): what was painted over its background, or the background
    alone; the SinGANError `missing` when there is neither."""
    pictures = [value[k] for k in ("composite", "background") if value and value.get(k) is not None]
    if not pictures:
        raise SinGANError(missing)
    return np.asarray(pictures[0])[..., :3]  # the editors' RGBA


def to_tensor(image: np.ndarray, device: torch.device) -> Tensor:
    """A uint8 (H, W, 3) array from the page as a (1, 3, H, W) tensor in [-1, 1]."""
    return norm(torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float() / 255).to(device)


def to_uint8(x: Tensor) -> np.ndarray:
    """One image tensor as the page shows it: uint8 (H, W, 3)."""
    return np.round(to_numpy_image(x) * 255).astype(np.uint8)


def new_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="singan-studio-"))


def saved(name: str, image: Tensor) -> str:
    """`image` written as the PNG `name` into a new folder; its path."""
    path = new_folder() / name
    save_image(path, image)
    return str(path)


@dataclass
class Studio:
    """The server's settings, the trainings it started (by model file) and the page's handlers."""

    models_dir: Path
    input_dir: Path
    device: str = "auto"
    trainings: dict[Path, models.Training] = field(default_factory=dict)

    def model(self, label: str | None) -> SinGAN:
        """The listing's model `label`; a one-line error while a training holds it."""
        files = models.list_models(self.models_dir)
        if label not in files:
            raise SinGANError("choose a model from the list (train one in the Model tab)")
        check_free(files[label])
        return load(files[label], self.device)

    def photo(self, model: SinGAN) -> Path:
        """The photo the model was trained on, in --input_dir (as the commands find it)."""
        path = self.input_dir / model.name
        if not path.is_file():
            raise SinGANError(f"{model.name}, the photo this model was trained on, is not in {self.input_dir}")
        return path

    def injection(self, label: str | None, n, flag: str) -> tuple[SinGAN, int, Tensor]:
        """The listing's model, the injection scale `n` checked as the command's `flag` and the training image."""
        model = self.model(label)
        return model, injection_scale(model, int(n), flag), training_image(self.photo(model), model)

    def choices(self) -> list[tuple[str, str]]:
        listing = models.list_models(self.models_dir)
        return [(f"{label} ({models.model_status(f)})", label) for label, f in listing.items()]

    @guarded(0)
    def plan(self, upload, *flags):
        if not upload:
            return ""
        models.check_upload(upload)
        return models.plan_training(Path(upload), *config(*flags), self.device)[2]

    @guarded(1)
    def start(self, upload, resume, overwrite, *flags):
        cfg, sr_factor = config(*flags)
        models.check_upload(upload)
        upload = Path(upload)
        model_file = paths.trained_model_file(upload.name, cfg.scale_factor, cfg.alpha, root=self.models_dir,
                                              sr_factor=sr_factor)
        if model_file in self.trainings and self.trainings[model_file].process.poll() is None:
            raise SinGANError(f"{upload.name} is being trained by this page already")
        plan = models.plan_training(upload, cfg, sr_factor, self.device)[2]  # (the pyramid's checks)
        self.trainings[model_file] = models.start_training(upload, self.input_dir, cfg, model_file, self.device,
                                                           resume, overwrite, sr_factor)
        return plan, str(model_file)

    def tick(self, model_file):
        """The progress of the training started last, until it ends (then the listing, once)."""
        if model_file is None:
            return (gr.skip(),) * 4
        report = self.trainings[Path(model_file)].progress()
        shown = bar(report), models.previews(Path(model_file))
        if report["state"] not in ("done", "stopped", "error"):  # its process is running
            return *shown, gr.skip(), model_file
        with TORCH:
            done = str(Path(model_file).parent.relative_to(self.models_dir)) if report["state"] == "done" else None
            return *shown, gr.Dropdown(choices=self.choices(), value=done), None

    def halt(self, model_file):
        if model_file is None:
            return "no training of this page is running"
        self.trainings[Path(model_file)].stop()
        return "stopping: the model is saved where it is"

    @guarded(1)
    def refresh(self):
        return "", gr.Dropdown(choices=self.choices())

    @guarded(2)
    def sample(self, label, gen_start, scale_h, scale_v, n, seed, size_mode, custom_size):
        """`api.generate`'s samples at the size of `size_mode` (or `custom_size`); the PNG files and their zip."""
        model = self.model(label)
        images = generate(model, int(n), gen_start_scale=int(gen_start), scale_h=scale_h, scale_v=scale_v,
                          seed=int(seed), out_size=custom_size if size_mode == "custom" else size_mode,
                          photo=self.photo(model) if size_mode == "full" else None)
        folder = new_folder()
        files = save_images(folder, images, [f"sample_{i}.png" for i in range(len(images))])
        archive = shutil.make_archive(str(new_folder() / "samples"), "zip", folder)
        return f"{len(files)} samples of {images.shape[-2]}x{images.shape[-1]}", files, archive

    @guarded(2)
    def load_photo(self, label):
        model = self.model(label)
        photo = np.round(models.check_upload(self.photo(model)) * 255).astype(np.uint8)
        top = max(2, model.num_trained - 1)  # a slider needs two ends; injection_scale refuses a scale too high
        return "", photo, gr.Slider(1, top, max(1, model.num_trained - 3), step=1)

    @guarded(1)
    def paste(self, value, item, x, y, width):
        """The object (RGBA: its alpha is kept) scaled to `width` % of the photo's width, centred at (x %, y %)."""
        base = Image.fromarray(picture(value, "load the photo and upload an object first")).convert("RGBA")
        if item is None:
            raise SinGANError("load the photo and upload an object first")
        item = Image.fromarray(item).convert("RGBA")
        w = max(1, round(base.width * width / 100))
        item = item.resize((w, max(1, round(item.height * w / item.width))), Image.LANCZOS)
        corner = (round(base.width * x / 100 - w / 2), round(base.height * y / 100 - item.height / 2))
        base.alpha_composite(item, corner)
        return "", np.asarray(base.convert("RGB"))

    @guarded(1)
    def difference(self, label, value):
        """The mask (uint8, white inside) of where the page's picture differs from the photo."""
        reference = picture(value, "load the photo first")
        model = self.model(label)
        photo = read_image(self.photo(model)).to(model.device)
        return "", to_uint8(difference_mask(photo, to_tensor(reference, model.device)))

    @guarded(3)
    def run_masked(self, label, value, mask_value, mode, n, seed):
        """`masked_injection` through the mask: the naive input, the result at the training and the full size."""
        missing = "load the photo, change it and make the mask first"
        reference, mask = picture(value, missing), picture(mask_value, missing)
        model, n, real = self.injection(label, n, f"{mode}_start_scale")
        ref_full, mask_full = to_tensor(reference, model.device), to_tensor(mask, model.device)
        if ref_full.shape[-2:] != mask_full.shape[-2:]:
            raise SinGANError("the mask must have the reference's size")
        ref, mask = (to_size(x, tuple(real.shape[-2:])) for x in (ref_full, mask_full))
        with seeded(model.device, int(seed)):
            _, small = masked_injection(model, real, ref, mask, n, RADIUS[mode])
            _, full = masked_injection(model, real, ref, mask, n, RADIUS[mode], full=(ref_full, mask_full))
        return (f"{mode} at scale {n}", reference, saved(f"start_scale={n}.png", small),
                saved(f"start_scale={n}_full.png", full))

    @guarded(1)
    def canvas(self, label, n):
        """The brush's colours (`quantized_paint_input`'s palette at scale n) and the quantised photo (the canvas)."""
        model, n, real = self.injection(label, n, "paint_start_scale")
        _, centers, real_quant = quantized_paint_input(model, real, real, n)
        colours = ["#" + to_uint8(torch.tensor(c, dtype=torch.float32).view(1, -1, 1, 1)).tobytes().hex()
                   for c in centers]
        brush = gr.Brush(colors=colours, color_mode="fixed", default_size=6)
        quantized = to_uint8(to_size(real_quant, tuple(real.shape[-2:])))
        return f"palette: {' '.join(colours)}", gr.ImageEditor(value=quantized, brush=brush)

    @guarded(1)
    def paint(self, label, value, n, quantize, seed):
        """Paint-to-image (`inject`), with --quantization_flag's retrained scale n (`paint_model`, saved in
        --models_dir as paint2image saves it) when `quantize`."""
        painting = picture(value, "make the canvas first")
        model, n, real = self.injection(label, n, "paint_start_scale")
        ref = to_size(to_tensor(painting, model.device), tuple(real.shape[-2:]))
        start_image = None
        if quantize:
            start_image, centers, _ = quantized_paint_input(model, real, ref, n)
            paint_file = paths.trained_model_file(model.name, model.config.scale_factor, model.config.alpha,
                                                  "paint_train", paint_start_scale=n, root=self.models_dir)
            model = paint_model(model, n, centers, paint_file, progress=False)
        with seeded(model.device, int(seed)):
            return "", saved(f"start_scale={n}.png", inject(model, ref, n, start_image=start_image))

    @guarded(1)
    def super_resolution(self, label, factor, seed):
        """`super_resolve` to `factor` times the photo file's size (as SR.py does with a model it trained)."""
        model = self.model(label)
        h, w = image_size(self.photo(model))
        with seeded(model.device, int(seed)):
            out = super_resolve(model, float(factor), (int(factor * h), int(factor * w)), progress=False)
        return "", saved(f"sr_factor={factor:g}.png", out)

    @guarded(1)
    def animation(self, label, alpha, beta, start_scale, num_frames, seed):
        """An animation GIF (`animate`) of the model's noise walk."""
        model = self.model(label)
        with seeded(model.device, int(seed)):
            frames = animate(model, alpha_animation=alpha, beta=beta, start_scale=int(start_scale),
                             num_frames=int(num_frames), progress=False)
        return "", str(save_animation(new_folder() / f"alpha={alpha:g}_beta={beta:g}.gif", frames, 10.0))
