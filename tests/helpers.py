"""Small shared helpers for the tests: tiny configs and running the real scripts."""

import os
import subprocess
import sys
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
    from singan.fid_inception import pytorch_fid_inception

    pytorch_fid_inception()  # imports torchvision (see fid_inception._ops_missing_fake_guard)
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
    from singan.fid_inception import WEIGHTS_FILE

    folder.mkdir(parents=True, exist_ok=True)
    torch.save(random_fid_state_dict(seed), folder / WEIGHTS_FILE)
    return folder / WEIGHTS_FILE


def untrained_model_file(path: Path, image: str = "balloons.png", **config) -> Path:
    """A complete checkpoint of `image` whose scales hold freshly initialised networks: a model to
    sample from, in no time and without training (for tests of the commands' checks)."""
    import torch

    from singan import build_model, checkpoint
    from singan.images import read_image
    from singan.model import TrainedScale
    from singan.training import new_scale_networks

    torch.manual_seed(0)
    cfg = tiny_config(**config)
    model = build_model(read_image(IMAGES / image, cfg.nc_im), cfg, name=image)
    for n, real in enumerate(model.reals):
        netG, netD = new_scale_networks(model, n)
        netG.eval()
        h, w = real.shape[-2:]
        z_rec = torch.zeros(1, cfg.nc_z, h + 2 * cfg.pad, w + 2 * cfg.pad)
        if n == 0:
            z_rec.normal_()
        model.scales.append(TrainedScale(netG=netG, z_rec=z_rec, noise_amp=1.0 if n == 0 else 0.1, netD=netD))
    return checkpoint.save(model, path)


def run_command(command: str, argv: list[str], cwd: Path, monkeypatch, capsys) -> subprocess.CompletedProcess:
    """`singan.commands.<command>.run(argv)` in `cwd`, in this process (no interpreter start-up): the
    exit status and output as a subprocess run would give them."""
    import importlib

    monkeypatch.chdir(cwd)
    module = importlib.import_module(f"singan.commands.{command}")
    capsys.readouterr()
    try:
        module.run([str(a) for a in argv])
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
