"""An interrupted run (SIGKILL mid-scale) resumes and ends with the same weights as an uninterrupted one."""

import os
import signal
import subprocess

import pytest
import torch

from helpers import ENV, IMAGES, assert_same_checkpoints, paused_command, run_script, wait_for

pytestmark = pytest.mark.slow  # every test here trains

ARGS = ["--input_dir", str(IMAGES), "--input_name", "balloons.png", "--not_cuda", "--min_size", "25",
        "--max_size", "40", "--niter", "16", "--manualSeed", "3", "--num_samples", "0"]
SAVE_ALWAYS = ["--save_every", "0"]  # a mid-scale checkpoint after every iteration
MODEL = "TrainedModels/balloons/scale_factor=0.750000,alpha=10/model.pt"


def _state(path):
    return torch.load(path, weights_only=True)


def _kill_mid_scale(cwd, scale, iteration):
    """Start training and SIGKILL it while paused before `iteration` of `scale` (tests/paused.py), its
    checkpoint saved after every iteration; returns the iteration the checkpoint holds."""
    proc = subprocess.Popen(paused_command(scale, iteration, cwd, "main_train.py", *ARGS, *SAVE_ALWAYS), cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    try:
        wait_for(cwd / "paused", proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        proc.kill()
    progress = _state(cwd / MODEL)["resume"]["in_progress"]
    assert (progress["scale"], progress["iteration"]) == (scale, iteration)
    return iteration


def test_sigkill_then_resume_matches_uninterrupted_run(tmp_path):
    full, killed = tmp_path / "full", tmp_path / "killed"
    full.mkdir()
    killed.mkdir()
    run_script("main_train.py", *ARGS, cwd=full)

    _kill_mid_scale(killed, scale=1, iteration=3)
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
