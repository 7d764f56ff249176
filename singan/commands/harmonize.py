"""Harmonization: blend a pasted object into a trained image's appearance
(`python harmonization.py` or `singan-harmonize`).

    python main_train.py --input_name starry_night.png
    python harmonization.py --input_name starry_night.png --ref_name starry_night_naive.png

Loads the model main_train.py wrote for --input_name (same --scale_factor/--alpha), reads the naive
paste <ref_dir>/<ref_name> and its mask <ref stem>_mask<ext>, injects the paste at
--harmonization_start_scale (1 .. number of scales - 1; default: 2 below the finest) and pastes the
result into the training image through the mask dilated by 7 pixels and blurred. Writes
Output/Harmonization/<name>/<ref>_out/start_scale=<n>.png and the dilated mask
<ref stem>_mask_dilated.png beside it. A reference of another size is resized to the training image's.
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
    n = cli.injection_scale(model.num_trained, args.harmonization_start_scale, "harmonization_start_scale")

    # Step: the training image as trained, the paste and its mask at that size; the output checked:
    real = apps.training_image(Path(args.input_dir) / args.input_name, model)
    ref, mask = apps.load_reference(args.ref_dir, args.ref_name, tuple(real.shape[-2:]), with_mask=True,
                                    nc_im=model.config.nc_im, device=device)
    out = paths.application_dir(args.out, "Harmonization", args.input_name, args.ref_name, model_file=model_file)
    cli.refuse_existing([out / f"start_scale={n}.png"], args.overwrite)

    # Step: inject at scale n, paste through the dilated mask, save:
    _, blended = apps.masked_injection(model, real, ref, mask, n, apps.HARMONIZATION_RADIUS,
                                       mask_png=out / f"{Path(args.ref_name).stem}_mask_dilated.png")
    save_image(out / f"start_scale={n}.png", blended)
    print(f"harmonized image: {out / f'start_scale={n}.png'}")


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Harmonize a pasted object with a trained SinGAN.")
    p.add_argument("--input_name", required=True, help="training image name")
    p.add_argument("--ref_dir", default="input/Harmonization", help="folder of the reference and its mask")
    p.add_argument("--ref_name", required=True, help="reference image (naive paste) name")
    p.add_argument("--harmonization_start_scale", type=int, default=None,
                   help="injection scale, 1 .. number of scales - 1 (default: 2 below the finest)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing result")
    p.add_argument("--mode", default="harmonization", choices=["harmonization"], help=cli.SUPPRESS)
    cli.add_model_flags(p)
    return p


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
