"""Throughput of the batch runner: N images trained one after another in one process, then on a local Ray.

    python bench/batch_throughput.py --images 4                      # tiny config (tests/helpers.py TINY)
    python bench/batch_throughput.py --images 4 --niter 200

Both sides run the same job per image (train, then sample and score, as singan.batch does) with
the same config, in the same run, on copies of the first N images of input/images. The
sequential side uses --threads torch threads (1 by default: tiny convolutions gain nothing from
more); the Ray side one CPU and one thread per image. Ray's start-up is timed separately;
the batch time includes the workers' start (importing torch). Prints both times and their ratio.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from singan import TrainConfig  # noqa: E402
from singan.batch.job import JobOptions, run_job  # noqa: E402
from singan.batch.runner import layout, run_batch, start_ray  # noqa: E402

TINY = dict(min_size=25, max_size=40, niter=30)  # as tests/helpers.py


def copy_images(count: int, folder: Path) -> list[Path]:
    sources = sorted(p for p in (REPO / "input" / "images").iterdir() if p.suffix in (".png", ".jpg"))[:count]
    folder.mkdir(parents=True)
    return [Path(shutil.copy(p, folder / p.name)) for p in sources]


def sequential(images: list[Path], config: TrainConfig, out: Path, options: JobOptions) -> float:
    start = time.perf_counter()
    for image in images:
        row = run_job(image, config, *layout(out, image, config), options)  # where singan.batch puts them
        assert row["status"] == "done", row["error"]
    return time.perf_counter() - start


def on_ray(images: list[Path], config: TrainConfig, out: Path, options: JobOptions) -> tuple[float, float]:
    start = time.perf_counter()
    start_ray()
    started = time.perf_counter()
    rows = run_batch(images, config, out, options, cpus_per_image=1, quiet=True)
    assert all(r["status"] == "done" for r in rows), rows
    return started - start, time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument("--images", type=int, default=4)
    p.add_argument("--threads", type=int, default=1, help="torch threads of the sequential run")
    for name, value in TINY.items():
        p.add_argument(f"--{name}", type=int, default=value)
    args = p.parse_args()
    config = TrainConfig(min_size=args.min_size, max_size=args.max_size, niter=args.niter)
    score = dict(seed=0, num_samples=4, save_samples=2)
    with tempfile.TemporaryDirectory() as tmp:
        images = copy_images(args.images, Path(tmp) / "images")
        t_seq = sequential(images, config, Path(tmp) / "seq", JobOptions(threads=args.threads, **score))
        t_start, t_ray = on_ray(images, config, Path(tmp) / "ray", JobOptions(threads=1, **score))
    print(f"{len(images)} images, niter {config.niter}, max_size {config.max_size}")
    print(f"sequential, one process ({args.threads} torch threads): {t_seq:.1f} s")
    print(f"Ray batch, 1 CPU per image:                 {t_ray:.1f} s (+ {t_start:.1f} s Ray start-up)")
    print(f"speed-up: {t_seq / t_ray:.2f}x ({t_seq / (t_ray + t_start):.2f}x counting the start-up)")


if __name__ == "__main__":
    main()
