"""The batch runner: bad input, the summary table, and real batches on a local Ray.

The slow tests share one local Ray (started once for the module) and train tiny models
(helpers.TINY) of three images, one of them corrupt; one runs a batch in a subprocess, kills
it mid-run and runs it again.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import ENV, IMAGES, TINY, fid_weights_file, run_command, tiny_config
from singan import SinGANError, TrainConfig
from singan.batch import places50 as benchmark
from singan.batch import runner as batch
from singan.batch.job import JobOptions, ProgressReport, format_csv, format_markdown, run_job
from singan.cli import batch as batch_command
from singan.cli import program as cli
from singan.io import lock, paths

TINY_FLAGS = [f"--{k}={v}" for k, v in TINY.items()] + ["--num_samples=4", "--save_samples=2", "--device=cpu"]


def _folder(tmp_path: Path, corrupt: bool = True) -> Path:
    folder = tmp_path / "images"
    folder.mkdir(parents=True)
    for name in ("balloons.png", "birds.png"):
        shutil.copy(IMAGES / name, folder / name)
    if corrupt:
        (folder / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    (folder / "notes.txt").write_text("not an image")
    return folder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _model_folder(out: Path, name: str, **config) -> Path:
    """The folder of the batch's model of <name>.png: <out>/TrainedModels/<name>/scale_factor=...,alpha=..."""
    return batch.layout(out, Path(f"{name}.png"), tiny_config(**config))[0].parent


def _sample(out: Path, name: str, tmp_path, monkeypatch, capsys, *extra):
    """singan-sample (random_samples.py) of a batch's model: --models_dir <out>/TrainedModels --out <out>."""
    return run_command("sample", ["--input_name", f"{name}.png", "--models_dir", out / "TrainedModels", "--out", out,
                                  "--not_cuda", "--num_samples", "3", *extra], tmp_path, monkeypatch, capsys)


def test_the_batch_lays_its_models_and_samples_out_as_the_other_commands(tmp_path):
    out = tmp_path / "out"
    model_file, samples = batch.layout(out, IMAGES / "balloons.png", TrainConfig(alpha=5))
    assert model_file == paths.trained_model_file("balloons.png", 0.75, 5, root=out / "TrainedModels")
    assert model_file.parent.name == "scale_factor=0.750000,alpha=5"
    assert samples / "gen_start_scale=1" == paths.random_samples_dir(out, "balloons.png", 1, model_file=model_file)
    other, _ = batch.layout(out, IMAGES / "balloons.png", TrainConfig(alpha=5), models_dir=tmp_path / "Models")
    assert other == paths.trained_model_file("balloons.png", 0.75, 5, root=tmp_path / "Models")


def test_progress_report_tells_each_scale_and_at_most_one_report_per_interval():
    reports, now = [], [0.0]
    progress = ProgressReport(lambda **fields: reports.append(fields), every=2.0, clock=lambda: now[0])
    for scale, iteration, t in ((1, 5, 0.0), (1, 6, 1.0), (1, 7, 2.5), (1, 8, 3.0), (2, 1, 3.1)):
        now[0] = t
        progress(scale, iteration, 3, iteration / 30)
    assert reports == [{"scale": 1, "scales": 3, "work": 5 / 30, "work_at_start": 5 / 30},  # a resumed run
                       {"scale": 1, "scales": 3, "work": 7 / 30}, {"scale": 2, "scales": 3, "work": 1 / 30}]


def test_a_batch_jobs_model_is_found_and_sampled_by_singan_sample(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    config = tiny_config(niter=2)
    model_file, samples = batch.layout(out, IMAGES / "balloons.png", config)
    reports = []
    row = run_job(IMAGES / "balloons.png", config, model_file, samples, JobOptions(num_samples=2, save_samples=2),
                  lambda **fields: reports.append(fields))
    assert row["status"] == "done", row
    states = [r["state"] for r in reports if "state" in r]
    assert states == ["training", "scoring", "done"], reports
    progress = [r for r in reports if "state" not in r]  # from training's progress_fn, not the checkpoint
    assert progress[0] == {"scale": 0, "scales": 2, "work": 0.0, "work_at_start": 0.0}
    scales = [r["scale"] for r in progress]  # a report when a scale starts, and every 2 s within one
    assert scales == sorted(scales) and set(scales) == {0, 1}, reports
    assert [r["work"] for r in progress] == sorted(r["work"] for r in progress)
    assert sorted(p.name for p in model_file.parent.iterdir() if p.is_file()) == [
        "batch.log", "batch_result.json", "model.pt"]
    assert (samples / "evaluation_gen_start_scale=0.json").is_file()
    batch_samples = {p.name: _sha(p) for p in (samples / "gen_start_scale=0").iterdir()}
    assert sorted(batch_samples) == ["0.png", "1.png"]
    proc = _sample(out, "balloons", tmp_path, monkeypatch, capsys)
    assert proc.returncode == 2 and "already exists" in proc.stderr, proc.stderr  # the batch's folder
    proc = _sample(out, "balloons", tmp_path, monkeypatch, capsys, "--overwrite")
    assert proc.returncode == 0 and str(samples / "gen_start_scale=0") in proc.stdout, proc.stdout + proc.stderr
    assert sorted(p.name for p in (samples / "gen_start_scale=0").iterdir()) == ["0.png", "1.png", "2.png"]


@pytest.mark.parametrize("argv, message", [
    (["--input_dir", "missing"], "is not a folder"),
    (["--input_dir", "{empty}"], "no images"),
    (["--input_dir", "{images}", "--cpus_per_image", "0"], "--cpus_per_image 0.0: must be a number in (0, 4096]"),
    (["--input_dir", "{images}", "--niter", "x"], "invalid int value"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, argv, message):
    (tmp_path / "empty").mkdir()
    folder = _folder(tmp_path)
    argv = [a.format(empty=tmp_path / "empty", images=folder) for a in argv]
    with pytest.raises(SystemExit) as exit_info:
        cli.run_command(batch_command, argv + ["--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_images_sharing_a_name_are_refused(tmp_path):
    folder = _folder(tmp_path, corrupt=False)
    shutil.copy(IMAGES / "birds.png", folder / "birds.jpg")
    with pytest.raises(SinGANError, match="share the name 'birds'"):
        batch.find_images(folder)
    assert [p.name for p in batch.find_images(_folder(tmp_path / "b"))] == ["balloons.png", "birds.png",
                                                                          "corrupt.png"]


def test_summary_has_a_row_per_image_and_empty_cells_for_missing_values():
    rows = [{"image": "a.png", "status": "done", "scales": 2, "train_s": 3.25, "patch SWD N": 0.123456},
            {"image": "b|c.png", "status": "failed", "error": "cannot read b|c.png"}]
    md, csv = format_markdown(rows).splitlines(), format_csv(rows).splitlines()
    assert len(md) == 4 and len(csv) == 3
    assert md[2].startswith("| a.png | done | 2 | - | 3.2 | - |") and "0.1235" in md[2]
    assert "b/c.png" in md[3] and md[3].count("|") == md[0].count("|")
    assert csv[0].startswith("image,status,scales,size,train_s") and csv[2].endswith("cannot read b|c.png")


@pytest.fixture(scope="module")
def ray_session():
    ray = batch.start_ray(num_cpus=2)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_batch_trains_the_good_images_and_reports_the_bad_one(tmp_path, capsys, ray_session, monkeypatch):
    out = tmp_path / "out"
    fid_weights_file(tmp_path / "torch" / "hub" / "checkpoints")  # in the hub cache: SIFID without a flag
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    with pytest.raises(SystemExit) as exit_info:
        cli.run_command(batch_command, ["--input_dir", str(_folder(tmp_path)), "--out", str(out), *TINY_FLAGS])
    captured = capsys.readouterr()
    assert exit_info.value.code == 1 and "1 of 3 images failed" in captured.err
    failures = [line for line in captured.out.splitlines() if "failed" in line]
    assert len(failures) == 1 and failures[0].startswith("corrupt.png") and "failed: cannot read" in failures[0]
    for name in ("balloons", "birds"):
        model_file, samples = batch.layout(out, Path(f"{name}.png"), tiny_config())
        assert model_file.is_file() and (model_file.parent / "batch_result.json").is_file()
        assert len(list((samples / "gen_start_scale=0").glob("*.png"))) == 2
        assert (samples / "evaluation_gen_start_scale=1.json").is_file()
    assert not list((out / "TrainedModels").glob("*/model.pt"))  # not the old layout
    proc = _sample(out, "birds", tmp_path, monkeypatch, capsys, "--gen_start_scale", "1")
    assert proc.returncode == 2 and "already exists" in proc.stderr, proc.stderr  # where the batch wrote
    proc = _sample(out, "birds", tmp_path, monkeypatch, capsys, "--gen_start_scale", "1", "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert len(list((samples / "gen_start_scale=1").glob("*.png"))) == 3
    csv = (out / "summary.csv").read_text().splitlines()
    assert len(csv) == 4 and all(line.count(",") == csv[0].count(",") for line in csv)
    good = [line.split(",") for line in csv[1:3]]
    assert [row[:3] for row in good] == [["balloons.png", "done", "2"], ["birds.png", "done", "2"]]
    assert all(float(value) > 0 for row in good for value in (row[6], row[7]))  # diversity, patch SWD at N
    header = csv[0].split(",")
    assert all(float(row[header.index(f"SIFID {s}")]) > -1e-6 for row in good for s in ("N", "N-1"))
    assert [row[header.index("SIFID dims")] for row in good] == ["64", "64"]
    assert csv[3].startswith("corrupt.png,failed,") and "cannot read" in csv[3]
    assert "| corrupt.png | failed |" in (out / "summary.md").read_text()


def _wait_for(condition, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the batch ended before the kill:\n{proc.stdout.read()}")
        if time.time() > deadline:
            raise AssertionError("the batch did not get far enough in time")
        time.sleep(0.1)


@pytest.mark.slow
def test_killed_batch_resumes_without_retraining_finished_images(tmp_path, ray_session):
    from ray._private.utils import get_num_cpus  # the CPUs the batch's own local Ray will see

    folder, out = _folder(tmp_path, corrupt=False), tmp_path / "out"
    cpus = max(2, get_num_cpus())  # every CPU per image: one image at a time, on any machine
    argv = ["--input_dir", str(folder), "--out", str(out), *TINY_FLAGS, "--niter=40", f"--cpus_per_image={cpus}"]
    proc = subprocess.Popen([sys.executable, "-m", "singan.batch", *argv], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    first, second = (_model_folder(out, name, niter=40) for name in ("balloons", "birds"))
    try:  # one image at a time: kill once the first is scored and the second has a checkpoint
        _wait_for(lambda: (first / "batch_result.json").exists() and (second / "model.pt").exists(), proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # Ray's worker training the second image outlives the killed driver for a moment (until it sees its
    # raylet gone); while it lives, its lock refuses a second training (tests/test_lock.py), as it should.
    deadline = time.time() + 120
    while lock.locked_by(second / "model.pt") is not None:
        assert time.time() < deadline, f"the killed batch's worker {lock.locked_by(second / 'model.pt')} lives on"
        time.sleep(0.1)
    assert not (second / "batch_result.json").exists()
    sha, mtime = _sha(first / "model.pt"), (first / "model.pt").stat().st_mtime_ns
    cli.run_command(batch_command, ["--input_dir", str(folder), "--out", str(out), *TINY_FLAGS, "--niter=40"])
    assert _sha(first / "model.pt") == sha and (first / "model.pt").stat().st_mtime_ns == mtime
    assert "resuming" in (second / "batch.log").read_text()
    rows = (out / "summary.csv").read_text().splitlines()[1:]
    assert [row.split(",")[:3] for row in rows] == [["balloons.png", "done", "2"], ["birds.png", "done", "2"]]


def test_benchmark_finds_places50_and_scores_a_published_sample(shared, tmp_path):
    dataset = shared / "datasets" / "places50"
    images = benchmark.places50_images(dataset, 2)
    assert [p.name for p in images] == ["1.jpg", "2.jpg"]
    at_training_size, at_full_size = benchmark.published_swd(images[0], TrainConfig(max_size=80))
    assert 0 < at_full_size < 0.1 and 0 < at_training_size < 0.2  # a sample of the image, not another scene
    with pytest.raises(SinGANError, match="between 1 and 50"):
        benchmark.places50_images(dataset, 51)
    with pytest.raises(SinGANError, match="Places50 is incomplete or missing"):
        benchmark.places50_images(tmp_path, 1)


def test_benchmark_table_has_mean_and_median_per_setting():
    rows = [{"status": "done", "patch SWD N": v, "diversity N": 2 * v, "SIFID N": None, "patch SWD N-1": v / 2,
             "diversity N-1": v, "SIFID N-1": None} for v in (0.1, 0.2, 0.6)] + [{"status": "failed"}]
    table = benchmark.format_table(rows, [(0.01, 0.02), (0.03, 0.04)])
    assert "3 of 4 images trained" in table
    assert "| this run, gen_start_scale 0 (N) | 0.3000 / 0.2000 | 0.6000 / 0.4000 | - |" in table
    assert "| original SinGAN, published sample (N), at full size | 0.0300 / 0.0300 | - | - |" in table
    assert "| SIFID (no FID Inception weights) |" in table
    for row, value in zip(rows, (0.1, 0.2, 0.3)):
        row.update({"SIFID N": value, "SIFID N-1": value / 2, "SIFID dims": 192})
    table = benchmark.format_table(rows, [(0.01, 0.02)])
    assert ("| SIFID (192 channels, after the second max-pool (pytorch-fid's 192 block; the paper's text: before "
            "that pool)) |") in table
    assert "| this run, gen_start_scale 0 (N) | 0.3000 / 0.2000 | 0.6000 / 0.4000 | 0.2000 / 0.2000 |" in table
