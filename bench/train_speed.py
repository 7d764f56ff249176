"""Training speed per scale: seconds per iteration, FLOPs per iteration, share of the conv peak.

    python bench/train_speed.py --input_name balloons.png [--iters 3] [--device cpu] [--scales 7 8]

For each scale of the image's pyramid (default config unless flags say otherwise) it times
`--iters` real training iterations (after one warm-up iteration, so set-up and the first
iteration are excluded; on CUDA also the CUDA-graph capture), counts the FLOPs of one iteration
from the shapes of every convolution and matmul it runs (G and D forward and backward, the
gradient penalty's double backward, draw_concat through the frozen scales), and measures this
machine's peak for a plain 3x3 conv of the same width and size (forward + backward loop).
The coarser scales use freshly initialised generators: the work per iteration is the same as
with trained ones. Prints a table and the projected total training time (niter per scale).
"""

import os
import sys
import time
from functools import partial
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as singan sets it; before torch loads
import torch  # noqa: E402
from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402
from torch.utils._pytree import tree_map  # noqa: E402
from torch.utils.flop_counter import flop_registry  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from singan import build_model  # noqa: E402
from singan.cli.flags import add_training_flags, train_config  # noqa: E402
from singan.cli.program import ArgumentParser, apply_preset  # noqa: E402
from singan.core.model import TrainedScale  # noqa: E402
from singan.core.networks import scale_widths  # noqa: E402
from singan.core.training import (  # noqa: E402
    GRAPH_WARMUP,
    draw_concat,  # noqa: E402
    new_scale_networks,
    train_scale,
)
from singan.io.images import read_image  # noqa: E402


class FlopCounter(TorchDispatchMode):
    """Sums the FLOPs of every convolution (forward, backward and the gradient penalty's double
    backward) and matmul (the resize) that runs, each computed from its operand shapes."""

    def __init__(self):
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        op = func._overloadpacket
        if op in flop_registry:
            shape = partial(tree_map, lambda x: x.shape if isinstance(x, torch.Tensor) else x)
            self.flops += flop_registry[op](*shape(args), **shape(kwargs or {}), out_val=shape(out))
        return out


def counted_flops(fn) -> int:
    with FlopCounter() as counter:
        fn()
    return counter.flops


def iteration_flops(model, n: int) -> int:
    """FLOPs of one training iteration at scale n: those of a 1-iteration run of train_scale
    minus its set-up (the reconstruction drawn through the coarser scales)."""
    cfg, niter = model.config, model.config.niter
    cfg.niter = 1
    netG, netD = new_scale_networks(model, n)
    total = counted_flops(lambda: train_scale(model, n, netG, netD))
    cfg.niter = niter
    return total - (counted_flops(lambda: draw_concat(model, n, "rec")) if n > 0 else 0)


def flop_rate(step, flops: float, device: torch.device, seconds: float = 2.0) -> float:
    """FLOP/s of `step()` doing `flops` FLOPs: 2 untimed calls, then at least 5 timed ones and `seconds`."""
    for _ in range(2):
        step()
    _sync(device)
    count, start = 0, time.perf_counter()
    while count < 5 or time.perf_counter() - start < seconds:
        step()
        count += 1
        if device.type == "cuda" and count % 10 == 0:
            _sync(device)
    _sync(device)
    return count * flops / (time.perf_counter() - start)


def conv_peak(width: int, h: int, w: int, device: torch.device) -> float:
    """FLOP/s of a plain width->width 3x3 conv, forward + backward (input and weight gradients)
    with a dense output gradient, on a 1 x width x h x w input."""
    conv = torch.nn.Conv2d(width, width, 3).to(device)
    x = torch.randn(1, width, h, w, device=device, requires_grad=True)
    grad = torch.randn(1, width, h - 2, w - 2, device=device)
    flops = 3 * 2.0 * width * width * 9 * (h - 2) * (w - 2)  # forward + input grad + weight grad
    return flop_rate(lambda: conv(x).backward(grad), flops, device)


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_scale(model, n: int, iters: int) -> float:
    """Seconds per iteration at scale n: (time of k + iters iterations - time of k) / iters, after an
    untimed warm-up run; k = 1, or on CUDA with graphs the eager warm-up iterations, the capture and one replay."""
    cfg = model.config
    k = GRAPH_WARMUP + 2 if cfg.cuda_graph and model.device.type == "cuda" else 1
    times = []
    for niter in (k, k + iters):  # after the warm-up iteration of iteration_flops
        cfg.niter = niter
        netG, netD = new_scale_networks(model, n)
        _sync(model.device)
        start = time.perf_counter()
        train_scale(model, n, netG, netD)
        _sync(model.device)
        times.append(time.perf_counter() - start)
    return (times[1] - times[0]) / iters


def main(args):
    device = torch.device(args.device)
    torch.manual_seed(0)
    niter = args.niter
    config = train_config(args)
    model = build_model(read_image(Path(args.input_dir) / args.input_name).to(device), config)
    # Frozen coarser scales with fresh weights (same cost as trained ones):
    for n in range(len(model.reals)):
        netG, netD = new_scale_networks(model, n)
        h, w = model.reals[n].shape[-2:]
        z_rec = torch.zeros(1, config.nc_z, h + 2 * config.pad, w + 2 * config.pad, device=device)
        model.scales.append(TrainedScale(netG.eval().requires_grad_(False), z_rec, 0.1,
                                         netD.eval().requires_grad_(False)))
    scales = args.scales or range(len(model.reals))
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{torch.get_num_threads()} threads"
    print(f"{args.input_name} on {device} ({name}), torch {torch.__version__}, amp {config.amp}, "
          f"cuda_graph {config.cuda_graph}, niter {niter}")
    print(f"{'scale':>5} {'size':>9} {'width':>5} {'s/iter':>8} {'GFLOP/it':>9} {'GFLOP/s':>8} "
          f"{'peak':>7} {'% peak':>6}")
    total = 0.0
    for n in scales:
        trained = model.scales
        model.scales = trained[:n]
        flops = iteration_flops(model, n)  # also the warm-up
        sec = time_scale(model, n, args.iters)
        model.scales = trained
        h, w = model.reals[n].shape[-2:]
        width = scale_widths(n, config.nfc, config.min_nfc)[0]
        peak = conv_peak(width, h + 2 * config.pad, w + 2 * config.pad, device)
        total += sec * niter
        print(f"{n:>5} {f'{h}x{w}':>9} {width:>5} {sec:>8.3f} {flops / 1e9:>9.2f} {flops / sec / 1e9:>8.1f} "
              f"{peak / 1e9:>7.1f} {100 * flops / sec / peak:>5.0f}%")
    print(f"projected training time at niter={niter}: {total / 3600:.2f} h ({total:.0f} s) for scales {list(scales)}")


if __name__ == "__main__":
    p = ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--input_name", default="balloons.png")
    p.add_argument("--input_dir", default="input/images")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--iters", type=int, default=3, help="timed iterations per scale")
    p.add_argument("--scales", type=int, nargs="*", help="only these scales (default: all)")
    add_training_flags(p)
    apply_preset(p)
    args = p.parse_args()
    main(args)
