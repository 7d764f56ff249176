"""Animation: the noise follows a damped random walk around the reconstruction noise at every scale from
a start scale on, all frames of a scale in one forward pass (`animate`); GIF or MP4 output.
"""

import importlib.util
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from tqdm import tqdm

from ..core.config import between, check_value, value_error
from ..core.imresize import denorm
from ..core.model import SinGAN
from ..core.noise import generate_noise
from ..core.sampling import upsample
from ..io.atomic import atomic_path
from ..runtime.memory import check_fits, pyramid_bytes, sample_sizes
from . import upscale

ANIMATION_BETAS = (0.80, 0.85, 0.90, 0.95)
ANIMATION_START_SCALES = (0, 1, 2)


def _noise_walk(z_rec: Tensor, channels: int, alpha: float, beta: float, num_frames: int) -> Tensor:
    """`num_frames` noise maps (num_frames, C, H, W) of a damped random walk around z_rec, as the original's."""
    _, c, h, w = z_rec.shape

    def draw() -> Tensor:
        return generate_noise(channels, h, w, 1, z_rec.device).expand(1, c, h, w)

    z_prev1, z_prev2, frames = 0.95 * z_rec + 0.05 * draw(), z_rec, []
    for _ in range(num_frames):
        diff = beta * (z_prev1 - z_prev2) + (1 - beta) * draw()
        z_curr = alpha * z_rec + (1 - alpha) * (z_prev1 + diff)
        z_prev2, z_prev1 = z_prev1, z_curr
        frames.append(z_curr)
    return torch.cat(frames)


def check_upscaled_frames(model: SinGAN, out_size, num_frames: int, upscaler: str = "patches",
                          photo: Tensor | str | Path | None = None, flag: str = "out_size") -> upscale.Target | None:
    """The size to bring the frames to (`upscale.out_size`), checked before any work with what a GIF holds beside
    the upscaling: every frame's 8-bit RGB pixels three times (the frames, their concatenation, the GIF writer's
    stack) and one frame's float copies. `model` may be one not trained yet (`singan.api.planned_model`)."""
    per_pixel = 9 * num_frames + 16 * model.config.nc_im + 48
    return upscale.out_size(model, out_size, upscale.finest_size(model), photo=photo, upscaler=upscaler, flag=flag,
                            extra=lambda hw: per_pixel * hw[0] * hw[1], what=f" and keeping its {num_frames} frames")


# The settings of an animation (`animate`, `save_animation`, animation.py), named as their flags:
RULES = {
    "alpha_animation": between(0, 1), "beta": between(0, 1), "start_scale": between(0, 1000, integer=True),
    "num_frames": between(1, 10000, integer=True), "batch_size": between(1, 100000, integer=True, optional=True),
    "fps": between(0, 100, open_lo=True),
}


def check_settings(**settings: object) -> None:
    """Animation settings (alpha_animation, beta, start_scale, num_frames, batch_size, fps) against their rules."""
    for name, value in settings.items():
        check_value(name, value, RULES[name])


def animate(model: SinGAN, *, alpha_animation: float = 0.1, beta: float = 0.9, start_scale: int = 2,
            num_frames: int = 100, batch_size: int | None = None, out_size: upscale.OutSize = None,
            upscaler: str = "patches", photo: Tensor | str | Path | None = None, progress: bool = True) -> np.ndarray:
    """Animation frames (num_frames, H, W, C) uint8: at every scale >= start_scale the noise follows a random
    walk around the reconstruction noise z_rec; scales below it use z_rec. out_size: what to bring every frame
    to (`check_upscaled_frames`; `upscale.to_size` by `upscaler`, with the detail of `photo`, the training image
    at its own size; the chain draws its noise once for all frames, so that the added detail does not flicker).
    The arguments (`check_settings`) and what depends on the model (`animate_model`) are checked first."""
    check_settings(alpha_animation=alpha_animation, beta=beta, start_scale=start_scale, num_frames=num_frames,
                   batch_size=batch_size)
    return animate_model(model, alpha_animation, beta, start_scale, num_frames, batch_size, out_size, upscaler, photo,
                         progress)


def animate_model(model: SinGAN, alpha_animation: float, beta: float, start_scale: int, num_frames: int,
                  batch_size: int | None, out_size: upscale.OutSize = None, upscaler: str = "patches",
                  photo: Tensor | str | Path | None = None, progress: bool = True) -> np.ndarray:
    """`animate` with settings already checked (`check_settings`, e.g. by animation.py before the training);
    what depends on the model is checked here, before any work: a start scale it has not trained, a run that
    would not fit in memory (naming a size that fits), the out_size."""
    if start_scale >= model.num_trained:
        raise value_error("start_scale", start_scale, f"this model has {model.num_trained} trained scales: 0 to "
                                                      f"{model.num_trained - 1}")
    batch, sizes = min(batch_size or num_frames, num_frames), sample_sizes(model, 1, 1)

    def need(frames: float, batch: float) -> int:
        """Every frame held 4 times at every scale (its noise walk and their concatenation, the upsampled
        previous frame, the output), 5 times at the end (the uint8 conversion); G runs unfused."""
        return pyramid_bytes(model, sizes, batch=int(batch), images=int(frames), copies=4, kept=5 * int(frames),
                             fused=False)

    check_fits(f"animating {num_frames} frames of {sizes[-1][0]}x{sizes[-1][1]}", model.device, [
        (lambda b: need(num_frames, b), batch, lambda b: f"--batch_size {int(b)} would fit" if b >= 1 else None),
        (lambda f: need(f, 1), num_frames, lambda f: f"--num_frames {int(f)} with --batch_size 1 would fit"
         if f >= 1 else None)], "the model is too large")
    start = tuple(model.reals[model.num_trained - 1].shape[-2:])
    target = check_upscaled_frames(model, out_size, num_frames, upscaler, photo)
    pad, step, frames = model.config.pad, batch_size or num_frames, None
    with torch.no_grad():  # every scale's frames in one pass (by batch_size), from the coarsest
        for n, scale in enumerate(model.scales):
            z = _noise_walk(scale.z_rec, 1 if n == 0 else model.config.nc_z, alpha_animation, beta, num_frames)
            if n < start_scale:
                z = scale.z_rec.expand_as(z)
            if frames is None:
                prev = torch.zeros_like(z)
            else:
                prev = F.pad(upsample(frames, model.geometry.scale_factor, tuple(model.reals[n].shape[-2:])), [pad] * 4)
            frames = torch.cat([scale.netG(scale.noise_amp * z[i:i + step] + prev[i:i + step], prev[i:i + step])
                                for i in range(0, num_frames, step)])
    if target is None or target.size == start:
        return _frames_uint8(frames)
    (h, w), chain = target.size, {}
    if target.upscaler == "chain":
        plan = upscale.chain_plan(start, target.size, upscale.step_factor(model))
        chain = {"plan": plan, "noise": [upscale.step_noise(model, j, *hw) for j, hw in enumerate(plan.sizes)]}
    return np.concatenate([_frames_uint8(upscale.to_size(model, frames[i:i + 1], target.size, upscaler=target.upscaler,
                                                         photo=target.photo, progress=False, **chain))
                           for i in tqdm(range(num_frames), desc=f"upscaling frames to {h}x{w}", delay=3,
                                         disable=not progress)])


def _frames_uint8(frames: Tensor) -> np.ndarray:
    return (denorm(frames) * 255).permute(0, 2, 3, 1).cpu().numpy().astype(np.uint8)  # truncation


def save_animation(path: str | Path, frames: np.ndarray, fps: float) -> Path:
    """Write frames (F, H, W, C) uint8 as a GIF or (with a .mp4 suffix) a video; `fps` frames per second."""
    import imageio.v2 as imageio

    check_value("fps", fps, RULES["fps"])
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix == ".mp4":
            imageio.mimsave(tmp, list(frames), fps=fps)
        else:
            imageio.mimsave(tmp, list(frames), duration=1000 / fps, loop=0)
    return path


def mp4_available() -> bool:
    """Whether imageio can write MP4 (its ffmpeg plugin is installed)."""
    return importlib.util.find_spec("imageio_ffmpeg") is not None
