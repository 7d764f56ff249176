"""Sampling speed: samples per second, batched (one forward pass per scale) versus one at a time.

    python bench/sample_speed.py [--input_name balloons.png] [--num_samples 50] [--model PATH]

Uses the trained model given by --model, or else the image's full default pyramid with freshly
initialised generators (the same work per sample). Measures the training size and twice the width.
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as singan sets it; before torch loads
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from singan import TrainConfig, build_model, load  # noqa: E402
from singan.images import read_image  # noqa: E402
from singan.model import TrainedScale  # noqa: E402
from singan.sampling import generate  # noqa: E402
from singan.training import new_scale_networks  # noqa: E402


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


def main(args):
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = load(args.model, device) if args.model else untrained_model(Path(args.input_dir) / args.input_name, device)
    h, w = model.reals[-1].shape[-2:]
    print(f"{args.num_samples} samples, {len(model.scales)} scales, {device} ({torch.get_num_threads()} threads)")
    print(f"{'output size':>12} {'batched/s':>10} {'one-by-one/s':>13} {'speed-up':>9}")
    for scale_h in (1.0, 2.0):
        batched = rate(lambda s=scale_h: generate(model, args.num_samples, scale_h=s), args.num_samples, device)
        single = rate(lambda s=scale_h: [generate(model, 1, scale_h=s) for _ in range(args.num_samples)],
                      args.num_samples, device)
        print(f"{f'{h}x{round(w * scale_h)}':>12} {batched:>10.2f} {single:>13.2f} {batched / single:>8.1f}x")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--input_name", default="balloons.png")
    p.add_argument("--input_dir", default="input/images")
    p.add_argument("--model", default=None, help="a trained model.pt (default: untrained weights)")
    p.add_argument("--num_samples", type=int, default=50)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    main(p.parse_args())
