"""Training configuration: plain data, with the original's flag names and defaults.

`TrainConfig` holds every hyperparameter of the 2019 code under the same name as its command-line
flag, each declared once (`singan.options.option`: default, help, rule, flag group), from which the
commands' flags, the checks of the Python API and of the command line, and docs/cli.md come. The
config is stored verbatim in every checkpoint (as a dict), so a trained model knows how it was made.
`TrainConfig.validate` checks every value and the rules between them with a one-line `SinGANError`
naming the flag. `PRESETS` are named sets of defaults (`--preset fast`); flags given explicitly win.
"""

import argparse
import dataclasses
from dataclasses import dataclass

from ..errors import flag_error
from ..options import Rule, between, boolean, check, from_args, is_int, one_of, option

ORIGINAL = "SinGAN hyperparameters (defaults of the original)"
PAPER = "the paper's semantics instead of the original code's (change results)"
SPEED = "speed (not in the original)"

# Loss weights and the noise multiplier scale float32 arithmetic: up to these bounds the first iteration's
# products stay finite (tests/test_bad_inputs.py trains at each bound); past them a loss can overflow.
MAX_WEIGHT = 1e6  # --alpha, --lambda_grad
MAX_NOISE_AMP = 1e3  # --noise_amp
SEED = Rule(lambda x: x is None or (is_int(x) and 0 <= x < 2**32), "an integer in [0, 2**32)")
SIZE = between(1, 100000, integer=True)
WIDTH = between(1, 1024, integer=True)
ITERATIONS = between(1, 10**7, integer=True)
STEPS = between(1, 1000, integer=True)
RATE = between(0, 1, open_lo=True)


@dataclass
class TrainConfig:
    # Networks:
    nc_im: int = option(3, "image channels (1 trains a grayscale model)", one_of(1, 3), group=ORIGINAL)
    nc_z: int | None = option(None, "noise channels (must equal --nc_im; default: --nc_im)",
                              Rule(lambda x: x is None or one_of(1, 3)(x), "1 or 3 (equal to --nc_im)"),
                              group=ORIGINAL, type=int)
    nfc: int = option(32, "base width of the convolutions (doubled every 4 scales, at most 128)", WIDTH,
                      group=ORIGINAL)
    min_nfc: int = option(32, "minimum width of the convolutions", WIDTH, group=ORIGINAL)
    ker_size: int = option(3, "kernel size (odd)", one_of(1, 3, 5, 7, 9, 11), group=ORIGINAL)
    num_layer: int = option(5, "convolutions per generator and discriminator", between(2, 20, integer=True),
                            group=ORIGINAL)
    stride: int = option(1, "convolution stride (only 1 is supported; kept for compatibility)", one_of(1),
                         group=ORIGINAL)
    padd_size: int = option(0, "convolution padding (only 0 is supported; kept for compatibility)", one_of(0),
                            group=ORIGINAL)
    # Pyramid:
    scale_factor: float = option(0.75, "initial pyramid scale factor in (0, 1); the pyramid recomputes it to fit "
                                       "the image exactly", between(0, 1, open_lo=True, open_hi=True), group=ORIGINAL)
    noise_amp: float = option(0.1, "noise amplitude multiplier", between(0, MAX_NOISE_AMP), group=ORIGINAL)
    min_size: int = option(25, "image side at the coarsest scale", SIZE, group=ORIGINAL)
    max_size: int = option(250, "largest image side at the finest scale (larger images are resized)", SIZE,
                           group=ORIGINAL)
    # Optimisation:
    niter: int = option(2000, "iterations per scale", ITERATIONS, group=ORIGINAL)
    gamma: float = option(0.1, "learning-rate decay factor at --lr_milestone", RATE, group=ORIGINAL)
    lr_milestone: int = option(1600, "iteration at which the learning rates drop by --gamma",
                               between(0, 10**7, integer=True), group=ORIGINAL)
    lr_g: float = option(0.0005, "learning rate of the generator", RATE, group=ORIGINAL)
    lr_d: float = option(0.0005, "learning rate of the discriminator", RATE, group=ORIGINAL)
    beta1: float = option(0.5, "Adam beta1", between(0, 1, open_hi=True), group=ORIGINAL)
    Gsteps: int = option(3, "generator steps per iteration", STEPS, group=ORIGINAL)
    Dsteps: int = option(3, "discriminator steps per iteration", STEPS, group=ORIGINAL)
    lambda_grad: float = option(0.1, "gradient-penalty weight", between(0, MAX_WEIGHT), group=ORIGINAL)
    alpha: float = option(10.0, "reconstruction-loss weight", between(0, MAX_WEIGHT), group=ORIGINAL)
    # Variants (the commands set the mode):
    mode: str = option("train", "'train', 'animation_train' (noise padding) or 'paint_train'",
                       one_of("train", "animation_train", "paint_train"), cli=False)
    fixed_z_opt: bool = option(False, "draw the coarsest reconstruction noise z* once (the original redraws it "
                                      "every iteration)", boolean(), group=PAPER)
    fresh_fake: bool = option(False, "a fresh fake for every G step (the original's G steps reuse the last D "
                                     "step's fake)", boolean(), group=PAPER)
    manualSeed: int | None = option(None, "random seed (default: drawn at random)", SEED, cli=False)
    # Speed (not in the original):
    contiguous_real: bool = option(False, "train on the real image in NCHW memory, not the original's layout: on "
                                          "the CPU the finest scale of an image that needs no resizing trains "
                                          "about 1.4x faster (other float rounding)", boolean(), group=SPEED)
    amp: str = option("off", "bfloat16 autocast of the G and D passes (meant for CUDA; on the CPU it is applied too, "
                             "usually no faster); slightly changes results", one_of("off", "bf16"), group=SPEED,
                      choices=True)
    cuda_graph: bool = option(True, "on CUDA, launch every kernel from Python instead of replaying each iteration "
                                    "as a CUDA graph", boolean(), group=SPEED, flag="no_cuda_graph",
                              action="store_false", dest="cuda_graph")

    def __post_init__(self) -> None:
        if self.nc_z is None:
            self.nc_z = self.nc_im

    def validate(self) -> "TrainConfig":
        """Raise a one-line SinGANError naming the first unsupported value (flag name, value, what is allowed)."""
        check(self)
        for ok, message in _combinations(self):
            if not ok:
                raise flag_error(message)
        return self

    @property
    def pad(self) -> int:
        """Zero padding that keeps the output size: ((ker_size - 1) * num_layer) / 2 = 5."""
        return (self.ker_size - 1) * self.num_layer // 2

    @property
    def receptive_field(self) -> int:
        """Pixels the discriminator's valid convolutions need: the smallest --min_size, 11 by default."""
        return self.num_layer * (self.ker_size - 1) + 1

    @property
    def noise_padding(self) -> bool:
        """Animation models draw noise at the padded size instead of zero-padding it."""
        return self.mode == "animation_train"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def from_args(cls, args: argparse.Namespace, **overrides) -> "TrainConfig":
        """The config of the parsed flags (fields without a flag keep their default), plus `overrides`."""
        return from_args(cls, args, **overrides)


def _combinations(c: TrainConfig) -> list[tuple[bool, str]]:
    """Rules between flags: (holds, message when it does not)."""
    receptive = c.receptive_field
    return [
        (c.nc_z == c.nc_im, f"--nc_z {c.nc_z}: must equal --nc_im {c.nc_im} (leave --nc_z out to follow --nc_im)"),
        (c.min_nfc <= c.nfc, f"--min_nfc {c.min_nfc}: must be at most --nfc {c.nfc} (the first convolution's width)"),
        (c.max_size >= c.min_size, f"--max_size {c.max_size}: must be at least --min_size {c.min_size}"),
        (c.min_size >= receptive, f"--min_size {c.min_size}: must be at least {receptive} for --num_layer "
                                  f"{c.num_layer} and --ker_size {c.ker_size} (the discriminator's receptive field)"),
    ]


# Named defaults. 'fast' trains 4x fewer iterations per scale, with the learning-rate drop at the
# same fraction of training (0.8) as the original's 1600 of 2000; 'quick' also trains a small image
# (80 px, about 6 scales) for 200 iterations per scale, to see something within minutes on a CPU.
# See docs/performance.md for their quality.
PRESETS: dict[str, dict] = {
    "default": {},
    "fast": {"niter": 500, "lr_milestone": 400},
    "quick": {"max_size": 80, "niter": 200, "lr_milestone": 160},
}
