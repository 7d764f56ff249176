"""Full-size quality: every upscaler on photographs, by the measures of `singan.eval.fullsize` and patch SWD.

    python bench/upscale_quality.py PHOTO [PHOTO ...] [--max_size 100] [--niter 200] [--models_dir DIR]
        [--seeds 3] [--methods bicubic chain patches] [--save DIR] [--sr]

Per photograph, a SinGAN trained at --max_size / --niter (main_train.py's layout under --models_dir,
trained here when it is not there) and, per seed:
- random samples: the training-size sample S brought to the photograph's size by each method;
- editing: a reference made from the photograph (a block of it pasted elsewhere) and its mask, injected
  at the scale two below the finest as editing.py does, the result at the training size brought to full
  size by each method; the measures inside the dilated mask, hf against the full-size reference there.
Printed: drift, shift, hf, sat, hatch (see `singan.eval.fullsize`; thresholds drift <= 6, shift <= 4,
0.4 <= hf <= 1.5, sat <= +0.02), patch SWD against the photograph and seconds per image, per photograph
and method (means over the seeds), then per method the worst photograph's value of each measure.

--sr adds super-resolution: the photograph downscaled by 4 and brought back by bicubic and by
`--upscaler patches` (the image's own detail one step finer: no model needed), RMSE (8-bit levels)
and patch SWD against the photograph.
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as singan sets it; before torch loads
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from singan import TrainConfig, apps, generate, load, train_image  # noqa: E402
from singan.apps import upscale as up  # noqa: E402
from singan.core.imresize import imresize, imresize_to_shape  # noqa: E402
from singan.eval import fullsize  # noqa: E402
from singan.eval.metrics import patch_swd  # noqa: E402
from singan.io import paths  # noqa: E402
from singan.io.images import read_image, save_image  # noqa: E402

MEASURES = ("drift", "shift", "hf", "sat", "hatch", "swd", "s")


def trained_model(photo: Path, args):
    """The model of `photo` at --max_size / --niter (seed 0), trained unless it is in --models_dir."""
    config = TrainConfig(max_size=args.max_size, niter=args.niter, manualSeed=0)
    model_file = paths.trained_model_file(photo.name, config.scale_factor, config.alpha, root=args.models_dir)
    if model_file.is_file():
        return load(model_file)
    torch.manual_seed(0)
    return train_image(photo, config, model_file, progress=False, previews=False)


def copy_move(photo: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A reference (the photograph with a quarter-size block of its left half pasted into its right half)
    and the mask of the pasted block (1 inside, -1 outside), both at the photograph's size."""
    h, w = photo.shape[-2:]
    bh, bw = h // 4, w // 4
    ref, mask = photo.clone(), torch.full_like(photo, -1.0)
    top, src, dst = h // 2 - bh // 2, w // 8, w - w // 8 - bw
    ref[..., top:top + bh, dst:dst + bw] = photo[..., top:top + bh, src:src + bw]
    mask[..., top:top + bh, dst:dst + bw] = 1
    return ref, mask


def scores(o: torch.Tensor, s: torch.Tensor, p: torch.Tensor, mask: torch.Tensor | None, seconds: float) -> dict:
    values = fullsize.measure(o, s, p, mask)
    values["swd"] = patch_swd(o, p) if mask is None else float("nan")
    values["s"] = seconds
    return values


def upscaled(model, image, size, method, seed, **kwargs):
    torch.manual_seed(seed)
    t = time.perf_counter()
    o = up.to_size(model, image, size, upscaler=method, progress=False, **kwargs).clamp(-1, 1)
    return o, time.perf_counter() - t


def edit(model, ref_full, mask_full, seed, method=None):
    """editing.py's result (at the training size, or at full size by `method`) and the dilated mask."""
    small = tuple(model.reals[-1].shape[-2:])
    ref, mask = imresize_to_shape(ref_full, small), imresize_to_shape(mask_full, small)
    n, full = max(1, model.num_trained - 3), None if method is None else (ref_full, mask_full)
    torch.manual_seed(seed)
    t = time.perf_counter()
    _, blended = apps.masked_injection(model, model.reals[-1], ref, mask, n, apps.EDITING_RADIUS, full=full,
                                       upscaler=method or "patches")
    return blended.clamp(-1, 1), time.perf_counter() - t


def measure_photo(photo_path: Path, args) -> dict[tuple[str, str], list[dict]]:
    """{(task, method): [scores per seed]} of one photograph."""
    model, photo = trained_model(photo_path, args), read_image(photo_path)
    size, results = tuple(photo.shape[-2:]), {}
    ref_full, mask_full = copy_move(photo)
    ratio = size[1] / model.reals[-1].shape[-1]
    soft = apps.dilate_mask(mask_full, round(apps.EDITING_RADIUS * ratio), sigma=apps.MASK_SIGMA * ratio)
    for seed in range(args.seeds):
        s = generate(model, 1, seed=seed)
        edited, _ = edit(model, ref_full, mask_full, seed)
        for method in args.methods:
            o, t = upscaled(model, s, size, method, seed, photo=photo)
            results.setdefault(("samples", method), []).append(scores(o, s, photo, None, t))
            blended, t = edit(model, ref_full, mask_full, seed, method)
            results.setdefault(("editing", method), []).append(scores(blended, edited, ref_full, soft, t))
            if seed == 0 and args.save:
                save_image(Path(args.save) / f"{photo_path.stem}_samples_{method}.png", o)
                save_image(Path(args.save) / f"{photo_path.stem}_editing_{method}.png", blended)
        if seed == 0 and args.save:
            save_image(Path(args.save) / f"{photo_path.stem}_samples_train.png", s)
            save_image(Path(args.save) / f"{photo_path.stem}_editing_train.png", edited)
            save_image(Path(args.save) / f"{photo_path.stem}_editing_reference.png", ref_full)
    return results


def sr_scores(photo_path: Path) -> dict[str, tuple[float, float]]:
    """{method: (RMSE, patch SWD)} of the photograph downscaled 4x and brought back (no model needed)."""
    from singan.apps import detail

    hr = read_image(photo_path)
    hr = hr[:, :, :hr.shape[-2] // 4 * 4, :hr.shape[-1] // 4 * 4]
    lr, size, rows = imresize(hr, 0.25), tuple(hr.shape[-2:]), {}
    for method, out in (("bicubic", detail.bicubic(lr, size)),
                        ("patches", detail.upscale_one(lr, size, lr, None, 4 / 3))):
        out = out.clamp(-1, 1)
        rows[method] = (((out - hr) * 127.5).pow(2).mean().sqrt().item(), patch_swd(out, hr))
    return rows


def mean(rows: list[dict]) -> dict:
    return {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}


def print_tables(results: dict[str, dict], methods: list[str]) -> None:
    head = " ".join(f"{m:>7}" for m in MEASURES)
    print(f"{'photo':>10} {'task':>8} {'method':>8} {head} meets")
    worst: dict[tuple[str, str], dict] = {}
    for name, per in results.items():
        for (task, method), rows in per.items():
            m = mean(rows)
            ok = all(fullsize.meets(r) for r in rows)
            print(f"{name:>10} {task:>8} {method:>8} " + " ".join(f"{m[k]:>7.3f}" for k in MEASURES)
                  + f" {'yes' if ok else 'no':>5}")
            w = worst.setdefault((task, method), dict(m))
            for k in MEASURES:
                w[k] = min(w[k], m[k]) if k == "hf" and m[k] < 1 else max(w[k], m[k])
    print("\nworst photograph per measure (hf: the farthest from 1)")
    print(f"{'task':>8} {'method':>8} {head}")
    for (task, method), w in worst.items():
        print(f"{task:>8} {method:>8} " + " ".join(f"{w[k]:>7.3f}" for k in MEASURES))


def main(args) -> None:
    if args.save:
        Path(args.save).mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    results = {Path(p).name: measure_photo(Path(p), args) for p in args.photos}
    print(f"--max_size {args.max_size} --niter {args.niter}, {args.seeds} seeds")
    print_tables(results, args.methods)
    if args.sr:
        print(f"\nsuper-resolution x4 against the photograph\n{'photo':>10} {'method':>8} {'RMSE':>7} {'SWD':>7}")
        for p in args.photos:
            for method, (rmse, swd) in sr_scores(Path(p)).items():
                print(f"{Path(p).name:>10} {method:>8} {rmse:>7.2f} {swd:>7.4f}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument("photos", nargs="+", help="photographs (full size)")
    p.add_argument("--max_size", type=int, default=100, help="training size of the models")
    p.add_argument("--niter", type=int, default=200, help="training iterations per scale")
    p.add_argument("--models_dir", default="TrainedModels", help="where the models are (or go)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per photograph")
    p.add_argument("--methods", nargs="+", default=list(up.UPSCALERS), choices=up.UPSCALERS)
    p.add_argument("--save", default=None, help="folder for the seed-0 pictures")
    p.add_argument("--sr", action="store_true", help="also super-resolution x4 against the photograph")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    main(p.parse_args())
