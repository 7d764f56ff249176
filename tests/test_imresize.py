"""The bicubic resize matches the original's outputs (shared/reference/imresize_cases.npz)."""

import json

import numpy as np
import pytest
import torch

from singan.imresize import imresize, imresize_in, imresize_to_shape, to_uint8


@pytest.fixture(scope="module")
def cases(shared):
    z = np.load(shared / "reference" / "imresize_cases.npz")
    return z, json.loads(str(z["meta"]))


def test_all_reference_cases(cases):
    z, meta = cases
    assert len(meta) == 37
    for case in meta:
        k, inp, ref = case["key"], z[f"in_{case['key']}"], z[f"out_{case['key']}"]
        if case["kind"] == "imresize_in":
            out = imresize_in(inp, case["scale_factor"], case["output_shape"])
        elif case["kind"] == "imresize":
            out = imresize(torch.from_numpy(inp), case["scale_factor"]).numpy()
        else:
            out = imresize_to_shape(torch.from_numpy(inp), tuple(case["output_shape"])).numpy()
        assert out.shape == ref.shape and out.dtype == ref.dtype, k
        assert np.abs(out.astype(np.float64) - ref).max() < 1e-5, k


def test_batched_equals_one_at_a_time():
    torch.manual_seed(0)
    x = torch.rand(4, 3, 37, 53) * 2 - 1
    for scale in (0.75, 1 / 0.75):
        batched = imresize(x, scale)
        assert torch.equal(batched, torch.cat([imresize(x[i:i + 1], scale) for i in range(4)]))


def test_scale_one_is_the_uint8_round_trip():
    x = torch.rand(1, 3, 20, 30) * 2 - 1
    y = imresize(x, 1.0)
    assert torch.equal(to_uint8(y), to_uint8(x)) or (to_uint8(x).int() - to_uint8(y).int()).abs().max() <= 1


def test_correct_border_differs_only_at_the_top_left():
    rng = np.random.RandomState(0)
    im = rng.randint(0, 256, (40, 50, 3)).astype(np.uint8)
    a, b = imresize_in(im, 0.75), imresize_in(im, 0.75, correct_border=True)
    diff = np.abs(a - b).max(axis=2)
    assert diff.max() > 0
    assert diff[3:, 3:].max() < 1e-9
