"""Train SinGAN on one image, then write random samples (`python main_train.py` or `singan-train`).

    python main_train.py --input_name balloons.png --resume      # continue an interrupted run

The model is one file, saved after every scale and every few minutes, with per-scale previews beside it;
then --num_samples random samples (where: docs/outputs.md).
"""

from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

from ..api import BATCH_SIZE, SAVE_EVERY, SampleOptions, check_sample_args, sample, train_image
from ..core.config import between, check_value
from ..errors import SinGANError
from ..io import paths
from ..io.images import save_images
from ..io.lock import has_files, result_folder
from . import flags
from . import program as cli

NUM_SAMPLES = between(0, 100000, integer=True)  # --num_samples: random samples after training (0: none)


def main(args):
    # What is the command's own, before any work: the samples after training, the folders, the seed; the
    # config, the device, the image and the model file are checked by train_image, before it trains:
    check_value("num_samples", args.num_samples, NUM_SAMPLES)
    sampling = SampleOptions(batch_size=args.batch_size).validate()  # sampling's rules, before hours of training
    model_file = paths.trained_model_file(args.input_name, args.scale_factor, args.alpha, args.mode,
                                          root=args.models_dir)
    samples = paths.random_samples_dir(args.out, args.input_name, 0, model_file=model_file)
    stale = args.resume and has_files(samples) and _older_than(samples, model_file)  # an earlier model's
    keep_samples = has_files(samples) and not args.overwrite and not stale
    if keep_samples and args.num_samples > 0 and not args.resume and not model_file.exists():
        raise SinGANError(f"samples already exist in {samples}; pass --overwrite to replace them")  # (a model: below)

    # Seed (a resumed run restores its own saved random state) and train:
    cli.watch_resumable(args, model_file)  # an interrupted run prints --resume once this run wrote the model
    config = flags.train_config(args, manualSeed=cli.seed_everything(args.manualSeed, announce=not args.resume))
    model = train_image(Path(args.input_dir) / args.input_name, config, model_file, cli.device_name(args),
                        resume=args.resume, overwrite=args.overwrite, save_every=args.save_every, previews=True)
    print(f"trained model: {model_file}")

    # Random samples, as the original does after training, into the claimed folder (--overwrite: the old model's
    # samples go, even with --num_samples 0; --resume completes a set of samples already kept in place):
    names = [f"{i}.png" for i in range(args.num_samples)]
    if keep_samples:
        names = [name for name in names if not (samples / name).exists()] if args.resume else []
    if names:  # what depends on the model, checked once before anything is claimed or written
        sampling = replace(sampling, num_samples=len(names))
        check_sample_args(model, sampling)
    with nullcontext(samples) if keep_samples else result_folder(samples, args.overwrite or stale) as folder:
        if names:
            save_images(folder, sample(model, sampling), names)
    if names:
        print(f"{len(names)} random samples: {samples}")


def _older_than(samples: Path, model_file: Path) -> bool:
    """Whether the samples in `samples` were written before `model_file` was last saved: an earlier model's
    (a model's own samples are written after its last save), such as those an interrupted --overwrite
    retrain left for --resume to replace."""
    files = [f for f in samples.iterdir() if f.is_file()]
    if not files or not model_file.exists():
        return False
    return min(f.stat().st_mtime_ns for f in files) < model_file.stat().st_mtime_ns


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Train SinGAN on a single image.")
    p.add_argument("--input_name", type=str, required=True, help="input image name (in --input_dir)")
    p.add_argument("--mode", type=str, default="train", choices=["train", "animation_train"], help="task to be done")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace an existing trained model and its samples")
    p.add_argument("--save_every", type=float, default=300.0,
                   help="seconds between mid-scale checkpoints (0: after every iteration)")
    p.add_argument("--num_samples", type=int, default=50, help="random samples written after training (0: none)")
    p.add_argument("--batch_size", type=int, default=None, help="samples per forward pass (default: all)")
    flags.note_rules(p, {"save_every": SAVE_EVERY, "num_samples": NUM_SAMPLES, "batch_size": BATCH_SIZE})
    flags.add_training_flags(p)
    return p
