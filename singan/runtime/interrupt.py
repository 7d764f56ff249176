"""Stopping a training run cleanly: Ctrl-C (SIGINT) or SIGTERM finish the current iteration first.

Inside `GracefulStop` the first signal only sets `requested`; the training loop checks it after every
iteration, saves its state, and calls `stop()`, which delivers the signal again to whatever handled it
before (Python's Ctrl-C raises KeyboardInterrupt). A second signal stops at once. Outside the main
thread (where Python cannot install handlers) nothing is deferred.

While a command imports torch, SIGINT and SIGTERM are held (`singan_launch.py` says why): `defer_startup`
blocks them as the launcher does; `end_startup` (`singan.cli.program.run`'s first call) takes a signal that
came meanwhile and unblocks them, and the command stops there with its one line.
"""

import signal
import sys
import threading

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class GracefulStop:
    """Context manager deferring SIGINT/SIGTERM to the next iteration boundary."""

    def __init__(self):
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def __enter__(self) -> "GracefulStop":
        if threading.current_thread() is threading.main_thread():
            self._previous = {s: signal.signal(s, self._handle) for s in SIGNALS}
        return self

    def __exit__(self, *exc) -> None:
        self._restore()

    def _handle(self, signum: int, frame) -> None:
        if self.signum is not None:  # a second signal: stop now
            self._restore()
            signal.raise_signal(signum)
            return
        self.signum = signum
        print(f"\n{signal.Signals(signum).name} received: saving the state at the end of this iteration "
              "(send it again to stop at once)", file=sys.stderr, flush=True)

    def _restore(self) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        self._previous = {}

    def stop(self) -> None:
        """After saving: hand the signal to the previous handler (KeyboardInterrupt for Ctrl-C)."""
        self._restore()
        signal.raise_signal(self.signum)
        raise KeyboardInterrupt  # the previous handler ignored it: stop anyway


def defer_startup() -> None:
    """Hold SIGINT/SIGTERM (blocked: the system keeps one that comes) until `end_startup`; only in the main
    thread of a process whose Ctrl-C is Python's default (a notebook or a test runner keeps its own)."""
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)


def end_startup() -> int | None:
    """Unblock SIGINT/SIGTERM; the signal that came while they were held (None when none did)."""
    held = sorted(set(SIGNALS) & signal.sigpending())
    for signum in held:
        signal.sigtimedwait([signum], 0)  # taken, so unblocking does not deliver it
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
    return held[0] if held else None
