"""The scripts end to end on the CPU, as a user runs them: training, sampling, single-channel applications,
per-model sample folders, and an interrupted training resumed with the command it printed."""

import shlex
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch
from skimage import io

from helpers import ENV, IMAGES, REPO, paused_command, run_script, wait_for

pytestmark = pytest.mark.slow  # every test here uses a trained model
MODEL_DIR = "scale_factor=0.750000,alpha=10"
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
    samples = _pngs(workdir / "Output" / "RandomSamples" / "balloons" / MODEL_DIR / "gen_start_scale=0")
    assert len(samples) == 3
    assert io.imread(samples[0]).shape[:2] == (30, 40)


@pytest.mark.parametrize("gen_start_scale", [0, 1])
def test_random_samples(workdir, gen_start_scale):
    # main_train.py already wrote 3 samples to the gen_start_scale=0 folder: replacing them needs --overwrite.
    overwrite = ["--overwrite"] if gen_start_scale == 0 else []
    run_script("random_samples.py", "--input_name", "balloons.png", "--mode", "random_samples",
               "--gen_start_scale", str(gen_start_scale), "--num_samples", "5", "--not_cuda", *overwrite,
               cwd=workdir)
    folder = workdir / "Output" / "RandomSamples" / "balloons" / MODEL_DIR / f"gen_start_scale={gen_start_scale}"
    samples = _pngs(folder)
    assert len(samples) == 5
    images = np.stack([io.imread(p) for p in samples[:5]])
    assert images.shape[1:3] == (30, 40)
    assert images.std(axis=0).mean() > 0  # the samples differ


def test_random_samples_arbitrary_sizes(workdir):
    run_script("random_samples.py", "--input_name", "balloons.png", "--mode", "random_samples_arbitrary_sizes",
               "--scale_h", "2", "--scale_v", "0.8", "--gen_start_scale", "1", "--num_samples", "4",
               "--not_cuda", cwd=workdir)
    folder = (workdir / "Output" / "RandomSamples_ArbitrerySizes" / "balloons" / MODEL_DIR /
              "scale_v=0.800000_scale_h=2.000000_gen_start_scale=1")  # gen_start_scale 0 would not say
    samples = _pngs(folder)
    assert len(samples) == 4
    assert io.imread(samples[0]).shape[:2] == (24, 80)  # round(30 * 0.8), round(40 * 2)


def test_existing_samples_are_not_overwritten(workdir):
    folder = workdir / "Output" / "RandomSamples" / "balloons" / MODEL_DIR / "gen_start_scale=0"
    before = {p.name: p.read_bytes() for p in folder.glob("*.png")}
    proc = run_script("random_samples.py", "--input_name", "balloons.png", "--mode", "random_samples",
                      "--not_cuda", cwd=workdir, check=False)
    assert proc.returncode == 2 and "--overwrite" in proc.stderr
    assert {p.name: p.read_bytes() for p in folder.glob("*.png")} == before


def test_existing_model_is_not_overwritten(workdir):
    model_file = workdir / "TrainedModels" / "balloons" / MODEL_DIR / "model.pt"
    before = model_file.read_bytes()
    proc = run_script("main_train.py", *TRAIN, cwd=workdir, check=False)
    assert proc.returncode == 2
    assert "already exists" in proc.stderr and "--overwrite" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert model_file.read_bytes() == before


def test_two_models_of_one_image_keep_both_sample_sets(tmp_path):
    for alpha in ("10", "20"):
        run_script("main_train.py", *TRAIN[:-2], "--niter", "3", "--alpha", alpha, "--num_samples", "2", cwd=tmp_path)
    folders = sorted((tmp_path / "Output" / "RandomSamples" / "balloons").glob("*/gen_start_scale=0"))
    assert [f.parent.name for f in folders] == [MODEL_DIR, "scale_factor=0.750000,alpha=20"]
    assert all(len(_pngs(f)) == 2 for f in folders)


@pytest.mark.parametrize("script, extra", [
    ("animation.py", ["--input_name", "balloons.png", "--max_size", "40", "--num_frames", "3", "--start_scale", "1",
                      "--beta", "0.9"]),
    ("SR.py", ["--input_name", "33039_LR.png", "--max_size", "60", "--sr_factor", "2"]),
])
def test_single_channel_applications(tmp_path, script, extra):
    run_script(script, "--input_dir", str(IMAGES), "--not_cuda", "--nc_im", "1", "--niter", "3", "--manualSeed", "1",
               *extra, cwd=tmp_path)
    outputs = [p for p in (tmp_path / "Output").rglob("*") if p.suffix in (".gif", ".png")]
    assert len(outputs) == 1


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143)])  # SIGINT: tests/test_interrupt.py
def test_signal_saves_prints_the_resume_command_and_resume_finishes(tmp_path, signum, status):
    args = [*TRAIN, "--niter", "60", "--save_every", "0.01", "--num_samples", "1"]
    argv = [sys.executable, str(REPO / "main_train.py"), *args]
    # paused before iteration 5 of scale 1 (tests/paused.py): scale 0 is saved, the signal lands in scale 1
    model_file = tmp_path / "TrainedModels" / "balloons" / MODEL_DIR / "model.pt"
    with open(tmp_path / "stderr.txt", "w") as log:  # a file, not a pipe: nothing blocks while the test waits
        proc = subprocess.Popen(paused_command(1, 5, tmp_path, "main_train.py", *args), cwd=tmp_path, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=log,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # also in background
        try:
            wait_for(tmp_path / "paused", proc)
            assert model_file.exists()
            proc.send_signal(signum)
            proc.wait(timeout=300)
        finally:
            proc.kill()
    err = (tmp_path / "stderr.txt").read_text()
    assert proc.returncode == status, err
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err and "--resume" in last, err
    resume = shlex.split(last.split("to continue: ", 1)[1])
    assert resume == [*argv, "--resume"]
    done = subprocess.run(resume, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Random Seed" not in done.stdout  # a resumed run continues its saved random state
    assert torch.load(model_file, weights_only=True)["complete"]
