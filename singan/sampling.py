"""Running the pyramid coarse to fine: random samples, reconstructions, injected images.

`generate` is the one public way to sample a trained model: it checks its arguments and the
memory the run needs, then runs
`run_pyramid`, the original's SinGAN_generate batched (every scale runs all
samples in one forward pass), which the applications also use to inject an
image at some scale. `draw_concat` (the input the scale being trained receives
from the frozen coarser scales) is `run_pyramid` stopped one scale early and
upsampled.
"""

import os
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from . import upscale
from .errors import SinGANError, check_int, check_real
from .imresize import imresize
from .memory import MAX_SIDE, check_fits, largest_fitting, round_down, sample_sizes, sampling_bytes
from .model import SinGAN
from .noise import scale_noise

MAX_RESIZE = 10  # scale_h / scale_v at most (as the command line's --scale_h, --scale_v)


def upsample(images: Tensor, scale_factor: float, size: tuple[int, int]) -> Tensor:
    """Bicubic upsampling by 1/scale_factor (uint8 round trip, as every resize), cropped to `size`."""
    return imresize(images, 1 / scale_factor)[:, :, :size[0], :size[1]]


def _match_size(z: Tensor, size: tuple[int, int]) -> Tensor:
    if tuple(z.shape[-2:]) == tuple(size):
        return z
    return F.interpolate(z, size=size, mode="bilinear", align_corners=True)


def run_pyramid(model: SinGAN, num_samples: int = 1, *, gen_start_scale: int = 0, scale_h: float = 1.0,
                scale_v: float = 1.0, in_s: Tensor | None = None, start_scale: int = 0,
                end_scale: int | None = None, batch_size: int | None = None, fused: bool | None = None,
                on_scale: Callable[[int, int], None] | None = None) -> Tensor:
    """Run scales start_scale..end_scale (inclusive; default: the last trained) on `num_samples` samples.

    - gen_start_scale: scales below it use their reconstruction noise (z* at scale 0,
      zeros above), so the coarse structure of the training image is kept.
    - scale_h / scale_v: output width / height relative to the training image.
    - in_s: the image fed to `start_scale` as the upsampled previous output,
      (1 or N, C, h, w) at that scale's (scaled) size; zeros by default.
    - batch_size: run at most this many samples per forward pass (default: all).
    - fused: faster inference kernels (BatchNorm folded into the convs, channels-last); the
      default is on for the CPU. Training's draw_concat turns them off to compute exactly what
      the original computes.
    - on_scale(n, count): called after scale n has run on `count` samples (progress bars).
    Returns (num_samples, C, H, W), values roughly in [-1, 1] (the residual is not clamped).
    """
    if batch_size is not None and num_samples > batch_size:
        return torch.cat([run_pyramid(model, min(batch_size, num_samples - i), gen_start_scale=gen_start_scale,
                                      scale_h=scale_h, scale_v=scale_v, in_s=in_s, start_scale=start_scale,
                                      end_scale=end_scale, fused=fused, on_scale=on_scale)
                          for i in range(0, num_samples, batch_size)])
    end_scale = model.num_trained - 1 if end_scale is None else end_scale
    fused = model.device.type == "cpu" if fused is None else fused
    pad = model.config.pad
    images = None
    with torch.no_grad():
        for n in range(start_scale, end_scale + 1):
            scale = model.scales[n]
            real_h, real_w = model.reals[n].shape[-2:]
            size = (round(real_h * scale_v) + 2 * pad, round(real_w * scale_h) + 2 * pad)  # padded noise size
            if images is None:
                if in_s is None:
                    in_s = torch.zeros(1, model.config.nc_z, round(real_h * scale_v), round(real_w * scale_h),
                                       device=model.device)
                prev = F.pad(in_s, [pad] * 4).expand(num_samples, -1, -1, -1)
            else:
                prev = upsample(images, model.scale_factor, (round(scale_v * real_h), round(scale_h * real_w)))
                prev = F.pad(prev, [pad] * 4)[:, :, :size[0], :size[1]]
                prev = _match_size(prev, size)  # fixes off-by-one sizes of arbitrary scale_h/v
            if n < gen_start_scale:  # reconstruction noise (drawn nothing from the RNG)
                z = _match_size(scale.z_rec, size)
            else:
                z = scale_noise(model, n, real_h * scale_v, real_w * scale_h, num_samples)
            images = scale.netG(scale.noise_amp * z + prev, prev, fused=fused)
            if on_scale is not None:
                on_scale(n, num_samples)
    return images


def check_sample_args(model: SinGAN, num_samples: int, gen_start_scale: int, scale_h: float, scale_v: float,
                      batch_size: int | None, seed: int | None) -> None:
    """Refuse, with one line naming the argument, what `generate` cannot do for this model."""
    if not isinstance(model, SinGAN):
        hint = f"; load the file first: singan.generate(singan.load({model!r:.60}), ...)" if isinstance(
            model, (str, os.PathLike)) else ""
        raise SinGANError(f"generate takes a trained SinGAN (from singan.load), not {type(model).__name__}{hint}")
    if not model.scales:
        raise SinGANError("the model has no trained scale to sample from")
    check_int("num_samples", num_samples, 1)
    check_int("gen_start_scale", gen_start_scale, 0, model.num_trained,
              what=f" (this model has {model.num_trained} trained scales; {model.num_trained} reconstructs "
                   "the training image)")
    check_int("batch_size", batch_size, 1, optional=True)
    check_int("seed", seed, -(2**63), 2**64 - 1, optional=True)
    h0, w0 = model.reals[0].shape[-2:]
    h, w = model.reals[model.num_trained - 1].shape[-2:]
    for name, value, coarsest, finest in (("scale_h", scale_h, w0, w), ("scale_v", scale_v, h0, h)):
        low = 1 / coarsest  # at least one pixel at the coarsest scale
        high = min(MAX_RESIZE, MAX_SIDE / finest)
        check_real(name, value, low, high, what=f" (1 pixel at the coarsest scale, at most {MAX_RESIZE:g} times the "
                                                f"training size and {MAX_SIDE} pixels at the finest)")


def check_sample_memory(model: SinGAN, num_samples: int, scale_h: float, scale_v: float,
                        batch_size: int | None) -> None:
    """A one-line error naming a batch_size (or scale_h / scale_v) that fits when sampling would run out of memory."""
    batch = min(batch_size or num_samples, num_samples)
    h, w = sample_sizes(model, scale_h, scale_v)[-1]

    def hint(available: int) -> str:
        fits = largest_fitting(lambda b: sampling_bytes(model, scale_h, scale_v, int(b), num_samples), available,
                               batch, integer=True)
        if fits >= 1:
            return f"batch_size {int(fits)} would fit"
        m = largest_fitting(lambda m: sampling_bytes(model, scale_h * m, scale_v * m, 1, num_samples), available, 1.0)
        if m * min(scale_h, scale_v) * min(model.reals[0].shape[-2:]) < 1:
            return "fewer samples at a time (batch_size 1, a smaller num_samples) would be needed"
        h_fit, v_fit = round_down(scale_h * m), round_down(scale_v * m)
        return f"scale_h {h_fit:g} and scale_v {v_fit:g} with batch_size 1 would fit"

    check_fits(f"sampling {num_samples} images of {h}x{w}", sampling_bytes(model, scale_h, scale_v, batch, num_samples),
               model.device, hint)


def generate(model: SinGAN, num_samples: int = 1, *, gen_start_scale: int = 0, scale_h: float = 1.0,
             scale_v: float = 1.0, batch_size: int | None = None, seed: int | None = None,
             out_size: tuple[int, int] | int | None = None,
             on_scale: Callable[[int, int], None] | None = None) -> Tensor:
    """Draw `num_samples` random samples (N, C, H, W) from the trained scales of `model`, with values
    clamped to [-1, 1] (the generators' residuals can step slightly outside).

    - gen_start_scale: 0 (everything random) .. num_trained (the reconstruction); the scales below
      it use their reconstruction noise, so the coarse structure of the training image is kept.
    - scale_h / scale_v: output width / height relative to the training image.
    - batch_size: run at most this many samples per forward pass (default: all).
    - seed: draw the noise from a generator seeded with it (the global RNG state is left as it
      was); None draws from the global RNG.
    - out_size: (H, W), or the longest side in pixels, to upscale every sample to with the finest
      generator (`singan.upscale`); the input file's own size is `singan.upscale.image_size(path)`.
      None: the training size (times scale_h / scale_v).
    - on_scale(n, count): called after scale n has run on `count` samples (for a progress bar).
    Arguments out of range, and a run that would not fit in the device's memory, raise a one-line
    SinGANError before any work.
    """
    check_sample_args(model, num_samples, gen_start_scale, scale_h, scale_v, batch_size, seed)
    check_sample_memory(model, num_samples, scale_h, scale_v, batch_size)
    size = _out_size(model, out_size, scale_h, scale_v, num_samples)
    devices = [model.device] if model.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        images = run_pyramid(model, num_samples, gen_start_scale=gen_start_scale, scale_h=scale_h, scale_v=scale_v,
                             batch_size=batch_size, on_scale=on_scale)
        if size is not None:
            images = upscale.upscale(model, images, size, flag="out_size")
        return images.clamp(-1, 1)


def _out_size(model: SinGAN, out_size, scale_h: float, scale_v: float, num_samples: int) -> tuple[int, int] | None:
    """generate's out_size as (H, W) (or None), checked with the memory of upscaling every sample."""
    if out_size is None:
        return None
    start = sample_sizes(model, scale_h, scale_v)[-1]
    if isinstance(out_size, int) and not isinstance(out_size, bool):
        size = upscale.resolve_out_size(str(out_size), start) if out_size > 0 else (out_size, out_size)
    elif isinstance(out_size, (tuple, list)) and len(out_size) == 2:
        size = tuple(out_size)
    else:
        raise SinGANError(f"out_size must be (H, W), a longest side in pixels or None (got {out_size!r})")
    upscale.check_upscale(model, start, size, num_samples, "out_size")
    return size


def draw_concat(model: SinGAN, scale: int, mode: str) -> Tensor:
    """The input of `scale` from the frozen coarser scales: a random sample ('rand') or the
    reconstruction of the training image ('rec'), upsampled to the size of reals[scale]."""
    if scale == 0:
        return torch.zeros_like(model.reals[0][:, :model.config.nc_z])
    gen_start_scale = scale if mode == "rec" else 0
    images = run_pyramid(model, 1, gen_start_scale=gen_start_scale, end_scale=scale - 1, fused=False)
    return upsample(images, model.scale_factor, model.reals[scale].shape[-2:])
