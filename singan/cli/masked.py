"""What harmonization and editing share: a reference image with a mask, injected at one scale of a
trained model, and the result pasted back into the training image through the mask, dilated and blurred.

The model is the one main_train.py wrote for --input_name (same --scale_factor/--alpha); the reference and
its mask are read by `singan.apps.references.load_reference`; the dilated mask is written beside the result.
The two commands differ only in their names, folders, the mask's dilation radius and whether the raw generated
image is written too; each is `get_parser` and `main` here with those. With --out_size the generated image is
upscaled and pasted into the reference at that size (the input file's pixels outside the dilated mask, exactly;
`singan.apps.injection.masked_injection`).
"""

import argparse
from pathlib import Path

from ..apps import upscale
from ..apps.injection import INJECTION_SCALE, check_full_size, injection_scale, masked_injection
from ..apps.references import load_reference, training_image
from ..io import paths
from ..io.atomic import record_input
from ..io.images import save_image
from . import flags
from . import program as cli


def get_parser(description: str, mode: str, ref_dir: str, ref_help: str) -> cli.ArgumentParser:
    """The parser of the command `mode` (harmonization, editing)."""
    p = cli.parser(description)
    p.add_argument("--input_name", type=str, required=True, help="training image name")
    p.add_argument("--ref_dir", type=str, default=ref_dir, help=f"folder of the {ref_help} and its mask")
    p.add_argument("--ref_name", type=str, required=True, help=f"{ref_help} name")
    p.add_argument(f"--{mode}_start_scale", type=int, default=None,
                   help="injection scale, 1 .. number of scales - 1 (default: 2 below the finest)")
    p.add_argument("--overwrite", action="store_true", help="replace existing results")
    p.add_argument("--mode", type=str, default=mode, choices=[mode], help=argparse.SUPPRESS)  # the original's
    flags.note_rules(p, {f"{mode}_start_scale": INJECTION_SCALE})
    flags.add_out_size_flags(p)
    flags.add_model_folder_flags(p)
    return p


def main(args: argparse.Namespace, folder: str, radius: int, keep_generated: bool, done: str) -> None:
    """The command of the module's docstring: the mask dilated by `radius`, the line printed begins with `done`."""
    # Device, seed, trained model, start scale:
    model_file, model = cli.trained_model(args)
    scale_flag = f"{args.mode}_start_scale"
    n = injection_scale(model, getattr(args, scale_flag), scale_flag)

    # Step: the training image as trained, the reference and its mask at that size; the outputs checked:
    image = Path(args.input_dir) / args.input_name
    real = training_image(image, model)
    ref, mask = load_reference(args.ref_dir, args.ref_name, tuple(real.shape[-2:]), with_mask=True,
                               nc_im=model.config.nc_im, device=model.device, mask_from=image)
    target = check_full_size(model, args.out_size, tuple(real.shape[-2:]), upscale.image_size(Path(args.ref_dir) /
                             args.ref_name), args.upscaler, image)  # before the reference is read at that size
    size = None if target is None else target.size
    full = None if size is None else load_reference(args.ref_dir, args.ref_name, size, with_mask=True,
                                                    nc_im=model.config.nc_im, device=model.device, mask_from=image,
                                                    announce=False)
    out = paths.sized(paths.application_dir(args.out, folder, args.input_name, args.ref_name, model_file=model_file),
                      size)
    generated_png = out / f"start_scale={n}.png"
    blended_png = out / f"start_scale={n}_masked.png" if keep_generated else generated_png
    cli.refuse_existing([generated_png, blended_png], args.overwrite)  # (the same file without keep_generated)

    # Step: inject at scale n, paste through the dilated mask, save:
    generated, blended = masked_injection(model, real, ref, mask, n, radius,
                                          mask_png=out / f"{Path(args.ref_name).stem}_mask_dilated.png",
                                          full=full, upscaler=args.upscaler, checked=target)
    if keep_generated:
        save_image(generated_png, generated)
    save_image(blended_png, blended)
    for png in {generated_png, blended_png}:  # (one file without keep_generated)
        record_input(png, Path(args.ref_dir) / args.ref_name)
    print(f"{done}: {blended_png}")
