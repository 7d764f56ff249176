"""One progress bar for a whole training run, with an estimate of the time left.

The scales of a pyramid cost very different amounts: an iteration of the finest
scale can take a hundred times longer than one of the coarsest. The bar counts
work, not iterations: each iteration of scale n weighs what one forward pass of
its networks costs (pixels times the squared channel width), so the estimate
of the time left is right from the first scales on. Scale numbers are 1-based
("scale 3/9" is the third of nine).
"""

from tqdm import tqdm


def scale_costs(sizes: list[tuple[int, int]], widths: list[int]) -> list[float]:
    """Relative cost of one iteration at each scale: pixels x width^2 (the 3x3 convs dominate)."""
    return [h * w * width * width for (h, w), width in zip(sizes, widths, strict=True)]


class RunProgress:
    """Overall bar over every scale's iterations, weighted by `costs`; `start` = (scale, iteration) resumed from."""

    def __init__(self, costs: list[float], niter: int, start: tuple[int, int] = (0, 0), enabled: bool = True):
        self.costs, self.niter, self.scale = costs, niter, start[0]
        done = sum(costs[:start[0]]) * niter + (costs[start[0]] * start[1] if start[0] < len(costs) else 0)
        self.bar = tqdm(total=sum(costs) * niter, initial=done, disable=not enabled, dynamic_ncols=True,
                        bar_format="{desc}{percentage:3.0f}%|{bar}| {elapsed} elapsed, {remaining} left{postfix}")
        self._losses = ""

    def start_scale(self, n: int, size: tuple[int, int]) -> None:
        self.scale = n
        self.bar.set_description(f"scale {n + 1}/{len(self.costs)} ({size[0]}x{size[1]})", refresh=False)

    def step(self, iteration: int, losses: dict[str, float] | None = None) -> None:
        """Count one finished iteration (0-based) of the current scale."""
        if losses is not None:
            self._losses = " " + " ".join(f"{k}={v:.3g}" for k, v in losses.items())
        self.bar.set_postfix_str(f"iteration {iteration + 1}/{self.niter}{self._losses}", refresh=False)
        self.bar.update(self.costs[self.scale])

    def close(self) -> None:
        self.bar.close()
