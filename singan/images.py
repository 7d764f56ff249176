"""Reading images into [-1, 1] tensors and writing tensors as PNGs.

The read path is the original's for 8-bit RGB(A) files (values / 255 in
float64, float32, (x - 0.5) * 2 clamped, alpha dropped), and also accepts what
the original crashed on: grayscale, grayscale + alpha, palette and 16-bit
files. PNGs are written with matplotlib like the original (8-bit RGBA).
"""

import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import Tensor

from .errors import SinGANError
from .imresize import denorm, norm


def _load_array(path: Path) -> np.ndarray:
    """H x W x C uint8/uint16 array; palette images are expanded to RGB(A)."""
    try:
        with Image.open(path) as img:
            if img.mode == "P":
                img = img.convert("RGBA" if "transparency" in img.info else "RGB")
            elif img.mode in ("I;16", "I;16B", "I;16L", "I"):
                return np.array(img).astype(np.uint16)[..., None]
            elif img.mode not in ("L", "LA", "RGB", "RGBA"):
                img = img.convert("RGB")
            arr = np.array(img)
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise SinGANError(f"cannot read {path} as an image ({type(e).__name__})") from None
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.dtype == np.uint8 and _is_16bit_png(path):
        arr = _read_16bit(path, arr)
    return arr


def _is_16bit_png(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(26)
    return head[:8] == b"\x89PNG\r\n\x1a\n" and head[24] == 16


def _read_16bit(path: Path, fallback: np.ndarray) -> np.ndarray:
    import imageio.v3 as iio

    arr = iio.imread(path)
    return (arr if arr.ndim == 3 else arr[..., None]) if arr.dtype == np.uint16 else fallback


def read_image(path: str | Path, nc_im: int = 3) -> Tensor:
    """(1, nc_im, H, W) float32 tensor in [-1, 1] from an image file."""
    path = Path(path)
    if not path.is_file():
        raise SinGANError(f"input image not found: {path}")
    arr = _load_array(path)
    channels = arr.shape[2]
    if channels in (2, 4):
        if arr[..., -1].min() < np.iinfo(arr.dtype).max:
            warnings.warn(f"{path.name} has a transparent alpha channel; dropping it (colours kept as stored)",
                          stacklevel=2)
        arr = arr[..., :-1]
    peak = 65535.0 if arr.dtype == np.uint16 else 255.0
    if nc_im == 1:
        values = arr[..., 0] / peak if arr.shape[2] == 1 else _luminance(arr / peak)
        values = values[None, None]
    else:
        values = (np.repeat(arr, 3, axis=2) if arr.shape[2] == 1 else arr) / peak
        values = values.transpose(2, 0, 1)[None]
    return norm(torch.from_numpy(np.ascontiguousarray(values)).float())


def _luminance(rgb: np.ndarray) -> np.ndarray:
    from skimage.color import rgb2gray

    return rgb2gray(rgb)


def to_numpy_image(x: Tensor) -> np.ndarray:
    """One image ((C, H, W) or (1, C, H, W)) as an H x W x C float array in [0, 1] (H x W for C = 1)."""
    if x.dim() == 4:
        x = x[-1]
    arr = denorm(x.detach()).permute(1, 2, 0).cpu().numpy()
    return arr[..., 0] if arr.shape[2] == 1 else arr


def save_image(path: str | Path, x: Tensor) -> None:
    """Write one image as a PNG (grey-scale images with a gray colormap)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arr = to_numpy_image(x)
    plt.imsave(path, arr, vmin=0, vmax=1, cmap="gray" if arr.ndim == 2 else None)


def save_images(folder: str | Path, x: Tensor, names: list[str] | None = None) -> list[Path]:
    """Write each image of an (N, C, H, W) batch as <folder>/<i>.png (or the given names)."""
    folder = Path(folder)
    names = names or [f"{i}.png" for i in range(x.shape[0])]
    paths = [folder / name for name in names]
    for path, image in zip(paths, x):
        save_image(path, image)
    return paths
