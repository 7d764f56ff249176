"""Writing output files atomically, with operating-system errors as one-line messages.

Every file the package writes (images, GIFs, figures, JSON, checkpoints) is written to a hidden
temporary file in the target's folder, then renamed over the target: a crash, a full disk or a
permission error leaves the old file or the complete new one, never half of one. The new file gets
the mode the user's umask gives (as `open` would), not a temporary file's 0600. An OS error
(permission denied, disk full, a folder that cannot be created) becomes a `SinGANError` naming the path.
"""

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SinGANError


def write_error(path: str | Path, error: OSError) -> SinGANError:
    """The one-line error for an OS error while writing `path` (marked `write_fault`: a command that was
    training adds how to continue once the cause, a full disk or a file size limit, is gone)."""
    text = str(error).strip()
    reason = error.strerror or (text.splitlines()[0][:160] if text else type(error).__name__)
    fault = SinGANError(f"cannot write {path}: {reason}")
    fault.write_fault = True
    return fault


def make_folder(folder: Path) -> None:
    """Create `folder` (and its parents); a one-line error when the OS refuses."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise write_error(folder, e) from None


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` (same suffix: writers pick the format from it), renamed over
    `path` when the block succeeds; on any failure removed, leaving `path` as it was."""
    path = Path(path)
    make_folder(path.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
        os.close(fd)
    except OSError as e:
        raise write_error(path, e) from None
    tmp = Path(name)
    try:
        yield tmp
        mask = os.umask(0)  # the mode `open` gives a new file: 0o666 minus the umask
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise write_error(path, e) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


INPUTS_FILE = "inputs.json"  # in an application's output folder: the input file each output was made from


def write_json(data: dict, path: str | Path, indent: int | None = 2) -> Path:
    """Atomically write `data` as JSON."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=indent) + "\n")
    return Path(path)


def record_input(output: str | Path, source: str | Path) -> None:
    """Note in <output's folder>/inputs.json that `output` was made from `source` (its absolute path), so
    that the figures find the input wherever it was (`singan.eval.figures`)."""
    output = Path(output)
    entries = {**recorded_inputs(output.parent), output.name: str(Path(source).absolute())}
    write_json(dict(sorted(entries.items())), output.parent / INPUTS_FILE)


def recorded_inputs(folder: str | Path) -> dict[str, str]:
    """{output file name: input path} from `folder`/inputs.json; {} when there is none (or it is unreadable)."""
    try:
        entries = json.loads((Path(folder) / INPUTS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {name: path for name, path in entries.items() if isinstance(path, str)} if isinstance(entries, dict) else {}
