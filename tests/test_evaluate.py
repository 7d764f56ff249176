"""singan.evaluate and singan.figures end to end on a tiny trained model, as a user runs them."""

import json
import math
import shutil

import pytest
import torch
from PIL import Image
from skimage import io

from helpers import IMAGES, REPO, fid_weights_file, run_command, run_module, tiny_config, untrained_model_file
from singan import build_model, load
from singan.cli import evaluate as evaluate_command
from singan.cli import figures as figures_command
from singan.cli import program as cli
from singan.core.training import train
from singan.eval.evaluate import evaluate, format_table
from singan.eval.fid_inception import WEIGHTS_FILE
from singan.eval.figures import figure_applications, find_application_results
from singan.io import checkpoint, paths
from singan.io.images import read_image

MODEL_DIR = ("TrainedModels", "balloons", "scale_factor=0.750000,alpha=10")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with TrainedModels/balloons/... holding a tiny 2-scale model (30x40), as main_train.py lays it out."""
    cwd = tmp_path_factory.mktemp("evaluate")
    torch.manual_seed(1)
    model = build_model(read_image(IMAGES / "balloons.png"), tiny_config(niter=10), name="balloons.png")
    train(model)
    checkpoint.save(model, paths.trained_model_file("balloons.png", 0.75, 10, root=cwd / "TrainedModels"))
    return cwd


def _evaluate(workdir, gen_start_scale: int, *extra: str, env: dict | None = None) -> tuple[dict, str, str]:
    """The JSON, stdout and stderr of singan.evaluate (no weights in the tests' empty hub cache unless `env`)."""
    proc = run_module("singan.evaluate", "--input_name", "balloons.png", "--num_samples", "6",
                      "--gen_start_scale", str(gen_start_scale), *extra, cwd=workdir, env=env)
    assert "diversity" in proc.stdout and "patch SWD" in proc.stdout
    path = workdir.joinpath(*MODEL_DIR) / f"evaluation_gen_start_scale={gen_start_scale}.json"
    return json.loads(path.read_text()), proc.stdout, proc.stderr


@pytest.mark.slow
def test_evaluate_random_samples_without_inception_weights(workdir):
    result, out, err = _evaluate(workdir, 0)  # the download is refused (tests/conftest.py)
    assert {"diversity", "patch_swd", "patch_swd_levels", "sifid_mean", "sifid_std", "num_samples",
            "gen_start_scale", "image_size", "num_scales"} <= result.keys()
    assert result["num_samples"] == 6 and result["num_scales"] == 2 and result["image_size"] == [30, 40]
    assert result["diversity"] > 0
    assert math.isfinite(result["patch_swd"]) and result["patch_swd"] >= 0
    assert len(result["patch_swd_levels"]) == 3
    assert all(math.isfinite(v) and v >= 0 for v in result["patch_swd_levels"])
    assert result["sifid_mean"] is None and result["sifid"] is None and result["sifid_dims"] == 64
    notes = [line for line in err.splitlines() if "SIFID" in line]  # beside the progress lines of the other metrics
    assert len(notes) == 1 and err.startswith("SIFID left out") and WEIGHTS_FILE in notes[0]
    assert "other metrics were computed" in notes[0] and result["sifid_missing"] == notes[0].strip()
    assert "SIFID at 64 channels  - (left out" in out


@pytest.mark.slow
def test_evaluate_reconstruction_has_no_diversity(workdir):
    model = load(workdir.joinpath(*MODEL_DIR, "model.pt"))
    result = evaluate(model, 4, gen_start_scale=model.num_trained)  # every scale uses its z_rec
    assert result["diversity"] == pytest.approx(0, abs=1e-6)
    assert math.isfinite(result["patch_swd"]) and result["patch_swd"] >= 0
    assert "diversity" in format_table(result)


@pytest.mark.slow
@pytest.mark.parametrize("dims", [64, 192])
def test_evaluate_sifid_from_the_hub_cache(workdir, tmp_path, dims):
    fid_weights_file(tmp_path / "torch" / "hub" / "checkpoints")  # random weights: only the plumbing is tested
    result, out, err = _evaluate(workdir, 1, "--sifid_dims", str(dims), env={"TORCH_HOME": str(tmp_path / "torch")})
    assert "SIFID left out" not in err and result["sifid_missing"] is None
    assert len(result["sifid"]) == 6 and result["sifid_dims"] == dims
    assert result["sifid_layer"].startswith(f"{dims} channels, after the {'first' if dims == 64 else 'second'}")
    assert math.isfinite(result["sifid_mean"]) and result["sifid_mean"] > -1e-6
    assert math.isfinite(result["sifid_std"]) and result["sifid_std"] >= 0
    assert f"SIFID at {dims} channels  {result['sifid_mean']:.4g}" in out and result["sifid_layer"] in out


@pytest.mark.slow
def test_evaluate_sifid_from_a_given_file(workdir, tmp_path):
    weights = fid_weights_file(tmp_path / "elsewhere")
    result, _, err = _evaluate(workdir, 0, "--inception_weights", str(weights))
    assert "SIFID left out" not in err and len(result["sifid"]) == 6 and result["sifid_dims"] == 64


@pytest.mark.slow
def test_evaluate_missing_model_is_one_line(workdir):
    proc = run_module("singan.evaluate", "--input_name", "missing.png", cwd=workdir, check=False)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error: no trained model")


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--input_name", "balloons.png", "--gen_start_scale", "3"],
                                  ["--input_name", "balloons.png", "--num_samples", "1"],
                                  ["--input_name", "balloons.png", "--inception_weights", "nowhere.pth"]])
def test_evaluate_bad_input_is_one_line(workdir, capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        cli.run_command(evaluate_command, [*args, "--models_dir", str(workdir / "TrainedModels"), "--device", "cpu"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")


@pytest.mark.slow
def test_figures(workdir):
    proc = run_module("singan.figures", "--input_name", "balloons.png", "--out", "figs", "--num_samples", "3",
                      cwd=workdir)
    assert "generation_from_scales.png" in proc.stdout
    grid = io.imread(workdir / "figs" / "generation_from_scales.png")
    sizes = io.imread(workdir / "figs" / "arbitrary_sizes.png")
    for image in (grid, sizes):
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
        assert image[..., :3].std() > 10  # not blank
    assert grid.shape[1] > grid.shape[0]  # 2 rows of 4 landscape images
    assert sizes.shape[1] > 2 * sizes.shape[0]  # one row of 5 images, 6 image widths in all
    assert not (workdir / "figs" / "applications.png").exists()


def test_figures_without_anything_to_draw_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.run_command(figures_command, ["--device", "cpu"])
    assert exit_info.value.code == 2 and capsys.readouterr().err.startswith("error: nothing to draw")


def test_figure_applications(tmp_path):
    outputs = tmp_path / "Output"
    harm = outputs / "Harmonization" / "starry_night" / "scale_factor=0.750000,alpha=10" / "starry_night_naive_out"
    edit = outputs / "Editing" / "stone" / "scale_factor=0.750000,alpha=10" / "stone_edit_out"
    sr = outputs / "SR" / "4.0" / "scale_factor=0.793701,alpha=100"
    for folder in (harm, edit, sr):
        folder.mkdir(parents=True)
    shutil.copy(IMAGES / "starry_night.png", harm / "start_scale=3.png")
    shutil.copy(IMAGES / "starry_night.png", harm / "starry_night_naive_mask_dilated.png")  # not a result
    shutil.copy(IMAGES / "stone.png", edit / "start_scale=2.png")  # editing: only the _masked one is shown
    shutil.copy(IMAGES / "stone.png", edit / "start_scale=2_masked.png")
    shutil.copy(IMAGES / "33039_LR.png", sr / "missing_HR.png")  # its input is not in input/images
    paint = outputs / "Paint2image" / "cows" / "scale_factor=0.750000,alpha=10" / "cows_out"
    paint.mkdir(parents=True)
    (paint / "start_scale=1.png").write_bytes(b"not a png")  # unreadable: left out of the figure
    results = find_application_results(outputs, REPO / "input")
    assert [r["application"] for r in results] == ["Harmonization", "Editing", "Paint2image", "SR"]
    assert [r["output"].name for r in results] == ["start_scale=3.png", "start_scale=2_masked.png",
                                                   "start_scale=1.png", "missing_HR.png"]
    assert results[0]["input"] == REPO / "input" / "Harmonization" / "starry_night_naive.png"
    assert results[3]["input"] is None
    path = figure_applications(outputs, tmp_path / "figs", REPO / "input")
    image = io.imread(path)
    assert image.shape[0] > 3 * 200 and image.shape[1] > 300
    assert figure_applications(tmp_path / "empty", tmp_path / "figs2") is None
    assert not (tmp_path / "figs2").exists()


def test_figure_applications_finds_inputs_outside_input_and_keeps_to_one_image(tmp_path, monkeypatch, capsys):
    """A harmonization with its reference outside input/ records where the reference was: the figures find
    it from any folder without --applications_inputs; a result without a record finds its input in the
    input/ folder beside Output/; with --input_name only that image's results are drawn."""
    work, refs, elsewhere = tmp_path / "work", tmp_path / "my refs", tmp_path / "elsewhere"
    for folder in (refs, elsewhere):
        folder.mkdir()
    untrained_model_file(work / "TrainedModels" / "balloons" / "scale_factor=0.750000,alpha=10" / "model.pt")
    shutil.copy(IMAGES / "balloons.png", refs / "pasted.png")
    mask = Image.new("L", Image.open(refs / "pasted.png").size)
    mask.paste(255, (60, 40, 120, 100))
    mask.save(refs / "pasted_mask.png")
    proc = run_command("harmonize", ["--input_dir", IMAGES, "--input_name", "balloons.png", "--ref_dir", refs,
                                     "--ref_name", "pasted.png", "--harmonization_start_scale", "1", "--not_cuda"],
                       work, monkeypatch, capsys)
    assert proc.returncode == 0, proc.stderr
    other = work / "Output" / "Harmonization" / "stone" / "scale_factor=0.750000,alpha=10" / "stone_naive_out"
    other.mkdir(parents=True)
    shutil.copy(IMAGES / "stone.png", other / "start_scale=2.png")
    (work / "input" / "Harmonization").mkdir(parents=True)
    shutil.copy(IMAGES / "stone.png", work / "input" / "Harmonization" / "stone_naive.png")

    monkeypatch.chdir(elsewhere)  # no input/ here
    results = find_application_results(work / "Output")
    assert [(r["output"].parent.parent.parent.name, r["input"]) for r in results] == [
        ("balloons", refs / "pasted.png"), ("stone", work / "input" / "Harmonization" / "stone_naive.png")]
    one = find_application_results(work / "Output", image="balloons.png")
    assert [r["output"].parent.parent.parent.name for r in one] == ["balloons"]
    proc = run_command("figures", ["--applications", work / "Output", "--input_name", "balloons.png",
                                   "--models_dir", work / "TrainedModels", "--device", "cpu"], elsewhere,
                       monkeypatch, capsys)
    assert proc.returncode == 0, proc.stderr
    assert (elsewhere / "figures" / "applications.png").is_file()
