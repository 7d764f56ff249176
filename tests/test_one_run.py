"""Every output is what the command says it is: exact folder names, one run's files per folder (claimed
by one writer), no model silently reused with other settings, no flag accepted and ignored, RGB / L PNGs."""

import json
import subprocess
import sys
import threading

import pytest
import torch
from PIL import Image

from helpers import ENV, IMAGES, REPO, run_command, untrained_model_file
from singan import SinGANError, TrainConfig, api, build_model
from singan.apps.sr import sr_chain
from singan.batch import runner as batch
from singan.cli import batch as batch_command
from singan.cli import benchmark as benchmark_command
from singan.cli import evaluate as evaluate_command
from singan.cli import program as cli
from singan.cli import train as train_command
from singan.cli.flags import train_config
from singan.io import paths
from singan.io.checkpoint import check_existing
from singan.io.images import read_image
from singan.io.lock import result_folder

MODEL = "scale_factor=0.750000,alpha=10"
TINY = ["--min_size", "25", "--max_size", "40"]


def _model(cwd, **config):
    return untrained_model_file(cwd / "TrainedModels" / "balloons" / MODEL / "model.pt", **config)


def _sample(cwd, monkeypatch, capsys, *extra):
    return run_command("sample", ["--input_name", "balloons.png", "--not_cuda", "--seed", "0", *extra], cwd,
                       monkeypatch, capsys)


def _one_line_refusal(proc, *words):
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


def _snapshot(root):
    return {p: (p.read_bytes() if p.is_file() else None) for p in root.rglob("*")}


# ------------------------------------------------------------------ folder names

def test_folder_names_are_exact_and_defaults_keep_their_names():
    name = lambda *a, **k: paths.trained_model_dir("b.png", *a, **k).name  # noqa: E731
    assert name(0.75, 10) == MODEL  # the original's name, in the README
    assert name(0.75, 0.5) == "scale_factor=0.750000,alpha=0.5" != name(0.75, 0.9)  # was alpha=0 for both
    assert name(0.7500001, 10) != name(0.75, 10) and name(0.75, 10.5) != name(0.75, 10)
    assert name(0.75, 10, "animation_train") == "scale_factor=0.750000_noise_padding"
    sf4, sf = 1 / sr_chain(4.0)[0], lambda f: 1 / sr_chain(f)[0]
    assert name(sf4, 100, sr_factor=4.0) == "scale_factor=0.793701,alpha=100"  # SR.py's default, as today
    assert name(sf(4.000001), 100, sr_factor=4.000001) != name(sf4, 100, sr_factor=4.0)
    arbitrary = lambda g, v, h: paths.random_samples_dir("O", "b.png", g, v, h, True, model_file="m.pt").name  # noqa
    assert arbitrary(0, 1, 2) == "scale_v=1.000000_scale_h=2.000000"
    assert arbitrary(1, 1, 2) == "scale_v=1.000000_scale_h=2.000000_gen_start_scale=1"
    assert arbitrary(0, 1, 2.0000001) != arbitrary(0, 1, 2)
    gif = lambda a, b: paths.animation_file("O", "b.png", 0, a, b, model_file="m.pt").name  # noqa: E731
    assert gif(0.1, 0.9) == "alpha=0.100000_beta=0.900000.gif" and gif(0.1, 0.9000001) != gif(0.1, 0.9)


def test_alpha_05_and_09_are_two_models(tmp_path, monkeypatch, capsys):
    for alpha in ("0.5", "0.9"):
        model_file = paths.trained_model_file("balloons.png", 0.75, float(alpha), root=tmp_path / "TrainedModels")
        untrained_model_file(model_file, alpha=float(alpha))
    for alpha in ("0.5", "0.9"):
        proc = _sample(tmp_path, monkeypatch, capsys, "--alpha", alpha, "--num_samples", "2")
        assert proc.returncode == 0, proc.stderr
    folders = sorted(p.parent.name for p in (tmp_path / "Output").rglob("gen_start_scale=0"))
    assert folders == ["scale_factor=0.750000,alpha=0.5", "scale_factor=0.750000,alpha=0.9"]


def test_models_in_two_models_dirs_write_two_sample_folders(tmp_path, monkeypatch, capsys):
    for root in ("A", "B"):
        untrained_model_file(tmp_path / root / "balloons" / MODEL / "model.pt")
        proc = _sample(tmp_path, monkeypatch, capsys, "--models_dir", root, "--num_samples", "2")
        assert proc.returncode == 0, proc.stderr
    folders = [p.parent.name for p in (tmp_path / "Output" / "RandomSamples" / "balloons").glob("*/gen_start_scale=0")]
    assert len(folders) == 2 and all(f.startswith(MODEL + "@") for f in folders), folders
    monkeypatch.chdir(tmp_path)
    assert paths.model_name(tmp_path / "TrainedModels" / "balloons" / MODEL / "model.pt") == MODEL  # the default


# ------------------------------------------------------------------ one run per folder, one writer

def test_overwrite_leaves_only_the_new_runs_samples_as_rgb_pngs(tmp_path, monkeypatch, capsys):
    _model(tmp_path)
    folder = tmp_path / "Output" / "RandomSamples" / "balloons" / MODEL / "gen_start_scale=0"
    assert _sample(tmp_path, monkeypatch, capsys, "--num_samples", "5").returncode == 0
    proc = _sample(tmp_path, monkeypatch, capsys, "--num_samples", "2", "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["0.png", "1.png"]  # not 2 new beside 3 old
    assert not list(folder.parent.glob(".*"))  # no staging folder or lock file left
    assert {Image.open(p).mode for p in folder.iterdir()} == {"RGB"}


def test_grayscale_model_writes_l_pngs(tmp_path, monkeypatch, capsys):
    _model(tmp_path, nc_im=1)
    assert _sample(tmp_path, monkeypatch, capsys, "--num_samples", "2").returncode == 0
    pngs = list((tmp_path / "Output").rglob("*.png"))
    assert len(pngs) == 2 and {Image.open(p).mode for p in pngs} == {"L"}


def test_a_claimed_folder_is_refused_to_a_second_writer(tmp_path, monkeypatch, capsys):
    _model(tmp_path)
    folder = tmp_path / "Output" / "RandomSamples" / "balloons" / MODEL / "gen_start_scale=0"
    with result_folder(folder, overwrite=False):  # another run writing it now
        proc = _sample(tmp_path, monkeypatch, capsys, "--num_samples", "2", "--overwrite")
    _one_line_refusal(proc, "is being written by process", "lock file")
    assert not folder.exists()


def test_a_failed_run_leaves_the_folder_as_it_was(tmp_path):
    folder = tmp_path / "a" / "b" / "samples"
    with pytest.raises(RuntimeError), result_folder(folder, overwrite=True) as staging:
        (staging / "0.png").write_bytes(b"half")
        raise RuntimeError("killed")
    assert not (tmp_path / "a").exists()  # the folders the claim created are gone again
    folder.mkdir(parents=True)
    (folder / "0.png").write_bytes(b"old")
    with pytest.raises(RuntimeError), result_folder(folder, overwrite=True) as staging:
        raise RuntimeError("killed")
    assert [p.name for p in folder.parent.iterdir()] == ["samples"] and (folder / "0.png").read_bytes() == b"old"


@pytest.mark.slow
def test_two_writers_started_at_once_one_writes(tmp_path):
    _model(tmp_path)
    argv = [sys.executable, str(REPO / "random_samples.py"), "--input_name", "balloons.png", "--not_cuda",
            "--num_samples", "30"]
    procs = [subprocess.Popen(argv, cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert sorted(code for code, _ in results) == [0, 2], results
    err = next(e for code, e in results if code == 2)
    assert len(err.strip().splitlines()) == 1 and ("being written" in err or "already exists" in err), err
    folder = tmp_path / "Output" / "RandomSamples" / "balloons" / MODEL / "gen_start_scale=0"
    assert len(list(folder.iterdir())) == 30


@pytest.mark.slow
def test_main_train_overwrite_clears_the_old_models_samples(tmp_path):
    argv = [sys.executable, str(REPO / "main_train.py"), "--input_dir", str(IMAGES), "--input_name", "balloons.png",
            *TINY, "--niter", "2", "--not_cuda", "--manualSeed", "1"]
    folder = tmp_path / "Output" / "RandomSamples" / "balloons" / MODEL / "gen_start_scale=0"
    for extra, count in ((["--num_samples", "4"], 4), (["--num_samples", "2", "--overwrite"], 2),
                         (["--num_samples", "0", "--overwrite"], 0)):
        proc = subprocess.run([*argv, *extra], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert len(list(folder.glob("*.png"))) == count, extra


# ------------------------------------------------------------------ stale models

def test_stale_model_is_refused_naming_its_settings_or_reused(tmp_path):
    model_file = _model(tmp_path)  # tiny_config: max_size 40, niter 30
    config = TrainConfig(min_size=25, max_size=40, niter=30)
    assert check_existing(model_file, config, overwrite=False, seed_given=False)
    with pytest.raises(SinGANError) as info:
        check_existing(model_file, TrainConfig(min_size=25, max_size=50, niter=30), overwrite=False)
    assert "--max_size 40 (asked: 50)" in str(info.value) and "--overwrite" in str(info.value)
    assert not check_existing(model_file, TrainConfig(min_size=25, max_size=50, niter=30), overwrite=True)


def test_sr_with_other_training_flags_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    sf = 1 / sr_chain(2.0)[0]
    model_file = paths.trained_model_file("balloons.png", sf, 100, root=tmp_path / "TrainedModels", sr_factor=2.0)
    untrained_model_file(model_file, scale_factor=sf, alpha=100.0, min_size=18, max_size=40)
    before = _snapshot(tmp_path)
    argv = ["--input_dir", IMAGES, "--input_name", "balloons.png", "--sr_factor", "2", "--not_cuda", "--niter", "30"]
    proc = run_command("sr", [*argv, "--max_size", "50"], tmp_path, monkeypatch, capsys)  # (--overwrite: retrains)
    _one_line_refusal(proc, "was trained with other settings", "--max_size 40 (asked: 50)", "--overwrite")
    assert _snapshot(tmp_path) == before
    proc = run_command("sr", [*argv, "--max_size", "40"], tmp_path, monkeypatch, capsys)  # the same settings: used
    assert proc.returncode == 0 and "training" not in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.slow
def test_sr_overwrite_with_new_flags_retrains(tmp_path):
    argv = [sys.executable, str(REPO / "SR.py"), "--input_dir", str(IMAGES), "--input_name", "balloons.png",
            "--max_size", "40", "--sr_factor", "2", "--not_cuda", "--manualSeed", "1"]
    run = lambda *extra: subprocess.run([*argv, *extra], cwd=tmp_path, env=ENV, capture_output=True, text=True,  # noqa
                                        timeout=300)
    assert run("--niter", "2").returncode == 0
    model_file = next((tmp_path / "TrainedModels" / "balloons").rglob("model.pt"))
    proc = run("--niter", "3", "--overwrite")
    assert proc.returncode == 0 and "retraining" in proc.stdout and "--niter 2 (asked: 3)" in proc.stdout, \
        proc.stdout + proc.stderr
    assert torch.load(model_file, weights_only=True)["config"]["niter"] == 3


@pytest.mark.slow
def test_animation_overwrite_with_new_flags_retrains(tmp_path):
    argv = [sys.executable, str(REPO / "animation.py"), "--input_dir", str(IMAGES), "--input_name", "balloons.png",
            *TINY, "--num_frames", "2", "--start_scale", "1", "--beta", "0.9", "--not_cuda", "--manualSeed", "1"]
    model_file = tmp_path / "TrainedModels" / "balloons" / "scale_factor=0.750000_noise_padding" / "model.pt"
    run = lambda *extra: subprocess.run([*argv, *extra], cwd=tmp_path, env=ENV, capture_output=True, text=True,  # noqa
                                        timeout=300)
    assert run("--niter", "2").returncode == 0
    proc = run("--niter", "3", "--overwrite")
    assert proc.returncode == 0 and "retraining" in proc.stdout, proc.stdout + proc.stderr
    assert torch.load(model_file, weights_only=True)["config"]["niter"] == 3


def test_batch_rerun_with_other_flags_is_refused_or_overwritten(tmp_path, capsys):
    images = tmp_path / "images"
    images.mkdir()
    (images / "balloons.png").write_bytes((IMAGES / "balloons.png").read_bytes())
    for models_dir in (None, tmp_path / "Models"):
        model_file, samples = batch.layout(tmp_path / "Batch", images / "balloons.png", TrainConfig(), models_dir)
        assert model_file.parent == (models_dir or tmp_path / "Batch" / "TrainedModels") / "balloons" / MODEL
        untrained_model_file(model_file, niter=30)
        (model_file.parent / "batch_result.json").write_text(json.dumps({"status": "done"}))
        samples = samples / "gen_start_scale=0"
        samples.mkdir(parents=True, exist_ok=True)
        (samples / "0.png").write_bytes(b"old")
        argv = ["--input_dir", str(images), "--out", str(tmp_path / "Batch"), *TINY, "--niter", "50", "--not_cuda"]
        if models_dir:
            argv += ["--models_dir", str(models_dir)]
        with pytest.raises(SystemExit) as info:  # refused before Ray starts
            cli.run_command(batch_command, argv)
        err = capsys.readouterr().err
        assert info.value.code == 2 and len(err.strip().splitlines()) == 1, err
        assert str(model_file) in err and "--niter 30 (asked: 50)" in err
        args = batch_command.get_parser().parse_args([*argv, "--overwrite"])
        batch.check_earlier_models(batch.find_images(images), train_config(args), tmp_path / "Batch",
                                   args.models_dir, overwrite=True)
        assert not model_file.exists() and not (model_file.parent / "batch_result.json").exists()
        assert not samples.exists()


# ------------------------------------------------------------------ flags used or refused

def test_scale_h_in_random_samples_mode_is_refused(tmp_path, monkeypatch, capsys):
    _model(tmp_path)
    proc = _sample(tmp_path, monkeypatch, capsys, "--mode", "random_samples", "--scale_h", "2")
    _one_line_refusal(proc, "--scale_h", "random_samples_arbitrary_sizes")
    proc = _sample(tmp_path, monkeypatch, capsys, "--mode", "random_samples_arbitrary_sizes", "--num_samples", "1")
    assert proc.returncode == 0 and "of size 30x60" in proc.stdout  # --scale_h's default 1.5 there


def test_benchmark_refuses_input_dir_and_uses_models_dir(tmp_path, capsys, shared):
    with pytest.raises(SystemExit) as info:
        cli.run_command(benchmark_command, ["places50", "--input_dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "--dataset_dir" in err and len(err.strip().splitlines()) == 1
    model_file = tmp_path / "Models" / "1" / MODEL / "model.pt"  # an earlier run's model of 1.jpg
    untrained_model_file(model_file, niter=30)
    with pytest.raises(SystemExit) as info:
        cli.run_command(benchmark_command, ["places50", "--images", "1", *TINY, "--niter", "50", "--out",
                                            str(tmp_path / "B"), "--models_dir", str(tmp_path / "Models"),
                                            "--dataset_dir", str(shared / "datasets/places50")])
    err = capsys.readouterr().err
    assert info.value.code == 2 and str(model_file) in err, err


def test_evaluate_uses_out_and_shows_progress(tmp_path, monkeypatch, capsys):
    _model(tmp_path)
    monkeypatch.chdir(tmp_path)
    cli.run_command(evaluate_command,
                    ["--input_name", "balloons.png", "--num_samples", "3", "--out", "Scores", "--not_cuda"])
    err = capsys.readouterr().err
    assert "sampling 3 images: 100%" in err and "patch SWD of 3 samples" in err
    assert (tmp_path / "Scores" / "Evaluation" / "balloons" / MODEL / "evaluation_gen_start_scale=0.json").is_file()
    assert not list((tmp_path / "TrainedModels").rglob("*.json"))


def test_amp_bf16_on_the_cpu_is_used():
    args = train_command.get_parser().parse_args(["--input_name", "b.png", "--amp", "bf16", "--not_cuda"])
    assert train_config(args).amp == "bf16"  # and tests/test_presets.py: bf16 changes CPU training


def test_allow_partial_is_hinted_only_to_commands_taking_it(tmp_path, monkeypatch, capsys):
    model = build_model(read_image(IMAGES / "balloons.png"), TrainConfig(min_size=25, max_size=40), name="balloons.png")
    from singan.io import checkpoint
    checkpoint.save(model, tmp_path / "TrainedModels" / "balloons" / MODEL / "model.pt")  # 0 of 2 scales
    proc = _sample(tmp_path, monkeypatch, capsys)
    _one_line_refusal(proc, "unfinished", "--resume", "--allow_partial")
    proc = run_command("harmonize", ["--input_dir", IMAGES, "--input_name", "balloons.png", "--ref_dir",
                                     REPO / "input" / "Harmonization", "--ref_name", "starry_night_naive.png",
                                     "--not_cuda"], tmp_path, monkeypatch, capsys)
    _one_line_refusal(proc, "unfinished", "--resume")
    assert "allow_partial" not in proc.stderr


def test_api_errors_do_not_quote_cli_flags(tmp_path):
    model_file = _model(tmp_path)
    with pytest.raises(SinGANError) as info:
        api.train_image(IMAGES / "balloons.png", TrainConfig(min_size=25, max_size=40), model_file)
    assert "overwrite=True" in str(info.value) and "--" not in str(info.value)
    with pytest.raises(SinGANError) as info:
        build_model(torch.zeros(1, 3, 20, 20), TrainConfig())
    assert "min_size 25" in str(info.value) and "--" not in str(info.value)


def test_a_second_claim_in_the_same_process_is_refused(tmp_path):
    folder = tmp_path / "samples"
    errors = []
    with result_folder(folder, overwrite=False):
        thread = threading.Thread(target=lambda: errors.append(_claim_error(folder)))
        thread.start()
        thread.join()
    assert errors and "being written" in errors[0]


def _claim_error(folder):
    try:
        with result_folder(folder, overwrite=True):
            return ""
    except SinGANError as e:
        return str(e)
