"""Full-size outputs by the photo's own detail (`--upscaler patches`, singan/apps/detail.py) and the measures
that judge them (singan/eval/fullsize.py).

The model is untrained (tests/helpers.py) of balloons.png (186x248) at --max_size 40 (30x40): the patches
upscaler uses the model's training image and the photograph, not its generators.
"""

import pytest
import torch
import torch.nn.functional as F

from helpers import IMAGES, run_command, untrained_model_file
from singan import SinGANError, generate, load
from singan.apps import detail, sr
from singan.apps import upscale as up
from singan.core.imresize import imresize_to_shape
from singan.eval import fullsize
from singan.io.images import read_image

FULL = (186, 248)
MODEL = "scale_factor=0.750000,alpha=10"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return load(untrained_model_file(tmp_path_factory.mktemp("fullsize") / "model.pt"))


@pytest.fixture(scope="module")
def photo():
    return read_image(IMAGES / "balloons.png")


def _stripes(size, period=4.0):
    """Diagonal stripes of +-0.15 (the look of the chain's hatching)."""
    y, x = torch.meshgrid(torch.arange(size[0]), torch.arange(size[1]), indexing="ij")
    return 0.15 * torch.sin(2 * torch.pi * (x + y) / period)[None, None].float()


def test_measures_on_known_images(photo):
    s = imresize_to_shape(photo, (30, 40))
    up_bicubic = F.interpolate(s, size=FULL, mode="bicubic", align_corners=False).clamp(-1, 1)
    assert fullsize.drift(up_bicubic, s) < 1.0  # a bicubic upscale moves no colour
    assert fullsize.shift(up_bicubic, s) < 0.5
    shifted = (photo + 20 / 127.5).clamp(-1, 1)
    assert fullsize.shift(photo * 0 + 20 / 127.5 - 1, photo * 0 - 1) == pytest.approx(20, abs=1e-3)
    assert 15 < fullsize.shift(shifted, photo) <= 20.01  # 20 levels, less what the clamp cut
    assert fullsize.hf(photo, photo) == pytest.approx(1.0)
    assert fullsize.hf(up_bicubic, photo) < 0.4  # blurry
    assert fullsize.sat(photo, photo) == 0
    assert fullsize.sat(torch.ones_like(photo), photo) > 0.9
    hatched = (up_bicubic + _stripes(FULL)).clamp(-1, 1)
    assert fullsize.hatch(hatched, s, photo) > 0.3  # one orientation dominates what was added
    assert abs(fullsize.hatch(photo, s, photo)) < 0.01  # (s is not quite the photo brought down)
    assert fullsize.meets({"drift": 5, "shift": 3, "hf": 1.2, "sat": 0.0, "hatch": 0})
    assert not fullsize.meets({"drift": 7, "shift": 3, "hf": 1.2, "sat": 0.0, "hatch": 0})


def test_measures_inside_a_mask(photo):
    mask = torch.zeros(1, 1, *FULL)
    mask[..., 50:120, 60:180] = 1
    changed = photo.clone()
    changed[..., :40, :] = 1  # outside the mask: not measured
    s = imresize_to_shape(photo, (30, 40))
    assert fullsize.sat(changed, photo, mask) == 0
    assert fullsize.hf(changed, photo, mask) == pytest.approx(1.0)
    assert fullsize.shift(changed, s, mask) < 3


def test_patches_keep_colours_and_add_the_photos_detail(model, photo):
    s = generate(model, 3, seed=0)
    out = up.to_size(model, s, FULL, photo=photo)
    assert out.shape == (3, 3, *FULL)
    for i in range(3):
        values = fullsize.measure(out[i:i + 1].clamp(-1, 1), s[i:i + 1], photo)
        assert values["drift"] < 6 and values["shift"] < 4, values
        assert values["hf"] > fullsize.hf(detail.bicubic(s[i:i + 1], FULL).clamp(-1, 1), photo) + 0.05, values


def test_the_reconstruction_brought_up_is_the_photo(model, photo):
    """Where the image is the training image, every match is itself: the output is the photograph (less the
    small back-projection of the difference of two bicubic kernels)."""
    out = up.to_size(model, model.reals[-1], FULL, photo=photo).clamp(-1, 1)
    assert (out - photo).abs().mean() * 127.5 < 3
    assert fullsize.hf(out, photo) > 0.8


def test_patches_same_input_same_pixels_and_strips_agree(model, photo, monkeypatch):
    s = generate(model, 1, seed=2)
    a = up.to_size(model, s, (150, 211), photo=photo)
    assert torch.equal(a, up.to_size(model, s, (150, 211), photo=photo))
    monkeypatch.setattr(detail, "STRIP_ROWS", 7)
    monkeypatch.setattr(detail, "SEARCH_BYTES", 4096)
    assert (up.to_size(model, s, (150, 211), photo=photo) - a).abs().max() <= 1e-5


def test_without_a_photo_and_above_it_the_image_gives_its_own_detail(model, photo):
    s = generate(model, 1, seed=3)
    assert detail.steps((30, 40), (372, 496), (30, 40), FULL, 4 / 3)[0] == FULL  # the photo's zoom first
    for size, kwargs in (((60, 80), {}), ((372, 496), {"photo": photo})):
        out = up.to_size(model, s, size, **kwargs).clamp(-1, 1)
        assert out.shape[-2:] == size
        assert fullsize.drift(out, s) < 6 and fullsize.shift(out, s) < 4


def test_local_match_of_an_image_and_its_smaller_copy_is_a_smooth_zoom():
    torch.manual_seed(0)
    flat = torch.zeros(1, 3, 24, 32)
    field = detail.local_match(flat, F.interpolate(flat, size=(18, 24)))
    rows = field[0, :, 0]
    assert field.is_floating_point() and (rows[1:] - rows[:-1] > 0).all()  # no staircase: every row moves on


def test_upscaler_is_checked(model):
    with pytest.raises(SinGANError, match="upscaler"):
        up.to_size(model, model.reals[-1], FULL, upscaler="lanczos")


def test_sr_default_is_the_chain_and_patches_lands_on_the_size(model):
    torch.manual_seed(3)
    chain = sr.super_resolve(model, 2.0, progress=False)
    torch.manual_seed(3)
    assert torch.equal(sr.super_resolve(model, 2.0, upscaler="chain", progress=False), chain)
    out = sr.super_resolve(model, 2.0, upscaler="patches", progress=False)
    assert out.shape == chain.shape
    # No dark border column: the patches upscaler mirrors the border (the chain keeps the original's
    # resize, which reads interior pixels for taps left of the image).
    left, inner = out[..., :, :3].mean(), out[..., :, 3:12].mean()
    assert (left - inner).abs() * 127.5 < 8


def test_random_samples_command_takes_the_upscaler(tmp_path, monkeypatch, capsys):
    untrained_model_file(tmp_path / "TrainedModels" / "balloons" / MODEL / "model.pt")
    outs = {}
    for upscaler in ("patches", "chain"):
        proc = run_command("sample", ["--input_dir", IMAGES, "--input_name", "balloons.png", "--not_cuda",
                                      "--manualSeed", "1", "--num_samples", "1", "--out_size", "full", "--overwrite",
                                      "--upscaler", upscaler], tmp_path, monkeypatch, capsys)
        assert proc.returncode == 0, proc.stderr
        folder = tmp_path / "Output" / "RandomSamples" / "balloons" / MODEL / "gen_start_scale=0_186x248"
        outs[upscaler] = read_image(folder / "0.png")
        assert outs[upscaler].shape[-2:] == FULL
    assert not torch.equal(outs["patches"], outs["chain"])


def test_sr_command_takes_the_upscaler(tmp_path, monkeypatch, capsys):
    """SR.py --upscaler patches on a stored SR model of balloons (trained at --max_size 40, 30x40): sr_factor
    times the input file, from the file's own detail up to its size and the image's own above it."""
    from singan.io import paths

    in_scale, _ = sr.sr_chain(2.0)
    sr_model = paths.trained_model_file("balloons.png", 1 / in_scale, 100, root=tmp_path / "TrainedModels",
                                        sr_factor=2.0)
    untrained_model_file(sr_model, scale_factor=1 / in_scale, alpha=100, min_size=18, manualSeed=1)
    proc = run_command("sr", ["--input_dir", IMAGES, "--input_name", "balloons.png", "--not_cuda", "--manualSeed",
                              "1", "--sr_factor", "2", "--max_size", "40", "--niter", "30", "--upscaler", "patches"],
                       tmp_path, monkeypatch, capsys)
    assert proc.returncode == 0 and "training the SR model" not in proc.stdout, proc.stdout + proc.stderr
    hr = read_image(tmp_path / "Output" / "SR" / "2.0" / sr_model.parent.name / "balloons_HR.png")
    assert hr.shape[-2:] == (372, 496)
    photo = read_image(IMAGES / "balloons.png")
    assert fullsize.drift(hr, photo) < 3 and fullsize.shift(hr, photo) < 2  # the photo's colours, brought up


def test_patches_blow_out_no_pixel_that_bicubic_does_not(model, photo):
    s = generate(model, 2, seed=4)
    s[..., :8, :] = 0.99  # a bright band: the photo's detail would push parts of it to 255
    out = up.to_size(model, s, FULL, photo=photo).clamp(-1, 1)
    for i in range(2):
        assert fullsize.sat(out[i:i + 1], F.interpolate(s[i:i + 1], size=FULL, mode="bicubic").clamp(-1, 1)) <= 0.001
