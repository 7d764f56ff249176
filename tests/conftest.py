"""Test set-up: the package and tests/helpers.py importable; the shared reference folder located."""

import os
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]
torch.set_num_threads(1)  # the tests' tiny convolutions: as fast on one thread, far faster on a busy machine


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
