"""`python -m singan.batch`: the command `singan.cli.batch`."""

from ..cli.launch import launch

launch("batch")
