"""Subprocess half of bench/compare_original.py: trains the unmodified 2019 SinGAN and saves its numbers.

    python bench/original_driver.py --baseline ../shared/baseline --image input/images/balloons.png \
        --seed 1 --niter 300 --max_size 80 --threads 1 --num_samples 50 --gen_start_scales 0 1 --result r.pt

Run in an empty work folder (the original writes TrainedModels/ and Output/ into the current
directory). The original's files are imported from `--baseline/original` at run time under its
compatibility shim (`--baseline/legacy_shim.py`); nothing of it lives in this repository. Its
main_train.py runs unchanged via runpy; around it this driver records a timestamp at every step of
each scale's D learning-rate scheduler (the end of each iteration, plus one when the scheduler is
built), then draws `--num_samples` samples from each `--gen_start_scales` with the original's
SinGAN_generate (torch seeded with `--seed` before each), capturing the finest generator's float
outputs. The result file (torch.save, plain tensors and lists) holds the stamps per scale, the
noise amplitudes, the finest real image and the samples.
"""

import argparse
import os
import runpy
import sys
import time
from pathlib import Path


def load_original(baseline: Path):
    """Import the original's training and sampling modules under the shim; returns (torch, training, manipulate)."""
    sys.path[:0] = [str(baseline), str(baseline / "original")]
    import legacy_shim

    legacy_shim.apply()
    legacy_shim.patch_functions()
    import SinGAN.manipulate as manipulate
    import SinGAN.training as training
    import torch

    return torch, training, manipulate


def install_timers(torch, training) -> dict[int, list[float]]:
    """Timestamps of every step of each scale's D scheduler, keyed by scale (0 = coarsest)."""
    stamps: dict[int, list[float]] = {}
    current = {"scale": -1, "netD": None}
    train_single_scale = training.train_single_scale
    step = torch.optim.lr_scheduler.MultiStepLR.step

    def timed_train_single_scale(netD, netG, reals, Gs, *args, **kwargs):
        current.update(scale=len(Gs), netD=netD)
        stamps[len(Gs)] = []
        return train_single_scale(netD, netG, reals, Gs, *args, **kwargs)

    def timed_step(self, *args, **kwargs):
        params = self.optimizer.param_groups[0]["params"]
        if current["netD"] is not None and params[0] is next(current["netD"].parameters()):
            stamps[current["scale"]].append(time.perf_counter())
        return step(self, *args, **kwargs)

    training.train_single_scale = timed_train_single_scale
    torch.optim.lr_scheduler.MultiStepLR.step = timed_step
    return stamps


def draw_samples(torch, manipulate, trained: dict, gen_start_scale: int, num_samples: int, seed: int):
    """`num_samples` samples (N, C, H, W) of the original's SinGAN_generate, as floats (before any PNG)."""
    outputs = []
    hook = trained["Gs"][-1].register_forward_hook(lambda module, inputs, out: outputs.append(out.detach().clone()))
    torch.manual_seed(seed)
    try:
        manipulate.SinGAN_generate(trained["Gs"], trained["Zs"], trained["reals"], trained["NoiseAmp"],
                                   trained["opt"], gen_start_scale=gen_start_scale, num_samples=num_samples)
    finally:
        hook.remove()
    return torch.cat(outputs)


def main(args: argparse.Namespace) -> None:
    torch, training, manipulate = load_original(Path(args.baseline).resolve())
    torch.set_num_threads(args.threads)
    stamps = install_timers(torch, training)
    image = Path(args.image).resolve()
    sys.argv = ["main_train.py", "--not_cuda", "--input_dir", str(image.parent), "--input_name", image.name,
                "--niter", str(args.niter), "--max_size", str(args.max_size), "--manualSeed", str(args.seed)]
    trained = runpy.run_path(str(Path(args.baseline).resolve() / "original" / "main_train.py"), run_name="__main__")
    samples = {g: draw_samples(torch, manipulate, trained, g, args.num_samples, args.seed)
               for g in args.gen_start_scales}
    result = {"stamps": [stamps[n] for n in sorted(stamps)], "noise_amp": [float(a) for a in trained["NoiseAmp"]],
              "real": trained["reals"][-1].detach().clone(), "samples": samples, "threads": torch.get_num_threads()}
    tmp = Path(args.result).with_suffix(".tmp")
    torch.save(result, tmp)
    os.replace(tmp, args.result)


def get_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Train the original SinGAN and save its timings, noise amplitudes "
                                            "and samples (used by bench/compare_original.py).",
                                allow_abbrev=False)
    p.add_argument("--baseline", required=True, help="the folder holding legacy_shim.py and original/")
    p.add_argument("--image", required=True, help="training image file")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--niter", type=int, required=True)
    p.add_argument("--max_size", type=int, required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--num_samples", type=int, default=50)
    p.add_argument("--gen_start_scales", type=int, nargs="+", default=[0, 1])
    p.add_argument("--result", required=True, help="output .pt file")
    return p


if __name__ == "__main__":
    main(get_parser().parse_args())
