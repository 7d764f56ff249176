"""`python -m singan.batch` (singan-batch): train every image of a folder on Ray, then sample and score each."""

import argparse
import sys
import time
from pathlib import Path

from ..api import SAVE_EVERY, device_of
from ..batch import runner
from ..batch.job import JobOptions, write_summary
from ..core.config import between, check_rules
from ..eval.evaluate import NUM_SAMPLES
from ..eval.fid_inception import load_inception, resolve_weights
from . import flags
from . import program as cli
from .evaluate import add_score_flags

RULES = {  # Ray, resources and what is kept of each image (singan.batch and singan.benchmark)
    "cpus_per_image": between(0, 4096, open_lo=True), "gpus_per_image": between(0, 64, optional=True),
    "save_samples": between(0, 100000, integer=True), "save_every": SAVE_EVERY, "num_samples": NUM_SAMPLES,
}


def add_batch_args(p: cli.ArgumentParser) -> None:
    """Flags shared by singan.batch and singan.benchmark: Ray, resources, scoring, training."""
    g = p.add_argument_group("batch (Ray)")
    g.add_argument("--address", type=str, default=None, help="Ray cluster to join (default: start a local Ray)")
    g.add_argument("--cpus_per_image", type=float, default=1.0, help="CPUs reserved by each image's task")
    g.add_argument("--gpus_per_image", type=float, default=None, help="GPUs per image's task, fractions share a GPU "
                   "(default: 1 when CUDA is present, else 0)")
    g.add_argument("--save_samples", type=int, default=8, help="samples written as PNG per setting")
    g.add_argument("--save_every", type=float, default=60.0, help="seconds between checkpoints inside a scale")
    g.add_argument("--overwrite", action="store_true", help="retrain every image: remove its earlier model, samples "
                   "and scores first (without it, a model trained with other settings is refused)")
    add_score_flags(g, num_samples=50)
    flags.note_rules(p, RULES)
    flags.add_training_flags(p)


def run_from_args(args: argparse.Namespace, images: list[Path]) -> list[dict]:
    """Check every flag, start Ray as the flags say, run the batch, write the summary; the rows."""
    config = flags.train_config(args).validate()  # rules between flags too, before weights or Ray
    check_rules(args, RULES)
    device = device_of(cli.device_name(args))  # checked even with --gpus_per_image
    cpus, gpus = args.cpus_per_image, args.gpus_per_image
    gpus = float(device.type == "cuda") if gpus is None else gpus
    if not args.overwrite:  # refused before the options' work (finding SIFID weights)
        runner.check_earlier_models(images, config, Path(args.out), args.models_dir, overwrite=False)
    if args.address:  # something answers there, before the weights are looked for
        runner.check_address(args.address)
    else:  # what a local Ray would have, before it starts (and before the weights are looked for)
        runner.check_resources([runner.local_node()], cpus, gpus)
    weights, note = resolve_weights(args.inception_weights)
    if note:
        print(note, file=sys.stderr)
    if weights is not None:  # read once here, before Ray: a file that is not the weights fails every image after
        load_inception(weights, args.sifid_dims)  # its training
    options = JobOptions(device="cuda" if gpus > 0 else "cpu", threads=max(1, int(cpus)), seed=args.manualSeed,
                         save_every=args.save_every, num_samples=args.num_samples, save_samples=args.save_samples,
                         inception_weights=str(weights) if weights else None, sifid_dims=args.sifid_dims,
                         sifid_missing=note)
    runner.check_resources(runner.start_ray(args.address).nodes(), cpus, gpus)
    if args.overwrite:  # removed only once every flag has passed
        runner.check_earlier_models(images, config, Path(args.out), args.models_dir, overwrite=True)
    started = time.time()
    rows = runner.run_batch(images, config, args.out, options, cpus_per_image=cpus, gpus_per_image=gpus,
                            models_dir=args.models_dir)
    for path in write_summary(rows, args.out):
        print(f"summary written to {path}")
    print(f"{len(images)} images in {time.time() - started:.0f} s")
    return rows


def main(args: argparse.Namespace) -> None:
    rows = run_from_args(args, runner.find_images(args.input_dir))
    failed = [r for r in rows if r["status"] != "done"]
    if failed:
        print(f"{len(failed)} of {len(rows)} images failed", file=sys.stderr)
        sys.exit(1)


def get_parser() -> argparse.ArgumentParser:
    p = cli.parser("Train SinGAN on every image of a folder with Ray, then sample and score each model.",
                   input_dir=None, out="Batch", seed=0, models_dir=None)
    add_batch_args(p)
    return p
