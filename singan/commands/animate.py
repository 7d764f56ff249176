"""Animation: GIFs of a trained image coming to life (noise walking around the reconstruction)
(`python animation.py` or `singan-animate`).

    python animation.py --input_name lightning1.png
    python animation.py --input_name balloons.png --start_scale 1 --beta 0.9 --num_frames 60 --mp4

Trains the animation model when it does not exist yet, as the original (noise padding, --min_size 20;
TrainedModels/<name>/scale_factor=0.750000_noise_padding), then writes one GIF per start scale
(default 0, 1, 2, those the model has) and beta (default 0.80, 0.85, 0.90, 0.95) to
Output/Animation/<name>/start_scale=<s>/alpha=<alpha>_beta=<beta>.gif. Scales below the start
scale keep the reconstruction; above, the noise follows a damped random walk (weight
--alpha_animation on the reconstruction noise, momentum beta). All frames of a scale run in one
forward pass (--batch_size caps it). --mp4 also writes an MP4 (needs imageio's ffmpeg plugin).
"""

from pathlib import Path

from .. import SinGANError, TrainConfig, cli, load, paths, stale, train_image
from .. import applications as apps
from ..config import add_config_args


def main(args):
    # Step: the config and what to write, checked before any work:
    if args.mp4 and not apps.mp4_available():
        raise SinGANError("--mp4 needs imageio's ffmpeg plugin (pip install imageio[ffmpeg])")
    config = TrainConfig.from_args(args, mode="animation_train").validate()
    betas = apps.ANIMATION_BETAS if args.beta is None else [args.beta]
    starts = apps.ANIMATION_START_SCALES if args.start_scale is None else [args.start_scale]
    model_file = paths.trained_model_file(args.input_name, config.scale_factor, config.alpha, "animation_train",
                                          root=args.models_dir)
    gifs = {(s, b): paths.animation_file(args.out, args.input_name, s, args.alpha_animation, b, model_file=model_file)
            for s in starts for b in betas}
    cli.refuse_existing(list(gifs.values()), args.overwrite)
    device = cli.device_from_args(args)

    # Step: load the animation model, or train (or resume) it with noise padding:
    reuse = model_file.is_file() and not args.resume and stale.check_existing(
        model_file, config, args.overwrite, seed_given=args.manualSeed is not None)
    if reuse:
        model = load(model_file, device)
    else:
        config.manualSeed = cli.seed_everything(args.manualSeed, announce=not args.resume)
        model = train_image(Path(args.input_dir) / args.input_name, config, model_file, device, resume=args.resume,
                            overwrite=model_file.is_file() and not args.resume)
    if args.start_scale is not None and args.start_scale >= model.num_trained:
        raise SinGANError(f"--start_scale {args.start_scale}: must be between 0 and {model.num_trained - 1} "
                          f"for this model ({model.num_trained} scales)")

    # Step: frames of every (start scale, beta) pair the model has, saved as GIF (and MP4):
    for (s, beta), path in gifs.items():
        if s < model.num_trained:
            frames = apps.animate(model, alpha=args.alpha_animation, beta=beta, start_scale=s,
                                  num_frames=args.num_frames, batch_size=args.batch_size)
            frames = frames.repeat(3, axis=-1) if frames.shape[-1] == 1 else frames  # grey GIFs as RGB (like PNGs)
            apps.save_animation(path, frames, args.fps)
            if args.mp4:
                apps.save_animation(path.with_suffix(".mp4"), frames, args.fps)
            print(f"{len(frames)} frames: {path}")


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Animate a single image with SinGAN.")
    p.add_argument("--input_name", required=True, help="training image name")
    p.add_argument("--alpha_animation", type=float, default=0.1, help="weight of the reconstruction noise, in [0, 1]")
    p.add_argument("--beta", type=float, default=None, help="walk momentum in [0, 1] (default: 0.80, 0.85, 0.90, 0.95)")
    p.add_argument("--start_scale", type=int, default=None, help="first animated scale (default: 0, 1, 2)")
    p.add_argument("--num_frames", type=int, default=100, help="frames per GIF")
    p.add_argument("--fps", type=float, default=10, help="frames per second")
    p.add_argument("--mp4", action="store_true", help="also write an MP4 next to every GIF")
    p.add_argument("--batch_size", type=int, default=None, help="frames per forward pass (default: all)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted training of the animation model")
    p.add_argument("--overwrite", action="store_true", help="replace existing GIFs")
    p.add_argument("--mode", default="animation", choices=["animation"], help=cli.SUPPRESS)
    add_config_args(p)
    p.set_defaults(min_size=20)  # what the original uses for animation (shown by --help)
    return p


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
