"""MATLAB-style bicubic resize with the original SinGAN's 8-bit round trip.

A tensor-level resize truncates the [-1, 1] image to uint8, resizes it in
float64 (Keys cubic, a = -0.5, antialiased when the first axis shrinks), divides
by 255, casts to float32 and maps back to [-1, 1] with a clamp. Each axis is a
dense (out x in) weight matrix, built once per size and cached, so a resize is
one matmul per axis, batched over images and channels. The result has the
memory layout the original's numpy code leaves behind, because reductions and
convolutions over it round according to that layout.
"""

import math
from functools import lru_cache

import numpy as np
import torch
from torch import Tensor

_KERNEL_WIDTH = 4.0  # support of the cubic kernel, in input pixels


def norm(x: Tensor) -> Tensor:
    """[0, 1] -> [-1, 1], clamped."""
    return ((x - 0.5) * 2).clamp(-1, 1)


def denorm(x: Tensor) -> Tensor:
    """[-1, 1] -> [0, 1], clamped."""
    return ((x + 1) / 2).clamp(0, 1)


def to_uint8(x: Tensor) -> Tensor:
    """The original torch2uint8, batched (NCHW kept): 255 * denorm(x) in float32, truncated toward zero."""
    return (255 * denorm(x.float())).to(torch.uint8)


def from_pixel_values(x: Tensor) -> Tensor:
    """The original np2torch of values on the 0..255 scale: / 255 in float64, float32, norm."""
    return norm((x.double() / 255).float())


def _cubic(x: np.ndarray) -> np.ndarray:
    """Keys cubic convolution kernel with a = -0.5."""
    ax = np.abs(x)
    ax2, ax3 = ax**2, ax**3
    return ((1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1)
            + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2)))


def resize_taps(in_len: int, out_len: int, scale: float, antialias: bool,
                correct_border: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The taps of one axis: (sources, weights), both (out_len, taps) — output pixel i is
    sum_k weights[i, k] * input[sources[i, k]] (the sparse form of `resize_matrix`).

    The original casts the tap indices to uint64 before weighting them, so on x86-64 a tap
    left of (or above) the image, index -k, sits at 2**64 - k: its kernel weight is 0 and the
    row is renormalised over the remaining taps. `correct_border=True` mirrors those taps
    (half-sample symmetric) with their true weights instead.
    """
    width = _KERNEL_WIDTH / scale if antialias else _KERNEL_WIDTH
    kernel = (lambda d: scale * _cubic(scale * d)) if antialias else _cubic
    center = np.arange(1, out_len + 1) / scale + 0.5 * (1 - 1 / scale)  # input coordinate of each output pixel
    taps = np.floor(center - width / 2)[:, None] + np.arange(math.ceil(width) + 2) - 1
    weighted_at = taps if correct_border else np.where(taps < 0, 2.0**64 + taps, taps)
    weights = kernel(center[:, None] - weighted_at - 1)
    sums = weights.sum(axis=1)
    sums[sums == 0] = 1.0
    weights /= sums[:, None]
    mirror = np.concatenate([np.arange(in_len), np.arange(in_len - 1, -1, -1)])
    return mirror[np.mod(taps.astype(np.int64), 2 * in_len)], weights


@lru_cache(maxsize=512)
def resize_matrix(in_len: int, out_len: int, scale: float, antialias: bool, correct_border: bool = False) -> np.ndarray:
    """The read-only (out_len, in_len) float64 weights of one axis (the original's `contributions`):
    `resize_taps` gathered into a dense matrix."""
    sources, weights = resize_taps(in_len, out_len, scale, antialias, correct_border)
    matrix = np.zeros((out_len, in_len))
    np.add.at(matrix, (np.repeat(np.arange(out_len), sources.shape[1]), sources.ravel()), weights.ravel())
    matrix.flags.writeable = False
    return matrix


@lru_cache(maxsize=512)
def _resize_matrix_on(in_len: int, out_len: int, scale: float, antialias: bool, correct_border: bool,
                      device: torch.device) -> Tensor:
    """resize_matrix as a float64 tensor on `device`, cached per device."""
    return torch.tensor(resize_matrix(in_len, out_len, scale, antialias, correct_border), device=device)


def resize_plan(in_hw: tuple[int, ...], scale: float | None, shape: tuple[int, int] | None):
    """Per-axis scales, output size, antialias flag and axis order, as the original's fix_scale_and_size.

    Returns ((s_h, s_w), (h, w), antialias, axes): `axes` lists the axes to resize, in order of
    increasing scale (ties: H first); axes with scale exactly 1 are skipped.
    """
    scales = (float(scale), float(scale)) if scale is not None else (shape[0] / in_hw[0], shape[1] / in_hw[1])
    if shape is None:
        shape = (math.ceil(in_hw[0] * scales[0]), math.ceil(in_hw[1] * scales[1]))
    axes = [a for a in sorted((0, 1), key=lambda a: scales[a]) if scales[a] != 1.0]
    return scales, (int(shape[0]), int(shape[1])), scales[0] < 1, axes  # the first axis decides antialiasing


def _resize(x: Tensor, scale: float | None, shape: tuple[int, int] | None, correct_border: bool) -> Tensor:
    """The original's tensor-level resize: uint8 truncation, float64 resize, / 255, float32, norm."""
    in_hw = tuple(x.shape[-2:])
    scales, shape, antialias, axes = resize_plan(in_hw, scale, shape)
    out = to_uint8(x).double()
    for axis in axes:
        weights = _resize_matrix_on(in_hw[axis], shape[axis], scales[axis], antialias, correct_border, x.device)
        out = weights @ out if axis == 0 else out @ weights.T
    out = from_pixel_values(out)
    return _original_layout(out, axes[-1]) if axes else out  # no axis resized: the input's layout, as the original


def _original_layout(x: Tensor, last_axis: int) -> Tensor:
    """The memory layout the original's numpy resize leaves behind, since reductions over the image
    (the MSE that sets the noise amplitude) sum in memory order: (W, H, C)-major when the last axis
    resized is the width, channels-last (H, W, C) when it is the height."""
    if last_axis == 1:
        return x.permute(0, 3, 2, 1).contiguous().permute(0, 3, 2, 1)
    return x.contiguous(memory_format=torch.channels_last)


def imresize(x: Tensor, scale: float, correct_border: bool = False) -> Tensor:
    """Resize (N, C, H, W) images in [-1, 1] by `scale` to ceil(H * s) x ceil(W * s), as the original."""
    return _resize(x, scale, None, correct_border)


def imresize_to_shape(x: Tensor, shape: tuple[int, int], correct_border: bool = False) -> Tensor:
    """Resize (N, C, H, W) images in [-1, 1] to `shape` = (H_out, W_out), as the original."""
    return _resize(x, None, (shape[0], shape[1]), correct_border)
