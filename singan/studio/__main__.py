"""`python -m singan.studio`: start SinGAN Studio (the flags of `singan-studio`)."""

from .server import run

if __name__ == "__main__":
    run()
