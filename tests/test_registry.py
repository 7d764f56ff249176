"""The metric registry: a metric registered once shows in evaluate's JSON and table, in a batch's summary
row and columns and in the Places50 table, with no other file touched; the registered three keep their
JSON keys."""

import pytest
import torch

from helpers import random_model
from singan.batch import places50
from singan.batch.job import columns, format_csv, metric_cells
from singan.eval.evaluate import METRICS, MetricOptions, evaluate, format_table, register

JSON_KEYS = ["input_name", "gen_start_scale", "num_samples", "seed", "num_scales", "image_size",
             "diversity", "patch_swd", "patch_swd_levels", "patch_size",
             "sifid_dims", "sifid_layer", "sifid_mean", "sifid_std", "sifid", "sifid_missing"]


@pytest.fixture(scope="module")
def model():
    return random_model()  # untrained: the plumbing, not the scores


@pytest.fixture
def dummy():
    """A metric registered for one test (then removed): the samples' mean brightness, and the seed it got."""
    @register("brightness", "brightness", headline="brightness_mean")
    def brightness(samples: torch.Tensor, real: torch.Tensor, options: MetricOptions) -> dict:
        return {"brightness_mean": samples.mean().item(), "brightness_seed": options.seed}

    yield METRICS["brightness"]
    del METRICS["brightness"]


def test_evaluate_json_holds_the_registered_metrics_keys(model):
    result = evaluate(model, 3, seed=2, sifid_missing="no weights here")
    assert list(result) == JSON_KEYS and list(METRICS) == ["diversity", "patch_swd", "sifid"]
    assert result["sifid_missing"] == "no weights here" and result["sifid_mean"] is None
    with pytest.raises(ValueError, match="registered already"):
        register("diversity", "diversity")(lambda samples, real, options: {})


def test_a_registered_metric_shows_everywhere(model, dummy):
    results = {name: evaluate(model, 3, start, seed=2) for name, start in (("N", 0), ("N-1", 1))}
    result = results["N"]
    assert list(result) == JSON_KEYS + ["brightness_mean", "brightness_seed"] and result["brightness_seed"] == 2
    table = format_table(result).splitlines()
    assert table[-2].startswith("  SIFID at 64 channels") and table[-1].split() == [
        "brightness", f"{result['brightness_mean']:.4f}"]
    row = {"image": "balloons.png", "status": "done"}
    for name, scores in results.items():
        row.update(metric_cells(scores, name))
    assert row["brightness N"] == result["brightness_mean"] and row["brightness N-1"] != row["brightness N"]
    assert columns()[6:] == ["diversity N", "patch SWD N", "SIFID N", "brightness N", "diversity N-1",
                             "patch SWD N-1", "SIFID N-1", "brightness N-1", "SIFID dims", "error"]
    csv = format_csv([row]).splitlines()
    assert csv[1].split(",")[csv[0].split(",").index("brightness N")] == f"{result['brightness_mean']:.4f}"
    text = places50.format_table([row], [(0.01, 0.02)])
    assert "| samples | patch SWD | diversity | SIFID (no FID Inception weights) | brightness |" in text
    assert f"| {result['brightness_mean']:.4f} / {result['brightness_mean']:.4f} |\n" in text
    assert "| original SinGAN, published sample (N), at full size | 0.0200 / 0.0200 | - | - | - |" in text
