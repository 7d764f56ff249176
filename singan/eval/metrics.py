"""Evaluation metrics for single-image generation: SIFID, diversity, patch SWD.

Images are float tensors (N, C, H, W) in [-1, 1]; `real` is the training image (1, C, H, W), and the
samples may have another size.
"""

import warnings

import numpy as np
import torch
import torch.nn.functional as F
from scipy import linalg
from torch import Tensor, nn

from ..errors import SinGANError

SIFID_CHUNK = 16  # samples per Inception forward pass


def _frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Fréchet distance of two Gaussians, computed as pytorch-fid's calculate_frechet_distance (not called:
    it passes sqrtm's `disp`, deprecated in SciPy 1.16 and gone in 1.18, and prints on singular products)."""
    diff = mu1 - mu2
    with warnings.catch_warnings():  # a near-singular product: handled below, not a warning for the user
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(sigma1 @ sigma2)
        if not np.isfinite(covmean).all():  # singular product: offset the diagonals
            offset = np.eye(sigma1.shape[0]) * 1e-6
            covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(f"imaginary component {np.max(np.abs(covmean.imag))} in the covariance square root")
        covmean = covmean.real
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def _location_statistics(feat: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (float64) of a (C, H, W) map, one sample per location."""
    if feat.shape[1] * feat.shape[2] < 2:
        raise SinGANError(f"image too small for SIFID: the feature map is {tuple(feat.shape[1:])}")
    act = feat.flatten(1).T.cpu().double().numpy()
    return act.mean(axis=0), np.cov(act, rowvar=False)


@torch.inference_mode()
def sifid(real: Tensor, fake: Tensor, net: nn.Module) -> Tensor:
    """Single-image FID of each sample in `fake` (N, 3, H, W) against `real` (1, 3, H', W'), shape (N,).

    As the SinGAN SIFID script: each spatial location of the features of `net` (fid_inception.load_inception's
    network, fed [-1, 1] images without resizing) is a sample; Fréchet distance of the fitted Gaussians (float64).
    """
    device = next(net.parameters()).device
    mu_r, sigma_r = _location_statistics(net(real.to(device))[0][0])
    feats = (feat for chunk in fake.split(SIFID_CHUNK) for feat in net(chunk.to(device))[0])
    scores = [_frechet_distance(mu_r, sigma_r, *_location_statistics(f)) for f in feats]
    return torch.tensor(scores, dtype=torch.float64)


def diversity(samples: Tensor, real: Tensor) -> float:
    """Paper's diversity: per-pixel std over the samples, averaged, over the std of `real`.

    Both are population stds (correction=0): per pixel and channel over the N >= 2 samples, and over
    all of the training image. The ratio is invariant to an affine change of range ([-1, 1] or [0, 1]).
    """
    if samples.shape[0] < 2:
        raise ValueError("diversity needs at least 2 samples")
    per_pixel = samples.double().std(dim=0, correction=0).mean()
    return (per_pixel / real.double().std(correction=0)).item()


def _patches(x: Tensor, size: int, max_patches: int | None, seed: int) -> Tensor:
    """All size x size patches of x (stride 1) as rows (C*size*size), or a seeded random subset of them."""
    n, c, h, w = x.shape
    ph, pw = h - size + 1, w - size + 1
    windows = x.unfold(2, size, 1).unfold(3, size, 1)  # (n, c, ph, pw, size, size), a view
    if max_patches is None or n * ph * pw <= max_patches:
        return windows.permute(0, 2, 3, 1, 4, 5).reshape(n * ph * pw, c * size * size)
    idx = torch.randperm(n * ph * pw, generator=torch.Generator().manual_seed(seed))[:max_patches].to(x.device)
    return windows[idx // (ph * pw), :, idx % (ph * pw) // pw, idx % pw].reshape(max_patches, c * size * size)


def _resample_sorted(values: Tensor, count: int) -> Tensor:
    """Sorted columns of `values` (n, P) linearly interpolated to `count` >= n quantiles."""
    n = values.shape[0]
    if n == count:
        return values
    pos = ((torch.arange(count, dtype=torch.float64) + 0.5) * (n / count) - 0.5).clamp(0, n - 1)
    lo = pos.floor().long()
    hi = (lo + 1).clamp(max=n - 1)
    frac = (pos - lo).to(values)[:, None]
    return values[lo.to(values.device)] * (1 - frac) + values[hi.to(values.device)] * frac


@torch.inference_mode()
def patch_swd_levels(samples: Tensor, real: Tensor, patch_size: int = 7, num_projections: int = 128,
                     levels: int = 3, seed: int = 0, max_patches: int | None = 2**16) -> list[float]:
    """Sliced Wasserstein-1 distance between the patches of `samples` and of `real`, per pyramid level.

    Level 0 is the given size, each next level 2x2 average-pooled. Each stride-1 patch is a vector of
    C*patch_size**2 values; sets larger than `max_patches` are subsampled without replacement, and the
    `num_projections` unit directions drawn, by generators seeded by `seed` (identical inputs give
    identical subsets). Sets of unequal size are compared through their quantiles: the smaller set's
    sorted projections are linearly interpolated to the larger set's count.
    """
    real = real.to(samples.device, samples.dtype)
    smallest = min(*samples.shape[-2:], *real.shape[-2:]) // 2 ** (levels - 1)
    if smallest < patch_size:
        raise SinGANError(f"images too small for {levels} levels of {patch_size}x{patch_size} patches")
    dim = samples.shape[1] * patch_size**2
    proj = torch.randn(dim, num_projections, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    proj = (proj / proj.norm(dim=0, keepdim=True)).to(samples.device, samples.dtype)
    distances = []
    for level in range(levels):
        if level:
            samples, real = F.avg_pool2d(samples, 2), F.avg_pool2d(real, 2)
        a, b = (_patches(x, patch_size, max_patches, seed) @ proj for x in (samples, real))  # projected patches
        count = max(a.shape[0], b.shape[0])
        a, b = (_resample_sorted(x.sort(dim=0).values, count) for x in (a, b))
        distances.append((a - b).abs().mean().item())  # mean over projections of the 1-D Wasserstein-1
    return distances


def patch_swd(samples: Tensor, real: Tensor, patch_size: int = 7, num_projections: int = 128,
              levels: int = 3, seed: int = 0, max_patches: int | None = 2**16) -> float:
    """Mean over levels and projections of the patch sliced Wasserstein-1 distance (see patch_swd_levels)."""
    return float(np.mean(patch_swd_levels(samples, real, patch_size, num_projections, levels, seed, max_patches)))
