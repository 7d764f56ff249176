"""Grayscale, RGBA and single-channel (--nc_im 1) models train and sample end to end."""

import numpy as np
import pytest
from PIL import Image
from skimage import io

from helpers import IMAGES, run_script

MODEL = "scale_factor=0.750000,alpha=10"  # the model folder name, also in its sample folders


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    rgb = np.asarray(Image.open(IMAGES / "balloons.png").convert("RGB").resize((40, 30)))
    Image.fromarray(rgb).convert("L").save(folder / "gray.png")
    alpha = np.full(rgb.shape[:2] + (1,), 128, np.uint8)
    Image.fromarray(np.concatenate([rgb, alpha], axis=2)).save(folder / "rgba.png")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("name, extra, warning", [
    ("gray.png", [], None),
    ("rgba.png", [], "alpha"),
    ("gray.png", ["--nc_im", "1"], None),
])
def test_train_and_sample(tmp_path, inputs, name, extra, warning):
    train = run_script("main_train.py", "--input_dir", str(inputs), "--input_name", name, "--not_cuda",
                       "--max_size", "40", "--niter", "5", "--num_samples", "0", "--manualSeed", "1", *extra,
                       cwd=tmp_path)
    if warning:
        assert warning in train.stderr
    run_script("random_samples.py", "--input_name", name, "--mode", "random_samples", "--num_samples", "3",
               "--not_cuda", cwd=tmp_path)
    folder = tmp_path / "Output" / "RandomSamples" / name[:-4] / MODEL / "gen_start_scale=0"
    samples = [io.imread(folder / f"{i}.png") for i in range(3)]
    assert all(s.shape[:2] == (30, 40) for s in samples)
    # A single-channel model writes grey (L) PNGs, a three-channel one RGB, never RGBA:
    assert all(s.shape == ((30, 40) if extra else (30, 40, 3)) for s in samples), [s.shape for s in samples]
