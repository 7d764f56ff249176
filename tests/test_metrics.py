"""Metrics: SIFID with the FID Inception, diversity, patch sliced Wasserstein distance."""

import pytest
import torch
import torch.nn.functional as F

from helpers import fid_weights_file
from singan.errors import SinGANError
from singan.eval.fid_inception import load_inception
from singan.eval.metrics import diversity, patch_swd, patch_swd_levels, sifid


def smooth_image(h: int = 80, w: int = 64, seed: int = 0) -> torch.Tensor:
    """A smooth random image (1, 3, h, w) in [-1, 1]: upsampled coarse noise."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(1, 3, h // 8, w // 8, generator=g) * 2 - 1
    return F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False).clamp(-1, 1)


def noisy(x: torch.Tensor, sigma: float, seed: int = 1) -> torch.Tensor:
    return x + sigma * torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return fid_weights_file(tmp_path_factory.mktemp("fid"))  # random weights: SIFID's behaviour, not its values


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")  # random weights leave dead channels at 192
@pytest.mark.parametrize("dims", [64, 192])
def test_sifid_zero_for_same_image_and_grows_with_noise(weights, dims: int) -> None:
    net = load_inception(weights, dims)
    x = smooth_image(160, 128)  # 192 channels: 17x13 locations
    assert sifid(x, x, net).item() < 1e-3
    fakes = torch.cat([noisy(x, s) for s in (0.05, 0.2, 0.6)])
    scores = sifid(x, fakes, net)
    assert scores.shape == (3,) and scores.dtype == torch.float64
    assert 0 < scores[0] < scores[1] < scores[2]


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")
def test_sifid_accepts_other_sizes(weights) -> None:
    x = smooth_image()
    fakes = torch.cat([smooth_image(96, 128, seed=s) for s in (1, 2)])
    assert (sifid(x, fakes, load_inception(weights, 64)).numpy() > 0).all()


def test_sifid_image_too_small(weights) -> None:
    with pytest.raises(SinGANError, match="too small for SIFID"):
        sifid(smooth_image(12, 12), smooth_image(12, 12), load_inception(weights, 64))


def test_diversity() -> None:
    x = smooth_image()
    assert diversity(x.repeat(5, 1, 1, 1), x) == 0
    # Two samples x - d and x + d have per-pixel population std d everywhere.
    d = 0.1
    samples = torch.cat([x - d, x + d])
    expected = d / x.double().std(correction=0).item()
    assert diversity(samples, x) == pytest.approx(expected, rel=1e-6)
    assert diversity((samples + 1) / 2, (x + 1) / 2) == pytest.approx(expected, rel=1e-6)


def test_patch_swd() -> None:
    x = smooth_image()
    assert patch_swd(x, x) < 1e-6
    perm = torch.randperm(x.shape[-2] * x.shape[-1], generator=torch.Generator().manual_seed(3))
    shuffled = x.flatten(2)[..., perm].reshape(x.shape)
    near = patch_swd(x, noisy(x, 0.02))
    far = patch_swd(x, shuffled)
    assert far > near > 0
    assert patch_swd(x, shuffled) == far
    assert len(patch_swd_levels(x, shuffled)) == 3


def test_patch_swd_subsampled_and_unequal_sizes() -> None:
    x = smooth_image()
    samples = torch.cat([noisy(x, 0.02, seed=s) for s in range(4)])
    # Subsampled identical sets are the same subset.
    assert patch_swd(samples, samples, max_patches=500) < 1e-6
    perm = torch.randperm(x.shape[-2] * x.shape[-1], generator=torch.Generator().manual_seed(4))
    shuffled = samples.flatten(2)[..., perm].reshape(samples.shape)
    full = patch_swd(shuffled, x, max_patches=None)
    sub = patch_swd(shuffled, x, max_patches=4000)
    assert sub == patch_swd(shuffled, x, max_patches=4000)
    assert sub == pytest.approx(full, rel=0.1)
    bigger = smooth_image(96, 80, seed=5)
    assert patch_swd(bigger, x) > 0
