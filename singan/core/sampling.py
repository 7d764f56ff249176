"""Running the pyramid coarse to fine: random samples, reconstructions, injected images.

`run_pyramid` is the original's SinGAN_generate batched (every scale runs all samples in one
forward pass): `singan.generate` samples through it, training feeds each new scale from it, and the
applications inject an image at some scale with it; `seeded` draws its noise from a seed.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor

from .imresize import imresize
from .model import SinGAN
from .noise import scale_noise


def upsample(images: Tensor, scale_factor: float, size: tuple[int, int]) -> Tensor:
    """Bicubic upsampling by 1/scale_factor (uint8 round trip, as every resize), cropped to `size`."""
    return imresize(images, 1 / scale_factor)[:, :, :size[0], :size[1]]


def _match_size(z: Tensor, size: tuple[int, int]) -> Tensor:
    if tuple(z.shape[-2:]) == tuple(size):
        return z
    return F.interpolate(z, size=size, mode="bilinear", align_corners=True)


def run_pyramid(model: SinGAN, num_samples: int = 1, *, gen_start_scale: int = 0, scale_h: float = 1.0,
                scale_v: float = 1.0, start_image: Tensor | None = None, start_scale: int = 0,
                end_scale: int | None = None, batch_size: int | None = None, fused: bool | None = None,
                on_scale: Callable[[int, int], None] | None = None) -> Tensor:
    """Run scales start_scale..end_scale (inclusive; default: the last trained) on `num_samples` samples.

    - gen_start_scale: scales below it use their reconstruction noise (z* at scale 0,
      zeros above), so the coarse structure of the training image is kept.
    - scale_h / scale_v: output width / height relative to the training image.
    - start_image: the image fed to `start_scale` as the upsampled previous output,
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
                                      scale_h=scale_h, scale_v=scale_v, start_image=start_image,
                                      start_scale=start_scale, end_scale=end_scale, fused=fused, on_scale=on_scale)
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
                if start_image is None:
                    start_image = torch.zeros(1, model.config.nc_z, round(real_h * scale_v), round(real_w * scale_h),
                                       device=model.device)
                prev = F.pad(start_image, [pad] * 4).expand(num_samples, -1, -1, -1)
            else:
                prev = upsample(images, model.geometry.scale_factor, (round(scale_v * real_h), round(scale_h * real_w)))
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




@contextmanager
def seeded(device: torch.device, seed: int | None) -> Iterator[None]:
    """Torch draws from a generator seeded with `seed` inside, and the global RNG state is as it was
    after; None: the global RNG, untouched."""
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        yield
