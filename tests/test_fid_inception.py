"""SIFID's network is pytorch-fid's InceptionV3: the same features as the hand-written network it replaces.

One random state dict with the FID network's keys and shapes (made here: nothing is downloaded) is
written to a file, loaded into pytorch-fid's network through singan.fid_inception.load_inception and
into the hand-written singan.inception.InceptionV3; both give the same features at the 64- and
192-channel blocks.
"""

import pytest
import torch

from singan.fid_inception import load_inception
from singan.inception import InceptionV3


def random_fid_state_dict(seed: int = 0) -> dict:
    """Random values under every key of the FID Inception state dict; batch-norm variances positive."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for key, value in InceptionV3().state_dict().items():
        if key.endswith("num_batches_tracked"):
            state[key] = value
        elif key.endswith(("running_var", "bn.weight")):
            state[key] = torch.rand(value.shape, generator=g) + 0.5
        elif key.endswith(("running_mean", "bn.bias")):
            state[key] = torch.randn(value.shape, generator=g) * 0.1
        else:  # He-scaled convolution and fc weights keep the activations of order one
            state[key] = torch.randn(value.shape, generator=g) * (2 / value[0].numel()) ** 0.5
    return state


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    path = tmp_path_factory.mktemp("fid") / "pt_inception-2015-12-05-6726825d.pth"
    torch.save(random_fid_state_dict(), path)
    return path


@pytest.mark.parametrize("dims", [64, 192])
def test_pytorch_fid_network_matches_the_hand_written_one(weights, dims):
    old = InceptionV3().eval()
    old.load_state_dict(torch.load(weights, weights_only=True))
    new = load_inception(weights, dims)
    x = torch.rand(2, 3, 160, 128, generator=torch.Generator().manual_seed(1)) * 2 - 1
    with torch.no_grad():
        a, (b,) = old.features(x, dims), new(x)
    assert a.shape == b.shape and a.shape[1] == dims
    difference = (a - b).abs().max().item()
    print(f"dims {dims}: max |hand-written - pytorch-fid| = {difference:.3g} (features up to {a.abs().max():.3g})")
    assert difference <= 1e-5
