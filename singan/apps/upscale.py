"""Upscaling what a model made to any larger size, by the paper's super-resolution chain.

An image at the finest training size (a sample, an application's result, an animation frame) reaches
(H, W) in steps of at most the model's 1/scale_factor, spaced geometrically per axis, the last exactly
(H, W): each a bicubic resize (the original's 8-bit round trip) and the finest generator with its noise
amplitude, which adds the finest scale's detail again. Super-resolution is this chain on the training
image (`sr_plan`: the original's steps of sr_factor ** (1 / iter_num) and its final crop).

Memory stays bounded at any size: above `DENSE_RESIZE_BYTES` the resize runs by strips of rows through
the cubic kernel's taps, and above `TILE_BYTES` the generator runs tile by tile, each tile with its
receptive field around it (5 valid 3x3 convolutions: 5 pixels), so tiles give the untiled result up to
float rounding. A tiled step holds one image-sized buffer: each tile reads its input from it (and its
window of the noise, drawn by strips of rows) and writes its result where no later tile reads.
`out_size` is the one boundary of an output size (parsed, the model's aspect kept, refused in one line
when absurd or too large, before any work); the upscalers (`to_size`, `upscale`) take what it checked.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image
from torch import Tensor
from tqdm import tqdm

from ..core.config import Rule
from ..core.imresize import from_pixel_values, imresize, imresize_to_shape, resize_plan, resize_taps, to_uint8
from ..core.model import SinGAN
from ..core.noise import scale_noise
from ..core.pyramid import sr_scale_chain
from ..errors import SinGANError
from ..io.images import EXIF_ORIENTATION, read_image
from ..runtime import memory
from ..runtime.memory import DENSE_RESIZE_BYTES, INFERENCE_BASELINE_BYTES, MAX_SIDE, STRIP_ROWS, resize_bytes
from . import detail


@dataclass(frozen=True)
class Plan:
    """The steps of an upscaling: the size after each step, the per-step resize factor (None: resize
    to the next size exactly) and the final crop."""

    sizes: tuple[tuple[int, int], ...]
    factor: float | None
    crop: tuple[int, int]


def step_factor(model: SinGAN) -> float:
    """The factor whose inverse bounds one upscaling step: the pyramid's, or the configured one for a
    pyramid whose scales all have one size (factor 1: it never upscales between scales)."""
    return model.geometry.scale_factor if model.geometry.scale_factor < 1 else model.config.scale_factor


def chain_plan(start: tuple[int, int], size: tuple[int, int], scale_factor: float) -> Plan:
    """Steps of at most 1/scale_factor from `start` to `size` (H, W), geometric per axis, ending on it."""
    (h, w), (H, W) = start, size
    ratio = max(H / h, W / w)
    k = max(1, math.ceil(math.log(ratio) / math.log(1 / scale_factor) - 1e-9)) if ratio > 1 else 0
    sizes = [(round(h * (H / h) ** (j / k)), round(w * (W / w) ** (j / k))) for j in range(1, k)]
    return Plan(tuple([*sizes, (H, W)][:k]), None, (H, W))


def sr_plan(start: tuple[int, int], sr_factor: float) -> Plan:
    """The original SR.py's chain: iter_num resizes by in_scale = sr_factor ** (1 / iter_num) (sizes
    rounded up), then a crop to int(sr_factor * H) x int(sr_factor * W)."""
    in_scale, iter_num = sr_scale_chain(sr_factor)
    factor, sizes = 1 / (1 / in_scale), []  # the original's 1 / scale_factor, computed as it computes it
    for _ in range(iter_num):
        sizes.append(resize_plan(sizes[-1] if sizes else start, factor, None)[1])
    return Plan(tuple(sizes), factor, (int(sr_factor * start[0]), int(sr_factor * start[1])))


# ---------------------------------------------------------------- sizes: the one boundary of an output size

def image_size(path: str | Path) -> tuple[int, int]:
    """(H, W) of an image file as it is meant to be seen (EXIF orientation applied), without decoding it."""
    if not Path(path).is_file():
        raise SinGANError(f"image {path} not found")
    with Image.open(path) as img:
        w, h = img.size
        return (w, h) if img.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8) else (h, w)


def valid_out_size(text: object) -> bool:
    """Whether `text` is an --out_size: train, full, HxW or a longest side in pixels (positive integers)."""
    if not isinstance(text, str):
        return False
    if text in ("train", "full"):
        return True
    parts = text.lower().split("x")  # 90X120 is 90x120; ASCII digits only ('²' passes str.isdigit)
    return len(parts) in (1, 2) and all(re.fullmatch("[0-9]+", p) and int(p) > 0 for p in parts)


OUT_SIZE_RULE = Rule(valid_out_size, "train, full, HxW (e.g. 1536x2048) or a longest side in pixels (e.g. 2000)")
OUT_SIZE_HELP = ("output size: train (the training size), full (the input file's size), HxW, or the "
                 "longest side in pixels; upscaled by the finest generator")
UPSCALERS = ("patches", "chain", "bicubic")
UPSCALER_HELP = ("how outputs reach --out_size: patches (the photo's own detail, by nearest patches; colours "
                 "kept), chain (the paper's SR chain: the finest generator again at each step) or bicubic")


@dataclass(frozen=True)
class Target:
    """An output size `out_size` has checked: (H, W), the upscaler that reaches it and the photo whose detail
    it transfers (read for patches only). A work function given a Target does not check it again."""

    size: tuple[int, int]
    upscaler: str = "patches"
    photo: Tensor | None = None


OutSize = tuple[int, int] | int | str | Target | None  # what `out_size` takes (a Target as it is)


def keep_model_aspect(what: str, size: tuple[int, int], start: tuple[int, int],
                      path: str | Path = "the input file") -> tuple[int, int]:
    """`size` (read from the input file's size) with the aspect ratio of the model's images `start` (h, w),
    announced in one line (`what` names the setting) when the file's differs (it changed since training):
    the same longest side, the model's aspect."""
    (H, W), (h, w) = size, start
    if abs(H / W - h / w) <= (1 / h + 1 / w) * h / w:  # the same aspect, up to a pixel of the training size a side
        return size
    m = max(H, W) / max(h, w)
    kept = (round(h * m), round(w * m))
    print(f"{what}: {path} is {H}x{W}, not the aspect ratio of the model's {h}x{w} images (the file "
          f"changed since training?): {kept[0]}x{kept[1]} instead, the model's aspect at the same longest side")
    return kept


def out_size(model: SinGAN, spec: OutSize, start: tuple[int, int], *, photo: str | Path | Tensor | None = None,
             upscaler: str = "patches", num_images: int = 1, scale: tuple[float, float] = (1.0, 1.0),
             detail: bool = True, save: bool = False, extra: Callable[[tuple[int, int]], int] | None = None,
             what: str = "", flag: str = "out_size") -> Target | None:
    """The one check of an output size, before any work; None for the size `start` the model makes.

    spec: None or train; (H, W); HxW; full, the size of `photo` (a file or a tensor) times scale (v, h); a
    longest side N (int or text), of that size or, without a photo, of `start`. full and N from a photo keep
    the model's aspect (`keep_model_aspect`). The size and the memory of upscaling `num_images` images from
    `start` by `upscaler` are checked by `check_upscale` (save, extra and what as there). The Target holds the
    photo read for patches (unless not `detail`: the caller has its own, such as an edit's full-size
    reference). A Target is returned as it is: it was checked when it was made."""
    if spec is None or isinstance(spec, Target):
        return spec
    if upscaler not in UPSCALERS:
        raise SinGANError(f"upscaler {upscaler!r}: must be one of {', '.join(UPSCALERS)}")
    is_path = isinstance(photo, (str, Path))
    path = photo if is_path else "the photo"
    full_hw = None if photo is None or (is_path and not Path(photo).is_file()) else \
        image_size(photo) if is_path else tuple(photo.shape[-2:])
    if isinstance(spec, int) and not isinstance(spec, bool):
        spec = str(spec) if spec > 0 else (spec, spec)  # a side <= 0: refused by check_upscale, in its words
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        size = tuple(spec)
    elif not isinstance(spec, str):
        raise SinGANError(f"out_size must be (H, W), a longest side in pixels or None (got {spec!r})")
    elif spec == "train":
        return None
    elif not valid_out_size(spec):
        raise SinGANError(f"{flag} {spec}: must be train, full, HxW or a longest side in pixels")
    elif "x" in spec.lower():
        size = tuple(int(v) for v in spec.lower().split("x"))
    elif spec == "full" and full_hw is None:
        raise SinGANError(f"{flag} full needs the input image: {path} not found")
    else:
        base = start if full_hw is None else (round(full_hw[0] * scale[0]), round(full_hw[1] * scale[1]))
        side = max(base) if spec == "full" else int(spec)
        size = round(base[0] * side / max(base)), round(base[1] * side / max(base))
        size = size if full_hw is None else keep_model_aspect(f"{flag} {spec}", size, start, path)
    if size == tuple(start):
        return Target(size, upscaler)
    patches = upscaler == "patches" and detail and full_hw is not None
    check_upscale(model, start, size, num_images, flag, save, extra, what, upscaler, full_hw if patches else None)
    if patches and is_path:
        photo = read_image(photo, model.config.nc_im, warn_alpha=False)
    return Target(size, upscaler, photo if patches else None)


# ---------------------------------------------------------------- memory

def finest_scale(model: SinGAN) -> int:
    """The scale an upscaling runs: the finest trained one, or the finest a model not trained yet will have
    (a plan, `singan.api.planned_model`: its size is checked before training)."""
    return (model.num_trained or len(model.reals)) - 1


def finest_size(model: SinGAN) -> tuple[int, int]:
    """(H, W) of what the model makes at its finest (trained, or planned) scale: where an upscaling starts."""
    return tuple(model.reals[finest_scale(model)].shape[-2:])


def check_upscale(model: SinGAN, start: tuple[int, int], size: tuple[int, int], num_images: int = 1,
                  flag: str = "--out_size", save: bool = False, extra: Callable[[tuple[int, int]], int] | None = None,
                  what: str = "", upscaler: str = "chain", photo_hw: tuple[int, int] | None = None) -> None:
    """One-line SinGANError, before any work, for a size that is smaller than `start`, absurd, or does
    not fit in the device's memory (naming one that fits) with `upscaler` (patches: with a photo of
    `photo_hw`). save: the caller writes the image as a PNG; extra(size): the bytes it holds beside the
    upscaling at that output size (every frame of an animation, a full-size reference and its mask),
    which `what` names in the message."""
    h, w = size
    if not all(isinstance(v, int) and v > 0 for v in size):
        raise SinGANError(f"{flag} {h}x{w}: must be positive whole numbers of pixels")
    if max(size) > MAX_SIDE:
        raise SinGANError(f"{flag} {h}x{w}: the longest side may be {MAX_SIDE} pixels")
    if h < start[0] or w < start[1]:
        raise SinGANError(f"{flag} {h}x{w}: must be at least the training size {start[0]}x{start[1]} on both sides")
    n, c = finest_scale(model), model.config.nc_im

    def need(m: float) -> int:
        hw = (max(start[0], int(h * m)), max(start[1], int(w * m)))
        if upscaler == "chain":
            own = memory.pyramid_bytes(model, chain_plan(start, hw, step_factor(model)).sizes, start=start, chain=n,
                                       kept=num_images)
        else:  # the photo (as large as the output when not given), the images kept twice (and concatenated),
            photo = photo_hw or hw  # the patches' own peak
            own = (detail.peak_bytes(start, hw, finest_size(model), photo, c, 1 / step_factor(model))
                   + 4 * c * (photo[0] * photo[1] + 2 * num_images * hw[0] * hw[1]) + INFERENCE_BASELINE_BYTES)
        # save_image's peak: a float copy, matplotlib's float64 RGBA and the 8-bit pixels
        png = (16 * c + 48) * hw[0] * hw[1] if save else 0
        return own + (extra(hw) if extra else 0) + png

    def say(m: float) -> str | None:
        fit = (int(h * m), int(w * m))
        return f"{flag} {fit[0]}x{fit[1]} would fit" if fit[0] >= start[0] and fit[1] >= start[1] else None

    memory.check_fits(f"upscaling {num_images} image{'s' * (num_images > 1)} to {h}x{w}{what}", model.device,
                      [(need, 1.0, say)], "not even the training size fits")


# ---------------------------------------------------------------- the chain

def _strip_resize(x: Tensor, scales: tuple[float, float], shape: tuple[int, int], out: Tensor) -> None:
    """imresize of one image (1, C, h, w) into `out` (C, H, W) by strips of output rows through the
    kernel's taps (height first): the same weights, summed tap by tap (float rounding apart)."""
    u, (h, w), (H, W) = to_uint8(x)[0], x.shape[-2:], shape
    src_h, wt_h = (torch.from_numpy(a) for a in resize_taps(h, H, scales[0], False)) if H != h else (None, None)
    src_w, wt_w = (torch.from_numpy(a).to(x.device) for a in resize_taps(w, W, scales[1], False)) \
        if W != w else (None, None)
    for r0 in range(0, H, STRIP_ROWS):
        r1 = min(H, r0 + STRIP_ROWS)
        if src_h is None:
            t = u[:, r0:r1].double()
        else:
            sh, wh = src_h[r0:r1], wt_h[r0:r1].to(x.device)
            lo = int(sh.min())
            band, t = u[:, lo:int(sh.max()) + 1].double(), 0
            for k in range(sh.shape[1]):
                t = t + wh[:, k, None] * band[:, (sh[:, k] - lo).to(x.device)]
        if src_w is not None:
            t = sum(wt_w[:, k] * t[:, :, src_w[:, k]] for k in range(src_w.shape[1]))
        out[:, r0:r1] = from_pixel_values(t)


def _run_tiles(model: SinGAN, x_in: Tensor, prev: Tensor, size: tuple[int, int], tile: int, bar,
               noise_channels: int = 0) -> Tensor:
    """The finest generator over padded x_in (its input) and prev, tile by tile in raster order, each result written
    into x_in's top-left corner (where no later tile reads); returns that (1, C, H, W) view. With `noise_channels`,
    x_in is prev itself and each tile adds its window of noise (drawn by strips of STRIP_ROWS rows, in row order)."""
    netG, pad, (H, W) = model.scales[-1].netG, model.config.pad, size
    amp, fused = model.scales[-1].noise_amp, model.device.type == "cpu"
    strips: dict[int, Tensor] = {}  # first row -> (1, channels, rows, W), drawn in row order, dropped once passed
    next_row = 0  # the first row of noise not drawn yet
    for y0 in range(0, H, tile):
        y1 = min(H, y0 + tile)
        top, bottom = max(0, y0 - pad), min(H, y1 + pad)  # the rows of noise the band's windows hold
        if noise_channels:
            for r0 in range(next_row, bottom, STRIP_ROWS):
                strips[r0] = torch.randn(1, noise_channels, min(STRIP_ROWS, H - r0), W, device=prev.device)
                next_row = r0 + STRIP_ROWS
            strips = {r: s for r, s in strips.items() if r + STRIP_ROWS > top}  # those the band still reaches
            first = min(strips)
            band = torch.cat(list(strips.values()), dim=2)[:, :, top - first:bottom - first]
        for x0 in range(0, W, tile):
            x1 = min(W, x0 + tile)
            window = (slice(None), slice(None), slice(y0, y1 + 2 * pad), slice(x0, x1 + 2 * pad))
            tile_in = x_in[window]
            if noise_channels:
                left, right = max(0, x0 - pad), min(W, x1 + pad)
                rows, cols = slice(top + pad - y0, bottom + pad - y0), slice(left + pad - x0, right + pad - x0)
                tile_in = tile_in.clone()
                tile_in[:, :, rows, cols] += amp * band[..., left:right]
            x_in[:, :, y0:y1, x0:x1] = netG(tile_in, prev[window], fused=fused)
            bar.update((y1 - y0) * (x1 - x0))
    return x_in[:, :, :H, :W]


def step_noise(model: SinGAN, j: int, h: int, w: int) -> Tensor:
    """The padded noise of the chain's step j at (h, w): grey at the first step, as the original's SR chain draws it."""
    return scale_noise(model, 0 if j == 0 else 1, h, w)


def _upscale_one(model: SinGAN, x: Tensor, plan: Plan, noise: list[Tensor] | None, tile: int | None, bar) -> Tensor:
    """One image (1, C, h, w) through the plan's steps; the noise of a step given, or drawn (`step_noise`)."""
    pad, n = model.config.pad, finest_scale(model)
    for j, (h, w) in enumerate(plan.sizes):
        prev = torch.zeros(1, x.shape[1], h + 2 * pad, w + 2 * pad, device=x.device)
        scales, shape, _, _ = resize_plan(tuple(x.shape[-2:]), plan.factor, None if plan.factor else (h, w))
        if resize_bytes(tuple(x.shape[-2:]), shape, 1, x.shape[1]) <= DENSE_RESIZE_BYTES:
            prev[:, :, pad:pad + h, pad:pad + w] = imresize(x, plan.factor) if plan.factor else \
                imresize_to_shape(x, shape)
        else:
            _strip_resize(x, scales, shape, prev[0, :, pad:pad + h, pad:pad + w])
        del x
        whole = memory.untiled(model, n, (h, w))
        side = tile or (max(h, w) if whole else memory.tile_side(model, n))
        if noise is None and not whole and not model.config.noise_padding:
            x = _run_tiles(model, prev, prev, (h, w), side, bar, 1 if j == 0 else model.config.nc_z)
        else:
            z = step_noise(model, j, h, w) if noise is None else noise[j]
            x = _run_tiles(model, (model.scales[-1].noise_amp * z).add_(prev), prev, (h, w), side, bar)
        del prev
    return x[:, :, :plan.crop[0], :plan.crop[1]]  # a view: no copy of the largest image


def upscale(model: SinGAN, images: Tensor, size: tuple[int, int], *, plan: Plan | None = None,
            noise: list[Tensor] | None = None, tile: int | None = None, progress: bool = True) -> Tensor:
    """`images` (N, C, h, w), made by `model` at its finest size, upscaled to `size` (H, W), which `out_size`
    (or `sr.check_super_resolution`) has checked, by the chain of `plan` (default `chain_plan`).

    Noise from the global RNG (seed it for the same pixels), or `noise`, every step's (`step_noise`), shared
    by every image (animation frames). tile: the generator's tile side (default: untiled when a pass fits)."""
    start = tuple(images.shape[-2:])
    if tuple(size) == start and plan is None:
        return images
    plan = plan or chain_plan(start, tuple(size), step_factor(model))
    bar = tqdm(total=images.shape[0] * sum(h * w for h, w in plan.sizes), delay=3, disable=not progress, unit="px",
               unit_scale=True, dynamic_ncols=True, desc=f"upscaling to {plan.crop[0]}x{plan.crop[1]}",
               bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed} elapsed, {remaining} left")
    with torch.no_grad(), bar:  # the bar closed however it ends
        outs = [_upscale_one(model, images[i:i + 1], plan, noise, tile, bar) for i in range(images.shape[0])]
        return outs[0] if len(outs) == 1 else torch.cat(outs)


def to_size(model: SinGAN, images: Tensor, size: tuple[int, int], *, upscaler: str = "patches",
            photo: Tensor | None = None, keys: Tensor | None = None, progress: bool = True, **chain) -> Tensor:
    """`images` (N, C, h, w), made by `model` at its finest size (or scale_h / scale_v times it), brought to
    `size` (H, W), which `out_size` has checked, by `upscaler`: patches (`singan.apps.detail`, with the detail of
    `photo`, the input file or an edit's full-size reference, `keys` being it at the training size, by default the
    training image), chain (`upscale`, given `chain`'s plan / noise / tile) or bicubic."""
    if upscaler == "chain":
        return upscale(model, images, size, progress=progress, **chain)
    if upscaler not in UPSCALERS:
        raise SinGANError(f"upscaler {upscaler!r}: must be one of {', '.join(UPSCALERS)}")
    if tuple(size) == tuple(images.shape[-2:]):
        return images
    keys = (model.reals[finest_scale(model)] if keys is None else keys).cpu()
    photo = None if photo is None else photo.cpu()
    with torch.no_grad():
        outs = [detail.bicubic(x, tuple(size)) if upscaler == "bicubic"
                else detail.upscale_one(x, tuple(size), keys, photo, 1 / step_factor(model))
                for x in images.cpu().split(1)]
    return torch.cat(outs).to(images.device)
