"""`python -m singan.benchmark places50` (singan-benchmark): the paper's Places50 table through the batch runner."""

import argparse
from pathlib import Path

from ..batch.places50 import NUM_IMAGES, default_dataset_dir, format_table, places50_images, published_swd
from ..batch.runner import check_earlier_models
from ..core.config import between, check_value
from ..errors import SinGANError
from . import flags
from . import program as cli
from .batch import add_batch_args, run_from_args


def main(args: argparse.Namespace) -> None:
    if args.input_dir is not None:
        raise SinGANError(f"--input_dir {args.input_dir}: the benchmark reads Places50 from --dataset_dir "
                          "(the folder holding images/ and published/)")
    check_value("images", args.images, IMAGES)
    dataset_dir = Path(args.dataset_dir) if args.dataset_dir else default_dataset_dir()
    images = places50_images(dataset_dir, args.images)
    config = flags.train_config(args)
    if not args.overwrite:  # a stale model is refused before any work (--overwrite: run_from_args removes them)
        check_earlier_models(images, config, Path(args.out), args.models_dir, overwrite=False)
    published = [published_swd(image, config) for image in images]
    rows = run_from_args(args, images)
    table = format_table(rows, published)
    Path(args.out, "benchmark.md").write_text(table)
    print(table)
    for row in rows:
        if row["status"] != "done":
            print(f"{row['image']}: {row['error']}")


IMAGES = between(1, NUM_IMAGES, integer=True)


def get_parser() -> argparse.ArgumentParser:
    p = cli.parser("The SinGAN paper's Places50 benchmark (patch SWD, diversity, SIFID) through the batch runner.",
                   out="Benchmark/places50", input_dir=None, seed=0, models_dir=None)
    p.add_argument("dataset", choices=["places50"], help="the benchmark to run")
    p.add_argument("--images", type=int, default=NUM_IMAGES, help="train only the first K images")
    p.add_argument("--dataset_dir", type=str, default=None,
                   help="the places50 folder (default: found beside the repository)")
    flags.note_rules(p, {"images": IMAGES})
    add_batch_args(p)
    return p
