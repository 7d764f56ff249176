"""Scale geometry and pyramids match the original preprocessing (shared/reference/*.npz)."""

import numpy as np
import pytest

from helpers import IMAGES
from singan.core.imresize import imresize
from singan.core.pyramid import adjust_scales, adjust_scales_sr, build_pyramid, resize_to_finest, sr_scale_chain
from singan.io.images import read_image

FILES = {"balloons": "balloons.png", "birds": "birds.png", "colusseum": "colusseum.png",
         "starry_night": "starry_night.png", "trees3": "trees3.png", "wild_bush": "wild_bush.jpg"}


def _original_read(u8: np.ndarray) -> np.ndarray:
    """The original read path on H x W x 3 pixels, as a (3, H, W) array."""
    return np.clip(((u8.transpose(2, 0, 1) / 255).astype(np.float32) - 0.5) * 2, -1, 1)


def _check_pyramid(reals, ref) -> None:
    assert len(reals) == int(ref["num_levels"])
    assert [list(r.shape[-2:]) for r in reals] == ref["pyr_shapes"].tolist()
    for i, level in enumerate(reals):
        assert level.shape[:2] == (1, 3)
        assert np.abs(level[0].numpy() - ref[f"pyr_{i}"]).max() < 1e-5, f"level {i}"


@pytest.mark.parametrize("stem", sorted(FILES))
def test_pyramid_matches_reference(shared, stem):
    ref = np.load(shared / "reference" / f"pyramid_{stem}.npz")
    real = read_image(shared / "input" / "Images" / FILES[stem])
    assert list(real.shape[-2:]) == ref["input_shape"][:2].tolist()
    if "input_u8" in ref:
        assert np.array_equal(real[0].numpy(), _original_read(ref["input_u8"]))
    g = adjust_scales(*real.shape[-2:])
    assert (g.full_size_levels, g.finest_level) == (int(ref["num_scales"]), int(ref["stop_scale"]))
    assert g.num_levels == int(ref["num_levels"])
    assert g.input_resize == pytest.approx(float(ref["scale1"]), abs=1e-12)
    assert g.scale_factor == pytest.approx(float(ref["scale_factor"]), abs=1e-12)
    finest = resize_to_finest(real, g)
    assert np.abs(finest[0].numpy() - ref["real_resized"]).max() < 1e-5
    _check_pyramid(build_pyramid(finest, g), ref)


def test_super_resolution_geometry_pyramid_and_chain(shared):
    ref = np.load(shared / "reference" / "sr_33039_LR.npz")
    in_scale, iter_num = sr_scale_chain(float(ref["sr_factor"]))
    assert iter_num == int(ref["iter_num"]) == 6
    assert in_scale == pytest.approx(float(ref["in_scale"]), abs=1e-12)
    real = read_image(shared / "input" / "Images" / "33039_LR.png")
    assert np.array_equal(real[0].numpy(), _original_read(ref["input_u8"]))
    g = adjust_scales_sr(*real.shape[-2:], max_size=int(ref["max_size"]), scale_factor_init=1 / in_scale,
                         min_size=int(ref["min_size"]))
    assert g == adjust_scales_sr(*real.shape[-2:])  # the defaults are SR.py's
    assert (g.full_size_levels, g.finest_level) == (7, 8) == (int(ref["num_scales"]), int(ref["stop_scale"]))
    assert g.input_resize == float(ref["scale1"])
    assert g.scale_factor == pytest.approx(float(ref["scale_factor"]), abs=1e-12)
    finest = resize_to_finest(real, g)
    assert np.abs(finest[0].numpy() - ref["real_resized"]).max() < 1e-5
    reals = build_pyramid(finest, g)
    _check_pyramid(reals, ref)
    x, shapes = reals[-1], []
    for step in range(1, iter_num + 1):
        x = imresize(x, in_scale)
        shapes.append(list(x.shape[-2:]))
        if f"sr_chain_{step}" in ref:
            assert np.abs(x[0].numpy() - ref[f"sr_chain_{step}"]).max() < 1e-5, f"step {step}"
    assert shapes == ref["sr_chain_shapes"].tolist()
    h, w = reals[-1].shape[-2:]
    assert [int(ref["sr_factor"] * h), int(ref["sr_factor"] * w)] == ref["sr_out_crop"].tolist()


def _w_major(x):
    """The (W, H, C)-major memory the original's numpy resize leaves: strides (1, 3, 3H) for (C, H, W)."""
    return x.stride()[1:] == (1, 3, 3 * x.shape[2])


def _channels_last(x):
    return x.stride()[1:] == (1, 3 * x.shape[3], 3)


def test_pyramid_has_the_original_memory_layout():
    """Reductions over an image sum in memory order and convolutions round differently per layout, so
    the pyramid keeps the original's memory layout (checked against the original's tensors): resized
    levels (W, H, C)-major; an image that needs no resizing keeps the file's channels-last order."""
    real = read_image(IMAGES / "balloons.png")
    assert _channels_last(real)
    g = adjust_scales(*real.shape[-2:])
    assert g.input_resize == 1
    reals = build_pyramid(resize_to_finest(real, g), g)
    assert all(_w_major(r) for r in reals[:-1]) and _channels_last(reals[-1])
    g = adjust_scales(*real.shape[-2:], max_size=60)
    assert all(_w_major(r) for r in build_pyramid(resize_to_finest(real, g), g))
