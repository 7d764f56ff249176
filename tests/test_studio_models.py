"""The studio's server side without a browser: uploads checked before anything is written, the listing and
its states (a model whose lock a training holds is busy, and is not trained twice), the plan shown before a
training, and the command: its flags, the --host note, the address, Ctrl-C."""

import os
import signal
import socket
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image

from helpers import IMAGES, REPO
from singan import SinGANError, TrainConfig
from singan.api import build_model
from singan.apps import sr
from singan.io import checkpoint
from singan.io.images import read_image
from singan.io.lock import model_lock
from singan.studio import models

TINY = TrainConfig(max_size=40, min_size=25, niter=5)


@pytest.fixture
def model_file(tmp_path):
    """An untrained model's checkpoint (no scale trained yet) where the studio lists it."""
    path = tmp_path / "models" / "balloons" / "scale_factor=0.750000,alpha=10" / "model.pt"
    checkpoint.save(build_model(read_image(IMAGES / "balloons.png"), TINY, name="balloons.png"), path)
    return path


def _png_header(width: int, height: int) -> bytes:
    """A PNG file with a header and no pixels (an empty data chunk): enough for Pillow to refuse its size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_upload_checks_write_nothing(tmp_path, monkeypatch):
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(SinGANError, match=r"^notes.png is not an image \(PNG, JPEG, ...\): nothing was stored$"):
        models.store_photo(tmp_path / "notes.png", tmp_path / "photos")
    Image.fromarray(np.zeros((1, models.MAX_UPLOAD_SIDE + 1, 3), np.uint8)).save(tmp_path / "wide.png")
    with pytest.raises(SinGANError, match=r"^wide.png is 1x4097; the studio takes images up to 4096 pixels"):
        models.store_photo(tmp_path / "wide.png", tmp_path / "photos")
    (tmp_path / "bomb.png").write_bytes(_png_header(30000, 30000))  # 900 M pixels: refused from the header alone
    with pytest.raises(SinGANError, match=r"^bomb.png is larger than Pillow opens; the studio takes images up to"):
        models.check_upload(tmp_path / "bomb.png")
    Image.new("RGB", (1, 5000)).save(tmp_path / "tall.png")
    with pytest.raises(SinGANError, match=r"^tall.png is 5000x1; the studio takes images up to 4096 pixels"):
        models.check_upload(tmp_path / "tall.png")
    monkeypatch.setattr(models, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(SinGANError, match=r"^balloons.png is 0 MB; uploads may be 0 MB at most"):
        models.check_upload(IMAGES / "balloons.png")
    with pytest.raises(SinGANError, match="upload the photo first"):
        models.check_upload(None)
    assert not (tmp_path / "photos").exists()


def test_store_photo_keeps_another_file_of_that_name(tmp_path):
    stored = models.store_photo(IMAGES / "balloons.png", tmp_path / "photos")
    assert stored.read_bytes() == (IMAGES / "balloons.png").read_bytes()
    assert models.store_photo(IMAGES / "balloons.png", tmp_path / "photos") == stored  # the same photo again
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "balloons.png").write_bytes((IMAGES / "birds.png").read_bytes())
    with pytest.raises(SinGANError, match="another balloons.png is already in"):
        models.store_photo(tmp_path / "other" / "balloons.png", tmp_path / "photos")
    assert stored.read_bytes() == (IMAGES / "balloons.png").read_bytes()


def test_listing_and_busy_model(model_file, tmp_path):
    root = tmp_path / "models"
    assert models.list_models(root) == {"balloons/scale_factor=0.750000,alpha=10": model_file}
    assert models.model_status(model_file) == "0 of 2 scales trained"
    with model_lock(model_file):  # as a command-line training holds it
        assert models.model_status(model_file) == "busy"
        with pytest.raises(SinGANError, match="is being trained by process"):
            models.start_training(IMAGES / "balloons.png", tmp_path / "photos", TINY, model_file, "cpu",
                                  resume=True, overwrite=False)
    with pytest.raises(SinGANError, match="exists .0 of 2 scales trained.; tick resume to continue it or overwrite"):
        models.start_training(IMAGES / "balloons.png", tmp_path / "photos", TINY, model_file, "cpu",
                              resume=False, overwrite=False)
    assert models.list_models(tmp_path / "nothing") == {}
    assert not list(model_file.parent.glob("*.json"))  # no training was started
    assert not (tmp_path / "photos").exists()  # and the photo was not stored


def test_plan_before_training():
    scales, seconds, line = models.plan_training(IMAGES / "balloons.png", TINY, None, "cpu")
    assert scales == 2 and 0 < seconds < 60
    assert line.startswith("2 scales from 25x34 to 30x40, 5 iterations each: about ") and "CPU" in line
    with pytest.raises(SinGANError, match="min_size"):
        models.plan_training(IMAGES / "balloons.png", TrainConfig(max_size=40, min_size=50), None, "cpu")
    sr_cfg = sr.sr_config(TrainConfig(max_size=40, niter=5, **sr.SR_TRAINING), 4.0)  # SR.py's pyramid
    planned = models.plan_training(IMAGES / "balloons.png", sr_cfg, 4.0, "cpu")
    assert planned[2].startswith("5 scales from 18x24 to 30x40")


def test_bad_flags_are_one_line():
    proc = subprocess.run([sys.executable, "-m", "singan.studio", "--port", "0"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.strip() == "error: --port 0: must be an integer in [1, 65535]"


@pytest.mark.slow
def test_serves_warns_for_another_host_and_stops_on_ctrl_c(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "singan.studio", "--host", "0.0.0.0", "--port", str(port),
                             "--models_dir", str(tmp_path / "models")], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    lines = [proc.stdout.readline().strip(), proc.stdout.readline().strip()]
    assert lines == [f"note: listening on 0.0.0.0: anyone who can reach port {port} can use this studio",
                     f"SinGAN Studio: http://0.0.0.0:{port}"]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert out.strip().splitlines()[-1] == "SinGAN Studio stopped"


def test_a_training_that_dies_says_why(tmp_path):
    model_file = tmp_path / "balloons" / "model.pt"
    model_file.parent.mkdir()
    with open(models.log_path(model_file), "w") as log:
        process = subprocess.Popen([sys.executable, "-c", "print('killed: out of memory'); raise SystemExit(3)"],
                                   stdout=log, stderr=subprocess.STDOUT)
    process.wait(timeout=60)
    report = models.Training(process, model_file).progress()
    assert report["state"] == "error" and report["message"] == "the training process ended (3): killed: out of memory"
