"""The console command singan-evaluate: `python -m singan.evaluate` (scores of a model's samples)."""

from .. import cli
from ..evaluate import get_parser, main


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)
