"""SinGAN Studio: a local web app (Gradio) on the package's API: train a photo, sample it, harmonize and edit
it without mask files, paint to image, super-resolution and animation (`singan-studio`, `python -m singan.studio`).

`server` parses the flags and serves the page, `app` lays the page out, `actions` are what its buttons do
(each a call of the API the commands call, checks included), `models` lists the trained models, checks
uploads and runs trainings in another process (`worker`).
"""
