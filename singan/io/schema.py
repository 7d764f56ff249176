"""The checkpoint schema: what a model.pt must hold, checked before anything is built from it.

A checkpoint is a dict of plain data and tensors (see `singan.io.checkpoint`). `validate` checks it
top down: its keys and their types (every float and tensor finite: a NaN noise amplitude would give
black images), the config by TrainConfig's rules, the real pyramid by the geometry rule training uses
(`pyramid.geometry_problem`, `pyramid.level_sizes`), each finished scale against the networks the
config builds and the size of its level, the count of finished scales against the `complete` flag, and
the resume state as strictly as the finished scales. The first problem found is raised as
`CheckpointInvalid`, one line.
"""

import math

import torch
from torch import Tensor

from ..core.config import TrainConfig
from ..core.networks import build_discriminator, build_generator, scale_widths
from ..core.pyramid import ScaleGeometry, geometry_problem, level_sizes
from ..errors import SinGANError

NONE = type(None)
TOP = {"format": str, "version": int, "name": str, "config": dict, "geometry": dict, "reals": list,
       "scales": list, "num_levels": int, "complete": bool, "resume": (dict, NONE)}
GEOMETRY = {"num_scales": int, "stop_scale": int, "scale1": float, "scale_factor": float}  # the original's names
GEOMETRY_FIELDS = {"num_scales": "full_size_levels", "stop_scale": "finest_level", "scale1": "input_resize",
                   "scale_factor": "scale_factor"}  # their ScaleGeometry fields
SCALE = {"netG": dict, "netD": (dict, NONE), "z_rec": Tensor, "noise_amp": float, "nfc": int, "min_nfc": int}
IN_PROGRESS = {"scale": int, "iteration": int, "netG": dict, "netD": dict, "optG": dict, "optD": dict,
               "z_rec": (Tensor, NONE), "prev_rec": Tensor, "noise_amp": float, "losses": dict, "rng": dict}
LOSSES = ("errD", "errG", "rec")  # what training records per iteration


def stored_geometry(geometry: dict) -> ScaleGeometry:
    """The ScaleGeometry of a checkpoint's geometry dict."""
    return ScaleGeometry(**{GEOMETRY_FIELDS[key]: geometry[key] for key in GEOMETRY})


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
    """The stored config's known settings meet the rules TrainConfig declares (those between settings too);
    unknown keys are ignored."""
    for name, rule in TrainConfig.RULES.items():
        if name in data and not rule(data[name]):
            raise CheckpointInvalid(f"config[{name!r}] is {data[name]!r:.40}: must be {rule.text}")
    cfg = TrainConfig.from_dict(data)
    try:
        cfg.validate()
    except SinGANError as e:
        raise CheckpointInvalid(f"config: {e}") from None
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
        shape_ok = real.dim() == 4 and real.shape[:2] == (1, cfg.nc_im) and min(real.shape[-2:]) >= 1
        if not shape_ok or not real.is_floating_point():
            raise CheckpointInvalid(f"reals[{i}] is a {real.dtype} tensor of shape {tuple(real.shape)}, expected "
                                    f"floating point (1, {cfg.nc_im}, H, W)")
    stored = stored_geometry(geometry)
    problem = geometry_problem(stored, tuple(reals[-1].shape[-2:]), cfg.min_size)  # the rule training applies
    if problem:
        raise CheckpointInvalid(f"the pyramid breaks the geometry rule: {problem}")
    sizes = level_sizes(tuple(reals[-1].shape[-2:]), geometry["scale_factor"], geometry["stop_scale"])
    for i, (real, size) in enumerate(zip(reals, sizes)):
        if tuple(real.shape[-2:]) != size:
            raise CheckpointInvalid(f"reals[{i}] is {real.shape[2]}x{real.shape[3]} but the geometry makes "
                                    f"level {i} {size[0]}x{size[1]}")


def _reference_nets(cfg: TrainConfig, n: int) -> tuple[torch.nn.Module, torch.nn.Module]:
    """A fresh G_n and D_n built on the meta device (no memory, no RNG): their shapes are the reference."""
    with torch.random.fork_rng(devices=[]), torch.device("meta"):
        return build_generator(cfg, n), build_discriminator(cfg, n)


def _shapes(net: torch.nn.Module) -> dict:
    return {k: tuple(v.shape) for k, v in net.state_dict().items()}


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
    netG, netD = _reference_nets(cfg, n)
    check_network(f"{where}['netG']", scale["netG"], _shapes(netG))
    if scale["netD"] is not None:
        check_network(f"{where}['netD']", scale["netD"], _shapes(netD))
    h, w = real.shape[-2:]
    expected = (1, cfg.nc_z, h + 2 * cfg.pad, w + 2 * cfg.pad)
    if not scale["z_rec"].is_floating_point():
        raise CheckpointInvalid(f"{where}['z_rec'] is a {scale['z_rec'].dtype} tensor, expected floating point")
    if tuple(scale["z_rec"].shape) != expected:
        raise CheckpointInvalid(f"{where}['z_rec'] has shape {tuple(scale['z_rec'].shape)}, expected {expected} "
                                f"(the padded size of reals[{n}])")
    if scale["noise_amp"] < 0:
        raise CheckpointInvalid(f"{where}['noise_amp'] is {scale['noise_amp']}, expected >= 0")


def check_rng(where: str, rng: dict) -> None:
    """A saved random state: the CPU generator's state (which torch accepts), and a CUDA one if any."""
    check_keys(where, rng, {"cpu": Tensor})
    for key, value in rng.items():
        check_type(f"{where}[{key!r}]", value, Tensor)
        if key not in ("cpu", "cuda") or value.dtype != torch.uint8 or value.dim() != 1 or value.numel() == 0:
            raise CheckpointInvalid(f"{where}[{key!r}] is not a random-generator state (a 1-D uint8 tensor of "
                                    "'cpu' or 'cuda')")
    try:
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(rng["cpu"])
    except (RuntimeError, ValueError):
        raise CheckpointInvalid(f"{where}['cpu'] is not a valid state of the CPU random generator") from None


def check_tensor(where: str, value, shape: tuple, dtype: torch.dtype = torch.float32) -> None:
    """A finite tensor of exactly this shape and dtype."""
    check_type(where, value, Tensor)
    if tuple(value.shape) != shape or value.dtype != dtype:
        raise CheckpointInvalid(f"{where} is a {str(value.dtype).removeprefix('torch.')} tensor of shape "
                                f"{tuple(value.shape)}, expected {str(dtype).removeprefix('torch.')} {shape}")


def check_optimizer(where: str, opt: dict, param_shapes: list[tuple]) -> None:
    """An Adam state dict for these parameters: one group naming each, moments shaped like them."""
    check_keys(where, opt, {"state": dict, "param_groups": list})
    groups = opt["param_groups"]
    if len(groups) != 1 or not isinstance(groups[0], dict) or groups[0].get("params") != list(range(len(param_shapes))):
        raise CheckpointInvalid(f"{where} is not the optimiser state of this scale's {len(param_shapes)} parameters")
    lr, betas = groups[0].get("lr"), groups[0].get("betas")
    if isinstance(lr, Tensor):
        lr = float(lr) if lr.numel() == 1 else None
    check_type(f"{where} learning rate", lr, float)
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise CheckpointInvalid(f"{where} has betas {betas!r:.40}, expected two numbers")
    for beta in betas:
        check_type(f"{where} beta", beta, float)
    for key, st in opt["state"].items():
        if not (isinstance(key, int) and 0 <= key < len(param_shapes)) or not isinstance(st, dict):
            raise CheckpointInvalid(f"{where}['state'] has an entry {key!r:.20} for no parameter of this scale")
        check_keys(f"{where}['state'][{key}]", st, {"exp_avg": Tensor, "exp_avg_sq": Tensor})
        for name in ("exp_avg", "exp_avg_sq"):
            check_tensor(f"{where}['state'][{key}][{name!r}]", st[name], param_shapes[key])
        step = st.get("step")
        step = float(step) if isinstance(step, Tensor) and step.numel() == 1 else step
        check_type(f"{where}['state'][{key}]['step']", step, float)
        if step < 0:
            raise CheckpointInvalid(f"{where}['state'][{key}]['step'] is {step}, expected >= 0")


def check_in_progress(state: dict, progress: dict, cfg: TrainConfig) -> None:
    """The scale being trained when the run stopped: the next one, with networks, optimisers, reconstruction
    input, noise amplitude, losses and random state all of the shapes that scale trains with."""
    where, done = "resume['in_progress']", len(state["scales"])
    check_keys(where, progress, IN_PROGRESS)
    n, iteration = progress["scale"], progress["iteration"]
    if state["complete"] or n != done or not 0 <= iteration <= cfg.niter:
        raise CheckpointInvalid(f"the resume state is at scale {n}, iteration {iteration}, "
                                f"but {done} of {state['num_levels']} scales are finished")
    netG, netD = _reference_nets(cfg, n)
    for key, net in (("netG", netG), ("netD", netD)):
        check_network(f"{where}[{key!r}]", progress[key], _shapes(net))
        opt = "optG" if key == "netG" else "optD"
        check_optimizer(f"{where}[{opt!r}]", progress[opt], [tuple(p.shape) for p in net.parameters()])
    h, w = state["reals"][n].shape[-2:]
    padded = (1, cfg.nc_z, h + 2 * cfg.pad, w + 2 * cfg.pad)
    check_tensor(f"{where}['prev_rec']", progress["prev_rec"], padded)
    if progress["z_rec"] is not None or n > 0:
        check_tensor(f"{where}['z_rec']", progress["z_rec"], padded)
    if progress["noise_amp"] < 0:
        raise CheckpointInvalid(f"{where}['noise_amp'] is {progress['noise_amp']}, expected >= 0")
    losses = progress["losses"]
    for name in LOSSES:
        values = losses.get(name)
        if not isinstance(values, list) or len(values) != iteration:
            raise CheckpointInvalid(f"{where}['losses'][{name!r}] is not a list of {iteration} values (one per "
                                    "iteration done)")
        for v in values:
            check_type(f"{where}['losses'][{name!r}]", v, float)
    check_rng(f"{where}['rng']", progress["rng"])


def check_resume(state: dict, cfg: TrainConfig) -> None:
    """The resume state: None, or the RNG state and an in-progress scale that is the next one to train."""
    resume = state["resume"]
    if resume is None:
        return
    check_keys("resume", resume, {"rng": dict, "in_progress": (dict, NONE)})
    check_rng("resume['rng']", resume["rng"])
    if resume["in_progress"] is not None:
        check_in_progress(state, resume["in_progress"], cfg)


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
