"""Memory estimate of training, checked before a run starts instead of failing hours into it.

The peak of a training iteration is the gradient penalty's double backward through D at
the finest scale. Measured on CPU (torch 2.13) it is 52-75 activation maps of the
padded image at that scale's width (4 bytes each) above a ~300 MB baseline; the estimate
uses 64 maps plus 400 MB and so errs on the safe side.
"""

import math
from pathlib import Path

import torch

from .errors import SinGANError
from .model import SinGAN
from .networks import scale_widths

ACTIVATION_MAPS = 64
BASELINE_BYTES = 400 * 2**20


def training_bytes(model: SinGAN) -> int:
    """Estimated peak bytes of training the largest scale of `model`."""
    cfg, p = model.config, 2 * model.config.pad
    worst = 0
    for n, real in enumerate(model.reals):
        h, w = real.shape[-2:]
        worst = max(worst, scale_widths(n, cfg.nfc, cfg.min_nfc)[0] * (h + p) * (w + p))
    return 4 * ACTIVATION_MAPS * worst + BASELINE_BYTES


def available_bytes(device: torch.device) -> int | None:
    """Free memory of the GPU, or the RAM available on Linux; None where it cannot be told."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return None


def check_memory(model: SinGAN, device: torch.device, available: int | None = None) -> None:
    """Raise a SinGANError naming a --max_size that fits when training would run out of memory."""
    available = available_bytes(device) if available is None else available
    need = training_bytes(model)
    if available is None or need <= available:
        return
    # Activations grow with the image area, i.e. with max_size squared.
    ratio = max(available - BASELINE_BYTES, 0) / (need - BASELINE_BYTES)
    fits = int(model.config.max_size * math.sqrt(ratio))
    h, w = model.reals[-1].shape[-2:]
    raise SinGANError(f"training at {h}x{w} needs about {need / 2**30:.1f} GiB but only {available / 2**30:.1f} GiB "
                      f"is free on {device}; --max_size {fits} would fit")
