"""A trained SinGAN: the pyramid of frozen generators with everything needed to sample.

    model = singan.load("TrainedModels/balloons/scale_factor=0.750000,alpha=10/model.pt")
    images = singan.generate(model, 8, scale_h=2.0)        # (8, 3, H, 2W) in [-1, 1]

This module only holds the data; running the pyramid is `singan.core.sampling`.

Scale numbers follow the original code: 0 is the coarsest scale, `geometry.finest_level`
the finest (the paper numbers them the other way round).
"""

from dataclasses import dataclass, field

import torch
from torch import Tensor

from .config import TrainConfig
from .networks import Discriminator, Generator
from .pyramid import ScaleGeometry


@dataclass
class TrainedScale:
    """One finished scale: its generator, reconstruction noise map and noise amplitude."""

    netG: Generator
    z_rec: Tensor  # fixed reconstruction noise, padded (z* at scale 0, zeros above)
    noise_amp: float  # noise_amp_init * RMSE of the coarser scales' reconstruction (1 at scale 0)
    netD: Discriminator | None = None  # kept so that training can continue
    losses: dict | None = None  # per-iteration errD / errG / rec of the training run (not saved)


@dataclass
class SinGAN:
    """The trained pyramid. `reals` has every level; `scales` only the finished ones."""

    config: TrainConfig
    geometry: ScaleGeometry
    reals: list[Tensor]
    scales: list[TrainedScale] = field(default_factory=list)
    name: str = ""

    @property
    def device(self) -> torch.device:
        return self.reals[0].device

    @property
    def num_trained(self) -> int:
        return len(self.scales)

    @property
    def complete(self) -> bool:
        return len(self.scales) == len(self.reals)
