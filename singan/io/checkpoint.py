"""Checkpoints: one file per trained model, readable with torch.load(weights_only=True).

The file holds only plain data and tensors: the config, the pyramid geometry, the real pyramid, and per
finished scale the G and D state dicts, the reconstruction noise map and the noise amplitude; plus the state
needed to resume an interrupted run. No modules or code are pickled. Writes are atomic (`singan.io.atomic`):
a crash never leaves a half-written checkpoint. `check_existing` keeps a command that trains a model only
when it is missing (SR.py, animation.py, singan.batch) from reusing one trained with other settings.
"""

import dataclasses
import io
import os
import pickle
import warnings
from pathlib import Path

import torch

from ..core.config import TrainConfig
from ..core.model import SinGAN, TrainedScale
from ..core.networks import build_discriminator, build_generator, scale_widths
from ..core.pyramid import ScaleGeometry
from ..errors import SinGANError, api_error
from .atomic import atomic_path
from .images import file_kind
from .schema import GEOMETRY_FIELDS, CheckpointInvalid, stored_geometry, validate

FORMAT = "singan"
VERSION = 1
SPEED_ONLY = ("cuda_graph",)  # flags that change how fast a model trains, not what it learns


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
