"""Checkpoints are validated against a schema on load: every malformed file is a one-line SinGANError."""

import math
import os
import re
import stat

import pytest
import torch

from helpers import in_progress_state, random_model
from singan import SinGANError, generate, load
from singan.io import checkpoint


def _model(scales: int = 2):
    """The tiny balloons pyramid (25x34, 30x40) with `scales` untrained but well-formed scales."""
    return random_model(scales=scales)


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "model.pt"
    checkpoint.save(_model(), path)
    return path


def _refused(tmp_path, good, edit) -> str:
    """The one-line error for the good checkpoint changed by `edit(state)`."""
    state = torch.load(good, weights_only=True)
    edit(state)
    bad = tmp_path / "bad.pt"
    torch.save(state, bad)
    with pytest.raises(SinGANError) as info:
        load(bad)
    message = str(info.value)
    assert "\n" not in message and str(bad) in message
    return message


def test_a_good_checkpoint_loads_and_samples(good):
    model = load(good)
    assert model.complete and model.num_trained == 2
    assert generate(model, 2, seed=0).shape == (2, 3, 30, 40)


def _set(*keys_and_value):
    *keys, value = keys_and_value

    def edit(state):
        target = state
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return edit


CASES = [
    (_set("scales", 1, "noise_amp", math.nan), r"scales\[1\]\['noise_amp'\] is nan, expected float \(finite\)"),
    (_set("scales", 0, "noise_amp", math.inf), r"scales\[0\]\['noise_amp'\] is inf"),
    (_set("scales", 0, "noise_amp", -0.5), r"expected >= 0"),
    (lambda s: s["scales"].pop(), r"1 of 2 scales are stored but it is marked complete"),
    (lambda s: s.pop("reals"), r"lacks the key reals"),
    (_set("config", "niter", "300"), r"config: niter='300': must be an integer"),  # the rules TrainConfig
    (_set("config", "scale_factor", True), r"config: scale_factor=True: must be a number in \(0, 1\)"),
    (_set("config", "nc_im", 2), r"config: nc_im=2: must be one of 1, 3"),
    (_set("config", "min_nfc", 64), r"config: min_nfc 64: must be at most nfc 32"),  # ... and between settings
    (_set("geometry", "stop_scale", 3), r"2 real images for num_levels 2 and stop scale 3"),
    (_set("geometry", "scale_factor", 1.5), r"the scale factor 1.5 is outside \(0, 1\]"),
    (lambda s: s["reals"].__setitem__(0, s["reals"][0][..., :-1]), r"reals\[0\] is 25x33 but the geometry"),
    (lambda s: s["reals"][1].__setitem__((0, 0, 0, 0), math.nan), r"reals\[1\] holds NaN"),
    (_set("reals", 0, [1, 2]), r"reals\[0\] is list, expected a tensor"),
    (_set("scales", 1, "z_rec", torch.zeros(1, 3, 30, 40)), r"z_rec'\] has shape \(1, 3, 30, 40\), expected"),
    (_set("scales", 0, "nfc", 64), r"widths 64/32, but the config gives 32/32"),
    (lambda s: s["scales"][0]["netG"].pop("tail.0.weight"), r"does not match the network"),
    (_set("scales", 0, "netG", "tail.0.bias", torch.zeros(5)), r"tail.0.bias'\] has shape \(5,\), expected \(3,\)"),
    (_set("scales", 1, "netD", "head.conv.weight", torch.full((32, 3, 3, 3), math.inf)), r"holds NaN or infinite"),
    (_set("scales", 0, "netG", None), r"scales\[0\]\['netG'\] is None, expected dict"),
    (_set("complete", 1), r"\['complete'\] is 1, expected bool"),
    (_set("resume", "nonsense"), r"\['resume'\] is 'nonsense', expected dict or None"),
    (_set("version", 0), r"format version 0, older than this singan reads \(1\); retrain"),
    (_set("version", "1"), r"format version is '1', not a number"),
    (_set("version", 2), r"format version 2, newer than this singan reads \(1\); upgrade"),
]


@pytest.mark.parametrize("edit, words", CASES, ids=[c[1][:40] for c in CASES])
def test_malformed_checkpoints_are_refused_in_one_line(tmp_path, good, edit, words):
    assert re.search(words, _refused(tmp_path, good, edit))


def test_unfinished_model_says_how_to_resume(tmp_path):
    model = _model(scales=1)
    state = checkpoint.to_state(model, in_progress_state(model, 1, iteration=7))
    path = tmp_path / "model.pt"
    torch.save(state, path)
    with pytest.raises(SinGANError) as info:
        load(path)
    message, cli = str(info.value), info.value.cli  # the API's words, and the scripts'
    assert "1 of 2 scales trained, scale 2 stopped at iteration 7" in message
    assert "resume=True" in message and "allow_partial=True" in message and "--" not in message
    assert "--resume" in cli and "main_train.py --input_name balloons.png" in cli
    assert info.value.partial_hint and "\n" not in message + cli  # --allow_partial: added by commands taking it
    assert load(path, allow_partial=True).num_trained == 1


def test_resume_state_at_the_wrong_scale(tmp_path, good):
    model = _model(scales=1)
    resume = in_progress_state(model, 1, iteration=7)
    resume["in_progress"]["scale"] = 0
    state = checkpoint.to_state(model, resume)
    torch.save(state, tmp_path / "model.pt")
    with pytest.raises(SinGANError, match="resume state is at scale 0, iteration 7, but 1 of 2 scales"):
        load(tmp_path / "model.pt", allow_partial=True)


def test_a_folder_is_not_a_model(good):
    with pytest.raises(SinGANError, match="is a folder, not a model file"):
        load(good.parent)


def test_checkpoint_gets_the_users_umask_and_loading_keeps_the_rng(tmp_path, good):
    old = os.umask(0o022)
    try:
        path = checkpoint.save(_model(scales=1), tmp_path / "m.pt")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    load(good)
    assert torch.equal(torch.rand(3), expected)
