"""Test set-up: the package and tests/helpers.py importable; the shared reference folder located."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]
torch.set_num_threads(1)  # the tests' tiny convolutions: as fast on one thread, far faster on a busy machine

# No test downloads the FID Inception weights or sees the user's copy: an empty torch hub cache, and a
# download address where nothing listens (refused at once). Tests that need weights make them.
os.environ["TORCH_HOME"] = tempfile.mkdtemp(prefix="singan-tests-torch-home-")
atexit.register(shutil.rmtree, os.environ["TORCH_HOME"], True)
os.environ["SINGAN_FID_WEIGHTS_URL"] = "http://127.0.0.1:9/pt_inception-2015-12-05-6726825d.pth"


def shared_dir() -> Path:
    """`$SINGAN_SHARED`, else the `shared/` folder beside the repository (as CI has it)."""
    path = Path(os.environ.get("SINGAN_SHARED", REPO.parent / "shared"))
    if not (path / "reference").is_dir():
        pytest.fail(f"reference test vectors not found in {path}/reference: put the shared folder beside "
                    "the repository or set SINGAN_SHARED")
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_dir()
