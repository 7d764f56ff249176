"""`python -m singan.batch`: the command `singan.cli.batch`."""

from ..cli import batch, program

program.run_command(batch)
