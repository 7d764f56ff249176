"""One training of a model at a time: the lock file beside the model, its holder's pid, stale locks.

A lock is held by an flock (filelock), not by the pid in the file: the kernel drops the flock of a process
that dies, so a lock file left behind never blocks, whatever pid it names (a dead one, or a reused one)."""

import os
import signal
import subprocess
import sys

import pytest

from helpers import ENV, IMAGES, REPO, tiny_config, wait_for
from singan import SinGANError, load, train_image
from singan.io.lock import check_free, lock_path, locked_by, model_lock

HOLD = """
import sys, time
from singan.io.lock import model_lock
with model_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


def _holder(model_file):
    """A child process that holds the lock of `model_file` until killed."""
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(model_file)], env=ENV, cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "locked"
    return child


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_lock_file_holds_the_pid_and_is_removed(tmp_path):
    model_file = tmp_path / "m" / "model.pt"
    with model_lock(model_file) as path:
        assert path == lock_path(model_file) == tmp_path / "m" / "model.pt.lock"
        assert path.read_text().strip() == str(os.getpid())
    assert not path.exists()


def test_lock_is_released_after_an_error(tmp_path):
    with pytest.raises(KeyboardInterrupt), model_lock(tmp_path / "model.pt"):
        raise KeyboardInterrupt
    assert not lock_path(tmp_path / "model.pt").exists()
    with model_lock(tmp_path / "model.pt"):
        pass


def test_second_holder_is_refused_with_the_pid_then_a_killed_holder_is_taken_over(tmp_path):
    model_file = tmp_path / "model.pt"
    child = _holder(model_file)
    try:
        with pytest.raises(SinGANError, match=rf"being trained by process {child.pid} \(lock file .*model.pt.lock\)"):
            with model_lock(model_file):
                pass
        assert lock_path(model_file).read_text().strip() == str(child.pid)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert lock_path(model_file).exists() and locked_by(model_file) is None  # left behind: stale
    check_free(model_file)
    with model_lock(model_file) as path:
        assert path.read_text().strip() == str(os.getpid())


def test_stale_lock_of_a_dead_pid_is_taken_over(tmp_path):
    lock_path(tmp_path / "model.pt").write_text(f"{_dead_pid()}\n")
    with model_lock(tmp_path / "model.pt") as path:
        assert path.read_text().strip() == str(os.getpid())


def test_lock_file_naming_a_running_process_that_does_not_hold_it_is_taken_over(tmp_path):
    # A pid in a lock file nobody holds is no proof of a training: the pid may have been reused.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_path(tmp_path / "model.pt").write_text(f"{child.pid}\n")
        assert locked_by(tmp_path / "model.pt") is None
        with model_lock(tmp_path / "model.pt") as path:
            assert path.read_text().strip() == str(os.getpid())
    finally:
        child.kill()
        child.wait()


def test_check_free_names_the_holder_and_a_second_claim_in_this_process_is_refused(tmp_path):
    model_file = tmp_path / "model.pt"
    with model_lock(model_file):
        assert locked_by(model_file) == os.getpid()
        with pytest.raises(SinGANError, match=f"being trained by process {os.getpid()}"):
            check_free(model_file)
        with pytest.raises(SinGANError, match=f"being written by process {os.getpid()}"):
            with model_lock(model_file, activity="written"):
                pass
        assert lock_path(model_file).read_text().strip() == str(os.getpid())  # the refused claim left it alone
    assert locked_by(model_file) is None and not lock_path(model_file).exists()


def test_train_image_holds_the_lock_for_the_whole_run(tmp_path, monkeypatch):
    seen = []

    def fake_train(model, previews, **kwargs):
        seen.append(lock_path(tmp_path / "model.pt").read_text().strip())
        return model

    monkeypatch.setattr("singan.api.run_training", fake_train)
    train_image(IMAGES / "balloons.png", tiny_config(), tmp_path / "model.pt", progress=False)
    assert seen == [str(os.getpid())] and not lock_path(tmp_path / "model.pt").exists()


def test_train_image_refuses_while_another_process_trains(tmp_path, monkeypatch):
    monkeypatch.setattr("singan.api.run_training", lambda *a, **k: pytest.fail("trained despite the lock"))
    child = _holder(tmp_path / "model.pt")
    try:
        with pytest.raises(SinGANError, match=f"process {child.pid}"):
            train_image(IMAGES / "balloons.png", tiny_config(), tmp_path / "model.pt", progress=False)
    finally:
        child.kill()
        child.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt.lock"]  # the holder's, nothing else


TRAIN = """
import sys
sys.path[:0] = ["tests", "."]
from helpers import IMAGES, tiny_config
from singan import train_image
if len(sys.argv) > 2:  # the first: paused before its first iteration until the test releases it
    import paused
    paused.install(0, 0, paused.Path(sys.argv[2]))
train_image(IMAGES / "balloons.png", tiny_config(niter=10), sys.argv[1], progress=False)
"""


@pytest.mark.slow
def test_two_concurrent_trainings_one_refuses_nothing_lost(tmp_path):
    model_file = tmp_path / "model.pt"
    with open(tmp_path / "first.txt", "w") as log:
        first = subprocess.Popen([sys.executable, "-c", TRAIN, str(model_file), str(tmp_path)], env=ENV, cwd=REPO,
                                 stderr=log)
        try:
            wait_for(tmp_path / "paused", first)  # holds the lock, trains on once released
            assert lock_path(model_file).read_text().strip() == str(first.pid)
            second = subprocess.run([sys.executable, "-c", TRAIN, str(model_file)], env=ENV, cwd=REPO,
                                    capture_output=True, text=True, timeout=300)
            assert second.returncode != 0 and f"being trained by process {first.pid}" in second.stderr
            (tmp_path / "release").touch()
            assert first.wait(timeout=600) == 0, (tmp_path / "first.txt").read_text()
        finally:
            first.kill()
    assert load(model_file).complete and not lock_path(model_file).exists()
