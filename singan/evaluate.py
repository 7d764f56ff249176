"""`python -m singan.evaluate`: the command `singan.cli.evaluate` under its short name."""

from .cli import evaluate, program

if __name__ == "__main__":
    program.run_command(evaluate)
