"""`python -m singan.figures`: the command `singan.cli.figures` under its short name."""

from .cli.launch import launch

if __name__ == "__main__":
    launch("figures")
