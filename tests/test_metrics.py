"""Metrics: SIFID with the FID Inception, diversity, patch sliced Wasserstein distance."""

import pytest
import torch
import torch.nn.functional as F

from singan.errors import SinGANError
from singan.inception import InceptionV3, load_inception
from singan.metrics import diversity, patch_swd, patch_swd_levels, sifid


def smooth_image(h: int = 80, w: int = 64, seed: int = 0) -> torch.Tensor:
    """A smooth random image (1, 3, h, w) in [-1, 1]: upsampled coarse noise."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(1, 3, h // 8, w // 8, generator=g) * 2 - 1
    return F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False).clamp(-1, 1)


def noisy(x: torch.Tensor, sigma: float, seed: int = 1) -> torch.Tensor:
    return x + sigma * torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))


@pytest.fixture(scope="module")
def net() -> InceptionV3:
    torch.manual_seed(0)
    return InceptionV3().eval()


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")  # random weights leave dead channels at 192
@pytest.mark.parametrize("block", [64, 192])
def test_sifid_zero_for_same_image_and_grows_with_noise(net: InceptionV3, block: int) -> None:
    x = smooth_image(160, 128)  # block 192: 17x13 locations for 192 channels
    assert sifid(x, x, net, block).item() < 1e-3
    fakes = torch.cat([noisy(x, s) for s in (0.05, 0.2, 0.6)])
    scores = sifid(x, fakes, net, block)
    assert scores.shape == (3,) and scores.dtype == torch.float64
    assert 0 < scores[0] < scores[1] < scores[2]


def test_sifid_accepts_other_sizes(net: InceptionV3) -> None:
    x = smooth_image()
    fakes = torch.cat([smooth_image(96, 128, seed=s) for s in (1, 2)])
    assert (sifid(x, fakes, net).numpy() > 0).all()


def test_inception_state_dict_matches_fid_weights(net: InceptionV3) -> None:
    sd = net.state_dict()
    for key in ("Conv2d_1a_3x3.conv.weight", "Conv2d_1a_3x3.bn.running_mean", "Mixed_5b.branch_pool.conv.weight",
                "Mixed_6e.branch7x7dbl_5.bn.running_var", "Mixed_7c.branch3x3dbl_3b.conv.weight",
                "Mixed_7c.branch_pool.conv.weight", "fc.weight", "fc.bias"):
        assert key in sd
    assert not any(k.startswith("AuxLogits") for k in sd)
    assert sd["Conv2d_1a_3x3.conv.weight"].shape == (32, 3, 3, 3)
    assert sd["fc.weight"].shape == (1008, 2048)
    assert not any(k.endswith("conv.bias") for k in sd)
    # 94 BasicConv2d (conv weight + 5 bn entries) and fc: the 566 entries of pt_inception-2015-12-05.
    assert len(sd) == 94 * 6 + 2
    assert sum(p.numel() for p in net.parameters()) == 23_850_960


def test_load_inception_round_trip(net: InceptionV3, tmp_path) -> None:
    path = tmp_path / "weights.pth"
    torch.save(net.state_dict(), path)
    loaded = load_inception(path, "cpu")
    assert not loaded.training
    x = smooth_image()
    for block in (64, 192):
        assert torch.equal(loaded.features(x, block), net.features(x, block))


def test_load_inception_bad_files(tmp_path) -> None:
    with pytest.raises(SinGANError, match="pt_inception-2015-12-05"):
        load_inception(tmp_path / "missing.pth", "cpu")
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"not a torch file" * 10)
    with pytest.raises(SinGANError, match="pt_inception-2015-12-05"):
        load_inception(garbage, "cpu")
    wrong = tmp_path / "wrong.pth"
    torch.save({"fc.weight": torch.zeros(3)}, wrong)
    with pytest.raises(SinGANError):
        load_inception(wrong, "cpu")


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
