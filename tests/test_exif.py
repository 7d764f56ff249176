"""Images are read upright: a camera's EXIF orientation tag is applied; images without one read as before."""

import numpy as np
import pytest
import torch
from PIL import Image

from singan.io.images import EXIF_ORIENTATION, read_image

PIXELS = np.random.RandomState(1).randint(0, 256, (6, 10, 3)).astype(np.uint8)  # landscape, 6 x 10
_ys, _xs = np.mgrid[0:24, 0:40]
SMOOTH = np.stack([_xs * 6, _ys * 10, 255 - _xs * 6], axis=2).astype(np.uint8)  # gradients: JPEG keeps them

# orientation tag -> how the stored pixels must be turned to be seen upright
UPRIGHT = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],  # mirrored
    3: lambda a: np.rot90(a, 2),
    6: lambda a: np.rot90(a, -1),  # a phone held upright: stored sideways, turned 90 degrees clockwise
    8: lambda a: np.rot90(a, 1),
}


def _save(path, pixels, orientation=None):
    img = Image.fromarray(pixels)
    if orientation is None:
        img.save(path)
    else:
        exif = Image.Exif()
        exif[EXIF_ORIENTATION] = orientation
        img.save(path, exif=exif)


def _as_tensor(pixels):
    return ((torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1)))[None] / 255).float() - 0.5) * 2


@pytest.mark.parametrize("orientation", sorted(UPRIGHT))
@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_exif_orientation_is_applied(tmp_path, orientation, suffix):
    path = tmp_path / f"photo{suffix}"
    pixels = PIXELS if suffix == ".png" else SMOOTH
    _save(path, pixels, orientation)
    x = read_image(path)
    expected = UPRIGHT[orientation](pixels)
    assert x.shape == (1, 3, *expected.shape[:2])
    if suffix == ".png":  # lossless: exactly the turned pixels
        assert torch.equal(x, _as_tensor(expected))
    else:  # JPEG: same layout, values within the codec's error
        assert (x - _as_tensor(expected)).abs().mean() < 0.03
        assert orientation == 1 or (x - _as_tensor(np.ascontiguousarray(expected[::-1, ::-1]))).abs().mean() > 0.3


def test_portrait_phone_photo_trains_upright(tmp_path):
    _save(tmp_path / "phone.png", PIXELS, 6)
    assert read_image(tmp_path / "phone.png").shape[-2:] == (10, 6)  # portrait, as the photographer saw it


def test_no_exif_reads_exactly_as_before(tmp_path):
    _save(tmp_path / "plain.png", PIXELS)
    assert torch.equal(read_image(tmp_path / "plain.png"), _as_tensor(PIXELS))
    _save(tmp_path / "gray.png", PIXELS[..., 0])
    assert read_image(tmp_path / "gray.png", nc_im=1).shape == (1, 1, 6, 10)
