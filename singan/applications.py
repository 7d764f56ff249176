"""The applications of the paper on a trained SinGAN: harmonization, editing, paint-to-image, SR, animation.

Harmonization, editing and paint-to-image all *inject* an image at a scale n
of the pyramid and let the trained generators n..N add the detail of the
training image (`inject`); harmonization and editing then paste the result
into the training image through a soft, dilated mask (`masked_injection`).
Paint-to-image can first quantise the colours and retrain scale n on
quantised inputs (`paint_model`). Super-resolution repeats the finest
generator on successively upsampled images (`super_resolve`) and animation
runs a damped random walk of the noise around the reconstruction noise
(`animate`), all frames of a scale in one forward pass.

Deliberate differences from the 2019 code (documented in the scripts' --help):
- a reference whose height *or* width differs from the training image's is
  resized to it (the original checked the width only);
- the dilated mask PNG is written to the output folder, not into the input folder;
- colour quantisation clusters RGB pixels (3-vectors per pixel).
"""

import dataclasses
import math
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import binary_dilation
from skimage.filters import gaussian
from skimage.morphology import disk
from sklearn.cluster import KMeans
from torch import Tensor

from . import checkpoint, upscale
from .errors import SinGANError, check_int, check_real
from .images import check_regular_file, read_image, save_image
from .imresize import denorm, imresize, imresize_to_shape, norm, to_uint8
from .memory import (
    INFERENCE_BASELINE_BYTES,
    MAX_SIDE,
    check_fits,
    largest_fitting,
    pass_bytes,
    resize_bytes,
    round_down,
)
from .model import SinGAN
from .networks import build_networks, scale_widths
from .noise import generate_noise
from .outputs import atomic_path
from .pyramid import plan, resize_to_finest, sr_scale_chain
from .sampling import run_pyramid, upsample
from .training import train_scale

HARMONIZATION_RADIUS = 7  # mask dilation (disk radius, pixels) for harmonization
EDITING_RADIUS = 20  # ... and for editing
MASK_SIGMA = 5  # gaussian blur of the dilated mask
PAINT_CLUSTERS = 5  # colours of the quantised paint
ANIMATION_BETAS = (0.80, 0.85, 0.90, 0.95)
ANIMATION_START_SCALES = (0, 1, 2)


# ---------------------------------------------------------------- loading

def load_trained(model_file: str | Path, input_name: str, device: torch.device | str = "cpu") -> SinGAN:
    """The normally trained model of `input_name`; a one-line error telling how to train it if missing."""
    if not Path(model_file).is_file():
        raise SinGANError(f"no trained model at {model_file}: train first with main_train.py --input_name {input_name}")
    return checkpoint.load(model_file, device)


def training_image(path: str | Path, model: SinGAN) -> Tensor:
    """The training image resized as in training (scale1), before the pyramid's extra uint8 round trip."""
    check_regular_file(path, "training image", f"training image {path} not found (check --input_dir and --input_name)")
    return resize_to_finest(read_image(path, model.config.nc_im).to(model.device), model.geometry)


def load_reference(ref_dir: str | Path, ref_name: str, size: tuple[int, int], *, with_mask: bool = False,
                   nc_im: int = 3, device: torch.device | str = "cpu") -> tuple[Tensor, Tensor | None]:
    """Reference image `<ref_dir>/<ref_name>` (first nc_im channels) and, if asked, its mask
    `<ref stem>_mask<ext>`, both resized to `size` (H, W) when the reference's size differs."""
    ref_path = Path(ref_dir) / ref_name
    check_regular_file(ref_path, "reference image",
                       f"reference image {ref_path} not found (check --ref_dir and --ref_name)")
    ref, mask = read_image(ref_path, nc_im).to(device), None
    if with_mask:
        mask_path = ref_path.with_name(f"{ref_path.stem}_mask{ref_path.suffix}")
        check_regular_file(mask_path, "mask", f"mask {mask_path} not found: {ref_name} needs a mask image beside it")
        mask = read_image(mask_path, nc_im, warn_alpha=False).to(device)  # a mask's transparency means nothing
        if mask.shape[-2:] != ref.shape[-2:]:
            raise SinGANError(f"mask {mask_path} is {mask.shape[2]}x{mask.shape[3]} but the reference is "
                              f"{ref.shape[2]}x{ref.shape[3]}; they must have the same size")
    if tuple(ref.shape[-2:]) != tuple(size):
        h, w = size
        ref = imresize_to_shape(ref, (h, w))[:, :, :h, :w]
        mask = None if mask is None else imresize_to_shape(mask, (h, w))[:, :, :h, :w]
    return ref, mask


# ---------------------------------------------------------------- injection

def check_injection_scale(model: SinGAN, n: int) -> None:
    """Injection needs a coarser scale to come from and a trained one to continue: 1 <= n <= N-1."""
    top = model.num_trained - 1
    if not 1 <= n <= top:
        raise SinGANError(f"injection scale should be between 1 and {top} (got {n})")


def injection_input(model: SinGAN, ref: Tensor, n: int) -> Tensor:
    """`ref` (at the finest size) brought to scale n as a coarser scale's output would be:
    downsampled to scale n-1, then upsampled by 1/scale_factor and cropped to scale n."""
    check_injection_scale(model, n)
    sf, top = model.scale_factor, len(model.reals) - 1
    h, w = model.reals[n - 1].shape[-2:]
    coarse = imresize(ref, sf ** (top - n + 1))[:, :, :h, :w]
    return upsample(coarse, sf, tuple(model.reals[n].shape[-2:]))


def inject(model: SinGAN, ref: Tensor, n: int, *, in_s: Tensor | None = None,
           out_size: tuple[int, int] | None = None) -> Tensor:
    """Inject `ref` at scale n and run the pyramid upward (random noise at every scale >= n).

    in_s: an input already at scale n's size, used instead of `injection_input(model, ref, n)`.
    out_size: (H, W) to upscale the result to (`upscale.upscale`), checked before any work.
    Returns (1, C, H, W) at the finest size (or out_size).
    """
    check_injection_scale(model, n)
    start = tuple(model.reals[model.num_trained - 1].shape[-2:])
    if out_size is not None:
        upscale.check_upscale(model, start, tuple(out_size))
    if in_s is None:
        in_s = injection_input(model, ref, n)
    out = run_pyramid(model, 1, in_s=in_s, start_scale=n)
    return out if out_size is None else upscale.upscale(model, out, tuple(out_size))


def dilate_mask(mask: Tensor, radius: int, save_to: str | Path | None = None, sigma: float = MASK_SIGMA) -> Tensor:
    """Soft paste mask in [0, 1] from a mask image (any non-zero pixel of channel 0 is foreground):
    binary dilation with a disk of `radius`, gaussian blur (`sigma`, 5 by default), min-max normalised.
    save_to: where to write the blurred mask PNG (before normalisation, as the original).
    Radii above the editing radius (masks at full resolution) dilate through the distance transform
    (the same pixels as the disk, in time independent of the radius)."""
    binary = to_uint8(mask)[0, 0].cpu().numpy() > 0
    if not binary.any():
        raise SinGANError("the mask is empty (all black): paint the region to change in white")
    if radius <= EDITING_RADIUS:
        dilated = binary_dilation(binary, structure=disk(radius))
    else:
        from scipy.ndimage import distance_transform_edt

        dilated = distance_transform_edt(~binary, return_distances=True) ** 2 <= radius**2 + 1e-6
    soft = gaussian(dilated.astype(np.float64), sigma=sigma)
    soft = norm(torch.from_numpy(soft).float()[None, None]).to(mask.device).expand(1, mask.shape[1], -1, -1)
    if save_to is not None:
        save_image(save_to, soft)
    lo, hi = soft.min(), soft.max()
    return torch.ones_like(soft) if hi == lo else (soft - lo) / (hi - lo)


def blend(real: Tensor, generated: Tensor, mask: Tensor) -> Tensor:
    """(1 - mask) * real + mask * generated."""
    return (1 - mask) * real + mask * generated


def masked_injection(model: SinGAN, real: Tensor, ref: Tensor, mask: Tensor, n: int, radius: int,
                     mask_png: str | Path | None = None, *,
                     full: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
    """Harmonization (radius 7) / editing (radius 20): inject `ref` at scale n and paste the result
    into the training image `real` through the dilated mask. Returns (generated, blended).

    full: (reference, mask) at a larger size (the input file's): the generated image is upscaled to it
    (`upscale.upscale`) and pasted into that reference through its mask dilated and blurred with the
    radius and sigma scaled by the size ratio, so outside the dilated mask the result is the full-size
    reference, pixel for pixel."""
    check_injection_scale(model, n)
    if full is not None:
        upscale.check_upscale(model, tuple(real.shape[-2:]), tuple(full[0].shape[-2:]))
    out = inject(model, ref, n)
    if full is None:
        return out, blend(real, out, dilate_mask(mask, radius, mask_png))
    ref_full, mask_full = full
    ratio = max(ref_full.shape[-2] / real.shape[-2], ref_full.shape[-1] / real.shape[-1])
    out = upscale.upscale(model, out, tuple(ref_full.shape[-2:]))
    soft = dilate_mask(mask_full, round(radius * ratio), mask_png, sigma=MASK_SIGMA * ratio)
    return out, blend(ref_full, out, soft)


# ---------------------------------------------------------------- paint to image

def _pixels(x: Tensor) -> np.ndarray:
    return x.detach().permute(0, 2, 3, 1).reshape(-1, x.shape[1]).cpu().numpy()


def _from_pixels(values: np.ndarray, like: Tensor) -> Tensor:
    n, c, h, w = like.shape
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32)).to(like.device).reshape(
        n, h, w, c).permute(0, 3, 1, 2).contiguous()


def quantize(x: Tensor, n_clusters: int = PAINT_CLUSTERS) -> tuple[Tensor, np.ndarray]:
    """Colour-quantise `x`: k-means (k-means++, 10 inits, random_state 0) on its pixels.
    Returns the image with every pixel replaced by its centre, and the centres (k, C)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fewer distinct colours than clusters
        km = KMeans(n_clusters=n_clusters, random_state=0, n_init=10).fit(_pixels(x))
    return _from_pixels(km.cluster_centers_[km.labels_], x), km.cluster_centers_


def quant2centers(x: Tensor, centers: np.ndarray) -> Tensor:
    """Map every pixel of `x` to one of the given `centers` (k-means started at them, one run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km = KMeans(n_clusters=len(centers), init=centers.astype(np.float32), n_init=1).fit(_pixels(x))
    return _from_pixels(centers[km.labels_], x)


def quantized_paint_input(model: SinGAN, real: Tensor, ref: Tensor, n: int) -> tuple[Tensor, np.ndarray, Tensor]:
    """Colour palette of the training image at scale n and the paint mapped to it at scale n.
    Returns (in_s, centers, quantised real at scale n)."""
    check_injection_scale(model, n)
    sf, top = model.scale_factor, len(model.reals) - 1
    h, w = model.reals[n].shape[-2:]
    real_quant, centers = quantize(imresize(real, sf ** (top - n))[:, :, :h, :w])
    in_s = imresize(quant2centers(ref, centers), sf ** (top - n))[:, :, :h, :w]
    return in_s, centers, real_quant


def paint_model(model: SinGAN, n: int, centers: np.ndarray, model_file: str | Path,
                progress: bool = True) -> SinGAN:
    """`model` with scale n retrained from fresh networks on colour-quantised inputs (every image
    G_n receives is mapped to `centers`); the other scales are kept. Loaded from `model_file` if it
    exists, else trained and saved there."""
    model_file = Path(model_file)
    if model_file.is_file():
        return checkpoint.load(model_file, model.device)
    check_injection_scale(model, n)
    cfg = dataclasses.replace(model.config, mode="paint_train")
    coarse = SinGAN(config=cfg, geometry=model.geometry, reals=model.reals, scales=model.scales[:n], name=model.name)
    netG, netD = build_networks(cfg, n, model.device)
    retrained = train_scale(coarse, n, netG, netD, quantize=lambda x: quant2centers(x, centers),
                            outf=model_file.parent / str(n), progress=progress)
    painted = dataclasses.replace(coarse, scales=[*model.scales[:n], retrained, *model.scales[n + 1:]])
    checkpoint.save(painted, model_file)
    return painted


# ---------------------------------------------------------------- super-resolution

def sr_chain(sr_factor: float) -> tuple[float, int]:
    """(in_scale, iter_num): the upsampling factor per step and the number of steps for `sr_factor`."""
    if not isinstance(sr_factor, (int, float)) or not math.isfinite(sr_factor) or sr_factor > MAX_SIDE:
        raise SinGANError(f"--sr_factor must be a finite number larger than 2 ** (1/6) = 1.1225 (got {sr_factor!r})")
    if not sr_factor > 1 or round(3 * math.log2(sr_factor)) < 1:  # at least one step of about 2 ** (1/3)
        raise SinGANError(f"--sr_factor must be larger than 2 ** (1/6) = 1.1225 (got {sr_factor})")
    return sr_scale_chain(sr_factor)


def sr_geometry_fn(config, name: str = "the image") -> Callable:
    """geometry_fn(h, w) for `train_image`: the SR pyramid (adjust_scales2image_SR, quirks included),
    refused as every pyramid is when it breaks the rule (`pyramid.geometry_problem`)."""
    return lambda h, w: plan(h, w, config, sr=True, name=name)


def sr_sizes(model: SinGAN, sr_factor: float) -> list[tuple[int, int]]:
    """(H, W) of the finest level and of every upsampling step of super-resolution by `sr_factor`."""
    in_scale, iter_num = sr_chain(sr_factor)
    sizes = [tuple(model.reals[-1].shape[-2:])]
    for _ in range(iter_num):
        sizes.append(tuple(math.ceil(side * in_scale) for side in sizes[-1]))
    return sizes


def sr_bytes(model: SinGAN, sr_factor: float) -> int:
    """Estimated peak bytes of `super_resolve(model, sr_factor)`: the largest step (resize and generator
    pass) while every upsampled image of the chain is kept."""
    cfg, sizes = model.config, sr_sizes(model, sr_factor)
    width = scale_widths(model.num_trained - 1, cfg.nfc, cfg.min_nfc)[0]
    worst = max(pass_bytes(width, *sizes[j + 1], 1, cfg.nc_im, cfg.pad)
                + resize_bytes(sizes[j], sizes[j + 1], 1, cfg.nc_im) for j in range(len(sizes) - 1))
    return worst + 8 * cfg.nc_im * sum(h * w for h, w in sizes) + INFERENCE_BASELINE_BYTES


def check_sr_memory(model: SinGAN, sr_factor: float) -> None:
    """A one-line error naming an sr_factor that fits when super-resolution would run out of memory."""
    smallest = 2 ** (1 / 6) + 1e-9

    def hint(available: int) -> str:
        fits = largest_fitting(lambda f: 0 if f < smallest else sr_bytes(model, f), available, sr_factor)
        return f"--sr_factor {round_down(fits):g} would fit" if fits >= smallest else "this model is too large for it"

    h, w = model.reals[-1].shape[-2:]
    check_fits(f"super-resolution to {int(sr_factor * h)}x{int(sr_factor * w)}", sr_bytes(model, sr_factor),
               model.device, hint)


def super_resolve(model: SinGAN, sr_factor: float, size: tuple[int, int] | None = None, *,
                  progress: bool = True) -> Tensor:
    """Upsample the finest training level by `sr_factor` with the finest generator (`upscale.upscale`).

    By default (and whenever `size` is what it makes) the original's chain: iter_num times imresize by
    in_scale and the finest generator (its noise amplitude; grey noise at the first step), then a crop to
    int(sr_factor * H) x int(sr_factor * W). Another `size` (H, W) (sr_factor times an input file larger
    than the training image) is reached by the exact chain of `upscale.chain_plan`. The output size and
    the memory the run needs are checked first (one-line SinGANError naming a size that fits)."""
    sr_chain(sr_factor)
    h, w = model.reals[-1].shape[-2:]
    plan = upscale.sr_plan((h, w), sr_factor)
    if size is not None and tuple(size) != plan.crop:
        return upscale.upscale(model, model.reals[-1], tuple(size), flag="the SR output", progress=progress)
    if max(h, w) * sr_factor > MAX_SIDE:
        raise SinGANError(f"--sr_factor {sr_factor:g} makes a {int(sr_factor * h)}x{int(sr_factor * w)} image; the "
                          f"longest side may be {MAX_SIDE} (--sr_factor {MAX_SIDE / max(h, w):.3g} at most)")
    check_sr_memory(model, sr_factor)
    return upscale.upscale(model, model.reals[-1], plan.crop, plan=plan, progress=progress)


# ---------------------------------------------------------------- animation

def _noise_walk(z_rec: Tensor, channels: int, alpha: float, beta: float, num_frames: int) -> Tensor:
    """Damped random walk around z_rec: per frame diff = beta * (z1 - z2) + (1 - beta) * noise,
    z = alpha * z_rec + (1 - alpha) * (z1 + diff). Returns (num_frames, C, H, W)."""
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


def animation_bytes(model: SinGAN, num_frames: int, batch: int) -> int:
    """Estimated peak bytes of `animate`: per scale the noise walk, the frames and their upsampled copies
    (all frames at once), one generator pass of `batch` frames; then the uint8 frames."""
    cfg, worst, prev = model.config, 0, None
    for n, real in enumerate(model.reals[:model.num_trained]):
        h, w = real.shape[-2:]
        step = 3 * 4 * num_frames * cfg.nc_im * (h + 2 * cfg.pad) * (w + 2 * cfg.pad)
        step += pass_bytes(scale_widths(n, cfg.nfc, cfg.min_nfc)[0], h, w, batch, cfg.nc_im, cfg.pad)
        if prev is not None:
            step += resize_bytes(prev, (h, w), num_frames, cfg.nc_im)
        worst, prev = max(worst, step), (h, w)
    return worst + 5 * num_frames * cfg.nc_im * prev[0] * prev[1] + INFERENCE_BASELINE_BYTES


def check_animation(model: SinGAN, alpha: float, beta: float, start_scale: int, num_frames: int,
                    batch_size: int | None) -> None:
    """Refuse animation arguments out of range, and a run that would not fit in memory (naming a size that fits)."""
    check_real("alpha", alpha, 0, 1, what=" (weight of the reconstruction noise)")
    check_real("beta", beta, 0, 1, what=" (momentum of the noise walk)")
    check_int("start_scale", start_scale, 0, model.num_trained - 1,
              what=f" (this model has {model.num_trained} trained scales)")
    check_int("num_frames", num_frames, 1)
    check_int("batch_size", batch_size, 1, optional=True)
    batch = min(batch_size or num_frames, num_frames)

    def hint(available: int) -> str:
        fits = largest_fitting(lambda b: animation_bytes(model, num_frames, int(b)), available, batch, integer=True)
        if fits >= 1:
            return f"--batch_size {int(fits)} would fit"
        frames = largest_fitting(lambda f: animation_bytes(model, int(f), 1), available, num_frames, integer=True)
        return f"--num_frames {int(frames)} with --batch_size 1 would fit" if frames >= 1 else "the model is too large"

    h, w = model.reals[model.num_trained - 1].shape[-2:]
    check_fits(f"animating {num_frames} frames of {h}x{w}", animation_bytes(model, num_frames, batch),
               model.device, hint)


def animate(model: SinGAN, *, alpha: float = 0.1, beta: float = 0.9, start_scale: int = 2,
            num_frames: int = 100, batch_size: int | None = None,
            out_size: tuple[int, int] | None = None, progress: bool = True) -> np.ndarray:
    """Animation frames (num_frames, H, W, C) uint8: at every scale >= start_scale
    the noise follows a random walk around the reconstruction noise z_rec; scales below it use z_rec.
    out_size: (H, W) to upscale every frame to (`upscale.upscale`), with one draw of the upscaling
    noise shared by all frames (so the added detail does not flicker).
    The arguments and the memory the run needs are checked first (`check_animation`)."""
    check_animation(model, alpha, beta, start_scale, num_frames, batch_size)
    start = tuple(model.reals[model.num_trained - 1].shape[-2:])
    if out_size is not None:
        upscale.check_upscale(model, start, tuple(out_size))
    frames = _animation_frames(model, alpha, beta, start_scale, num_frames, batch_size)
    if out_size is None or tuple(out_size) == start:
        return _frames_uint8(frames)
    plan = upscale.chain_plan(start, tuple(out_size), upscale.step_factor(model))
    noise = upscale.draw_noise(model, plan)
    from tqdm import tqdm

    return np.concatenate([_frames_uint8(upscale.upscale(model, frames[i:i + 1], tuple(out_size), plan=plan,
                                                         noise=noise, progress=False))
                           for i in tqdm(range(num_frames), desc=f"upscaling frames to {out_size[0]}x{out_size[1]}",
                                         delay=3, disable=not progress)])


def _frames_uint8(frames: Tensor) -> np.ndarray:
    return (denorm(frames) * 255).permute(0, 2, 3, 1).cpu().numpy().astype(np.uint8)  # truncation


def _animation_frames(model: SinGAN, alpha: float, beta: float, start_scale: int, num_frames: int,
                      batch_size: int | None) -> Tensor:
    """The frames (num_frames, C, H, W) at the finest trained size, before the uint8 conversion."""
    pad, frames = model.config.pad, None
    with torch.no_grad():
        for n, scale in enumerate(model.scales):
            z = _noise_walk(scale.z_rec, 1 if n == 0 else model.config.nc_z, alpha, beta, num_frames)
            if n < start_scale:
                z = scale.z_rec.expand_as(z)
            if frames is None:
                prev = torch.zeros_like(z)
            else:
                prev = F.pad(upsample(frames, model.scale_factor, tuple(model.reals[n].shape[-2:])), [pad] * 4)
            step = batch_size or num_frames
            frames = torch.cat([scale.netG(scale.noise_amp * z[i:i + step] + prev[i:i + step], prev[i:i + step])
                                for i in range(0, num_frames, step)])
    return frames


def save_animation(path: str | Path, frames: np.ndarray, fps: float) -> Path:
    """Write frames (F, H, W, C) uint8 as a GIF or (with a .mp4 suffix) a video; `fps` frames per second."""
    import imageio.v2 as imageio

    check_real("fps", fps, 0, 1000, low_open=True, what=" (frames per second)")

    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix == ".mp4":
            imageio.mimsave(tmp, list(frames), fps=fps)
        else:
            imageio.mimsave(tmp, list(frames), duration=1000 / fps, loop=0)
    return path


def mp4_available() -> bool:
    """Whether imageio can write MP4 (its ffmpeg plugin is installed)."""
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True
