"""The Python API refuses bad arguments with one-line SinGANErrors before any work, checks memory before
sampling, super-resolution and animation (naming a size that fits), and clamps samples to [-1, 1]."""

import math
import re

import numpy as np
import pytest
import torch

import singan
from helpers import IMAGES, random_model, tiny_config
from singan import SinGANError, TrainConfig, generate, train_image
from singan.apps import animation, sr, upscale
from singan.io.images import read_image
from singan.runtime.memory import INFERENCE_BASELINE_BYTES, pyramid_bytes, sample_sizes


@pytest.fixture(scope="module")
def model():
    """The tiny balloons pyramid (25x34, 30x40) with two untrained, well-formed scales."""
    return random_model(noise_amp=0.5)


BAD_SAMPLING = [  # the rules SampleOptions declares (as the command line's), then this model's own bounds
    (dict(gen_start_scale=3), r"^gen_start_scale=3: this model has 2 trained scales: 0 to 2 \(2 reconstructs"),
    (dict(gen_start_scale=-1), r"^gen_start_scale=-1: must be an integer in \[0, 1000\]"),
    (dict(gen_start_scale=1.0), r"^gen_start_scale=1.0: must be an integer"),
    (dict(num_samples=0), r"^num_samples=0: must be an integer in \[1, 100000\]"),
    (dict(num_samples=-1), r"^num_samples=-1: must be an integer"),
    (dict(num_samples=True), r"^num_samples=True: must be an integer"),
    (dict(scale_h=0), r"^scale_h=0: must be a number in \(0, 10\]"),
    (dict(scale_h=0.01), r"^scale_h=0.01: this model takes 0.02941 to 10 \(1 pixel at the coarsest scale"),
    (dict(scale_h=20), r"^scale_h=20: must be a number in \(0, 10\]"),  # as the CLI
    (dict(scale_h=-2.0), r"^scale_h=-2.0: must be"),
    (dict(scale_v=math.nan), r"^scale_v=nan: must be a number"),
    (dict(scale_v=math.inf), r"^scale_v=inf: must be a number"),
    (dict(scale_h="2"), r"^scale_h='2': must be a number"),
    (dict(batch_size=0), r"^batch_size=0: must be an integer in \[1, 100000\]"),
    (dict(batch_size=2.5), r"^batch_size=2.5: must be an integer"),
    (dict(seed="x"), r"^seed='x': must be an integer"),
]


@pytest.mark.parametrize("kwargs, words", BAD_SAMPLING, ids=[str(k) for k, _ in BAD_SAMPLING])
def test_generate_refuses_bad_arguments(model, kwargs, words):
    kwargs = dict(kwargs)
    num_samples = kwargs.pop("num_samples", 2)
    with pytest.raises(SinGANError, match=words) as info:
        generate(model, num_samples, **kwargs)
    assert "\n" not in str(info.value)


def test_generate_clamps_and_seeds_without_touching_the_global_rng(model):
    torch.manual_seed(1)
    before = torch.get_rng_state()
    a = generate(model, 3, seed=4)
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.equal(a, generate(model, 3, seed=4))
    assert a.shape == (3, 3, 30, 40) and a.min() >= -1 and a.max() <= 1
    assert not torch.equal(a, generate(model, 3, seed=5))
    smallest = generate(model, 1, scale_h=1 / 34, scale_v=1 / 25, seed=0)  # one pixel at the coarsest scale
    assert smallest.shape[-2:] == (1, 1)


def test_samples_outside_the_range_are_clamped(model):
    import copy

    from singan.core.sampling import run_pyramid

    bright = copy.deepcopy(model)
    for scale in bright.scales:
        scale.netG.tail[0].bias.fill_(5.0)  # every residual about +1: the finest scale steps past 1
    torch.manual_seed(0)
    assert run_pyramid(bright, 2).max() > 1.5
    samples = generate(bright, 2, seed=0)
    assert samples.max() == 1 and samples.min() >= -1


def _no_memory(monkeypatch, available):
    monkeypatch.setattr("singan.runtime.memory.available_bytes", lambda device: available)


def sampling_bytes(model, scale_h, scale_v, batch, num_samples):
    return pyramid_bytes(model, sample_sizes(model, scale_h, scale_v), batch=batch, kept=num_samples)


def test_sampling_memory_check_names_a_batch_size_that_fits(model, monkeypatch):
    one = sampling_bytes(model, 4.0, 4.0, 1, 64)
    _no_memory(monkeypatch, one + (sampling_bytes(model, 4.0, 4.0, 2, 64) - one) // 2 + 1)
    with pytest.raises(SinGANError, match=r"^sampling 64 images of 120x160 needs about .* GiB but only .* GiB is free "
                                          r"on cpu; batch_size 1 would fit$"):
        generate(model, 64, scale_h=4.0, scale_v=4.0)
    available = INFERENCE_BASELINE_BYTES + (one - INFERENCE_BASELINE_BYTES) // 4
    _no_memory(monkeypatch, available)
    with pytest.raises(SinGANError, match=r"scale_h (\S+) and scale_v \S+ with batch_size 1 would fit") as info:
        generate(model, 64, scale_h=4.0, scale_v=4.0)
    fits = float(re.search(r"scale_h (\S+)", str(info.value)).group(1))
    assert 1.5 < fits < 2.5 and sampling_bytes(model, fits, fits, 1, 64) <= available


def test_super_resolution_checks_size_and_memory(model, monkeypatch):
    for bad in (math.nan, math.inf, 1.0, -4, 1000):  # the rule apps.sr.SR_FACTOR (as the command line's)
        with pytest.raises(SinGANError, match=rf"^sr_factor={bad}: must be a number in \(1.12246, 16\]"):
            sr.super_resolve(model, bad)
    with monkeypatch.context() as m, pytest.raises(SinGANError, match=r"longest side may be 100 \(--sr_factor 2.5"):
        m.setattr("singan.apps.sr.MAX_SIDE", 100)  # for this 40-pixel model, what 32768 is for a photo
        sr.super_resolve(model, 4)
    chain = upscale.sr_plan((30, 40), 4.0).sizes
    _no_memory(monkeypatch, pyramid_bytes(model, chain, start=(30, 40), chain=len(model.scales) - 1, kept=1) - 1)
    with pytest.raises(SinGANError, match=r"^super-resolution to 120x160 needs .*; --sr_factor (\S+) would fit$") as e:
        sr.super_resolve(model, 4.0)
    assert 1.12 < float(e.value.args[0].rsplit("--sr_factor ", 1)[1].split()[0]) < 4


def test_super_resolution_runs_when_it_fits(model):
    torch.manual_seed(0)
    assert sr.super_resolve(model, 2.0).shape == (1, 3, 60, 80)


BAD_ANIMATION = [  # the rules apps.animation.RULES (as the command line's), then this model's scales
    (dict(beta=1.5), r"^beta=1.5: must be a number in \[0, 1\]"),
    (dict(beta=-0.1), r"^beta=-0.1: must be"),
    (dict(alpha_animation=math.nan), r"^alpha_animation=nan: must be"),
    (dict(start_scale=2), r"^start_scale=2: this model has 2 trained scales: 0 to 1"),
    (dict(num_frames=0), r"^num_frames=0: must be an integer in \[1, 10000\]"),
    (dict(batch_size=0), r"^batch_size=0: must be an integer"),
]


@pytest.mark.parametrize("kwargs, words", BAD_ANIMATION, ids=[str(k) for k, _ in BAD_ANIMATION])
def test_animation_refuses_bad_arguments(model, kwargs, words):
    with pytest.raises(SinGANError, match=words):
        animation.animate(model, **{"start_scale": 0, "num_frames": 3, **kwargs})


def test_animation_memory_check_and_fps(model, monkeypatch, tmp_path):
    frames = animation.animate(model, start_scale=0, num_frames=4)
    assert frames.shape == (4, 30, 40, 3) and frames.dtype == np.uint8
    for fps in (0, -1, math.inf):
        with pytest.raises(SinGANError, match=rf"^fps={fps}: must be a number in \(0, 100\]"):
            animation.save_animation(tmp_path / "a.gif", frames, fps)
    assert not any(tmp_path.iterdir())
    need = pyramid_bytes(model, sample_sizes(model, 1, 1), batch=400, images=400, copies=4, kept=5 * 400,
                         fused=False)
    _no_memory(monkeypatch, need - 1)
    with pytest.raises(SinGANError, match=r"^animating 400 frames of 30x40 needs .*; --batch_size \d+ would fit$"):
        animation.animate(model, start_scale=0, num_frames=400)


def test_train_image_refuses_bad_arguments_before_writing(tmp_path):
    image = IMAGES / "balloons.png"
    cases = [
        (dict(model_file=tmp_path), "is a folder; name the model file in it"),
        (dict(config={"niter": 3}), "config must be a singan.TrainConfig, not dict"),
        (dict(resume=True, overwrite=True), "pass either resume"),
        (dict(resume=True), "nothing to resume"),
        (dict(save_every=math.nan), r"save_every=nan: must be a number in \[0, inf\)"),
        (dict(image=tmp_path / "missing.png"), "input image not found"),
    ]
    for kwargs, words in cases:
        args = {"image": image, "config": TrainConfig(niter=1), "model_file": tmp_path / "m" / "model.pt", **kwargs}
        with pytest.raises(SinGANError, match=words):
            train_image(args.pop("image"), args.pop("config"), args.pop("model_file"), progress=False, **args)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("nc_im", [0, 2, 4])
def test_read_image_refuses_channel_counts_other_than_1_or_3(nc_im):
    """read_image is what the API's messages point users to for an image tensor: its own argument is checked."""
    with pytest.raises(SinGANError, match=rf"^nc_im must be 1 or 3, not {nc_im}$"):
        read_image(IMAGES / "balloons.png", nc_im)


def test_a_masks_transparency_raises_no_warning():
    import warnings

    from singan.apps.references import load_reference

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, mask = load_reference(IMAGES.parent / "Editing", "stone_edit.png", (40, 50), with_mask=True)
    assert mask.shape == (1, 3, 40, 50)


def test_save_images_writes_what_generate_returns(model, tmp_path):
    """singan.save_images(images, folder): each sample as <folder>/<i>.png, read back as the same pixels
    (to 8-bit rounding); bad arguments are one-line SinGANErrors."""
    images = generate(model, 3, seed=0)
    paths = singan.save_images(images, tmp_path / "samples")
    assert paths == [tmp_path / "samples" / f"{i}.png" for i in range(3)]
    for path, image in zip(paths, images, strict=True):
        assert (read_image(path)[0] - image).abs().max() <= 1 / 127.5 + 1e-6
    assert singan.save_images(images[0], str(tmp_path / "one")) == [tmp_path / "one" / "0.png"]
    for args, words in [((images.numpy(), tmp_path), "images must be a tensor"),
                        ((images[:, :2], tmp_path), r"got shape \(3, 2, 30, 40\)"),
                        ((images, None), "folder must be a file path"),
                        ((images, paths[0]), "is a file; give a folder")]:
        with pytest.raises(SinGANError, match=words):
            singan.save_images(*args)


@pytest.mark.slow
def test_train_image_writes_no_preview_folders_by_default(tmp_path, monkeypatch):
    """From Python, train_image('my.pt') writes the model file alone (no 0/ 1/ folders in the working folder);
    previews=True writes them beside the model file, as the commands do."""
    monkeypatch.chdir(tmp_path)
    torch.manual_seed(0)
    train_image(IMAGES / "balloons.png", tiny_config(niter=2), "my.pt", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my.pt"]
    train_image(IMAGES / "balloons.png", tiny_config(niter=2), "models/my.pt", progress=False, previews=True)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["0", "1", "my.pt"]
