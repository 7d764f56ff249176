"""singan: SinGAN (Shaham, Dekel, Michaeli, ICCV 2019) in current PyTorch.

A coarse-to-fine pyramid of small fully-convolutional GANs learned from one image.
The public names (`train_image`, `load`, `generate`, ...) are imported on first use, so
`import singan.interrupt` (what a command installs before torch loads) costs nothing.
"""

import importlib
import os

# OpenMP threads that spin while waiting make small convolutions up to 100x slower as soon as
# anything else runs on the machine (measured: 5 ms -> 620 ms per G step at the coarsest scale
# on 2 busy cores); passive waiting keeps them at 1-thread speed. Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_PUBLIC = {"SinGAN": "model", "SinGANError": "errors", "TrainConfig": "config", "build_model": "api",
           "generate": "sampling", "load": "api", "train_image": "api"}
__all__ = sorted(_PUBLIC)
__version__ = "0.1.0"


def __getattr__(name: str):
    """The public names, and the submodules (`singan.checkpoint`), imported when first asked for."""
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    elif not name.startswith("__"):
        try:
            value = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
