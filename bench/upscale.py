"""Upscaling speed and memory: one sample of a model upscaled to longer sides of 1000, 2000, 4000 px.

    python bench/upscale.py [--input_name balloons.png] [--sizes 1000 2000 4000] [--untiled_max 2000]
        [--modes tiled untiled patches self]

The model is the image's default pyramid with freshly initialised generators (the same work as a
trained one). Each run (size x tiled/untiled) is a fresh process, so its peak resident set (VmHWM)
is its own. Printed per run: seconds, the useful FLOPs of the chain's convolutions (the untiled
work, overlaps not counted) per second, their share of this machine's peak for a plain inference
3x3 conv of the finest width (measured in the same run, channels-last as the generators run), and
the peak resident set. "tiled" is the paper's chain (`--upscaler chain`) as it runs; "untiled" runs its
generator on whole images and resizes with dense matrices. "patches" is `--upscaler patches` with a
photograph at the output's size (the input image brought up to it, standing in for a large photo):
the search at the training size and the transfer; "self" is `--upscaler patches` without a photograph
(the image's own detail one step finer, steps of at most 1/scale_factor). For them the FLOP columns are
empty and "x chain" is their seconds over the tiled chain's at the same size.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as singan sets it; before torch loads
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sample_speed import untrained_model  # noqa: E402
from train_speed import flop_rate  # noqa: E402

from singan import TrainConfig  # noqa: E402
from singan.api import generate  # noqa: E402
from singan.apps import upscale as up  # noqa: E402

MODES = ("tiled", "untiled", "patches", "self")


def chain_flops(model, start: tuple[int, int], size: tuple[int, int]) -> float:
    """FLOPs of the finest generator's convolutions over every step of the chain (no tile overlap)."""
    convs = [m for m in model.scales[-1].netG.modules() if isinstance(m, torch.nn.Conv2d)]
    per_pixel = sum(2 * c.in_channels * c.out_channels * c.kernel_size[0] * c.kernel_size[1] for c in convs)
    return per_pixel * sum(h * w for h, w in up.chain_plan(start, size, model.geometry.scale_factor).sizes)


def conv_forward_peak(width: int, side: int, seconds: float) -> float:
    """FLOP/s of a plain inference width->width 3x3 conv on 1 x width x side x side, channels-last."""
    conv = torch.nn.Conv2d(width, width, 3).eval()
    x = torch.randn(1, width, side, side).contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        return flop_rate(lambda: conv(x), 2.0 * width * width * 9 * (side - 2) ** 2, torch.device("cpu"), seconds)


def peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def child(args) -> None:
    """One run: print seconds, GFLOP and the peak resident set."""
    torch.manual_seed(0)
    image = Path(args.input_dir) / args.input_name
    model = untrained_model_at(args) if args.max_size else untrained_model(image, torch.device("cpu"))
    x = generate(model, 1, seed=0)
    start = tuple(x.shape[-2:])
    size = (round(start[0] * args.size / max(start)), round(start[1] * args.size / max(start)))
    tile, photo = None, None
    if args.mode == "untiled":
        up.DENSE_RESIZE_BYTES, tile = 2**62, max(size)
    if args.mode == "patches":
        photo = torch.nn.functional.interpolate(model.reals[-1], size=size, mode="bicubic")
    begin = time.perf_counter()
    if args.mode in ("patches", "self"):
        out = up.to_size(model, x, size, upscaler="patches", photo=photo, progress=False)
    else:
        out = up.upscale(model, x, size, tile=tile, progress=False)
    seconds = time.perf_counter() - begin
    assert out.shape[-2:] == size
    print(f"{seconds} {chain_flops(model, start, size)} {peak_rss()} {size[0]}x{size[1]} "
          f"{model.scales[-1].netG.head.conv.out_channels}")


def untrained_model_at(args):
    """The untrained model of a smaller config (--max_size), for a quick run."""
    from singan import build_model
    from singan.core.model import TrainedScale
    from singan.core.training import new_scale_networks
    from singan.io.images import read_image

    small = build_model(read_image(Path(args.input_dir) / args.input_name), TrainConfig(max_size=args.max_size))
    for n, real in enumerate(small.reals):
        netG, _ = new_scale_networks(small, n)
        h, w = real.shape[-2:]
        small.scales.append(TrainedScale(netG.eval().requires_grad_(False), torch.zeros(1, 3, h + 10, w + 10), 0.1))
    return small


def main(args) -> None:
    width = None
    print(f"{args.input_name}, one sample upscaled; {torch.get_num_threads()} threads")
    print(f"{'side':>5} {'mode':>8} {'size':>10} {'seconds':>8} {'GFLOP/s':>8} {'% peak':>7} {'peak RSS MB':>11}"
          f" {'x chain':>8}")
    rows = {}
    for side in args.sizes:
        for mode in args.modes:
            if mode == "untiled" and side > args.untiled_max:
                print(f"{side:>5} {mode:>8} {'(skipped: above --untiled_max)':>40}")
                continue
            cmd = [sys.executable, __file__, "--child", "--size", str(side), "--mode", mode, "--input_dir",
                   args.input_dir, "--input_name", args.input_name, "--max_size", str(args.max_size or 0)]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
            seconds, flops, rss, size, width = proc.stdout.split()
            seconds, flops, rss = float(seconds), float(flops), int(rss)
            if "peak" not in rows:
                rows["peak"] = conv_forward_peak(int(width), 256, args.peak_seconds)
            rate = flops / seconds
            rows[(side, mode)], rows[(side, mode, "s")] = rss, seconds
            chain = rows.get((side, "tiled", "s"))
            versus = f"{seconds / chain:>8.2f}" if chain and mode != "tiled" else ""
            flop_columns = f"{'':>8} {'':>7}" if mode in ("patches", "self") else \
                f"{rate / 1e9:>8.1f} {100 * rate / rows['peak']:>6.0f}%"
            print(f"{side:>5} {mode:>8} {size:>10} {seconds:>8.2f} {flop_columns} {rss / 2**20:>11.0f} {versus}")
    print(f"conv forward peak ({width} channels, 256x256, channels-last): {rows['peak'] / 1e9:.1f} GFLOP/s")
    for mode in args.modes:
        if mode != "untiled":
            peaks = [rows[(s, mode)] for s in args.sizes]
            print(f"peak RSS of the largest over the smallest ({mode}): {peaks[-1] / peaks[0]:.2f}x")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument("--input_name", default="balloons.png")
    p.add_argument("--input_dir", default=str(Path(__file__).resolve().parents[1] / "input" / "images"))
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000], help="longest sides (pixels)")
    p.add_argument("--untiled_max", type=int, default=2000, help="longest side up to which untiled runs too")
    p.add_argument("--max_size", type=int, default=0, help="train size of the model (default: the config's 250)")
    p.add_argument("--peak_seconds", type=float, default=2.0, help="seconds of the conv peak measurement")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES, help="what to run (see above)")
    p.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    args = p.parse_args()
    child(args) if args.child else main(args)
