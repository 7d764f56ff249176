"""The flags several commands share, declared with plain argparse (explicit type, visible default).

Each function also notes the allowed values of its flags (`parser.rules`: the rule texts the API
checks them by) for docs/cli.md. The flags are checked where they are used, once: by the API.
"""

import argparse

from ..apps.upscale import OUT_SIZE_HELP, OUT_SIZE_RULE, UPSCALER_HELP, UPSCALERS
from ..core.config import PRESETS, SEED, Rule, TrainConfig

ORIGINAL = "SinGAN hyperparameters (defaults of the original)"
PAPER = "the paper's semantics instead of the original code's (change results)"
SPEED = "speed (not in the original)"
DEFAULT = TrainConfig()


def note_rules(p: argparse.ArgumentParser, rules: dict[str, Rule]) -> None:
    """Record what `rules` allow for the flags of those names (docs/cli.md's 'allowed' column)."""
    p.rules = {**getattr(p, "rules", {}), **{name: rule.text for name, rule in rules.items()}}


def add_run_flags(p: argparse.ArgumentParser, *, input_dir: str | None = "input/images", out: str | None = "Output",
                  models_dir: str | None = "TrainedModels", seed: int | None = None, seed_flag: bool = True) -> None:
    """The runtime flags, with the command's defaults (`seed_flag=False`: no --manualSeed nor --out, as the studio)."""
    p.add_argument("--input_dir", type=str, default=input_dir, help="folder of the training image")
    p.add_argument("--not_cuda", action="store_true", help="disables cuda (same as --device cpu)")
    p.add_argument("--device", type=str, default="auto",
                   help="'auto' (CUDA when present), 'cpu', 'cuda', 'cuda:1', ...")
    if seed_flag:
        p.add_argument("--manualSeed", "--seed", type=int, default=seed,
                       help="random seed" + ("" if seed is not None else " (default: drawn at random)"))
        p.add_argument("--out", type=str, default=out, help="output folder")
        note_rules(p, {"manualSeed": SEED})
    p.add_argument("--models_dir", type=str, default=models_dir, help="root folder of trained models")


def add_model_folder_flags(p: argparse.ArgumentParser) -> None:
    """--scale_factor and --alpha of a command that only loads a model: they name its folder."""
    p.add_argument("--scale_factor", type=float, default=DEFAULT.scale_factor,
                   help="as in training (names the model folder)")
    p.add_argument("--alpha", type=float, default=DEFAULT.alpha, help="as in training (names the model folder)")
    note_rules(p, {name: TrainConfig.RULES[name] for name in ("scale_factor", "alpha")})


def add_out_size_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out_size", type=str, default="train", help=OUT_SIZE_HELP)
    p.add_argument("--upscaler", type=str, default="patches", choices=UPSCALERS, help=UPSCALER_HELP)
    note_rules(p, {"out_size": OUT_SIZE_RULE})


def add_training_flags(p: argparse.ArgumentParser, exclude: tuple[str, ...] = (), *, min_size: int = DEFAULT.min_size,
                       alpha: float = DEFAULT.alpha) -> None:
    """The training flags (`TrainConfig`, the original's names and defaults, but the command's --min_size and
    --alpha; less `exclude`) and --preset."""
    original, paper, speed = (p.add_argument_group(title) for title in (ORIGINAL, PAPER, SPEED))
    d = DEFAULT
    flags = [  # (name, type, default, help): the original's, explicit
        ("nc_im", int, d.nc_im, "image channels (1 trains a grayscale model)"),
        ("nc_z", int, None, "noise channels (must equal --nc_im; default: --nc_im)"),
        ("nfc", int, d.nfc, "base width of the convolutions (doubled every 4 scales, at most 128)"),
        ("min_nfc", int, d.min_nfc, "minimum width of the convolutions"),
        ("ker_size", int, d.ker_size, "kernel size (odd)"),
        ("num_layer", int, d.num_layer, "convolutions per generator and discriminator"),
        ("stride", int, d.stride, "convolution stride (only 1 is supported; kept for compatibility)"),
        ("padd_size", int, d.padd_size, "convolution padding (only 0 is supported; kept for compatibility)"),
        ("scale_factor", float, d.scale_factor, "initial pyramid scale factor in (0, 1); the pyramid recomputes it "
                                                "to fit the image exactly"),
        ("noise_amp", float, d.noise_amp, "noise amplitude multiplier"),
        ("min_size", int, min_size, "image side at the coarsest scale"),
        ("max_size", int, d.max_size, "largest image side at the finest scale (larger images are resized)"),
        ("niter", int, d.niter, "iterations per scale"),
        ("gamma", float, d.gamma, "learning-rate decay factor at --lr_milestone"),
        ("lr_milestone", int, d.lr_milestone, "iteration at which the learning rates drop by --gamma"),
        ("lr_g", float, d.lr_g, "learning rate of the generator"),
        ("lr_d", float, d.lr_d, "learning rate of the discriminator"),
        ("beta1", float, d.beta1, "Adam beta1"),
        ("Gsteps", int, d.Gsteps, "generator steps per iteration"),
        ("Dsteps", int, d.Dsteps, "discriminator steps per iteration"),
        ("lambda_grad", float, d.lambda_grad, "gradient-penalty weight"),
        ("alpha", float, alpha, "reconstruction-loss weight"),
    ]
    for name, kind, default, help in flags:
        if name not in exclude:
            original.add_argument(f"--{name}", type=kind, default=default, help=help)
    paper.add_argument("--fixed_z_opt", action="store_true", help="draw the coarsest reconstruction noise z* once "
                                                                  "(the original redraws it every iteration)")
    paper.add_argument("--fresh_fake", action="store_true", help="a fresh fake for every G step (the original's G "
                                                                 "steps reuse the last D step's fake)")
    speed.add_argument("--contiguous_real", action="store_true", help="train on the real image in NCHW memory, not "
                       "the original's layout: on the CPU the finest scale of an image that needs no resizing trains "
                       "about 1.4x faster (other float rounding)")
    speed.add_argument("--amp", type=str, default=d.amp, choices=["off", "bf16"], help="bfloat16 autocast of "
                       "the G and D passes (meant for CUDA; on the CPU it is applied too, usually no faster); slightly "
                       "changes results")
    speed.add_argument("--no_cuda_graph", dest="cuda_graph", action="store_false", help="on CUDA, launch every kernel "
                       "from Python instead of replaying each iteration as a CUDA graph")
    speed.add_argument("--preset", type=str, default="default", choices=list(PRESETS), help="named defaults: 'fast' = "
                       "--niter 500 --lr_milestone 400 (about 4x quicker); 'quick' = --max_size 80 --niter 200 "
                       "--lr_milestone 160 (minutes on a CPU)")
    note_rules(p, {name: rule for name, rule in TrainConfig.RULES.items() if name not in exclude})


def train_config(args: argparse.Namespace, **overrides) -> TrainConfig:
    """The TrainConfig of the parsed training flags (settings without a flag keep their default), plus `overrides`."""
    names = [name for name in TrainConfig.RULES if hasattr(args, name)]
    return TrainConfig(**{**{name: getattr(args, name) for name in names}, **overrides})
