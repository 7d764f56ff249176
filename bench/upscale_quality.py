"""Full-size quality: every upscaler on photographs, by the measures of `singan.eval.fullsize` and patch SWD.

    python bench/upscale_quality.py PHOTO [PHOTO ...] [--max_size 100] [--niter 200] [--models_dir DIR]
        [--seeds 3] [--methods bicubic chain patches] [--save DIR] [--sr]

Per photograph, a SinGAN trained at --max_size / --niter (main_train.py's layout under --models_dir,
trained here when it is not there) and, per seed, what each command writes at the photograph's size
by each method, measured against what it writes at the training size (S):
- samples: random_samples.py's sample; wide: --mode random_samples_arbitrary_sizes --scale_h 1.5;
- harmonize / edit: a reference made from the photograph (a block of it pasted elsewhere, darker and
  warmer for harmonize) and its mask, injected at the scale two below the finest, pasted through the
  dilated mask (radius 7 / 20); the measures inside the dilated mask, hf against the full-size reference;
- paint: the photograph made a painting (smoothed, 4 levels a channel) injected at scale 1.
Printed: drift, shift, hf, sat, sat_s, hatch (see `singan.eval.fullsize`; thresholds drift <= 6,
shift <= 4, 0.4 <= hf <= 1.5, sat <= +0.02), patch SWD against the photograph and seconds per image, per
photograph and method (means over the seeds; "meets": every seed within the thresholds), then per method
the worst photograph's value of each measure.

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
from singan import TrainConfig, generate, load, train_image  # noqa: E402
from singan.apps import injection  # noqa: E402
from singan.apps import upscale as up  # noqa: E402
from singan.core.imresize import imresize, imresize_to_shape  # noqa: E402
from singan.eval import fullsize  # noqa: E402
from singan.eval.metrics import patch_swd  # noqa: E402
from singan.io import paths  # noqa: E402
from singan.io.images import read_image, save_image  # noqa: E402

MEASURES = ("drift", "shift", "hf", "sat", "sat_s", "hatch", "swd", "s")


def trained_model(photo: Path, args):
    """The model of `photo` at --max_size / --niter (seed 0), trained unless it is in --models_dir."""
    config = TrainConfig(max_size=args.max_size, niter=args.niter, manualSeed=0)
    model_file = paths.trained_model_file(photo.name, config.scale_factor, config.alpha, root=args.models_dir)
    if model_file.is_file():
        return load(model_file)
    torch.manual_seed(0)
    return train_image(photo, config, model_file, progress=False, previews=False)


def copy_move(photo: torch.Tensor, recolour: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """A reference (the photograph with a quarter-size block of its left half pasted into its right half,
    darker and warmer when `recolour`: a naive paste to harmonize) and the mask of the pasted block (1
    inside, -1 outside), both at the photograph's size."""
    h, w = photo.shape[-2:]
    bh, bw = h // 4, w // 4
    ref, mask = photo.clone(), torch.full_like(photo, -1.0)
    top, src, dst = h // 2 - bh // 2, w // 8, w - w // 8 - bw
    block = photo[..., top:top + bh, src:src + bw]
    if recolour:
        block = (0.8 * block + torch.tensor([0.15, 0.0, -0.15]).view(1, 3, 1, 1)).clamp(-1, 1)
    ref[..., top:top + bh, dst:dst + bw] = block
    mask[..., top:top + bh, dst:dst + bw] = 1
    return ref, mask


def painting(photo: torch.Tensor) -> torch.Tensor:
    """The photograph as a painting: flat colours, 4 levels a channel, smoothed first."""
    smooth = torch.nn.functional.avg_pool2d(photo, 5, 1, 2, count_include_pad=False)
    return ((smooth + 1) * 1.5).round() / 1.5 - 1


def task_output(task: str, model, photo: torch.Tensor, seed: int, method: str | None):
    """What a command writes for `task` (the training-size result when `method` is None): (output, the
    image hf and sat compare with, the mask the measures look inside or None)."""
    size, small = tuple(photo.shape[-2:]), tuple(model.reals[-1].shape[-2:])
    kwargs = {"upscaler": method, "progress": False}
    if task in ("samples", "wide"):
        scale_h = 1.5 if task == "wide" else 1.0
        s = generate(model, 1, seed=seed, scale_h=scale_h)
        if method is None:
            return s, photo, None
        torch.manual_seed(seed)
        return up.to_size(model, s, (size[0], round(size[1] * scale_h)), photo=photo, **kwargs), photo, None
    if task == "paint":
        torch.manual_seed(seed)
        out = injection.inject(model, imresize_to_shape(painting(photo), small), 1,
                          **({} if method is None else {"out_size": size, "upscaler": method, "photo": photo}))
        return out, photo, None
    ref_full, mask_full = copy_move(photo, recolour=task == "harmonize")
    radius = injection.HARMONIZATION_RADIUS if task == "harmonize" else injection.EDITING_RADIUS
    ratio = size[1] / small[1]
    soft = injection.dilate_mask(mask_full, round(radius * ratio), sigma=injection.MASK_SIGMA * ratio)
    ref, mask = imresize_to_shape(ref_full, small), imresize_to_shape(mask_full, small)
    torch.manual_seed(seed)
    _, blended = injection.masked_injection(model, model.reals[-1], ref, mask, max(1, model.num_trained - 3), radius,
                                       full=None if method is None else (ref_full, mask_full),
                                       upscaler=method or "patches")
    return blended, ref_full, soft


TASKS = ("samples", "wide", "harmonize", "edit", "paint")


def measure_photo(photo_path: Path, args) -> dict[tuple[str, str], list[dict]]:
    """{(task, method): [scores per seed]} of one photograph."""
    model, photo = trained_model(photo_path, args), read_image(photo_path)
    results = {}
    for seed in range(args.seeds):
        for task in TASKS:
            s, _, _ = task_output(task, model, photo, seed, None)
            for method in args.methods:
                begin = time.perf_counter()
                o, p, mask = task_output(task, model, photo, seed, method)
                seconds = time.perf_counter() - begin
                o = o.clamp(-1, 1)
                values = fullsize.measure(o, s.clamp(-1, 1), p, mask)
                values["swd"] = patch_swd(o, photo) if task in ("samples", "paint") else float("nan")
                values["s"] = seconds
                results.setdefault((task, method), []).append(values)
                if seed == 0 and args.save:
                    save_image(Path(args.save) / f"{photo_path.stem}_{task}_{method}.png", o)
            if seed == 0 and args.save:
                save_image(Path(args.save) / f"{photo_path.stem}_{task}_train.png", s)
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
