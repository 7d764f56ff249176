"""Training configuration: plain data, with the original's flag names and defaults.

`TrainConfig` holds every hyperparameter of the 2019 code under the same name
as its command-line flag; `add_config_args` declares those flags for argparse
and `TrainConfig.from_args` reads them back. The config is stored verbatim in
every checkpoint (as a dict), so a trained model knows how it was made.
`TrainConfig.validate` checks every value against what the code supports (the
scripts and the Python API call the same rules, `RULES`), so bad values fail at
once with a one-line `SinGANError` naming the flag. `PRESETS` are named sets of
defaults (`--preset fast`); flags given explicitly win.
"""

import argparse
import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import SinGANError


@dataclass
class TrainConfig:
    # Networks:
    nc_z: int | None = None  # noise channels: must equal nc_im (None: nc_im)
    nc_im: int = 3  # image channels
    nfc: int = 32  # base conv width (doubled every 4 scales, at most 128)
    min_nfc: int = 32
    ker_size: int = 3
    num_layer: int = 5
    stride: int = 1
    padd_size: int = 0
    # Pyramid:
    scale_factor: float = 0.75  # initial factor; the pyramid recomputes it
    noise_amp: float = 0.1  # noise amplitude multiplier (noise_amp_init)
    min_size: int = 25
    max_size: int = 250
    # Optimisation:
    niter: int = 2000  # iterations (epochs) per scale
    gamma: float = 0.1  # learning-rate decay at lr_milestone
    lr_milestone: int = 1600
    lr_g: float = 0.0005
    lr_d: float = 0.0005
    beta1: float = 0.5
    Gsteps: int = 3
    Dsteps: int = 3
    lambda_grad: float = 0.1  # gradient-penalty weight
    alpha: float = 10.0  # reconstruction-loss weight
    # Variants:
    mode: str = "train"  # 'train', 'animation_train' (noise padding) or 'paint_train'
    fixed_z_opt: bool = False  # paper: one fixed z* at the coarsest scale (original: redrawn every iteration)
    fresh_fake: bool = False  # paper: a fresh fake for every G step (original: the last D step's, stale graph)
    manualSeed: int | None = None
    # Speed (not in the original):
    contiguous_real: bool = False  # train on the real image in NCHW memory (the original: its resize's layout)
    amp: str = "off"  # 'bf16': bfloat16 autocast of the G and D passes (meant for CUDA)
    cuda_graph: bool = True  # on CUDA, replay each training iteration as a CUDA graph

    def __post_init__(self) -> None:
        if self.nc_z is None:
            self.nc_z = self.nc_im

    def validate(self) -> "TrainConfig":
        """Raise a one-line SinGANError naming the first unsupported value (flag name, value, what is allowed)."""
        names = [f.name for f in dataclasses.fields(self)]
        for name in sorted(names, key=lambda n: n != "nc_im"):  # nc_im first: nc_z follows it
            check_value(name, getattr(self, name))
        for ok, message in _combinations(self):
            if not ok:
                raise SinGANError(message)
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
        values = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls) if hasattr(args, f.name)}
        return cls(**{**values, **overrides})


# ---------------------------------------------------------------- validation

Rule = tuple[Callable[[object], bool], str]


def _number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _is_int(x: object) -> bool:
    """An int, not a bool (2.0 is refused: a config stores what a checkpoint can be checked against)."""
    return isinstance(x, int) and not isinstance(x, bool)


def between(lo: float, hi: float, *, integer: bool = False, open_lo: bool = False, open_hi: bool = False) -> Rule:
    """A rule: a finite number (an integer if `integer`) in [lo, hi] (ends excluded when open)."""
    def ok(x: object) -> bool:
        if not _number(x) or (integer and not _is_int(x)):
            return False
        return (lo < x if open_lo else lo <= x) and (x < hi if open_hi else x <= hi)

    kind = "an integer" if integer else "a number"
    return ok, f"{kind} in {'(' if open_lo else '['}{lo:g}, {hi:g}{')' if open_hi else ']'}"


def one_of(*values: object) -> Rule:
    """A rule: one of `values`, of the same type (True is not 1)."""
    return (lambda x: any(x == v and type(x) is type(v) for v in values)), "one of " + ", ".join(map(str, values))


def boolean() -> Rule:
    return (lambda x: isinstance(x, bool)), "True or False"


# Loss weights and the noise multiplier scale float32 arithmetic: up to these bounds the first iteration's
# products stay finite (tests/test_bad_inputs.py trains at each bound); past them a loss can overflow.
MAX_WEIGHT = 1e6  # --alpha, --lambda_grad
MAX_NOISE_AMP = 1e3  # --noise_amp


INF = math.inf
RULES: dict[str, Rule] = {
    "nc_z": ((lambda x: x is None or one_of(1, 3)[0](x)), "1 or 3 (equal to --nc_im)"), "nc_im": one_of(1, 3),
    "nfc": between(1, 1024, integer=True), "min_nfc": between(1, 1024, integer=True),
    "ker_size": one_of(1, 3, 5, 7, 9, 11), "num_layer": between(2, 20, integer=True),
    "stride": one_of(1), "padd_size": one_of(0),
    "scale_factor": between(0, 1, open_lo=True, open_hi=True), "noise_amp": between(0, MAX_NOISE_AMP),
    "min_size": between(1, 100000, integer=True), "max_size": between(1, 100000, integer=True),
    "niter": between(1, 10**7, integer=True), "gamma": between(0, 1, open_lo=True),
    "lr_milestone": between(0, 10**7, integer=True),
    "lr_g": between(0, 1, open_lo=True), "lr_d": between(0, 1, open_lo=True),
    "beta1": between(0, 1, open_hi=True),
    "Gsteps": between(1, 1000, integer=True), "Dsteps": between(1, 1000, integer=True),
    "lambda_grad": between(0, MAX_WEIGHT), "alpha": between(0, MAX_WEIGHT),
    "mode": one_of("train", "animation_train", "paint_train"), "amp": one_of("off", "bf16"),
    "manualSeed": ((lambda x: x is None or (_is_int(x) and 0 <= x < 2**32)), "an integer in [0, 2**32)"),
    "fixed_z_opt": boolean(), "fresh_fake": boolean(), "contiguous_real": boolean(), "cuda_graph": boolean(),
}


def check_value(name: str, value: object, rules: dict[str, Rule] = RULES) -> None:
    """One-line SinGANError if `value` breaks the rule of the flag `name` (names without a rule pass)."""
    if name in rules and not rules[name][0](value):
        raise SinGANError(f"--{name} {value}: must be {rules[name][1]}")


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
# same fraction of training (0.8) as the original's 1600 of 2000; see docs/performance.md for its quality.
PRESETS: dict[str, dict] = {
    "default": {},
    "fast": {"niter": 500, "lr_milestone": 400},
}


def apply_preset(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> None:
    """Make the --preset named in argv set the parser's defaults, so explicit flags still win."""
    if parser.get_default("preset") is None:  # a parser without --preset
        return
    known, _ = parser.parse_known_args(argv)
    parser.set_defaults(**PRESETS[known.preset])


# Help text of every config flag, in --help order (None: declared elsewhere or not a flag).
FLAG_HELP: dict[str, str] = {
    "nc_im": "image channels (1 trains a grayscale model)",
    "nc_z": "noise channels (must equal --nc_im; default: --nc_im)",
    "nfc": "base width of the convolutions (doubled every 4 scales, at most 128)",
    "min_nfc": "minimum width of the convolutions",
    "ker_size": "kernel size (odd)",
    "num_layer": "convolutions per generator and discriminator",
    "stride": "convolution stride (only 1 is supported; kept for compatibility)",
    "padd_size": "convolution padding (only 0 is supported; kept for compatibility)",
    "scale_factor": "initial pyramid scale factor in (0, 1); the pyramid recomputes it to fit the image exactly",
    "noise_amp": "noise amplitude multiplier",
    "min_size": "image side at the coarsest scale",
    "max_size": "largest image side at the finest scale (larger images are resized)",
    "niter": "iterations per scale",
    "gamma": "learning-rate decay factor at --lr_milestone",
    "lr_milestone": "iteration at which the learning rates drop by --gamma",
    "lr_g": "learning rate of the generator",
    "lr_d": "learning rate of the discriminator",
    "beta1": "Adam beta1",
    "Gsteps": "generator steps per iteration",
    "Dsteps": "discriminator steps per iteration",
    "lambda_grad": "gradient-penalty weight",
    "alpha": "reconstruction-loss weight",
}


def add_config_args(parser: argparse.ArgumentParser, exclude: tuple[str, ...] = ()) -> None:
    """The original's training flags (same names and defaults), less those in `exclude`."""
    d = TrainConfig()
    g = parser.add_argument_group("SinGAN hyperparameters (defaults of the original)")
    for name, help_text in FLAG_HELP.items():
        if name not in exclude:
            default = getattr(d, name)
            kind = float if isinstance(default, float) else int
            g.add_argument(f"--{name}", type=kind, default=None if name == "nc_z" else default, help=help_text)
    g = parser.add_argument_group("the paper's semantics instead of the original code's (change results)")
    g.add_argument("--fixed_z_opt", action="store_true",
                   help="draw the coarsest reconstruction noise z* once (the original redraws it every iteration)")
    g.add_argument("--fresh_fake", action="store_true",
                   help="a fresh fake for every G step (the original's G steps reuse the last D step's fake)")
    g = parser.add_argument_group("speed (not in the original)")
    g.add_argument("--preset", default="default", choices=list(PRESETS),
                   help="named defaults: 'fast' = --niter 500 --lr_milestone 400 (about 4x quicker)")
    g.add_argument("--contiguous_real", action="store_true",
                   help="train on the real image in NCHW memory, not the original's layout: on the CPU the finest "
                        "scale of an image that needs no resizing trains about 1.4x faster (other float rounding)")
    g.add_argument("--amp", default=d.amp, choices=["off", "bf16"],
                   help="bfloat16 autocast of the G and D passes (meant for CUDA; on the CPU it is applied too, "
                        "usually no faster); slightly changes results")
    g.add_argument("--no_cuda_graph", dest="cuda_graph", action="store_false",
                   help="on CUDA, launch every kernel from Python instead of replaying each iteration as a CUDA graph")
