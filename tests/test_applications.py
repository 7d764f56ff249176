"""The application scripts end to end on the CPU, on the shipped inputs, with tiny quickly trained models.

Two models are trained (seascape.png for harmonization with the tree.jpg paste, tree.png for editing
and paint-to-image) at --max_size 80, the smallest size at which some of the image lies outside the
dilated, blurred masks (they reach 7 + 20 and 20 + 20 pixels beyond the masks).
"""

import shutil

import imageio.v2 as imageio
import numpy as np
import pytest
from skimage import io

from helpers import IMAGES, REPO, run_script
from singan import SinGANError, load
from singan.apps.injection import injection_scale
from singan.apps.references import training_image
from singan.cli import paint2image
from singan.io.images import save_image

MODEL = "scale_factor=0.750000,alpha=10"  # the model folder name, also in its output folders
INPUT = REPO / "input"
FAST = ["--niter", "10", "--Dsteps", "1", "--Gsteps", "1"]  # training steps only need to run, not to converge
QUICK = ["--min_size", "25", *FAST, "--num_samples", "0", "--not_cuda", "--manualSeed", "1"]
COMMON = ["--input_dir", str(IMAGES), "--not_cuda", "--manualSeed", "1"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with tiny normally trained models of seascape.png (5 scales) and tree.png (7 scales)."""
    cwd = tmp_path_factory.mktemp("apps")
    for name in ("seascape.png", "tree.png"):
        run_script("main_train.py", "--input_dir", str(IMAGES), "--input_name", name, "--max_size", "80", *QUICK,
                   cwd=cwd)
    return cwd


def _model(cwd, name):
    return load(cwd / "TrainedModels" / name / MODEL / "model.pt")


def _training_image_png(cwd, name, tmp_path):
    """The training image as the applications use it (resized as in training), as saved to PNG."""
    path = tmp_path / f"{name}_real.png"
    save_image(path, training_image(IMAGES / f"{name}.png", _model(cwd, name)))
    return io.imread(path)[..., :3].astype(int)


def _rgb(path):
    assert path.is_file(), path
    return io.imread(path)[..., :3].astype(int)


def _check_outside_mask(result, real, dilated_png):
    """Outside the dilated mask (where its blurred PNG is 0) the result is the training image."""
    outside = io.imread(dilated_png)[..., 0] == 0
    assert outside.sum() > 200  # a real test: enough pixels lie outside
    assert np.abs(result[outside] - real[outside]).max() <= 1  # 8-bit PNG rounding
    assert np.abs(result[~outside] - real[~outside]).max() > 10  # the masked region changed


@pytest.mark.slow
def test_harmonization(workdir, tmp_path):
    # tree.jpg (a Christmas tree pasted into the seascape painting, 280x348) is resized to 65x80.
    run_script("harmonization.py", *COMMON, "--input_name", "seascape.png", "--ref_dir", str(INPUT / "Harmonization"),
               "--ref_name", "tree.jpg", "--harmonization_start_scale", "2", cwd=workdir)
    out = workdir / "Output" / "Harmonization" / "seascape" / MODEL / "tree_out"
    real = _training_image_png(workdir, "seascape", tmp_path)
    result = _rgb(out / "start_scale=2.png")
    assert result.shape == real.shape == (65, 80, 3)
    _check_outside_mask(result, real, out / "tree_mask_dilated.png")
    assert not (INPUT / "Harmonization" / "tree_mask_dilated.png").exists()


@pytest.mark.slow
def test_editing(workdir, tmp_path):
    run_script("editing.py", *COMMON, "--input_name", "tree.png", "--ref_dir", str(INPUT / "Editing"),
               "--ref_name", "tree_edit.png", "--editing_start_scale", "2", cwd=workdir)
    out = workdir / "Output" / "Editing" / "tree" / MODEL / "tree_edit_out"
    real = _training_image_png(workdir, "tree", tmp_path)
    generated, masked = _rgb(out / "start_scale=2.png"), _rgb(out / "start_scale=2_masked.png")
    assert generated.shape == masked.shape == real.shape == (80, 80, 3)
    assert 20 < generated.mean() < 235 and generated.std() > 10
    _check_outside_mask(masked, real, out / "tree_edit_mask_dilated.png")


@pytest.mark.slow
@pytest.mark.parametrize("quantize", [[], ["--quantization_flag"]], ids=["plain", "quantized"])
def test_paint2image(workdir, quantize):
    # The trees1.png painting (167x250) is resized to the tree model's 80x80.
    run_script("paint2image.py", *COMMON, "--input_name", "tree.png", "--ref_dir", str(INPUT / "Paint"),
               "--ref_name", "trees1.png", "--paint_start_scale", "2", *quantize, cwd=workdir)
    out = workdir / "Output" / "Paint2image" / "tree" / MODEL / ("trees1_out_quantized" if quantize else "trees1_out")
    result = _rgb(out / "start_scale=2.png")
    assert result.shape == (80, 80, 3)
    assert 20 < result.mean() < 235 and result.std() > 10
    if quantize:
        palette = _rgb(out / "real_quant.png").reshape(-1, 3)
        assert len(np.unique(palette, axis=0)) <= 5
        for name in ("in_paint.png", "in_paint_quant.png"):
            assert _rgb(out / name).shape[2] == 3
        paint_model = workdir / "TrainedModels" / "tree" / "scale_factor=0.750000_paint" / "start_scale=2" / "model.pt"
        assert paint_model.is_file()


@pytest.mark.slow
def test_super_resolution(tmp_path):
    """SR.py trains the SR model, then writes x4 of the file; run again with the model there (the same
    settings and seed: reused, not retrained), it is seeded as the original, so the same image twice. The
    image's content is not asserted: a 10-iteration finest generator applied six times saturates,
    differently on every CPU (the chain's arithmetic is checked against the original's vectors in
    test_upscale.py)."""
    # 33039_LR.png is 120x80; --max_size 60 trains on 60x40 (7 scales); x4 of the file's size is 480x320.
    sr = ["--input_dir", str(IMAGES), "--max_size", "60", *FAST, "--not_cuda", "--manualSeed", "1"]
    run_script("SR.py", *sr, cwd=tmp_path)
    model_file = tmp_path / "TrainedModels" / "33039_LR" / "scale_factor=0.793701,alpha=100" / "model.pt"
    assert load(model_file).complete
    out = tmp_path / "Output" / "SR" / "4.0" / "scale_factor=0.793701,alpha=100" / "33039_LR_HR.png"
    assert _rgb(out).shape == (480, 320, 3)
    trained, images = model_file.stat().st_mtime_ns, []
    for _ in range(2):
        run_script("SR.py", *sr, "--overwrite", cwd=tmp_path)
        images.append(_rgb(out))
    assert model_file.stat().st_mtime_ns == trained
    assert images[0].shape == (480, 320, 3) and images[0].std() > 0
    assert np.array_equal(images[0], images[1])


@pytest.mark.slow
def test_animation(tmp_path):
    run_script("animation.py", *COMMON, "--input_name", "balloons.png", "--max_size", "40", *FAST,
               "--num_frames", "8", "--beta", "0.9", "--start_scale", "1", cwd=tmp_path)
    assert (tmp_path / "TrainedModels" / "balloons" / "scale_factor=0.750000_noise_padding" / "model.pt").is_file()
    gif = (tmp_path / "Output" / "Animation" / "balloons" / "scale_factor=0.750000_noise_padding" / "start_scale=1"
           / "alpha=0.100000_beta=0.900000.gif")
    frames = imageio.mimread(gif)
    assert len(frames) == 8
    assert frames[0].shape[:2] == (30, 40)
    assert any(np.any(f != frames[0]) for f in frames[1:])  # it moves


def _one_line_error(proc, *words):
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr


def _harmonize(cwd, ref_dir, ref_name="tree.jpg", scale="2"):
    return run_script("harmonization.py", *COMMON, "--input_name", "seascape.png", "--ref_dir", str(ref_dir),
                      "--ref_name", ref_name, "--harmonization_start_scale", scale, cwd=cwd, check=False)


@pytest.mark.slow
def test_out_of_range_injection_scale(workdir):
    _one_line_error(_harmonize(workdir, INPUT / "Harmonization", scale="5"),
                    "--harmonization_start_scale 5: this 5-scale model takes an injection scale between 1 and 4")
    with pytest.raises(SinGANError, match=r"^n=0: this 5-scale model takes an injection scale between 1 and 4"):
        injection_scale(_model(workdir, "seascape"), 0)


@pytest.mark.slow
def test_missing_reference(workdir):
    _one_line_error(_harmonize(workdir, INPUT / "Harmonization", ref_name="nope.png"), "nope.png", "not found")


@pytest.mark.slow
def test_missing_mask(workdir, tmp_path):
    """Without tree_mask.jpg the mask is where the paste differs from seascape.png, said in one line; a
    reference equal to the training image is a one-line error, and nothing is written."""
    shutil.copy(INPUT / "Harmonization" / "tree.jpg", tmp_path / "pasted.jpg")
    proc = _harmonize(workdir, tmp_path, ref_name="pasted.jpg")
    assert proc.returncode == 0, proc.stderr
    said = [line for line in proc.stdout.splitlines() if line.startswith("no mask file")]
    assert said == [f"no mask file {tmp_path / 'pasted_mask.jpg'}: the mask is where pasted.jpg differs from "
                    f"seascape.png ({said[0].split('(')[1]}"]
    out = workdir / "Output" / "Harmonization" / "seascape" / MODEL / "pasted_out"
    assert _rgb(out / "start_scale=2.png").shape == (65, 80, 3)
    shutil.copy(IMAGES / "seascape.png", tmp_path / "same.png")
    _one_line_error(_harmonize(workdir, tmp_path, ref_name="same.png"), "does not differ from the training image")
    assert not (workdir / "Output" / "Harmonization" / "seascape" / MODEL / "same_out").exists()


@pytest.mark.slow
def test_mask_of_different_size(workdir, tmp_path):
    shutil.copy(INPUT / "Harmonization" / "tree.jpg", tmp_path)
    mask = io.imread(INPUT / "Harmonization" / "tree_mask.jpg")
    io.imsave(tmp_path / "tree_mask.jpg", mask[:200], check_contrast=False)
    _one_line_error(_harmonize(workdir, tmp_path), "same size")


@pytest.mark.parametrize("flag, expected", [([], False), (["--quantization_flag"], True),
                                            (["--quantization_flag", "True"], True),
                                            (["--quantization_flag", "False"], False)])
def test_quantization_flag_parsing(flag, expected):
    args = paint2image.get_parser().parse_args(["--input_name", "a.png", "--ref_name", "b.png", "--paint_start_scale",
                                           "1", *flag])
    assert args.quantization_flag is expected
