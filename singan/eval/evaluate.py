"""Score a trained SinGAN: the metrics, each registered once (diversity, patch SWD, SIFID), of its random samples.

A metric is one function `(samples, real, options) -> dict` (its entries in evaluate's JSON) decorated
with `register`. Evaluate's JSON and table, a batch's summary and the Places50 table all iterate over
`METRICS` in registration order, so a new metric is one registered function here. The paper's three:
diversity (0 = all samples alike), patch SWD of the 7x7 patches at up to 3 levels of 2x2 pooling, and
SIFID of each sample (mean and std) on pytorch-fid's Inception at `sifid_dims` channels: without the
network it is None in the JSON and `sifid_missing` says why.

`evaluate` draws samples at the training size from a generation start scale and compares them with
the training image as trained (the finest level of the real pyramid); `format_table` prints the result.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor, nn
from tqdm import tqdm

from ..api import SampleOptions, check_sample_args, sample
from ..core.config import between, check_value
from ..core.model import SinGAN
from .fid_inception import DIMS
from .metrics import diversity, patch_swd_levels, sifid

NUM_SAMPLES = between(2, 100000, integer=True)  # samples to score (at least 2: diversity compares them)
SIFID_DIMS = tuple(DIMS)  # SIFID's Inception features (channels)
PATCH_SIZE = 7  # patch SWD patch size
SWD_LEVELS = 3  # patch SWD pyramid levels (fewer for images too small for them)
NO_WEIGHTS = "no FID Inception weights"  # how the tables say SIFID was left out


@dataclass(frozen=True)
class MetricOptions:
    """What every metric gets besides the samples and the training image."""

    seed: int = 0
    inception: nn.Module | None = None  # fid_inception's network at `sifid_dims` channels, or None
    sifid_dims: int = 64
    sifid_missing: str | None = None  # why there is no Inception network
    progress: bool = False  # a line on stderr before each slow metric

    def say(self, text: str) -> None:
        if self.progress:
            print(text, file=sys.stderr, flush=True)


Compute = Callable[[Tensor, Tensor, MetricOptions], dict]  # (samples, real, options) -> JSON entries
Rows = Callable[[dict], list[tuple[str, str]]]  # evaluate's result -> (name, value) rows of its table


@dataclass(frozen=True)
class Metric:
    """One registered metric: how evaluate computes it, and how the tables show it."""

    label: str  # its name in every table: "patch SWD"
    compute: Compute  # its entries of evaluate's JSON
    headline: str  # the JSON key of its one number per sampling setting in a batch's tables: "sifid_mean"
    rows: Rows  # its rows of evaluate's table


METRICS: dict[str, Metric] = {}  # name -> metric, in the order of the JSON and the tables


def register(name: str, label: str, headline: str | None = None,
             rows: Rows | None = None) -> Callable[[Compute], Compute]:
    """Decorator: register `compute` as the metric `name` (see Metric; `headline` defaults to `name`, `rows` to
    one row of the label and the headline number)."""
    def add(compute: Compute) -> Compute:
        if name in METRICS:
            raise ValueError(f"the metric {name!r} is registered already")
        key = headline or name
        METRICS[name] = Metric(label, compute, key, rows or (lambda result: [(label, f"{result[key]:.4f}")]))
        return compute
    return add


@register("diversity", "diversity")
def _diversity(samples: Tensor, real: Tensor, options: MetricOptions) -> dict:
    return {"diversity": diversity(samples, real)}


def _patch_swd_rows(result: dict) -> list[tuple[str, str]]:
    h, w = result["image_size"]
    return [("patch SWD", f"{result['patch_swd']:.4f}")] + [
        (f"  level {level} ({h >> level}x{w >> level})", f"{value:.4f}")
        for level, value in enumerate(result["patch_swd_levels"])]


@register("patch_swd", "patch SWD", rows=_patch_swd_rows)
def _patch_swd(samples: Tensor, real: Tensor, options: MetricOptions) -> dict:
    levels = SWD_LEVELS
    while levels > 1 and min(real.shape[-2:]) // 2 ** (levels - 1) < PATCH_SIZE:  # coarsest level smaller than a patch
        levels -= 1
    options.say(f"patch SWD of {samples.shape[0]} samples at {levels} levels ...")
    swd = patch_swd_levels(samples, real, patch_size=PATCH_SIZE, levels=levels, seed=options.seed)
    return {"patch_swd": sum(swd) / len(swd), "patch_swd_levels": swd, "patch_size": PATCH_SIZE}


def _sifid_rows(result: dict) -> list[tuple[str, str]]:
    name = f"SIFID at {result['sifid_dims']} channels"
    if result["sifid_mean"] is None:
        return [(name, f"- (left out: {NO_WEIGHTS})")]
    return [(name, f"{result['sifid_mean']:.4g} ± {result['sifid_std']:.2g}  ({result['sifid_layer']})")]


@register("sifid", "SIFID", headline="sifid_mean", rows=_sifid_rows)
def _sifid(samples: Tensor, real: Tensor, options: MetricOptions) -> dict:
    entries = {"sifid_dims": options.sifid_dims, "sifid_layer": DIMS[options.sifid_dims],
               "sifid_mean": None, "sifid_std": None, "sifid": None, "sifid_missing": None}
    if options.inception is None:
        return {**entries, "sifid_missing": options.sifid_missing or "no FID Inception network given"}
    options.say(f"SIFID of {samples.shape[0]} samples ...")
    real, samples = (x.expand(-1, 3, -1, -1) for x in (real, samples))  # grey to the 3 channels Inception takes
    scores = sifid(real, samples, options.inception)
    return {**entries, "sifid_mean": scores.mean().item(), "sifid_std": scores.std(correction=0).item(),
            "sifid": scores.tolist()}


def check_settings(model: SinGAN, num_samples: int, gen_start_scale: int = 0, seed: int = 0,
                   batch_size: int | None = None) -> SampleOptions:
    """The sampling settings of `evaluate`, checked once before any work."""
    check_value("num_samples", num_samples, NUM_SAMPLES)
    options = SampleOptions(num_samples, gen_start_scale, seed=seed, batch_size=batch_size).validate()
    check_sample_args(model, options)
    return options


def evaluate(model: SinGAN, num_samples: int, gen_start_scale: int = 0, inception: nn.Module | None = None,
             sifid_dims: int = 64, seed: int = 0, sifid_missing: str | None = None) -> dict:
    """`check_settings`, `draw` and `score`: a JSON-ready dict of the settings, then every metric's entries."""
    samples = draw(model, check_settings(model, num_samples, gen_start_scale, seed))
    return score(model, samples, gen_start_scale, seed, inception, sifid_dims, sifid_missing)


def draw(model: SinGAN, options: SampleOptions, progress: bool = False) -> Tensor:
    """The samples `evaluate` scores for settings `check_settings` gave, clamped to [-1, 1] (as the saved PNGs),
    with a bar over the sampling work (pixels of every scale times the samples) when `progress`."""
    pixels = [r.shape[-2] * r.shape[-1] for r in model.reals[:model.num_trained]]
    with tqdm(total=sum(pixels) * options.num_samples, disable=not progress, file=sys.stderr,
              desc=f"sampling {options.num_samples} images",
              bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} elapsed, {remaining} left") as bar:
        return sample(model, options, on_scale=lambda n, count: bar.update(pixels[n] * count))


def score(model: SinGAN, samples: Tensor, gen_start_scale: int = 0, seed: int = 0, inception: nn.Module | None = None,
          sifid_dims: int = 64, sifid_missing: str | None = None, progress: bool = False) -> dict:
    """The scores of `samples` (drawn by `draw`) against the training image as trained (see `evaluate`)."""
    real = model.reals[-1]
    result = {"input_name": model.name, "gen_start_scale": gen_start_scale, "num_samples": samples.shape[0],
              "seed": seed, "num_scales": model.num_trained, "image_size": list(real.shape[-2:])}
    options = MetricOptions(seed, inception, sifid_dims, sifid_missing, progress)
    for metric in METRICS.values():
        result.update(metric.compute(samples, real, options))
    return result


def format_table(result: dict) -> str:
    """The scores as a small aligned two-column table."""
    h, w = result["image_size"]
    rows = [row for metric in METRICS.values() for row in metric.rows(result)]
    width = max(len(name) for name, _ in rows)
    head = (f"{result['input_name'] or 'model'}: {result['num_samples']} samples of {h}x{w}, gen_start_scale "
            f"{result['gen_start_scale']} of {result['num_scales']} scales, seed {result['seed']}")
    return "\n".join([head] + [f"  {name:<{width}}  {value}" for name, value in rows])
