"""The console command singan-figures: `python -m singan.figures` (the paper's figure types)."""

from .. import cli
from ..figures import get_parser, main


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)
