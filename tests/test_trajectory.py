"""Default training lands on the original's weights, bit for bit.

The reference is the unmodified 2019 code trained on balloons.png with `--niter 3 --max_size 60
--manualSeed 1` on the CPU (4 scales): every G and D tensor of every scale (BatchNorm running
statistics included), the noise amplitudes and the stored coarsest reconstruction noise. Matching
takes the original's optimiser (PyTorch 1.4 Adam through `p.data`, G steps on the stale fake), its
random draws in its order, its number of train-mode forward passes and its memory layouts; any
other arithmetic grows into visible differences at the finer scales, so the test asks for equality.
"""

import json

import numpy as np
import pytest
import torch

from helpers import IMAGES, run_script

pytestmark = pytest.mark.slow


def test_default_training_matches_the_original_weight_by_weight(shared, tmp_path):
    ref = np.load(shared / "reference" / "trajectory_balloons_niter3.npz")
    meta = json.loads(str(ref["meta"]))
    run_script("main_train.py", "--input_name", "balloons.png", "--input_dir", str(IMAGES), "--niter", "3",
               "--max_size", "60", "--manualSeed", "1", "--not_cuda", "--num_samples", "0", cwd=tmp_path)
    model = next(tmp_path.glob("TrainedModels/**/model.pt"))
    state = torch.load(model, weights_only=True)
    assert len(state["scales"]) == meta["scales"] == 4
    for s, scale in enumerate(state["scales"]):
        for net in ("netG", "netD"):
            keys = [k for k in ref.files if k.startswith(f"scale{s}/{net}/")]
            assert [k.split("/", 2)[2] for k in keys] == list(scale[net]), "parameter names and order"
            for key, ours in zip(keys, scale[net].values()):
                np.testing.assert_array_equal(ours.numpy(), ref[key], err_msg=key)
        assert scale["noise_amp"] == float(ref[f"scale{s}/noise_amp"])
        np.testing.assert_array_equal(state["reals"][s].numpy(), ref[f"scale{s}/real"])
    np.testing.assert_array_equal(state["scales"][0]["z_rec"].numpy(), ref["scale0/z_opt"])
