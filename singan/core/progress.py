"""One progress bar for a whole training run, with an estimate of the time left.

The scales of a pyramid cost very different amounts: an iteration of the finest
scale can take a hundred times longer than one of the coarsest. The bar counts
work, not iterations: each iteration of scale n weighs what it was measured to
cost, so the estimate of the time left is right from the first scale on. Scale
numbers are 1-based ("scale 3/9" is the third of nine).

The weights were fitted on measured iteration times (balloons, 9 scales from 25x34 to
186x248, default flags, CPU): the generator's valid convolutions see (h + 10) x (w + 10)
down to h x w pixels, (h + 5) x (w + 5) on average, and the time per pixel grows as
width^1.5 + 32 width, not width^2 (the narrow layers and the element-wise work weigh
more than their multiply-adds). With these weights the whole-run estimate after the
first scale was 1.17x the measured time; with pixels x width^2 it was 4.3x (`bench/progress_estimate.py`
measures it).
"""

from tqdm import tqdm

PAD = 5  # the mean padding per side of the generator's input over its convolutions
WIDTH_EXPONENT, WIDTH_LINEAR = 1.5, 32  # time per pixel ~ width^1.5 + 32 width (fitted)


def scale_costs(sizes: list[tuple[int, int]], widths: list[int]) -> list[float]:
    """Relative cost of one iteration at each scale: (h + 5)(w + 5) (width^1.5 + 32 width), fitted on measured times."""
    return [(h + PAD) * (w + PAD) * (width ** WIDTH_EXPONENT + WIDTH_LINEAR * width)
            for (h, w), width in zip(sizes, widths, strict=True)]


class RunProgress:
    """Overall bar over every scale's iterations, weighted by `costs`; `start` = (scale, iteration) resumed from."""

    def __init__(self, costs: list[float], niter: int, start: tuple[int, int] = (0, 0), enabled: bool = True):
        self.costs, self.niter, self.scale = costs, niter, start[0]
        self.done = sum(costs[:start[0]]) * niter + (costs[start[0]] * start[1] if start[0] < len(costs) else 0)
        self.total = sum(costs) * niter
        self.bar = tqdm(total=self.total, initial=self.done, disable=not enabled, dynamic_ncols=True,
                        bar_format="{desc}{percentage:3.0f}%|{bar}| {elapsed} elapsed, {remaining} left{postfix}")
        self._losses = ""

    @property
    def work(self) -> float:
        """The fraction of the run's work done, weighted as the bar weighs it (also with the bar disabled)."""
        return min(1.0, self.done / self.total) if self.total > 0 else 1.0

    def start_scale(self, n: int, size: tuple[int, int]) -> None:
        self.scale = n
        self.bar.set_description(f"scale {n + 1}/{len(self.costs)} ({size[0]}x{size[1]})", refresh=False)

    def step(self, iteration: int, losses: dict[str, float] | None = None) -> None:
        """Count one finished iteration (0-based) of the current scale."""
        if losses is not None:
            self._losses = " " + " ".join(f"{k}={v:.3g}" for k, v in losses.items())
        self.bar.set_postfix_str(f"iteration {iteration + 1}/{self.niter}{self._losses}", refresh=False)
        self.done += self.costs[self.scale]
        self.bar.update(self.costs[self.scale])

    def close(self) -> None:
        self.bar.close()
