"""High-level entry points: train a model on an image file, load a trained model.

    import singan
    model = singan.train_image("input/images/balloons.png", singan.TrainConfig(niter=300), "my_model.pt")
    model = singan.load("my_model.pt")
    images = model.sample(8, scale_h=2.0)
"""

from pathlib import Path

import torch
from torch import Tensor

from . import checkpoint
from .config import TrainConfig
from .errors import SinGANError
from .images import read_image
from .memory import check_memory
from .model import SinGAN
from .pyramid import ScaleGeometry, adjust_scales, build_pyramid, resize_to_finest
from .training import train


def build_model(real: Tensor, config: TrainConfig, geometry: ScaleGeometry | None = None, name: str = "") -> SinGAN:
    """An untrained SinGAN for the image `real` (1, C, H, W): pyramid geometry and real pyramid."""
    config.validate()
    h, w = real.shape[-2:]
    if min(h, w) < config.min_size:
        raise SinGANError(f"{name or 'the image'} is {h}x{w}, smaller than --min_size {config.min_size}; "
                          "use a larger image or a smaller --min_size")
    if geometry is None:
        geometry = adjust_scales(h, w, config.min_size, config.max_size, config.scale_factor)
    reals = build_pyramid(resize_to_finest(real, geometry), geometry)
    return SinGAN(config=config, geometry=geometry, reals=reals, name=name)


def describe(model: SinGAN, input_hw: tuple[int, int]) -> str:
    """One line per fact a user wants to see before a long run."""
    shapes = [tuple(r.shape[-2:]) for r in model.reals]
    lines = [f"{len(shapes)} scales from {shapes[0][0]}x{shapes[0][1]} to {shapes[-1][0]}x{shapes[-1][1]}, "
             f"recomputed scale factor {model.geometry.scale_factor:.6f} (initial {model.config.scale_factor:g})"]
    if tuple(input_hw) != shapes[-1]:
        lines.insert(0, f"image resized from {input_hw[0]}x{input_hw[1]} to {shapes[-1][0]}x{shapes[-1][1]} "
                        f"(--max_size {model.config.max_size})")
    return "\n".join(lines)


def train_image(image: str | Path, config: TrainConfig, model_file: str | Path, device: torch.device | str = "cpu",
                *, geometry_fn=None, resume: bool = False, overwrite: bool = False, save_every: float = 300.0,
                init_weights: tuple[dict | None, dict | None] = (None, None), progress: bool = True) -> SinGAN:
    """Train a SinGAN on the image file `image` and save it to `model_file` (after every scale).

    geometry_fn(h, w) -> ScaleGeometry overrides the pyramid geometry (super-resolution).
    resume: continue the unfinished model in `model_file`; overwrite: replace a finished one.
    """
    model_file, device = Path(model_file), torch.device(device)
    resume_state = None
    if model_file.exists():
        if resume:
            state = checkpoint.read_state(model_file)
            model = checkpoint.from_state(state, device)
            if model.complete:
                print(f"{model_file} is already fully trained; nothing to resume")
                return model
            resume_state = state["resume"]
            progress = (resume_state or {}).get("in_progress")
            where = f", scale {progress['scale']} at iteration {progress['iteration']}" if progress else ""
            print(f"resuming {model_file}: {model.num_trained} of {len(model.reals)} scales done{where}")
        elif not overwrite:
            raise SinGANError(f"a trained model already exists at {model_file}; pass --overwrite to replace it "
                              "or --resume to continue it")
    elif resume:
        raise SinGANError(f"nothing to resume: {model_file} does not exist")
    if resume_state is None:
        real = read_image(image, config.nc_im).to(device)
        geometry = geometry_fn(*real.shape[-2:]) if geometry_fn else None
        model = build_model(real, config, geometry, name=Path(image).name)
        print(describe(model, tuple(real.shape[-2:])))
        check_memory(model, device)
    return train(model, model_file.parent, resume=resume_state, save_every=save_every, init_weights=init_weights,
                 save=lambda m, r: checkpoint.save(m, model_file, r), progress=progress)


def load(path: str | Path, device: torch.device | str = "cpu", allow_partial: bool = False) -> SinGAN:
    """Load a trained model for sampling (see `singan.checkpoint.load`)."""
    return checkpoint.load(path, device, allow_partial)
