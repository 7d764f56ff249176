"""`python -m singan.benchmark`: the command `singan.cli.benchmark` under its short name."""

from .cli.launch import launch

if __name__ == "__main__":
    launch("benchmark")
