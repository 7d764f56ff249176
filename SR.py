"""Super-resolution: upsample an image by --sr_factor with a SinGAN trained on it alone.

    python SR.py                                        # input/images/33039_LR.png, x4
    python SR.py --input_name photo.png --sr_factor 2 --not_cuda

Trains the SR model when it does not exist yet, as the original: scale factor 1/in_scale (for
x4: 6 steps of 4^(1/6), folder TrainedModels/<name>/scale_factor=0.793701,alpha=100), reconstruction
weight --alpha 100, --min_size 18 and the original's SR pyramid geometry. Then repeats the finest
generator on successively upsampled images and writes Output/SR/<sr_factor>/<model>/<name>_HR.png
(sr_factor times the finest training size).
"""

from pathlib import Path

from singan import TrainConfig, cli, load, paths, train_image
from singan import applications as apps
from singan.config import add_config_args
from singan.images import save_image


def main(args):
    # Device, seed, SR pyramid factor:
    device = cli.device_from_args(args)
    args.manualSeed = cli.seed_everything(args.manualSeed)
    in_scale, iter_num = apps.sr_chain(args.sr_factor)
    args.scale_factor, args.mode = 1 / in_scale, "train"  # the original trains SR models in mode 'train'
    config = TrainConfig.from_args(args)
    model_file = paths.trained_model_file(args.input_name, config.scale_factor, config.alpha, root=args.models_dir)

    # Step: load the SR model, or train it on the low-resolution image:
    if model_file.is_file():
        model = load(model_file, device)
    else:
        print(f"no SR model at {model_file}: training one")
        model = train_image(Path(args.input_dir) / args.input_name, config, model_file, device,
                            geometry_fn=apps.sr_geometry_fn(config))

    # Step: iter_num steps of x in_scale with the finest generator, crop, save:
    hr = apps.super_resolve(model, args.sr_factor)
    out = paths.sr_dir(args.out, args.sr_factor, model_file=model_file) / f"{paths.image_stem(args.input_name)}_HR.png"
    save_image(out, hr)
    print(f"{iter_num} steps of x{in_scale:.6f}: {hr.shape[2]}x{hr.shape[3]} image in {out}")


def get_parser():
    p = cli.parser("Super-resolution with SinGAN.")
    p.add_argument("--input_name", default="33039_LR.png", help="low-resolution image name")
    p.add_argument("--sr_factor", type=float, default=4.0, help="upsampling factor")
    p.add_argument("--mode", default="SR", help="task to be done (kept for compatibility)")
    add_config_args(p)
    p.set_defaults(alpha=100.0, min_size=18)  # what the original forces for SR
    return p


if __name__ == "__main__":
    cli.run(main, get_parser())
