"""Ctrl-C during training saves the state of the current iteration and prints the command that
continues; that command ends on the weights of an uninterrupted run."""

import shlex
import signal
import subprocess
import sys

import pytest
import torch

from helpers import ENV, IMAGES, REPO, assert_same_checkpoints, paused_command, run_script, wait_for

pytestmark = pytest.mark.slow

NITER = 40
PAUSE = 7  # the iteration of scale 0 that the signal lands in
ARGS = ["--input_dir", str(IMAGES), "--input_name", "balloons.png", "--not_cuda", "--max_size", "40",
        "--niter", str(NITER), "--manualSeed", "5", "--num_samples", "0", "--save_every", "100000"]
MODEL = "TrainedModels/balloons/scale_factor=0.750000,alpha=10/model.pt"


COMMAND = [sys.executable, str(REPO / "main_train.py"), *ARGS]


def _interrupt_during_first_scale(cwd):
    """Start training, send SIGINT while it is paused before iteration PAUSE of scale 0 (tests/paused.py:
    a known point on any machine); returns (exit code, stderr)."""
    log = cwd / "stderr.txt"
    with open(log, "w") as err:
        proc = subprocess.Popen(paused_command(0, PAUSE, cwd, "main_train.py", *ARGS), cwd=cwd, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=err,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # also in background
        try:
            wait_for(cwd / "paused", proc)
            proc.send_signal(signal.SIGINT)
            return proc.wait(timeout=300), log.read_text()
        finally:
            proc.kill()


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
    assert not state["complete"] and (progress["scale"], progress["iteration"]) == (0, PAUSE + 1)  # finished it
    assert len(progress["losses"]["errD"]) == progress["iteration"]

    done = subprocess.run(resume, cwd=stopped, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Random Seed" not in done.stdout  # a resumed run continues its saved random state
    run_script("main_train.py", *ARGS, cwd=full)
    a, b = torch.load(full / MODEL, weights_only=True), torch.load(stopped / MODEL, weights_only=True)
    assert b["complete"]
    assert_same_checkpoints(a, b)
