"""The progress bar's whole-run estimate against the measured time of the same run.

    python bench/progress_estimate.py [--input_name balloons.png] [--max_size 80] [--niter 7]

Trains the image (CPU by default) with a clock on every iteration, then prints, side by side, the
measured time of the run (per-scale median iteration times, every scale running --niter iterations)
and the two estimates the bar makes of it: from the rate of the first scale, and from the first half
of the scales (`singan.runtime.progress` weighs each scale's iterations by their fitted cost). Both come
from the same run, so a loaded machine slows the model and the measure alike; the ratio is a figure
to read, not a check (it was a test until a loaded machine made it 1.37x).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402

from singan import TrainConfig, build_model  # noqa: E402
from singan.io.images import read_image  # noqa: E402
from singan.runtime.progress import RunProgress, run_progress  # noqa: E402
from singan.runtime.training_run import run_training  # noqa: E402


def iteration_times(model) -> list[float]:
    """Train `model`; the median seconds per iteration of each scale."""
    times: dict[int, list[float]] = {}
    step = RunProgress.step

    def timed_step(self, iteration, losses=None):
        times.setdefault(self.scale, []).append(time.perf_counter())
        step(self, iteration, losses)

    RunProgress.step = timed_step
    try:
        run_training(model, progress=False)
    finally:
        RunProgress.step = step
    return [statistics.median(b - a for a, b in zip(ts, ts[1:])) for _, ts in sorted(times.items())]


def main(args):
    torch.manual_seed(0)
    image = read_image(Path(args.input_dir) / args.input_name).to(args.device)
    model = build_model(image, TrainConfig(min_size=args.min_size, max_size=args.max_size, niter=args.niter))
    costs = run_progress(model, (0, 0), enabled=False).costs
    per_iteration = iteration_times(model)
    measured = sum(per_iteration) * args.niter
    first = per_iteration[0] * sum(costs) / costs[0] * args.niter
    half = len(costs) // 2 + 1
    from_half = sum(per_iteration[:half]) * sum(costs) / sum(costs[:half]) * args.niter
    print(f"{args.input_name}, {len(costs)} scales, niter {args.niter}, {args.device} "
          f"({torch.get_num_threads()} threads)")
    print(f"{'':>28} {'seconds':>8} {'x measured':>10}")
    print(f"{'measured (median per scale)':>28} {measured:>8.2f} {1:>10.2f}")
    print(f"{'estimate from scale 1':>28} {first:>8.2f} {first / measured:>10.2f}")
    print(f"{f'estimate from scales 1-{half}':>28} {from_half:>8.2f} {from_half / measured:>10.2f}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--input_name", default="balloons.png")
    p.add_argument("--input_dir", default="input/images")
    p.add_argument("--device", default="cpu")
    p.add_argument("--min_size", type=int, default=25)
    p.add_argument("--max_size", type=int, default=80)
    p.add_argument("--niter", type=int, default=7)
    main(p.parse_args())
