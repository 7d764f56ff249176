"""What every script shares: the argument parser, device and seed set-up, error reporting.

Scripts call `run(main, parser)`: a `SinGANError` (bad input the user can fix)
becomes one line on stderr and exit status 2; argparse errors do the same.
"""

import argparse
import random
import sys
from collections.abc import Callable

import numpy as np
import torch

from .config import apply_preset
from .errors import SinGANError


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2, no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def parser(description: str, input_dir: str = "input/images") -> ArgumentParser:
    """A parser with the runtime flags of the original (--not_cuda, --manualSeed, --out, ...)."""
    p = ArgumentParser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--input_dir", default=input_dir, help="input image dir")
    p.add_argument("--not_cuda", action="store_true", help="disables cuda (same as --device cpu)")
    p.add_argument("--device", default="auto", help="'auto' (CUDA when present), 'cpu', 'cuda', 'cuda:1', ...")
    p.add_argument("--manualSeed", type=int, default=None, help="manual seed (random when absent)")
    p.add_argument("--out", default="Output", help="output folder")
    p.add_argument("--models_dir", default="TrainedModels", help="root folder of trained models")
    return p


def device_from_args(args: argparse.Namespace) -> torch.device:
    if args.not_cuda or args.device == "cpu":
        return torch.device("cpu")
    if args.device == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SinGANError(f"--device {args.device}: CUDA is not available on this machine (use --device cpu)")
    try:
        return torch.device(args.device)
    except RuntimeError:
        raise SinGANError(f"--device {args.device!r} is not a device name (try cpu or cuda)") from None


def seed_everything(seed: int | None) -> int:
    """Seed python, numpy and torch; draw a seed in 1..10000 when none is given (printed, as the original)."""
    if seed is None:
        seed = random.randint(1, 10000)
    print("Random Seed: ", seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return seed


def run(main: Callable[[argparse.Namespace], object], p: argparse.ArgumentParser,
        argv: list[str] | None = None) -> None:
    """Parse flags and call main; user errors exit 2 with one line, Ctrl-C exits 130 quietly."""
    apply_preset(p, argv)
    args = p.parse_args(argv)
    try:
        main(args)
    except SinGANError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
