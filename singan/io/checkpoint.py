"""Checkpoints: one file per trained model, readable with torch.load(weights_only=True), and their schema.

The file holds only plain data and tensors: the config, the pyramid geometry, the real pyramid, and per
finished scale the G and D state dicts, the reconstruction noise map and the noise amplitude; plus the state
needed to resume an interrupted run. No modules or code are pickled. Writes are atomic (`singan.io.atomic`):
a crash never leaves a half-written checkpoint. `check_existing` keeps a command that trains a model only
when it is missing (SR.py, animation.py, singan.batch) from reusing one trained with other settings.

`validate` checks a file before anything is built from it, top down: its keys and their types (every float
and tensor finite: a NaN noise amplitude would give black images), the config by TrainConfig's rules, the
real pyramid by the geometry rule training uses (`pyramid.geometry_problem`, `pyramid.level_sizes`), each
finished scale against the networks the config builds and the size of its level, the count of finished
scales against the `complete` flag, and the resume state as strictly as the finished scales. The first
problem found is raised as `CheckpointInvalid`, one line.
"""

import dataclasses
import io
import math
import os
import pickle
import warnings
from pathlib import Path

import torch
from torch import Tensor

from ..core.config import TrainConfig
from ..core.model import SinGAN, TrainedScale
from ..core.networks import build_discriminator, build_generator, scale_widths
from ..core.pyramid import ScaleGeometry, geometry_problem, level_sizes
from ..core.training import LOSS_NAMES
from ..errors import SinGANError, api_error
from .atomic import atomic_path
from .images import file_kind

FORMAT = "singan"
VERSION = 1
SPEED_ONLY = ("cuda_graph",)  # flags that change how fast a model trains, not what it learns
# The schema: the keys of each dictionary in the file, and their types.
NONE = type(None)
TOP = {"format": str, "version": int, "name": str, "config": dict, "geometry": dict, "reals": list,
       "scales": list, "num_levels": int, "complete": bool, "resume": (dict, NONE)}
GEOMETRY = {"num_scales": int, "stop_scale": int, "scale1": float, "scale_factor": float}  # the original's names
GEOMETRY_FIELDS = {"num_scales": "full_size_levels", "stop_scale": "finest_level", "scale1": "input_resize",
                   "scale_factor": "scale_factor"}  # their ScaleGeometry fields
SCALE = {"netG": dict, "netD": (dict, NONE), "z_rec": Tensor, "noise_amp": float, "nfc": int, "min_nfc": int}
IN_PROGRESS = {"scale": int, "iteration": int, "netG": dict, "netD": dict, "optG": dict, "optD": dict,
               "z_rec": (Tensor, NONE), "prev_rec": Tensor, "noise_amp": float, "losses": dict, "rng": dict}


def to_state(model: SinGAN, resume: dict | None = None) -> dict:
    """The checkpoint dictionary of `model` (tensors on the CPU)."""
    cfg = model.config
    scales = []
    for n, s in enumerate(model.scales):
        nfc, min_nfc = scale_widths(n, cfg.nfc, cfg.min_nfc)
        scales.append({"netG": s.netG.state_dict(), "netD": None if s.netD is None else s.netD.state_dict(),
                       "z_rec": s.z_rec, "noise_amp": float(s.noise_amp), "nfc": nfc, "min_nfc": min_nfc})
    state = {"format": FORMAT, "version": VERSION, "name": model.name, "config": cfg.to_dict(),
             "geometry": geometry_state(model.geometry), "reals": list(model.reals), "scales": scales,
             "num_levels": len(model.reals), "complete": model.complete, "resume": resume}
    return _to_cpu(state)


def geometry_state(geometry: ScaleGeometry) -> dict:
    """The pyramid geometry as a checkpoint stores it (under the original's names)."""
    return {key: getattr(geometry, field) for key, field in GEOMETRY_FIELDS.items()}


def _to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: _to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_cpu(v) for v in obj)
    return obj


def save(model: SinGAN, path: str | Path, resume: dict | None = None) -> Path:
    """Atomically write `model` (and an optional resume state) to `path`."""
    path = Path(path)
    buffer = io.BytesIO()
    torch.save(to_state(model, resume), buffer)
    # Written from memory: a full disk or a file size limit is the write's OSError (ENOSPC, EFBIG), named in
    # the error as such (torch.save into the file reported it as "PytorchStreamWriter failed writing file").
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(buffer.getbuffer())
        f.flush()
        os.fsync(f.fileno())
    return path


def read_state(path: str | Path) -> dict:
    """Load a checkpoint dictionary and validate it (see `validate`); every failure is a one-line SinGANError."""
    path = Path(path)
    if path.is_dir():
        raise SinGANError(f"{path} is a folder, not a model file (the model is {path / 'model.pt'})")
    if path.exists() and not path.is_file():
        raise SinGANError(f"{path} is {file_kind(path)}, not a model file")
    if not path.is_file():
        raise SinGANError(f"no trained model at {path}: train first (main_train.py)")
    try:
        with warnings.catch_warnings():  # torch warns about a foreign pickle's protocol before refusing it
            warnings.simplefilter("ignore")
            state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:  # a pickle of Python objects (code): never unpickled
        raise SinGANError(f"cannot read checkpoint {path}: it holds Python objects or code, not only tensors "
                          "and plain data (refused: unpickling it could run code)") from None
    except Exception as e:  # truncated zip, classes outside the allow-list, ...
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SinGANError(f"cannot read checkpoint {path}: not a valid singan model file ({reason[:160]})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise SinGANError(f"{path} is not a singan checkpoint")
    version = state.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise SinGANError(f"{path} is not a valid singan checkpoint: its format version is {version!r}, not a number")
    if version != VERSION:
        newer = version > VERSION
        raise SinGANError(f"{path} has checkpoint format version {version}, {'newer' if newer else 'older'} than this "
                          f"singan reads ({VERSION}); {'upgrade singan' if newer else 'retrain the model'}")
    try:
        validate(state)
    except CheckpointInvalid as e:
        raise SinGANError(f"{path} is not a valid singan checkpoint: {e}") from None
    return state


def from_state(state: dict, device: torch.device | str = "cpu") -> SinGAN:
    """Rebuild the SinGAN (frozen generators in eval mode) from a checkpoint dictionary."""
    cfg = TrainConfig.from_dict(state["config"])
    model = SinGAN(config=cfg, geometry=stored_geometry(state["geometry"]),
                   reals=[r.to(device, torch.float32) for r in state["reals"]], name=state.get("name", ""))
    with torch.random.fork_rng(devices=[]):  # building the networks draws initial weights: leave the RNG as it was
        for n, s in enumerate(state["scales"]):
            netG = _frozen(build_generator(cfg, n), s["netG"], device)
            netD = None if s["netD"] is None else _frozen(build_discriminator(cfg, n), s["netD"], device)
            z_rec = s["z_rec"].to(device, torch.float32)  # float32 as the networks (a float64 file is converted)
            model.scales.append(TrainedScale(netG=netG, z_rec=z_rec, noise_amp=s["noise_amp"], netD=netD))
    return model


def _frozen(net: torch.nn.Module, weights: dict, device: torch.device | str) -> torch.nn.Module:
    net.load_state_dict(weights)
    return net.requires_grad_(False).eval().to(device)


def load(path: str | Path, device: torch.device | str = "cpu", allow_partial: bool = False) -> SinGAN:
    """Load a trained model. An unfinished one is refused (in the API's words and the command line's)
    unless `allow_partial`."""
    state = read_state(path)
    if not state["complete"] and not allow_partial:
        progress = (state["resume"] or {}).get("in_progress")
        where = f", scale {progress['scale'] + 1} stopped at iteration {progress['iteration']}" if progress else ""
        head = f"{path} is unfinished: {len(state['scales'])} of {state['num_levels']} scales trained{where}; "
        raise api_error(head + "continue its training (train_image with resume=True), or load it with "
                        "allow_partial=True to sample from the finished scales",
                        head + "continue it with the same training command plus --resume (main_train.py "
                        f"--input_name {state['name'] or '<image>'} ... --resume)", partial_hint=True)
    if not state["scales"]:
        raise api_error(f"{path} has no finished scale yet; continue its training (train_image with resume=True)",
                        f"{path} has no finished scale yet; continue its training with --resume")
    return from_state(state, device)


def check_existing(model_file: str | Path, config: TrainConfig, overwrite: bool, seed_given: bool = True) -> bool:
    """Whether the existing `model_file` can be used as it is (True); False: retrain it (--overwrite).
    A model trained with other settings and no --overwrite is a one-line SinGANError naming them. The seed
    counts only when `seed_given` (a seed drawn at random is whatever the stored model drew)."""
    stored = TrainConfig.from_dict(read_state(model_file)["config"])
    skip = set(SPEED_ONLY) | (set() if seed_given else {"manualSeed"})
    differences = ", ".join(f"--{f.name} {getattr(stored, f.name)} (asked: {getattr(config, f.name)})"
                            for f in dataclasses.fields(TrainConfig)
                            if f.name not in skip and getattr(stored, f.name) != getattr(config, f.name))
    if not differences:
        return True
    if overwrite:
        print(f"retraining {model_file} (--overwrite): it was trained with {differences}")
        return False
    raise SinGANError(f"{model_file} was trained with other settings: {differences}; "
                      "pass --overwrite to retrain it, or the same flags to use it")


class CheckpointInvalid(ValueError):
    """What is wrong with a checkpoint dictionary, in one line."""


def stored_geometry(geometry: dict) -> ScaleGeometry:
    """The ScaleGeometry of a checkpoint's geometry dict."""
    return ScaleGeometry(**{GEOMETRY_FIELDS[key]: geometry[key] for key in GEOMETRY})


def check_type(where: str, value, expected) -> None:
    """`value` is of the `expected` type(s); ints are not bools, floats and float tensors are finite."""
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
        types = expected if isinstance(expected, tuple) else (expected,)
        names = " or ".join("None" if t is NONE else "a tensor" if t is Tensor else t.__name__ for t in types)
        raise CheckpointInvalid(f"{where} is {shown[:40]}, expected {names}{' (finite)' * (expected is float)}")


def check_keys(where: str, data: dict, schema: dict) -> None:
    """Every key of `schema` is in `data`, with a value of its type."""
    missing = [key for key in schema if key not in data]
    if missing:
        raise CheckpointInvalid(f"{where} lacks the key{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    for key, expected in schema.items():
        check_type(f"{where}[{key!r}]", data[key], expected)


def check_tensor(where: str, value, shape: tuple, dtype: torch.dtype | None = None, why: str = "") -> None:
    """A finite tensor of exactly this shape (and dtype, when given); `why` explains the shape."""
    check_type(where, value, Tensor)
    if tuple(value.shape) != shape:
        raise CheckpointInvalid(f"{where} has shape {tuple(value.shape)}, expected {shape}{why}")
    if dtype is not None and value.dtype != dtype:
        raise CheckpointInvalid(f"{where} is a {str(value.dtype).removeprefix('torch.')} tensor, expected "
                                f"{str(dtype).removeprefix('torch.')}")


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
    problem = geometry_problem(stored_geometry(geometry), tuple(reals[-1].shape[-2:]), cfg.min_size)
    if problem:  # the rule training applies
        raise CheckpointInvalid(f"the pyramid breaks the geometry rule: {problem}")
    sizes = level_sizes(tuple(reals[-1].shape[-2:]), geometry["scale_factor"], geometry["stop_scale"])
    for i, (real, size) in enumerate(zip(reals, sizes)):
        if tuple(real.shape[-2:]) != size:
            raise CheckpointInvalid(f"reals[{i}] is {real.shape[2]}x{real.shape[3]} but the geometry makes "
                                    f"level {i} {size[0]}x{size[1]}")


def check_scale(where: str, data: dict, n: int, cfg: TrainConfig, real: Tensor, optimisers: bool = False) -> tuple:
    """What a finished scale and the one in training share: G_n and D_n's state dicts (D's may be None when
    finished), each key a finite tensor of the shape of a fresh network's (built on the meta device: no
    memory, no RNG), their optimisers' states (`optimisers`), a noise amplitude >= 0. Returns the padded
    size of the level, that of its noise maps."""
    with torch.random.fork_rng(devices=[]), torch.device("meta"):
        nets = {"netG": build_generator(cfg, n), "netD": build_discriminator(cfg, n)}
    for key, net in nets.items():
        weights, shapes = data[key], {k: tuple(v.shape) for k, v in net.state_dict().items()}
        if weights is None:
            continue
        if set(weights) != set(shapes):
            odd = sorted(set(weights) ^ set(shapes))
            raise CheckpointInvalid(f"{where}[{key!r}] does not match the network the config builds "
                                    f"(keys {', '.join(odd[:3])})")
        for name, shape in shapes.items():
            check_tensor(f"{where}[{key!r}][{name!r}]", weights[name], shape)
        if optimisers:
            opt = key.replace("net", "opt")
            check_optimizer(f"{where}[{opt!r}]", data[opt], [tuple(p.shape) for p in net.parameters()])
    if data["noise_amp"] < 0:
        raise CheckpointInvalid(f"{where}['noise_amp'] is {data['noise_amp']}, expected >= 0")
    return 1, cfg.nc_z, real.shape[-2] + 2 * cfg.pad, real.shape[-1] + 2 * cfg.pad


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


def _number(x):
    """A one-element tensor as a float (torch stores an Adam step and a learning rate either way)."""
    return float(x) if isinstance(x, Tensor) and x.numel() == 1 else x


def check_optimizer(where: str, opt: dict, param_shapes: list[tuple]) -> None:
    """An Adam state dict for these parameters: one group naming each, moments shaped like them."""
    check_keys(where, opt, {"state": dict, "param_groups": list})
    groups = opt["param_groups"]
    if len(groups) != 1 or not isinstance(groups[0], dict) or groups[0].get("params") != list(range(len(param_shapes))):
        raise CheckpointInvalid(f"{where} is not the optimiser state of this scale's {len(param_shapes)} parameters")
    check_type(f"{where} learning rate", _number(groups[0].get("lr")), float)
    betas = groups[0].get("betas")
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise CheckpointInvalid(f"{where} has betas {betas!r:.40}, expected two numbers")
    for beta in betas:
        check_type(f"{where} beta", beta, float)
    for key, st in opt["state"].items():
        if not (isinstance(key, int) and 0 <= key < len(param_shapes)) or not isinstance(st, dict):
            raise CheckpointInvalid(f"{where}['state'] has an entry {key!r:.20} for no parameter of this scale")
        here = f"{where}['state'][{key}]"
        check_keys(here, st, {"exp_avg": Tensor, "exp_avg_sq": Tensor})
        for name in ("exp_avg", "exp_avg_sq"):
            check_tensor(f"{here}[{name!r}]", st[name], param_shapes[key], torch.float32)
        step = _number(st.get("step"))
        check_type(f"{here}['step']", step, float)
        if step < 0:
            raise CheckpointInvalid(f"{here}['step'] is {step}, expected >= 0")


def check_in_progress(state: dict, progress: dict, cfg: TrainConfig) -> None:
    """The scale being trained when the run stopped: the next one, with networks, optimisers, reconstruction
    input, noise amplitude, losses and random state all of the shapes that scale trains with."""
    where, done = "resume['in_progress']", len(state["scales"])
    check_keys(where, progress, IN_PROGRESS)
    n, iteration = progress["scale"], progress["iteration"]
    if state["complete"] or n != done or not 0 <= iteration <= cfg.niter:
        raise CheckpointInvalid(f"the resume state is at scale {n}, iteration {iteration}, "
                                f"but {done} of {state['num_levels']} scales are finished")
    padded = check_scale(where, progress, n, cfg, state["reals"][n], optimisers=True)
    check_tensor(f"{where}['prev_rec']", progress["prev_rec"], padded, torch.float32)
    if progress["z_rec"] is not None or n > 0:
        check_tensor(f"{where}['z_rec']", progress["z_rec"], padded, torch.float32)
    for name in LOSS_NAMES:
        values = progress["losses"].get(name)
        if not isinstance(values, list) or len(values) != iteration:
            raise CheckpointInvalid(f"{where}['losses'][{name!r}] is not a list of {iteration} values (one per "
                                    "iteration done)")
        for v in values:
            check_type(f"{where}['losses'][{name!r}]", v, float)
    check_rng(f"{where}['rng']", progress["rng"])


def validate(state: dict) -> None:
    """Check a checkpoint dictionary against the schema; raise CheckpointInvalid on the first problem."""
    check_keys("the checkpoint", state, TOP)
    try:  # the rules TrainConfig declares, those between settings too; unknown keys are ignored
        cfg = TrainConfig.from_dict(state["config"]).validate()
    except SinGANError as e:
        raise CheckpointInvalid(f"config: {e}") from None
    check_reals(state, cfg)
    scales = state["scales"]
    if len(scales) > state["num_levels"] or state["complete"] != (len(scales) == state["num_levels"]):
        raise CheckpointInvalid(f"{len(scales)} of {state['num_levels']} scales are stored but it is marked "
                                f"{'complete' if state['complete'] else 'unfinished'}")
    for n, scale in enumerate(scales):
        where, real = f"scales[{n}]", state["reals"][n]
        check_type(where, scale, dict)
        check_keys(where, scale, SCALE)
        if (scale["nfc"], scale["min_nfc"]) != scale_widths(n, cfg.nfc, cfg.min_nfc):
            raise CheckpointInvalid(f"{where} has widths {scale['nfc']}/{scale['min_nfc']}, but the config gives "
                                    "{}/{}".format(*scale_widths(n, cfg.nfc, cfg.min_nfc)))
        padded = check_scale(where, scale, n, cfg, real)
        if not scale["z_rec"].is_floating_point():  # any floating point: loading converts it to float32
            raise CheckpointInvalid(f"{where}['z_rec'] is a {scale['z_rec'].dtype} tensor, expected floating point")
        check_tensor(f"{where}['z_rec']", scale["z_rec"], padded, why=f" (the padded size of reals[{n}])")
    resume = state["resume"]
    if resume is not None:
        check_keys("resume", resume, {"rng": dict, "in_progress": (dict, NONE)})
        check_rng("resume['rng']", resume["rng"])
        if resume["in_progress"] is not None:
            check_in_progress(state, resume["in_progress"], cfg)
