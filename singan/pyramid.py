"""Pyramid geometry and the real-image pyramid (REFERENCE §4).

`adjust_scales` decides how many scales the image gets and the exact scale
factor between them, like the original's adjust_scales2image; `build_pyramid`
resizes the (max_size-limited) image to every scale, coarsest first, each level
directly from the finest image.
"""

import math
from dataclasses import dataclass

from torch import Tensor

from .imresize import imresize


@dataclass(frozen=True)
class ScaleGeometry:
    num_scales: int  # scales the image would have without the max_size limit
    stop_scale: int  # index of the finest scale (levels are 0..stop_scale)
    scale1: float  # resize factor that brings the image within max_size
    scale_factor: float  # recomputed factor between consecutive scales

    @property
    def num_levels(self) -> int:
        return self.stop_scale + 1


def _finish(height: int, width: int, num_scales: int, scale2stop: int, min_size: int, max_size: int) -> ScaleGeometry:
    stop_scale = num_scales - scale2stop
    scale1 = min(max_size / max(height, width), 1)
    h, w = math.ceil(height * scale1), math.ceil(width * scale1)  # size after imresize(real, scale1)
    scale_factor = math.pow(min_size / min(h, w), 1 / stop_scale)
    return ScaleGeometry(num_scales, stop_scale, scale1, scale_factor)


def adjust_scales(height: int, width: int, min_size: int = 25, max_size: int = 250,
                  scale_factor_init: float = 0.75) -> ScaleGeometry:
    """The original adjust_scales2image: scales from min_size (coarsest side) to max_size (finest side)."""
    num_scales = math.ceil(math.log(min_size / min(height, width), scale_factor_init)) + 1
    scale2stop = math.ceil(math.log(min(max_size, max(height, width)) / max(height, width), scale_factor_init))
    return _finish(height, width, num_scales, scale2stop, min_size, max_size)


def adjust_scales_sr(height: int, width: int, max_size: int = 250, scale_factor_init: float = 0.793700526,
                     min_size: int = 18) -> ScaleGeometry:
    """The original adjust_scales2image_SR: int() truncation, and (its bug, kept) the width where
    max(H, W) belongs in scale2stop, so portrait images get stop_scale > num_scales."""
    num_scales = int(math.log(min_size / min(height, width), scale_factor_init)) + 1
    scale2stop = int(math.log(min(max_size, max(height, width)) / max(1, width), scale_factor_init))
    return _finish(height, width, num_scales, scale2stop, min_size, max_size)


def resize_to_finest(real: Tensor, geometry: ScaleGeometry) -> Tensor:
    """The image at the finest scale: imresize(real, scale1) (an 8-bit round trip when scale1 = 1)."""
    return imresize(real, geometry.scale1)


def build_pyramid(real: Tensor, geometry: ScaleGeometry) -> list[Tensor]:
    """reals[i] = imresize(real, scale_factor ** (stop_scale - i)); index 0 is the coarsest."""
    return [imresize(real, geometry.scale_factor ** (geometry.stop_scale - i)) for i in range(geometry.num_levels)]


def sr_scale_chain(sr_factor: float) -> tuple[float, int]:
    """Super-resolution steps: (in_scale, iter_num) with in_scale ** iter_num == sr_factor and
    in_scale close to 2 ** (1/3), as the original's calc_init_scale."""
    iter_num = round(math.log(1 / sr_factor, math.pow(0.5, 1 / 3)))
    return math.pow(sr_factor, 1 / iter_num), iter_num
