"""singan: SinGAN (Shaham, Dekel, Michaeli, ICCV 2019) in current PyTorch.

A coarse-to-fine pyramid of small fully-convolutional GANs learned from one image. The public API:
`train_image`, `load`, `generate`, `save_images`, `build_model`, `SinGAN`, `TrainConfig`, `SinGANError`, and the
applications (`singan.apps`, also `singan.apps`). The sub-packages, lowest layer first:
`core` (the algorithm), `io` (files), `apps` (the applications), `api` (the entry points above),
`eval` (metrics, evaluation, figures), `batch` (many images on Ray) and `cli` (the commands). Names are
imported on first use, so `import singan` is cheap.
"""

import importlib

from . import core  # noqa: F401  (sets the OpenMP wait policy before torch loads)

_PUBLIC = {"SinGAN": "core.model", "SinGANError": "errors", "TrainConfig": "core.config", "build_model": "api",
           "generate": "api", "load": "api", "save_images": "api", "train_image": "api"}
_ALIASES = {"applications": "apps"}
__all__ = sorted(_PUBLIC)
__version__ = "0.1.0"


def __getattr__(name: str):
    """The public names, and the sub-packages and modules (`singan.apps`), imported when first asked for."""
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    elif not name.startswith("__"):
        try:
            value = importlib.import_module(f".{_ALIASES.get(name, name)}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{_ALIASES.get(name, name)}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
