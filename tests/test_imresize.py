"""The bicubic resize matches the original's outputs (shared/reference/imresize_cases.npz)."""

import json

import numpy as np
import pytest
import torch

from singan.core.imresize import imresize, imresize_to_shape, resize_matrix, resize_plan, to_uint8


def imresize_in(im, scale_factor=None, output_shape=None, correct_border=False):
    """The original's numpy-level resize of an H x W x C array from the package's per-axis weights:
    float64, unrounded and unclipped; a copy of the input (same dtype) when no axis changes."""
    scales, shape, antialias, axes = resize_plan(im.shape[:2], scale_factor, output_shape)
    out = im.copy()
    for axis in axes:
        weights = resize_matrix(im.shape[axis], shape[axis], scales[axis], antialias, correct_border)
        along_axis = np.moveaxis(out.astype(np.float64, copy=False), axis, 0)
        out = np.moveaxis(np.tensordot(weights, along_axis, axes=1), 0, axis)
    return out


@pytest.fixture(scope="module")
def cases(shared):
    z = np.load(shared / "reference" / "imresize_cases.npz")
    meta = json.loads(str(z["meta"]))
    return [(case, z[f"in_{case['key']}"], z[f"out_{case['key']}"]) for case in meta]


def test_all_reference_cases(cases):
    assert len(cases) == 37
    for case, inp, ref in cases:
        if case["kind"] == "imresize_in":
            out = imresize_in(inp, case["scale_factor"], case["output_shape"])
        elif case["kind"] == "imresize":
            out = imresize(torch.from_numpy(inp), case["scale_factor"]).numpy()
        else:
            out = imresize_to_shape(torch.from_numpy(inp), tuple(case["output_shape"])).numpy()
        assert (out.shape, out.dtype) == (ref.shape, ref.dtype), case
        assert np.abs(out.astype(np.float64) - ref).max() < 1e-5, case


def test_no_resized_axis_returns_the_input_copy(cases):
    case, inp, _ = next(c for c in cases if c[0]["out_dtype"] == "uint8")
    out = imresize_in(inp, output_shape=tuple(case["output_shape"]))
    assert out.dtype == np.uint8 and np.array_equal(out, inp) and out is not inp


def test_scale_one_is_the_uint8_round_trip():
    x = torch.rand(2, 3, 20, 30) * 2.2 - 1.1
    assert torch.equal(imresize(x, 1.0), ((to_uint8(x).double() / 255).float() - 0.5).mul(2).clamp(-1, 1))


@pytest.mark.parametrize("channels", [1, 3])
def test_batched_equals_one_image_at_a_time(channels):
    x = torch.rand(4, channels, 37, 53, generator=torch.Generator().manual_seed(0)) * 2 - 1
    for resize in (lambda t: imresize(t, 0.75), lambda t: imresize(t, 1 / 0.75),
                   lambda t: imresize_to_shape(t, (50, 30))):
        batched = resize(x)
        assert torch.equal(batched, torch.cat([resize(x[i:i + 1]) for i in range(4)]))


def test_tensor_path_equals_numpy_path():
    x = torch.rand(1, 3, 29, 41, generator=torch.Generator().manual_seed(1)) * 2 - 1
    u8 = to_uint8(x)[0].permute(1, 2, 0).numpy()
    expected = ((imresize_in(u8, output_shape=(40, 17)) / 255).astype(np.float32) - 0.5) * 2
    out = imresize_to_shape(x, (40, 17))[0].permute(1, 2, 0).numpy()
    assert np.abs(out - np.clip(expected, -1, 1)).max() < 1e-6


def test_correct_border_differs_only_at_the_top_left():
    im = np.random.RandomState(0).randint(0, 256, (40, 50, 3)).astype(np.uint8)
    for scale in (0.75, 1 / 0.75):
        diff = np.abs(imresize_in(im, scale) - imresize_in(im, scale, correct_border=True)).max(axis=2)
        assert diff[:3].max() > 1 and diff[:, :3].max() > 1
        assert diff[3:, 3:].max() < 1e-9
