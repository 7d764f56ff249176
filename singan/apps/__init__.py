"""The paper's applications on a trained model, each a module, built on one injection (`injection`) and one
upscaling chain (`upscale`): harmonization and editing (`masked_injection`), paint-to-image
(`inject`, `paint_model`), super-resolution (`super_resolve`) and animation (`animate`); `references`
reads the images they take. The functions are also names of this package, imported on first use.
"""

import importlib

_NAMES = {
    "references": ("load_trained", "training_image", "load_reference", "difference_mask",
                   "to_size"),
    "injection": ("inject", "injection_input", "injection_scale", "masked_injection", "check_full_size",
                  "dilate_mask", "blend", "HARMONIZATION_RADIUS", "EDITING_RADIUS", "MASK_SIGMA", "INJECTION_SCALE"),
    "paint": ("quantize", "quant2centers", "quantized_paint_input", "paint_model"),
    "sr": ("SR_FACTOR", "super_resolve", "sr_chain", "sr_geometry_fn", "check_sr_memory",
           "check_super_resolution", "sr_config", "SR_TRAINING"),
    "animation": ("ANIMATION_RULES", "animate", "check_animation", "check_upscaled_frames",
                  "save_animation", "mp4_available", "ANIMATION_BETAS", "ANIMATION_START_SCALES"),
}
_MODULE_OF = {name: module for module, names in _NAMES.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    """The functions (and the modules, `apps.upscale`), imported when first asked for."""
    if name in _MODULE_OF:
        value = getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)
    elif name in (*_NAMES, "upscale"):
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])
