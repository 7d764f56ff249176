"""What harmonization and editing share: a reference image with a mask, injected at one scale of a
trained model, and the result pasted back into the training image through the mask, dilated and blurred.

The two commands differ only in their names, folders, the mask's dilation radius and whether the
raw generated image is written too; each passes those to `add_flags` and `main` here. With
--out_size full (or HxW, or a longest side) the generated image is upscaled to that size and pasted into
the reference at that size (the input file's pixels outside the dilated mask, exactly), the mask dilated
and blurred with radius and sigma scaled by the size ratio; results go to <ref>_out_<H>x<W>/.
"""

import argparse
from dataclasses import make_dataclass
from pathlib import Path

from ..apps import injection, references, upscale
from ..io import paths
from ..io.images import save_image
from ..io.outputs import record_input
from ..options import boolean, one_of, option, optional, text
from . import program as cli
from .flags import InputName, ModelFolder, OutSize


def options(mode: str, ref_dir: str, ref_help: str) -> type:
    """The options of the command `mode` (harmonization, editing): --ref_dir, --ref_name, --<mode>_start_scale,
    --overwrite."""
    return make_dataclass(f"{mode.capitalize()}Options", [
        ("ref_dir", str, option(ref_dir, f"folder of the {ref_help} and its mask", text())),
        ("ref_name", str, option(None, f"{ref_help} name", text(), required=True)),
        (f"{mode}_start_scale", int | None, option(None, "injection scale, 1 .. number of scales - 1 (default: 2 "
                                                         "below the finest)", optional(injection.INJECTION_SCALE))),
        ("overwrite", bool, option(False, "replace existing results", boolean())),
        ("mode", str, option(mode, "the command", one_of(mode), hidden=True, choices=True)),
    ])


def get_parser(description: str, mode: str, ref_dir: str, ref_help: str) -> cli.ArgumentParser:
    """The command's parser: its options, --out_size and the model's folder flags."""
    return cli.parser(description).add(InputName).add(options(mode, ref_dir, ref_help)).add(OutSize).add(ModelFolder)


def main(args: argparse.Namespace, folder: str, radius: int, keep_generated: bool) -> Path:
    """Inject the reference at `--<mode>_start_scale`, paste through the mask dilated by `radius`;
    writes start_scale=<n>_masked.png (or start_scale=<n>.png without `keep_generated`); returns it."""
    # Device, seed, trained model, start scale:
    device = cli.device_from_args(args)
    model_file = cli.trained_model(args)
    cli.seed_everything(args.manualSeed)
    model = references.load_trained(model_file, args.input_name, device)
    scale_flag = f"{args.mode}_start_scale"
    n = injection.injection_scale(model, getattr(args, scale_flag), scale_flag)

    # Step: the training image as trained, the reference and its mask at that size; the outputs checked:
    image = Path(args.input_dir) / args.input_name
    real = references.training_image(image, model)
    ref, mask = references.load_reference(args.ref_dir, args.ref_name, tuple(real.shape[-2:]), with_mask=True,
                                    nc_im=model.config.nc_im, device=device, mask_from=image)
    size = upscale.out_size_from_args(args)
    if size is not None:  # the size and the memory, before the reference is read at that size
        start = tuple(real.shape[-2:])
        size = upscale.keep_model_aspect(args.out_size, size, start, Path(args.input_dir) / args.input_name)
        ref_size = upscale.image_size(Path(args.ref_dir) / args.ref_name)
        injection.check_full_size(model, start, size, ref_size, args.upscaler)
    full = None if size is None else references.load_reference(args.ref_dir, args.ref_name, size, with_mask=True,
                                                         nc_im=model.config.nc_im, device=device, mask_from=image,
                                                         announce=False)
    out = paths.sized(paths.application_dir(args.out, folder, args.input_name, args.ref_name, model_file=model_file),
                      size)
    generated_png = out / f"start_scale={n}.png"
    blended_png = out / f"start_scale={n}_masked.png" if keep_generated else generated_png
    cli.refuse_existing([generated_png, blended_png] if keep_generated else [blended_png], args.overwrite)

    # Step: inject at scale n, paste through the dilated mask, save:
    generated, blended = injection.masked_injection(model, real, ref, mask, n, radius,
                                               mask_png=out / f"{Path(args.ref_name).stem}_mask_dilated.png",
                                               full=full, upscaler=args.upscaler)
    if keep_generated:
        save_image(generated_png, generated)
    save_image(blended_png, blended)
    for png in {generated_png, blended_png}:  # (one file without keep_generated)
        record_input(png, Path(args.ref_dir) / args.ref_name)
    return blended_png
