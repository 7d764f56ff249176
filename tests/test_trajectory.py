"""Default training lands on the original's weights, bit for bit, on the machine the tests run on.

The unmodified 2019 code (../shared/baseline) and this project's main_train.py are trained here (about
10 s a configuration), with the same flags and the same number of torch threads, and every G and D
tensor of every scale (BatchNorm running statistics included), the noise amplitudes, the pyramid and
the coarsest reconstruction noise must be equal. Matching takes the original's optimiser (PyTorch 1.4
Adam through `p.data`, G steps on the stale fake), its random draws in its order, its number of
train-mode forward passes and its memory layouts; any other arithmetic grows into visible differences
at the finer scales, so the test asks for equality. A stored weight vector would test the CPU
(convolutions round differently per CPU kind); the stored pyramid (no convolutions) is still compared.
"""

import json

import numpy as np
import pytest
import torch
from baseline import original_weights

from helpers import IMAGES, run_script
from singan import TrainConfig, build_model
from singan.io.images import read_image

THREADS = 1  # both trainings: helpers.ENV runs the project's scripts with OMP_NUM_THREADS=1

CONFIGS = {
    # 4 scales of 1 width
    "balloons": ("balloons.png", ["--niter", "3", "--max_size", "60", "--manualSeed", "1"]),
    # another aspect ratio (portrait 3:4 -> 4:3 landscape) and 6 scales: the width doubles at scale 4
    "birds": ("birds.png", ["--niter", "2", "--max_size", "80", "--manualSeed", "4"]),
}


def _project_state(image: str, flags: list[str], cwd) -> dict:
    run_script("main_train.py", "--input_name", image, "--input_dir", str(IMAGES), *flags, "--not_cuda",
               "--num_samples", "0", cwd=cwd)
    (model,) = cwd.glob("TrainedModels/**/model.pt")
    return torch.load(model, weights_only=True)


def _assert_same_weights(state: dict, ref: dict) -> None:
    assert len(state["scales"]) == ref["scales"]
    for s, scale in enumerate(state["scales"]):
        for net in ("netG", "netD"):
            keys = [k for k in ref if k.startswith(f"scale{s}/{net}/")]
            assert [k.split("/", 2)[2] for k in keys] == list(scale[net]), "parameter names and order"
            for key, ours in zip(keys, scale[net].values()):
                np.testing.assert_array_equal(ours.numpy(), ref[key], err_msg=key)
        assert scale["noise_amp"] == float(ref[f"scale{s}/noise_amp"]), s
        np.testing.assert_array_equal(state["reals"][s].numpy(), ref[f"scale{s}/real"])
    # the original keeps the last iteration's draw of z*; so does this project
    np.testing.assert_array_equal(state["scales"][0]["z_rec"].numpy(), ref["scale0/z_opt"])


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIGS)
def test_default_training_matches_the_original_trained_here(baseline, tmp_path, config):
    image, flags = CONFIGS[config]
    (tmp_path / "original").mkdir()
    (tmp_path / "project").mkdir()
    ref = original_weights(baseline, IMAGES / image, flags, THREADS, tmp_path / "original")
    _assert_same_weights(_project_state(image, flags, tmp_path / "project"), ref)


def test_the_stored_configuration_has_the_stored_pyramid(shared):
    """The stored vector's pyramid (resizing, no convolutions) does not depend on the CPU."""
    stored = np.load(shared / "reference" / "trajectory_balloons_niter3.npz")
    meta = json.loads(str(stored["meta"]))
    assert (meta["image"], meta["niter"], meta["max_size"], meta["manualSeed"]) == ("balloons.png", 3, 60, 1)
    cfg = TrainConfig(max_size=60, niter=3, manualSeed=1)
    model = build_model(read_image(IMAGES / "balloons.png", cfg.nc_im), cfg, name="balloons.png")
    assert len(model.reals) == meta["scales"] == 4
    for s, real in enumerate(model.reals):
        np.testing.assert_array_equal(real.numpy(), stored[f"scale{s}/real"])
