"""Training speed per scale: seconds per iteration, FLOPs per iteration, share of the conv peak.

    python bench/train_speed.py --input_name balloons.png [--iters 3] [--device cpu] [--scales 7 8]

For each scale of the image's pyramid (default config unless flags say otherwise) it times
`--iters` real training iterations (after one warm-up iteration, so set-up and the first
iteration are excluded), counts the FLOPs of one iteration from the layer shapes, and measures
this machine's peak for a plain 3x3 conv of the same width and size (forward + backward loop).
The coarser scales use freshly initialised generators: the work per iteration is the same as
with trained ones. Prints a table and the projected total training time (niter per scale).
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as singan sets it; before torch loads
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from singan import TrainConfig, build_model  # noqa: E402
from singan.config import add_config_args  # noqa: E402
from singan.images import read_image  # noqa: E402
from singan.model import TrainedScale  # noqa: E402
from singan.networks import scale_widths  # noqa: E402
from singan.training import new_scale_networks, train_scale  # noqa: E402


def conv_flops(cin: int, cout: int, k: int, h: int, w: int) -> float:
    """Multiply-adds x 2 of one valid k x k conv producing an h x w map."""
    return 2.0 * cin * cout * k * k * h * w


def net_flops(cfg: TrainConfig, width: int, h: int, w: int, out_channels: int) -> float:
    """Forward FLOPs of G (out_channels = nc_im) or D (1) on an h x w input (valid convs)."""
    chans = [cfg.nc_im] + [width] * (cfg.num_layer - 1) + [out_channels]
    total = 0.0
    for i in range(cfg.num_layer):
        h, w = h - (cfg.ker_size - 1), w - (cfg.ker_size - 1)
        total += conv_flops(chans[i], chans[i + 1], cfg.ker_size, h, w)
    return total


def iteration_flops(model, n: int) -> float:
    """One training iteration of scale n, counted as: backward = 2x forward, the gradient
    penalty = 5 D forwards (forward, input gradient, double backward). Per D step: draw_concat
    through scales < n + G + 3 D (real) + 3 D (fake) + 5 D (GP); per G step: 3 G (fake) + D + D
    (input gradient only) + 3 G (reconstruction)."""
    cfg = model.config
    p = 2 * cfg.pad
    h, w = model.reals[n].shape[-2:]
    width = scale_widths(n, cfg.nfc, cfg.min_nfc)[0]
    G = net_flops(cfg, width, h + p, w + p, cfg.nc_im)
    D = net_flops(cfg, width, h, w, 1)
    DC = sum(net_flops(cfg, scale_widths(k, cfg.nfc, cfg.min_nfc)[0], *(s + p for s in model.reals[k].shape[-2:]),
                       cfg.nc_im) for k in range(n))
    return cfg.Dsteps * (DC + G + 11 * D) + cfg.Gsteps * (6 * G + 2 * D)


def conv_peak(width: int, h: int, w: int, device: torch.device, seconds: float = 1.0) -> float:
    """FLOP/s of a plain width->width 3x3 conv forward+backward on a 1 x width x h x w input."""
    conv = torch.nn.Conv2d(width, width, 3).to(device)
    x = torch.randn(1, width, h, w, device=device, requires_grad=True)
    flops = 3 * conv_flops(width, width, 3, h - 2, w - 2)  # forward + input grad + weight grad
    for _ in range(3):
        conv(x).sum().backward()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        conv(x).sum().backward()
        count += 1
    _sync(device)
    return count * flops / (time.perf_counter() - start)


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_scale(model, n: int, iters: int) -> float:
    """Seconds per iteration at scale n: (time of 1 + iters iterations - time of 1) / iters,
    after an untimed warm-up run."""
    cfg = model.config
    times = []
    for niter in (1, 1, 1 + iters):
        cfg.niter = niter
        netG, netD = new_scale_networks(model, n)
        _sync(model.device)
        start = time.perf_counter()
        train_scale(model, n, netG, netD, progress=False)
        _sync(model.device)
        times.append(time.perf_counter() - start)
    return (times[2] - times[1]) / iters


def main(args):
    device = torch.device(args.device)
    torch.manual_seed(0)
    niter = args.niter
    config = TrainConfig.from_args(args)
    model = build_model(read_image(Path(args.input_dir) / args.input_name).to(device), config)
    # Frozen coarser scales with fresh weights (same cost as trained ones):
    for n in range(len(model.reals)):
        netG, netD = new_scale_networks(model, n)
        h, w = model.reals[n].shape[-2:]
        z_rec = torch.zeros(1, config.nc_z, h + 2 * config.pad, w + 2 * config.pad, device=device)
        model.scales.append(TrainedScale(netG.eval().requires_grad_(False), z_rec, 0.1,
                                         netD.eval().requires_grad_(False)))
    scales = args.scales or range(len(model.reals))
    print(f"{args.input_name} on {device} ({torch.get_num_threads()} threads), torch {torch.__version__}")
    print(f"{'scale':>5} {'size':>9} {'width':>5} {'s/iter':>8} {'GFLOP/it':>9} {'GFLOP/s':>8} "
          f"{'peak':>7} {'% peak':>6}")
    total = 0.0
    for n in scales:
        trained = model.scales
        model.scales = trained[:n]
        sec = time_scale(model, n, args.iters)
        model.scales = trained
        h, w = model.reals[n].shape[-2:]
        width = scale_widths(n, config.nfc, config.min_nfc)[0]
        flops = iteration_flops(model, n)
        peak = conv_peak(width, h + 2 * config.pad, w + 2 * config.pad, device)
        total += sec * niter
        print(f"{n:>5} {f'{h}x{w}':>9} {width:>5} {sec:>8.3f} {flops / 1e9:>9.2f} {flops / sec / 1e9:>8.1f} "
              f"{peak / 1e9:>7.1f} {100 * flops / sec / peak:>5.0f}%")
    print(f"projected training time at niter={niter}: {total / 3600:.2f} h ({total:.0f} s) for scales {list(scales)}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--input_name", default="balloons.png")
    p.add_argument("--input_dir", default="input/images")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--iters", type=int, default=3, help="timed iterations per scale")
    p.add_argument("--scales", type=int, nargs="*", help="only these scales (default: all)")
    add_config_args(p)
    args = p.parse_args()
    main(args)
