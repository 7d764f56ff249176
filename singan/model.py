"""A trained SinGAN: the pyramid of frozen generators with everything needed to sample.

    model = singan.load("TrainedModels/balloons/scale_factor=0.750000,alpha=10/model.pt")
    images = model.sample(8, scale_h=2.0)        # (8, 3, H, 2W) in [-1, 1]

Scale numbers follow the original code: 0 is the coarsest scale, `stop_scale`
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

    @property
    def scale_factor(self) -> float:
        return self.geometry.scale_factor

    def to(self, device: torch.device | str) -> "SinGAN":
        self.reals = [r.to(device) for r in self.reals]
        for s in self.scales:
            s.netG.to(device)
            s.z_rec = s.z_rec.to(device)
            if s.netD is not None:
                s.netD.to(device)
        return self

    def sample(self, n: int = 1, *, gen_start_scale: int = 0, scale_h: float = 1.0, scale_v: float = 1.0,
               seed: int | None = None, batch_size: int | None = None) -> Tensor:
        """Draw `n` random samples (N, C, H, W) in [-1, 1]; see `singan.sampling.generate`."""
        from .sampling import generate

        if seed is not None:
            torch.manual_seed(seed)
        return generate(self, n, gen_start_scale=gen_start_scale, scale_h=scale_h, scale_v=scale_v,
                        batch_size=batch_size)
