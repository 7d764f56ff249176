"""Upscaling quality: photographs downscaled by 4, a SinGAN trained on each small image, upscaled 4x back.

    python bench/upscale_quality.py PHOTO [PHOTO ...] [--niter 300] [--models_dir DIR] [--seeds 3]

Each photograph is cropped to a multiple of 4 and downscaled by 4 (bicubic, the original's imresize);
an SR model is trained on the small image as SR.py trains one (alpha 100, min_size 18, pyramid
factor 4 ** (-1/6), the SR pyramid geometry; reused from --models_dir when it exists), and the small
image is upscaled 4x three ways: bicubic (imresize x4), the original SR chain (6 steps of 4 ** (1/6)
rounded up, then cropped) and `singan.apps.upscale`'s exact chain (steps of at most 1/scale_factor, landing
on 4x). Printed per image and averaged: RMSE (8-bit levels) and patch SWD (singan.eval.metrics, 7x7
patches) against the real photograph; the SinGAN rows are means over --seeds seeds.
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as singan sets it; before torch loads
import torch  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from singan import (  # noqa: E402
    TrainConfig,
    apps,  # noqa: E402
    load,
    train_image,
)
from singan.apps import upscale as up  # noqa: E402
from singan.core.imresize import imresize, to_uint8  # noqa: E402
from singan.eval.metrics import patch_swd  # noqa: E402
from singan.io import paths  # noqa: E402
from singan.io.images import read_image, save_image  # noqa: E402


def low_resolution(photo: Path, folder: Path) -> tuple[torch.Tensor, Path]:
    """The photograph cropped to a multiple of 4 (the reference) and its x1/4 PNG in `folder`."""
    hr = read_image(photo)
    h, w = hr.shape[-2:]
    hr = hr[:, :, :h // 4 * 4, :w // 4 * 4]
    path = folder / f"{photo.stem}.png"
    Image.fromarray(to_uint8(imresize(hr, 0.25))[0].permute(1, 2, 0).numpy()).save(path)  # 8-bit, exactly
    return hr, path


def sr_model(lr_png: Path, args):
    """The SR model of `lr_png` (SR.py's config and geometry), trained unless it is in --models_dir."""
    in_scale, _ = apps.sr_chain(4.0)
    config = TrainConfig(alpha=100.0, min_size=18, scale_factor=1 / in_scale, niter=args.niter, manualSeed=1)
    model_file = paths.trained_model_file(lr_png.name, config.scale_factor, config.alpha, root=args.models_dir)
    if model_file.is_file():
        return load(model_file)
    torch.manual_seed(1)
    return train_image(lr_png, config, model_file, geometry_fn=apps.sr_geometry_fn(config), progress=False)


def scores(x: torch.Tensor, hr: torch.Tensor) -> tuple[float, float]:
    """(RMSE in 8-bit levels, patch SWD) of one image against the reference."""
    rmse = (to_uint8(x).float() - to_uint8(hr).float()).pow(2).mean().sqrt().item()
    return rmse, patch_swd(x, hr)


def measure(photo: Path, args) -> dict[str, tuple[float, float]]:
    hr, lr_png = low_resolution(photo, Path(args.work))
    model = sr_model(lr_png, args)
    lr, size = model.reals[-1], tuple(hr.shape[-2:])
    assert tuple(lr.shape[-2:]) == (size[0] // 4, size[1] // 4), "the model must be trained on the whole x1/4 image"
    rows = {"bicubic": scores(imresize(lr, 4.0)[:, :, :size[0], :size[1]], hr)}
    for name, run in (("SinGAN, original SR chain", lambda: apps.super_resolve(model, 4.0, progress=False)),
                      ("SinGAN, exact chain", lambda: up.upscale(model, lr, size, progress=False))):
        runs = []
        for seed in range(args.seeds):
            torch.manual_seed(seed)
            out = run().clamp(-1, 1)
            assert tuple(out.shape[-2:]) == size
            runs.append(scores(out, hr))
            if seed == 0 and args.save:
                save_image(Path(args.work) / f"{photo.stem}_{name.split(', ')[1].split()[0]}.png", out)
        rows[name] = tuple(sum(r[i] for r in runs) / len(runs) for i in range(2))
    return rows


def main(args) -> None:
    Path(args.work).mkdir(parents=True, exist_ok=True)
    results = {}
    print(f"{'image':>12} {'method':>26} {'RMSE':>7} {'patch SWD':>10}")
    for photo in map(Path, args.photos):
        results[photo.name] = measure(photo, args)
        for method, (rmse, swd) in results[photo.name].items():
            print(f"{photo.name:>12} {method:>26} {rmse:>7.2f} {swd:>10.4f}")
    for method in next(iter(results.values())):
        rmse = sum(r[method][0] for r in results.values()) / len(results)
        swd = sum(r[method][1] for r in results.values()) / len(results)
        print(f"{'mean':>12} {method:>26} {rmse:>7.2f} {swd:>10.4f}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument("photos", nargs="+", help="photographs (the full-resolution references)")
    p.add_argument("--niter", type=int, default=300, help="training iterations per scale")
    p.add_argument("--models_dir", default="TrainedModels", help="where the SR models are (or go)")
    p.add_argument("--work", default="upscale_quality", help="folder of the x1/4 images (and --save outputs)")
    p.add_argument("--seeds", type=int, default=3, help="seeds of the SinGAN upscalings")
    p.add_argument("--save", action="store_true", help="write the seed-0 upscalings to --work")
    main(p.parse_args())
