"""Reading image files into [-1, 1] tensors and writing tensors as PNGs.

Pixels are read as the image is meant to be seen: a camera's EXIF orientation tag is applied.
8-bit RGB(A) files take the original's path (pixels / 255 in float64, float32,
(x - 0.5) * 2 clamped, alpha dropped). Files the original could not read
(grayscale, grayscale + alpha, palette, 1-bit, CMYK, 16-bit) are read too.
"""

import stat
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps
from torch import Tensor

from ..core.imresize import denorm, norm
from ..errors import SinGANError
from .atomic import atomic_path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")  # what a folder of images holds
EXIF_ORIENTATION = 0x0112  # the EXIF tag a camera sets when the picture was taken rotated or mirrored


def upright(img: Image.Image) -> Image.Image:
    """The image with its EXIF orientation applied (a phone photo taken sideways turned upright)."""
    return img if img.getexif().get(EXIF_ORIENTATION, 1) == 1 else ImageOps.exif_transpose(img)


def file_kind(path: Path) -> str:
    """What `path` is when it is not a regular file: 'a folder', 'a named pipe', 'a socket', 'a device'."""
    mode = path.stat().st_mode
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def check_regular_file(path: str | Path, what: str, missing: str = "") -> None:
    """A one-line SinGANError unless `path` is a regular file (or a symlink to one), checked without opening
    it: reading a named pipe or a device would block or never end. `missing`: the message when it does not exist."""
    path = Path(path)
    if not path.exists():
        broken = " (a broken symlink)" if path.is_symlink() else ""
        raise SinGANError((missing or f"{what} not found: {path}") + broken)
    if not path.is_file():
        raise SinGANError(f"{what} {path} is {file_kind(path)}, not a regular file")


def _pixels(path: Path) -> np.ndarray:
    """H x W x C uint8 (or uint16) pixels, C in 1..4, decoded by Pillow as skimage.io.imread does."""
    try:
        with Image.open(path) as opened:
            img = upright(opened)
            if img.mode in ("L", "LA", "RGB", "RGBA"):
                arr = np.asarray(img)
            elif img.mode.startswith("I;16") or img.mode == "I":  # 16-bit grey ("I" in older Pillow)
                arr = np.asarray(img)
                if arr.min() < 0 or arr.max() > 65535:
                    raise SinGANError(f"cannot read {path}: 32-bit integer images are not supported")
                arr = arr.astype(np.uint16)
            elif img.mode == "1":
                arr = np.asarray(img.convert("L"))
            elif img.mode in ("P", "PA"):
                keeps_alpha = img.mode == "PA" or "transparency" in img.info or img.palette.mode == "RGBA"
                arr = np.asarray(img.convert("RGBA" if keeps_alpha else "RGB"))
            else:  # CMYK, YCbCr, LAB, HSV, float, ...
                arr = np.asarray(img.convert("RGB"))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        reason = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise SinGANError(f"cannot read {path} as an image: {reason}") from None
    return arr[..., None] if arr.ndim == 2 else arr


def read_image(path: str | Path, nc_im: int = 3, *, warn_alpha: bool = True) -> Tensor:
    """A (1, nc_im, H, W) float32 tensor in [-1, 1]; nc_im = 1 gives the luminance (rgb2gray).

    A grey-scale file is replicated to 3 channels, alpha is dropped (with a one-line note on stderr when some
    pixel is not opaque, unless `warn_alpha` is False), 16-bit files are scaled by 65535 instead of 255
    (16-bit RGB PNGs are decoded by Pillow at 8 bits: the high byte of each sample)."""
    path = Path(path)
    check_regular_file(path, "input image")
    if nc_im not in (1, 3):
        raise SinGANError(f"nc_im must be 1 or 3, not {nc_im}")
    arr = _pixels(path)
    if arr.shape[2] in (2, 4):
        if warn_alpha and arr[..., -1].min() < np.iinfo(arr.dtype).max:
            print(f"note: {path} has transparent pixels; its alpha channel is dropped (the colours are used as they "
                  "are)", file=sys.stderr)
        arr = arr[..., :-1]
    peak = np.iinfo(arr.dtype).max
    if nc_im == 1:
        from skimage.color import rgb2gray  # imported on use: every command would pay its import time

        values = (arr[..., 0] / peak if arr.shape[2] == 1 else rgb2gray(arr))[None, None]
    else:
        values = (np.repeat(arr, 3, axis=2) if arr.shape[2] == 1 else arr).transpose(2, 0, 1)[None] / peak
    # The file's (H, W, C) memory order is kept (channels-last), as the original's read path keeps it:
    # an image that needs no resizing trains on it, and convolutions round differently in that layout.
    return norm(torch.from_numpy(values).float())


def to_numpy_image(x: Tensor) -> np.ndarray:
    """One image ((C, H, W) or (1, C, H, W)) as an H x W x C float array in [0, 1] (H x W when C = 1)."""
    if x.dim() == 4:
        if x.shape[0] != 1:
            raise ValueError(f"to_numpy_image takes one image, got a batch of {x.shape[0]}")
        x = x[0]
    arr = denorm(x.detach()).permute(1, 2, 0).cpu().numpy()
    return arr[..., 0] if arr.shape[2] == 1 else arr


def save_image(path: str | Path, x: Tensor) -> None:
    """Write one image as an 8-bit PNG, RGB (or L for a one-channel image), atomically (`singan.io.atomic`):
    the pixel values the original's matplotlib imsave (vmin 0, vmax 1) wrote, without its constant alpha;
    one-channel images are grey (the original used matplotlib's default colormap)."""
    from matplotlib import cm, colors  # imported on use: 0.3 s that commands which write nothing skip

    arr = to_numpy_image(x)
    grey = arr.ndim == 2
    mappable = cm.ScalarMappable(norm=colors.Normalize(0, 1), cmap="gray" if grey else None)
    rgba = mappable.to_rgba(arr, bytes=True)  # what imsave writes (the same rounding)
    pixels = rgba[..., 0] if grey else rgba[..., :3]
    with atomic_path(path) as tmp:
        Image.fromarray(np.ascontiguousarray(pixels), "L" if grey else "RGB").save(tmp, format="PNG")


def save_images(folder: str | Path, x: Tensor, names: list[str] | None = None) -> list[Path]:
    """Write each image of an (N, C, H, W) batch as <folder>/<i>.png (or <folder>/<names[i]>)."""
    names = names if names is not None else [f"{i}.png" for i in range(x.shape[0])]
    if len(names) != x.shape[0]:
        raise ValueError(f"{len(names)} names for {x.shape[0]} images")
    paths = [Path(folder) / name for name in names]
    for path, image in zip(paths, x, strict=True):
        save_image(path, image)
    return paths
