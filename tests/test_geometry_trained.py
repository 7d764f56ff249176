"""Every accepted shape/flag combination of tests/test_geometry.py's table trains a model that loads and samples
(a file of its own, so that pytest-xdist runs these trainings beside the rest of the suite)."""

import numpy as np
import pytest
import torch
from PIL import Image
from test_geometry import ACCEPTED, FLAGS, SHAPES, SR_FLAGS, decide

from singan import TrainConfig, load, train_image
from singan.api import generate

TRAINABLE = [c for c in ACCEPTED if max(SHAPES[c[0]]) <= 5000]  # the 30000-pixel images: geometry only


@pytest.mark.slow
@pytest.mark.parametrize("shape, flags, sr", TRAINABLE, ids=[f"{s}-{f}" for s, f, _ in TRAINABLE])
def test_every_accepted_geometry_trains_loads_and_samples(tmp_path, request, shape, flags, sr):
    """Every accepted combination (but the 30000-pixel images, geometry only) trains a model that loads and
    samples: one iteration per scale of the smallest networks (the widths, doubled every 4 scales, and the
    depth do not change the pyramid; at 45 scales the widths still reach 128) and no preview files."""
    config = TrainConfig(**(SR_FLAGS if sr else FLAGS)[flags], niter=1, Gsteps=1, Dsteps=1, nfc=1, min_nfc=1,
                         num_layer=3, manualSeed=0)
    geometry = decide(shape, flags, sr)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny convolutions: one thread is as fast, and far faster on a busy machine
    request.addfinalizer(lambda: torch.set_num_threads(threads))
    torch.manual_seed(0)
    model = train_image(_png(tmp_path, shape), config, tmp_path / "model.pt",
                        geometry_fn=(lambda h, w: geometry) if sr else None, progress=False, previews=False)
    loaded = load(tmp_path / "model.pt")
    assert loaded.complete and len(loaded.reals) == geometry.finest_level + 1 == len(model.reals)
    assert generate(loaded, 2, seed=0).shape[-2:] == loaded.reals[-1].shape[-2:]


def _png(folder, shape: str):
    h, w = SHAPES[shape]
    path = folder / f"{shape}.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8)).save(path)
    return path
