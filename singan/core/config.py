"""Training configuration: plain data, with the original's flag names and defaults, and its rules.

`TrainConfig` holds every hyperparameter of the 2019 code under the name of its command-line flag
(`singan.cli.flags.add_training_flags`), and is stored verbatim in every checkpoint, so a trained model
knows how it was made. `validate` checks each value against its `Rule` in `RULES` ("an integer in [1, 10]")
and the rules between values, with a one-line `SinGANError` naming the setting (the flag on the command
line); the package's other settings keep their rules beside the function that checks them (docs/cli.md
shows them). Numbers are finite and never bools (True is not 1). `PRESETS`: named defaults (`--preset fast`).
"""

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from ..errors import SinGANError, api_error, flag_error


@dataclass(frozen=True)
class Rule:
    """`test(value)` holds for the allowed values; `text` says which they are ("an integer in [1, 10]")."""

    test: Callable[[object], bool]
    text: str


def is_int(x: object) -> bool:
    """An int, not a bool (2.0 is refused: a stored config is checked against what it declares)."""
    return isinstance(x, int) and not isinstance(x, bool)


def between(lo: float, hi: float, *, integer: bool = False, open_lo: bool = False, open_hi: bool = False,
            optional: bool = False) -> Rule:
    """A finite number (an integer if `integer`) in [lo, hi] (ends excluded when open); None too if `optional`."""
    def test(x: object) -> bool:
        if optional and x is None:
            return True
        if not isinstance(x, int if integer else (int, float)) or isinstance(x, bool) or not math.isfinite(x):
            return False
        return (lo < x if open_lo else lo <= x) and (x < hi if open_hi else x <= hi)

    kind = "an integer" if integer else "a number"
    return Rule(test, f"{kind} in {'(' if open_lo else '['}{lo:g}, {hi:g}{')' if open_hi else ']'}")


def one_of(*values: object) -> Rule:
    """One of `values`, of the same type (True is not 1)."""
    return Rule(lambda x: any(type(x) is type(v) and x == v for v in values), "one of " + ", ".join(map(str, values)))


BOOLEAN = Rule(lambda x: isinstance(x, bool), "True or False")


def value_error(name: str, value: object, message: str) -> SinGANError:
    """A one-line SinGANError naming the setting: `name=2.5: ...` for the Python API, `--name 2.5: ...` on the CLI."""
    return api_error(f"{name}={value!r:.60}: {message}", f"--{name} {value}: {message}")


def check_value(name: str, value: object, rule: Rule) -> None:
    """A one-line SinGANError naming the setting, the value and the rule, unless `value` meets `rule`."""
    if not rule.test(value):
        raise value_error(name, value, f"must be {rule.text}")


def check_rules(settings: object, rules: dict[str, Rule]) -> None:
    """Every attribute of `settings` named in `rules` against its rule; the first failure is one line."""
    for name, rule in rules.items():
        check_value(name, getattr(settings, name), rule)


# Loss weights and the noise multiplier scale float32 arithmetic: up to these bounds the first iteration's
# products stay finite (tests/test_bad_inputs.py trains at each bound); past them a loss can overflow.
MAX_WEIGHT = 1e6  # --alpha, --lambda_grad
MAX_NOISE_AMP = 1e3  # --noise_amp
SEED = Rule(lambda x: x is None or (is_int(x) and 0 <= x < 2**32), "an integer in [0, 2**32)")
SIZE = between(1, 100000, integer=True)
WIDTH = between(1, 1024, integer=True)
STEPS = between(1, 1000, integer=True)
RATE = between(0, 1, open_lo=True)
WEIGHT = between(0, MAX_WEIGHT)


@dataclass
class TrainConfig:
    # Networks:
    nc_im: int = 3
    nc_z: int | None = None  # None: --nc_im
    nfc: int = 32
    min_nfc: int = 32
    ker_size: int = 3
    num_layer: int = 5
    stride: int = 1  # only 1 is supported, kept for compatibility
    padd_size: int = 0  # only 0 is supported, kept for compatibility
    # Pyramid:
    scale_factor: float = 0.75
    noise_amp: float = 0.1
    min_size: int = 25
    max_size: int = 250
    # Optimisation:
    niter: int = 2000
    gamma: float = 0.1
    lr_milestone: int = 1600
    lr_g: float = 0.0005
    lr_d: float = 0.0005
    beta1: float = 0.5
    Gsteps: int = 3
    Dsteps: int = 3
    lambda_grad: float = 0.1
    alpha: float = 10.0
    # Variants (the commands set the mode):
    mode: str = "train"  # 'train', 'animation_train' (noise padding) or 'paint_train'
    fixed_z_opt: bool = False
    fresh_fake: bool = False
    manualSeed: int | None = None
    # Speed (not in the original):
    contiguous_real: bool = False
    amp: str = "off"
    cuda_graph: bool = True  # --no_cuda_graph sets it False

    RULES: ClassVar[dict[str, Rule]] = {
        "nc_im": one_of(1, 3),
        "nc_z": Rule(lambda x: x is None or one_of(1, 3).test(x), "1 or 3 (equal to --nc_im)"),
        "nfc": WIDTH, "min_nfc": WIDTH, "ker_size": one_of(1, 3, 5, 7, 9, 11),
        "num_layer": between(2, 20, integer=True),
        "stride": one_of(1), "padd_size": one_of(0), "scale_factor": between(0, 1, open_lo=True, open_hi=True),
        "noise_amp": between(0, MAX_NOISE_AMP), "min_size": SIZE, "max_size": SIZE,
        "niter": between(1, 10**7, integer=True), "gamma": RATE, "lr_milestone": between(0, 10**7, integer=True),
        "lr_g": RATE, "lr_d": RATE, "beta1": between(0, 1, open_hi=True), "Gsteps": STEPS, "Dsteps": STEPS,
        "lambda_grad": WEIGHT, "alpha": WEIGHT, "mode": one_of("train", "animation_train", "paint_train"),
        "fixed_z_opt": BOOLEAN, "fresh_fake": BOOLEAN, "manualSeed": SEED, "contiguous_real": BOOLEAN,
        "amp": one_of("off", "bf16"), "cuda_graph": BOOLEAN,
    }

    def __post_init__(self) -> None:
        if self.nc_z is None:
            self.nc_z = self.nc_im

    def validate(self) -> "TrainConfig":
        """Raise a one-line SinGANError naming the first unsupported value (flag name, value, what is allowed)."""
        check_rules(self, self.RULES)
        c, receptive = self, self.receptive_field
        for ok, message in [  # the rules between flags
            (c.nc_z == c.nc_im, f"--nc_z {c.nc_z}: must equal --nc_im {c.nc_im} (leave --nc_z out to follow --nc_im)"),
            (c.min_nfc <= c.nfc, f"--min_nfc {c.min_nfc}: must be at most --nfc {c.nfc} "
                                 "(the first convolution's width)"),
            (c.max_size >= c.min_size, f"--max_size {c.max_size}: must be at least --min_size {c.min_size}"),
            (c.min_size >= receptive, f"--min_size {c.min_size}: must be at least {receptive} for --num_layer "
                                      f"{c.num_layer} and --ker_size {c.ker_size} (the discriminator's receptive "
                                      "field)"),
        ]:
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


# Named defaults. 'fast' trains 4x fewer iterations per scale, with the learning-rate drop at the
# same fraction of training (0.8) as the original's 1600 of 2000; 'quick' also trains a small image
# (80 px, about 6 scales) for 200 iterations per scale, to see something within minutes on a CPU.
# See docs/performance.md for their quality.
PRESETS: dict[str, dict] = {
    "default": {},
    "fast": {"niter": 500, "lr_milestone": 400},
    "quick": {"max_size": 80, "niter": 200, "lr_milestone": 160},
}
