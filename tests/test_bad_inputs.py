"""Every bad flag of every command is refused before any work: exit status 2, one line on stderr,
no traceback, and no file changed, created or left behind.

The table runs in-process (each command's `run(argv)` through `singan.cli.run`, SystemExit caught),
so it takes seconds; a few cases also run as real subprocesses. The trained model the sampling and
application commands load is a complete checkpoint of untrained networks (helpers.untrained_model_file),
so nothing here trains.
"""

import subprocess
import sys

import pytest
import torch

from helpers import ENV, IMAGES, REPO, file_permissions_apply, run_command, untrained_model_file
from singan import SinGANError, TrainConfig, train_image

INPUT = REPO / "input"
CPU = ["--device", "cpu"]
BASE = {  # arguments that work (test_valid_base_arguments), to which each case adds one bad value
    "train": ["--input_dir", str(IMAGES), "--input_name", "birds.png", *CPU, "--max_size", "40", "--niter", "2",
              "--num_samples", "1"],
    "sample": ["--input_name", "balloons.png", "--mode", "random_samples", *CPU, "--num_samples", "2",
               "--gen_start_scale", "1"],
    "harmonize": ["--input_dir", str(IMAGES), "--input_name", "balloons.png", *CPU, "--ref_dir",
                  str(INPUT / "Harmonization"), "--ref_name", "starry_night_naive.png"],
    "edit": ["--input_dir", str(IMAGES), "--input_name", "balloons.png", *CPU, "--ref_dir", str(INPUT / "Editing"),
             "--ref_name", "stone_edit.png"],
    "paint2image": ["--input_dir", str(IMAGES), "--input_name", "balloons.png", *CPU, "--ref_dir",
                    str(INPUT / "Paint"), "--ref_name", "cows.png"],
    "sr": ["--input_dir", str(IMAGES), "--input_name", "33039_LR.png", *CPU, "--max_size", "40", "--niter", "2"],
    "animate": ["--input_dir", str(IMAGES), "--input_name", "birds.png", *CPU, "--max_size", "40", "--niter", "2",
                "--num_frames", "2"],
}

CASES = [  # (command, extra flags, words the one error line must contain)
    # The cases of the issue:
    ("train", ["--niter", "0"], ["--niter 0"]),
    ("train", ["--niter", "-3"], ["--niter -3"]),
    ("train", ["--scale_factor", "1.0"], ["--scale_factor 1.0", "(0, 1)"]),
    ("train", ["--scale_factor", "0"], ["--scale_factor 0"]),
    ("train", ["--min_size", "0"], ["--min_size 0"]),
    ("train", ["--max_size", "0"], ["--max_size 0"]),
    ("train", ["--max_size", "20"], ["--max_size 20", "--min_size 25"]),
    ("train", ["--nfc", "0"], ["--nfc 0"]),
    ("train", ["--ker_size", "4"], ["--ker_size 4"]),
    ("train", ["--num_layer", "1"], ["--num_layer 1"]),
    ("train", ["--lr_g", "-1"], ["--lr_g -1"]),
    ("train", ["--Gsteps", "0", "--Dsteps", "0"], ["steps 0"]),
    ("train", ["--batch_size", "0"], ["--batch_size 0"]),
    ("train", ["--alpha", "nan"], ["--alpha nan"]),
    ("train", ["--alpha", "inf"], ["--alpha inf"]),
    ("train", ["--alpha", "-1"], ["--alpha -1"]),
    ("train", ["--stride", "2"], ["--stride 2"]),
    ("train", ["--scale_factor", "1.5"], ["--scale_factor 1.5"]),
    ("train", ["--out", "a_file"], ["--out a_file", "is a file"]),
    ("train", ["--models_dir", "a_file"], ["--models_dir a_file", "is a file"]),
    ("train", ["--out", "a_file/samples"], ["--out a_file/samples", "not a writable folder"]),
    ("sample", ["--scale_h", "0", "--mode", "random_samples_arbitrary_sizes"], ["--scale_h 0"]),
    ("sample", ["--scale_h", "nan"], ["--scale_h nan"]),
    ("sample", ["--scale_v", "inf"], ["--scale_v inf"]),
    ("sample", ["--scale_h", "5000"], ["--scale_h 5000"]),
    ("sample", ["--out", "a_file"], ["--out a_file"]),
    ("animate", ["--num_frames", "0"], ["--num_frames 0"]),
    ("animate", ["--fps", "0"], ["--fps 0"]),
    ("animate", ["--beta", "1.5"], ["--beta 1.5", "[0, 1]"]),
    ("animate", ["--beta", "-0.1"], ["--beta -0.1"]),
    ("sr", ["--sr_factor", "1000"], ["--sr_factor 1000"]),
    # More training flags:
    ("train", ["--min_nfc", "0"], ["--min_nfc 0"]),
    ("train", ["--nc_im", "2"], ["--nc_im 2"]),
    ("train", ["--nc_z", "1"], ["--nc_z 1", "--nc_im 3"]),
    ("train", ["--padd_size", "1"], ["--padd_size 1"]),
    ("train", ["--noise_amp", "-0.1"], ["--noise_amp -0.1"]),
    ("train", ["--gamma", "0"], ["--gamma 0"]),
    ("train", ["--beta1", "1"], ["--beta1 1"]),
    ("train", ["--lambda_grad", "nan"], ["--lambda_grad nan"]),
    ("train", ["--lr_d", "inf"], ["--lr_d inf"]),
    ("train", ["--lr_milestone=-1"], ["--lr_milestone -1"]),
    ("train", ["--Dsteps", "0"], ["--Dsteps 0"]),
    ("train", ["--ker_size", "0"], ["--ker_size 0"]),
    ("train", ["--min_size", "5"], ["--min_size 5", "receptive field"]),
    ("train", ["--scale_factor=-inf"], ["--scale_factor -inf"]),
    ("train", ["--manualSeed", "-1"], ["--manualSeed -1"]),
    ("train", ["--save_every=-1"], ["--save_every -1"]),
    ("train", ["--num_samples", "-1"], ["--num_samples -1"]),
    ("train", ["--niter", "abc"], ["--niter", "abc"]),
    ("train", ["--max_size", "inf"], ["--max_size", "inf"]),
    ("train", ["--mode", "paint"], ["--mode", "paint"]),
    ("train", ["--preset", "nope"], ["--preset", "nope"]),
    ("train", ["--amp", "fp16"], ["--amp", "fp16"]),
    ("train", ["--device", "bogus"], ["--device", "bogus"]),
    ("train", ["--input_name", "missing.png"], ["missing.png"]),
    ("train", ["--resume"], ["nothing to resume"]),
    ("train", ["--no_such_flag"], ["--no_such_flag"]),
    # More sampling and application flags:
    ("sample", ["--num_samples", "0"], ["--num_samples 0"]),
    ("sample", ["--batch_size", "0"], ["--batch_size 0"]),
    ("sample", ["--gen_start_scale", "-1"], ["--gen_start_scale -1"]),
    ("sample", ["--gen_start_scale", "99"], ["--gen_start_scale 99", "0 and 2"]),
    ("sample", ["--gen_start_scale", "0"], ["already exists", "--overwrite"]),
    ("sample", ["--input_name", "birds.png"], ["birds"]),
    ("sample", ["--alpha", "-1"], ["--alpha -1"]),
    ("sample", ["--seed", "x"], ["--seed", "x"]),
    ("harmonize", ["--harmonization_start_scale", "0"], ["--harmonization_start_scale 0"]),
    ("harmonize", ["--harmonization_start_scale", "5"], ["--harmonization_start_scale 5", "1 and 1"]),
    ("harmonize", ["--ref_name", "missing.png"], ["missing.png"]),
    ("harmonize", ["--input_name", "birds.png"], ["birds"]),
    ("edit", ["--editing_start_scale", "9"], ["--editing_start_scale 9", "1 and 1"]),
    ("edit", ["--scale_factor", "nan"], ["--scale_factor nan"]),
    ("paint2image", ["--paint_start_scale", "0"], ["--paint_start_scale 0"]),
    ("paint2image", ["--quantization_flag", "maybe"], ["--quantization_flag", "maybe"]),
    ("paint2image", ["--niter", "0", "--quantization_flag"], ["--niter 0"]),
    ("sr", ["--sr_factor", "1"], ["--sr_factor 1"]),
    ("sr", ["--sr_factor", "nan"], ["--sr_factor nan"]),
    ("sr", ["--min_size", "0"], ["--min_size 0"]),
    ("sr", ["--scale_factor", "0.5"], ["--scale_factor"]),  # SR computes it: not a flag of SR.py
    ("animate", ["--alpha_animation", "2"], ["--alpha_animation 2"]),
    ("animate", ["--start_scale", "-1"], ["--start_scale -1"]),
    ("animate", ["--fps", "inf"], ["--fps inf"]),
    ("animate", ["--nc_im", "2"], ["--nc_im 2"]),
    ("animate", ["--batch_size=-4"], ["--batch_size -4"]),
]


def snapshot(root):
    """Every path under `root`, with the bytes of every file: nothing may change, appear or vanish."""
    return {p: (p.read_bytes() if p.is_file() else None) for p in root.rglob("*")}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A working folder with a trained model of balloons.png (2 scales), its samples and a plain file."""
    cwd = tmp_path_factory.mktemp("bad_inputs")
    untrained_model_file(cwd / "TrainedModels" / "balloons" / "scale_factor=0.750000,alpha=10" / "model.pt")
    samples = cwd / "Output" / "RandomSamples" / "balloons" / "scale_factor=0.750000,alpha=10" / "gen_start_scale=0"
    samples.mkdir(parents=True)
    (samples / "0.png").write_bytes(b"an earlier sample")
    (cwd / "a_file").write_text("not a folder")
    return cwd


@pytest.mark.parametrize("command, extra, words", CASES, ids=[f"{c}{' '.join(e)}" for c, e, _ in CASES])
def test_bad_input_is_refused(workdir, monkeypatch, capsys, command, extra, words):
    before = snapshot(workdir)
    proc = run_command(command, [*BASE[command], *extra], workdir, monkeypatch, capsys)
    code, err = proc.returncode, proc.stderr
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], lines[0]
    assert snapshot(workdir) == before


@pytest.mark.parametrize("command", ["sample", "harmonize", "edit", "paint2image"])
def test_valid_base_arguments(tmp_path, workdir, monkeypatch, capsys, command):
    """The base arguments of the table work (so each case fails for its own flag); nothing is trained."""
    argv = [*BASE[command], "--models_dir", str(workdir / "TrainedModels"), "--out", str(tmp_path / "Output")]
    proc = run_command(command, argv, tmp_path, monkeypatch, capsys)
    assert proc.returncode == 0, proc.stderr
    assert any(p.suffix == ".png" for p in (tmp_path / "Output").rglob("*"))


API_CASES = [
    ({"niter": 0}, "--niter 0"), ({"scale_factor": 1.0}, "--scale_factor 1.0"), ({"ker_size": 4}, "--ker_size 4"),
    ({"nc_im": 1, "nc_z": 3}, "--nc_z 3"), ({"lr_g": float("nan")}, "--lr_g nan"), ({"min_size": 0}, "--min_size 0"),
    ({"max_size": 20}, "--max_size 20"), ({"Gsteps": 0}, "--Gsteps 0"), ({"stride": 2}, "--stride 2"),
    ({"mode": "paint"}, "--mode paint"),
]


@pytest.mark.parametrize("fields, words", API_CASES, ids=[str(f) for f, _ in API_CASES])
def test_api_validates_the_same_rules(tmp_path, fields, words):
    with pytest.raises(SinGANError, match=words) as e:
        TrainConfig(**fields).validate()
    assert "\n" not in str(e.value)
    with pytest.raises(SinGANError, match=words):
        train_image(IMAGES / "balloons.png", TrainConfig(**{"max_size": 40, "niter": 1, **fields}), tmp_path / "m.pt")
    assert list(tmp_path.iterdir()) == []


def test_defaults_are_valid_and_nc_z_follows_nc_im():
    assert TrainConfig().validate().nc_z == 3
    assert TrainConfig(nc_im=1).validate().nc_z == 1


SCRIPT_COMMANDS = {"main_train.py": "train", "SR.py": "sr", "animation.py": "animate", "harmonization.py": "harmonize"}


@pytest.mark.parametrize("script, extra, words", [
    ("main_train.py", ["--niter", "0"], ["--niter 0"]),
    pytest.param("SR.py", ["--sr_factor", "1000"], ["--sr_factor 1000"], marks=pytest.mark.slow),
    pytest.param("animation.py", ["--fps", "0"], ["--fps 0"], marks=pytest.mark.slow),
    ("harmonization.py", ["--harmonization_start_scale", "7"], ["--harmonization_start_scale 7"]),
])
def test_real_subprocess(workdir, script, extra, words):
    """As users run the scripts (two in the quick tier: an interpreter start-up costs seconds)."""
    command = SCRIPT_COMMANDS[script]
    before = snapshot(workdir)
    proc = subprocess.run([sys.executable, str(REPO / script), *BASE[command], *extra], cwd=workdir, env=ENV,
                          capture_output=True, text=True, timeout=300)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert all(word in lines[0] for word in words), lines[0]
    assert snapshot(workdir) == before


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")
def test_cuda_missing(workdir, monkeypatch, capsys):
    proc = run_command("sample", [*BASE["sample"], "--device", "cuda"], workdir, monkeypatch, capsys)
    assert proc.returncode == 2 and "CUDA is not available" in proc.stderr


def test_read_only_output_folder(tmp_path, monkeypatch, capsys):
    (tmp_path / "Output").mkdir()
    (tmp_path / "Output").chmod(0o555)
    before = snapshot(tmp_path)
    with file_permissions_apply():  # as root too
        proc = run_command("train", BASE["train"], tmp_path, monkeypatch, capsys)
    assert proc.returncode == 2 and "--out Output" in proc.stderr and "not a writable folder" in proc.stderr
    assert snapshot(tmp_path) == before
