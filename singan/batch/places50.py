"""The SinGAN paper's quantitative benchmark, from one command: Places50 through the batch runner.

    python -m singan.benchmark places50                                   # the 50 images, default config
    python -m singan.benchmark places50 --images 10 --max_size 80 --niter 300   # a subset, reduced config

Trains the first --images images of places50/images (1.jpg, 2.jpg, ...) with singan.batch, then
prints the paper's table: mean and median over the images of every registered metric (patch SWD
first, then singan.eval.registry's others: diversity and SIFID, whenever the FID Inception weights
are there, see singan.eval.fid_inception; the header names the Inception layer) of the samples from
gen_start_scale 0 (the paper's "N") and 1 ("N-1"). Next to it, the patch SWD of the original
SinGAN's published sample of the same images (places50/published/singan/<i>.png, one per image,
drawn from the coarsest scale), computed by the same code: once resized to the training size of
this run (as the training image is), once at the full image size. The dataset is looked up in
$SINGAN_SHARED/datasets/places50, else in ../shared/datasets/places50 beside the repository (or pass
--dataset_dir). The table is also written to <out>/benchmark.md.
"""

import os
import statistics
from pathlib import Path

import torch

from ..api import build_model
from ..core.config import TrainConfig
from ..errors import SinGANError
from ..eval.registry import METRICS, Metric, MetricOptions
from ..io.images import read_image

NUM_IMAGES = 50


def default_dataset_dir() -> Path:
    """$SINGAN_SHARED/datasets/places50, else shared/datasets/places50 beside the repository."""
    shared = os.environ.get("SINGAN_SHARED", Path(__file__).resolve().parents[3] / "shared")
    return Path(shared) / "datasets" / "places50"


def places50_images(dataset_dir: Path, count: int) -> list[Path]:
    """images/1.jpg .. images/<count>.jpg, each with its published sample; one-line errors otherwise."""
    if not 1 <= count <= NUM_IMAGES:
        raise SinGANError(f"--images must be between 1 and {NUM_IMAGES} (got {count})")
    images = [dataset_dir / "images" / f"{i}.jpg" for i in range(1, count + 1)]
    missing = [p for p in images if not p.is_file() or not published_sample(p).is_file()]
    if missing:
        raise SinGANError(f"Places50 is incomplete or missing: no {missing[0]} or its published sample "
                          "(set SINGAN_SHARED or pass --dataset_dir)")
    return images


def published_sample(image: Path) -> Path:
    return image.parent.parent / "published" / "singan" / f"{image.stem}.png"


def _swd(sample: torch.Tensor, real: torch.Tensor) -> float:
    """Patch SWD (mean over levels) as singan.evaluate scores it: the registered metric, seed 0."""
    return METRICS["patch_swd"].compute(sample, real, MetricOptions())["patch_swd"]


def published_swd(image: Path, config: TrainConfig) -> tuple[float, float]:
    """Patch SWD of the published sample to its image: (at this config's training size, at full size)."""
    real, sample = read_image(image, config.nc_im), read_image(published_sample(image), config.nc_im)
    if sample.shape != real.shape:
        raise SinGANError(f"{published_sample(image)} is {tuple(sample.shape[-2:])}, not the size of {image}")
    trained = build_model(real, config)
    resized = build_model(sample, config, trained.geometry)
    return _swd(resized.reals[-1], trained.reals[-1]), _swd(sample, real)


def _stats(values: list) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{statistics.mean(values):.4f} / {statistics.median(values):.4f}"


def _heading(metric: Metric, done: list[dict]) -> str:
    """A metric's column heading: its label, and the variants the images ran it as (or why none did)."""
    if metric.variant is None:
        return metric.label
    ran = sorted({r[metric.variant.column] for r in done if r.get(metric.variant.column)})
    return f"{metric.label} ({', '.join(map(metric.variant.describe, ran)) if ran else metric.variant.missing})"


def format_table(rows: list[dict], published: list[tuple[float, float]]) -> str:
    """The paper's table (mean / median over the images) as Markdown."""
    done = [r for r in rows if r["status"] == "done"]
    swd = METRICS["patch_swd"]  # first: the published samples have it too; then the others as registered
    metrics = [swd] + [m for m in METRICS.values() if m is not swd]
    lines = [f"Places50, {len(done)} of {len(rows)} images trained; mean / median over the images", "",
             "| samples | " + " | ".join(_heading(m, done) for m in metrics) + " |", "|---|" + "---|" * len(metrics)]
    for name, start in (("N", 0), ("N-1", 1)):
        cells = [_stats([r.get(f"{m.label} {name}") for r in done]) for m in metrics]
        lines.append(f"| this run, gen_start_scale {start} ({name}) | " + " | ".join(cells) + " |")
    others = " | -" * (len(metrics) - 1)  # the published samples have patch SWD only
    lines.append(f"| original SinGAN, published sample (N), at this run's training size | "
                 f"{_stats([p[0] for p in published])}{others} |")
    lines.append(f"| original SinGAN, published sample (N), at full size | "
                 f"{_stats([p[1] for p in published])}{others} |")
    return "\n".join(lines) + "\n"
