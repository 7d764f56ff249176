"""Every image size and --min_size / --max_size / --scale_factor combination either trains a model that
loads, samples and runs every application, or is refused before any work in one line that names the
sizes and a flag value that works (exit 2, nothing written).

The decision is a pure function (`singan.core.pyramid.plan`), checked here over a table of image shapes and
flag sets in milliseconds, against the original's formulas written out again from its description. Every
refusal is then run through main_train.py (in-process): exit 2, that one line, nothing written. Every
accepted geometry builds its real pyramid and passes the checkpoint schema's geometry check (the same
rule), and trains a model that loads and samples (tests/test_geometry_trained.py, slow). A few
representative accepted edge cases also run every application (slow).
"""

import math
import re

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import IMAGES, run_command, untrained_model_file
from singan import SinGANError, TrainConfig, build_model, load, train_image
from singan.api import generate
from singan.core.pyramid import (
    _SR_SCALE_FACTOR_INIT,
    MAX_SCALES,
    adjust_scales,
    adjust_scales_sr,
    finest_size,
    level_sizes,
    plan,
)
from singan.io import checkpoint

SHAPES = {  # name: (H, W); all but "huge" are also written as PNG files for the command runs
    "balloons": (186, 248), "cows": (141, 250), "portrait": (120, 80), "square25": (25, 25), "tiny5": (5, 5),
    "tiny11": (11, 11), "short24": (24, 300), "strip": (25, 4000), "tall_strip": (4000, 25),
    "edge33": (33, 54), "huge_strip": (30, 30000), "one_pixel": (1, 1), "huge": (30000, 30000),
}
FLAGS = {
    "defaults": {}, "max40": {"max_size": 40}, "min11_max40": {"min_size": 11, "max_size": 40},
    "sf0.999": {"scale_factor": 0.999}, "sf0.95": {"scale_factor": 0.95}, "sf1.0": {"scale_factor": 1.0},
    "sf1e-9": {"scale_factor": 1e-9}, "sf_min_float": {"scale_factor": 5e-324},
    "max100000": {"max_size": 100000}, "min100": {"min_size": 100}, "min50_max40": {"min_size": 50, "max_size": 40},
}
SR_FLAGS = {"sr": {"min_size": 18, "scale_factor": _SR_SCALE_FACTOR_INIT},
            "sr_max40": {"min_size": 18, "max_size": 40, "scale_factor": _SR_SCALE_FACTOR_INIT}}
GRID = [(s, f, False) for s in SHAPES for f in FLAGS] + [(s, f, True) for s in SHAPES for f in SR_FLAGS]


def decide(shape: str, flags: str, sr: bool):
    """What training decides for this combination: its ScaleGeometry, or the one-line refusal in the
    command line's words (the line the commands print)."""
    config = TrainConfig(**(SR_FLAGS if sr else FLAGS)[flags])
    try:
        return plan(*SHAPES[shape], config.validate(), sr=sr, name=f"{shape}.png")
    except SinGANError as e:
        return getattr(e, "cli", None) or str(e)


def oracle(shape: str, flags: str, sr: bool) -> bool:
    """Accepted or not, from the original's formulas (REFERENCE 4.1 / 4.2) and the rule in words: valid
    flags, at least two levels, the finest level at least --min_size, at most MAX_SCALES levels."""
    c = TrainConfig(**(SR_FLAGS if sr else FLAGS)[flags])
    if not 0 < c.scale_factor < 1 or c.max_size < c.min_size:
        return False
    (H, W), sf, lo, hi = SHAPES[shape], c.scale_factor, c.min_size, c.max_size
    trunc = int if sr else math.ceil
    num_scales = trunc(math.log(lo / min(H, W)) / math.log(sf)) + 1
    scale2stop = trunc(math.log(min(hi, max(H, W)) / (max(1, W) if sr else max(H, W))) / math.log(sf))
    stop = num_scales - scale2stop
    s1 = min(hi / max(H, W), 1)
    return stop >= 1 and min(math.ceil(H * s1), math.ceil(W * s1)) >= lo and stop + 1 <= MAX_SCALES


# Exact outcomes of the cases the issues name and of the edges: number of levels, or words of the refusal.
EXPECTED = {
    ("balloons", "defaults", False): 9,
    ("cows", "max40", False): "cows.png is 141x250, 23x40 after the --max_size 40 resize: the finest scale, 23x40, "
                              "is shorter than --min_size 25; use --max_size 43 or --min_size 23",
    ("cows", "min11_max40", False): 4,
    ("strip", "defaults", False): "strip.png is 25x4000, 2x250 after the --max_size 250 resize: the finest scale, "
                                  "2x250, is shorter than --min_size 25; use --max_size 4000",
    ("strip", "max100000", False): 2,  # shorter side = --min_size: two scales of one size, factor 1 (as the original)
    ("square25", "defaults", False): 2,
    ("edge33", "max40", False): "edge33.png is 33x54, 25x40 after the --max_size 40 resize: no scales fit between "
                                "--min_size 25 and the finest scale 25x40 (stop scale 0); use --scale_factor 0.74 or "
                                "--max_size 41 or --min_size 24",
    ("balloons", "sf0.999", False): "balloons.png is 186x248: --scale_factor 0.999 gives 2008 scales, more than the "
                                    "50 a model may have; use --scale_factor 0.95",
    ("balloons", "sf0.95", False): 42,
    ("balloons", "sf1e-9", False): 3,
    ("balloons", "sf_min_float", False): 3,
    ("balloons", "sf1.0", False): "--scale_factor 1.0: must be a number in (0, 1)",
    ("tiny5", "defaults", False): "tiny5.png is 5x5: the finest scale, 5x5, is shorter than --min_size 25; use an "
                                  "image of at least 11 pixels on its shorter side",
    ("tiny11", "min11_max40", False): 2,
    ("huge", "defaults", False): 10,
    ("huge_strip", "defaults", False): "huge_strip.png is 30x30000, 1x250 after the --max_size 250 resize: the "
                                       "finest scale, 1x250, is shorter than --min_size 25; use --max_size 24001",
    ("huge_strip", "max100000", False): 3,
    ("portrait", "sr", True): 9,  # the original's SR quirk: stop_scale 8 > num_scales 7
    ("one_pixel", "defaults", False): "use an image of at least 11 pixels",
}


def _suggestions(message: str) -> list[dict]:
    """The flag values a refusal suggests, each as config overrides."""
    tail = message.rsplit("; use ", 1)[-1]
    return [{flag: float(value) if flag == "scale_factor" else int(value)}
            for flag, value in re.findall(r"--(\w+) ([0-9.e-]+)", tail)]


@pytest.mark.parametrize("shape, flags, sr", GRID, ids=[f"{s}-{f}" for s, f, _ in GRID])
def test_decision(shape, flags, sr):
    """Accepted exactly when the original's formulas give a pyramid that meets the rule; an accepted
    geometry is the original's, bit for bit; a refusal is one line naming the sizes with suggestions
    that work (or the image size needed)."""
    result, (h, w) = decide(shape, flags, sr), SHAPES[shape]
    assert isinstance(result, str) != oracle(shape, flags, sr), result
    expected = EXPECTED.get((shape, flags, sr))
    if isinstance(result, str):
        assert "\n" not in result and len(result) < 300
        if isinstance(expected, str):
            assert expected in result
        if not result.startswith("--"):  # a refusal of the geometry (not of a flag's range)
            assert result.startswith(f"{shape}.png is {h}x{w}")
            suggested = _suggestions(result)
            assert suggested or "use an image of at least" in result
            base = (SR_FLAGS if sr else FLAGS)[flags]
            for fix in suggested:
                assert not isinstance(plan(h, w, TrainConfig(**{**base, **fix}).validate(), sr=sr), str), fix
        return
    c = TrainConfig(**(SR_FLAGS if sr else FLAGS)[flags])
    original = (adjust_scales_sr(h, w, c.max_size, c.scale_factor, c.min_size) if sr
                else adjust_scales(h, w, c.min_size, c.max_size, c.scale_factor))
    assert result == original
    assert 2 <= result.num_levels <= MAX_SCALES and 0 < result.scale_factor <= 1
    if isinstance(expected, int):
        assert result.num_levels == expected
    sizes = level_sizes(finest_size(h, w, result.input_resize), result.scale_factor, result.finest_level)
    assert min(sizes[0]) >= c.min_size and sizes == sorted(sizes)  # coarse to fine, never below --min_size


ACCEPTED = [(s, f, sr) for s, f, sr in GRID if oracle(s, f, sr)]
REFUSED = [(s, f, sr) for s, f, sr in GRID if not oracle(s, f, sr)]


def _image(shape: str, seed: int = 0) -> torch.Tensor:
    h, w = SHAPES[shape]
    return torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@pytest.mark.parametrize("shape, flags, sr", ACCEPTED, ids=[f"{s}-{f}" for s, f, _ in ACCEPTED])
def test_accepted_pyramid_passes_the_schema(shape, flags, sr):
    """The real pyramid of every accepted geometry (real resizes, the sizes they give) passes the
    checkpoint schema's geometry check: what trains, loads. The 30000-pixel images are checked as geometry
    only (test_decision): a resize from a 30000-pixel side builds a dense weight matrix of gigabytes."""
    geometry = decide(shape, flags, sr)
    config = TrainConfig(**(SR_FLAGS if sr else FLAGS)[flags])
    if max(SHAPES[shape]) > 5000:
        pytest.skip(f"{SHAPES[shape]}: geometry checked by test_decision only")
    model = build_model(_image(shape), config, geometry if sr else None, name=f"{shape}.png")
    state = {"geometry": checkpoint.geometry_state(geometry), "reals": list(model.reals),
             "num_levels": len(model.reals)}
    checkpoint.check_reals(state, config)


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory):
    """Every shape of the table but the 30000x30000 one, as a random-pixel PNG."""
    folder = tmp_path_factory.mktemp("geometry_images")
    rng = np.random.default_rng(0)
    for name, (h, w) in SHAPES.items():
        if h * w <= 1_000_000:
            Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(folder / f"{name}.png")
    return folder


def _flags(values: dict) -> list[str]:
    return [a for k, v in values.items() for a in (f"--{k}", repr(v) if isinstance(v, float) else str(v))]


FILE_REFUSED = [(s, f, sr) for s, f, sr in REFUSED if s != "huge"]


@pytest.mark.parametrize("shape, flags, sr", FILE_REFUSED, ids=[f"{s}-{f}" for s, f, _ in FILE_REFUSED])
def test_refused_by_the_command(tmp_path, image_dir, monkeypatch, capsys, shape, flags, sr):
    """main_train.py (SR.py for the SR flag sets) refuses: exit 2, the decision's line, nothing written."""
    values = dict((SR_FLAGS if sr else FLAGS)[flags])
    if sr:
        values.pop("scale_factor")  # SR.py computes it from --sr_factor
    argv = ["--input_dir", image_dir, "--input_name", f"{shape}.png", "--device", "cpu", "--niter", "1",
            *_flags(values)]
    before = sorted(image_dir.iterdir())
    proc = run_command("sr" if sr else "train", argv, tmp_path, monkeypatch, capsys)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert decide(shape, flags, sr) in lines[0]
    assert list(tmp_path.iterdir()) == [] and sorted(image_dir.iterdir()) == before


def test_the_api_refuses_before_writing(tmp_path):
    """train_image refuses the issue's cases with the same line, in the API's words (the settings without
    the command line's dashes); the strip no longer reaches describe."""
    for image, config in [(IMAGES / "cows.png", TrainConfig(max_size=40, min_size=25, niter=1)),
                          (IMAGES / "balloons.png", TrainConfig(scale_factor=0.999, niter=1))]:
        with pytest.raises(SinGANError, match=r"^\w+\.png is \d+x\d+.*; use (max_size|scale_factor) ") as e:
            train_image(image, config, tmp_path / "model.pt", progress=False)
        assert "\n" not in str(e.value) and "--" not in str(e.value)
        assert e.value.cli.replace("--", "") == str(e.value) and "; use --" in e.value.cli
    assert list(tmp_path.iterdir()) == []


def _edit_checkpoint(path, edit):
    state = torch.load(path, weights_only=True)
    edit(state)
    torch.save(state, path)
    return path


@pytest.mark.parametrize("edit, words", [
    (lambda s: s["config"].__setitem__("min_size", 31), r"finest scale, 30x40, is shorter than --min_size 31"),
    (lambda s: (s["geometry"].__setitem__("stop_scale", 0), s["reals"].pop(0), s["scales"].pop(0),
                s.__setitem__("num_levels", 1)), r"no scales fit .* \(stop scale 0\)"),
    (lambda s: s["geometry"].__setitem__("scale_factor", -0.5), r"scale factor -0.5 is outside \(0, 1\]"),
])
def test_the_schema_applies_the_same_rule(tmp_path, edit, words):
    """A checkpoint whose geometry breaks the rule is refused on load, in one line."""
    path = _edit_checkpoint(untrained_model_file(tmp_path / "model.pt"), edit)
    with pytest.raises(SinGANError, match=words) as e:
        load(path)
    assert "\n" not in str(e.value)


def test_a_factor_of_one_loads_and_samples(tmp_path, image_dir):
    """A 25x25 image at --min_size 25: two scales of one size (the original trains it); it loads."""
    model = load(untrained_model_file(tmp_path / "model.pt", str(image_dir / "square25.png")))
    assert model.geometry.scale_factor == 1.0 and [tuple(r.shape[-2:]) for r in model.reals] == [(25, 25)] * 2
    assert generate(model, 2).shape == (2, 3, 25, 25)


# ---------------------------------------------------------------- trained (slow)

TRAIN = ["--niter", "2", "--Dsteps", "1", "--Gsteps", "1", "--device", "cpu", "--manualSeed", "1"]
TRAINED = {  # accepted edge cases: image, flags
    "square25": ("square25.png", []),  # factor 1: two 25x25 scales
    "cows_fixed": ("cows.png", ["--max_size", "43", "--min_size", "25"]),  # the refusal's suggestion
    "aspect12": ("strip300.png", ["--max_size", "300"]),  # 25x300, two scales of one size
    "sf_tiny": ("balloons.png", ["--max_size", "40", "--scale_factor", "1e-9"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(TRAINED))
def test_trained_edge_case_loads_samples_and_runs_every_application(tmp_path, image_dir, monkeypatch, capsys, request,
                                                                   case):
    """Train (main_train.py, tiny --niter), load, sample, then harmonization, editing, paint-to-image
    (quantised: retrains a scale), super-resolution and animation (each training its own model from
    the same image with its own geometry)."""
    name, flags = TRAINED[case]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny convolutions: one thread is as fast, and far faster on a busy machine
    request.addfinalizer(lambda: torch.set_num_threads(threads))
    folder = tmp_path / "in"
    folder.mkdir()
    rng = np.random.default_rng(1)
    src = IMAGES / name if (IMAGES / name).exists() else image_dir / name
    if name == "strip300.png":
        Image.fromarray(rng.integers(0, 256, (25, 300, 3), dtype=np.uint8)).save(folder / name)
    else:
        (folder / name).write_bytes(src.read_bytes())
    stem = name.rsplit(".", 1)[0]
    h, w = np.asarray(Image.open(folder / name)).shape[:2]
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(folder / "ref.png")
    mask = np.zeros((h, w, 3), np.uint8)
    mask[h // 3: 2 * h // 3, w // 3: 2 * w // 3] = 255
    Image.fromarray(mask).save(folder / "ref_mask.png")
    common = ["--input_dir", folder, "--input_name", name]
    model_flags = ["--device", "cpu", *flags[flags.index("--scale_factor"):][:2]] if "--scale_factor" in flags \
        else ["--device", "cpu"]  # the flag that names the model's folder
    runs = [("train", [*common, *TRAIN, *flags, "--num_samples", "2"]),
            ("sample", [*common, *model_flags, "--num_samples", "2", "--mode", "random_samples_arbitrary_sizes"]),
            ("harmonize", [*common, *model_flags, "--ref_dir", folder, "--ref_name", "ref.png"]),
            ("edit", [*common, *model_flags, "--ref_dir", folder, "--ref_name", "ref.png"]),
            ("paint2image", [*common, *model_flags, "--ref_dir", folder, "--ref_name", "ref.png",
                             "--quantization_flag", "True", "--niter", "2"]),
            ("sr", [*common, *TRAIN, *flags, "--sr_factor", "1.26"]),
            ("animate", [*common, *TRAIN, *flags, "--num_frames", "2", "--start_scale", "0", "--beta", "0.9"])]
    for command, argv in runs:
        argv = [a for a in argv if not (command == "sr" and a in ("--scale_factor", "1e-9"))]
        proc = run_command(command, argv, tmp_path, monkeypatch, capsys)
        assert proc.returncode == 0, (command, proc.stderr)
    models = sorted((tmp_path / "TrainedModels" / stem).rglob("model.pt"))
    assert len(models) == 4  # trained, paint-trained, SR, animation
    for path in models:
        model = load(path)
        assert model.complete and 2 <= len(model.reals) <= MAX_SCALES
        assert generate(model, 1).shape[-2:] == model.reals[-1].shape[-2:]
    outputs = {p.suffix for p in (tmp_path / "Output").rglob("*.*")}
    assert {".png", ".gif"} <= outputs

