"""Faults during training (issue 32): the models folder on a full file system, or a file size limit
(`ulimit -f`) below the checkpoint's size. The run ends with one line naming the file and the cause
and the command that continues it; the checkpoint before the fault is intact, loads and resumes.
And Ctrl-C during a batch: one line.
"""

import errno
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import time

import pytest

from helpers import ENV, IMAGES, REPO, run_command, untrained_model_file
from singan.io import checkpoint

pytestmark = pytest.mark.slow  # every test here trains (2 scales of 5 iterations)

TRAIN = ["--input_dir", str(IMAGES), "--input_name", "birds.png", "--max_size", "40", "--min_size", "25",
         "--niter", "5", "--device", "cpu", "--num_samples", "1", "--manualSeed", "1"]
MODEL = "TrainedModels/birds/scale_factor=0.750000,alpha=10/model.pt"


def last_line(stderr: str) -> str:
    """The last line of stderr, progress bars' carriage returns counted as line ends."""
    return re.split(r"[\r\n]+", stderr.strip())[-1]


def assert_one_line_fault(proc, cause: str) -> str:
    """Exit 2, no traceback, the error as the last line (after the bar), naming the checkpoint, the cause and
    the command that continues; returns that command."""
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    line = last_line(proc.stderr)
    assert sum(s.startswith("error:") for s in re.split(r"[\r\n]+", proc.stderr)) == 1, proc.stderr
    assert line.startswith(f"error: cannot write {MODEL}: {cause}"), line
    assert "the last checkpoint is kept, to continue once that is fixed: " in line and line.endswith(" --resume")
    return line.split("to continue once that is fixed: ")[1]


def assert_one_scale_checkpoint(path):
    """The checkpoint written before the fault: it loads, with the first of the two scales done."""
    state = checkpoint.read_state(path)
    assert len(state["scales"]) == 1 and state["num_levels"] == 2


def test_file_size_limit_below_the_checkpoint(tmp_path):
    """`ulimit -f` between the one-scale and the two-scale checkpoint's size, in a real subprocess: the second
    save fails with 'File too large', the first stays, and the printed command finishes the run."""
    full = untrained_model_file(tmp_path / "full.pt", image="birds.png", max_size=40, min_size=25).stat().st_size
    (tmp_path / "full.pt").unlink()
    limit = int(0.75 * full)  # one scale's checkpoint is about half of it

    def set_limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run([sys.executable, str(REPO / "main_train.py"), *TRAIN], cwd=tmp_path, env=ENV,
                          capture_output=True, text=True, timeout=600, preexec_fn=set_limit)
    command = assert_one_line_fault(proc, "File too large")
    assert_one_scale_checkpoint(tmp_path / MODEL)
    assert not list((tmp_path / MODEL).parent.glob(".model.*"))  # no temporary file left behind

    resumed = subprocess.run(shlex.split(command), cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert checkpoint.load(tmp_path / MODEL).complete


def test_full_file_system_at_a_checkpoint(tmp_path, monkeypatch, capsys):
    """The disk fills up at the second checkpoint (the write raises ENOSPC): one line, 'No space left on
    device', the first checkpoint intact; --resume continues from it once there is space."""
    real_open, saves = open, []

    class FullDisk:
        def __init__(self, path, mode):
            self.file = real_open(path, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def full_on_second_save(path, mode="r", *args, **kwargs):
        saves.append(path)
        return FullDisk(path, mode) if len(saves) == 2 else real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(checkpoint, "open", full_on_second_save, raising=False)
    proc = run_command("train", TRAIN, tmp_path, monkeypatch, capsys)
    assert_one_line_fault(proc, "No space left on device")
    assert_one_scale_checkpoint(tmp_path / MODEL)

    monkeypatch.undo()
    resumed = run_command("train", [*TRAIN, "--resume"], tmp_path, monkeypatch, capsys)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stdout and checkpoint.load(tmp_path / MODEL).complete


def test_ctrl_c_during_a_batch_is_one_line(tmp_path):
    """Ctrl-C while a batch trains: the bar's line ends and the interruption is the one line after it (no
    trail of progress bars, no stack from Ray)."""
    folder = tmp_path / "images"
    folder.mkdir()
    for name in ("birds.png", "balloons.png"):
        shutil.copy(IMAGES / name, folder / name)
    out = tmp_path / "stdout.txt"
    with open(out, "w") as stdout:
        proc = subprocess.Popen([sys.executable, "-m", "singan.batch", "--input_dir", str(folder), "--out",
                                 str(tmp_path / "out"), "--max_size", "40", "--min_size", "25", "--niter", "2000",
                                 "--device", "cpu", "--num_samples", "2"], cwd=tmp_path, env=ENV, stdout=stdout,
                                stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 300
        while "training" not in out.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    lines = re.split(r"[\r\n]+", err.strip())
    assert lines[-1] == "interrupted (SIGINT)" and "Traceback" not in err, err
    assert err.rstrip().endswith("\ninterrupted (SIGINT)"), err  # on a line of its own, after the bar's
