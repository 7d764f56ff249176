"""The memory model (`singan.runtime.memory`) against the measured peak resident set, case by case.

    python bench/memory_model.py [--input_name balloons.png] [--max_size 40] [--train_size 40] [--niter 1]
        [--num_samples 4] [--scale_h 2] [--out_side 200] [--sr_factor 4] [--num_frames 4] [--cases ...]

Each case runs in a fresh process on the CPU: training (every scale, --niter iterations, at --train_size),
sampling --num_samples at scale_h --scale_h, one sample upscaled by the chain to a longest side of
--out_side, super-resolution by --sr_factor, an animation of --num_frames frames, and one sample
upscaled by patches (a photo at the output's size) to --out_side. The inference models are the image's
pyramid at --max_size with freshly initialised generators (the same work as trained ones). The estimate
is the figure the run's own memory check computes (its largest, where a run checks more than one
thing), caught on its way to `check_fits`; the measure is the process's peak resident set (ru_maxrss).
Printed per case: the sizes, both in MiB and their ratio (estimate / measure: above 1 errs safe).
The realistic run of docs/performance.md:

    python bench/memory_model.py --max_size 250 --train_size 250 --out_side 2000 --num_samples 16 --num_frames 100
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as singan sets it; before torch loads
import torch  # noqa: E402

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from upscale import untrained_model_at as untrained_model  # noqa: E402  (bench/upscale.py)

from singan import TrainConfig, api, train_image  # noqa: E402
from singan.apps import animation, sr, upscale  # noqa: E402
from singan.runtime import memory  # noqa: E402

CASES = ("train", "sample", "chain", "sr", "animation", "patches")


def catch_estimates() -> list[int]:
    """Every figure a memory check computes from now on (the first hint's need at the setting asked for)."""
    figures, check = [], memory.check_fits

    def spy(what, device, hints, otherwise, available=None):
        figures.append(hints[0][0](hints[0][1]))
        return check(what, device, hints, otherwise, available)

    for module in (memory, api, animation, sr):  # those that call check_fits by name
        module.check_fits = spy
    return figures


def run_case(args) -> str:
    """Run --case; returns the words for its sizes."""
    torch.manual_seed(0)
    image = Path(args.input_dir) / args.input_name
    if args.case == "train":
        with tempfile.TemporaryDirectory() as folder:
            model = train_image(image, TrainConfig(max_size=args.train_size, niter=args.niter), Path(folder) / "m.pt",
                                progress=False)
        return f"{len(model.reals)} scales to {'x'.join(map(str, model.reals[-1].shape[-2:]))}, niter {args.niter}"
    model = untrained_model(args)
    start = upscale.finest_size(model)
    side = (round(start[0] * args.out_side / max(start)), round(start[1] * args.out_side / max(start)))
    if args.case == "sample":
        out = api.generate(model, args.num_samples, scale_h=args.scale_h, seed=0)
        return f"{args.num_samples} at {out.shape[-2]}x{out.shape[-1]}"
    if args.case == "sr":
        out = sr.super_resolve(model, args.sr_factor, progress=False)
        return f"x{args.sr_factor:g}: {start[0]}x{start[1]} to {out.shape[-2]}x{out.shape[-1]}"
    if args.case == "animation":
        frames = animation.animate(model, start_scale=0, num_frames=args.num_frames, progress=False)
        return f"{args.num_frames} frames of {frames.shape[1]}x{frames.shape[2]}"
    x = api.generate(model, 1, seed=0)
    photo = torch.nn.functional.interpolate(model.reals[-1], size=side, mode="bicubic")
    target = upscale.out_size(model, side, start, photo=photo if args.case == "patches" else None,
                              upscaler=args.case)  # the one check of an output size, as the commands run it
    out = upscale.to_size(model, x, target.size, upscaler=target.upscaler, photo=target.photo, progress=False)
    return f"{start[0]}x{start[1]} to {out.shape[-2]}x{out.shape[-1]}"


def child(args) -> None:
    figures = catch_estimates()
    sizes = run_case(args)
    measured = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({"sizes": sizes, "estimate": max(figures), "measured": measured}))


def main(args) -> None:
    print(f"{args.input_name}, max_size {args.max_size}, {torch.get_num_threads()} threads, peak resident set "
          f"(MiB) against the memory model's estimate")
    print(f"{'case':<10} {'sizes':<34} {'measured':>9} {'estimate':>9} {'est/meas':>9}")
    ratios = []
    for case in args.cases:
        flags = [a for a in sys.argv[1:] if a != "--cases" and a not in CASES]
        proc = subprocess.run([sys.executable, __file__, *flags, "--case", case], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"{case} failed:\n{proc.stderr[-3000:]}")
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        ratios.append(row["estimate"] / row["measured"])
        print(f"{case:<10} {row['sizes']:<34} {row['measured'] / 2**20:>9.0f} {row['estimate'] / 2**20:>9.0f} "
              f"{ratios[-1]:>9.2f}")
    print(f"estimate / measure from {min(ratios):.2f} to {max(ratios):.2f}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument("--input_name", default="balloons.png")
    p.add_argument("--input_dir", default=str(Path(__file__).resolve().parents[1] / "input" / "images"))
    p.add_argument("--max_size", type=int, default=40, help="size of the inference models' finest scale")
    p.add_argument("--train_size", type=int, default=40, help="--max_size of the training case")
    p.add_argument("--niter", type=int, default=1, help="iterations per scale of the training case")
    p.add_argument("--num_samples", type=int, default=4)
    p.add_argument("--scale_h", type=float, default=2.0)
    p.add_argument("--out_side", type=int, default=200, help="longest side of the upscaled outputs (pixels)")
    p.add_argument("--sr_factor", type=float, default=4.0)
    p.add_argument("--num_frames", type=int, default=4)
    p.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    p.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)  # the child process of one case
    parsed = p.parse_args()
    child(parsed) if parsed.case else main(parsed)
