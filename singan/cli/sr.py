"""Super-resolution: upsample an image by --sr_factor with a SinGAN trained on it alone
(`python SR.py` or `singan-sr`).

    python SR.py --input_name photo.png --sr_factor 2      # default: input/images/33039_LR.png, x4

Trains the SR model when it does not exist yet, as the original: pyramid scale factor 1/in_scale, computed
from --sr_factor (for x4: 6 steps of 4^(1/6), folder scale_factor=0.793701,alpha=100), reconstruction weight
--alpha 100, --min_size 18 and the original's SR pyramid geometry. Then repeats the finest generator on
successively upsampled images: sr_factor times the input file's size. For a file within --max_size (the
training image is the file) that is the original's chain of in_scale steps and crop, pixel for pixel; for a
larger file (the original wrote sr_factor times the --max_size-resized image) the exact chain of
singan.apps.upscale lands on sr_factor times the file's size.
"""

import argparse
from pathlib import Path

from ..api import device_of, load, planned_model, train_image
from ..apps import upscale
from ..apps.sr import SR_FACTOR, SR_TRAINING, check_super_resolution, sr_config, sr_geometry_fn, super_resolve
from ..io import paths
from ..io.atomic import record_input
from ..io.checkpoint import check_existing
from ..io.images import read_image, save_image
from ..runtime.memory import MAX_SIDE
from . import flags
from . import program as cli


def main(args):
    # Step: the SR config (pyramid factor from --sr_factor) and the output, checked before any work:
    config = sr_config(flags.train_config(args), args.sr_factor).validate()  # SR trains in 'train'
    model_file = paths.trained_model_file(args.input_name, config.scale_factor, config.alpha, root=args.models_dir,
                                          sr_factor=args.sr_factor)
    out = paths.sr_dir(args.out, args.sr_factor, model_file=model_file) / f"{paths.image_stem(args.input_name)}_HR.png"
    cli.refuse_existing([out], args.overwrite)
    image, device = Path(args.input_dir) / args.input_name, device_of(cli.device_name(args))

    # Step: the SR model as it is, or as training will make it; against it the output (sr_factor times the
    # input file's size) and its memory, once, before training:
    reuse = model_file.is_file() and not args.resume and check_existing(
        model_file, config, args.overwrite, seed_given=args.manualSeed is not None)
    model, plan, size = load(model_file, device) if reuse else None, None, None
    if image.is_file():
        h, w = upscale.image_size(image)
        size = (int(args.sr_factor * h), int(args.sr_factor * w))
        planned = model or planned_model(image, config, model_file if args.resume else None,
                                         sr_geometry_fn(config, args.input_name), device)
        plan = check_super_resolution(planned, args.sr_factor, size, args.upscaler, (h, w))

    # Step: seeded as the original, trained or not (a resumed run restores its own state); train unless loaded:
    config.manualSeed = cli.seed_everything(args.manualSeed, announce=not args.resume)
    if not reuse:
        print(f"training the SR model {model_file} (pyramid scale factor 1/{1 / config.scale_factor:.6f}, "
              "from --sr_factor)")
        cli.watch_resumable(args, model_file)
        model = train_image(image, config, model_file, device, resume=args.resume,
                            overwrite=model_file.is_file() and not args.resume,
                            geometry_fn=sr_geometry_fn(config, args.input_name), previews=True)

    # Step: sr_factor times the input file's size, by the finest generator repeated, saved:
    photo = read_image(image, model.config.nc_im, warn_alpha=False) if size and args.upscaler == "patches" else None
    hr = super_resolve(model, args.sr_factor, size, upscaler=args.upscaler, photo=photo, plan=plan)
    save_image(out, hr)
    record_input(out, image)
    h, w = model.reals[-1].shape[-2:] if size is None else (h, w)
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
    flags.note_rules(p, {"sr_factor": SR_FACTOR})
    # SR computes --scale_factor from --sr_factor; --alpha and --min_size are what the original uses for SR:
    flags.add_training_flags(p, exclude=("scale_factor",), **SR_TRAINING)
    return p
