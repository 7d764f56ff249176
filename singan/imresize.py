"""MATLAB-style bicubic resize, as the original SinGAN does it (REFERENCE §3).

Every tensor-level resize round-trips through 8 bits: the [-1, 1] tensor is
mapped to [0, 255] and *truncated* to uint8, resized in float64 with the Keys
cubic kernel (a = -0.5, antialiased when downscaling), divided by 255, cast to
float32 and mapped back to [-1, 1] with a clamp. Matching the original bit for
bit also needs one quirk of its index arithmetic: taps left of (or above) the
image are converted to unsigned 64-bit integers, so their weight evaluates to
zero and the remaining weights are renormalised instead of being mirrored.
`correct_border=True` mirrors them properly instead.

Each axis is a dense (out x in) weight matrix, built once per size and cached,
so a resize is two small matmuls, batched over images and channels.
"""

import math
from functools import lru_cache

import numpy as np
import torch
from torch import Tensor


def norm(x: Tensor) -> Tensor:
    """[0, 1] -> [-1, 1], clamped."""
    return ((x - 0.5) * 2).clamp(-1, 1)


def denorm(x: Tensor) -> Tensor:
    """[-1, 1] -> [0, 1], clamped."""
    return ((x + 1) / 2).clamp(0, 1)


def to_uint8(x: Tensor) -> Tensor:
    """The original torch2uint8, batched: 255 * denorm(x) in float32, truncated toward zero."""
    return (255 * denorm(x.float())).to(torch.uint8)


def from_uint8_range(x: Tensor) -> Tensor:
    """The original np2torch of values in [0, 255]: /255 in float64, float32, norm."""
    return norm((x.double() / 255).float())


def _cubic(x: np.ndarray) -> np.ndarray:
    ax = np.abs(x)
    ax2, ax3 = ax**2, ax**3
    return ((1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1)
            + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2)))


@lru_cache(maxsize=512)
def resize_matrix(in_len: int, out_len: int, scale: float, antialias: bool, correct_border: bool = False) -> np.ndarray:
    """The (out_len, in_len) float64 matrix of one axis of the original's `contributions`."""
    width = 4.0 / scale if antialias else 4.0
    kernel = (lambda a: scale * _cubic(scale * a)) if antialias else _cubic
    u = np.arange(1, out_len + 1) / scale + 0.5 * (1 - 1 / scale)  # input coordinate of each output pixel
    taps = np.floor(u - width / 2)[:, None] + np.arange(math.ceil(width) + 2) - 1
    if correct_border:
        weights = kernel(u[:, None] - taps - 1)
    else:  # negative taps became 2**64 - k: their kernel argument is huge, so their weight is 0
        weights = kernel(u[:, None] - np.where(taps < 0, 2.0**64 + taps, taps) - 1)
    sums = weights.sum(axis=1)
    sums[sums == 0] = 1.0
    weights = weights / sums[:, None]
    mirror = np.concatenate([np.arange(in_len), np.arange(in_len - 1, -1, -1)])
    positions = mirror[np.mod(taps.astype(np.int64), 2 * in_len)]
    matrix = np.zeros((out_len, in_len))
    np.add.at(matrix, (np.repeat(np.arange(out_len), taps.shape[1]), positions.ravel()), weights.ravel())
    return matrix


_torch_matrices: dict = {}


def _matrix(in_len: int, out_len: int, scale: float, antialias: bool, correct_border: bool, device) -> Tensor:
    key = (in_len, out_len, scale, antialias, correct_border, str(device))
    if key not in _torch_matrices:
        _torch_matrices[key] = torch.from_numpy(resize_matrix(in_len, out_len, scale, antialias, correct_border)).to(device)
    return _torch_matrices[key]


def _plan(in_hw: tuple[int, int], scale: float | None, shape: tuple[int, int] | None):
    """(per-axis scales, output sizes, antialias) as the original's fix_scale_and_size."""
    if shape is None:
        scales = (float(scale), float(scale))
        shape = tuple(int(math.ceil(n * s)) for n, s in zip(in_hw, scales))
    else:
        scales = tuple(o / i for o, i in zip(shape, in_hw))
    return scales, tuple(shape), scales[0] < 1  # the first axis decides antialiasing for both


def imresize_in(im: np.ndarray, scale_factor: float | None = None, output_shape: tuple[int, int] | None = None,
                correct_border: bool = False) -> np.ndarray:
    """The numpy-level resize of an H x W x C array: float64 output, unrounded and unclipped;
    the input copy (same dtype) when no axis changes."""
    scales, shape, antialias = _plan(im.shape[:2], scale_factor, output_shape)
    out, resized = im, False
    for axis in np.argsort(scales, kind="stable"):
        if scales[axis] == 1.0:
            continue
        m = resize_matrix(out.shape[axis], shape[axis], scales[axis], antialias, correct_border)
        out = np.moveaxis(np.tensordot(m, np.moveaxis(out.astype(np.float64), axis, 0), axes=(1, 0)), 0, axis)
        resized = True
    return out if resized else im.copy()


def _resize(x: Tensor, scale: float | None, shape: tuple[int, int] | None, correct_border: bool) -> Tensor:
    scales, shape, antialias = _plan(tuple(x.shape[-2:]), scale, shape)
    out = to_uint8(x).double()
    if scales[0] != 1.0:
        out = _matrix(x.shape[-2], shape[0], scales[0], antialias, correct_border, x.device) @ out
    if scales[1] != 1.0:
        out = out @ _matrix(x.shape[-1], shape[1], scales[1], antialias, correct_border, x.device).T
    return from_uint8_range(out)


def imresize(x: Tensor, scale: float, correct_border: bool = False) -> Tensor:
    """Resize an (N, C, H, W) tensor in [-1, 1] by `scale` (output ceil(H*s) x ceil(W*s)), as the original."""
    return _resize(x, scale, None, correct_border)


def imresize_to_shape(x: Tensor, shape: tuple[int, int], correct_border: bool = False) -> Tensor:
    """Resize an (N, C, H, W) tensor in [-1, 1] to `shape` = (H_out, W_out), as the original."""
    return _resize(x, None, tuple(shape), correct_border)
