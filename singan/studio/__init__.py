"""SinGAN Studio: a local web app (Gradio) on the package's API: train a photo, sample it, harmonize and edit
it without mask files, paint to image, super-resolution and animation (`singan-studio`, `python -m singan.studio`).

`server` parses the flags and serves the page, `app` lays it out, `handlers` are what its buttons do: calls
of the API the commands call (checks included) or of `models` (the listing, uploads, trainings in other processes).
"""
