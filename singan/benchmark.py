"""`python -m singan.benchmark`: the command `singan.cli.benchmark` under its short name."""

from .cli.benchmark import run

if __name__ == "__main__":
    run()
