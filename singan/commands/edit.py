"""Editing: make a crude edit (copied/moved region) of a trained image look natural
(`python editing.py` or `singan-edit`).

    python main_train.py --input_name stone.png
    python editing.py --input_name stone.png --ref_name stone_edit.png --editing_start_scale 3

Loads the model main_train.py wrote for --input_name (same --scale_factor/--alpha), reads the
edited image <ref_dir>/<ref_name> and its mask <ref stem>_mask<ext>, injects the edit at
--editing_start_scale (1 .. number of scales - 1; default: 2 below the finest), and writes to
Output/Editing/<name>/<ref>_out/: start_scale=<n>.png (the generated image), start_scale=<n>_masked.png
(pasted into the training image through the mask dilated by 20 pixels and blurred) and
<ref stem>_mask_dilated.png. A reference of another size is resized to the training image's.
"""

from pathlib import Path

from .. import applications as apps
from .. import cli, paths
from ..images import save_image


def main(args):
    # Device, seed, trained model, start scale:
    device = cli.device_from_args(args)
    cli.seed_everything(args.manualSeed)
    model_file = paths.trained_model_file(args.input_name, args.scale_factor, args.alpha, root=args.models_dir)
    model = apps.load_trained(model_file, args.input_name, device)
    n = cli.injection_scale(model.num_trained, args.editing_start_scale, "editing_start_scale")

    # Step: the training image as trained, the edit and its mask at that size; the outputs checked:
    real = apps.training_image(Path(args.input_dir) / args.input_name, model)
    ref, mask = apps.load_reference(args.ref_dir, args.ref_name, tuple(real.shape[-2:]), with_mask=True,
                                    nc_im=model.config.nc_im, device=device)
    out = paths.application_dir(args.out, "Editing", args.input_name, args.ref_name, model_file=model_file)
    cli.refuse_existing([out / f"start_scale={n}.png", out / f"start_scale={n}_masked.png"], args.overwrite)

    # Step: inject at scale n, paste through the dilated mask, save both:
    generated, blended = apps.masked_injection(model, real, ref, mask, n, apps.EDITING_RADIUS,
                                               mask_png=out / f"{Path(args.ref_name).stem}_mask_dilated.png")
    save_image(out / f"start_scale={n}.png", generated)
    save_image(out / f"start_scale={n}_masked.png", blended)
    print(f"edited image: {out / f'start_scale={n}_masked.png'}")


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Edit a trained image with SinGAN.")
    p.add_argument("--input_name", required=True, help="training image name")
    p.add_argument("--ref_dir", default="input/Editing", help="folder of the edited image and its mask")
    p.add_argument("--ref_name", required=True, help="edited image name")
    p.add_argument("--editing_start_scale", type=int, default=None,
                   help="injection scale, 1 .. number of scales - 1 (default: 2 below the finest)")
    p.add_argument("--overwrite", action="store_true", help="replace existing results")
    p.add_argument("--mode", default="editing", choices=["editing"], help=cli.SUPPRESS)
    cli.add_model_flags(p)
    return p


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
