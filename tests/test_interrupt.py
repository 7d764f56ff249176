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


def test_resumed_overwrite_retrain_replaces_the_old_models_samples(tmp_path):
    """Ctrl-C an --overwrite retrain, run the --resume command it prints: the samples are the new model's
    (written after its last save, and different), not the old model's left in place."""
    args = ["--input_dir", str(IMAGES), "--input_name", "balloons.png", "--not_cuda", "--max_size", "40",
            "--niter", "10", "--num_samples", "2", "--save_every", "100000"]
    run_script("main_train.py", *args, "--manualSeed", "0", cwd=tmp_path)
    samples = tmp_path / "Output/RandomSamples/balloons/scale_factor=0.750000,alpha=10/gen_start_scale=0"
    old = {p.name: p.read_bytes() for p in samples.iterdir()}
    assert sorted(old) == ["0.png", "1.png"]

    retrain = [*args, "--manualSeed", "1", "--overwrite"]
    with open(tmp_path / "stderr.txt", "w") as err:
        proc = subprocess.Popen(paused_command(1, 2, tmp_path, "main_train.py", *retrain), cwd=tmp_path, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=err,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            wait_for(tmp_path / "paused", proc)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=300) == 130
        finally:
            proc.kill()
    last = (tmp_path / "stderr.txt").read_text().strip().splitlines()[-1]
    assert {p.name: p.read_bytes() for p in samples.iterdir()} == old  # interrupted: the folder as it was

    done = subprocess.run(shlex.split(last.split("to continue: ", 1)[1]), cwd=tmp_path, env=ENV,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"2 random samples: {samples.relative_to(tmp_path)}" in done.stdout, done.stdout
    model_saved = (tmp_path / MODEL).stat().st_mtime_ns
    assert all(p.stat().st_mtime_ns >= model_saved for p in samples.iterdir())
    assert sorted(p.name for p in samples.iterdir()) == ["0.png", "1.png"]
    assert {p.name: p.read_bytes() for p in samples.iterdir()} != old
