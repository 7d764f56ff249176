"""Test set-up: the package and tests/helpers.py importable; the shared folder located.

The shared folder (the original's test vectors, its code in baseline/, the datasets) sits beside the
repository in CI, or where `$SINGAN_SHARED` says. A clone without it runs every test that does not
need it; those that do skip, saying what is missing.
"""

import atexit
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]
torch.set_num_threads(1)  # the tests' tiny convolutions: as fast on one thread, far faster on a busy machine

# A shell without job control starts `pytest ... &` with Ctrl-C ignored, and the commands and servers the tests
# start would inherit that: the tests of Ctrl-C need Python's own handler, as a terminal gives it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# No test downloads the FID Inception weights or sees the user's copy: an empty torch hub cache, and a
# download address where nothing listens (refused at once). Tests that need weights make them.
os.environ["TORCH_HOME"] = tempfile.mkdtemp(prefix="singan-tests-torch-home-")
atexit.register(shutil.rmtree, os.environ["TORCH_HOME"], True)
os.environ["SINGAN_FID_WEIGHTS_URL"] = "http://127.0.0.1:9/pt_inception-2015-12-05-6726825d.pth"


def shared_dir() -> Path:
    """`$SINGAN_SHARED`, else the `shared/` folder beside the repository (as CI has it)."""
    return Path(os.environ.get("SINGAN_SHARED", REPO.parent / "shared"))


def _need(folder: Path, what: str) -> Path:
    if not folder.is_dir():
        pytest.skip(f"{what} not found in {folder}: put the shared folder beside the repository or set SINGAN_SHARED")
    return folder


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared folder, with the original's stored test vectors in reference/ (else the test skips)."""
    return _need(shared_dir() / "reference", "the original's test vectors (reference/)").parent


@pytest.fixture(scope="session")
def baseline() -> Path:
    """The unmodified original, runnable through its shim (else the test skips)."""
    folder = _need(shared_dir() / "baseline", "the original SinGAN (baseline/)")
    return _need(folder / "original", "the original SinGAN (baseline/original/)").parent
