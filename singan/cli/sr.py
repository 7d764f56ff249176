"""Super-resolution: upsample an image by --sr_factor with a SinGAN trained on it alone
(`python SR.py` or `singan-sr`).

    python SR.py                                        # input/images/33039_LR.png, x4
    python SR.py --input_name photo.png --sr_factor 2 --not_cuda

Trains the SR model when it does not exist yet, as the original: pyramid scale factor 1/in_scale,
computed from --sr_factor (for x4: 6 steps of 4^(1/6), folder
TrainedModels/<name>/scale_factor=0.793701,alpha=100), reconstruction weight --alpha 100,
--min_size 18 and the original's SR pyramid geometry. Then repeats the finest generator on
successively upsampled images and writes Output/SR/<sr_factor>/<name>_HR.png: sr_factor times the
input file's size. For a file within --max_size (the training image is the file) that is the original's
chain of in_scale steps and crop, pixel for pixel; for a larger file (the original wrote sr_factor times
the --max_size-resized image) the exact chain of singan.apps.upscale lands on sr_factor times the file's size.
"""

import argparse
from pathlib import Path

from ..api import device_of, load, planned_model, train_image
from ..apps import sr, upscale
from ..errors import SinGANError
from ..io import paths
from ..io.atomic import record_input
from ..io.images import save_image
from ..io.model_reuse import check_existing
from ..runtime.memory import MAX_SIDE
from . import flags
from . import program as cli


def main(args):
    # Step: the SR pyramid factor, the config and the output, checked before any work:
    in_scale, _ = sr.sr_chain(args.sr_factor)
    config = sr.sr_config(flags.train_config(args), args.sr_factor).validate()  # SR trains in 'train'
    model_file = paths.trained_model_file(args.input_name, config.scale_factor, config.alpha, root=args.models_dir,
                                          sr_factor=args.sr_factor)
    out = paths.sr_dir(args.out, args.sr_factor, model_file=model_file) / f"{paths.image_stem(args.input_name)}_HR.png"
    cli.refuse_existing([out], args.overwrite)
    image = Path(args.input_dir) / args.input_name
    if image.is_file():  # sr_factor times the file's size, checked before training
        h, w = upscale.image_size(image)
        if not model_file.is_file():  # the pyramid it will train, refused first when it breaks the rule
            sr.sr_geometry_fn(config, args.input_name)(h, w)
        if max(h, w) * args.sr_factor > MAX_SIDE:
            raise SinGANError(f"--sr_factor {args.sr_factor:g} makes a {int(args.sr_factor * h)}x"
                              f"{int(args.sr_factor * w)} image of {image}; the longest side may be {MAX_SIDE}")
    device = device_of(cli.device_name(args))

    # Step: load the SR model, or train (or resume) it on the low-resolution image:
    reuse = model_file.is_file() and not args.resume and check_existing(
        model_file, config, args.overwrite, seed_given=args.manualSeed is not None)
    if reuse:  # seeded as the original (which seeds at start-up, trained or not): the same seed, the same image
        cli.seed_everything(args.manualSeed)
        model = load(model_file, device)
    else:
        if image.is_file():  # the output size and memory on the model training will give, before training
            planned = planned_model(image, config, model_file if args.resume else None,
                                    sr.sr_geometry_fn(config, args.input_name), device)
            sr.check_super_resolution(planned, args.sr_factor, (int(args.sr_factor * h), int(args.sr_factor * w)))
        print(f"training the SR model {model_file} (pyramid scale factor 1/{in_scale:.6f}, from --sr_factor)")
        cli.watch_resumable(args, model_file)
        config.manualSeed = cli.seed_everything(args.manualSeed, announce=not args.resume)
        model = train_image(Path(args.input_dir) / args.input_name, config, model_file, device, resume=args.resume,
                            overwrite=model_file.is_file() and not args.resume,
                            geometry_fn=sr.sr_geometry_fn(config, args.input_name), previews=True)

    # Step: sr_factor times the input file's size, by the finest generator repeated, saved:
    h, w = upscale.image_size(image) if image.is_file() else model.reals[-1].shape[-2:]
    size = (int(args.sr_factor * h), int(args.sr_factor * w))
    photo = upscale.photo_from_args(args, size, model.config.nc_im) if image.is_file() else None
    hr = sr.super_resolve(model, args.sr_factor, size, upscaler=args.upscaler, photo=photo)
    save_image(out, hr)
    record_input(out, image)
    print(f"x{args.sr_factor:g} of {h}x{w}: {hr.shape[2]}x{hr.shape[3]} image in {out}")


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Super-resolution with SinGAN.")
    p.add_argument("--input_name", type=str, default="33039_LR.png", help="low-resolution image name")
    p.add_argument("--resume", action="store_true", help="continue an interrupted training of the SR model")
    p.add_argument("--overwrite", action="store_true", help="replace an existing result")
    p.add_argument("--upscaler", type=str, default="chain", choices=upscale.UPSCALERS,
                   help=upscale.UPSCALER_HELP.replace("--out_size", "the SR size"))
    p.add_argument("--mode", type=str, default="SR", choices=["SR"], help=argparse.SUPPRESS)  # the original's
    p.add_argument("--sr_factor", type=float, default=4.0, help="upsampling factor (steps of about 2 ** (1/3); the "
                   f"output's longest side is at most {MAX_SIDE})")
    flags.note_rules(p, {"sr_factor": sr.SR_FACTOR})
    # SR computes --scale_factor from --sr_factor; --alpha and --min_size are what the original uses for SR:
    flags.add_training_flags(p, exclude=("scale_factor",), **sr.SR_TRAINING)
    return p


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
