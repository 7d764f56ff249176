"""One training of a model at a time: a lock file beside the model file, holding the owner's pid.

`model_lock(model_file)` holds `<model_file>.lock` for the duration of a `with` block. The
holder keeps an exclusive `flock` on the file and writes its pid into it; a second holder
(another training or a resume of the same model) gets a one-line SinGANError naming that pid.
A lock left behind by a process that died (killed, machine crashed) is stale: nobody holds its
flock and its pid is not running, so it is taken over. The file is removed when the block ends.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import SinGANError
from .outputs import make_folder, write_error

try:
    import fcntl
except ImportError:  # Windows: the pid alone decides
    fcntl = None


def lock_path(model_file: str | Path) -> Path:
    """`<model_file>.lock`, beside the model file."""
    model_file = Path(model_file)
    return model_file.with_name(model_file.name + ".lock")


def _zombie(pid: int) -> bool:
    """Whether the process has exited but not been reaped (Linux; False where it cannot be told)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid is running (on this machine); an exited, unreaped one is not."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return not _zombie(pid)


def _recorded_pid(fd: int) -> int | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 64).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None


def _try_flock(fd: int) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _busy_error(model_file: Path, path: Path, pid: int | None, activity: str = "trained") -> SinGANError:
    who = f"process {pid}" if pid is not None else "another process"
    doing = "training it" if activity == "trained" else f"writing {model_file}"
    return SinGANError(f"{model_file} is being {activity} by {who} (lock file {path}); wait for it to finish, or "
                       f"delete the lock file if that process is not {doing}")


def _acquire(model_file: Path, path: Path, activity: str = "trained") -> int:
    """Open and lock the lock file (taking over a stale one); return its descriptor."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as e:
            raise write_error(path, e) from None
        pid = _recorded_pid(fd)
        if not _try_flock(fd) or (pid is not None and pid != os.getpid() and pid_alive(pid)):
            os.close(fd)
            raise _busy_error(model_file, path, pid, activity)
        try:  # the file we locked may have been removed by its previous holder in the meantime
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


def locked_by(model_file: str | Path) -> int | None:
    """The pid holding the lock of `model_file` (-1 when it cannot be told), or None when it is free or stale."""
    path = lock_path(model_file)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        pid = _recorded_pid(fd)
        if not _try_flock(fd):
            return -1 if pid is None else pid
        return pid if pid is not None and pid != os.getpid() and pid_alive(pid) else None
    finally:
        os.close(fd)  # also releases a flock taken here


def check_free(model_file: str | Path) -> None:
    """Raise the one-line error when another process holds the lock of `model_file` (nothing is written)."""
    pid = locked_by(model_file)
    if pid is not None:
        raise _busy_error(Path(model_file), lock_path(model_file), None if pid < 0 else pid)


@contextmanager
def model_lock(model_file: str | Path, activity: str = "trained") -> Iterator[Path]:
    """Hold the lock of `model_file` for the block; SinGANError naming the holder's pid when it is taken.
    (`activity` names what the holder does in that message: a result folder is locked as "written".)"""
    model_file = Path(model_file)
    path = lock_path(model_file)
    make_folder(path.parent)
    fd = _acquire(model_file, path, activity)
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)
