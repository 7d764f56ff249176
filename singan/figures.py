"""`python -m singan.figures`: the command `singan.cli.figures` under its short name."""

from .cli import figures, program

if __name__ == "__main__":
    program.run_command(figures)
