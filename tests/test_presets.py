"""Named presets and the speed options: --preset fast sets defaults that explicit flags override;
bf16 autocast trains (its CUDA use is covered in test_cuda.py)."""

import math

import pytest
import torch

from helpers import IMAGES, tiny_config
from singan import TrainConfig, build_model
from singan.cli.flags import train_config
from singan.cli.program import apply_preset
from singan.cli.train import get_parser
from singan.core.training import train
from singan.io.images import read_image


def _config(argv: list[str]) -> TrainConfig:
    parser = get_parser()
    apply_preset(parser, argv)
    return train_config(parser.parse_args(argv))


def test_fast_preset_sets_defaults_and_explicit_flags_win():
    default = _config(["--input_name", "x.png"])
    assert (default.niter, default.lr_milestone) == (2000, 1600)
    fast = _config(["--input_name", "x.png", "--preset", "fast"])
    assert (fast.niter, fast.lr_milestone) == (500, 400)
    assert {k: v for k, v in fast.to_dict().items() if k not in ("niter", "lr_milestone")} == \
        {k: v for k, v in default.to_dict().items() if k not in ("niter", "lr_milestone")}
    for argv in (["--niter", "700", "--preset", "fast"], ["--preset", "fast", "--niter", "700"]):
        assert _config(["--input_name", "x.png", *argv]).niter == 700


def test_quick_preset_trains_a_small_image_briefly_and_explicit_flags_win():
    """--preset quick: an 80 px image (5 or 6 scales), 200 iterations per scale, the learning-rate
    drop at the same fraction (0.8) as the default's; everything else as the default config."""
    default = _config(["--input_name", "x.png"])
    quick = _config(["--input_name", "x.png", "--preset", "quick"])
    changed = ("max_size", "niter", "lr_milestone")
    assert [getattr(quick, k) for k in changed] == [80, 200, 160]
    assert quick.lr_milestone / quick.niter == default.lr_milestone / default.niter
    assert {k: v for k, v in quick.to_dict().items() if k not in changed} == \
        {k: v for k, v in default.to_dict().items() if k not in changed}
    assert _config(["--input_name", "x.png", "--preset", "quick", "--max_size", "100"]).max_size == 100
    sizes = build_model(read_image(IMAGES / "balloons.png"), quick).reals
    assert len(sizes) == 5 and max(sizes[-1].shape[-2:]) == 80


@pytest.mark.slow
def test_bf16_autocast_trains_on_cpu(tmp_path):
    losses = {}
    for amp in ("off", "bf16"):
        torch.manual_seed(0)
        model = build_model(read_image(IMAGES / "balloons.png"), tiny_config(niter=10, amp=amp))
        losses[amp] = train(model).scales[-1].losses["rec"]
    assert all(math.isfinite(v) for v in losses["bf16"])
    assert losses["bf16"][-1] < losses["bf16"][0]
    assert losses["bf16"] != losses["off"]  # lower precision: close, not equal
