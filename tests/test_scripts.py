"""main_train.py and random_samples.py end to end on the CPU, as a user runs them."""

import numpy as np
import pytest
import torch
from skimage import io

from helpers import IMAGES, run_script

MODEL = "scale_factor=0.750000,alpha=10"  # the model folder name, also in its output folders
TRAIN = ["--input_dir", str(IMAGES), "--input_name", "balloons.png", "--not_cuda", "--min_size", "25",
         "--max_size", "40", "--niter", "20", "--manualSeed", "1"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("scripts")
    run_script("main_train.py", *TRAIN, "--num_samples", "3", cwd=cwd)
    return cwd


def _pngs(folder):
    return sorted(folder.glob("*.png"), key=lambda p: int(p.stem))


def test_main_train_writes_model_and_samples(workdir):
    model_dir = workdir / "TrainedModels" / "balloons" / "scale_factor=0.750000,alpha=10"
    state = torch.load(model_dir / "model.pt", weights_only=True)
    assert state["complete"]
    samples = _pngs(workdir / "Output" / "RandomSamples" / "balloons" / MODEL / "gen_start_scale=0")
    assert len(samples) == 3
    assert io.imread(samples[0]).shape[:2] == (30, 40)


@pytest.mark.parametrize("gen_start_scale", [0, 1])
def test_random_samples(workdir, gen_start_scale):
    # main_train.py already wrote 3 samples to the gen_start_scale=0 folder: replacing them needs --overwrite.
    overwrite = ["--overwrite"] if gen_start_scale == 0 else []
    run_script("random_samples.py", "--input_name", "balloons.png", "--mode", "random_samples",
               "--gen_start_scale", str(gen_start_scale), "--num_samples", "5", "--not_cuda", *overwrite,
               cwd=workdir)
    folder = workdir / "Output" / "RandomSamples" / "balloons" / MODEL / f"gen_start_scale={gen_start_scale}"
    samples = _pngs(folder)
    assert len(samples) == 5
    images = np.stack([io.imread(p) for p in samples[:5]])
    assert images.shape[1:3] == (30, 40)
    assert images.std(axis=0).mean() > 0  # the samples differ


def test_random_samples_arbitrary_sizes(workdir):
    run_script("random_samples.py", "--input_name", "balloons.png", "--mode", "random_samples_arbitrary_sizes",
               "--scale_h", "2", "--scale_v", "0.8", "--gen_start_scale", "1", "--num_samples", "4",
               "--not_cuda", cwd=workdir)
    folder = (workdir / "Output" / "RandomSamples_ArbitrerySizes" / "balloons" / "scale_factor=0.750000,alpha=10" /
              "scale_v=0.800000_scale_h=2.000000")
    samples = _pngs(folder)
    assert len(samples) == 4
    assert io.imread(samples[0]).shape[:2] == (24, 80)  # round(30 * 0.8), round(40 * 2)


def test_existing_samples_are_not_overwritten(workdir):
    folder = workdir / "Output" / "RandomSamples" / "balloons" / MODEL / "gen_start_scale=0"
    before = {p.name: p.read_bytes() for p in folder.glob("*.png")}
    proc = run_script("random_samples.py", "--input_name", "balloons.png", "--mode", "random_samples",
                      "--not_cuda", cwd=workdir, check=False)
    assert proc.returncode == 2 and "--overwrite" in proc.stderr
    assert {p.name: p.read_bytes() for p in folder.glob("*.png")} == before


def test_existing_model_is_not_overwritten(workdir):
    model_file = workdir / "TrainedModels" / "balloons" / MODEL / "model.pt"
    before = model_file.read_bytes()
    proc = run_script("main_train.py", *TRAIN, cwd=workdir, check=False)
    assert proc.returncode == 2
    assert "already exists" in proc.stderr and "--overwrite" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert model_file.read_bytes() == before
