"""Every benchmark script under bench/ starts and prints its help (they import the package's internals,
so a refactoring that breaks one shows here rather than at the next measurement)."""

import subprocess
import sys

import pytest

from helpers import CLONE_ENV, REPO

SCRIPTS = sorted(p.name for p in (REPO / "bench").glob("*.py"))


def test_the_benchmarks_are_all_here():
    assert {"compare_original.py", "original_driver.py", "train_speed.py", "sample_speed.py",
            "batch_throughput.py"} <= set(SCRIPTS)


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_prints_its_help(script):
    proc = subprocess.run([sys.executable, str(REPO / "bench" / script), "--help"], cwd=REPO, env=CLONE_ENV,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage:") and "--" in proc.stdout
