"""Side by side with the 2019 SinGAN: speed, noise amplitudes and sample statistics on the same runs.

    python bench/compare_original.py --images balloons.png birds.png --seeds 1 2 --max_size 80 --niter 300

For every image (a file of input/images) and seed, in that order, it trains the unmodified original
code and then this project with the same config (`--max_size`, `--niter`, the defaults otherwise),
the same seed and the same number of torch threads (`--threads`; the original's float rounding
depends on it), so that drift in the machine's speed hits both alike. The original runs in a
subprocess (bench/original_driver.py) from the shared baseline folder, found at `$SINGAN_SHARED/baseline`
or else `../shared/baseline` beside the repository; it is imported at run time, never copied here.

Measured for each code:
- seconds per iteration at each scale: the mean over iterations 1..niter-2 of the wall time between
  consecutive iteration boundaries (the original: its D scheduler's steps; this project:
  `ScaleTrainer.set_lr` calls). Iteration 0 (the scale's set-up: reconstruction, noise amplitude,
  first previews) and the last iteration (final previews) are left out, so niter must be at least 3;
- the noise amplitude of each scale (equal threads and bit-exact training make them identical);
- diversity and patch SWD of `--num_samples` samples from each `--gen_start_scales`, torch seeded with
  the run's seed before each draw (the original: its SinGAN_generate, the finest generator's float
  outputs; this project: singan.core.sampling.generate). Both are clamped to [-1, 1] and scored as
  singan.evaluate scores them (7x7 patches, as many SWD levels as fit, projections seeded with the
  run's seed) against the same real image, this project's finest pyramid level (each block gives
  its largest difference from the original's).

Prints one block per image and seed as it finishes, a summary (means over seeds) and the last line
`ratio this/original: time T, diversity D, patch SWD S`: T is the mean over images and seeds of the
ratio of the summed seconds per iteration of the two finest scales; D and S are means over images,
seeds and gen_start_scales of the per-run ratios. Progress goes to stderr.
"""

import argparse
import contextlib
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as singan sets it; before torch loads (inherited by the driver)
import torch  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from singan import SinGANError, TrainConfig, build_model  # noqa: E402
from singan.api import generate  # noqa: E402
from singan.cli import program as cli  # noqa: E402
from singan.core.training import ScaleTrainer  # noqa: E402
from singan.eval.evaluate import METRICS, MetricOptions  # noqa: E402
from singan.io.images import read_image  # noqa: E402
from singan.io.previews import ScalePreviews  # noqa: E402
from singan.runtime.training_run import run_training  # noqa: E402

IMAGES = REPO / "input" / "images"
DRIVER = Path(__file__).resolve().parent / "original_driver.py"


def baseline_dir() -> Path:
    """`$SINGAN_SHARED/baseline`, else `shared/baseline` beside the repository."""
    path = Path(os.environ.get("SINGAN_SHARED", REPO.parent / "shared")) / "baseline"
    if not (path / "legacy_shim.py").is_file() or not (path / "original" / "main_train.py").is_file():
        raise SinGANError(f"the original SinGAN was not found in {path} (set SINGAN_SHARED to the shared folder)")
    return path


def per_iteration(stamps: list[float], niter: int) -> float:
    """Mean seconds per iteration over iterations 1..niter-2 (stamps[k]: boundary before iteration k)."""
    return (stamps[niter - 1] - stamps[1]) / (niter - 2)


def run_original(image: Path, seed: int, args: argparse.Namespace, work: Path) -> dict:
    """Train the original in a subprocess (log in work/driver.log); its timings, noise amplitudes, samples."""
    work.mkdir(parents=True)
    result = work / "result.pt"
    cmd = [sys.executable, str(DRIVER), "--baseline", str(baseline_dir()), "--image", str(image),
           "--seed", str(seed), "--niter", str(args.niter), "--max_size", str(args.max_size),
           "--threads", str(args.threads), "--num_samples", str(args.num_samples),
           "--gen_start_scales", *map(str, args.gen_start_scales), "--result", str(result)]
    with open(work / "driver.log", "w") as log:
        rc = subprocess.run(cmd, cwd=work, stdout=log, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        tail = (work / "driver.log").read_text().splitlines()[-15:]
        raise SinGANError(f"the original failed (exit {rc}), see {work / 'driver.log'}:\n" + "\n".join(tail))
    out = torch.load(result, weights_only=True)
    out["s_per_it"] = [per_iteration(s, args.niter) for s in out["stamps"]]
    return out


@contextlib.contextmanager
def iteration_stamps():
    """Timestamps of every `ScaleTrainer.set_lr` call (the start of each iteration), keyed by scale."""
    stamps: dict[int, list[float]] = {}
    set_lr = ScaleTrainer.set_lr

    def timed(self, iteration: int) -> None:
        stamps.setdefault(self.n, []).append(time.perf_counter())
        set_lr(self, iteration)

    ScaleTrainer.set_lr = timed
    try:
        yield stamps
    finally:
        ScaleTrainer.set_lr = set_lr


def run_this(image: Path, seed: int, args: argparse.Namespace, work: Path) -> dict:
    """Train this project in-process, seeded as main_train.py; its timings, noise amplitudes, samples."""
    torch.set_num_threads(args.threads)
    with contextlib.redirect_stdout(sys.stderr):
        cli.seed_everything(seed)
    config = TrainConfig(niter=args.niter, max_size=args.max_size)
    model = build_model(read_image(image, config.nc_im), config, name=image.name)
    with iteration_stamps() as stamps:
        run_training(model, ScalePreviews(work), progress=False)  # the PNGs the original writes too
    samples = {}
    for g in args.gen_start_scales:
        torch.manual_seed(seed)
        samples[g] = generate(model, args.num_samples, gen_start_scale=g)
    return {"s_per_it": [per_iteration(stamps[n], args.niter) for n in sorted(stamps)],
            "noise_amp": [s.noise_amp for s in model.scales], "real": model.reals[-1], "samples": samples}


def score(samples: torch.Tensor, real: torch.Tensor, seed: int) -> tuple[float, float]:
    """Diversity and patch SWD (mean over levels) of samples clamped to [-1, 1], as singan.evaluate scores."""
    samples, options = samples.clamp(-1, 1), MetricOptions(seed)
    return (METRICS["diversity"].compute(samples, real, options)["diversity"],
            METRICS["patch_swd"].compute(samples, real, options)["patch_swd"])


def compare_pair(image: Path, seed: int, args: argparse.Namespace, work: Path) -> dict:
    """Original, then this project, on one image and seed; both scored against this project's real image."""
    t0 = time.monotonic()
    orig = run_original(image, seed, args, work / "original")
    t1 = time.monotonic()
    print(f"  original trained and sampled in {t1 - t0:.0f} s", file=sys.stderr, flush=True)
    this = run_this(image, seed, args, work / "this")
    print(f"  this project trained and sampled in {time.monotonic() - t1:.0f} s", file=sys.stderr, flush=True)
    real = this["real"]
    if orig["real"].shape != real.shape:
        raise SinGANError(f"{image.name}: the pyramids differ ({tuple(orig['real'].shape)} vs {tuple(real.shape)})")
    row = {"image": image.name, "seed": seed, "real_diff": (orig["real"] - real).abs().max().item(),
           "size": tuple(real.shape[-2:]), "metrics": {}}
    for key in ("s_per_it", "noise_amp"):
        row[key] = (orig[key], this[key])
    for g in args.gen_start_scales:
        row["metrics"][g] = (score(orig["samples"][g], real, seed), score(this["samples"][g], real, seed))
    return row


def _ratio(a: float, b: float) -> float:
    return b / a if a else float("nan")


def time_ratio(row: dict) -> float:
    """Summed seconds per iteration of the two finest scales, this over original."""
    orig, this = row["s_per_it"]
    return _ratio(sum(orig[-2:]), sum(this[-2:]))


def format_pair(row: dict) -> str:
    """The table block of one image and seed."""
    (t_o, t_t), (a_o, a_t) = row["s_per_it"], row["noise_amp"]
    same = sum(a == b for a, b in zip(a_o, a_t))
    lines = [f"{row['image']} seed {row['seed']} ({row['size'][0]}x{row['size'][1]}, {len(a_t)} scales; "
             f"real images differ by {row['real_diff']:.2g}; noise amplitudes identical at {same}/{len(a_t)} scales)",
             f"  {'scale':>5} {'s/it orig':>10} {'s/it this':>10} {'ratio':>6} {'noise_amp orig':>15} "
             f"{'noise_amp this':>15}"]
    for n, (to, tt, ao, at) in enumerate(zip(t_o, t_t, a_o, a_t)):
        lines.append(f"  {n:>5} {to:>10.4f} {tt:>10.4f} {_ratio(to, tt):>6.3f} {ao:>15.8g} {at:>15.8g}")
    lines.append(f"  time ratio (two finest scales): {time_ratio(row):.3f}")
    lines.append(f"  {'gen_start_scale':>15} {'div orig':>9} {'div this':>9} {'ratio':>6} "
                 f"{'SWD orig':>9} {'SWD this':>9} {'ratio':>6}")
    for g, ((d_o, s_o), (d_t, s_t)) in row["metrics"].items():
        lines.append(f"  {g:>15} {d_o:>9.4f} {d_t:>9.4f} {_ratio(d_o, d_t):>6.3f} "
                     f"{s_o:>9.4f} {s_t:>9.4f} {_ratio(s_o, s_t):>6.3f}")
    return "\n".join(lines)


def summary(rows: list[dict]) -> str:
    """Means over seeds per image and gen_start_scale, then the closing ratio line."""
    lines = ["summary (means over seeds)",
             f"  {'image':<16} {'gss':>3} {'div orig':>9} {'div this':>9} {'ratio':>6} "
             f"{'SWD orig':>9} {'SWD this':>9} {'ratio':>6} {'time ratio':>10}"]
    for image in dict.fromkeys(r["image"] for r in rows):
        mine = [r for r in rows if r["image"] == image]
        t = statistics.mean(time_ratio(r) for r in mine)
        for g in mine[0]["metrics"]:
            d_o, d_t, s_o, s_t = (statistics.mean(r["metrics"][g][code][k] for r in mine)
                                  for k, code in ((0, 0), (0, 1), (1, 0), (1, 1)))
            lines.append(f"  {image:<16} {g:>3} {d_o:>9.4f} {d_t:>9.4f} {_ratio(d_o, d_t):>6.3f} "
                         f"{s_o:>9.4f} {s_t:>9.4f} {_ratio(s_o, s_t):>6.3f} {t:>10.3f}")
    runs = [m for r in rows for m in r["metrics"].values()]
    div = statistics.mean(_ratio(o[0], t[0]) for o, t in runs)
    swd = statistics.mean(_ratio(o[1], t[1]) for o, t in runs)
    time_mean = statistics.mean(time_ratio(r) for r in rows)
    lines.append(f"ratio this/original: time {time_mean:.3f}, diversity {div:.3f}, patch SWD {swd:.3f}")
    return "\n".join(lines)


def check_args(args: argparse.Namespace) -> list[Path]:
    """The image files; one-line errors for flags that cannot work."""
    images = [IMAGES / name for name in args.images]
    missing = [p.name for p in images if not p.is_file()]
    if missing:
        raise SinGANError(f"not in {IMAGES}: {', '.join(missing)}")
    if args.niter < 3:
        raise SinGANError(f"--niter must be at least 3 (iterations 1..niter-2 are timed), not {args.niter}")
    if args.jobs < 1:
        raise SinGANError(f"--jobs must be at least 1, not {args.jobs}")
    if args.num_samples < 2:
        raise SinGANError(f"--num_samples must be at least 2 to measure diversity, not {args.num_samples}")
    if args.out is not None and Path(args.out).exists() and any(Path(args.out).iterdir()):
        raise SinGANError(f"--out {args.out} is not empty (nothing is overwritten)")
    baseline_dir()
    return images


def _pair_job(image: Path, seed: int, args: argparse.Namespace, work: Path) -> dict:
    """compare_pair in a worker process; its progress lines name the pair."""
    print(f"start {image.name} seed {seed}", file=sys.stderr, flush=True)
    return compare_pair(image, seed, args, work / f"{image.stem}_seed{seed}")


def main(args: argparse.Namespace) -> None:
    images = check_args(args)
    work = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="compare_original_"))
    pairs = [(image, seed) for image in images for seed in args.seeds]
    print(f"work folder: {work}; {len(pairs)} runs of both codes, {args.threads} torch thread(s), "
          f"{args.jobs} pair(s) at a time", file=sys.stderr)
    rows, start = {}, time.monotonic()
    # Each pair runs the original, then this project, in one worker: machine drift hits both alike.
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_pair_job, image, seed, args, work): (image, seed) for image, seed in pairs}
        for done, future in enumerate(as_completed(futures), 1):
            rows[futures[future]] = future.result()
            print(format_pair(rows[futures[future]]), flush=True)
            elapsed = time.monotonic() - start
            print(f"  {done}/{len(pairs)} pairs in {elapsed:.0f} s, about {elapsed / done * (len(pairs) - done):.0f} s "
                  "left", file=sys.stderr, flush=True)
    print(summary([rows[pair] for pair in pairs]), flush=True)


def get_parser() -> argparse.ArgumentParser:
    p = cli.ArgumentParser(description="Train the original SinGAN and this project side by side and compare.")
    p.add_argument("--images", nargs="+", default=["balloons.png"], help="files of input/images")
    p.add_argument("--seeds", type=int, nargs="+", default=[1], help="manual seeds (one run of each code per seed)")
    p.add_argument("--max_size", type=int, default=80, help="image maximal size at the finest scale")
    p.add_argument("--niter", type=int, default=300, help="iterations per scale (at least 3)")
    p.add_argument("--num_samples", type=int, default=50, help="samples scored per gen_start_scale")
    p.add_argument("--gen_start_scales", type=int, nargs="+", default=[0, 1], help="scales to sample from")
    p.add_argument("--threads", type=int, default=1, help="torch threads for both codes")
    p.add_argument("--out", default=None, help="work folder (default: a new temporary folder)")
    p.add_argument("--jobs", type=int, default=1, help="pairs trained at the same time (each on --threads threads)")
    return p


if __name__ == "__main__":
    cli.run(main, get_parser())
