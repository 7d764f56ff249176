"""High-level entry points: train a model on an image file, load a trained model.

    import singan
    model = singan.train_image("input/images/balloons.png", singan.TrainConfig(niter=300), "my_model.pt")
    model = singan.load("my_model.pt")
    images = singan.generate(model, 8, scale_h=2.0)
"""

import math
import os
from pathlib import Path

import torch
from torch import Tensor

from . import checkpoint
from .config import TrainConfig
from .devices import resolve_device
from .errors import SinGANError, api_error, flag_error
from .images import read_image
from .lock import check_free, model_lock
from .memory import check_memory
from .model import SinGAN
from .pyramid import ScaleGeometry, build_pyramid, finest_size, geometry_problem, plan, resize_to_finest
from .training import ProgressFn, train


def build_model(real: Tensor, config: TrainConfig, geometry: ScaleGeometry | None = None, name: str = "") -> SinGAN:
    """An untrained SinGAN for the image `real` (1, C, H, W): pyramid geometry and real pyramid.
    A given `geometry` must meet the same rule (`pyramid.geometry_problem`) as a computed one."""
    if not isinstance(config, TrainConfig):
        raise SinGANError(f"config must be a singan.TrainConfig, not {type(config).__name__}")
    config.validate()
    if not isinstance(real, Tensor) or real.dim() != 4 or real.shape[:2] != (1, config.nc_im):
        shape = tuple(real.shape) if isinstance(real, Tensor) else type(real).__name__
        raise SinGANError(f"real must be a (1, {config.nc_im}, H, W) image tensor for nc_im {config.nc_im} "
                          f"(got {shape}; singan.images.read_image gives one)")
    if not real.is_floating_point() or not torch.isfinite(real).all():
        raise SinGANError("real must hold finite floating-point values in [-1, 1] (singan.images.read_image)")
    h, w = real.shape[-2:]
    if geometry is None:
        geometry = plan(h, w, config, name=name or "the image")
    problem = geometry_problem(geometry, finest_size(h, w, geometry.scale1), config.min_size)
    if problem:
        raise flag_error(f"{name or 'the image'} is {h}x{w}: {problem}")
    reals = build_pyramid(resize_to_finest(real, geometry), geometry)
    return SinGAN(config=config, geometry=geometry, reals=reals, name=name)


def planned_scales(image: str | Path, config: TrainConfig, model_file: str | Path | None = None,
                   geometry_fn=None) -> int:
    """How many scales the model that training would give has, before any training: those of the
    unfinished checkpoint `model_file` (resumed), else of the pyramid `image` and `config` make."""
    if model_file is not None and Path(model_file).is_file():
        return checkpoint.read_state(model_file)["num_levels"]
    real = read_image(check_path("image", image), config.nc_im)
    geometry = geometry_fn(*real.shape[-2:]) if geometry_fn else None
    return build_model(real, config, geometry).geometry.stop_scale + 1


def describe(model: SinGAN, input_hw: tuple[int, int]) -> str:
    """One line per fact a user wants to see before a long run."""
    shapes = [tuple(r.shape[-2:]) for r in model.reals]
    lines = [f"{len(shapes)} scales from {shapes[0][0]}x{shapes[0][1]} to {shapes[-1][0]}x{shapes[-1][1]}, "
             f"recomputed scale factor {model.geometry.scale_factor:.6f} (initial {model.config.scale_factor:g})"]
    if tuple(input_hw) != shapes[-1]:
        lines.insert(0, f"image resized from {input_hw[0]}x{input_hw[1]} to {shapes[-1][0]}x{shapes[-1][1]} "
                        f"(--max_size {model.config.max_size})")
    return "\n".join(lines)


def check_path(name: str, value) -> Path:
    """`value` as a Path; a one-line SinGANError unless it is a str or os.PathLike."""
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes) or str(value) == "":
        raise SinGANError(f"{name} must be a file path (a str or pathlib.Path), not {value!r:.60}")
    return Path(value)


def _check_train_args(config: TrainConfig, model_file: Path, resume: bool, overwrite: bool,
                      save_every: float) -> None:
    """Refuse arguments that cannot work, before anything is read or written."""
    if not isinstance(config, TrainConfig):
        raise SinGANError(f"config must be a singan.TrainConfig, not {type(config).__name__}")
    for name, flag in (("resume", resume), ("overwrite", overwrite)):
        if not isinstance(flag, bool):
            raise SinGANError(f"{name} must be True or False (got {flag!r})")
    if model_file.is_dir():
        raise SinGANError(f"model_file {model_file} is a folder; name the model file in it (e.g. "
                          f"{model_file / 'model.pt'})")
    if resume and overwrite:
        raise SinGANError("pass either resume (continue the model) or overwrite (replace it), not both")
    if not isinstance(save_every, (int, float)) or math.isnan(save_every):
        raise SinGANError(f"save_every must be a number of seconds (got {save_every!r})")
    check_free(model_file)  # a running training of this model is the news, before "it exists"
    if model_file.exists() and not resume and not overwrite:
        exists = f"a trained model already exists at {model_file}"
        raise api_error(f"{exists}; pass overwrite=True to replace it or resume=True to continue it",
                        f"{exists}; pass --overwrite to replace it or --resume to continue it")
    if resume and not model_file.exists():
        raise SinGANError(f"nothing to resume: {model_file} does not exist")


def _resume_model(model_file: Path, device: torch.device) -> tuple[SinGAN, dict | None]:
    """The unfinished model in `model_file` and its resume state (None when it is already complete)."""
    state = checkpoint.read_state(model_file)
    model = checkpoint.from_state(state, device)
    if model.complete:
        return model, None
    resume_state = state["resume"]
    in_progress = (resume_state or {}).get("in_progress")
    where = f", scale {in_progress['scale'] + 1} at iteration {in_progress['iteration']}" if in_progress else ""
    print(f"resuming {model_file}: {model.num_trained} of {len(model.reals)} scales done{where}")
    return model, resume_state


def _new_model(image: str | Path, config: TrainConfig, device: torch.device, geometry_fn) -> SinGAN:
    real = read_image(image, config.nc_im).to(device)
    geometry = geometry_fn(*real.shape[-2:]) if geometry_fn else None
    model = build_model(real, config, geometry, name=Path(image).name)
    print(describe(model, tuple(real.shape[-2:])))
    check_memory(model, device)
    return model


def train_image(image: str | Path, config: TrainConfig, model_file: str | Path, device: torch.device | str = "cpu",
                *, geometry_fn=None, resume: bool = False, overwrite: bool = False, save_every: float = 300.0,
                progress: bool = True, progress_fn: ProgressFn | None = None) -> SinGAN:
    """Train a SinGAN on the image file `image` and save it to `model_file` (after every scale).

    geometry_fn(h, w) -> ScaleGeometry overrides the pyramid geometry (super-resolution).
    resume: continue the unfinished model in `model_file`; overwrite: replace a finished one.
    The model's lock (`singan.lock.model_lock`) is held for the whole run: a second training or
    resume of the same model file meanwhile is refused with a SinGANError naming this process.
    Per-scale previews are written to folders 0/, 1/, ... beside `model_file`.
    progress_fn(scale, iteration, num_scales, work) hears of every iteration (`singan.training.ProgressFn`).
    """
    image, model_file = check_path("image", image), check_path("model_file", model_file)
    device = resolve_device(device, flag="device")
    _check_train_args(config, model_file, resume, overwrite, save_every)
    model = None if resume else _new_model(image, config, device, geometry_fn)  # bad input fails before any write
    with model_lock(model_file):
        resume_state = None
        if resume:
            model, resume_state = _resume_model(model_file, device)
            if resume_state is None and model.complete:
                print(f"{model_file} is already fully trained; nothing to resume")
                return model
        return train(model, model_file.parent, resume=resume_state, save_every=save_every,
                     save=lambda m, r: checkpoint.save(m, model_file, r), progress=progress, progress_fn=progress_fn)


def load(path: str | Path, device: torch.device | str = "cpu", allow_partial: bool = False) -> SinGAN:
    """Load a trained model for sampling (see `singan.checkpoint.load`)."""
    path = check_path("path", path)
    if not isinstance(allow_partial, bool):
        raise SinGANError(f"allow_partial must be True or False (got {allow_partial!r})")
    return checkpoint.load(path, resolve_device(device, flag="device"), allow_partial)
