"""`python -m singan.evaluate`: the command `singan.cli.evaluate` under its short name."""

from .cli.evaluate import run

if __name__ == "__main__":
    run()
