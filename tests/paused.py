"""Pause a training at a chosen scale and iteration until the test lets it go: signal tests on any machine.

    python tests/paused.py SCALE ITERATION FOLDER SCRIPT [ARGS...]

runs SCRIPT as `python SCRIPT ARGS` would (same sys.argv, so the same resume command) and, before
iteration ITERATION of scale SCALE, creates FOLDER/paused and waits until the training's own signal
handler has seen a SIGINT or SIGTERM, or FOLDER/release exists. A test then sends its signal, or starts
a second process, at a known point of the run however fast or busy the machine is. `install` does the
same inside a process that trains through the API.
"""

import runpy
import sys
import time
from pathlib import Path

WAIT = 600.0  # seconds paused before giving up (a test that never releases)


def install(scale: int, iteration: int, folder: Path) -> None:
    from singan.core import training
    from singan.runtime import interrupt

    stops = []
    enter, set_lr = interrupt.GracefulStop.__enter__, training.ScaleTrainer.set_lr

    def recording_enter(self):
        stops.append(self)
        return enter(self)

    def pausing_set_lr(self, it: int) -> None:
        if (self.n, it) == (scale, iteration):
            (folder / "paused").touch()
            deadline = time.monotonic() + WAIT
            while not (stops and stops[-1].requested) and not (folder / "release").exists():
                if time.monotonic() > deadline:
                    raise SystemExit(f"paused at scale {scale}, iteration {iteration} and never released")
                time.sleep(0.01)
        set_lr(self, it)

    interrupt.GracefulStop.__enter__ = recording_enter
    training.ScaleTrainer.set_lr = pausing_set_lr


if __name__ == "__main__":
    scale, iteration, folder, script, *args = sys.argv[1:]
    sys.path[0] = str(Path(script).resolve().parent)  # as `python SCRIPT` has it
    install(int(scale), int(iteration), Path(folder))
    sys.argv = [script, *args]
    runpy.run_path(script, run_name="__main__")
