"""Outputs at the input's own size: the upscaling chain (`singan.apps.upscale`) and --out_size on every command.

The models are untrained (freshly initialised networks from tests/helpers.py) of balloons.png
(186x248) at --max_size 40 (2 scales, 30x40): upscaling does the same work with any weights.
"""

import dataclasses
import subprocess
import sys

import imageio.v2 as imageio
import numpy as np
import pytest
import torch
from skimage import io

from helpers import ENV, IMAGES, REPO, run_command, untrained_model_file
from singan import SinGANError, generate, load
from singan.apps import animation, injection, references, sr
from singan.apps import upscale as up
from singan.core.imresize import imresize
from singan.core.model import SinGAN
from singan.core.pyramid import sr_scale_chain
from singan.core.sampling import run_pyramid
from singan.io import paths
from singan.io.images import read_image, save_image
from singan.runtime.memory import pyramid_bytes

FULL = (186, 248)  # balloons.png
MODEL = "scale_factor=0.750000,alpha=10"
COMMON = ["--input_dir", IMAGES, "--input_name", "balloons.png", "--not_cuda", "--manualSeed", "1"]


def _pasted_reference(cwd):
    """ref/paste.png: balloons.png with a red rectangle pasted in, and its mask."""
    paste, mask = io.imread(IMAGES / "balloons.png")[..., :3].copy(), np.zeros(FULL + (3,), np.uint8)
    paste[60:100, 100:150], mask[60:100, 100:150] = (200, 30, 30), 255
    (cwd / "ref").mkdir()
    io.imsave(cwd / "ref" / "paste.png", paste, check_contrast=False)
    io.imsave(cwd / "ref" / "paste_mask.png", mask, check_contrast=False)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """Untrained models where the commands look for them, and a pasted reference with its mask."""
    cwd = tmp_path_factory.mktemp("upscale")
    untrained_model_file(cwd / "TrainedModels" / "balloons" / MODEL / "model.pt")
    untrained_model_file(cwd / "TrainedModels" / "balloons" / "scale_factor=0.750000_noise_padding" / "model.pt",
                         mode="animation_train", min_size=20, manualSeed=1)
    _pasted_reference(cwd)
    return cwd


@pytest.fixture(scope="module")
def model(workdir):
    return load(workdir / "TrainedModels" / "balloons" / MODEL / "model.pt")


def _old_super_resolve(model, sr_factor):
    """super_resolve as it was before singan.apps.upscale: the finest generator repeated as a pyramid."""
    in_scale, iter_num = sr_scale_chain(sr_factor)
    chain = [model.reals[-1]]
    for _ in range(iter_num):
        chain.append(imresize(chain[-1], in_scale))
    sr = SinGAN(config=model.config, geometry=dataclasses.replace(model.geometry, scale_factor=1 / in_scale),
                reals=chain[1:], scales=[model.scales[-1]] * iter_num)
    h, w = model.reals[-1].shape[-2:]
    return run_pyramid(sr, 1, start_image=chain[1])[:, :, :int(sr_factor * h), :int(sr_factor * w)]


@pytest.mark.parametrize("sr_factor", [4.0, 2.0, 3.3])
def test_super_resolve_output_unchanged(model, sr_factor):
    torch.manual_seed(3)
    before = _old_super_resolve(model, sr_factor)
    torch.manual_seed(3)
    assert torch.equal(sr.super_resolve(model, sr_factor), before)


@pytest.mark.parametrize("size", [(97, 131), (31, 40), (30, 41), (185, 247), (301, 77 * 5)])
def test_odd_sizes_and_factors_land_exactly(model, size):
    plan = up.chain_plan((30, 40), size, model.geometry.scale_factor)
    assert plan.sizes[-1] == size and plan.crop == size
    steps = [(30, 40), *plan.sizes]
    for (h0, w0), (h1, w1) in zip(steps, steps[1:]):
        assert h0 <= h1 and w0 <= w1 and max(h1 / h0, w1 / w0) <= 1 / model.geometry.scale_factor + 1.5 / min(h0, w0)
    if max(size) < 200:
        torch.manual_seed(0)
        assert up.upscale(model, model.reals[-1], size, progress=False).shape[-2:] == size


def test_same_seed_same_output(model):
    a = generate(model, 2, seed=5, out_size=(97, 131))
    assert a.shape == (2, 3, 97, 131)
    assert torch.equal(a, generate(model, 2, seed=5, out_size=(97, 131)))
    assert not torch.equal(a, generate(model, 2, seed=6, out_size=(97, 131)))
    assert generate(model, 1, seed=5, out_size=131).shape[-2:] == (98, 131)  # longest side, the sample's aspect


def test_tiled_equals_untiled(model, monkeypatch):
    x = generate(model, 1, seed=0)
    torch.manual_seed(1)
    untiled = up.upscale(model, x, (150, 211), progress=False)
    for tile in (16, 37):
        torch.manual_seed(1)
        assert (up.upscale(model, x, (150, 211), tile=tile, progress=False) - untiled).abs().max() <= 1e-5
    monkeypatch.setattr(up, "DENSE_RESIZE_BYTES", 0)  # the strip resize too
    monkeypatch.setattr(up, "STRIP_ROWS", 7)
    torch.manual_seed(1)
    assert (up.upscale(model, x, (150, 211), tile=16, progress=False) - untiled).abs().max() <= 1e-5


def test_tiles_above_the_cap_share_one_buffer_and_agree(model, monkeypatch):
    """Above the tile cap a step keeps one image-sized buffer: tiles read their input from it (plus their
    window of the strip-drawn noise) and write into it where no later tile reads. Any tiling (one tile
    included) gives the same image, and the noise is the same whatever the tiles."""
    x = generate(model, 1, seed=0)
    monkeypatch.setattr("singan.runtime.memory.TILE_BYTES", 0)
    monkeypatch.setattr(up, "STRIP_ROWS", 7)
    outs = []
    for tile in (500, 16, 37):
        torch.manual_seed(1)
        outs.append(up.upscale(model, x, (150, 211), tile=tile, progress=False).clone())
    assert outs[0].shape[-2:] == (150, 211)
    assert all((out - outs[0]).abs().max() <= 1e-5 for out in outs[1:])


def _one_line_error(proc, *words):
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def test_absurd_size_refused_before_any_work(workdir, monkeypatch, capsys):
    for size, words in (("100000x100000", ["longest side may be 32768"]), ("20x20", ["at least the training size"]),
                        ("12x", ["must be train, full, HxW"])):
        proc = run_command("sample", [*COMMON, "--num_samples", "2", "--out_size", size], workdir, monkeypatch, capsys)
        _one_line_error(proc, *words)
    monkeypatch.setattr("singan.runtime.memory.available_bytes", lambda device: 2**30)
    proc = run_command("sample", [*COMMON, "--num_samples", "2", "--out_size", "8000x9000"], workdir, monkeypatch,
                       capsys)
    _one_line_error(proc, "upscaling 1 image to 8000x9000 needs about", "would fit")
    fit = proc.stderr.split("--out_size ")[1].split()[0]
    h, w = map(int, fit.split("x"))
    model = load(workdir / "TrainedModels" / "balloons" / MODEL / "model.pt")
    chain = up.chain_plan((30, 40), (h, w), up.step_factor(model)).sizes
    assert 1000 < h < 8000 and pyramid_bytes(model, chain, start=(30, 40), chain=len(model.scales) - 1, kept=1) <= 2**30
    assert not list(workdir.glob("Output/RandomSamples/*/*/*_8000x9000"))  # nothing written
    with pytest.raises(SinGANError, match="out_size 40000x40"):
        generate(load(workdir / "TrainedModels" / "balloons" / MODEL / "model.pt"), 1, out_size=(40000, 40))


def _size(path):
    assert path.is_file(), path
    return io.imread(path).shape[:2]


def test_every_command_writes_the_input_size(workdir, monkeypatch, capsys):
    _every_command_writes_the_input_size(workdir, monkeypatch, capsys)


@pytest.mark.slow
def test_every_command_writes_the_input_size_from_a_trained_model(tmp_path, monkeypatch, capsys):
    """As above, on models trained here: main_train.py at --max_size 40 on the 186x248 file (30x40), and the
    animation model that animation.py trains itself."""
    run_command("train", [*COMMON, "--max_size", "40", "--niter", "30", "--num_samples", "0"], tmp_path,
                monkeypatch, capsys)
    assert load(tmp_path / "TrainedModels" / "balloons" / MODEL / "model.pt").reals[-1].shape[-2:] == (30, 40)
    _pasted_reference(tmp_path)
    _every_command_writes_the_input_size(tmp_path, monkeypatch, capsys)


def _every_command_writes_the_input_size(workdir, monkeypatch, capsys):
    def run(command, *argv):
        proc = run_command(command, [*COMMON, *argv, "--out_size", "full"], workdir, monkeypatch, capsys)
        assert proc.returncode == 0, proc.stderr
        return workdir / "Output"

    out = run("sample", "--num_samples", "2")
    assert _size(out / "RandomSamples" / "balloons" / MODEL / "gen_start_scale=0_186x248" / "1.png") == FULL
    out = run("sample", "--mode", "random_samples_arbitrary_sizes", "--scale_h", "1.5", "--scale_v", "0.7",
              "--num_samples", "1")
    folder = out / "RandomSamples_ArbitrerySizes" / "balloons" / MODEL
    assert _size(next(folder.glob("*_130x372")) / "0.png") == (130, 372)  # full times scale_v / scale_h
    ref = ["--ref_dir", workdir / "ref", "--ref_name", "paste.png"]
    for command, folder, name in (("harmonize", "Harmonization", "start_scale=1.png"),
                                  ("edit", "Editing", "start_scale=1_masked.png"),
                                  ("paint2image", "Paint2image", "start_scale=1.png")):
        out = run(command, *ref)
        assert _size(out / folder / "balloons" / MODEL / "paste_out_186x248" / name) == FULL
    out = run("animate", "--num_frames", "3", "--beta", "0.9", "--start_scale", "1",  # the stored model's settings
              "--max_size", "40", "--niter", "30")
    gif = (out / "Animation" / "balloons" / "scale_factor=0.750000_noise_padding" / "start_scale=1_186x248"
           / "alpha=0.100000_beta=0.900000.gif")
    frames = imageio.mimread(gif)
    assert frames[0].shape[:2] == FULL  # (the GIF writer merges equal frames of these untrained networks)
    # The training-size layout is untouched: nothing was written where --out_size train writes.
    assert not (workdir / "Output" / "RandomSamples" / "balloons" / MODEL / "gen_start_scale=0").exists()


@pytest.mark.parametrize("command, max_size", [("harmonize", 124), ("edit", 186)])
def test_masked_injection_at_full_size_keeps_the_reference_outside_the_mask(workdir, tmp_path, monkeypatch, capsys,
                                                                            command, max_size):
    """Harmonization (trained at 93x124) and editing (at 139x186): the mask, dilated and blurred at the full
    size with radius and sigma scaled by the size ratio, leaves part of the image outside it, where the
    output is the full-size reference pixel for pixel."""
    model_file = untrained_model_file(tmp_path / "models" / "balloons" / MODEL / "model.pt", max_size=max_size)
    model = load(model_file)
    real = references.training_image(IMAGES / "balloons.png", model)
    ref, mask = references.load_reference(workdir / "ref", "paste.png", tuple(real.shape[-2:]), with_mask=True)
    full = references.load_reference(workdir / "ref", "paste.png", FULL, with_mask=True)
    assert torch.equal(full[0], read_image(workdir / "ref" / "paste.png"))  # the file itself, not resized
    torch.manual_seed(0)
    n = model.num_trained - 2
    radius = injection.HARMONIZATION_RADIUS if command == "harmonize" else injection.EDITING_RADIUS
    generated, blended = injection.masked_injection(model, real, ref, mask, n, radius, full=full)
    ratio = 248 / max_size
    soft = injection.dilate_mask(full[1], round(radius * ratio), sigma=injection.MASK_SIGMA * ratio)
    outside = soft == 0
    assert 0.3 < outside.float().mean() < 0.95
    assert torch.equal(blended[outside], full[0][outside])  # the user's pixels, exactly
    assert (blended[~outside] - full[0][~outside]).abs().max() > 0.1  # the masked region changed
    # The command's PNG holds those pixels as the reference is written (the same 8-bit writer):
    flag = "--harmonization_start_scale" if command == "harmonize" else "--editing_start_scale"
    proc = run_command(command, [*COMMON, "--ref_dir", workdir / "ref", "--ref_name", "paste.png",
                                 "--models_dir", tmp_path / "models", "--out", tmp_path / "Output", flag, n,
                                 "--out_size", "full"], tmp_path, monkeypatch, capsys)
    assert proc.returncode == 0, proc.stderr
    kind, name = ("Harmonization", f"start_scale={n}.png") if command == "harmonize" else \
        ("Editing", f"start_scale={n}_masked.png")
    folder = tmp_path / "Output" / kind / "balloons" / paths.model_name(model_file) / "paste_out_186x248"
    png = io.imread(folder / name)[..., :3]
    assert (folder / "paste_mask_dilated.png").is_file()
    dilated = outside[0, 0].numpy()  # where the mask the command computes too is exactly 0
    save_image(tmp_path / "ref.png", full[0])
    assert np.array_equal(png[dilated], io.imread(tmp_path / "ref.png")[..., :3][dilated])
    assert np.abs(png[~dilated].astype(int) - io.imread(tmp_path / "ref.png")[..., :3][~dilated]).max() > 10
    assert np.abs(png[dilated].astype(int) - io.imread(workdir / "ref" / "paste.png")[..., :3][dilated]).max() <= 1


def test_disk_dilation_by_distance_transform_is_the_disk(model):
    mask = torch.full((1, 3, 90, 120), -1.0)
    mask[:, :, 40:43, 50:70] = 1
    mask[:, :, 10, 5] = 1
    from scipy.ndimage import binary_dilation
    from skimage.morphology import disk

    binary = (mask[0, 0] > 0).numpy()
    for radius in (7, 20, 21, 33):  # the harmonization and editing radii, and full-size ones
        soft = injection.dilate_mask(mask, radius, sigma=1e-3)
        assert np.array_equal(soft[0, 0].numpy() > 0.5, binary_dilation(binary, structure=disk(radius)))


def test_animation_frames_share_the_upscaling_noise(workdir):
    anim = load(workdir / "TrainedModels" / "balloons" / "scale_factor=0.750000_noise_padding" / "model.pt")
    torch.manual_seed(0)
    # alpha 1: every frame's noise is the reconstruction noise, so the frames are equal at the training
    # size, and stay equal upscaled only if they share the upscaling noise.
    frames = animation.animate(anim, alpha_animation=1.0, beta=0.9, start_scale=1, num_frames=3, out_size=(61, 83))
    assert frames.shape == (3, 61, 83, 3)
    assert np.array_equal(frames[0], frames[1]) and np.array_equal(frames[0], frames[2])


def test_sr_writes_sr_factor_times_the_input_file(workdir, monkeypatch, capsys):
    """Issue 26: the model trained on balloons at --max_size 40 (30x40); SR.py --sr_factor 2 writes 372x496."""
    in_scale, _ = sr.sr_chain(2.0)
    sr_model = paths.trained_model_file("balloons.png", 1 / in_scale, 100, root=workdir / "TrainedModels",
                                        sr_factor=2.0)
    untrained_model_file(sr_model, scale_factor=1 / in_scale, alpha=100, min_size=18, manualSeed=1)
    # The stored model's settings (a model not found or stale would be trained, not used: the test says so).
    proc = run_command("sr", [*COMMON, "--sr_factor", "2", "--max_size", "40", "--niter", "30"], workdir,
                       monkeypatch, capsys)
    assert proc.returncode == 0 and "training the SR model" not in proc.stdout, proc.stdout + proc.stderr
    hr = workdir / "Output" / "SR" / "2.0" / sr_model.parent.name / "balloons_HR.png"
    assert _size(hr) == (372, 496)


def test_bench_upscale_runs(tmp_path):
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "upscale.py"), "--max_size", "40", "--sizes", "60",
                           "120", "--peak_seconds", "0.2"], cwd=tmp_path, env=ENV, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines() if line.split()[:1] in (["60"], ["120"])]
    assert [row[1] for row in rows] == ["tiled", "untiled", "patches", "self"] * 2, proc.stdout
    for row in rows:
        assert float(row[3]) >= 0, row
        if row[1] in ("tiled", "untiled"):
            assert all(float(v.rstrip("%")) > 0 for v in row[4:7]), row  # GFLOP/s, %, MB
        else:
            assert float(row[4]) > 0 and float(row[5]) > 0, row  # MB, seconds over the chain's


def test_side_by_side_picture_script(tmp_path):
    small, full = tmp_path / "small.png", tmp_path / "full.png"
    io.imsave(small, np.zeros((30, 40, 3), np.uint8), check_contrast=False)
    io.imsave(full, np.full((186, 248, 3), 200, np.uint8), check_contrast=False)
    proc = subprocess.run([sys.executable, str(REPO / "docs" / "side_by_side.py"), small, full, tmp_path / "out.png",
                           "--crop", "10", "20", "50", "60", "--zoom", "2"], env=ENV, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = io.imread(tmp_path / "out.png")
    assert out.shape == (100, 2 * 120 + 8, 3) and out[:, :120].max() == 0 and out[:, -120:].min() == 200


def test_upscalers_figure_script(workdir, tmp_path):
    proc = subprocess.run([sys.executable, str(REPO / "docs" / "upscalers_figure.py"),
                           workdir / "TrainedModels" / "balloons" / MODEL / "model.pt", IMAGES / "balloons.png",
                           tmp_path / "fig.png", "--crop", "10", "20", "50", "60", "--zoom", "2"], env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = io.imread(tmp_path / "fig.png")
    assert out.shape[:2] == (100 + 14, 5 * 120 + 4 * 6)  # five labelled panels
    assert np.array_equal(out[14:, -120:], np.repeat(np.repeat(io.imread(IMAGES / "balloons.png")[10:60, 20:80, :3],
                                                                2, 0), 2, 1))  # the photograph, last


@pytest.mark.slow
def test_bench_upscale_quality_runs(tmp_path):
    """Trains (two iterations per scale, --max_size 40) on balloons.png and scores every upscaler on samples and
    an edit at the photo's size, and x4 super-resolution."""
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "upscale_quality.py"), IMAGES / "balloons.png",
                           "--max_size", "40", "--niter", "2", "--seeds", "1", "--models_dir", tmp_path / "models",
                           "--save", tmp_path / "pictures", "--sr"], cwd=tmp_path, env=ENV, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines() if line.split()[:1] == ["balloons.png"]]
    table = {(row[1], row[2]): row for row in rows if len(row) == 12}
    assert set(table) == {(task, m) for task in ("samples", "wide", "harmonize", "edit", "paint")
                          for m in ("patches", "chain", "bicubic")}
    for row in table.values():
        assert row[-1] in ("yes", "no") and all(v == "nan" or float(v) == float(v) for v in row[3:11]), row
    assert float(table["samples", "patches"][3]) < 6  # drift
    sr = {row[1]: row for row in rows if len(row) == 4}
    assert set(sr) == {"bicubic", "patches"}
    assert io.imread(tmp_path / "pictures" / "balloons_samples_patches.png").shape[:2] == (186, 248)
