"""Scale geometry and the real-image pyramid, as the original computes them.

`adjust_scales` decides how many scales the image gets and the exact factor
between them, like the original's adjust_scales2image; `build_pyramid` resizes
the max_size-limited image to every scale, coarsest first, each level directly
from the finest image.

`geometry_problem` is the one rule every pyramid meets (training, the checkpoint
schema and the applications all call it): at least two levels, the finest level's
shorter side at least --min_size (so the coarsest level is never larger than the
finest and the factor is in (0, 1]), and at most `MAX_SCALES` levels. `plan` computes
an image's geometry with the original's arithmetic and refuses one that breaks the
rule with a one-line SinGANError naming the sizes and a flag value that works.
"""

import math
from dataclasses import dataclass

from torch import Tensor

from ..errors import flag_error
from .config import TrainConfig
from .imresize import imresize

MAX_SCALES = 50  # pyramid levels a model may have (the defaults give balloons.png 9, --scale_factor 0.95 gives it 42)


@dataclass(frozen=True)
class ScaleGeometry:
    """How an image is split into scales; level 0 is the coarsest, level finest_level the finest."""

    # (The original's names, kept in checkpoints: num_scales, stop_scale, scale1, scale_factor.)
    full_size_levels: int  # levels from min_size up to the full image (before the max_size limit)
    finest_level: int  # index of the finest level trained
    input_resize: float  # resize factor that brings the input image within max_size (the finest level)
    scale_factor: float  # recomputed factor between consecutive levels (config.scale_factor is the initial one)

    @property
    def num_levels(self) -> int:
        """Number of pyramid levels, finest_level + 1."""
        return self.finest_level + 1


def sr_scale_chain(sr_factor: float) -> tuple[float, int]:
    """(in_scale, iter_num) of the original's calc_init_scale: iter_num upscaling steps of
    in_scale = sr_factor ** (1 / iter_num), each close to 2 ** (1/3)."""
    iter_num = round(math.log(1 / sr_factor, math.pow(0.5, 1 / 3)))
    return math.pow(sr_factor, 1 / iter_num), iter_num


_SR_SCALE_FACTOR_INIT = 1 / sr_scale_chain(4.0)[0]  # SR.py with the default sr_factor 4: 4 ** (-1/6)


def _geometry(height: int, width: int, full_size_levels: int, scale2stop: int, min_size: int,
              max_size: int) -> ScaleGeometry:
    """The part both adjust_scales variants share: input_resize and the recomputed scale factor."""
    finest_level = full_size_levels - scale2stop
    input_resize = min(max_size / max(height, width), 1)
    h, w = finest_size(height, width, input_resize)
    # No level between min_size and the image (finest_level < 1): the factor is undefined, NaN (refused).
    scale_factor = math.pow(min_size / min(h, w), 1 / finest_level) if finest_level >= 1 else math.nan
    return ScaleGeometry(full_size_levels, finest_level, float(input_resize), scale_factor)


def finest_size(height: int, width: int, input_resize: float) -> tuple[int, int]:
    """The size imresize(real, input_resize) gives a height x width image: the finest level's size."""
    return math.ceil(height * input_resize), math.ceil(width * input_resize)


def level_sizes(finest: tuple[int, int], scale_factor: float, finest_level: int) -> list[tuple[int, int]]:
    """The sizes of the pyramid levels, coarsest first, built from the finest level's size."""
    return [tuple(math.ceil(side * float(scale_factor ** (finest_level - i))) for side in finest)
            for i in range(finest_level + 1)]


def geometry_problem(geometry: ScaleGeometry, finest: tuple[int, int], min_size: int) -> str | None:
    """What keeps a pyramid from training, loading, sampling and running every application, or None.

    The one rule, for a geometry just computed and for one read from a checkpoint alike: at least two
    levels (finest_level >= 1: the original divides by it, injection needs a coarser scale), the finest
    level at least min_size on its shorter side (else the recomputed factor exceeds 1 and the
    'coarsest' level is larger than the finest), a factor in (0, 1] and at most MAX_SCALES levels.
    """
    h, w = finest
    if min(h, w) < min_size:
        return f"the finest scale, {h}x{w}, is shorter than --min_size {min_size}"
    if geometry.finest_level < 1:
        return (f"no scales fit between --min_size {min_size} and the finest scale {h}x{w} (stop scale "
                f"{geometry.finest_level})")
    if not 0 < geometry.scale_factor <= 1:
        return f"the scale factor {geometry.scale_factor:g} is outside (0, 1]"
    if geometry.num_levels > MAX_SCALES:
        return f"the pyramid has {geometry.num_levels} scales, more than the {MAX_SCALES} a model may have"
    return None


def _compute(height: int, width: int, min_size: int, max_size: int, scale_factor: float, sr: bool) -> ScaleGeometry:
    if sr:
        return adjust_scales_sr(height, width, max_size, scale_factor, min_size)
    return adjust_scales(height, width, min_size, max_size, scale_factor)


def _works(height: int, width: int, min_size: int, max_size: int, scale_factor: float, sr: bool) -> bool:
    g = _compute(height, width, min_size, max_size, scale_factor, sr)
    return geometry_problem(g, finest_size(height, width, g.input_resize), min_size) is None


def _fix(height: int, width: int, min_size: int, max_size: int, scale_factor: float, sr: bool,
         smallest_min_size: int) -> str:
    """'use --flag value' for flag values that make the geometry work (the others unchanged), found by
    trying them with the same rule; or the image size needed when no flag value works."""
    longer, shorter = max(height, width), min(height, width)
    options = []
    if not sr:  # SR.py computes its factor from --sr_factor
        factors = (c / 100 for c in range(math.ceil(scale_factor * 100) - 1, 0, -1))
        options += [f"--scale_factor {f:g}" for f in factors if _works(height, width, min_size, max_size, f, sr)][:1]
    # ceil(shorter * m / longer) >= min_size needs m > (min_size - 1) * longer / shorter; past `longer` nothing changes
    sizes = range(max(max_size + 1, (min_size - 1) * longer // shorter), longer + 1)
    options += [f"--max_size {m}" for m in sizes if _works(height, width, min_size, m, scale_factor, sr)][:1]
    finest = min(finest_size(height, width, min(max_size / longer, 1)))
    smaller = range(min(min_size - 1, finest), smallest_min_size - 1, -1)
    options += [f"--min_size {m}" for m in smaller if _works(height, width, m, max_size, scale_factor, sr)][:1]
    if not options:  # fewer scales: a larger --min_size
        larger = range(min_size + 1, min(finest, max_size) + 1)
        options += [f"--min_size {m}" for m in larger if _works(height, width, m, max_size, scale_factor, sr)][:1]
    if options:
        return "use " + " or ".join(options)
    return f"use an image of at least {smallest_min_size} pixels on its shorter side"


def plan(height: int, width: int, config: TrainConfig, *, sr: bool = False, name: str = "the image") -> ScaleGeometry:
    """The pyramid geometry training gives a height x width image under `config`'s min_size, max_size
    and scale_factor (`adjust_scales`, or `adjust_scales_sr` when `sr`), checked by `geometry_problem`
    before any work: a geometry that breaks the rule is refused with a one-line SinGANError naming the
    sizes and a flag value that works."""
    min_size, max_size, scale_factor = config.min_size, config.max_size, config.scale_factor
    g = _compute(height, width, min_size, max_size, scale_factor, sr)
    finest = finest_size(height, width, g.input_resize)
    problem = geometry_problem(g, finest, min_size)
    if problem is None:
        return g
    resized = f", {finest[0]}x{finest[1]} after the --max_size {max_size} resize" if g.input_resize < 1 else ""
    if g.num_levels > MAX_SCALES and not sr:
        problem = problem.replace("the pyramid has", f"--scale_factor {scale_factor:g} gives")
    fix = _fix(height, width, min_size, max_size, scale_factor, sr, config.receptive_field)
    raise flag_error(f"{name} is {height}x{width}{resized}: {problem}; {fix}")


def adjust_scales(height: int, width: int, min_size: int = 25, max_size: int = 250,
                  scale_factor_init: float = 0.75) -> ScaleGeometry:
    """The original adjust_scales2image: scales from min_size (shorter side, coarsest) to at most
    max_size (longer side, finest)."""
    full_size_levels = math.ceil(math.log(min_size / min(height, width), scale_factor_init)) + 1
    scale2stop = math.ceil(math.log(min(max_size, max(height, width)) / max(height, width), scale_factor_init))
    return _geometry(height, width, full_size_levels, scale2stop, min_size, max_size)


def adjust_scales_sr(height: int, width: int, max_size: int = 250,
                     scale_factor_init: float = _SR_SCALE_FACTOR_INIT, min_size: int = 18) -> ScaleGeometry:
    """The original adjust_scales2image_SR, quirks kept: int() truncation instead of ceil, and
    max(batch size 1, W) where max(H, W) belongs, so portrait images get finest_level > full_size_levels."""
    full_size_levels = int(math.log(min_size / min(height, width), scale_factor_init)) + 1
    scale2stop = int(math.log(min(max_size, max(height, width)) / max(1, width), scale_factor_init))
    return _geometry(height, width, full_size_levels, scale2stop, min_size, max_size)


def resize_to_finest(real: Tensor, geometry: ScaleGeometry) -> Tensor:
    """The image at the finest scale, imresize(real, input_resize) (an 8-bit round trip when input_resize = 1)."""
    return imresize(real, geometry.input_resize)


def build_pyramid(real: Tensor, geometry: ScaleGeometry) -> list[Tensor]:
    """reals[i] = imresize(real, scale_factor ** (finest_level - i)) for i = 0 .. finest_level, coarsest first."""
    return [imresize(real, geometry.scale_factor ** (geometry.finest_level - i)) for i in range(geometry.num_levels)]
