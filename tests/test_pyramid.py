"""Scale geometry and pyramids match the original preprocessing (shared/reference/*.npz)."""

import numpy as np
import pytest
import torch

from singan.imresize import imresize
from singan.images import read_image
from singan.pyramid import adjust_scales, adjust_scales_sr, build_pyramid, resize_to_finest, sr_scale_chain

STEMS = {"balloons": "png", "birds": "png", "colusseum": "png", "starry_night": "png", "trees3": "png",
         "wild_bush": "jpg"}


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_pyramid_matches_reference(shared, stem):
    ref = np.load(shared / "reference" / f"pyramid_{stem}.npz")
    real = read_image(shared / "input" / "Images" / f"{stem}.{STEMS[stem]}")
    assert list(real.shape[-2:]) == list(ref["input_shape"][:2])
    if "input_u8" in ref:  # the read path is the original's: /255 in float64, float32, norm
        expected = ((ref["input_u8"].astype(np.float64) / 255).astype(np.float32) - 0.5) * 2
        assert np.array_equal(real[0].permute(1, 2, 0).numpy(), np.clip(expected, -1, 1))
    g = adjust_scales(*real.shape[-2:])
    assert (g.num_scales, g.stop_scale) == (int(ref["num_scales"]), int(ref["stop_scale"]))
    assert g.scale1 == pytest.approx(float(ref["scale1"]), abs=1e-12)
    assert g.scale_factor == pytest.approx(float(ref["scale_factor"]), abs=1e-12)
    finest = resize_to_finest(real, g)
    assert np.abs(finest[0].numpy() - ref["real_resized"]).max() < 1e-5
    reals = build_pyramid(finest, g)
    assert len(reals) == int(ref["num_levels"])
    assert [list(r.shape[-2:]) for r in reals] == ref["pyr_shapes"].tolist()
    for i, level in enumerate(reals):
        assert np.abs(level[0].numpy() - ref[f"pyr_{i}"]).max() < 1e-5, i


def test_super_resolution_geometry_and_chain(shared):
    ref = np.load(shared / "reference" / "sr_33039_LR.npz")
    in_scale, iter_num = sr_scale_chain(4.0)
    assert iter_num == int(ref["iter_num"]) == 6
    assert in_scale == pytest.approx(float(ref["in_scale"]), abs=1e-12)
    real = read_image(shared / "input" / "Images" / "33039_LR.png")
    assert np.array_equal(((real[0].permute(1, 2, 0) + 1) / 2 * 255).round().byte().numpy(), ref["input_u8"])
    g = adjust_scales_sr(*real.shape[-2:], scale_factor_init=1 / in_scale)
    assert (g.num_scales, g.stop_scale) == (7, 8) == (int(ref["num_scales"]), int(ref["stop_scale"]))
    assert g.scale_factor == pytest.approx(float(ref["scale_factor"]), abs=1e-12)
    reals = build_pyramid(resize_to_finest(real, g), g)
    assert [list(r.shape[-2:]) for r in reals] == ref["pyr_shapes"].tolist()
    for i, level in enumerate(reals):
        assert np.abs(level[0].numpy() - ref[f"pyr_{i}"]).max() < 1e-5, i
    x, shapes = reals[-1], []
    for step in range(1, iter_num + 1):
        x = imresize(x, in_scale)
        shapes.append(list(x.shape[-2:]))
        if step <= 4:
            assert np.abs(x[0].numpy() - ref[f"sr_chain_{step}"]).max() < 1e-5, step
    assert shapes == ref["sr_chain_shapes"].tolist()
    assert torch.Size(ref["sr_out_crop"].tolist()) == torch.Size([int(4.0 * 120), int(4.0 * 80)])
