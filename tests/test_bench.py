"""Every benchmark script under bench/ runs for real on a tiny configuration and prints its table, as a
user of a fresh clone runs it (no PYTHONPATH): a refactoring or a flag that breaks one shows here rather
than at the next measurement. The figures themselves are not asserted (they are timings)."""

import os
import re
import subprocess
import sys

import pytest

from helpers import CLONE_ENV, IMAGES, REPO, untrained_model_file

SCRIPTS = sorted(p.name for p in (REPO / "bench").glob("*.py"))
OWN_TESTS = {"upscale.py", "upscale_quality.py"}  # tested beside the feature it measures
DRIVEN = {"original_driver.py"}  # the subprocess half of compare_original.py, run by it


def _bench(script: str, *args: str, cwd, env=None) -> str:
    proc = subprocess.run([sys.executable, str(REPO / "bench" / script), *args], cwd=cwd, env=env or CLONE_ENV,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc.stdout


def test_every_benchmark_has_a_real_run_here():
    assert {"compare_original.py", "original_driver.py", "train_speed.py", "sample_speed.py",
            "batch_throughput.py"} <= set(SCRIPTS)
    runs = {name.removeprefix("test_").removesuffix("_prints_its_table") + ".py"
            for name in globals() if name.startswith("test_") and name.endswith("_prints_its_table")}
    assert set(SCRIPTS) - OWN_TESTS - DRIVEN <= runs, "a bench script without a test that runs it"


@pytest.mark.slow
def test_train_speed_prints_its_table(tmp_path):
    out = _bench("train_speed.py", "--input_dir", str(IMAGES), "--input_name", "balloons.png", "--iters", "1",
                 "--scales", "0", "1", "--device", "cpu", cwd=tmp_path)
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("scale"))
    assert [line.split()[0] for line in lines[header + 1:header + 3]] == ["0", "1"]
    assert "GFLOP/it" in lines[header] and "projected training time" in out


@pytest.mark.slow
def test_sample_speed_prints_its_table(tmp_path):
    model = untrained_model_file(tmp_path / "model.pt")
    out = _bench("sample_speed.py", "--model", str(model), "--num_samples", "2", "--device", "cpu", cwd=tmp_path)
    assert "batched/s" in out and "30x40" in out and "30x80" in out and "speed-up" in out, out


@pytest.mark.slow
def test_progress_estimate_prints_its_table(tmp_path):
    out = _bench("progress_estimate.py", "--input_dir", str(IMAGES), "--max_size", "40", "--niter", "3",
                 cwd=tmp_path)
    assert out.startswith("balloons.png, 2 scales, niter 3, cpu") and "estimate from scale 1" in out, out
    assert "measured (median per scale)" in out and "estimate from scales 1-2" in out, out


def test_no_test_reads_the_clock():
    """How fast the machine runs is measured in bench/, never asserted in a test (not even as a ratio); the
    tests' clocks are deadlines (time.monotonic) that only bound a wait for a process."""
    clocks = re.compile(r"perf_counter|process_time")
    tests = [p.name for p in (REPO / "tests").glob("*.py")
             if p.name != "test_bench.py" and clocks.search(p.read_text())]
    assert tests == [], tests


@pytest.mark.slow
def test_memory_model_prints_its_table(tmp_path):
    out = _bench("memory_model.py", "--max_size", "40", "--train_size", "40", "--num_samples", "2",
                 "--out_side", "60", "--sr_factor", "2", "--num_frames", "2", cwd=tmp_path)
    rows = [line.split()[0] for line in out.splitlines()[2:-1]]
    assert rows == ["train", "sample", "chain", "sr", "animation", "patches"], out
    assert out.splitlines()[-1].startswith("estimate / measure from "), out


@pytest.mark.slow
def test_batch_throughput_prints_its_table(tmp_path):
    out = _bench("batch_throughput.py", "--images", "2", "--niter", "3", cwd=tmp_path)
    assert out.startswith("2 images, niter 3, max_size 40") and "Ray batch" in out and "speed-up:" in out, out


@pytest.mark.slow
def test_compare_original_prints_its_table(tmp_path, baseline):
    env = {**CLONE_ENV, "SINGAN_SHARED": str(baseline.parent)}
    out = _bench("compare_original.py", "--images", "balloons.png", "--max_size", "40", "--niter", "4", "--seeds",
                 "1", "--num_samples", "4", "--out", str(tmp_path / "work"), cwd=tmp_path, env=env)
    assert "balloons.png seed 1 (30x40, 2 scales; real images differ by 0; noise amplitudes identical at 2/2" in out
    assert out.splitlines()[-1].startswith("ratio this/original: time "), out
    assert os.path.isfile(tmp_path / "work" / "balloons_seed1" / "original" / "driver.log")
