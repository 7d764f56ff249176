"""`python -m singan.evaluate`: the command `singan.cli.evaluate` under its short name."""

from .cli.launch import launch

if __name__ == "__main__":
    launch("evaluate")
