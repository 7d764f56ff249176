"""The input noise of the generators: Gaussian maps, grey at the coarsest scale, padded as the images.

Shared by sampling (`singan.core.sampling`), training and upscaling (`singan.apps.upscale`).
"""

import torch
import torch.nn.functional as F
from torch import Tensor

from .model import SinGAN


def generate_noise(channels: int, height: float, width: float, num_samples: int = 1,
                   device: torch.device | str = "cpu") -> Tensor:
    """Gaussian noise (N, C, round(H), round(W)); Python rounding, as the original."""
    return torch.randn(num_samples, channels, round(height), round(width), device=device)


def scale_noise(model: SinGAN, scale: int, height: float, width: float, num_samples: int = 1) -> Tensor:
    """Padded input noise for `scale`: grey (one channel repeated) at the coarsest scale.

    With noise padding (animation models) the noise is drawn at the padded size
    instead of being zero-padded.
    """
    cfg = model.config
    channels = 1 if scale == 0 else cfg.nc_z
    if cfg.noise_padding:
        z = generate_noise(channels, round(height) + 2 * cfg.pad, round(width) + 2 * cfg.pad, num_samples, model.device)
    else:
        z = F.pad(generate_noise(channels, height, width, num_samples, model.device), [cfg.pad] * 4)
    return z.expand(-1, cfg.nc_z, -1, -1)
