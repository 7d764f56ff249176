"""Image files of every common kind read into (1, 3, H, W) tensors in [-1, 1]; PNGs round-trip."""

import numpy as np
import pytest
import torch
from PIL import Image

from singan import SinGANError
from singan.images import read_image, save_image

RGB = np.random.RandomState(0).randint(0, 256, (12, 17, 3)).astype(np.uint8)


def _expect(arr_0_1):
    return torch.from_numpy(np.clip((arr_0_1.astype(np.float32) - 0.5) * 2, -1, 1).transpose(2, 0, 1))[None]


def test_rgb_png_and_rgba(tmp_path):
    Image.fromarray(RGB).save(tmp_path / "a.png")
    rgba = np.concatenate([RGB, np.full((12, 17, 1), 255, np.uint8)], axis=2)
    Image.fromarray(rgba).save(tmp_path / "b.png")
    a, b = read_image(tmp_path / "a.png"), read_image(tmp_path / "b.png")
    assert a.shape == (1, 3, 12, 17) and torch.equal(a, b)
    assert torch.allclose(a, _expect(RGB / 255.0))


def test_transparent_rgba_warns_and_drops_alpha(tmp_path):
    rgba = np.concatenate([RGB, np.full((12, 17, 1), 100, np.uint8)], axis=2)
    Image.fromarray(rgba).save(tmp_path / "t.png")
    with pytest.warns(UserWarning, match="alpha"):
        x = read_image(tmp_path / "t.png")
    assert torch.allclose(x, _expect(RGB / 255.0))


def test_grayscale_gray_alpha_palette_16bit_jpeg(tmp_path):
    gray = RGB[..., 0]
    Image.fromarray(gray).save(tmp_path / "g.png")
    Image.fromarray(np.stack([gray, np.full_like(gray, 255)], axis=2), mode="LA").save(tmp_path / "la.png")
    Image.fromarray(RGB).convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(tmp_path / "p.png")
    Image.fromarray((gray.astype(np.uint16) * 257)).save(tmp_path / "g16.png")
    Image.fromarray(RGB).save(tmp_path / "j.jpg", quality=95)
    expected_gray = _expect(np.repeat(gray[..., None], 3, axis=2) / 255.0)
    for name in ("g.png", "la.png", "g16.png"):
        x = read_image(tmp_path / name)
        assert x.shape == (1, 3, 12, 17) and torch.allclose(x, expected_gray, atol=1e-6), name
    for name in ("p.png", "j.jpg"):
        x = read_image(tmp_path / name)
        assert x.shape == (1, 3, 12, 17) and x.min() >= -1 and x.max() <= 1
    assert read_image(tmp_path / "g.png", nc_im=1).shape == (1, 1, 12, 17)


def test_bad_files_give_one_line_errors(tmp_path):
    (tmp_path / "x.png").write_text("not an image")
    for path in (tmp_path / "missing.png", tmp_path / "x.png"):
        with pytest.raises(SinGANError) as e:
            read_image(path)
        assert "\n" not in str(e.value) and str(path) in str(e.value)


def test_save_image_round_trip(tmp_path):
    x = _expect(RGB / 255.0)
    save_image(tmp_path / "out.png", x)
    y = read_image(tmp_path / "out.png")
    assert (x - y).abs().max() <= 2 / 255 + 1e-6
