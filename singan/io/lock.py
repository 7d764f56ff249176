"""One run at a time: a model trained by one process, a result folder written by one run.

`model_lock(model_file)` holds `<model_file>.lock` (a `filelock.FileLock`, an flock) for a `with` block
and writes its pid into it; a second holder gets a one-line SinGANError naming that pid. The kernel
drops the flock of a process that dies, so a lock left by a killed process never blocks, whatever pid
its file names. The file is removed when the block ends.

`result_folder(folder, overwrite)` is what a command that writes a folder of samples holds while it
works: the folder's lock (`<folder>.lock`), so of two runs started at once on one folder exactly one
writes. An existing folder with files is refused unless `overwrite`. The run writes into a hidden
staging folder beside the target; when the block succeeds, the earlier run's sample files (`0.png`,
`1.png`, ...) are removed and the new ones moved in, so the folder never mixes two runs (ten old
samples and three new ones). When the block fails or is interrupted, the folder is left as it was,
and the folders the claim created are removed again.
"""

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import takewhile
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import SinGANError
from .atomic import make_folder, write_error

RUN_FILE = re.compile(r"\d+\.png")  # what a sampling run writes: 0.png, 1.png, ...


def lock_path(model_file: str | Path) -> Path:
    """`<model_file>.lock`, beside the model file."""
    model_file = Path(model_file)
    return model_file.with_name(model_file.name + ".lock")


def _write_pid(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


def _busy_error(model_file: str | Path, activity: str = "trained") -> SinGANError:
    path, pid = lock_path(model_file), locked_by(model_file)
    who = f"process {pid}" if pid is not None and pid > 0 else "another process"
    doing = "training it" if activity == "trained" else f"writing {model_file}"
    return SinGANError(f"{model_file} is being {activity} by {who} (lock file {path}); wait for it to finish, or "
                       f"delete the lock file if that process is not {doing}")


def locked_by(model_file: str | Path) -> int | None:
    """The pid holding the lock of `model_file` (-1 when it cannot be told), or None when nobody holds it."""
    try:
        fd = os.open(lock_path(model_file), os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # a probe: it fails while a holder has the lock
        return None
    except OSError:
        text = os.pread(fd, 64, 0).decode(errors="replace").strip()
        return int(text) if text.isdigit() else -1
    finally:
        os.close(fd)  # also releases the probe's lock


def check_free(model_file: str | Path) -> None:
    """Raise the one-line error when another process holds the lock of `model_file` (nothing is written)."""
    if locked_by(model_file) is not None:
        raise _busy_error(model_file)


@contextmanager
def model_lock(model_file: str | Path, activity: str = "trained") -> Iterator[Path]:
    """Hold the lock of `model_file` for the block (see the module); `activity`: what the holder does, in its error."""
    path = lock_path(model_file)
    make_folder(path.parent)
    try:
        lock = FileLock(path, blocking=False, on_acquired=_write_pid).acquire()
    except Timeout:
        raise _busy_error(model_file, activity) from None
    except OSError as e:
        raise write_error(path, e) from None
    with lock:
        try:
            yield path
        finally:  # removed while still held (filelock retries a lock file it finds unlinked once it has locked it)
            path.unlink(missing_ok=True)


def has_files(folder: str | Path) -> bool:
    return Path(folder).is_dir() and any(Path(folder).iterdir())


def _replace(folder: Path, staging: Path) -> None:
    """Remove the earlier run's files from `folder`, move the staged ones in; drop `folder` if left empty."""
    try:
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            if RUN_FILE.fullmatch(old.name) and old.is_file():
                old.unlink()
        for new in staging.iterdir():
            os.replace(new, folder / new.name)
        if not any(folder.iterdir()):
            folder.rmdir()
    except OSError as e:
        raise write_error(folder, e) from None


@contextmanager
def result_folder(folder: str | Path, overwrite: bool) -> Iterator[Path]:
    """Claim `folder` for this run and yield the staging folder to write into (see the module's docstring)."""
    folder = Path(folder)
    # the folders the claim makes: those above `folder` that do not exist yet, deepest first
    created = list(takewhile(lambda path: not path.exists(), [folder.parent, *folder.parent.parents]))
    try:
        with model_lock(folder, activity="written"):
            if has_files(folder) and not overwrite:
                raise SinGANError(f"output folder {folder} already exists; pass --overwrite to replace its samples")
            try:
                staging = tempfile.TemporaryDirectory(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent,
                                                      ignore_cleanup_errors=True)
            except OSError as e:
                raise write_error(folder, e) from None
            with staging:
                yield Path(staging.name)
                _replace(folder, Path(staging.name))
    finally:
        if not folder.exists():  # nothing was written: remove the folders the claim made
            for path in created:
                try:
                    path.rmdir()
                except OSError:
                    break
