"""Starting a SinGAN command: Ctrl-C and SIGTERM are held while it imports, then it runs.

    singan-train ...            (the console commands of pyproject.toml: `main` reads the command from the name)
    python main_train.py ...    (the top-level scripts: `launch("train")`)

`import singan` loads torch (a second or more), and a signal inside an import can be swallowed by the
library importing or leave a half-imported module behind. This module lives beside the package so that
it runs before `import singan`: it blocks SIGINT and SIGTERM (as `singan.runtime.interrupt.defer_startup`
does), then imports `singan.cli.<command>` and runs its `main` and `get_parser()` through
`singan.cli.program.run_command`, whose first step (`singan.runtime.interrupt.end_startup`) takes a signal that
came meanwhile and stops with its one line.
"""

import importlib
import signal
import sys
import threading
from pathlib import Path


def launch(command: str, argv: list[str] | None = None) -> None:
    """Run `singan.cli.<command>` on `argv` (default: the process's arguments)."""
    if threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT, signal.SIGTERM))
    module = importlib.import_module(f"singan.cli.{command}")
    importlib.import_module("singan.cli.program").run_command(module, argv)


def main() -> None:
    """The console commands: `singan-<command>` runs `singan.cli.<command>`."""
    launch(Path(sys.argv[0]).name.removeprefix("singan-"))
