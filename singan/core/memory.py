"""Memory estimates of training and inference, checked before a run starts instead of failing hours into it.

The peak of a training iteration is the gradient penalty's double backward through D at
the finest scale. Measured on CPU (torch 2.13) it is 52-75 activation maps of the
padded image at that scale's width (4 bytes each) above a ~300 MB baseline; the estimate
uses 64 maps plus 400 MB and so errs on the safe side. Inference (sampling, super-resolution,
animation) is estimated per forward pass and per resize (`pass_bytes`, `resize_bytes`); its
callers check it with `check_fits`, whose error names a size that fits.
"""

import math
from collections.abc import Callable
from pathlib import Path

import torch

from ..errors import SinGANError
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
    """Free memory of the GPU, or the RAM available on Linux (the smaller of the machine's and what this
    process's memory cgroup, a container's limit, still allows); None where it cannot be told."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    meminfo, free = Path("/proc/meminfo"), None
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                free = int(line.split()[1]) * 1024
    limited = cgroup_free()
    return limited if free is None else free if limited is None else min(free, limited)


CGROUP_V2 = ("memory.max", "memory.current", "memory.stat", "inactive_file")  # limit, usage, statistics, cache
CGROUP_V1 = ("memory.limit_in_bytes", "memory.usage_in_bytes", "memory.stat", "total_inactive_file")


def cgroup_free(root: Path = Path("/sys/fs/cgroup"), membership: Path = Path("/proc/self/cgroup")) -> int | None:
    """What this process's memory cgroup (a container's limit) still allows: its limit less its usage, less
    the page cache it can reclaim; None without a limit. The kernel kills a process beyond it whatever the
    machine has free. `membership` lines are 'id:controllers:path' (v2: '0::path'; v1: 'n:memory:path')."""
    try:
        lines = [line.split(":", 2) for line in membership.read_text().splitlines()]
    except OSError:
        lines = []
    places = [(root / path.strip("/"), CGROUP_V2) for _, kind, path in lines if kind == ""]
    places += [(root / "memory" / path.strip("/"), CGROUP_V1) for _, kind, path in lines
               if "memory" in kind.split(",")]
    for folder, files in [*places, (root, CGROUP_V2), (root / "memory", CGROUP_V1)]:
        free = _cgroup_free(folder, *files)
        if free != -1:
            return free
    return None


def _cgroup_free(folder: Path, limit_file: str, usage_file: str, stat_file: str, cache_key: str) -> int | None:
    """cgroup_free of one cgroup folder; -1 when it has no such files."""
    try:
        limit = (folder / limit_file).read_text().strip()
        if limit == "max" or int(limit) >= 2**60:  # v1 writes "no limit" as a huge number
            return None
        stat = dict(line.split() for line in (folder / stat_file).read_text().splitlines() if line.count(" ") == 1)
        return max(0, int(limit) - int((folder / usage_file).read_text()) + int(stat.get(cache_key, 0)))
    except (OSError, ValueError):
        return -1


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


# ---------------------------------------------------------------- inference (sampling, SR, animation)

INFERENCE_BASELINE_BYTES = 200 * 2**20
MAX_SIDE = 2**15  # longest output side accepted (pixels): far beyond any GPU's memory for these networks


def pass_bytes(width: int, height: int, breadth: int, batch: int, channels: int, pad: int) -> int:
    """Peak bytes of one eval forward pass of a generator of `width` channels on `batch` images of
    height x breadth: input and output of a conv plus a channels-last copy (3 maps of `width`), and the
    noise, previous image and sum (4 maps of `channels`), at the padded size, float32."""
    return 4 * batch * (height + 2 * pad) * (breadth + 2 * pad) * (3 * width + 4 * channels)


def resize_bytes(in_hw: tuple[int, int], out_hw: tuple[int, int], batch: int, channels: int) -> int:
    """Peak bytes of one imresize: its dense float64 weight matrices and two float64 copies of the images."""
    (h_in, w_in), (h_out, w_out) = in_hw, out_hw
    return 8 * (h_out * h_in + w_out * w_in) + 16 * batch * channels * max(h_in, h_out) * max(w_in, w_out)


def largest_fitting(need: Callable[[float], int], available: int, high: float, integer: bool = False) -> float:
    """The largest x in (0, high] with need(x) <= available (need grows with x), by bisection; 0 when none."""
    if need(high) <= available:
        return high
    low = 0
    for _ in range(64):
        if high - low <= (1 if integer else 1e-4 * high):
            break
        mid = (low + high) // 2 if integer else (low + high) / 2
        low, high = (mid, high) if need(mid) <= available else (low, mid)
    return low


def round_down(x: float, digits: int = 3) -> float:
    """`x` rounded down to `digits` significant digits (a size shown as fitting must still fit)."""
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - digits + 1)
    return math.floor(x / step) * step


def check_fits(what: str, need: int, device: torch.device, hint: Callable[[int], str],
               available: int | None = None) -> None:
    """Raise a one-line SinGANError when `need` bytes exceed the device's free memory; `hint(available)`
    names a size that fits."""
    available = available_bytes(device) if available is None else available
    if available is None or need <= available:
        return
    raise SinGANError(f"{what} needs about {need / 2**30:.1f} GiB but only {available / 2**30:.1f} GiB is free "
                      f"on {device}; {hint(available)}")


def sample_sizes(model: SinGAN, scale_h: float, scale_v: float) -> list[tuple[int, int]]:
    """(H, W) of the samples at every trained scale for the resize factors scale_h, scale_v."""
    return [(round(r.shape[-2] * scale_v), round(r.shape[-1] * scale_h)) for r in model.reals[:model.num_trained]]


def sampling_bytes(model: SinGAN, scale_h: float, scale_v: float, batch: int, num_samples: int) -> int:
    """Estimated peak bytes of drawing `num_samples` samples, `batch` per forward pass."""
    cfg, worst, prev = model.config, 0, None
    sizes = sample_sizes(model, scale_h, scale_v)
    for n, (h, w) in enumerate(sizes):
        step = pass_bytes(scale_widths(n, cfg.nfc, cfg.min_nfc)[0], h, w, batch, cfg.nc_im, cfg.pad)
        if prev is not None:
            step += resize_bytes(prev, (h, w), batch, cfg.nc_im)
        worst, prev = max(worst, step), (h, w)
    return worst + 4 * num_samples * cfg.nc_im * sizes[-1][0] * sizes[-1][1] + INFERENCE_BASELINE_BYTES
