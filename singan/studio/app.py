"""The studio's page (Gradio Blocks): the tabs Model, Random samples, Harmonize / Edit, Paint, SR and
animation. Every handler calls `actions` or `models` and turns a SinGANError into the tab's message line
(nothing is written then); a model is always one of the listing's, never a path typed into the page.

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

from ..core.config import PRESETS, TrainConfig
from ..errors import SinGANError
from ..io import paths
from . import actions, models

TORCH = threading.RLock()  # held by every handler that loads a model or runs one (see the module's docstring)
OUT_HEIGHT = 300  # pixels of an output image on the page (small results are shown enlarged)
CSS = ".enlarge img {width: 100%; height: 100%; object-fit: contain; image-rendering: pixelated}"


@dataclass
class Studio:
    """The server's settings and the trainings it started (by model file)."""

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

    def choices(self) -> list[tuple[str, str]]:
        listing = models.list_models(self.models_dir)
        return [(f"{label} ({models.model_status(f)})", label) for label, f in listing.items()]


def guarded(outputs: int):
    """A handler returning (message, *outputs): a SinGANError becomes the message, the outputs unchanged."""
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


def _config(preset: str, max_size, min_size, niter, seed) -> TrainConfig:
    """The TrainConfig of the form: the preset's defaults, then the fields given (checked as the flags are)."""
    given = {"max_size": max_size, "min_size": min_size, "manualSeed": seed, "niter": niter}
    missing = [name for name, value in given.items() if value is None and name != "niter"]
    if missing:
        raise SinGANError(f"enter {' and '.join(missing)}")
    given = {name: int(value) for name, value in given.items() if value is not None}
    return TrainConfig(**{**PRESETS[preset], **given}).validate()


def _bar(report: dict) -> str:
    work, elapsed = report.get("work", 0.0), report.get("elapsed", 0.0)
    left = f", about {models.duration(elapsed * (1 - work) / work)} left" if 0 < work < 1 else ""
    scale = f"scale {report['scale'] + 1}/{report['num_scales']}, " if report.get("num_scales") else ""
    filled = round(work * 30)
    text = f"`{'█' * filled}{'░' * (30 - filled)}` {work:.0%} ({scale}{models.duration(elapsed)} elapsed{left})"
    return f"{report['state']}: {text}" + (f" **{report['message']}**" if report.get("message") else "")


def model_tab(studio: Studio) -> gr.Dropdown:
    with gr.Tab("Model"):
        gr.Markdown("Choose a trained model, or upload a photo and train one (in another process; stop saves it, "
                    "train again with *resume* to continue).")
        with gr.Row():
            chosen = gr.Dropdown(studio.choices(), label="trained model", elem_id="model", scale=4)
            refresh = gr.Button("Refresh", scale=1)
        with gr.Row():
            photo = gr.File(label="photo to train on", elem_id="photo")
            with gr.Column():
                preset = gr.Radio(list(PRESETS), value="default", label="preset")
                with gr.Row():
                    max_size = gr.Number(250, label="max_size", precision=0, elem_id="max_size")
                    min_size = gr.Number(25, label="min_size", precision=0, elem_id="min_size")
                    niter = gr.Number(None, label="niter (blank: the preset's)", precision=0, elem_id="niter")
                    seed = gr.Number(1, label="seed", precision=0)
                with gr.Row():
                    resume = gr.Checkbox(label="resume", elem_id="resume")
                    overwrite = gr.Checkbox(label="overwrite", elem_id="overwrite")
        plan = gr.Markdown(elem_id="plan")
        with gr.Row():
            train = gr.Button("Train", variant="primary", elem_id="train")
            stop = gr.Button("Stop (saves)", elem_id="stop")
        progress = gr.Markdown(elem_id="progress")
        previews = gr.Gallery(label="each scale's preview", columns=8, height=220, object_fit="contain",
                              elem_id="previews")
        current = gr.State(None)

        @guarded(0)
        def show_plan(upload, *flags):
            if not upload:
                return ("",)
            models.check_upload(upload)
            return (models.plan_training(Path(upload), _config(*flags), studio.device)[2],)

        @guarded(1)
        def start(upload, *flags_and_switches):
            *flags, resume_it, overwrite_it = flags_and_switches
            config = _config(*flags)
            models.check_upload(upload)
            model_file = paths.trained_model_file(Path(upload).name, config.scale_factor, config.alpha,
                                                  root=studio.models_dir)
            running = studio.trainings.get(model_file)
            if running is not None and running.process.poll() is None:
                raise SinGANError(f"{Path(upload).name} is being trained by this page already")
            training = models.start_training(Path(upload), studio.input_dir, config, model_file, studio.device,
                                             resume_it, overwrite_it)
            studio.trainings[model_file] = training
            return models.plan_training(Path(upload), config, studio.device)[2], str(model_file)

        def tick(model_file):
            """The progress of the training started last, until it ends (then the listing, once)."""
            if model_file is None:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            report = studio.trainings[Path(model_file)].progress()
            listing, following = gr.skip(), model_file
            if report["state"] in ("done", "stopped", "error"):  # the process has ended
                following = None
                with TORCH:
                    label = str(Path(model_file).parent.relative_to(studio.models_dir))
                    listing = gr.Dropdown(choices=studio.choices(), value=label if report["state"] == "done" else None)
            return _bar(report), models.previews(Path(model_file)), listing, following

        def halt(model_file):
            if model_file is None:
                return "no training of this page is running"
            studio.trainings[Path(model_file)].stop()
            return "stopping: the model is saved where it is"

        flags = [preset, max_size, min_size, niter, seed]
        for control in (photo, *flags):
            control.change(show_plan, [photo, *flags], [plan])
        train.click(start, [photo, *flags, resume, overwrite], [plan, current])
        stop.click(halt, [current], [progress])
        gr.Timer(1.0).tick(tick, [current], [progress, previews, chosen, current])
        refresh.click(guarded(1)(lambda: ("", gr.Dropdown(choices=studio.choices()))), None, [plan, chosen])
    return chosen


def samples_tab(studio: Studio, chosen: gr.Dropdown) -> None:
    with gr.Tab("Random samples"):
        with gr.Row():
            start = gr.Slider(0, 20, 0, step=1, label="gen_start_scale", elem_id="gen_start_scale")
            scale_h = gr.Slider(0.25, 4, 1, step=0.25, label="scale_h", elem_id="scale_h")
            scale_v = gr.Slider(0.25, 4, 1, step=0.25, label="scale_v", elem_id="scale_v")
            number = gr.Slider(1, 16, 4, step=1, label="number of samples", elem_id="num_samples")
            seed = gr.Number(1, label="seed", precision=0, elem_id="sample_seed")
        with gr.Row():
            size = gr.Radio(["train", "full", "custom"], value="train", label="output size", elem_id="size")
            custom = gr.Textbox("512x512", label="custom size (HxW)")
        run = gr.Button("Generate", variant="primary", elem_id="generate")
        message = gr.Markdown(elem_id="sample_message")
        gallery = gr.Gallery(label="samples", columns=4, buttons=["download", "download_all", "fullscreen"],
                             object_fit="contain", height=360, elem_id="samples")
        archive = gr.File(label="all samples (zip)")

        @guarded(2)
        def generate(label, gen_start, h, v, n, s, size_mode, custom_size):
            model = studio.model(label)
            spec = custom_size if size_mode == "custom" else size_mode
            photo = actions.training_photo(model, studio.input_dir) if size_mode == "full" else None
            files, zipped = actions.sample(model, n, gen_start, h, v, s, spec, photo)
            h, w = Image.open(files[0]).size[::-1]
            return f"{len(files)} samples of {h}x{w}", files, zipped

        run.click(generate, [chosen, start, scale_h, scale_v, number, seed, size, custom], [message, gallery, archive])


def _paste(photo: np.ndarray, obj: np.ndarray, x: float, y: float, width: float) -> np.ndarray:
    """`obj` (RGBA: its alpha is kept) scaled to `width` % of the photo's width, centred at (x %, y %)."""
    base = Image.fromarray(photo[..., :3]).convert("RGBA")
    item = Image.fromarray(obj).convert("RGBA")
    w = max(1, round(base.width * width / 100))
    item = item.resize((w, max(1, round(item.height * w / item.width))), Image.LANCZOS)
    base.alpha_composite(item, (round(base.width * x / 100 - item.width / 2), round(base.height * y / 100 -
                                                                                     item.height / 2)))
    return np.asarray(base.convert("RGB"))


def _output(label: str, elem_id: str, **settings) -> gr.Image:
    """An output image (a file by default), small results enlarged to the component's height."""
    return gr.Image(**{"label": label, "elem_id": elem_id, "type": "filepath", "height": OUT_HEIGHT,
                       "elem_classes": "enlarge", **settings})


def _composite(value) -> np.ndarray | None:
    """An image editor's picture (RGB): what was painted over its background, or the background alone."""
    picture = None if not value else next((value[k] for k in ("composite", "background") if value.get(k) is not None),
                                          None)
    return None if picture is None else np.asarray(picture)[..., :3]


def masked_tab(studio: Studio, chosen: gr.Dropdown) -> None:
    with gr.Tab("Harmonize / Edit"):
        gr.Markdown("Load the photo, paste an object on it or paint on it; the mask is where it differs from the "
                    "photo (paint on the mask to change it).")
        with gr.Row():
            mode = gr.Radio(["harmonization", "editing"], value="harmonization", label="application", elem_id="mode")
            scale = gr.Slider(1, 20, 1, step=1, label="injection scale", elem_id="injection_scale")
            seed = gr.Number(1, label="seed", precision=0, elem_id="masked_seed")
            load = gr.Button("Load the photo", elem_id="load_photo")
        with gr.Row():
            reference = gr.ImageEditor(label="the photo (paint on it)", type="numpy", elem_id="reference",
                                       height=420, brush=gr.Brush(default_size=8), format="png")
            with gr.Column():
                obj = gr.Image(label="object to paste", type="numpy", image_mode="RGBA", elem_id="object", height=160)
                x = gr.Slider(0, 100, 50, label="x (%)")
                y = gr.Slider(0, 100, 50, label="y (%)")
                width = gr.Slider(5, 100, 30, label="width (% of the photo)")
                paste = gr.Button("Paste", elem_id="paste")
        with gr.Row():
            make_mask = gr.Button("Mask from the difference", elem_id="make_mask")
            run = gr.Button("Run", variant="primary", elem_id="run_masked")
        message = gr.Markdown(elem_id="masked_message")
        mask = gr.ImageEditor(label="mask (white: changed)", type="numpy", elem_id="mask", height=300, format="png",
                              brush=gr.Brush(colors=["#ffffff", "#000000"], color_mode="fixed", default_size=6))
        with gr.Row():
            naive = _output("naive input", "naive", type="numpy", format="png")
            small = _output("result, training size", "result_small")
            full = _output("result, full size", "result_full")

        @guarded(2)
        def load_photo(label):
            model = studio.model(label)
            n = max(1, model.num_trained - 3)
            photo = np.round(models.check_upload(actions.training_photo(model, studio.input_dir)) * 255)
            top = max(2, model.num_trained - 1)  # a slider needs two ends; injection_scale refuses a scale too high
            return "", photo.astype(np.uint8), gr.Slider(1, top, n, step=1)

        @guarded(1)
        def paste_object(value, item, px, py, pw):
            photo = _composite(value)
            if photo is None or item is None:
                raise SinGANError("load the photo and upload an object first")
            return "", _paste(photo, item, px, py, pw)

        @guarded(1)
        def difference(label, value):
            if _composite(value) is None:
                raise SinGANError("load the photo first")
            model = studio.model(label)
            photo = actions.training_photo(model, studio.input_dir)
            return "", actions.reference_mask(photo, _composite(value), model.device)

        @guarded(3)
        def run_masked(label, value, mask_value, app, n, s):
            ref, drawn = _composite(value), _composite(mask_value)
            if ref is None or drawn is None:
                raise SinGANError("load the photo, change it and make the mask first")
            model = studio.model(label)
            result = actions.masked(model, actions.training_photo(model, studio.input_dir), ref, drawn, n, app, s)
            return f"{app} at scale {int(n)}", ref, *result

        load.click(load_photo, [chosen], [message, reference, scale])
        paste.click(paste_object, [reference, obj, x, y, width], [message, reference])
        make_mask.click(difference, [chosen, reference], [message, mask])
        run.click(run_masked, [chosen, reference, mask, mode, scale, seed], [message, naive, small, full])


def paint_tab(studio: Studio, chosen: gr.Dropdown) -> None:
    with gr.Tab("Paint"):
        gr.Markdown("Paint with the photo's own palette (its 5 main colours at the injection scale, as "
                    "--quantization_flag computes them), then generate.")
        with gr.Row():
            scale = gr.Slider(1, 20, 1, step=1, label="paint_start_scale", elem_id="paint_scale")
            quantize = gr.Checkbox(label="quantization_flag (retrains the scale once)", elem_id="quantize")
            seed = gr.Number(1, label="seed", precision=0)
            palette = gr.Button("Palette and canvas", elem_id="palette")
        message = gr.Markdown(elem_id="paint_message")
        with gr.Row():
            canvas = gr.ImageEditor(label="canvas", type="numpy", elem_id="canvas", height=420, format="png")
            result = _output("result", "paint_result", height=420)
        run = gr.Button("Generate", variant="primary", elem_id="paint_run")

        @guarded(1)
        def make_canvas(label, n):
            model = studio.model(label)
            colours, quantized = actions.palette(model, actions.training_photo(model, studio.input_dir), n)
            return (f"palette: {' '.join(colours)}",
                    gr.ImageEditor(value=quantized, brush=gr.Brush(colors=colours, color_mode="fixed", default_size=6)))

        @guarded(1)
        def generate(label, value, n, q, s):
            if _composite(value) is None:
                raise SinGANError("make the canvas first")
            model = studio.model(label)
            photo = actions.training_photo(model, studio.input_dir)
            return "", actions.paint(model, photo, _composite(value), n, q, s, studio.models_dir)

        palette.click(make_canvas, [chosen, scale], [message, canvas])
        run.click(generate, [chosen, canvas, scale, quantize, seed], [message, result])


def sr_animation_tab(studio: Studio, chosen: gr.Dropdown) -> None:
    with gr.Tab("SR and animation"):
        message = gr.Markdown(elem_id="sra_message")
        with gr.Row():
            with gr.Column():
                factor = gr.Slider(1.2, 8, 2, step=0.1, label="sr_factor", elem_id="sr_factor")
                sr_seed = gr.Number(1, label="seed", precision=0)
                sr = gr.Button("Super-resolve the photo", variant="primary", elem_id="sr_run")
                sr_out = _output("super-resolved", "sr_result")
            with gr.Column():
                alpha = gr.Slider(0, 1, 0.1, label="alpha", elem_id="alpha")
                beta = gr.Slider(0, 1, 0.9, label="beta", elem_id="beta")
                start = gr.Slider(0, 20, 1, step=1, label="start scale")
                frames = gr.Slider(2, 100, 20, step=1, label="frames")
                seed = gr.Number(1, label="seed", precision=0)
                animate = gr.Button("Animate", variant="primary", elem_id="animate_run")
                gif = _output("animation (GIF)", "gif")

        @guarded(1)
        def run_sr(label, f, s):
            return "", actions.super_resolution(studio.model(label), f, s)

        @guarded(1)
        def run_animation(label, a, b, n, count, s):
            return "", actions.animation(studio.model(label), a, b, n, count, s)

        sr.click(run_sr, [chosen, factor, sr_seed], [message, sr_out])
        animate.click(run_animation, [chosen, alpha, beta, start, frames, seed], [message, gif])


def build(studio: Studio) -> gr.Blocks:
    """The page."""
    with gr.Blocks(title="SinGAN Studio") as page:
        gr.Markdown("# SinGAN Studio\nOne photo, one generative model: train it, sample it, edit it.")
        chosen = model_tab(studio)
        samples_tab(studio, chosen)
        masked_tab(studio, chosen)
        paint_tab(studio, chosen)
        sr_animation_tab(studio, chosen)
    return page
