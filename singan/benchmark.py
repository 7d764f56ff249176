"""`python -m singan.benchmark`: the command `singan.cli.benchmark` under its short name."""

from .cli import benchmark, program

if __name__ == "__main__":
    program.run_command(benchmark)
