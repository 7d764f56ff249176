"""`python -m singan.batch`: the command `singan.cli.batch`."""

from ..cli.batch import run

run()
