"""Bad input gives one line on stderr, exit status 2, no traceback, and changes no file (the commands run
in-process through the same `singan.cli.program.run` as the scripts; tests/test_bad_inputs.py also runs real
scripts)."""

import pickle
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import IMAGES, run_command
from singan import SinGANError
from singan.io import checkpoint


def _snapshot(root):
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _assert_user_error(proc, *words):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notes.png").write_text("this is not an image")
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(folder / "tiny.png")
    # A sentinel output that must survive every failed run:
    (tmp_path / "Output").mkdir()
    (tmp_path / "Output" / "keep.txt").write_text("precious")
    return tmp_path, folder


@pytest.mark.parametrize("name, words", [
    ("missing.png", ["not found", "missing.png"]),
    ("notes.png", ["cannot read", "notes.png"]),
    ("tiny.png", ["20x30", "--min_size 25"]),
])
def test_bad_training_images(inputs, monkeypatch, capsys, name, words):
    cwd, folder = inputs
    before = _snapshot(cwd)
    proc = run_command("train", ["--input_dir", folder, "--input_name", name, "--not_cuda", "--niter", "1"], cwd,
                       monkeypatch, capsys)
    _assert_user_error(proc, *words)
    assert _snapshot(cwd) == before
    assert not (cwd / "TrainedModels").exists()


def test_unknown_mode(inputs, monkeypatch, capsys):
    cwd, _ = inputs
    proc = run_command("train", ["--input_name", "balloons.png", "--mode", "paint"], cwd, monkeypatch, capsys)
    _assert_user_error(proc, "--mode", "paint")


def test_random_samples_without_model(inputs, monkeypatch, capsys):
    cwd, _ = inputs
    proc = run_command("sample", ["--input_name", "balloons.png", "--mode", "random_samples", "--not_cuda"], cwd,
                       monkeypatch, capsys)
    _assert_user_error(proc, "no trained model", "main_train.py")


@pytest.mark.parametrize("command, extra", [("sample", []), ("harmonize", ["--ref_name", "x.png"]),
                                            ("paint2image", ["--ref_name", "x.png"]), ("evaluate", [])])
def test_a_missing_model_says_where_it_looked_and_which_flags_point_elsewhere(inputs, monkeypatch, capsys,
                                                                              command, extra):
    """Run from a folder without the model: the line names the full path looked at, --models_dir and
    --input_dir; nothing (not even the random seed) is printed before it."""
    cwd, _ = inputs
    proc = run_command(command, ["--input_name", "balloons.png", "--not_cuda", *extra], cwd, monkeypatch, capsys)
    model = cwd / "TrainedModels" / "balloons" / "scale_factor=0.750000,alpha=10" / "model.pt"
    _assert_user_error(proc, f"no trained model at {model}:", "main_train.py --input_name balloons.png",
                       "--models_dir (now TrainedModels)", "--input_dir (now input/images)")
    assert proc.stdout == ""


class Foreign:  # a class no singan checkpoint contains
    def __reduce__(self):
        return (print, ("this code must never run",))


def test_truncated_and_foreign_checkpoints_are_refused(tmp_path):
    from helpers import tiny_config
    from singan import build_model
    from singan.io.images import read_image

    model = build_model(read_image(IMAGES / "balloons.png"), tiny_config())
    good = checkpoint.save(model, tmp_path / "good.pt")
    data = good.read_bytes()
    (tmp_path / "truncated.pt").write_bytes(data[: len(data) // 2])
    torch.save({"format": "singan", "payload": Foreign()}, tmp_path / "foreign.pt")
    (tmp_path / "plain.pt").write_bytes(pickle.dumps(Foreign()))
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    newer = {**torch.load(good, weights_only=True), "version": checkpoint.VERSION + 1}
    torch.save(newer, tmp_path / "newer.pt")
    for name, words in [("truncated.pt", "cannot read"), ("foreign.pt", "cannot read"), ("plain.pt", "cannot read"),
                        ("other.pt", "not a singan checkpoint"), ("newer.pt", "newer")]:
        with pytest.raises(SinGANError, match=words) as e:
            checkpoint.read_state(tmp_path / name)
        assert "\n" not in str(e.value)
    assert zipfile.is_zipfile(good)


def test_unfinished_model_needs_allow_partial(tmp_path):
    from helpers import tiny_config
    from singan import build_model, load
    from singan.io.images import read_image

    model = build_model(read_image(IMAGES / "balloons.png"), tiny_config())
    path = checkpoint.save(model, tmp_path / "model.pt")
    with pytest.raises(SinGANError, match="0 of 2 scales"):
        load(path)


def test_memory_check_names_a_max_size_that_fits():
    from helpers import tiny_config
    from singan import build_model
    from singan.io.images import read_image
    from singan.runtime.memory import BASELINE_BYTES, check_memory, training_bytes

    model = build_model(read_image(IMAGES / "balloons.png"), tiny_config(max_size=250))
    need = training_bytes(model)
    check_memory(model, torch.device("cpu"), available=need)  # fits: no error
    with pytest.raises(SinGANError, match=r"--max_size (\d+) would fit") as e:
        check_memory(model, torch.device("cpu"), available=BASELINE_BYTES + (need - BASELINE_BYTES) // 4)
    assert "--max_size 125 would fit" in str(e.value)  # a quarter of the memory: half the side


def test_nan_loss_stops_with_the_scale_and_iteration(tmp_path):
    from helpers import tiny_config
    from singan import build_model
    from singan.io.images import read_image
    from singan.runtime.training_run import run_training

    model = build_model(read_image(IMAGES / "balloons.png"), tiny_config(niter=3))
    model.config.alpha = float("nan")  # past validation (which refuses --alpha nan): a NaN reconstruction loss
    saved = []
    with pytest.raises(SinGANError, match="scale 0, iteration 0") as e:
        run_training(model, save=lambda m, r: saved.append(r), progress=False)
    assert "\n" not in str(e.value) and "NaN" in str(e.value)
    assert saved == [] and model.num_trained == 0  # nothing half-trained was saved as finished
