"""Train SinGAN on one image, then write random samples (`python main_train.py` or `singan-train`).

    python main_train.py --input_name balloons.png
    python main_train.py --input_dir my/images --input_name photo.jpg --niter 1000 --not_cuda
    python main_train.py --input_name balloons.png --resume      # continue an interrupted run

Writes TrainedModels/<name>/scale_factor=0.750000,alpha=10/model.pt (one file, saved after every
scale and every few minutes), per-scale previews in <that folder>/<scale>/ and --num_samples random
samples in Output/RandomSamples/<name>/<model folder>/gen_start_scale=0/.
"""

import math
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from ..api import SampleOptions, generate, train_image
from ..core.config import TrainConfig
from ..errors import SinGANError
from ..io import paths
from ..io.images import check_regular_file, save_images
from ..io.lock import check_free
from ..io.results import has_files, result_folder
from ..options import between, boolean, one_of, option, rule_of, text
from . import program as cli


def main(args):
    # Check the config, the model file and the sample folder before any work:
    config = TrainConfig.from_args(args).validate()
    device = cli.device_from_args(args)
    model_file = paths.trained_model_file(args.input_name, args.scale_factor, args.alpha, args.mode,
                                          root=args.models_dir)
    samples = paths.random_samples_dir(args.out, args.input_name, 0, model_file=model_file)
    stale = args.resume and has_files(samples) and _older_than(samples, model_file)  # an earlier model's
    keep_samples = has_files(samples) and not args.overwrite and not stale
    if keep_samples and args.num_samples > 0 and not args.resume and not model_file.exists():
        raise SinGANError(f"samples already exist in {samples}; pass --overwrite to replace them")  # (a model: below)
    check_free(model_file)  # a running training of this model is the news, before its sample folder's claim

    image = Path(args.input_dir) / args.input_name
    if not args.resume:
        check_regular_file(image, "input image")

    # Claim the sample folder for the whole run (--overwrite: the old model's samples go, even with
    # --num_samples 0), seed (a resumed run restores its own saved random state) and train:
    cli.watch_resumable(args, model_file)  # an interrupted run prints --resume once this run wrote the model
    claim = nullcontext() if keep_samples else result_folder(samples, args.overwrite or stale)
    with claim as staging:
        config.manualSeed = cli.seed_everything(args.manualSeed, announce=not args.resume)
        model = train_image(image, config, model_file, device, resume=args.resume, overwrite=args.overwrite,
                            save_every=args.save_every, previews=True)
        print(f"trained model: {model_file}")

        # Random samples, as the original does after training (into the claimed folder, whole; --resume
        # completes a set of samples already kept in place):
        names = [f"{i}.png" for i in range(args.num_samples)]
        if staging is None:
            names = [name for name in names if not (samples / name).exists()] if args.resume else []
        if names:
            save_images(samples if staging is None else staging,
                        generate(model, len(names), batch_size=args.batch_size), names)
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


@dataclass
class TrainOptions:
    input_name: str = option(None, "input image name (in --input_dir)", text(), required=True)
    mode: str = option("train", "task to be done", one_of("train", "animation_train"), choices=True)
    resume: bool = option(False, "continue an interrupted run from its checkpoint", boolean())
    overwrite: bool = option(False, "replace an existing trained model and its samples", boolean())
    save_every: float = option(300.0, "seconds between mid-scale checkpoints (0: after every iteration)",
                               between(0, math.inf, open_hi=True))
    num_samples: int = option(50, "random samples written after training (0: none)",
                              between(0, 100000, integer=True))
    batch_size: int | None = option(None, "samples per forward pass (default: all)",
                                    rule_of(SampleOptions, "batch_size"))


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Train SinGAN on a single image.").add(TrainOptions)
    cli.add_training_flags(p)
    return p


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
