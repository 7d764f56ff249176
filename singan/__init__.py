"""singan: SinGAN (Shaham, Dekel, Michaeli, ICCV 2019) in current PyTorch.

A coarse-to-fine pyramid of small fully-convolutional GANs learned from one image. The public API is `__all__`
below; the applications are modules of `singan.apps` (`from singan.apps.injection import inject`). The
sub-packages, lowest layer first: `core` (the algorithm), `runtime` (signals, progress, devices around it),
`io` (files), `apps` (the applications), `api` (the entry points above), `eval` (metrics, evaluation, figures),
`batch` (many images on Ray) and `cli` (the commands). `import singan` loads torch, not the optional libraries
(Ray, matplotlib, gradio, pytorch-fid: each imported by the function that needs it).
"""

from . import core  # noqa: F401  (first: sets the OpenMP wait policy before torch loads)
from .api import build_model, generate, load, save_images, train_image
from .core.config import TrainConfig
from .core.model import SinGAN
from .errors import SinGANError

__all__ = ["SinGAN", "SinGANError", "TrainConfig", "build_model", "generate", "load", "save_images", "train_image"]
__version__ = "0.1.0"
