"""Ctrl-C during training saves the state of the current iteration and prints the command that
continues; that command ends on the weights of an uninterrupted run."""

import shlex
import signal
import subprocess
import sys
import time

import pytest
import torch

from helpers import ENV, IMAGES, REPO, assert_same_checkpoints, run_script

pytestmark = pytest.mark.slow

NITER = 40
ARGS = ["--input_dir", str(IMAGES), "--input_name", "balloons.png", "--not_cuda", "--max_size", "40",
        "--niter", str(NITER), "--manualSeed", "5", "--num_samples", "0", "--save_every", "100000"]
MODEL = "TrainedModels/balloons/scale_factor=0.750000,alpha=10/model.pt"


COMMAND = [sys.executable, str(REPO / "main_train.py"), *ARGS]


def _interrupt_during_first_scale(cwd):
    """Start training, send SIGINT once the first scale is under way; returns (exit code, stderr)."""
    log = cwd / "stderr.txt"
    with open(log, "w") as err:
        proc = subprocess.Popen(COMMAND, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=err,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # also in background
        deadline = time.monotonic() + 120
        while "scale 1/2" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        return proc.wait(timeout=120), log.read_text()


def test_sigint_saves_the_current_iteration_and_resume_finishes(tmp_path):
    full, stopped = tmp_path / "full", tmp_path / "stopped"
    full.mkdir()
    stopped.mkdir()
    code, err = _interrupt_during_first_scale(stopped)
    assert code == 130, err
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err and last.startswith("interrupted (SIGINT)"), err
    resume = shlex.split(last.split("to continue: ", 1)[1])
    assert resume == [*COMMAND, "--resume"]
    state = torch.load(stopped / MODEL, weights_only=True)
    progress = state["resume"]["in_progress"]
    assert not state["complete"] and progress["scale"] == 0 and 0 < progress["iteration"] < NITER
    assert len(progress["losses"]["errD"]) == progress["iteration"]

    done = subprocess.run(resume, cwd=stopped, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Random Seed" not in done.stdout  # a resumed run continues its saved random state
    run_script("main_train.py", *ARGS, cwd=full)
    a, b = torch.load(full / MODEL, weights_only=True), torch.load(stopped / MODEL, weights_only=True)
    assert b["complete"]
    assert_same_checkpoints(a, b)
