"""One progress bar for a whole training run, with an estimate of the time left.

The bar counts work, not iterations: an iteration of the finest scale can cost a hundred times one of
the coarsest, so each iteration of scale n weighs what it was measured to cost, and the time left is
right from the first scale on. Weights fitted on measured iteration times (balloons, 9 scales from
25x34 to 186x248, default flags, CPU): the generator's valid convolutions see (h + 5) x (w + 5) pixels
on average, and the time per pixel grows as width^1.5 + 32 width, not width^2 (the narrow layers and
the element-wise work weigh more than their multiply-adds). The whole-run estimate after the first
scale was then 1.17x the measured time; with pixels x width^2 it was 4.3x (`bench/progress_estimate.py`).
The rate leaves out the run's first iteration (it also pays for setting up). Where the stream is not a
terminal (a log file, a pipe) the bar is a line every few seconds.
"""

import sys
import time
from collections.abc import Callable

from tqdm import tqdm

from ..core.model import SinGAN
from ..core.networks import scale_widths

PAD = 5  # the mean padding per side of the generator's input over its convolutions
WIDTH_EXPONENT, WIDTH_LINEAR = 1.5, 32  # time per pixel ~ width^1.5 + 32 width (fitted)
ANNOUNCE_AFTER = 10  # iterations (after the first) whose rate gives the expected time
LINE_EVERY = 5.0  # seconds between the progress lines where the stream is not a terminal


def scale_costs(sizes: list[tuple[int, int]], widths: list[int]) -> list[float]:
    """Relative cost of one iteration at each scale: (h + 5)(w + 5) (width^1.5 + 32 width)."""
    return [(h + PAD) * (w + PAD) * (width ** WIDTH_EXPONENT + WIDTH_LINEAR * width)
            for (h, w), width in zip(sizes, widths, strict=True)]


def about(seconds: float) -> str:
    """'about 40 s', 'about 7 min', 'about 2 h 10 min'."""
    if seconds < 60:
        return f"about {max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"about {minutes} min" if minutes < 60 else f"about {minutes // 60} h {minutes % 60} min"


class _Nowhere:
    """A stream that drops what is written to it."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


class RunProgress:
    """Overall bar over every scale's iterations, weighted by `costs`; `start` = (scale, iteration) resumed from.

    announce: print the number of scales and the expected time once, after the first iterations.
    stream: where the bar goes (default: stderr); clock: the time in seconds (time.monotonic)."""

    def __init__(self, costs: list[float], niter: int, start: tuple[int, int] = (0, 0), enabled: bool = True,
                 *, announce: bool = False, stream=None, clock: Callable[[], float] = time.monotonic):
        self.costs = [max(1, round(c)) for c in costs]  # whole units: the bar ends exactly on its total
        self.niter, self.scale = niter, start[0]
        in_scale = self.costs[start[0]] * start[1] if start[0] < len(costs) else 0
        self.done = sum(self.costs[:start[0]]) * niter + in_scale
        self.total = sum(self.costs) * niter
        self.stream = sys.stderr if stream is None else stream
        self.announce, self.clock = announce and enabled, clock
        self.lines = enabled and not (hasattr(self.stream, "isatty") and self.stream.isatty())
        self.bar = tqdm(total=self.total, initial=self.done, disable=not enabled, dynamic_ncols=not self.lines,
                        file=_Nowhere() if self.lines else self.stream,  # (it still counts: the lines show its state)
                        bar_format="{desc}{percentage:3.0f}%|{bar}| {elapsed} elapsed{postfix}")
        self._started = self._last_line = clock()
        self._first: tuple[float, int] | None = None  # (time, work done) when the run's first iteration ended
        self._steps, self._desc, self._status, self._losses = 0, "", "", ""
        self._lined = self.done  # the work done at the last line written

    @property
    def work(self) -> float:
        """The fraction of the run's work done, weighted as the bar weighs it (also with the bar disabled)."""
        return min(1.0, self.done / self.total) if self.total > 0 else 1.0

    def seconds_left(self) -> float | None:
        """The time left at the rate measured since the run's first iteration (None: not measured yet)."""
        if self._first is None or self.done <= self._first[1]:
            return None
        elapsed = self.clock() - self._first[0]
        return (self.total - self.done) * elapsed / (self.done - self._first[1])

    def start_scale(self, n: int, size: tuple[int, int]) -> None:
        self.scale = n
        self._desc = f"scale {n + 1}/{len(self.costs)} ({size[0]}x{size[1]}): "
        self.bar.set_description(self._desc[:-2], refresh=False)

    def step(self, iteration: int, losses: dict[str, float] | None = None) -> None:
        """Count one finished iteration (0-based) of the current scale."""
        if losses is not None:
            self._losses = "".join(f" {k}={v:.3g}" for k, v in losses.items())
        self.done += self.costs[self.scale]
        self._steps += 1
        if self._first is None:
            self._first = (self.clock(), self.done)
        left = self.seconds_left()
        self._status = f"{'--:--' if left is None else tqdm.format_interval(left)} left, " \
                       f"iteration {iteration + 1}/{self.niter}{self._losses}"
        self.bar.set_postfix_str(self._status, refresh=False)
        self.bar.update(self.costs[self.scale])
        if self.announce and left is not None and (self._steps > ANNOUNCE_AFTER or iteration + 1 == self.niter):
            self.announce = False
            tqdm.write(f"{len(self.costs)} scales, expected training time {about(self.clock() - self._started + left)}"
                       f" (from the rate of the first {self._steps - 1} iterations)", file=sys.stdout)
        if self.lines and self.clock() - self._last_line >= LINE_EVERY:
            self._line()

    def _line(self) -> None:
        """One line of progress, where the stream is not a terminal."""
        self._last_line = self.clock()
        elapsed = tqdm.format_interval(self._last_line - self._started)
        print(f"{self._desc}{100 * self.work:3.0f}% {elapsed} elapsed, {self._status}", file=self.stream, flush=True)
        self._lined = self.done

    def close(self) -> None:
        if self.lines and self._steps and self._lined != self.done:  # the last state, once
            self._line()
        self.bar.close()


def run_progress(model: SinGAN, start: tuple[int, int], enabled: bool = True) -> RunProgress:
    """The whole run's bar, each scale weighted by `scale_costs`; on the CPU it announces the expected time."""
    cfg = model.config
    sizes = [tuple(r.shape[-2:]) for r in model.reals]
    widths = [scale_widths(n, cfg.nfc, cfg.min_nfc)[0] for n in range(len(sizes))]
    return RunProgress(scale_costs(sizes, widths), cfg.niter, start, enabled, announce=model.device.type == "cpu")
