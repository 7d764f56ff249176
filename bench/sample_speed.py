"""Sampling speed: samples per second, batched (one forward pass per scale) versus one at a time.

    python bench/sample_speed.py [--input_name balloons.png] [--num_samples 50] [--model PATH]

Uses the trained model given by --model, or else the image's full default pyramid with freshly
initialised generators (the same work per sample). Measures the training size and twice the width.
Also prints the FLOPs of one sample and this machine's peak for the finest scale's convolution
(inference, in the memory format the generators use), which bound what batching can gain.
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as singan sets it; before torch loads
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from train_speed import counted_flops, flop_rate  # noqa: E402

from singan import TrainConfig, build_model, load  # noqa: E402
from singan.api import generate  # noqa: E402
from singan.core.model import TrainedScale  # noqa: E402
from singan.core.training import new_scale_networks  # noqa: E402
from singan.io.images import read_image  # noqa: E402


def untrained_model(image: Path, device: torch.device):
    model = build_model(read_image(image).to(device), TrainConfig())
    for n in range(len(model.reals)):
        netG, _ = new_scale_networks(model, n)
        h, w = model.reals[n].shape[-2:]
        model.scales.append(TrainedScale(netG.eval().requires_grad_(False), torch.zeros(1, 3, h + 10, w + 10,
                                                                                         device=device), 0.1))
    return model


def rate(fn, num_samples: int, device: torch.device) -> float:
    fn()  # warm-up
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return num_samples / (time.perf_counter() - start)


def conv_forward_peak(width: int, h: int, w: int, device: torch.device) -> float:
    """FLOP/s of a plain inference width->width 3x3 conv on 1 x width x h x w (channels-last on the
    CPU, as the generators run there)."""
    conv = torch.nn.Conv2d(width, width, 3).to(device).eval()
    x = torch.randn(1, width, h, w, device=device)
    if device.type == "cpu":
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        return flop_rate(lambda: conv(x), 2.0 * width * width * 9 * (h - 2) * (w - 2), device)


def main(args):
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = load(args.model, device) if args.model else untrained_model(Path(args.input_dir) / args.input_name, device)
    h, w = model.reals[-1].shape[-2:]
    print(f"{args.num_samples} samples, {len(model.scales)} scales, {device} ({torch.get_num_threads()} threads)")
    print(f"{'output size':>12} {'batched/s':>10} {'one-by-one/s':>13} {'speed-up':>9}")
    single_rate = {}
    for scale_h in (1.0, 2.0):
        batched = rate(lambda s=scale_h: generate(model, args.num_samples, scale_h=s), args.num_samples, device)

        def one_by_one(s=scale_h):
            return [generate(model, 1, scale_h=s) for _ in range(args.num_samples)]

        single = single_rate[scale_h] = rate(one_by_one, args.num_samples, device)
        print(f"{f'{h}x{round(w * scale_h)}':>12} {batched:>10.2f} {single:>13.2f} {batched / single:>8.1f}x")

    # What batching could gain at most: one at a time at the training size against the conv peak.
    flops = counted_flops(lambda: generate(model, 1))
    width = model.scales[-1].netG.head.conv.out_channels
    peak = conv_forward_peak(width, h + 10, w + 10, device)
    achieved = flops * single_rate[1.0]
    print(f"one sample at {h}x{w}: {flops / 1e9:.1f} GFLOP; one at a time runs at {achieved / 1e9:.1f} GFLOP/s, "
          f"{100 * achieved / peak:.0f}% of the {peak / 1e9:.1f} GFLOP/s peak of a {width}-channel 3x3 conv, "
          f"so batching can be at most {peak / achieved:.1f}x faster here")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument("--input_name", default="balloons.png")
    p.add_argument("--input_dir", default="input/images")
    p.add_argument("--model", default=None, help="a trained model.pt (default: untrained weights)")
    p.add_argument("--num_samples", type=int, default=50)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    main(p.parse_args())
