"""The SinGAN paper's quantitative benchmark, from one command: Places50 through the batch runner (docs/batch.md).

Trains the first --images images of places50/images (1.jpg, 2.jpg, ...) with singan.batch, then the
paper's table: mean and median over the images of every registered metric (patch SWD first) of the samples
from gen_start_scale 0 ("N") and 1 ("N-1"). Beside it, the patch SWD of the original SinGAN's published
sample of each image (places50/published/singan/<i>.png, drawn from the coarsest scale) by the same code:
once resized to this run's training size (as the training image is), once at full size.
"""

import os
import statistics
from pathlib import Path

from torch import Tensor

from ..api import build_model
from ..core.config import TrainConfig
from ..errors import SinGANError
from ..eval.evaluate import METRICS, NO_WEIGHTS, MetricOptions
from ..eval.fid_inception import DIMS
from ..io.images import read_image
from .job import SETTINGS

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


def _swd(sample: Tensor, real: Tensor) -> float:
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
    return f"{statistics.mean(values):.4f} / {statistics.median(values):.4f}" if values else "-"


def format_table(rows: list[dict], published: list[tuple[float, float]]) -> str:
    """The paper's table (mean / median over the images) as Markdown."""
    done = [r for r in rows if r["status"] == "done"]
    swd = METRICS["patch_swd"]  # first: the published samples have it too; then the others as registered
    metrics = [swd] + [m for m in METRICS.values() if m is not swd]
    ran = sorted({r["SIFID dims"] for r in done if r.get("SIFID dims")})  # the Inception layers SIFID ran at
    sifid = f"{METRICS['sifid'].label} ({', '.join(DIMS[dims] for dims in ran) if ran else NO_WEIGHTS})"
    headings = [sifid if m is METRICS["sifid"] else m.label for m in metrics]
    lines = [f"Places50, {len(done)} of {len(rows)} images trained; mean / median over the images", "",
             "| samples | " + " | ".join(headings) + " |", "|---|" + "---|" * len(metrics)]
    for name, start in SETTINGS.items():
        cells = [_stats([r.get(f"{m.label} {name}") for r in done]) for m in metrics]
        lines.append(f"| this run, gen_start_scale {start} ({name}) | " + " | ".join(cells) + " |")
    others = " | -" * (len(metrics) - 1)  # the published samples have patch SWD only
    for i, size in enumerate(("at this run's training size", "at full size")):
        lines.append(f"| original SinGAN, published sample (N), {size} | {_stats([p[i] for p in published])}{others} |")
    return "\n".join(lines) + "\n"
