"""Super-resolution: the finest generator repeated on successively upsampled images (`super_resolve`),
the original's chain of steps for --sr_factor and its pyramid geometry, with the memory checked first.
"""

import dataclasses
from collections.abc import Callable

from torch import Tensor

from ..core.config import TrainConfig, between, check_value
from ..core.model import SinGAN
from ..core.pyramid import plan, sr_scale_chain
from ..errors import SinGANError
from ..runtime.memory import MAX_SIDE, check_fits, pyramid_bytes, round_down
from . import upscale

SR_FACTOR = between(2 ** (1 / 6), 16, open_lo=True)  # --sr_factor (4 by default, as SR.py)
SR_TRAINING = {"alpha": 100.0, "min_size": 18}  # the original's --alpha and --min_size of an SR model (SR.py)


def sr_config(config: TrainConfig, sr_factor: float) -> TrainConfig:
    """`config` for the SR model of `sr_factor`: pyramid scale factor 1/in_scale, mode 'train' (as SR.py)."""
    in_scale, _ = sr_chain(sr_factor)
    return dataclasses.replace(config, scale_factor=1 / in_scale, mode="train")


def sr_chain(sr_factor: float) -> tuple[float, int]:
    """(in_scale, iter_num): the upsampling factor per step and the number of steps for `sr_factor`."""
    check_value("sr_factor", sr_factor, SR_FACTOR)
    return sr_scale_chain(sr_factor)


def sr_geometry_fn(config, name: str = "the image") -> Callable:
    """geometry_fn(h, w) for `train_image`: the SR pyramid (adjust_scales2image_SR, quirks included),
    refused as every pyramid is when it breaks the rule (`pyramid.geometry_problem`)."""
    return lambda h, w: plan(h, w, config, sr=True, name=name)


def check_super_resolution(model: SinGAN, sr_factor: float, size: tuple[int, int] | None = None,
                           upscaler: str = "chain", photo_hw: tuple[int, int] | None = None) -> upscale.Plan:
    """What `super_resolve(model, sr_factor, size)` checks before any work (one-line SinGANError naming a size
    that fits), and its plan: the original's chain, or for another `size` (or another upscaler, with a photo of
    `photo_hw`) the exact chain to it. `model` may be one not trained yet (`singan.api.planned_model`): SR.py
    checks before training. `sr_factor`: within its rule (checked where it is given: `sr_chain`, `sr_config`)."""
    h, w = upscale.finest_size(model)
    plan = upscale.sr_plan((h, w), sr_factor)
    H, W = size or plan.crop
    if max(H, W) > MAX_SIDE:
        raise SinGANError(f"--sr_factor {sr_factor:g} makes a {H}x{W} image; the longest side may be {MAX_SIDE} "
                          f"(--sr_factor {sr_factor * MAX_SIDE / max(H, W):.3g} at most)")
    if upscaler == "chain" and (H, W) == plan.crop:  # the original's chain: a smaller sr_factor may fit
        smallest = 2 ** (1 / 6) + 1e-9

        def need(f: float) -> int:
            return 0 if f < smallest else pyramid_bytes(model, upscale.sr_plan((h, w), f).sizes, start=(h, w),
                                                        chain=upscale.finest_scale(model), kept=1)

        def say(f: float) -> str | None:
            return f"--sr_factor {round_down(f):g} would fit" if f >= smallest else None

        check_fits(f"super-resolution to {H}x{W}", model.device, [(need, sr_factor, say)],
                   "this model is too large for it")
        return plan
    upscale.check_upscale(model, (h, w), (H, W), flag="the SR output", save=True, upscaler=upscaler,
                          photo_hw=photo_hw)
    return upscale.chain_plan((h, w), (H, W), upscale.step_factor(model))


def super_resolve(model: SinGAN, sr_factor: float, size: tuple[int, int] | None = None, *, upscaler: str = "chain",
                  photo: Tensor | None = None, progress: bool = True, plan: upscale.Plan | None = None) -> Tensor:
    """Upsample the finest training level by `sr_factor` to `size` (H, W; default the original's chain's), by the
    plan `check_super_resolution` gives and checks first unless it is given. upscaler: "chain" (the paper's: the
    finest generator at every step), or "patches" / "bicubic" (`upscale.to_size`, with the detail of `photo`, the
    input file, up to its size)."""
    if plan is None:
        sr_chain(sr_factor)
        plan = check_super_resolution(model, sr_factor, size, upscaler, None if photo is None else photo.shape[-2:])
    return upscale.to_size(model, model.reals[-1], plan.crop, upscaler=upscaler, photo=photo, progress=progress,
                           plan=plan)
