"""Memory estimates, checked before a run starts instead of failing hours into it.

One model of inference, `pyramid_bytes`: the peak bytes of a pass of a generator pyramid, at any sizes
per step, any batch, tiled or not; sampling, animation, the upscaling chain and super-resolution ask it
for their figure. Training's peak is its own term (`training_bytes`): the gradient penalty's double
backward through D at the finest scale, measured on CPU (torch 2.13) at 52-75 activation maps of the
padded image at that scale's width (4 bytes each) above a ~300 MB baseline; the estimate uses 64 maps
plus 400 MB. One check, `check_fits`, compares a figure with the device's free memory and names in its
one-line error the largest setting that fits, found by one bisection. bench/memory_model.py measures
the estimates against the peak resident set (docs/performance.md).
"""

import math
from collections.abc import Callable
from pathlib import Path

import torch

from ..core.model import SinGAN
from ..core.networks import scale_widths
from ..errors import SinGANError

ACTIVATION_MAPS = 64
BASELINE_BYTES = 400 * 2**20
INFERENCE_BASELINE_BYTES = 256 * 2**20  # Python, torch and a model: measured 250-270 MB
MAX_SIDE = 2**15  # longest output side accepted (pixels): far beyond any GPU's memory for these networks
TILE_BYTES = 512 * 2**20  # the chain's generator pass above this runs tile by tile
DENSE_RESIZE_BYTES = 64 * 2**20  # the chain's resize above this runs by strips of rows
STRIP_ROWS = 64


def training_bytes(model: SinGAN) -> int:
    """Estimated peak bytes of training the largest scale of `model`."""
    cfg, p = model.config, 2 * model.config.pad
    worst = max(scale_widths(n, cfg.nfc, cfg.min_nfc)[0] * (real.shape[-2] + p) * (real.shape[-1] + p)
                for n, real in enumerate(model.reals))
    return 4 * ACTIVATION_MAPS * worst + BASELINE_BYTES


def _pass_per_pixel(model: SinGAN, n: int, maps: int = 3) -> int:
    """Bytes per padded pixel of an eval forward pass of G_n: `maps` maps of its width (fused, `Generator`'s
    inference kernels: a conv's input and output and a channels-last copy, 3; unfused, a BatchNorm's output
    besides, 4), and the noise, previous image, their sum and the output (4 maps of the image's channels)."""
    cfg = model.config
    return 4 * (maps * scale_widths(n, cfg.nfc, cfg.min_nfc)[0] + 4 * cfg.nc_im)


def tile_side(model: SinGAN, n: int) -> int:
    """The side of the square output tiles whose pass of G_n needs at most TILE_BYTES."""
    return max(16, math.isqrt(TILE_BYTES // _pass_per_pixel(model, n)) - 2 * model.config.pad)


def untiled(model: SinGAN, n: int, hw: tuple[int, int]) -> bool:
    """Whether the chain runs G_n on an image of `hw` whole (its pass fits in TILE_BYTES)."""
    p = 2 * model.config.pad
    return _pass_per_pixel(model, n) * (hw[0] + p) * (hw[1] + p) <= TILE_BYTES


def resize_bytes(in_hw: tuple[int, int], out_hw: tuple[int, int], batch: int, channels: int) -> int:
    """Peak bytes of one imresize: its dense float64 weight matrices and two float64 copies of the images."""
    (h_in, w_in), (h_out, w_out) = in_hw, out_hw
    return 8 * (h_out * h_in + w_out * w_in) + 16 * batch * channels * max(h_in, h_out) * max(w_in, w_out)


def pyramid_bytes(model: SinGAN, sizes: list[tuple[int, int]], *, batch: int = 1, images: int | None = None,
                  copies: int = 2, start: tuple[int, int] | None = None, chain: int | None = None,
                  kept: int = 0, fused: bool | None = None) -> int:
    """Estimated peak bytes of a pass of a generator pyramid. Step j resizes `images` images (default: `batch`)
    from the previous size (at step 0: `start`, or nothing) to sizes[j] and runs them through G_j `batch` at a
    time; chain=n (the upscaling chain): every step runs G_n, tile by tile where a pass exceeds TILE_BYTES
    (holding one copy less: no noisy one), resizing by strips of rows above DENSE_RESIZE_BYTES. fused: G runs
    its fused inference kernels (default: on the CPU, as sampling and the chain do). A step holds, per image,
    `copies` padded images (the resized previous one and its noisy copy) and the previous one, its resize
    (`resize_bytes`, or one strip) and one pass of G on a batch or a tile; the run's peak is its largest step,
    `kept` images of the last size (the outputs) and INFERENCE_BASELINE_BYTES. All float32."""
    c, p = model.config.nc_im, 2 * model.config.pad
    images, worst, prev = images or batch, 0, start
    maps = 3 if (model.device.type == "cpu" if fused is None else fused) else 4
    for j, (h, w) in enumerate(sizes):
        n, held, pixels = j if chain is None else chain, copies, batch * (h + p) * (w + p)
        if chain is not None and not untiled(model, n, (h, w)):
            pixels, held = (tile_side(model, n) + p) ** 2, copies - (not model.config.noise_padding)
        step = _pass_per_pixel(model, n, maps) * pixels + 4 * c * images * held * (h + p) * (w + p)
        if prev is not None:
            dense = resize_bytes(prev, (h, w), images, c)
            strips = chain is not None and dense > DENSE_RESIZE_BYTES
            step += 4 * c * images * prev[0] * prev[1] + (128 * c * STRIP_ROWS * max(w, prev[1]) if strips else dense)
        worst, prev = max(worst, step), (h, w)
    return worst + 4 * c * kept * prev[0] * prev[1] + INFERENCE_BASELINE_BYTES


def sample_sizes(model: SinGAN, scale_h: float, scale_v: float) -> list[tuple[int, int]]:
    """(H, W) of the samples at every trained scale for the resize factors scale_h, scale_v."""
    return [(round(r.shape[-2] * scale_v), round(r.shape[-1] * scale_h)) for r in model.reals[:model.num_trained]]


def available_bytes(device: torch.device) -> int | None:
    """Free memory of the GPU, or the RAM available on Linux (within `cgroup_free`); None where it cannot be told."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    meminfo = Path("/proc/meminfo")
    lines = meminfo.read_text().splitlines() if meminfo.is_file() else []
    free = next((int(line.split()[1]) * 1024 for line in lines if line.startswith("MemAvailable:")), None)
    return min((x for x in (free, cgroup_free()) if x is not None), default=None)


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
    for folder, (limit_file, usage_file, stat_file, cache_key) in [*places, (root, CGROUP_V2),
                                                                    (root / "memory", CGROUP_V1)]:
        try:
            limit = (folder / limit_file).read_text().strip()
            if limit == "max" or int(limit) >= 2**60:  # v1 writes "no limit" as a huge number
                return None
            stat = dict(line.split() for line in (folder / stat_file).read_text().splitlines() if line.count(" ") == 1)
            return max(0, int(limit) - int((folder / usage_file).read_text()) + int(stat.get(cache_key, 0)))
        except (OSError, ValueError):  # no such cgroup folder here: the next place
            continue
    return None


# ---------------------------------------------------------------- the check

Hint = tuple[Callable[[float], int], float, Callable[[float], str | None]]


def check_fits(what: str, device: torch.device, hints: list[Hint], otherwise: str,
               available: int | None = None) -> None:
    """Raise a one-line SinGANError when a run does not fit in the device's free memory, naming what fits.
    Each hint is (need, high, say): need(x) the bytes at setting x (growing with x), `high` the setting asked
    for (the first hint's need(high) is the run's figure), say(x) the words for the largest x in (0, high]
    that fits, or None when it does not help: then the next hint, and `otherwise` when none helps."""
    available = available_bytes(device) if available is None else available
    need = hints[0][0](hints[0][1])
    if available is None or need <= available:
        return
    for need_at, high, say in hints:
        # The largest x in (0, high] that fits, by bisection (0 when none). An integer setting rounds x down
        # inside need and say: the bisection then ends just below a whole number.
        low = high if need_at(high) <= available else 0.0
        for _ in range(64 if low < high else 0):
            mid = (low + high) / 2
            low, high = (mid, high) if need_at(mid) <= available else (low, mid)
        text = say(low)
        if text:
            break
    else:
        text = otherwise
    raise SinGANError(f"{what} needs about {need / 2**30:.1f} GiB but only {available / 2**30:.1f} GiB is free "
                      f"on {device}; {text}")


def round_down(x: float) -> float:
    """`x` rounded down to 3 significant digits (a size shown as fitting must still fit)."""
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - 2)  # the unit of the third digit
    return math.floor(x / step) * step


def check_memory(model: SinGAN, device: torch.device, available: int | None = None) -> None:
    """Raise a SinGANError naming a --max_size that fits when training would run out of memory: activations
    grow with the image's area, i.e. with max_size squared."""
    need, size = training_bytes(model), model.config.max_size
    h, w = model.reals[-1].shape[-2:]
    check_fits(f"training at {h}x{w}", device, [
        (lambda s: BASELINE_BYTES + (need - BASELINE_BYTES) * (int(s) / size) ** 2, size,
         lambda s: f"--max_size {int(s)} would fit" if s >= 1 else None)], "not even the smallest size fits", available)
