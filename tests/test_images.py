"""Image files of every common kind read into [-1, 1] tensors; bad files give one-line errors; PNGs round-trip."""

import struct
import warnings
import zlib

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import io
from skimage.color import rgb2gray
from torch import Tensor

from singan import SinGANError
from singan.io.images import read_image, save_image, save_images, to_numpy_image

RGB = np.random.RandomState(0).randint(0, 256, (12, 17, 3)).astype(np.uint8)
GRAY = RGB[..., 0]


def _original(u8: np.ndarray) -> Tensor:
    """The original read path on H x W x C pixels: / 255 in float64, float32, norm, first 3 channels."""
    x = torch.from_numpy(u8.transpose(2, 0, 1)[None] / 255).float()
    return ((x - 0.5) * 2).clamp(-1, 1)[:, :3]


def _write_png16(path, pixels: np.ndarray) -> None:
    """A minimal 16-bit PNG writer (Pillow cannot write 16-bit RGB); pixels H x W x C uint16."""
    h, w, c = pixels.shape
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 16, {1: 0, 3: 2}[c], 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
                     + chunk(b"IEND", b""))


def test_rgb_png_and_jpeg_take_the_original_path(tmp_path):
    Image.fromarray(RGB).save(tmp_path / "a.png")
    Image.fromarray(RGB).save(tmp_path / "a.jpg", quality=90)
    for name in ("a.png", "a.jpg"):
        x = read_image(tmp_path / name)
        assert x.shape == (1, 3, 12, 17) and x.dtype == torch.float32
        assert torch.equal(x, _original(io.imread(tmp_path / name))), name
    assert torch.equal(read_image(tmp_path / "a.png"), _original(RGB))


def test_opaque_rgba_drops_alpha_silently(tmp_path):
    Image.fromarray(np.dstack([RGB, np.full_like(GRAY, 255)])).save(tmp_path / "o.png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert torch.equal(read_image(tmp_path / "o.png"), _original(RGB))


def test_transparent_rgba_and_gray_alpha_note_one_line_and_drop_alpha(tmp_path, capsys):
    Image.fromarray(np.dstack([RGB, np.full_like(GRAY, 100)])).save(tmp_path / "t.png")
    Image.fromarray(np.dstack([GRAY, np.full_like(GRAY, 100)]), mode="LA").save(tmp_path / "la.png")
    for name, expected in (("t.png", RGB), ("la.png", np.dstack([GRAY] * 3))):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no raw UserWarning
            x = read_image(tmp_path / name)
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "has transparent pixels; its alpha channel is dropped" in err, err
        assert torch.equal(x, _original(expected)), name


def test_grayscale_palette_and_16_bit(tmp_path):
    Image.fromarray(GRAY).save(tmp_path / "g.png")
    Image.fromarray(GRAY.astype(np.uint16) * 257).save(tmp_path / "g16.png")
    palette = Image.fromarray(RGB).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    palette.save(tmp_path / "p.png")
    _write_png16(tmp_path / "rgb16.png", RGB.astype(np.uint16) * 257 + (RGB < 255) * 100)  # 8-bit: high byte
    gray3 = _original(np.dstack([GRAY] * 3))
    assert torch.equal(read_image(tmp_path / "g.png"), gray3)
    assert (read_image(tmp_path / "g16.png") - gray3).abs().max() < 1e-6  # 257 * v / 65535 == v / 255
    assert torch.equal(read_image(tmp_path / "p.png"), _original(np.asarray(palette.convert("RGB"))))
    assert (read_image(tmp_path / "rgb16.png") - _original(RGB)).abs().max() <= 2 / 255 + 1e-6


def test_one_channel_is_the_luminance(tmp_path):
    Image.fromarray(RGB).save(tmp_path / "a.png")
    Image.fromarray(GRAY).save(tmp_path / "g.png")
    x = read_image(tmp_path / "a.png", nc_im=1)
    assert x.shape == (1, 1, 12, 17)
    assert torch.equal(x[0, 0], ((torch.from_numpy(rgb2gray(RGB)).float() - 0.5) * 2).clamp(-1, 1))
    assert torch.equal(read_image(tmp_path / "g.png", nc_im=1), _original(GRAY[..., None]))


def test_bad_files_give_one_line_errors(tmp_path):
    (tmp_path / "x.png").write_text("not an image\nat all\n")
    with pytest.raises(SinGANError, match="input image not found") as missing:
        read_image(tmp_path / "missing.png")
    with pytest.raises(SinGANError, match="as an image") as not_image:
        read_image(tmp_path / "x.png")
    for error, name in ((missing, "missing.png"), (not_image, "x.png")):
        assert "\n" not in str(error.value) and str(tmp_path / name) in str(error.value)


def test_save_image_round_trip(tmp_path):
    x = _original(RGB)
    save_image(tmp_path / "deep" / "out.png", x)
    assert (read_image(tmp_path / "deep" / "out.png") - x).abs().max() <= 2 / 255 + 1e-6  # 1/255 in [0, 1]
    gray = x[:, :1]
    save_image(tmp_path / "gray.png", gray)
    assert (read_image(tmp_path / "gray.png", nc_im=1) - gray).abs().max() <= 2 / 255 + 1e-6
    assert to_numpy_image(gray).shape == (12, 17) and to_numpy_image(x[0]).shape == (12, 17, 3)


def test_save_images_writes_one_png_per_image(tmp_path):
    batch = torch.cat([_original(RGB), _original(RGB[::-1].copy())])
    paths = save_images(tmp_path / "s", batch)
    assert [p.name for p in paths] == ["0.png", "1.png"]
    for path, image in zip(paths, batch, strict=True):
        assert (read_image(path)[0] - image).abs().max() <= 2 / 255 + 1e-6
    assert save_images(tmp_path / "n", batch, names=["a.png", "b.png"])[1] == tmp_path / "n" / "b.png"
