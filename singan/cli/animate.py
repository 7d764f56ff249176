"""Animation: GIFs of a trained image coming to life (`python animation.py` or `singan-animate`).

    python animation.py --input_name balloons.png --start_scale 1 --beta 0.9 --num_frames 60 --mp4

Trains the animation model when it does not exist yet, as the original (noise padding, --min_size 20),
then writes one GIF per start scale the model has and beta (the defaults: the parser's description) of the
noise walk `singan.apps.animation` makes (weight --alpha_animation on the reconstruction noise, momentum
beta). --out_size upscales every frame with the finest generator, the upscaling noise drawn once for all frames.
"""

import argparse
from pathlib import Path

from ..api import BATCH_SIZE, device_of, load, planned_model, train_image
from ..apps import animation
from ..errors import SinGANError
from ..io import paths
from ..io.checkpoint import check_existing
from . import flags
from . import program as cli


def main(args):
    # Step: the config and what to write, checked before any work:
    if args.mp4 and not animation.mp4_available():
        raise SinGANError("--mp4 needs imageio's ffmpeg plugin (pip install imageio[ffmpeg])")
    config = flags.train_config(args, mode="animation_train").validate()
    given = {name: getattr(args, name) for name in ("beta", "start_scale") if getattr(args, name) is not None}
    animation.check_settings(alpha_animation=args.alpha_animation, num_frames=args.num_frames,
                             batch_size=args.batch_size, fps=args.fps, **given)
    betas = animation.ANIMATION_BETAS if args.beta is None else [args.beta]
    starts = animation.ANIMATION_START_SCALES if args.start_scale is None else [args.start_scale]
    model_file = paths.trained_model_file(args.input_name, config.scale_factor, config.alpha, "animation_train",
                                          root=args.models_dir)
    device = device_of(cli.device_name(args))

    # Step: the model as it is (when its settings are those asked for) or as training will make it; against it
    # --start_scale and --out_size (all frames in memory); the GIFs to write:
    image = Path(args.input_dir) / args.input_name
    reuse = model_file.is_file() and not args.resume and check_existing(
        model_file, config, args.overwrite, seed_given=args.manualSeed is not None)
    model = load(model_file, device) if reuse else None
    planned = model or (planned_model(image, config, model_file if args.resume else None, device=device)
                        if args.out_size != "train" or args.start_scale is not None else None)
    if args.start_scale is not None:  # the scales of the model, trained or planned
        num_scales = planned.num_trained or len(planned.reals)
        if args.start_scale >= num_scales:
            raise SinGANError(f"--start_scale {args.start_scale}: must be between 0 and {num_scales - 1} "
                              f"for this model ({num_scales} scales)")
    target = None if args.out_size == "train" else animation.check_upscaled_frames(
        planned, args.out_size, args.num_frames, args.upscaler, image, "--out_size")
    gifs = {(s, b): paths.sized(paths.animation_file(args.out, args.input_name, s, args.alpha_animation, b,
                                                     model_file=model_file), target and target.size, file=True)
            for s in starts for b in betas}
    cli.refuse_existing(list(gifs.values()), args.overwrite or args.resume)  # --resume completes the set

    # Step: seeded as the original (which seeds at start-up, trained or not: the same seed, the same frames; a
    # resumed run restores its saved random state), train (or resume) the animation model unless it was loaded:
    config.manualSeed = cli.seed_everything(args.manualSeed, announce=not args.resume)
    cli.watch_resumable(args, model_file, *gifs.values())
    if not reuse:
        model = train_image(image, config, model_file, device, resume=args.resume,
                            overwrite=model_file.is_file() and not args.resume, previews=True)

    # Step: frames of every (start scale, beta) pair the model has, saved as GIF (and MP4):
    for (s, beta), path in gifs.items():
        if s < model.num_trained and not (args.resume and not args.overwrite and path.exists()):
            frames = animation.animate_model(model, args.alpha_animation, beta, s, args.num_frames, args.batch_size,
                                             target)
            frames = frames.repeat(3, axis=-1) if frames.shape[-1] == 1 else frames  # grey GIFs as RGB (like PNGs)
            animation.save_animation(path, frames, args.fps)
            if args.mp4:
                animation.save_animation(path.with_suffix(".mp4"), frames, args.fps)
            print(f"{len(frames)} frames: {path}")


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Animate a single image with SinGAN. Without --beta or --start_scale, one GIF for each of "
                   "the original's betas (0.80, 0.85, 0.90, 0.95) and start scales (0, 1, 2).")
    p.add_argument("--input_name", type=str, required=True, help="training image name")
    p.add_argument("--mp4", action="store_true", help="also write an MP4 next to every GIF")
    p.add_argument("--resume", action="store_true", help="continue an interrupted training of the animation model")
    p.add_argument("--overwrite", action="store_true", help="replace existing GIFs")
    p.add_argument("--mode", type=str, default="animation", choices=["animation"], help=argparse.SUPPRESS)
    p.add_argument("--alpha_animation", type=float, default=0.1, help="weight of the reconstruction noise, in [0, 1]")
    p.add_argument("--beta", type=float, default=None, help="walk momentum in [0, 1]")
    p.add_argument("--start_scale", type=int, default=None, help="first animated scale")
    p.add_argument("--num_frames", type=int, default=100, help="frames per GIF")
    p.add_argument("--batch_size", type=int, default=None, help="frames per forward pass (default: all)")
    p.add_argument("--fps", type=float, default=10.0, help="frames per second")
    flags.note_rules(p, {**animation.RULES, "batch_size": BATCH_SIZE})
    flags.add_out_size_flags(p)
    flags.add_training_flags(p, min_size=20)  # what the original uses for animation (shown by --help)
    return p
