"""Train SinGAN on one image, then write 50 random samples.

    python main_train.py --input_name balloons.png
    python main_train.py --input_dir my/images --input_name photo.jpg --niter 1000 --not_cuda
    python main_train.py --input_name balloons.png --resume      # continue an interrupted run

Writes TrainedModels/<name>/scale_factor=0.750000,alpha=10/model.pt (one file, saved after
every scale and every few minutes), per-scale previews in <that folder>/<scale>/ (real_scale.png,
fake_sample.png, G(z_opt).png, losses.png) and Output/RandomSamples/<name>/<model>/gen_start_scale=0/*.png.
"""

from pathlib import Path

from singan import TrainConfig, cli, paths, train_image
from singan.config import add_config_args
from singan.images import save_images
from singan.sampling import generate


def main(args):
    # Device, seed and config:
    device = cli.device_from_args(args)
    args.manualSeed = cli.seed_everything(args.manualSeed)
    args.nc_z = args.nc_im if args.nc_z is None else args.nc_z
    config = TrainConfig.from_args(args)
    model_file = paths.trained_model_file(args.input_name, args.scale_factor, args.alpha, args.mode,
                                          root=args.models_dir)

    # Train (refuses to replace a finished model unless --overwrite):
    model = train_image(Path(args.input_dir) / args.input_name, config, model_file, device,
                        resume=args.resume, overwrite=args.overwrite, save_every=args.save_every)
    print(f"trained model: {model_file}")

    # Random samples, as the original does after training:
    if args.num_samples > 0:
        out = paths.random_samples_dir(args.out, args.input_name, 0, model_file=model_file)
        save_images(out, generate(model, args.num_samples, batch_size=args.batch_size))
        print(f"{args.num_samples} random samples: {out}")


def get_parser():
    p = cli.parser("Train SinGAN on a single image.")
    p.add_argument("--input_name", required=True, help="input image name (in --input_dir)")
    p.add_argument("--mode", default="train", choices=["train", "animation_train"], help="task to be done")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace an existing trained model")
    p.add_argument("--save_every", type=float, default=300.0, help="seconds between mid-scale checkpoints")
    p.add_argument("--num_samples", type=int, default=50, help="random samples written after training")
    p.add_argument("--batch_size", type=int, default=None, help="samples per forward pass (default: all)")
    add_config_args(p)
    p.set_defaults(nc_z=None)
    return p


if __name__ == "__main__":
    cli.run(main, get_parser())
