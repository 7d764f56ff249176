"""`python -m singan.figures`: the command `singan.cli.figures` under its short name."""

from .cli.figures import run

if __name__ == "__main__":
    run()
