"""Every output is written atomically: OS errors are one-line SinGANErrors naming the path, nothing half-written
is left, an existing file survives a failed write, and new files get the user's umask."""

import errno
import json
import os
import stat

import numpy as np
import pytest
import torch

from helpers import file_permissions_apply
from singan import SinGANError
from singan.apps.animation import save_animation
from singan.io.atomic import atomic_path, write_json
from singan.io.images import save_image, save_images
from singan.io.previews import ScalePreviews

IMAGE = torch.zeros(1, 3, 6, 7)


def _files(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_atomic_path_renames_and_uses_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_path(tmp_path / "sub" / "a.txt") as tmp:
            assert tmp.parent == tmp_path / "sub" and tmp.name.endswith(".txt") and tmp.name.startswith(".")
            tmp.write_text("hello")
    finally:
        os.umask(old)
    assert (tmp_path / "sub" / "a.txt").read_text() == "hello"
    assert stat.S_IMODE((tmp_path / "sub" / "a.txt").stat().st_mode) == 0o640
    assert _files(tmp_path) == ["a.txt"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.png"
    target.write_bytes(b"old")
    with pytest.raises(SinGANError) as info, atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(info.value) == f"cannot write {target}: No space left on device"
    assert target.read_bytes() == b"old" and _files(tmp_path) == ["a.png"]


def test_other_errors_propagate_and_clean_up(tmp_path):
    with pytest.raises(ValueError), atomic_path(tmp_path / "a.png") as tmp:
        tmp.write_bytes(b"half")
        raise ValueError("a bug")
    assert _files(tmp_path) == []


def test_folder_that_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(SinGANError, match=r"^cannot write .*file.*: "):
        save_image(tmp_path / "file" / "out" / "a.png", IMAGE)


def test_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with file_permissions_apply(), pytest.raises(SinGANError, match="Permission denied"):  # as root too
            save_image(folder / "a.png", IMAGE)
    finally:
        folder.chmod(0o700)


def test_disk_full_while_saving_images(tmp_path, monkeypatch):
    def full(path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"\x89PNG partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("PIL.Image.Image.save", lambda self, path, *a, **k: full(path))
    with pytest.raises(SinGANError, match=r"a\.png: No space left on device$"):
        save_image(tmp_path / "a.png", IMAGE)
    assert _files(tmp_path) == []


def test_every_writer_is_whole_and_leaves_no_temporary(tmp_path):
    save_images(tmp_path / "samples", torch.zeros(2, 3, 6, 7))
    save_animation(tmp_path / "a.gif", np.zeros((3, 6, 7, 3), np.uint8), fps=5)
    write_json({"x": 1}, tmp_path / "e.json")
    ScalePreviews(tmp_path).losses(0, {"errD": [1.0, 0.5], "errG": [1.0, 0.2], "rec": [0.3, 0.1]})
    assert _files(tmp_path) == ["0.png", "1.png", "a.gif", "e.json", "losses.png"]
    assert json.loads((tmp_path / "e.json").read_text()) == {"x": 1}
    assert (tmp_path / "a.gif").read_bytes()[:3] == b"GIF"
    assert (tmp_path / "0" / "losses.png").read_bytes()[:4] == b"\x89PNG"
