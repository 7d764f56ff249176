"""An interrupted run (SIGKILL mid-scale) resumes and ends with the same weights as an uninterrupted one."""

import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from helpers import ENV, IMAGES, REPO, assert_same_checkpoints, run_script

pytestmark = pytest.mark.slow  # every test here trains

ARGS = ["--input_dir", str(IMAGES), "--input_name", "balloons.png", "--not_cuda", "--min_size", "25",
        "--max_size", "40", "--niter", "16", "--manualSeed", "3", "--num_samples", "0"]
SAVE_ALWAYS = ["--save_every", "0"]  # a mid-scale checkpoint after every iteration
MODEL = "TrainedModels/balloons/scale_factor=0.750000,alpha=10/model.pt"


def _state(path):
    return torch.load(path, weights_only=True)


def _kill_mid_scale(cwd, scale, min_iteration):
    """Start training and SIGKILL it once a checkpoint shows `scale` in progress past `min_iteration`."""
    proc = subprocess.Popen([sys.executable, str(REPO / "main_train.py"), *ARGS, *SAVE_ALWAYS], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    model = cwd / MODEL
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                progress = (_state(model)["resume"] or {}).get("in_progress")
            except Exception:  # not written yet
                progress = None
            if progress and progress["scale"] == scale and progress["iteration"] >= min_iteration:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return progress["iteration"]
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            proc.kill()
    raise AssertionError("training finished or timed out before it could be interrupted")


def test_sigkill_then_resume_matches_uninterrupted_run(tmp_path):
    full, killed = tmp_path / "full", tmp_path / "killed"
    full.mkdir()
    killed.mkdir()
    run_script("main_train.py", *ARGS, cwd=full)

    _kill_mid_scale(killed, scale=1, min_iteration=3)
    partial = _state(killed / MODEL)
    assert not partial["complete"] and len(partial["scales"]) == 1  # an unfinished model is marked so

    # Sampling from an unfinished model needs --allow_partial:
    proc = run_script("random_samples.py", "--input_name", "balloons.png", "--mode", "random_samples",
                      "--not_cuda", cwd=killed, check=False)
    assert proc.returncode == 2 and "1 of 2 scales" in proc.stderr

    run_script("main_train.py", *ARGS, *SAVE_ALWAYS, "--resume", cwd=killed)
    a, b = _state(full / MODEL), _state(killed / MODEL)
    assert b["complete"]
    assert_same_checkpoints(a, b)
