"""SinGAN Studio: a local web app (Gradio) on the package's API: train a photo, sample it, harmonize and edit
it without mask files, paint to image, super-resolution and animation (`singan-studio`, `python -m singan.studio`).

`server` parses the flags and serves the page, `app` lays the page out, `handlers` are what its buttons do:
a call of the API the commands call (checks included) or of `models` (the listing of the trained models,
the uploads, the trainings it runs in another process: `worker`).
"""
