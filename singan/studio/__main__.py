"""`python -m singan.studio`: start SinGAN Studio (the flags of `singan-studio`)."""

from .server import run

run()
