"""`python -m singan.batch` (singan-batch): train every image of a folder on Ray, then sample and score each."""


import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..batch.job import JobOptions
from ..batch.runner import (
    check_address,
    check_earlier_models,
    check_resources,
    find_images,
    local_node,
    run_batch,
    start_ray,
)
from ..batch.summary import write_summary
from ..core.config import TrainConfig
from ..eval.evaluate import EvaluationOptions
from ..eval.fid_inception import load_inception, resolve_weights
from ..options import between, boolean, option, optional, text
from . import program as cli

BATCH = "batch (Ray)"


@dataclass
class BatchOptions:
    """Ray, resources and what is kept of each image (singan.batch and singan.benchmark)."""

    address: str | None = option(None, "Ray cluster to join (default: start a local Ray)", optional(text()),
                                 group=BATCH)
    cpus_per_image: float = option(1.0, "CPUs reserved by each image's task", between(0, 4096, open_lo=True),
                                   group=BATCH)
    gpus_per_image: float | None = option(None, "GPUs per image's task, fractions share a GPU (default: 1 when CUDA "
                                                "is present, else 0)", optional(between(0, 64)), group=BATCH)
    save_samples: int = option(8, "samples written as PNG per setting", between(0, 100000, integer=True), group=BATCH)
    save_every: float = option(60.0, "seconds between checkpoints inside a scale", between(0, math.inf, open_hi=True),
                               group=BATCH)
    overwrite: bool = option(False, "retrain every image: remove its earlier model, samples and scores first "
                                    "(without it, a model trained with other settings is refused)", boolean(),
                             group=BATCH)


def add_batch_args(p: cli.ArgumentParser) -> None:
    """Flags shared by singan.batch and singan.benchmark: Ray, resources, scoring, training."""
    p.add(BatchOptions).add(EvaluationOptions, title=BATCH, defaults={"num_samples": 50})
    cli.add_training_flags(p)
    p.set_defaults(manualSeed=0, models_dir=None)


def resources_from_args(args: argparse.Namespace) -> tuple[float, float]:
    """(CPUs per image, GPUs per image) from the flags and the device (checked by their rules before Ray)."""
    device = cli.device_from_args(args)
    gpus = args.gpus_per_image if args.gpus_per_image is not None else float(device.type == "cuda")
    return args.cpus_per_image, gpus


def options_from_args(args: argparse.Namespace) -> tuple[JobOptions, float, float]:
    """(job options, CPUs per image, GPUs per image) from the flags; bad values are one-line errors."""
    _, gpus = resources_from_args(args)
    weights, note = resolve_weights(args.inception_weights)
    if note:
        print(note, file=sys.stderr)
    if weights is not None:  # read once here: a file that is not the weights fails every image after its training
        load_inception(weights, args.sifid_dims)
    options = JobOptions(device="cuda" if gpus > 0 else "cpu", threads=max(1, int(args.cpus_per_image)),
                         seed=args.manualSeed, save_every=args.save_every, num_samples=args.num_samples,
                         save_samples=args.save_samples, inception_weights=str(weights) if weights else None,
                         sifid_dims=args.sifid_dims, sifid_missing=note)
    return options, args.cpus_per_image, gpus


def run_from_args(args: argparse.Namespace, images: list[Path]) -> list[dict]:
    """Start Ray as the flags say, run the batch, write the summary; the rows."""
    config = TrainConfig.from_args(args).validate()  # rules between flags too, before weights or Ray
    cpus, gpus = resources_from_args(args)
    if not args.overwrite:  # refused before the options' work (finding SIFID weights)
        check_earlier_models(images, config, Path(args.out), args.models_dir, overwrite=False)
    if args.address:  # something answers there, before the weights are looked for
        check_address(args.address)
    else:  # what a local Ray would have, before it starts (and before the weights are looked for)
        check_resources([local_node()], cpus, gpus)
    options, cpus, gpus = options_from_args(args)  # the SIFID weights found and read, before Ray starts
    check_resources(start_ray(args.address).nodes(), cpus, gpus)
    if args.overwrite:  # removed only once every flag has passed
        check_earlier_models(images, config, Path(args.out), args.models_dir, overwrite=True)
    started = time.time()
    rows = run_batch(images, config, args.out, options, cpus_per_image=cpus, gpus_per_image=gpus,
                     models_dir=args.models_dir)
    for path in write_summary(rows, args.out):
        print(f"summary written to {path}")
    print(f"{len(images)} images in {time.time() - started:.0f} s")
    return rows


def main(args: argparse.Namespace) -> None:
    rows = run_from_args(args, find_images(args.input_dir))
    failed = [r for r in rows if r["status"] != "done"]
    if failed:
        print(f"{len(failed)} of {len(rows)} images failed", file=sys.stderr)
        sys.exit(1)


def get_parser() -> argparse.ArgumentParser:
    p = cli.parser("Train SinGAN on every image of a folder with Ray, then sample and score each model.",
                   input_dir=None, out="Batch")
    add_batch_args(p)
    return p


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
