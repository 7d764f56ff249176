"""Small shared helpers for the tests: tiny configs and running the real scripts."""

import subprocess
import sys
from pathlib import Path

from singan import TrainConfig

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "input" / "images"

# A tiny pyramid: balloons.png resized to 30x40 gives 2 scales (25x34, 30x40).
TINY = dict(min_size=25, max_size=40, niter=30)


def tiny_config(**overrides) -> TrainConfig:
    return TrainConfig(**{**TINY, **overrides})


def run_script(script: str, *args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run a top-level script of the repo as a user would, in `cwd`, on the CPU."""
    proc = subprocess.run([sys.executable, str(REPO / script), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"{script} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc
