"""The Python entry points: train a model on an image file, load it, sample it.

    import singan
    model = singan.train_image("input/images/balloons.png", singan.TrainConfig(niter=300), "my_model.pt")
    model = singan.load("my_model.pt")
    images = singan.generate(model, 8, scale_h=2.0)
    singan.save_images(images, "my_samples")        # my_samples/0.png ... 7.png
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import torch
from torch import Tensor

from .apps import upscale
from .core.config import SEED, Rule, TrainConfig, between, check_rules, check_value, value_error
from .core.model import SinGAN
from .core.pyramid import ScaleGeometry, build_pyramid, finest_size, geometry_problem, plan, resize_to_finest
from .core.sampling import run_pyramid, seeded
from .errors import SinGANError, api_error, flag_error
from .io import checkpoint
from .io.images import read_image
from .io.images import save_images as write_images
from .io.lock import check_free, model_lock
from .io.previews import ScalePreviews
from .runtime.devices import resolve_device
from .runtime.memory import MAX_SIDE, check_fits, check_memory, pyramid_bytes, round_down, sample_sizes
from .runtime.training_run import ProgressFn, run_training


def build_model(real: Tensor, config: TrainConfig, geometry: ScaleGeometry | None = None, name: str = "") -> SinGAN:
    """An untrained SinGAN for the image `real` (1, C, H, W): pyramid geometry and real pyramid.
    A given `geometry` must meet the same rule (`pyramid.geometry_problem`) as a computed one."""
    if not isinstance(config, TrainConfig):
        raise SinGANError(f"config must be a singan.TrainConfig, not {type(config).__name__}")
    return _pyramid_model(real, config.validate(), geometry, name)


def _pyramid_model(real: Tensor, config: TrainConfig, geometry: ScaleGeometry | None, name: str) -> SinGAN:
    """`build_model` on a config already checked."""
    if not isinstance(real, Tensor) or real.dim() != 4 or real.shape[:2] != (1, config.nc_im):
        shape = tuple(real.shape) if isinstance(real, Tensor) else type(real).__name__
        raise SinGANError(f"real must be a (1, {config.nc_im}, H, W) image tensor for nc_im {config.nc_im} "
                          f"(got {shape}; singan.io.images.read_image gives one)")
    if not real.is_floating_point() or not torch.isfinite(real).all():
        raise SinGANError("real must hold finite floating-point values in [-1, 1] (singan.io.images.read_image)")
    h, w = real.shape[-2:]
    if geometry is None:
        geometry = plan(h, w, config, name=name or "the image")  # refused there when it breaks the rule
    elif problem := geometry_problem(geometry, finest_size(h, w, geometry.input_resize), config.min_size):
        raise flag_error(f"{name or 'the image'} is {h}x{w}: {problem}")
    reals = build_pyramid(resize_to_finest(real, geometry), geometry)
    return SinGAN(config=config, geometry=geometry, reals=reals, name=name)


def planned_model(image: str | Path, config: TrainConfig, model_file: str | Path | None = None,
                  geometry_fn=None, device: torch.device | str = "cpu") -> SinGAN:
    """The model training would give, before any training, without its networks (no scale trained: what
    depends on its size is checked on it): the pyramid of the unfinished checkpoint `model_file` (resumed),
    else the pyramid `image` and `config` (validated by the caller: `TrainConfig.validate`) make."""
    if model_file is not None and Path(model_file).is_file():
        model = checkpoint.from_state(checkpoint.read_state(model_file), device)
        return SinGAN(config=model.config, geometry=model.geometry, reals=model.reals, name=model.name)
    return _image_model(check_path("image", image), config, device, geometry_fn)[0]


def _image_model(image: Path, config: TrainConfig, device: torch.device, geometry_fn, name: str = ""
                 ) -> tuple[SinGAN, tuple[int, int]]:
    """The untrained model of the image file `image` (`config` checked) and the file's (H, W)."""
    real = read_image(image, config.nc_im).to(device)
    hw = tuple(real.shape[-2:])
    return _pyramid_model(real, config, geometry_fn(*hw) if geometry_fn else None, name), hw


def check_path(name: str, value) -> Path:
    """`value` as a Path; a one-line SinGANError unless it is a str or os.PathLike."""
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes) or str(value) == "":
        raise SinGANError(f"{name} must be a file path (a str or pathlib.Path), not {value!r:.60}")
    return Path(value)


def device_of(device: torch.device | str) -> torch.device:
    """`device` as a torch.device this machine has (`resolve_device`), its error in both wordings."""
    try:
        return resolve_device(device, flag="--device")
    except SinGANError as e:
        raise flag_error(str(e)) from None


SAVE_EVERY = between(0, float("inf"), open_hi=True)  # seconds between mid-scale checkpoints


def _check_train_args(config: TrainConfig, model_file: Path, save_every: float, resume: bool, overwrite: bool,
                      **switches: object) -> None:
    """Refuse arguments that cannot work, before anything is read or written (`switches`: more True/False ones)."""
    if not isinstance(config, TrainConfig):
        raise SinGANError(f"config must be a singan.TrainConfig, not {type(config).__name__}")
    for name, flag in {"resume": resume, "overwrite": overwrite, **switches}.items():
        if not isinstance(flag, bool):
            raise SinGANError(f"{name} must be True or False (got {flag!r})")
    check_value("save_every", save_every, SAVE_EVERY)
    config.validate()
    if model_file.is_dir():
        raise SinGANError(f"model_file {model_file} is a folder; name the model file in it (e.g. "
                          f"{model_file / 'model.pt'})")
    if resume and overwrite:
        raise SinGANError("pass either resume (continue the model) or overwrite (replace it), not both")
    check_free(model_file)  # a running training of this model is the news, before "it exists"
    if model_file.exists() and not resume and not overwrite:
        exists = f"a trained model already exists at {model_file}"
        raise api_error(f"{exists}; pass overwrite=True to replace it or resume=True to continue it",
                        f"{exists}; pass --overwrite to replace it or --resume to continue it")
    if resume and not model_file.exists():
        raise SinGANError(f"nothing to resume: {model_file} does not exist")


def train_image(image: str | Path, config: TrainConfig, model_file: str | Path, device: torch.device | str = "cpu",
                *, geometry_fn=None, resume: bool = False, overwrite: bool = False, save_every: float = 300.0,
                progress: bool = True, progress_fn: ProgressFn | None = None, previews: bool = False) -> SinGAN:
    """Train a SinGAN on the image file `image` and save it to `model_file` (after every scale).

    geometry_fn(h, w) -> ScaleGeometry overrides the pyramid geometry (super-resolution).
    resume: continue the unfinished model in `model_file`; overwrite: replace a finished one.
    The model's lock (`singan.io.lock.model_lock`) is held for the whole run: a second training or
    resume of the same model file meanwhile is refused with a SinGANError naming this process.
    previews=True writes per-scale preview images and loss plots to folders 0/, 1/, ... beside `model_file`
    (the commands do; by default none are written).
    progress_fn(scale, iteration, num_scales, work) hears of every iteration (`training_run.ProgressFn`)."""
    image, model_file = check_path("image", image), check_path("model_file", model_file)
    device = device_of(device)
    _check_train_args(config, model_file, save_every, resume, overwrite, progress=progress, previews=previews)
    if not resume:  # bad input fails before any write
        model, (h, w) = _image_model(image, config, device, geometry_fn, image.name)
        shapes = [tuple(r.shape[-2:]) for r in model.reals]  # what a user wants to see before a long run:
        if (h, w) != shapes[-1]:
            print(f"image resized from {h}x{w} to {shapes[-1][0]}x{shapes[-1][1]} (--max_size {config.max_size})")
        print(f"{len(shapes)} scales from {shapes[0][0]}x{shapes[0][1]} to {shapes[-1][0]}x{shapes[-1][1]}, "
              f"recomputed scale factor {model.geometry.scale_factor:.6f} (initial {config.scale_factor:g})")
        check_memory(model, device)
    with model_lock(model_file):
        resume_state = None
        if resume:
            state = checkpoint.read_state(model_file)
            model = checkpoint.from_state(state, device)
            if model.complete:
                print(f"{model_file} is already fully trained; nothing to resume")
                return model
            resume_state = state["resume"]
            at = (resume_state or {}).get("in_progress")
            where = f", scale {at['scale'] + 1} at iteration {at['iteration']}" if at else ""
            print(f"resuming {model_file}: {model.num_trained} of {len(model.reals)} scales done{where}")
        return run_training(model, ScalePreviews(model_file.parent) if previews else None, resume=resume_state,
                            save_every=save_every, save=lambda m, r: checkpoint.save(m, model_file, r),
                            progress=progress, progress_fn=progress_fn)


def load(path: str | Path, device: torch.device | str = "cpu", allow_partial: bool = False) -> SinGAN:
    """Load a trained model for sampling (see `singan.io.checkpoint.load`)."""
    path = check_path("path", path)
    if not isinstance(allow_partial, bool):
        raise SinGANError(f"allow_partial must be True or False (got {allow_partial!r})")
    return checkpoint.load(path, device_of(device), allow_partial)


# ---------------------------------------------------------------- sampling

MAX_RESIZE = 10  # scale_h / scale_v at most
BATCH_SIZE = between(1, 100000, integer=True, optional=True)  # samples (frames) per forward pass; None: all


@dataclass
class SampleOptions:
    """The settings of random samples (`generate`, random_samples.py, evaluation) and their rules."""

    num_samples: int = 50
    gen_start_scale: int = 0  # scales below it reconstruct the image (0: everything random)
    scale_h: float = 1.0
    scale_v: float = 1.0
    batch_size: int | None = None  # samples per forward pass (None: all)
    seed: int | None = None  # None: the global random state

    RULES: ClassVar[dict[str, Rule]] = {
        "num_samples": between(1, 100000, integer=True), "gen_start_scale": between(0, 1000, integer=True),
        "scale_h": between(0, MAX_RESIZE, open_lo=True), "scale_v": between(0, MAX_RESIZE, open_lo=True),
        "batch_size": BATCH_SIZE, "seed": SEED,
    }

    def validate(self) -> "SampleOptions":
        """Raise a one-line SinGANError naming the first value out of its rule (what needs no model); returns self."""
        check_rules(self, self.RULES)
        return self


def check_sample_args(model: SinGAN, options: SampleOptions) -> None:
    """Refuse, with one line naming the argument, what sampling cannot do for this model (`options` validated
    where they were made): its own bounds (its trained scales, one pixel at the coarsest scale, MAX_SIDE at the
    finest) and the memory (naming a batch_size, or scale_h / scale_v, that fits)."""
    if not isinstance(model, SinGAN):
        hint = f"; load the file first: singan.generate(singan.load({model!r:.60}), ...)" if isinstance(
            model, (str, os.PathLike)) else ""
        raise SinGANError(f"generate takes a trained SinGAN (from singan.load), not {type(model).__name__}{hint}")
    if not model.scales:
        raise SinGANError("the model has no trained scale to sample from")
    if options.gen_start_scale > model.num_trained:
        raise value_error("gen_start_scale", options.gen_start_scale,
                          f"this model has {model.num_trained} trained scales: 0 to {model.num_trained} "
                          f"({model.num_trained} reconstructs the training image)")
    h0, w0 = model.reals[0].shape[-2:]
    h, w = model.reals[model.num_trained - 1].shape[-2:]
    for name, coarsest, finest in (("scale_h", w0, w), ("scale_v", h0, h)):
        low, high = 1 / coarsest, min(MAX_RESIZE, MAX_SIDE / finest)
        if not low <= getattr(options, name) <= high:
            raise value_error(name, getattr(options, name), f"this model takes {low:.4g} to {high:.4g} (1 pixel at "
                              f"the coarsest scale, {MAX_SIDE} pixels at the finest)")
    num_samples, scale_h, scale_v = options.num_samples, options.scale_h, options.scale_v
    batch, (h, w) = min(options.batch_size or num_samples, num_samples), sample_sizes(model, scale_h, scale_v)[-1]

    def need(m: float, batch: float) -> int:  # at m times scale_h and scale_v
        return pyramid_bytes(model, sample_sizes(model, scale_h * m, scale_v * m), batch=int(batch), kept=num_samples)

    def say_scale(m: float) -> str | None:
        h_fit, v_fit = round_down(scale_h * m), round_down(scale_v * m)
        if m * min(scale_h, scale_v) * min(model.reals[0].shape[-2:]) < 1:
            return None
        return f"scale_h {h_fit:g} and scale_v {v_fit:g} with batch_size 1 would fit"

    check_fits(f"sampling {num_samples} images of {h}x{w}", model.device, [
        (lambda b: need(1.0, b), batch, lambda b: f"batch_size {int(b)} would fit" if b >= 1 else None),
        (lambda m: need(m, 1), 1.0, say_scale)], "fewer samples at a time (batch_size 1, a smaller num_samples) "
               "would be needed")


def generate(model: SinGAN, num_samples: int = 1, *, gen_start_scale: int = 0, scale_h: float = 1.0,
             scale_v: float = 1.0, batch_size: int | None = None, seed: int | None = None,
             out_size: upscale.OutSize = None, upscaler: str = "patches", photo: Tensor | str | Path | None = None,
             on_scale: Callable[[int, int], None] | None = None) -> Tensor:
    """Draw `num_samples` random samples (N, C, H, W) from the trained scales of `model`, clamped to [-1, 1]
    (the generators' residuals can step slightly outside).

    - gen_start_scale: 0 (everything random) .. num_trained (the reconstruction); the scales below it use
      their reconstruction noise, so the coarse structure of the training image is kept.
    - scale_h / scale_v: output width / height relative to the training image.
    - batch_size: at most this many samples per forward pass (default: all).
    - seed: noise from a generator seeded with it (the global RNG left as it was); None: the global RNG.
    - out_size: (H, W), a longest side, "HxW" or "full" (the photo's size times scale_v / scale_h) to upscale
      every sample to (`singan.apps.upscale.out_size`); None: the training size (times scale_h / scale_v).
    - upscaler: how (`singan.apps.upscale.to_size`): "patches" (default: the detail of `photo`, the training
      image at its own size, a file or `read_image(path)`; without it the samples' own detail), "chain" (the
      paper's SR chain) or "bicubic".
    - on_scale(n, count): called after scale n has run on `count` samples (for a progress bar).
    Arguments out of range, and a run that would not fit in memory, raise a one-line SinGANError first."""
    options = SampleOptions(num_samples, gen_start_scale, scale_h, scale_v, batch_size, seed).validate()
    check_sample_args(model, options)
    return sample(model, options, out_size=out_size, upscaler=upscaler, photo=photo, on_scale=on_scale)


def sample(model: SinGAN, options: SampleOptions, *, out_size: upscale.OutSize = None, upscaler: str = "patches",
           photo: Tensor | str | Path | None = None, on_scale: Callable[[int, int], None] | None = None) -> Tensor:
    """`generate`'s work, for settings checked once before it: their rules where they were made
    (`SampleOptions(...).validate()`, e.g. by a command before the training it samples after) and what depends
    on the model by `check_sample_args`. `out_size` is checked here (`upscale.out_size`), before any work."""
    o = options
    target = upscale.out_size(model, out_size, sample_sizes(model, o.scale_h, o.scale_v)[-1], photo=photo,
                              upscaler=upscaler, num_images=o.num_samples, scale=(o.scale_v, o.scale_h))
    with seeded(model.device, o.seed):
        images = run_pyramid(model, o.num_samples, gen_start_scale=o.gen_start_scale, scale_h=o.scale_h,
                             scale_v=o.scale_v, batch_size=o.batch_size, on_scale=on_scale)
        if target is not None:
            images = upscale.to_size(model, images, target.size, upscaler=target.upscaler, photo=target.photo)
        return images.clamp_(-1, 1)  # in place: no second copy of an upscaled image


def save_images(images: Tensor, folder: str | Path) -> list[Path]:
    """Write what `generate` returns, an (N, C, H, W) tensor in [-1, 1] (C = 1 or 3), as 8-bit PNGs
    <folder>/0.png, 1.png, ... (the folder is made if needed; files of those names are replaced);
    returns their paths. One image (C, H, W) is written as 0.png."""
    folder = check_path("folder", folder)
    if not isinstance(images, Tensor) or images.dim() not in (3, 4) or images.shape[-3] not in (1, 3):
        got = f"shape {tuple(images.shape)}" if isinstance(images, Tensor) else type(images).__name__
        raise SinGANError(f"images must be a tensor of shape (N, C, H, W) or (C, H, W) with C 1 or 3, "
                          f"as singan.generate returns (got {got})")
    if folder.exists() and not folder.is_dir():
        raise SinGANError(f"folder {folder} is a file; give a folder to write the images into")
    return write_images(folder, images if images.dim() == 4 else images[None])
