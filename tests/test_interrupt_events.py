"""Ctrl-C outside the training loop: at start-up (while torch imports), during the start-up resize, during
the sampling that follows training. The printed command always works, and what it resumes ends complete.

No test here depends on timing: each interrupt is raised at an observable event (an import starting, a
function being called, the n-th sample being written), not after a sleep.
"""

import shlex
import signal
import subprocess
import sys

import pytest

from helpers import ENV, IMAGES, REPO, run_command
from singan.cli import program as cli

TRAIN = ["--input_dir", str(IMAGES), "--input_name", "balloons.png", "--device", "cpu", "--max_size", "40",
         "--niter", "2", "--manualSeed", "3"]
SAMPLES = "Output/RandomSamples/balloons/scale_factor=0.750000,alpha=10/gen_start_scale=0"
MODEL = "TrainedModels/balloons/scale_factor=0.750000,alpha=10/model.pt"

# Runs main_train.py with a SIGINT sent to the process itself when the import of `module` starts
# (singan: right after the launcher held the signals, before torch is imported; singan.cli.train: after torch).
SIGINT_AT_IMPORT = """
import os, signal, sys, runpy
target = sys.argv.pop(1)
class SigintAtImport:
    def find_spec(self, name, path=None, target_module=None):
        if name == target:
            assert target != "singan" or "torch" not in sys.modules
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, SigintAtImport())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("module", ["singan", "singan.cli.train", pytest.param("numpy", marks=pytest.mark.slow),
                                    "torch.nn"])
def test_sigint_while_the_command_imports_ends_in_the_promised_line(tmp_path, module):
    script = str(REPO / "main_train.py")
    proc = subprocess.run([sys.executable, "-c", SIGINT_AT_IMPORT, module, script, *TRAIN], cwd=tmp_path, env=ENV,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 130 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("interrupted (SIGINT); nothing was done yet, to start again: "), lines[0]
    assert shlex.split(lines[0].split("to start again: ", 1)[1]) == [sys.executable, script, *TRAIN]
    assert "Random Seed" not in proc.stdout and list(tmp_path.iterdir()) == []


def _interrupt_when(monkeypatch, target: str, calls: int = 1):
    """Raise KeyboardInterrupt (what Ctrl-C raises) at the `calls`-th call of `target`."""
    import importlib

    for loaded in ("singan.api", "singan.core.training", "singan.cli.train"):  # bound by name before patching
        importlib.import_module(loaded)
    module, name = target.rsplit(".", 1)
    original = getattr(importlib.import_module(module), name)
    seen = []

    def interrupted(*args, **kwargs):
        seen.append(1)
        if len(seen) == calls:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(target, interrupted)


def _printed_argv(err: str, how: str) -> list[str]:
    """The flags of the command printed after `how` ('to continue: ' or 'to start again: ')."""
    last = err.strip().splitlines()[-1]
    assert last.startswith("interrupted (SIGINT)") and how in last, err
    words = shlex.split(last.split(how, 1)[1])
    return words[words.index("--input_dir"):]


@pytest.mark.slow
def test_sigint_while_sampling_after_training_resumes_to_the_full_set(tmp_path, monkeypatch, capsys):
    """Ctrl-C at the 4th of 6 samples (of an --overwrite run): the printed command (--resume, without
    --overwrite, which --resume refuses) writes the whole set. The sample folder holds one run's files
    only (singan.io.lock), so the interrupted run leaves no partial set behind, and the resumed run
    keeps the finished model (it does not train again)."""
    argv = [*TRAIN, "--num_samples", "6", "--overwrite"]
    with monkeypatch.context() as m:
        _interrupt_when(m, "singan.io.images.save_image", calls=4)
        proc = run_command("train", argv, tmp_path, m, capsys)
    assert proc.returncode == 130 and "Traceback" not in proc.stderr, proc.stderr
    resume = _printed_argv(proc.stderr, "to continue: ")
    assert resume == [*TRAIN, "--num_samples", "6", "--resume"]
    samples = tmp_path / SAMPLES
    assert not samples.exists() or not any(samples.iterdir())  # no partial set
    model_file = next(tmp_path.glob("TrainedModels/*/*/model.pt"))
    trained = model_file.read_bytes()

    done = run_command("train", resume, tmp_path, monkeypatch, capsys)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in samples.iterdir()) == [f"{i}.png" for i in range(6)]
    assert "6 random samples" in done.stdout and model_file.read_bytes() == trained


@pytest.mark.slow
def test_sigint_during_the_start_up_resize_prints_a_command_that_works(tmp_path, monkeypatch, capsys):
    """Nothing is saved before the pyramid is built: the printed command starts again (no --resume,
    which would find nothing to resume), and it trains."""
    argv = [*TRAIN, "--num_samples", "1"]
    with monkeypatch.context() as m:
        _interrupt_when(m, "singan.api.build_pyramid")  # the resize of the pyramid, before any save
        proc = run_command("train", argv, tmp_path, m, capsys)
    assert proc.returncode == 130 and "Traceback" not in proc.stderr, proc.stderr
    again = _printed_argv(proc.stderr, "nothing was saved yet, to start again: ")
    assert again == argv and not (tmp_path / MODEL).exists()
    done = run_command("train", again, tmp_path, monkeypatch, capsys)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / MODEL).is_file()


def test_the_resume_command_drops_overwrite():
    command = shlex.split(cli.resume_command(["--input_name", "a.png", "--overwrite"]))
    assert command[-3:] == ["--input_name", "a.png", "--resume"]


def test_sigterm_stops_cleanly_once_start_up_ends():
    """After the start-up deferral (as singan_launch holds the signals) the command's SIGTERM handler is in place,
    so GracefulStop hands a SIGTERM on to it (exit 143 with the resume line), not to the default (killed)."""
    from singan.runtime import interrupt

    seen = []
    interrupt.defer_startup()
    parser = cli.parser("test")
    cli.run(lambda args: seen.append(signal.getsignal(signal.SIGTERM)), parser, ["--device", "cpu"])
    assert seen == [cli._raise_interrupt]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
