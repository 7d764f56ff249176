"""The unmodified 2019 original, trained on this machine: the reference the trajectory tests compare with.

Convolutions round differently on different CPUs (oneDNN picks other kernels for AVX2, AVX-512 and AMX),
so the original's own weights differ from machine to machine: the claim that holds everywhere is "the
same weights as the original trained here, with the same number of threads". `original_weights` runs
the original's main_train.py through the baseline's shim (`baseline/run_legacy.py`, which keeps the
current folder, so its TrainedModels/ lands in a temporary one) and reads back what it saved.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch


def original_weights(baseline: Path, image: Path, flags: list[str], threads: int, work: Path) -> dict:
    """Train the original on `image` with `flags` in `work`; its tensors as numpy arrays under the keys
    scale<s>/netG/<name>, scale<s>/netD/<name>, scale<s>/z_opt, scale<s>/real and scale<s>/noise_amp,
    and 'scales' (their number)."""
    command = [sys.executable, str(baseline / "run_legacy.py"), "main_train.py", "--input_dir", str(image.parent),
               "--input_name", image.name, "--not_cuda", *flags]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    env.pop("PYTHONPATH", None)  # the original imports its own SinGAN package, not this project
    proc = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"the original failed:\n{proc.stderr[-3000:]}"
    (folder,) = (work / "TrainedModels" / image.stem).iterdir()
    load = lambda path: torch.load(path, map_location="cpu", weights_only=False)  # noqa: E731 (its pickles)
    noise_amp, reals = load(folder / "NoiseAmp.pth"), load(folder / "reals.pth")
    out: dict = {"scales": len(reals)}
    for s in range(len(reals)):
        for net in ("netG", "netD"):
            for name, t in load(folder / str(s) / f"{net}.pth").items():
                out[f"scale{s}/{net}/{name}"] = t.detach().numpy()
        out[f"scale{s}/z_opt"] = load(folder / str(s) / "z_opt.pth").detach().numpy()
        out[f"scale{s}/real"] = reals[s].detach().numpy()
        out[f"scale{s}/noise_amp"] = np.float32(float(noise_amp[s]))
    return out
