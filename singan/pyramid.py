"""Scale geometry and the real-image pyramid, as the original computes them.

`adjust_scales` decides how many scales the image gets and the exact factor
between them, like the original's adjust_scales2image; `build_pyramid` resizes
the max_size-limited image to every scale, coarsest first, each level directly
from the finest image.
"""

import math
from dataclasses import dataclass

from torch import Tensor

from .imresize import imresize


@dataclass(frozen=True)
class ScaleGeometry:
    """How an image is split into scales; level 0 is the coarsest, level stop_scale the finest."""

    num_scales: int  # scales from min_size up to the full image (before the max_size limit)
    stop_scale: int  # index of the finest scale trained
    scale1: float  # resize factor that brings the image within max_size
    scale_factor: float  # recomputed factor between consecutive scales

    @property
    def num_levels(self) -> int:
        """Number of pyramid levels, stop_scale + 1."""
        return self.stop_scale + 1


def sr_scale_chain(sr_factor: float) -> tuple[float, int]:
    """(in_scale, iter_num) of the original's calc_init_scale: iter_num upscaling steps of
    in_scale = sr_factor ** (1 / iter_num), each close to 2 ** (1/3)."""
    iter_num = round(math.log(1 / sr_factor, math.pow(0.5, 1 / 3)))
    return math.pow(sr_factor, 1 / iter_num), iter_num


_SR_SCALE_FACTOR_INIT = 1 / sr_scale_chain(4.0)[0]  # SR.py with the default sr_factor 4: 4 ** (-1/6)


def _geometry(height: int, width: int, num_scales: int, scale2stop: int, min_size: int,
              max_size: int) -> ScaleGeometry:
    """The part both adjust_scales variants share: scale1 and the recomputed scale factor."""
    stop_scale = num_scales - scale2stop
    scale1 = min(max_size / max(height, width), 1)
    h, w = math.ceil(height * scale1), math.ceil(width * scale1)  # the size imresize(real, scale1) gives
    scale_factor = math.pow(min_size / min(h, w), 1 / stop_scale)
    return ScaleGeometry(num_scales, stop_scale, float(scale1), scale_factor)


def adjust_scales(height: int, width: int, min_size: int = 25, max_size: int = 250,
                  scale_factor_init: float = 0.75) -> ScaleGeometry:
    """The original adjust_scales2image: scales from min_size (shorter side, coarsest) to at most
    max_size (longer side, finest)."""
    num_scales = math.ceil(math.log(min_size / min(height, width), scale_factor_init)) + 1
    scale2stop = math.ceil(math.log(min(max_size, max(height, width)) / max(height, width), scale_factor_init))
    return _geometry(height, width, num_scales, scale2stop, min_size, max_size)


def adjust_scales_sr(height: int, width: int, max_size: int = 250,
                     scale_factor_init: float = _SR_SCALE_FACTOR_INIT, min_size: int = 18) -> ScaleGeometry:
    """The original adjust_scales2image_SR, quirks kept: int() truncation instead of ceil, and
    max(batch size 1, W) where max(H, W) belongs, so portrait images get stop_scale > num_scales."""
    num_scales = int(math.log(min_size / min(height, width), scale_factor_init)) + 1
    scale2stop = int(math.log(min(max_size, max(height, width)) / max(1, width), scale_factor_init))
    return _geometry(height, width, num_scales, scale2stop, min_size, max_size)


def resize_to_finest(real: Tensor, geometry: ScaleGeometry) -> Tensor:
    """The image at the finest scale, imresize(real, scale1) (an 8-bit round trip when scale1 = 1)."""
    return imresize(real, geometry.scale1)


def build_pyramid(real: Tensor, geometry: ScaleGeometry) -> list[Tensor]:
    """reals[i] = imresize(real, scale_factor ** (stop_scale - i)) for i = 0 .. stop_scale, coarsest first."""
    return [imresize(real, geometry.scale_factor ** (geometry.stop_scale - i)) for i in range(geometry.num_levels)]
