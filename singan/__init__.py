"""singan: SinGAN (Shaham, Dekel, Michaeli, ICCV 2019) in current PyTorch.

A coarse-to-fine pyramid of small fully-convolutional GANs learned from one image.
"""

from .api import build_model, load, train_image
from .config import TrainConfig
from .errors import SinGANError
from .model import SinGAN

__all__ = ["SinGAN", "SinGANError", "TrainConfig", "build_model", "load", "train_image"]
__version__ = "0.1.0"
