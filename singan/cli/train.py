"""Train SinGAN on one image, then write random samples (`python main_train.py` or `singan-train`).

    python main_train.py --input_name balloons.png
    python main_train.py --input_dir my/images --input_name photo.jpg --niter 1000 --not_cuda
    python main_train.py --input_name balloons.png --resume      # continue an interrupted run

Writes TrainedModels/<name>/scale_factor=0.750000,alpha=10/model.pt (one file, saved after every
scale and every few minutes), per-scale previews in <that folder>/<scale>/ and --num_samples random
samples in Output/RandomSamples/<name>/<model folder>/gen_start_scale=0/.
"""

from contextlib import nullcontext
from pathlib import Path

from ..api import generate, train_image
from ..core.config import TrainConfig, add_config_args, between
from ..errors import SinGANError
from ..io import paths
from ..io.images import check_regular_file, save_images
from ..io.lock import check_free
from ..io.results import has_files, result_folder
from . import program as cli


def main(args):
    # Check the config, the model file and the sample folder before any work:
    config = TrainConfig.from_args(args).validate()
    device = cli.device_from_args(args)
    model_file = paths.trained_model_file(args.input_name, args.scale_factor, args.alpha, args.mode,
                                          root=args.models_dir)
    samples = paths.random_samples_dir(args.out, args.input_name, 0, model_file=model_file)
    keep_samples = has_files(samples) and not args.overwrite
    if keep_samples and args.num_samples > 0 and not args.resume and not model_file.exists():
        raise SinGANError(f"samples already exist in {samples}; pass --overwrite to replace them")  # (a model: below)
    check_free(model_file)  # a running training of this model is the news, before its sample folder's claim

    image = Path(args.input_dir) / args.input_name
    if not args.resume:
        check_regular_file(image, "input image")

    # Claim the sample folder for the whole run (--overwrite: the old model's samples go, even with
    # --num_samples 0), seed (a resumed run restores its own saved random state) and train:
    cli.watch_resumable(args, model_file)  # an interrupted run prints --resume once this run wrote the model
    claim = nullcontext() if keep_samples else result_folder(samples, args.overwrite)
    with claim as staging:
        config.manualSeed = cli.seed_everything(args.manualSeed, announce=not args.resume)
        model = train_image(image, config, model_file, device, resume=args.resume, overwrite=args.overwrite,
                            save_every=args.save_every)
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


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Train SinGAN on a single image.")
    p.add_argument("--input_name", required=True, help="input image name (in --input_dir)")
    p.add_argument("--mode", default="train", choices=["train", "animation_train"], help="task to be done")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace an existing trained model and its samples")
    p.add_argument("--save_every", type=float, default=300.0, help="seconds between mid-scale checkpoints")
    p.add_argument("--num_samples", type=int, default=50, help="random samples written after training (0: none)")
    p.add_argument("--batch_size", type=int, default=None, help="samples per forward pass (default: all)")
    add_config_args(p)
    p.rules["num_samples"] = between(0, 100000, integer=True)
    return p


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
