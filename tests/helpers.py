"""Small shared helpers for the tests: tiny configs and running the real scripts."""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

from singan import TrainConfig

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "input" / "images"

# A tiny pyramid: balloons.png resized to 30x40 gives 2 scales (25x34, 30x40).
TINY = dict(min_size=25, max_size=40, niter=30)

# Tiny convolutions run as fast on one thread, and far faster when the machine is busy.
ENV = {**os.environ, "OMP_NUM_THREADS": "1",
       "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
# As a user of a fresh clone runs the scripts: no PYTHONPATH, so a script must find the package itself.
CLONE_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "OMP_NUM_THREADS": "1"}


def paused_command(scale: int, iteration: int, folder: Path, script: str, *args: str) -> list[str]:
    """`python script args` that stops before `iteration` of `scale`, creates folder/paused and waits for a
    signal (or folder/release): see tests/paused.py."""
    return [sys.executable, str(REPO / "tests" / "paused.py"), str(scale), str(iteration), str(folder),
            str(REPO / script), *args]


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    """Until `path` exists; fails if `proc` ends first or after `timeout` seconds (a machine that is slow)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the process ended ({proc.returncode}) before {path.name} appeared"
        assert time.monotonic() < deadline, f"{path.name} did not appear within {timeout} s"
        time.sleep(0.05)


@contextlib.contextmanager
def file_permissions_apply():
    """Within: file permissions hold for this thread even when it runs as root (CI containers do). Root
    writes into read-only folders through the capabilities CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and
    CAP_FOWNER: they are lowered from the thread's effective set (capset(2)) and raised again after."""
    if os.geteuid() != 0:
        yield
        return
    import ctypes

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3, this thread
    assert libc.capget(ctypes.byref(header), data) == 0, os.strerror(ctypes.get_errno())
    saved = data[0].effective
    data[0].effective &= ~(1 << 1 | 1 << 2 | 1 << 3)
    assert libc.capset(ctypes.byref(header), data) == 0, os.strerror(ctypes.get_errno())
    try:
        yield
    finally:
        data[0].effective = saved
        libc.capset(ctypes.byref(header), data)


def tiny_config(**overrides) -> TrainConfig:
    return TrainConfig(**{**TINY, **overrides})


def _run(command: list[str], cwd: Path, check: bool, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(command, cwd=cwd, env={**ENV, **(env or {})}, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"{command[1:3]} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def run_script(script: str, *args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run a top-level script of the repo as a user would, in `cwd`."""
    return _run([sys.executable, str(REPO / script), *args], cwd, check)


def run_module(module: str, *args: str, cwd: Path, check: bool = True,
               env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m <module> ...` in `cwd` on the CPU, with the repository importable (and `env` added)."""
    return _run([sys.executable, "-m", module, *args, "--device", "cpu"], cwd, check, env)


def random_fid_state_dict(seed: int = 0) -> dict:
    """Random values under every key, in every shape, of the FID Inception weights (made here, nothing
    downloaded): the keys of torchvision's Inception-v3 skeleton that pytorch-fid loads them into.
    Batch-norm variances and scales positive; He-scaled weights keep the activations of order one."""
    from singan.eval.fid_inception import pytorch_fid_inception

    pytorch_fid_inception()  # imports torchvision (see its docstring)
    import torchvision

    skeleton = torchvision.models.inception_v3(num_classes=1008, aux_logits=False, weights=None, init_weights=False)
    g = torch.Generator().manual_seed(seed)
    state = {}
    for key, value in skeleton.state_dict().items():
        if key.endswith("num_batches_tracked"):
            state[key] = value
        elif key.endswith(("running_var", "bn.weight")):
            state[key] = torch.rand(value.shape, generator=g) + 0.5
        elif key.endswith(("running_mean", "bn.bias")):
            state[key] = torch.randn(value.shape, generator=g) * 0.1
        else:
            state[key] = torch.randn(value.shape, generator=g) * (2 / value[0].numel()) ** 0.5
    return state


def fid_weights_file(folder: Path, seed: int = 0) -> Path:
    """<folder>/pt_inception-2015-12-05-6726825d.pth holding random_fid_state_dict(seed)."""
    from singan.eval.fid_inception import WEIGHTS_FILE

    folder.mkdir(parents=True, exist_ok=True)
    torch.save(random_fid_state_dict(seed), folder / WEIGHTS_FILE)
    return folder / WEIGHTS_FILE


def random_model(image: str | Path = "balloons.png", *, scales: int | None = None, noise_amp: float = 0.1,
                 seed: int = 0, **config):
    """The pyramid of `image` (a name in input/images, or a path) under tiny_config(**config) whose first
    `scales` scales (default: all, a complete model) hold freshly initialised networks (G and D, in eval mode,
    frozen): a SinGAN to sample from, in no time and without training. Scale 0 has noise amplitude 1 and
    random reconstruction noise, the others `noise_amp` and zeros, as training leaves them."""
    from singan import build_model
    from singan.core.model import TrainedScale
    from singan.core.training import new_scale_networks
    from singan.io.images import read_image

    torch.manual_seed(seed)
    cfg = tiny_config(**config)
    model = build_model(read_image(IMAGES / image, cfg.nc_im), cfg, name=Path(image).name)
    for n, real in enumerate(model.reals[:scales]):
        netG, netD = (net.eval().requires_grad_(False) for net in new_scale_networks(model, n))
        h, w = real.shape[-2:]
        z_rec = torch.zeros(1, cfg.nc_z, h + 2 * cfg.pad, w + 2 * cfg.pad)
        if n == 0:
            z_rec.normal_()
        model.scales.append(TrainedScale(netG=netG, z_rec=z_rec, noise_amp=1.0 if n == 0 else noise_amp, netD=netD))
    return model


def untrained_model_file(path: Path, image: str | Path = "balloons.png", **config) -> Path:
    """`random_model(image, **config)` saved as a complete checkpoint at `path` (for tests of the commands'
    checks: a model to load and sample from without training)."""
    from singan.io import checkpoint

    return checkpoint.save(random_model(image, **config), path)


def run_command(command: str, argv: list[str], cwd: Path, monkeypatch, capsys) -> subprocess.CompletedProcess:
    """The command `singan.cli.<command>` run on `argv` by `singan.cli.program.run_command` in `cwd`, in this process
    (no interpreter start-up): the exit status and output as a subprocess run would give them."""
    import importlib

    from singan.cli import program

    monkeypatch.chdir(cwd)
    module = importlib.import_module(f"singan.cli.{command}")
    capsys.readouterr()
    try:
        program.run_command(module, [str(a) for a in argv])
        code = 0
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return subprocess.CompletedProcess([command, *argv], code, out.out, out.err)


def assert_same_checkpoints(a: dict, b: dict) -> None:
    """Two checkpoint dictionaries hold bit-identical scales: G and D tensors, z_rec and noise amplitudes."""
    for sa, sb in zip(a["scales"], b["scales"], strict=True):
        for key in ("netG", "netD"):
            for name, t in sa[key].items():
                assert torch.equal(t, sb[key][name]), (key, name)
        assert torch.equal(sa["z_rec"], sb["z_rec"]) and sa["noise_amp"] == sb["noise_amp"]


def in_progress_state(model, n: int, iteration: int = 0) -> dict:
    """A well-formed resume state of `model` stopped at scale `n` after `iteration` iterations (untrained
    networks of that scale, as `ScaleTrainer.state` writes it): {'rng': ..., 'in_progress': ...}."""
    from singan.core.training import LOSS_NAMES, ScaleTrainer, new_scale_networks

    trainer = ScaleTrainer(model, n, *new_scale_networks(model, n))
    trainer.begin()
    losses = {k: [0.5] * iteration for k in LOSS_NAMES}
    progress = trainer.state(iteration, losses)
    return {"rng": progress["rng"], "in_progress": progress}
