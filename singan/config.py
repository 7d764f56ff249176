"""Training configuration: plain data, with the original's flag names and defaults.

`TrainConfig` holds every hyperparameter of the 2019 code under the same name
as its command-line flag; `add_config_args` declares those flags for argparse
and `TrainConfig.from_args` reads them back. The config is stored verbatim in
every checkpoint (as a dict), so a trained model knows how it was made.
`PRESETS` are named sets of defaults (`--preset fast`); flags given explicitly win.
"""

import argparse
import dataclasses
from dataclasses import dataclass


@dataclass
class TrainConfig:
    # Networks:
    nc_z: int = 3  # noise channels (must equal nc_im)
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

    @property
    def pad(self) -> int:
        """Zero padding that keeps the output size: ((ker_size - 1) * num_layer) / 2 = 5."""
        return (self.ker_size - 1) * self.num_layer // 2

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
    def from_args(cls, args: argparse.Namespace) -> "TrainConfig":
        return cls(**{f.name: getattr(args, f.name) for f in dataclasses.fields(cls)
                      if hasattr(args, f.name)})


# Named defaults. 'fast' trains 4x fewer iterations per scale, with the learning-rate drop at the
# same fraction of training (0.8) as the original's 1600 of 2000; see the README for its quality.
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


def add_config_args(parser: argparse.ArgumentParser) -> None:
    """The original's common flags (config.py), same names and defaults."""
    d = TrainConfig()
    g = parser.add_argument_group("SinGAN hyperparameters (defaults of the original)")
    g.add_argument("--nc_z", type=int, default=d.nc_z, help="noise channels")
    g.add_argument("--nc_im", type=int, default=d.nc_im, help="image channels (1 trains a grayscale model)")
    g.add_argument("--nfc", type=int, default=d.nfc)
    g.add_argument("--min_nfc", type=int, default=d.min_nfc)
    g.add_argument("--ker_size", type=int, default=d.ker_size, help="kernel size")
    g.add_argument("--num_layer", type=int, default=d.num_layer, help="number of layers")
    g.add_argument("--stride", type=int, default=d.stride, help="stride")
    g.add_argument("--padd_size", type=int, default=d.padd_size, help="net pad size")
    g.add_argument("--scale_factor", type=float, default=d.scale_factor, help="pyramid scale factor")
    g.add_argument("--noise_amp", type=float, default=d.noise_amp, help="additive noise cont weight")
    g.add_argument("--min_size", type=int, default=d.min_size, help="image minimal size at the coarser scale")
    g.add_argument("--max_size", type=int, default=d.max_size, help="image maximal size at the finest scale")
    g.add_argument("--niter", type=int, default=d.niter, help="number of epochs to train per scale")
    g.add_argument("--gamma", type=float, default=d.gamma, help="scheduler gamma")
    g.add_argument("--lr_milestone", type=int, default=d.lr_milestone, help="iteration at which lr drops by gamma")
    g.add_argument("--lr_g", type=float, default=d.lr_g, help="learning rate, generator")
    g.add_argument("--lr_d", type=float, default=d.lr_d, help="learning rate, discriminator")
    g.add_argument("--beta1", type=float, default=d.beta1, help="beta1 for adam")
    g.add_argument("--Gsteps", type=int, default=d.Gsteps, help="Generator inner steps")
    g.add_argument("--Dsteps", type=int, default=d.Dsteps, help="Discriminator inner steps")
    g.add_argument("--lambda_grad", type=float, default=d.lambda_grad, help="gradient penalty weight")
    g.add_argument("--alpha", type=float, default=d.alpha, help="reconstruction loss weight")
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
                   help="bfloat16 autocast of the G and D passes (for CUDA; slightly changes results)")
    g.add_argument("--no_cuda_graph", dest="cuda_graph", action="store_false",
                   help="on CUDA, launch every kernel from Python instead of replaying each iteration as a CUDA graph")
