"""The paper's applications on a trained model, one module each, built on one injection (`injection`) and
one upscaling chain (`upscale`, with `detail` its patch upscaler): harmonization and editing
(`injection.masked_injection`), paint-to-image (`injection.inject`, `paint.paint_model`), super-resolution
(`sr.super_resolve`) and animation (`animation.animate`); `references` reads the images they take.
Import from the modules: `from singan.apps.injection import inject`.
"""
