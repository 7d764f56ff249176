"""`python -m singan.batch` (singan-batch): train every image of a folder on Ray, then sample and score each."""


import argparse
import math
import sys
import time
from pathlib import Path

from ..batch.job import JobOptions
from ..batch.runner import check_earlier_models, check_resources, find_images, run_batch, start_ray
from ..batch.summary import write_summary
from ..core.config import TrainConfig, add_config_args
from ..errors import SinGANError
from ..eval.fid_inception import resolve_weights
from . import program as cli


def add_batch_args(p: argparse.ArgumentParser) -> None:
    """Flags shared by singan.batch and singan.benchmark: Ray, resources, scoring."""
    g = p.add_argument_group("batch (Ray)")
    g.add_argument("--address", default=None, help="Ray cluster to join (default: start a local Ray)")
    g.add_argument("--cpus_per_image", type=float, default=1, help="CPUs reserved by each image's task")
    g.add_argument("--gpus_per_image", type=float, default=None,
                   help="GPUs per image's task, fractions share a GPU (default: 1 when CUDA is present, else 0)")
    g.add_argument("--num_samples", type=int, default=50, help="samples scored per setting (at least 2)")
    g.add_argument("--save_samples", type=int, default=8, help="samples written as PNG per setting")
    g.add_argument("--inception_weights", default=None,
                   help="FID Inception weights for SIFID (default: the torch hub cache's, downloaded on first use)")
    g.add_argument("--sifid_dims", type=int, default=64, choices=[64, 192],
                   help="SIFID's Inception features: 64 (first max-pool, the released code) or 192 (second)")
    g.add_argument("--save_every", type=float, default=60.0, help="seconds between checkpoints inside a scale")
    g.add_argument("--overwrite", action="store_true",
                   help="retrain every image: remove its earlier model, samples and scores first (without it, a "
                        "model trained with other settings is refused)")
    add_config_args(p)
    p.set_defaults(manualSeed=0, models_dir=None)


def resources_from_args(args: argparse.Namespace) -> tuple[float, float]:
    """(CPUs per image, GPUs per image) from the flags, checked (with --num_samples, --save_samples) before Ray."""
    device = cli.device_from_args(args)
    gpus = args.gpus_per_image if args.gpus_per_image is not None else float(device.type == "cuda")
    for flag, value in (("cpus_per_image", args.cpus_per_image), ("gpus_per_image", gpus)):
        if not math.isfinite(value):
            raise SinGANError(f"--{flag} {value}: must be a finite number")
    if args.cpus_per_image <= 0 or gpus < 0 or args.num_samples < 2 or args.save_samples < 0:
        raise SinGANError("--cpus_per_image must be positive, --gpus_per_image >= 0, --num_samples >= 2 "
                          "and --save_samples >= 0")
    return args.cpus_per_image, gpus


def options_from_args(args: argparse.Namespace) -> tuple[JobOptions, float, float]:
    """(job options, CPUs per image, GPUs per image) from the flags; bad values are one-line errors."""
    _, gpus = resources_from_args(args)
    weights, note = resolve_weights(args.inception_weights)
    if note:
        print(note, file=sys.stderr)
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
    check_resources(start_ray(args.address).nodes(), cpus, gpus)  # before the weights are looked for
    options, cpus, gpus = options_from_args(args)
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
    p = cli.parser("Train SinGAN on every image of a folder with Ray, then sample and score each model.")
    p.set_defaults(input_dir=None, out="Batch")
    add_batch_args(p)
    return p


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
