"""Score a trained SinGAN: every registered metric (singan.eval.registry) of its random samples.

`evaluate` draws samples at the training size from a generation start scale and compares them with
the training image as trained (the finest level of the real pyramid); `format_table` prints the result.
"""

import sys

from torch import Tensor, nn
from tqdm import tqdm

from ..api import SampleOptions, check_sample_args, sample
from ..core.config import between, check_value
from ..core.model import SinGAN
from .fid_inception import DIMS
from .registry import METRICS, MetricOptions

NUM_SAMPLES = between(2, 100000, integer=True)  # samples to score (at least 2: diversity compares them)
SIFID_DIMS = tuple(DIMS)  # SIFID's Inception features (channels)


def check_settings(model: SinGAN, num_samples: int, gen_start_scale: int = 0, seed: int = 0,
                   batch_size: int | None = None) -> SampleOptions:
    """The sampling settings of `evaluate`, checked once before any work: the sample count (NUM_SAMPLES), the
    sampling rules and what depends on the model (`singan.api.check_sample_args`)."""
    check_value("num_samples", num_samples, NUM_SAMPLES)
    options = SampleOptions(num_samples, gen_start_scale, seed=seed, batch_size=batch_size).validate()
    check_sample_args(model, options)
    return options


def evaluate(model: SinGAN, num_samples: int, gen_start_scale: int = 0, inception: nn.Module | None = None,
             sifid_dims: int = 64, seed: int = 0, sifid_missing: str | None = None) -> dict:
    """`check_settings`, `draw` and `score`: a JSON-ready dict of the settings, then each registered metric's
    entries (SIFID's are None without `inception`, and `sifid_missing` says why)."""
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
