"""The checkpoint schema: what a model.pt must hold, checked before anything is built from it.

A checkpoint is a dict of plain data and tensors (see `singan.checkpoint`). `validate` checks
its keys and their types, the config's field types, the pyramid geometry by the rule training
uses (`pyramid.geometry_problem`) and against the real images' sizes (level i is
ceil(size * scale_factor ** (stop_scale - i)) of the finest level),
every scale's widths, network tensor shapes and reconstruction-noise shape against its level,
that every float and tensor is finite (a NaN noise amplitude would give black images), and that
the number of finished scales agrees with the `complete` flag and with the resume state.
The first problem found is raised as `CheckpointInvalid`, one line.
"""

import dataclasses
import math

import torch
from torch import Tensor

from .config import TrainConfig
from .networks import build_discriminator, build_generator, scale_widths
from .pyramid import ScaleGeometry, geometry_problem, level_sizes

NONE = type(None)
TOP = {"format": str, "version": int, "name": str, "config": dict, "geometry": dict, "reals": list,
       "scales": list, "num_levels": int, "complete": bool, "resume": (dict, NONE)}
GEOMETRY = {"num_scales": int, "stop_scale": int, "scale1": float, "scale_factor": float}
SCALE = {"netG": dict, "netD": (dict, NONE), "z_rec": Tensor, "noise_amp": float, "nfc": int, "min_nfc": int}
IN_PROGRESS = {"scale": int, "iteration": int, "netG": dict, "netD": dict}  # the rest belongs to training


class CheckpointInvalid(ValueError):
    """What is wrong with a checkpoint dictionary, in one line."""


def _type_name(expected) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join("None" if t is NONE else "a tensor" if t is Tensor else t.__name__ for t in types)


def check_type(where: str, value, expected) -> None:
    """`value` is of the `expected` type(s); ints are not bools, floats are finite numbers."""
    if expected is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    elif expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, expected)
    if expected is Tensor and ok and value.is_floating_point() and not torch.isfinite(value).all():
        raise CheckpointInvalid(f"{where} holds NaN or infinite values")
    if not ok:
        shown = repr(value) if isinstance(value, (int, float, str, NONE)) else type(value).__name__
        raise CheckpointInvalid(f"{where} is {shown[:40]}, expected {_type_name(expected)}"
                                + (" (finite)" if expected is float else ""))


def check_keys(where: str, data: dict, schema: dict) -> None:
    """Every key of `schema` is in `data`, with a value of its type."""
    missing = [key for key in schema if key not in data]
    if missing:
        raise CheckpointInvalid(f"{where} lacks the key{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    for key, expected in schema.items():
        check_type(f"{where}[{key!r}]", data[key], expected)


def check_config(data: dict) -> TrainConfig:
    """The stored config's known fields have the types of TrainConfig's defaults; unknown ones are ignored."""
    for f in dataclasses.fields(TrainConfig):
        if f.name in data:
            expected = (int, NONE) if f.default is None else type(f.default)
            check_type(f"config[{f.name!r}]", data[f.name], expected)
    cfg = TrainConfig.from_dict(data)
    if cfg.nc_im not in (1, 3) or cfg.nc_z != cfg.nc_im:
        raise CheckpointInvalid(f"config has nc_im {cfg.nc_im} and nc_z {cfg.nc_z}; expected 1 or 3, and equal")
    if min(cfg.nfc, cfg.min_nfc, cfg.ker_size) < 1 or cfg.num_layer < 2:
        raise CheckpointInvalid("config has a network width, kernel size or layer count out of range")
    return cfg


def check_reals(state: dict, cfg: TrainConfig) -> None:
    """The real pyramid: one (1, nc_im, h, w) finite tensor per level, sized as the geometry says."""
    check_keys("geometry", state["geometry"], GEOMETRY)
    geometry, reals = state["geometry"], state["reals"]
    if not reals or not len(reals) == state["num_levels"] == geometry["stop_scale"] + 1:
        raise CheckpointInvalid(f"{len(reals)} real images for num_levels {state['num_levels']} and stop scale "
                                f"{geometry['stop_scale']}; expected stop scale + 1 of each")
    for i, real in enumerate(reals):
        check_type(f"reals[{i}]", real, Tensor)
        if real.dim() != 4 or real.shape[:2] != (1, cfg.nc_im) or min(real.shape[-2:]) < 1:
            raise CheckpointInvalid(f"reals[{i}] has shape {tuple(real.shape)}, expected (1, {cfg.nc_im}, H, W)")
    stored = ScaleGeometry(**{key: geometry[key] for key in GEOMETRY})
    problem = geometry_problem(stored, tuple(reals[-1].shape[-2:]), cfg.min_size)  # the rule training applies
    if problem:
        raise CheckpointInvalid(f"the pyramid breaks the geometry rule: {problem}")
    sizes = level_sizes(tuple(reals[-1].shape[-2:]), geometry["scale_factor"], geometry["stop_scale"])
    for i, (real, size) in enumerate(zip(reals, sizes)):
        if tuple(real.shape[-2:]) != size:
            raise CheckpointInvalid(f"reals[{i}] is {real.shape[2]}x{real.shape[3]} but the geometry makes "
                                    f"level {i} {size[0]}x{size[1]}")


def _reference_shapes(cfg: TrainConfig, n: int) -> tuple[dict, dict]:
    """Parameter and buffer shapes of a fresh G_n and D_n (built on the meta device: no memory, no RNG)."""
    with torch.random.fork_rng(devices=[]), torch.device("meta"):
        netG, netD = build_generator(cfg, n), build_discriminator(cfg, n)
    return ({k: tuple(v.shape) for k, v in netG.state_dict().items()},
            {k: tuple(v.shape) for k, v in netD.state_dict().items()})


def check_network(where: str, weights: dict, shapes: dict) -> None:
    """A network state dict: exactly the expected keys, each a finite tensor of the expected shape."""
    if set(weights) != set(shapes):
        odd = sorted(set(weights) ^ set(shapes))
        raise CheckpointInvalid(f"{where} does not match the network the config builds (keys {', '.join(odd[:3])})")
    for key, shape in shapes.items():
        check_type(f"{where}[{key!r}]", weights[key], Tensor)
        if tuple(weights[key].shape) != shape:
            raise CheckpointInvalid(f"{where}[{key!r}] has shape {tuple(weights[key].shape)}, expected {shape}")


def check_scale(n: int, scale: dict, cfg: TrainConfig, real: Tensor) -> None:
    """One finished scale: widths, network shapes, z_rec at the padded size of its level, noise amplitude."""
    where = f"scales[{n}]"
    check_keys(where, scale, SCALE)
    if (scale["nfc"], scale["min_nfc"]) != scale_widths(n, cfg.nfc, cfg.min_nfc):
        raise CheckpointInvalid(f"{where} has widths {scale['nfc']}/{scale['min_nfc']}, but the config gives "
                                "{}/{}".format(*scale_widths(n, cfg.nfc, cfg.min_nfc)))
    shapes_g, shapes_d = _reference_shapes(cfg, n)
    check_network(f"{where}['netG']", scale["netG"], shapes_g)
    if scale["netD"] is not None:
        check_network(f"{where}['netD']", scale["netD"], shapes_d)
    h, w = real.shape[-2:]
    expected = (1, cfg.nc_z, h + 2 * cfg.pad, w + 2 * cfg.pad)
    if tuple(scale["z_rec"].shape) != expected:
        raise CheckpointInvalid(f"{where}['z_rec'] has shape {tuple(scale['z_rec'].shape)}, expected {expected} "
                                f"(the padded size of reals[{n}])")
    if scale["noise_amp"] < 0:
        raise CheckpointInvalid(f"{where}['noise_amp'] is {scale['noise_amp']}, expected >= 0")


def check_resume(state: dict, cfg: TrainConfig) -> None:
    """The resume state: None, or the RNG state and an in-progress scale that is the next one to train."""
    resume, done = state["resume"], len(state["scales"])
    if resume is None:
        return
    check_keys("resume", resume, {"rng": dict, "in_progress": (dict, NONE)})
    progress = resume["in_progress"]
    if progress is None:
        return
    check_keys("resume['in_progress']", progress, IN_PROGRESS)
    if state["complete"] or progress["scale"] != done or not 0 <= progress["iteration"] <= cfg.niter:
        raise CheckpointInvalid(f"the resume state is at scale {progress['scale']}, iteration {progress['iteration']}, "
                                f"but {done} of {state['num_levels']} scales are finished")


def validate(state: dict) -> None:
    """Check a checkpoint dictionary against the schema; raise CheckpointInvalid on the first problem."""
    check_keys("the checkpoint", state, TOP)
    cfg = check_config(state["config"])
    check_reals(state, cfg)
    scales = state["scales"]
    if len(scales) > state["num_levels"] or state["complete"] != (len(scales) == state["num_levels"]):
        raise CheckpointInvalid(f"{len(scales)} of {state['num_levels']} scales are stored but it is marked "
                                f"{'complete' if state['complete'] else 'unfinished'}")
    for n, scale in enumerate(scales):
        check_type(f"scales[{n}]", scale, dict)
        check_scale(n, scale, cfg, state["reals"][n])
    check_resume(state, cfg)
