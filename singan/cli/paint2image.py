"""Paint to image: turn a rough colour painting into an image in the style of a trained one
(`python paint2image.py` or `singan-paint2image`).

    python paint2image.py --input_name cows.png --ref_name cows.png --paint_start_scale 1 --quantization_flag

Loads the model main_train.py wrote for --input_name (same --scale_factor/--alpha) and injects the painting
<ref_dir>/<ref_name> at --paint_start_scale. With --quantization_flag the painting is mapped to the 5 main colours
of the training image and scale n is retrained once (from fresh networks, --niter iterations) on colour-quantised
inputs, saved in TrainedModels/<name>/scale_factor=<sf>_paint/start_scale=<n>/ and reused; the results add
real_quant.png, in_paint.png and in_paint_quant.png (`--quantization_flag False`: see `program.str2bool`).
"""

import argparse
import dataclasses
from pathlib import Path

from ..apps import upscale
from ..apps.injection import INJECTION_SCALE, inject, injection_input, injection_scale
from ..apps.paint import paint_model, quantized_paint_input
from ..apps.references import load_reference, training_image
from ..core.config import TrainConfig, check_value
from ..io import paths
from ..io.atomic import record_input
from ..io.images import save_image
from . import flags
from . import program as cli


def main(args):
    # Device, seed, trained model (its --niter for the retraining unless given), start scale:
    model_file, model = cli.trained_model(args)
    if args.niter is not None:  # the retraining's iterations (the rest of its config is the loaded model's)
        check_value("niter", args.niter, TrainConfig.RULES["niter"])
        model = dataclasses.replace(model, config=dataclasses.replace(model.config, niter=args.niter))
    n = injection_scale(model, args.paint_start_scale, "paint_start_scale", default_below_top=model.num_trained)

    # Step: the training image as trained and the painting at that size; the output checked:
    real = training_image(Path(args.input_dir) / args.input_name, model)
    ref, _ = load_reference(args.ref_dir, args.ref_name, tuple(real.shape[-2:]), nc_im=model.config.nc_im,
                            device=model.device)
    out = paths.application_dir(args.out, "Paint2image", args.input_name, args.ref_name, model_file=model_file)
    out = out.with_name(out.name + "_quantized") if args.quantization_flag else out
    target = upscale.out_size(model, args.out_size, tuple(real.shape[-2:]), photo=Path(args.input_dir) /
                              args.input_name, upscaler=args.upscaler, flag="--out_size", save=True)
    out = paths.sized(out, None if target is None else target.size)
    cli.refuse_existing([out / f"start_scale={n}.png"], args.overwrite)

    # Step (quantised): palette, quantised painting, scale n retrained on quantised inputs:
    start_image = None
    if args.quantization_flag:
        start_image, centers, real_quant = quantized_paint_input(model, real, ref, n)
        save_image(out / "real_quant.png", real_quant)
        save_image(out / "in_paint.png", injection_input(model, ref, n))
        save_image(out / "in_paint_quant.png", start_image)
        paint_file = paths.trained_model_file(args.input_name, args.scale_factor, args.alpha, "paint_train",
                                              paint_start_scale=n, root=args.models_dir)
        model = paint_model(model, n, centers, paint_file)

    # Step: inject at scale n and save:
    save_image(out / f"start_scale={n}.png", inject(model, ref, n, start_image=start_image, out_size=target))
    record_input(out / f"start_scale={n}.png", Path(args.ref_dir) / args.ref_name)
    print(f"painted image: {out / f'start_scale={n}.png'}")


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Turn a painting into an image with SinGAN. --niter sets the iterations of the quantised "
                   "retraining (default: the model's).")
    p.add_argument("--input_name", type=str, required=True, help="training image name")
    p.add_argument("--ref_dir", type=str, default="input/Paint", help="folder of the painting")
    p.add_argument("--ref_name", type=str, required=True, help="painting image name")
    p.add_argument("--paint_start_scale", type=int, default=None,
                   help="injection scale, 1 .. number of scales - 1 (default: 1)")
    p.add_argument("--quantization_flag", type=cli.str2bool, nargs="?", const=True, default=False,
                   help="quantise colours and retrain the injection scale (bare flag or True/False)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing result")
    p.add_argument("--mode", type=str, default="paint2image", choices=["paint2image"], help=argparse.SUPPRESS)
    p.add_argument_group(flags.ORIGINAL).add_argument("--niter", type=int, default=None, help="iterations per scale")
    flags.note_rules(p, {"paint_start_scale": INJECTION_SCALE, "niter": TrainConfig.RULES["niter"]})
    flags.add_out_size_flags(p)
    flags.add_model_folder_flags(p)
    return p
