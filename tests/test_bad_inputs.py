"""Every bad flag of every command is refused before any work: exit status 2, one line on stderr,
no traceback, and no file changed, created or left behind.

The table runs in-process (each command run by `singan.cli.program.run_command`, SystemExit caught), so it
takes seconds; a few cases also run as real subprocesses. The trained model the sampling and
application commands load is a complete checkpoint of untrained networks (helpers.untrained_model_file),
so nothing here trains.
"""

import copy
import math
import os
import pickle
import re
import subprocess
import sys
import time

import pytest
import torch

import singan
from helpers import ENV, IMAGES, REPO, file_permissions_apply, in_progress_state, run_command, untrained_model_file
from singan import SinGANError, TrainConfig, train_image
from singan.io import checkpoint, paths

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
    "evaluate": ["--input_name", "balloons.png", *CPU, "--num_samples", "2"],
    "figures": ["--input_name", "balloons.png", *CPU, "--num_samples", "1"],
}
NO_GPU = "cuda:99" if torch.cuda.is_available() else "cuda:1"  # a GPU this machine does not have

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
    # Mistyped flags get the closest ones; a prefix of a flag is not that flag (no argparse abbreviations):
    ("train", ["--max-size", "40"], ["unrecognized arguments: --max-size 40", "--max-size: did you mean --max_size?"]),
    ("train", ["--maxsize", "40"], ["--maxsize: did you mean --max_size?"]),
    ("train", ["--iters", "5"], ["--iters: did you mean --niter?"]),
    ("train", ["--scale", "0.5"], ["unrecognized arguments: --scale 0.5", "did you mean --scale_factor?"]),
    ("train", ["--nitre=3"], ["--nitre: did you mean --niter?"]),
    ("sample", ["--gen_start", "1"], ["--gen_start: did you mean --gen_start_scale?"]),
    ("animate", ["--Beta", "0.5"], ["--Beta: did you mean --beta?"]),
    ("sr", ["--sr-factor", "2"], ["--sr-factor: did you mean --sr_factor?"]),
    # More sampling and application flags:
    ("sample", ["--num_samples", "0"], ["--num_samples 0"]),
    ("sample", ["--batch_size", "0"], ["--batch_size 0"]),
    ("sample", ["--gen_start_scale", "-1"], ["--gen_start_scale -1"]),
    ("sample", ["--gen_start_scale", "99"], ["--gen_start_scale 99", "this model has 2 trained scales: 0 to 2"]),
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
    # Devices the machine does not have (singan/runtime/devices.py: one line naming the devices that exist):
    ("train", ["--device", "mps"], ["--device mps", "this machine has cpu"]),
    ("train", ["--device", "xpu"], ["--device xpu", "this machine has cpu"]),
    ("train", ["--device", "meta"], ["--device meta", "this machine has cpu"]),
    ("train", ["--device", NO_GPU], [f"--device {NO_GPU}", "this machine has cpu"]),
    ("sample", ["--device", "mps"], ["--device mps", "this machine has"]),
    ("harmonize", ["--device", "meta"], ["--device meta", "this machine has"]),
    ("edit", ["--device", "xpu"], ["--device xpu", "this machine has"]),
    ("paint2image", ["--device", "mps"], ["--device mps", "this machine has"]),
    ("sr", ["--device", "mps"], ["--device mps", "this machine has"]),
    ("animate", ["--device", "xpu"], ["--device xpu", "this machine has"]),
    ("evaluate", ["--device", "mps"], ["--device mps", "this machine has"]),
    ("figures", ["--device", "meta"], ["--device meta", "this machine has"]),
    # Resume states in a checkpoint (singan/io/checkpoint.py checks them as strictly as the finished scales):
    ("train", ["--resume", "--models_dir", "resume/rng_empty"], ["resume['rng'] lacks the key cpu"]),
    ("train", ["--resume", "--models_dir", "resume/rng_garbage"], ["resume['rng']['cpu']", "random"]),
    ("train", ["--resume", "--models_dir", "resume/rng_float"], ["resume['rng']['cpu']", "uint8"]),
    ("train", ["--resume", "--models_dir", "resume/netG_empty"], ["['netG'] does not match the network"]),
    ("train", ["--resume", "--models_dir", "resume/netD_shape"], ["['netD']['head.conv.weight'] has shape"]),
    ("train", ["--resume", "--models_dir", "resume/optG_empty"], ["['optG'] lacks the keys state, param_groups"]),
    ("train", ["--resume", "--models_dir", "resume/optD_params"], ["['optD'] is not the optimiser state"]),
    ("train", ["--resume", "--models_dir", "resume/moment_shape"], ["['exp_avg'] has shape (1,), expected"]),
    ("train", ["--resume", "--models_dir", "resume/z_rec_float64"], ["['z_rec'] is a float64 tensor"]),
    ("train", ["--resume", "--models_dir", "resume/prev_rec_shape"], ["['prev_rec']", "shape"]),
    ("train", ["--resume", "--models_dir", "resume/losses_short"], ["['losses']['errD'] is not a list of 3"]),
    ("train", ["--resume", "--models_dir", "resume/noise_amp_nan"], ["['noise_amp'] is nan"]),
    ("train", ["--resume", "--models_dir", "resume/scale_rng_missing"], ["in_progress']['rng'] lacks the key cpu"]),
    ("animate", ["--resume", "--models_dir", "resume/rng_empty"], ["resume['rng'] lacks the key cpu"]),
    # Special files (checked before opening: a named pipe would block forever):
    ("train", ["--input_dir", ".", "--input_name", "pipe.png"], ["pipe.png is a named pipe, not a regular file"]),
    ("train", ["--input_dir", ".", "--input_name", "link.png"], ["link.png is a named pipe"]),
    ("train", ["--input_dir", ".", "--input_name", "folder.png"], ["folder.png is a folder, not a regular file"]),
    ("train", ["--input_dir", ".", "--input_name", "broken.png"], ["broken.png", "broken symlink"]),
    ("sr", ["--input_dir", ".", "--input_name", "pipe.png"], ["pipe.png is a named pipe"]),
    ("sample", ["--models_dir", "code_pickle"], ["holds Python objects or code", "refused"]),
    ("sample", ["--models_dir", "pipe_model"], ["model.pt is a named pipe, not a model file"]),
    ("harmonize", ["--ref_dir", ".", "--ref_name", "pipe.png"], ["pipe.png is a named pipe"]),
    ("edit", ["--input_dir", ".", "--input_name", "balloons.png"], ["balloons.png is a named pipe"]),
    # Numbers that pass a plain range check but cannot work (singan/core/config.py bounds, README errors section):
    ("train", ["--noise_amp", "1e300"], ["--noise_amp 1e+300", "[0, 1000]"]),
    ("train", ["--lambda_grad", "1e300"], ["--lambda_grad 1e+300", "[0, 1e+06]"]),
    ("train", ["--alpha", "1e300"], ["--alpha 1e+300", "[0, 1e+06]"]),
    ("train", ["--alpha", "2e6"], ["--alpha 2000000.0"]),
    ("train", ["--min_nfc", "64"], ["--min_nfc 64", "at most --nfc 32"]),
    ("train", ["--nfc", "16"], ["--min_nfc 32", "at most --nfc 16"]),
    ("sample", ["--alpha", "1e300"], ["--alpha 1e+300"]),
    ("animate", ["--noise_amp", "5000"], ["--noise_amp 5000"]),
    ("sr", ["--lambda_grad", "1e7"], ["--lambda_grad 10000000.0", "[0, 1e+06]"]),
    ("sr", ["--min_nfc", "33"], ["--min_nfc 33"]),
    # Refusals that used to come after writing or training:
    ("animate", ["--start_scale", "9"], ["--start_scale 9", "between 0 and 2", "(3 scales)"]),
    ("animate", ["--start_scale", "3", "--beta", "0.9"], ["--start_scale 3", "(3 scales)"]),
    ("figures", ["--applications", "no/such"], ["--applications no/such", "no such folder"]),
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
    _special_files(cwd)
    _bad_resume_states(cwd)
    return cwd


class CodePickle:
    """What a hostile model.pt holds: unpickling it would call print (it must never be unpickled)."""

    def __reduce__(self):
        return print, ("this code ran",)


def _special_files(cwd):
    """A named pipe, a symlink to it, a folder and a broken symlink as images; a pipe and a code pickle as model.pt."""
    os.mkfifo(cwd / "pipe.png")
    os.mkfifo(cwd / "balloons.png")
    (cwd / "link.png").symlink_to(cwd / "pipe.png")
    (cwd / "folder.png").mkdir()
    (cwd / "broken.png").symlink_to(cwd / "nowhere.png")
    code = pickle.dumps(CodePickle())
    for root, write in (("code_pickle", lambda f: f.write_bytes(code)), ("pipe_model", os.mkfifo)):
        folder = cwd / root / "balloons" / "scale_factor=0.750000,alpha=10"
        folder.mkdir(parents=True)
        write(folder / "model.pt")


def _edit_resume(kind: str, resume: dict) -> None:
    """Break the (well-formed) resume state in the way `kind` names."""
    progress = resume["in_progress"]
    edits = {
        "rng_empty": lambda: resume.update(rng={}),
        "rng_garbage": lambda: resume["rng"].update(cpu=torch.zeros(10, dtype=torch.uint8)),
        "rng_float": lambda: resume["rng"].update(cpu=resume["rng"]["cpu"].float()),
        "netG_empty": lambda: progress.update(netG={}),
        "netD_shape": lambda: progress["netD"].update({"head.conv.weight": torch.zeros(1)}),
        "optG_empty": lambda: progress.update(optG={}),
        "optD_params": lambda: progress["optD"]["param_groups"][0].update(params=[0]),
        "moment_shape": lambda: progress["optG"]["state"].update(
            {0: {"step": 3, "exp_avg": torch.zeros(1), "exp_avg_sq": torch.zeros(1)}}),
        "z_rec_float64": lambda: progress.update(z_rec=progress["z_rec"].double()),
        "prev_rec_shape": lambda: progress.update(prev_rec=progress["prev_rec"][..., :-1]),
        "losses_short": lambda: progress["losses"].update(errD=progress["losses"]["errD"][:-1]),
        "noise_amp_nan": lambda: progress.update(noise_amp=math.nan),
        "scale_rng_missing": lambda: progress.update(rng={}),
    }
    edits[kind]()


RESUME_KINDS = ["rng_empty", "rng_garbage", "rng_float", "netG_empty", "netD_shape", "optG_empty", "optD_params",
                "moment_shape", "z_rec_float64", "prev_rec_shape", "losses_short", "noise_amp_nan",
                "scale_rng_missing"]


def unfinished_birds_state(tmp) -> dict:
    """The checkpoint dict of birds.png stopped at its last scale after 3 iterations, well formed."""
    state = checkpoint.read_state(untrained_model_file(tmp / "complete.pt", image="birds.png"))
    model = checkpoint.from_state(state)
    model.scales.pop()
    return checkpoint.to_state(model, in_progress_state(model, len(model.scales), iteration=3))


def _bad_resume_states(cwd):
    """resume/<kind>/birds/<model folder>/model.pt: an unfinished model whose resume state is broken as `kind`
    says (also under the animation model's folder for the animation case)."""
    good = unfinished_birds_state(cwd / "resume")
    (cwd / "resume" / "complete.pt").unlink()
    for kind in RESUME_KINDS:
        state = copy.deepcopy(good)
        _edit_resume(kind, state["resume"])
        for mode in ("train", "animation_train"):
            path = paths.trained_model_file("birds.png", 0.75, 10.0, mode, root=cwd / "resume" / kind)
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(state, path)


def test_the_unbroken_resume_state_is_valid(tmp_path):
    """Each resume case fails for its own edit: the state they start from passes the schema."""
    path = tmp_path / "model.pt"
    torch.save(unfinished_birds_state(tmp_path), path)
    assert checkpoint.read_state(path)["resume"]["in_progress"]["iteration"] == 3


@pytest.fixture
def no_work(monkeypatch):
    """Training and running a pyramid fail the test: every refusal must come before any work."""
    import singan.apps.injection  # noqa: F401  (imported unpatched: it binds sampling.run_pyramid by name)

    def work(*args, **kwargs):
        raise AssertionError("work started before the refusal")

    for target in ("singan.api.run_training", "singan.api.run_pyramid", "singan.apps.injection.run_pyramid"):
        monkeypatch.setattr(target, work)


@pytest.mark.parametrize("command, extra, words", CASES, ids=[f"{c}{' '.join(e)}" for c, e, _ in CASES])
def test_bad_input_is_refused(workdir, monkeypatch, capsys, no_work, command, extra, words):
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


def _api_words(cli_words: str) -> str:
    """The Python API's wording of a flag error: '--niter 0' is 'niter=0' (or 'nc_z 3' for rules between flags)."""
    name, value = cli_words[2:].split(" ", 1)
    return rf"^{name}[= ]'?{re.escape(value)}"


@pytest.mark.parametrize("fields, words", API_CASES, ids=[str(f) for f, _ in API_CASES])
def test_api_validates_the_same_rules(tmp_path, fields, words):
    """The API checks the same declared rules as the command line, in its own words (the CLI's in .cli)."""
    with pytest.raises(SinGANError, match=_api_words(words)) as e:
        TrainConfig(**fields).validate()
    assert "\n" not in str(e.value) and e.value.cli.startswith(words)
    with pytest.raises(SinGANError, match=_api_words(words)):
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


BATCH_CASES = [  # (flags, words): refused before Ray starts
    (["--cpus_per_image", "nan"], ["--cpus_per_image nan", "must be a number in (0, 4096]"]),
    (["--cpus_per_image", "inf"], ["--cpus_per_image inf", "must be a number in (0, 4096]"]),
    (["--gpus_per_image", "inf"], ["--gpus_per_image inf", "must be a number in [0, 64]"]),
    (["--device", "mps"], ["--device mps", "this machine has"]),
    (["--noise_amp", "1e300"], ["--noise_amp 1e+300"]),
    (["--min_nfc", "64"], ["--min_nfc 64"]),
    (["--cpus", "2"], ["--cpus: did you mean --cpus_per_image?"]),
    (["--gpus-per-image", "1"], ["--gpus-per-image: did you mean --gpus_per_image?"]),
    # What this machine cannot give is refused before a local Ray starts (and prints its own lines):
    (["--cpus_per_image", "4000"], ["--cpus_per_image 4000", "no node of the cluster", "CPUs and"]),
    (["--gpus_per_image", "64"], ["--gpus_per_image 64", "no node of the cluster"]),
    # A cluster address where none answers: one line, before Ray, in seconds (127.0.0.1 only):
    (["--address", "127.0.0.1:{closed}"], ["--address 127.0.0.1:", "no Ray cluster answers there", "HOST:PORT"]),
    (["--address", "ray://127.0.0.1:{closed}"], ["--address ray://127.0.0.1:"]),
    (["--address", "127.0.0.1"], ["--address 127.0.0.1: not HOST:PORT"]),
    # --inception_weights that are not the FID Inception weights: read once, before Ray and any training:
    (["--inception_weights", "{tmp}/garbage.pth"], ["cannot read Inception weights from", "garbage.pth"]),
    (["--inception_weights", "{tmp}/other_keys.pth"], ["other_keys.pth is not the FID Inception state dict"]),
    (["--inception_weights", "{tmp}"], ["is a folder; give the weights file"]),
    (["--inception_weights", "{tmp}/missing.pth"], ["missing.pth does not exist"]),
]


@pytest.fixture
def no_ray(monkeypatch):
    """Starting or joining Ray fails the test: these refusals come before it."""
    def start(*args, **kwargs):
        raise AssertionError("Ray started before the refusal")

    monkeypatch.setattr("ray.init", start)


@pytest.mark.parametrize("extra, words", BATCH_CASES, ids=[" ".join(e) for e, _ in BATCH_CASES])
def test_batch_bad_input_is_refused(tmp_path, capsys, no_work, no_ray, extra, words):
    from singan.cli import batch as batch_command
    from singan.cli import program as cli

    weights = tmp_path / "weights"
    weights.mkdir()
    (weights / "garbage.pth").write_bytes(b"not a torch file")
    torch.save({"conv.weight": torch.zeros(1)}, weights / "other_keys.pth")
    extra = [a.format(tmp=weights, closed=closed_port()) for a in extra]
    with pytest.raises(SystemExit) as info:
        cli.run_command(batch_command, ["--input_dir", str(IMAGES), "--out", str(tmp_path / "out"), *extra])
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert all(word in err for word in words), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights"]


def closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on (bound, then closed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without a GPU")
def test_batch_without_a_gpu_is_one_line(tmp_path, capsys, no_work, no_ray):
    """Issue 31 item 10: --gpus_per_image 1 on a machine without a GPU is one line, before Ray starts."""
    from singan.cli import batch as batch_command
    from singan.cli import program as cli

    with pytest.raises(SystemExit) as info:
        cli.run_command(batch_command,
                        ["--input_dir", str(IMAGES), "--out", str(tmp_path / "out"), "--gpus_per_image", "1"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1, err
    assert "--gpus_per_image 1" in err and "0 GPUs" in err and not (tmp_path / "out").exists()


NODES = [{"Alive": True, "Resources": {"CPU": 2.0}}, {"Alive": False, "Resources": {"CPU": 64.0, "GPU": 8.0}}]


@pytest.mark.parametrize("cpus, gpus, words", [
    (1e9, 0, ["--cpus_per_image 1e+09", "2 CPUs and 0 GPUs"]),
    (1, 1, ["--gpus_per_image 1", "2 CPUs and 0 GPUs"]),  # the dead node's GPUs do not count
    (3, 0, ["--cpus_per_image 3"]),
])
def test_batch_requests_no_node_can_give_are_refused(cpus, gpus, words):
    from singan.batch.runner import check_resources

    with pytest.raises(SinGANError) as info:
        check_resources(NODES, cpus, gpus)
    assert all(word in str(info.value) for word in words) and "\n" not in str(info.value)
    check_resources(NODES, 2, 0)  # what the live node has is accepted


def test_batch_gives_up_on_tasks_no_node_schedules():
    from singan.batch.runner import _unscheduled

    pending = {"ref1": "a.png", "ref2": "b.png"}
    assert _unscheduled(pending, {}, last_change=time.monotonic(), wait=60) == []  # not waited long enough
    assert _unscheduled(pending, {}, last_change=time.monotonic() - 61, wait=60) == ["ref1", "ref2"]
    running = {"a.png": {"state": "training"}}
    assert _unscheduled(pending, running, last_change=time.monotonic() - 61, wait=60) == []  # one of them runs


@pytest.mark.slow
def test_batch_checks_the_real_cluster_before_submitting(tmp_path, capsys):
    """On a local Ray without a GPU: --gpus_per_image 1 and --cpus_per_image 1000 (within its rule, beyond this
    machine) are one line, not a hang."""
    import ray

    from singan.cli import batch as batch_command
    from singan.cli import program as cli

    try:
        for extra, words in ((["--gpus_per_image", "1"], "--gpus_per_image 1"),
                             (["--cpus_per_image", "1000"], "--cpus_per_image 1000")):
            if extra[0] == "--gpus_per_image" and torch.cuda.is_available():
                continue
            with pytest.raises(SystemExit) as info:
                cli.run_command(batch_command, ["--input_dir", str(IMAGES), "--out", str(tmp_path / "out"), "--device",
                                                "cpu", *extra])
            err = capsys.readouterr().err  # Ray's own start-up lines come first: ours is the one error line
            errors = [line for line in err.splitlines() if line.startswith("error:")]
            assert info.value.code == 2 and len(errors) == 1 and "Traceback" not in err, err
            assert words in errors[0] and "no node of the cluster" in errors[0] and err.strip().endswith(errors[0])
            assert not (tmp_path / "out").exists()
    finally:
        ray.shutdown()


def _api_model_file(tmp_path):
    return untrained_model_file(tmp_path / "model.pt")


API_TYPE_CASES = [  # (call on a model file, words of the one-line SinGANError)
    (lambda f: singan.generate(str(f), 4), "generate takes a trained SinGAN (from singan.load), not str"),
    (lambda f: singan.generate(None, 4), "not NoneType"),
    (lambda f: singan.load(None), "path must be a file path"),
    (lambda f: singan.load(3), "path must be a file path"),
    (lambda f: singan.load(f, device="cuda:7" if not torch.cuda.is_available() else "cuda:99"), "device cuda:"),
    (lambda f: singan.load(f, device="mps"), "device mps: not available on this machine; this machine has"),
    (lambda f: singan.load(f, device=7), "device must be a device name"),
    (lambda f: singan.load(f, allow_partial="yes"), "allow_partial must be True or False"),
    (lambda f: TrainConfig(niter=2.5).validate(), "niter=2.5: must be an integer"),
    (lambda f: TrainConfig(niter=2.0).validate(), "niter=2.0: must be an integer"),
    (lambda f: TrainConfig(min_size=25.0).validate(), "min_size=25.0: must be an integer"),
    (lambda f: TrainConfig(nc_im=True).validate(), "nc_im=True: must be one of 1, 3"),
    (lambda f: TrainConfig(ker_size=3.0).validate(), "ker_size=3.0"),
    (lambda f: TrainConfig(fresh_fake="no").validate(), "fresh_fake='no': must be True or False"),
    (lambda f: TrainConfig(manualSeed=1.0).validate(), "manualSeed=1.0"),
    (lambda f: singan.build_model(torch.zeros(3, 30, 40), TrainConfig()), "real must be a (1, 3, H, W) image tensor"),
    (lambda f: singan.build_model(torch.zeros(1, 1, 30, 40), TrainConfig()), "got (1, 1, 30, 40)"),
    (lambda f: singan.build_model("balloons.png", TrainConfig()), "got str"),
    (lambda f: singan.build_model(torch.zeros(1, 3, 30, 40), {"niter": 3}), "config must be a singan.TrainConfig"),
    (lambda f: singan.build_model(torch.full((1, 3, 30, 40), math.nan), TrainConfig(max_size=40)), "finite"),
    (lambda f: singan.train_image(None, TrainConfig(), f.parent / "new.pt"), "image must be a file path"),
    (lambda f: singan.train_image(IMAGES / "balloons.png", TrainConfig(), None), "model_file must be a file path"),
    (lambda f: singan.train_image(IMAGES / "balloons.png", TrainConfig(), f.parent / "n.pt", device="xpu"),
     "device xpu"),
    (lambda f: singan.train_image(IMAGES / "balloons.png", TrainConfig(), f, resume="yes"), "resume must be True"),
    (lambda f: singan.train_image(IMAGES / "balloons.png", TrainConfig(), f.parent / "n.pt", previews=None),
     "previews must be True or False"),
]


@pytest.mark.parametrize("call, words", API_TYPE_CASES, ids=[w[:40] for _, w in API_TYPE_CASES])
def test_api_types_are_one_line_errors(tmp_path, no_work, call, words):
    model_file = _api_model_file(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(SinGANError) as info:
        call(model_file)
    assert words in str(info.value) and "\n" not in str(info.value), str(info.value)
    assert snapshot(tmp_path) == before


def test_a_float64_z_rec_is_converted(tmp_path):
    """A checkpoint whose reconstruction noise is float64 (written by other code) loads and samples."""
    state = torch.load(_api_model_file(tmp_path), weights_only=True)
    for scale in state["scales"]:
        scale["z_rec"] = scale["z_rec"].double()
    torch.save(state, tmp_path / "f64.pt")
    model = singan.load(tmp_path / "f64.pt")
    assert all(s.z_rec.dtype == torch.float32 for s in model.scales)
    assert singan.generate(model, 2, gen_start_scale=2, seed=0).shape == (2, 3, 30, 40)


@pytest.mark.slow
def test_the_documented_bounds_train(tmp_path):
    """At the largest accepted --noise_amp, --alpha and --lambda_grad a run trains to the end (finite losses)."""
    from singan.core.config import MAX_NOISE_AMP, MAX_WEIGHT

    config = TrainConfig(max_size=40, niter=2, noise_amp=MAX_NOISE_AMP, alpha=MAX_WEIGHT, lambda_grad=MAX_WEIGHT)
    torch.manual_seed(0)
    model = train_image(IMAGES / "balloons.png", config, tmp_path / "m.pt", progress=False)
    assert model.complete and torch.isfinite(singan.generate(model, 1, seed=0)).all()


# ---------------------------------------------------------------- --out_size (issue 32): checked before any work

GIB = 2**30
OUT_SIZE_CASES = [  # (command, extra flags, words): with 8 GiB free, nothing resized, trained or run first
    ("sample", ["--out_size", "²"], ["--out_size ²", "HxW"]),  # a digit to str.isdigit, not to int
    ("sample", ["--out_size", "2x²"], ["--out_size 2x²"]),
    ("sample", ["--out_size", "20X30"], ["--out_size 20x30", "at least the training size 30x40"]),  # X is x
    ("sample", ["--out_size", "30000x30000"], ["upscaling 1 image to 30000x30000 needs about", "8.0 GiB",
                                               "would fit"]),
    ("harmonize", ["--out_size", "32768x32768"], ["to 32768x32768 and pasting it into the reference", "would fit"]),
    ("edit", ["--out_size", "32768"], ["x32768 and pasting it into the reference", "would fit"]),
    ("paint2image", ["--out_size", "20000x30000"], ["upscaling 1 image to 20000x30000 needs about", "would fit"]),
    # A model it must first train: the size is checked on the planned pyramid (of the input file), before training:
    ("animate", ["--out_size", "10x10"], ["--out_size 10x10", "at least the training size"]),
    ("animate", ["--out_size", "32768x32768"], ["keeping its 2 frames", "would fit"]),
    ("animate", ["--out_size", "2000x3000", "--num_frames", "400"], ["keeping its 400 frames", "would fit"]),
    ("sr", ["--input_dir", "big", "--input_name", "photo.png", "--sr_factor", "5.4"],
     ["upscaling 1 image to 21600x32400", "8.0 GiB", "the SR output", "would fit"]),
]


@pytest.fixture
def small_memory(monkeypatch):
    """8 GiB free on every device, and no reference or mask resized to more than 10 megapixels (that would
    be the allocation the memory check must come before)."""
    from singan.apps import references

    resize = references.imresize_to_shape

    def guarded(x, shape):
        assert shape[0] * shape[1] <= 10**7, f"the reference was resized to {shape} before the memory check"
        return resize(x, shape)

    monkeypatch.setattr("singan.runtime.memory.available_bytes", lambda device: 8 * GIB)
    monkeypatch.setattr(references, "imresize_to_shape", guarded)


@pytest.fixture(scope="module")
def big_photo(workdir):
    """big/photo.png: a 4000x6000 photograph (flat, so the PNG is small) for SR.py --sr_factor 5.4."""
    from PIL import Image

    (workdir / "big").mkdir(exist_ok=True)
    Image.new("RGB", (6000, 4000), (90, 120, 150)).save(workdir / "big" / "photo.png")
    return workdir / "big" / "photo.png"


@pytest.mark.parametrize("command, extra, words", OUT_SIZE_CASES,
                         ids=[f"{c}{' '.join(e)}" for c, e, _ in OUT_SIZE_CASES])
def test_out_size_is_refused_before_any_work(workdir, big_photo, monkeypatch, capsys, no_work, small_memory,
                                             command, extra, words):
    before = snapshot(workdir)
    proc = run_command(command, [*BASE[command], *extra], workdir, monkeypatch, capsys)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert snapshot(workdir) == before


def test_out_size_full_keeps_the_models_aspect_when_the_file_changed(tmp_path, workdir, monkeypatch, capsys):
    """The input file now has another aspect ratio than the model's training image: the samples keep the
    model's aspect at the file's longest side, and a line says so (no stretching without a word)."""
    from PIL import Image

    (tmp_path / "images").mkdir()
    Image.new("RGB", (120, 120), (10, 20, 30)).save(tmp_path / "images" / "balloons.png")  # trained on 30x40
    argv = [*BASE["sample"], "--input_dir", str(tmp_path / "images"), "--models_dir", str(workdir / "TrainedModels"),
            "--out", str(tmp_path / "Output"), "--out_size", "full", "--num_samples", "1"]
    proc = run_command("sample", argv, tmp_path, monkeypatch, capsys)
    assert proc.returncode == 0, proc.stderr
    assert "--out_size full:" in proc.stdout and "is 120x120, not the aspect ratio of the model's 30x40" in proc.stdout
    (png,) = (tmp_path / "Output").rglob("*.png")
    assert png.parent.name.endswith("_90x120") and Image.open(png).size == (120, 90)


def test_out_size_full_keeps_the_files_size_when_only_the_training_rounding_differs(capsys):
    """seascape.png (280x348) trained at --max_size 40 is 33x40 (the resize rounds up): the same aspect up to a
    pixel of the training size a side, so --out_size full is the file's own size, without a word."""
    from singan.apps import upscale

    assert upscale.keep_model_aspect("full", (280, 348), (33, 40)) == (280, 348)
    assert upscale.keep_model_aspect("full", (280, 348), (65, 80)) == (280, 348)
    assert capsys.readouterr().out == ""
    assert upscale.keep_model_aspect("full", (120, 120), (30, 40)) == (90, 120)  # another aspect: the model's


def test_free_memory_counts_the_containers_limit(tmp_path):
    """editing.py --out_size 32768 was killed by the kernel at 6 GB resident: the memory check must see the
    memory cgroup's limit (a container's), not only the machine's free memory."""
    from singan.runtime.memory import cgroup_free

    v2 = tmp_path / "v2" / "job"
    v2.mkdir(parents=True)
    (v2 / "memory.max").write_text(f"{6 * GIB}\n")
    (v2 / "memory.current").write_text(f"{3 * GIB}\n")
    (v2 / "memory.stat").write_text(f"anon {2 * GIB}\ninactive_file {GIB}\n")  # page cache it can reclaim
    (tmp_path / "self").write_text("0::/job\n")
    assert cgroup_free(tmp_path / "v2", tmp_path / "self") == 4 * GIB
    (v2 / "memory.max").write_text("max\n")
    assert cgroup_free(tmp_path / "v2", tmp_path / "self") is None
    v1 = tmp_path / "v1" / "memory" / "job"
    v1.mkdir(parents=True)
    (v1 / "memory.limit_in_bytes").write_text(f"{6 * GIB}\n")
    (v1 / "memory.usage_in_bytes").write_text(f"{5 * GIB}\n")
    (v1 / "memory.stat").write_text("total_inactive_file 0\n")
    (tmp_path / "self1").write_text("4:memory:/job\n1:cpu:/\n")
    assert cgroup_free(tmp_path / "v1", tmp_path / "self1") == GIB
    assert cgroup_free(tmp_path / "none", tmp_path / "missing") is None
