"""Paint-to-image: a painting injected at scale n, optionally with its colours quantised to the training
image's palette at that scale (k-means, 5 clusters, on the RGB pixels) and scale n retrained on
quantised inputs (`paint_model`).
"""

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.cluster import KMeans
from torch import Tensor

from ..core.imresize import imresize
from ..core.model import SinGAN
from ..core.networks import build_networks
from ..io import checkpoint
from ..io.previews import ScalePreviews
from ..runtime.training_run import retrain_scale

PAINT_CLUSTERS = 5  # colours of the quantised paint


def quantize(x: Tensor, centers: np.ndarray | None = None) -> tuple[Tensor, np.ndarray]:
    """`x` with every pixel replaced by its k-means centre, and the centres (k, C): PAINT_CLUSTERS clusters of
    its pixels (k-means++, 10 inits, random_state 0), or the given `centers` (k-means started at them, one run)."""
    n, c, h, w = x.shape
    if centers is None:
        options = {"n_clusters": PAINT_CLUSTERS, "random_state": 0, "n_init": 10}
    else:
        options = {"n_clusters": len(centers), "init": centers.astype(np.float32), "n_init": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fewer distinct colours than clusters
        km = KMeans(**options).fit(x.detach().permute(0, 2, 3, 1).reshape(-1, c).cpu().numpy())
    centers = km.cluster_centers_ if centers is None else centers
    pixels = torch.from_numpy(np.ascontiguousarray(centers[km.labels_], dtype=np.float32)).to(x.device)
    return pixels.reshape(n, h, w, c).permute(0, 3, 1, 2).contiguous(), centers


def quantized_paint_input(model: SinGAN, real: Tensor, ref: Tensor, n: int) -> tuple[Tensor, np.ndarray, Tensor]:
    """Colour palette of the training image at scale n and the paint mapped to it at scale n.
    Returns (start_image, centers, quantised real at scale n). n: an injection scale `injection_scale` accepted."""
    sf, top = model.geometry.scale_factor, len(model.reals) - 1
    h, w = model.reals[n].shape[-2:]
    real_quant, centers = quantize(imresize(real, sf ** (top - n))[:, :, :h, :w])
    start_image = imresize(quantize(ref, centers)[0], sf ** (top - n))[:, :, :h, :w]
    return start_image, centers, real_quant


def paint_model(model: SinGAN, n: int, centers: np.ndarray, model_file: str | Path,
                progress: bool = True) -> SinGAN:
    """`model` with scale n retrained from fresh networks on colour-quantised inputs (every image
    G_n receives is mapped to `centers`); the other scales are kept. Loaded from `model_file` if it
    exists, else trained and saved there. n: an injection scale `injection_scale` accepted."""
    model_file = Path(model_file)
    if model_file.is_file():
        return checkpoint.load(model_file, model.device)
    cfg = dataclasses.replace(model.config, mode="paint_train")
    coarse = SinGAN(config=cfg, geometry=model.geometry, reals=model.reals, scales=model.scales[:n], name=model.name)
    netG, netD = build_networks(cfg, n, model.device)
    retrained = retrain_scale(coarse, n, netG, netD, ScalePreviews(model_file.parent), progress,
                              quantize=lambda x: quantize(x, centers)[0])
    painted = dataclasses.replace(coarse, scales=[*model.scales[:n], retrained, *model.scales[n + 1:]])
    checkpoint.save(painted, model_file)
    return painted
