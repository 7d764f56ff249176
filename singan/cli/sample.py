"""Draw random samples from a trained SinGAN, at the training size or any other
(`python random_samples.py` or `singan-sample`; where they go: docs/outputs.md).

    python random_samples.py --input_name balloons.png --mode random_samples_arbitrary_sizes --scale_h 2

The model is the one main_train.py wrote for the same --input_name, --scale_factor and --alpha. --out_size full
(the input file's size, times --scale_h / --scale_v), HxW or a longest side upscales every sample with the finest
generator (`singan.apps.upscale`) into a folder of its own.
"""

from pathlib import Path

from ..api import MAX_RESIZE, SampleOptions, generate
from ..apps import upscale
from ..errors import SinGANError
from ..io import paths
from ..io.images import save_image, save_images
from ..io.lock import result_folder
from ..runtime.memory import sample_sizes
from . import flags
from . import program as cli

SCALE_H, SCALE_V = 1.5, 1.0  # the original's defaults of --mode random_samples_arbitrary_sizes
MODES = ("random_samples", "random_samples_arbitrary_sizes")


def main(args):
    # The sizes, the model, --out_size against it (once: parsed, the model's aspect, its memory), the output folder:
    arbitrary = args.mode == "random_samples_arbitrary_sizes"
    given = [f"--{flag} {getattr(args, flag)}" for flag in ("scale_h", "scale_v") if getattr(args, flag) is not None]
    if given and not arbitrary:
        raise SinGANError(f"{' and '.join(given)}: resize the samples only in --mode random_samples_arbitrary_sizes "
                          "(--mode random_samples draws them at the training size)")
    scale_h = (SCALE_H if args.scale_h is None else args.scale_h) if arbitrary else 1.0
    scale_v = (SCALE_V if args.scale_v is None else args.scale_v) if arbitrary else 1.0
    model_file, model = cli.trained_model(args, allow_partial=args.allow_partial)
    target = upscale.out_size(model, args.out_size, sample_sizes(model, scale_h, scale_v)[-1],
                              photo=Path(args.input_dir) / args.input_name, upscaler=args.upscaler,
                              scale=(scale_v, scale_h), save=True, flag="--out_size")
    size = None if target is None else target.size
    out = paths.sized(paths.random_samples_dir(args.out, args.input_name, args.gen_start_scale, scale_v, scale_h,
                                               arbitrary, model_file=model_file), size)

    # Claim the folder (one writer at a time; one with files only with --overwrite, which replaces them), generate:
    with result_folder(out, args.overwrite) as staging:
        images = generate(model, args.num_samples, gen_start_scale=args.gen_start_scale, scale_h=scale_h,
                          scale_v=scale_v, batch_size=args.batch_size)
        if size is None:
            save_images(staging, images)
        for i in range(args.num_samples if size is not None else 0):
            save_image(staging / f"{i}.png", upscale.to_size(model, images[i:i + 1], size, upscaler=target.upscaler,
                                                             photo=target.photo).clamp_(-1, 1))
    h, w = size or images.shape[2:]
    print(f"{args.num_samples} samples of size {h}x{w} in {out}")


def get_parser() -> cli.ArgumentParser:
    p = cli.parser(f"Generate random samples from a trained SinGAN. --scale_h and --scale_v resize them in --mode "
                   f"random_samples_arbitrary_sizes only (default there: {SCALE_H} and {SCALE_V}).")
    p.add_argument("--input_name", type=str, required=True, help="training image name")
    p.add_argument("--mode", type=str, default="random_samples", choices=MODES,
                   help="training size, or other sizes (--scale_h, --scale_v)")
    p.add_argument("--allow_partial", action="store_true", help="sample from an unfinished model's scales")
    p.add_argument("--overwrite", action="store_true", help="replace samples in an existing output folder")
    p.add_argument("--num_samples", type=int, default=50, help="number of samples")
    p.add_argument("--gen_start_scale", type=int, default=0,
                   help="scales below it reconstruct the image (0: everything random)")
    for flag, side, default in (("scale_h", "horizontal", SCALE_H), ("scale_v", "vertical", SCALE_V)):
        p.add_argument(f"--{flag}", type=float, default=None, help=f"{side} resize factor of the samples, up to "
                       f"{MAX_RESIZE} (default: {default} in --mode random_samples_arbitrary_sizes)")
    p.add_argument("--batch_size", type=int, default=None, help="samples per forward pass (default: all)")
    flags.note_rules(p, {name: rule for name, rule in SampleOptions.RULES.items() if name != "seed"})
    flags.add_out_size_flags(p)
    flags.add_model_folder_flags(p)
    return p
