"""Result folders that hold one run's files: claimed atomically, filled in full, replaced as a whole.

`result_folder(folder, overwrite)` is what a command that writes a folder of samples holds while it
works. Claiming takes the folder's lock (`<folder>.lock`, as `singan.io.lock` locks a model for
training), so of two runs started at once on one folder exactly one writes; the other gets one line
naming it. An existing folder with files is refused unless `overwrite`. The run writes into a hidden
staging folder beside the target; when the block succeeds, the earlier run's sample files (`0.png`,
`1.png`, ...) are removed and the new ones moved in, so the folder never mixes two runs (ten old
samples and three new ones). When the block fails or is interrupted, the folder is left as it was,
and the folders the claim created are removed again.
"""

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SinGANError
from .atomic import write_error
from .lock import model_lock

RUN_FILE = re.compile(r"\d+\.png")  # what a sampling run writes: 0.png, 1.png, ...


def has_files(folder: str | Path) -> bool:
    folder = Path(folder)
    return folder.is_dir() and any(folder.iterdir())


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
    """Claim `folder` for this run and yield the staging folder to write into (see the module docstring)."""
    folder = Path(folder)
    created = []  # the folders the claim makes: those above `folder` that do not exist yet, deepest first
    for path in [folder.parent, *folder.parent.parents]:
        if path.exists():
            break
        created.append(path)
    try:
        with model_lock(folder, activity="written"):
            if has_files(folder) and not overwrite:
                raise SinGANError(f"output folder {folder} already exists; pass --overwrite to replace its samples")
            try:
                staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
            except OSError as e:
                raise write_error(folder, e) from None
            try:
                yield staging
                _replace(folder, staging)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    finally:
        if not folder.exists():  # nothing was written: remove the folders the claim made
            for path in created:
                try:
                    path.rmdir()
                except OSError:
                    break
