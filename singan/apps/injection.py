"""Injection, the core of harmonization, editing and paint-to-image: an image brought to scale n as a
coarser scale's output would be, then the trained generators n..N add the training image's detail
(`inject`). Harmonization (radius 7) and editing (radius 20) paste the result into the training image
through the dilated, blurred mask (`masked_injection`), at the training size or, upscaled, at the
reference's full size.

Deliberate differences from the 2019 code: a reference whose height *or* width differs from the
training image's is resized to it (the original checked the width only); the dilated mask PNG is
written to the output folder, not into the input folder.
"""

from pathlib import Path

import numpy as np
import torch
from scipy.ndimage import distance_transform_edt
from skimage.filters import gaussian
from torch import Tensor

from ..core.config import between, is_int, value_error
from ..core.imresize import imresize, norm, to_uint8
from ..core.model import SinGAN
from ..core.sampling import run_pyramid, upsample
from ..errors import SinGANError, flag_error
from ..io.images import save_image
from ..runtime.memory import resize_bytes
from . import upscale

HARMONIZATION_RADIUS = 7  # mask dilation (disk radius, pixels) for harmonization
EDITING_RADIUS = 20  # ... and for editing
MASK_SIGMA = 5  # gaussian blur of the dilated mask
INJECTION_SCALE = between(1, 1000, integer=True)  # and at most the model's number of scales - 1


def injection_scale(model: SinGAN, n: int | None = None, flag: str = "n", default_below_top: int = 2) -> int:
    """The scale to inject at: `n` checked against the model's scales 1 .. N-1 (injection needs a coarser
    scale to come from and a trained one to continue), or by default `default_below_top` scales below the
    finest (6 for a 9-scale model), announced. `flag` names `n` in the error (the command line's flag)."""
    top = model.num_trained - 1
    if top < 1:
        raise flag_error(f"the model has {model.num_trained} scale; injecting needs at least 2 (train with a "
                         "larger --max_size or a smaller --min_size)")
    if n is None:
        n = max(1, top - default_below_top)
        print(f"--{flag} {n} (default; this {model.num_trained}-scale model takes 1 to {top})")
    elif not is_int(n) or not 1 <= n <= top:
        raise value_error(flag, n, f"this {model.num_trained}-scale model takes an injection scale between 1 and {top}")
    return n


def injection_input(model: SinGAN, ref: Tensor, n: int) -> Tensor:
    """`ref` (at the finest size) brought to scale n (an injection scale `injection_scale` accepted) as a coarser
    scale's output would be: downsampled to scale n-1, then upsampled by 1/scale_factor and cropped to scale n."""
    sf, top = model.geometry.scale_factor, len(model.reals) - 1
    h, w = model.reals[n - 1].shape[-2:]
    coarse = imresize(ref, sf ** (top - n + 1))[:, :, :h, :w]
    return upsample(coarse, sf, tuple(model.reals[n].shape[-2:]))


def inject(model: SinGAN, ref: Tensor, n: int, *, start_image: Tensor | None = None, out_size: upscale.OutSize = None,
           upscaler: str = "patches", photo: Tensor | str | Path | None = None) -> Tensor:
    """Inject `ref` at scale n and run the pyramid upward (random noise at every scale >= n).

    start_image: an input already at scale n's size, used instead of `injection_input(model, ref, n)`.
    out_size: what to bring the result to (`upscale.out_size`, checked before any work, with the detail of
    `photo`, the training image at its own size, by `upscaler`).
    Returns (1, C, H, W) at the finest size (or out_size)."""
    injection_scale(model, n)
    target = upscale.out_size(model, out_size, upscale.finest_size(model), photo=photo, upscaler=upscaler)
    start_image = injection_input(model, ref, n) if start_image is None else start_image
    out = run_pyramid(model, 1, start_image=start_image, start_scale=n)
    return out if target is None else upscale.to_size(model, out, target.size, upscaler=target.upscaler,
                                                      photo=target.photo)


def dilate_mask(mask: Tensor, radius: int, save_to: str | Path | None = None, sigma: float = MASK_SIGMA) -> Tensor:
    """Soft paste mask in [0, 1] from a mask image (any non-zero pixel of channel 0 is foreground):
    binary dilation with a disk of `radius`, gaussian blur (`sigma`, 5 by default), min-max normalised.
    save_to: where to write the blurred mask PNG (before normalisation, as the original). The dilation
    runs through the distance transform: the same pixels as the disk, in time independent of the radius."""
    binary = to_uint8(mask)[0, 0].cpu().numpy() > 0
    if not binary.any():
        raise SinGANError("the mask is empty (all black): paint the region to change in white")
    dilated = distance_transform_edt(~binary, return_distances=True) ** 2 <= radius**2 + 1e-6
    soft = gaussian(dilated.astype(np.float64), sigma=sigma)
    soft = norm(torch.from_numpy(soft).float()[None, None]).to(mask.device).expand(1, mask.shape[1], -1, -1)
    if save_to is not None:
        save_image(save_to, soft)
    lo, hi = soft.min(), soft.max()
    return torch.ones_like(soft) if hi == lo else (soft - lo) / (hi - lo)


def check_full_size(model: SinGAN, spec: upscale.OutSize, start: tuple[int, int], ref_hw: tuple[int, int],
                    upscaler: str = "patches", photo: str | Path | Tensor | None = None, flag: str = "--out_size"
                    ) -> upscale.Target | None:
    """The size to paste at (`upscale.out_size` of `spec`: full and N from the size of `photo`, the input file),
    checked before the reference is read at it with all `masked_injection` holds beside the upscaling: the
    reference and its mask read at their size `ref_hw` and resized (float64 copies), both kept at the size,
    the mask's dilation (distance transform) and blur in float64, the blend, and the PNG written."""
    c = model.config.nc_im

    def held(hw: tuple[int, int]) -> int:
        return 2 * 4 * c * ref_hw[0] * ref_hw[1] + resize_bytes(ref_hw, hw, 1, c) + (24 * c + 96) * hw[0] * hw[1]

    return upscale.out_size(model, spec, start, photo=photo, upscaler=upscaler, detail=False, flag=flag, save=True,
                            extra=held, what=" and pasting it into the reference at that size")


def masked_injection(model: SinGAN, real: Tensor, ref: Tensor, mask: Tensor, n: int, radius: int,
                     mask_png: str | Path | None = None, *, full: tuple[Tensor, Tensor] | None = None,
                     upscaler: str = "patches", checked: upscale.Target | None = None) -> tuple[Tensor, Tensor]:
    """Harmonization (radius 7) / editing (radius 20): inject `ref` at scale n and paste the result
    into the training image `real` through the dilated mask. Returns (generated, blended).

    full: (reference, mask) at a larger size (the input file's): the generated image is brought to it
    (`upscale.to_size` by `upscaler`; patches takes its detail from the full-size reference) and pasted
    into that reference through its mask dilated and blurred with the radius and sigma scaled by the
    size ratio, so outside the dilated mask the result is the full-size reference, pixel for pixel.
    checked: the Target `check_full_size` gave the command before it read `full` (not checked again)."""
    injection_scale(model, n)
    if full is not None and checked is None:
        full_hw = tuple(full[0].shape[-2:])
        check_full_size(model, full_hw, tuple(real.shape[-2:]), full_hw, upscaler, flag="out_size")
    out = run_pyramid(model, 1, start_image=injection_input(model, ref, n), start_scale=n)  # `inject`, n checked
    sigma = MASK_SIGMA
    if full is not None:  # pasted into the full-size reference, the radius and sigma scaled by the size ratio
        ratio = max(full[0].shape[-2] / real.shape[-2], full[0].shape[-1] / real.shape[-1])
        out = upscale.to_size(model, out, tuple(full[0].shape[-2:]), upscaler=upscaler, photo=full[0], keys=ref)
        (real, mask), radius, sigma = full, round(radius * ratio), MASK_SIGMA * ratio
    soft = dilate_mask(mask, radius, mask_png, sigma=sigma)
    return out, (1 - soft) * real + soft * out
