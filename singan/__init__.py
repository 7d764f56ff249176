"""singan: SinGAN (Shaham, Dekel, Michaeli, ICCV 2019) in current PyTorch.

A coarse-to-fine pyramid of small fully-convolutional GANs learned from one image.
"""

import os

# OpenMP threads that spin while waiting make small convolutions up to 100x slower as soon as
# anything else runs on the machine (measured: 5 ms -> 620 ms per G step at the coarsest scale
# on 2 busy cores); passive waiting keeps them at 1-thread speed. Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .api import build_model, load, train_image  # noqa: E402
from .config import TrainConfig  # noqa: E402
from .errors import SinGANError  # noqa: E402
from .model import SinGAN  # noqa: E402
from .sampling import generate  # noqa: E402

__all__ = ["SinGAN", "SinGANError", "TrainConfig", "build_model", "generate", "load", "train_image"]
__version__ = "0.1.0"
