"""Starting a command: Ctrl-C and SIGTERM are held while its modules import, then it runs.

torch and numpy take a second or more to import, and a signal inside an import can be swallowed by
the library importing or leave a half-imported module behind; `launch` installs the start-up deferral
(`singan.core.interrupt.defer_startup`) before it imports the command, so a signal meanwhile ends in
the command's one line. The functions below are the console commands of pyproject.toml.
"""

import importlib

from ..runtime.interrupt import defer_startup


def launch(command: str, argv: list[str] | None = None) -> None:
    """Run `singan.cli.<command>` on `argv` (default: the process's arguments)."""
    defer_startup()
    importlib.import_module(f"{__package__}.{command}").run(argv)


def train() -> None:
    launch("train")


def sample() -> None:
    launch("sample")


def harmonize() -> None:
    launch("harmonize")


def edit() -> None:
    launch("edit")


def paint2image() -> None:
    launch("paint2image")


def sr() -> None:
    launch("sr")


def animate() -> None:
    launch("animate")


def evaluate() -> None:
    launch("evaluate")


def figures() -> None:
    launch("figures")


def batch() -> None:
    launch("batch")


def benchmark() -> None:
    launch("benchmark")
