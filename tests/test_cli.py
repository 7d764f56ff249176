"""The commands' --help and shared plumbing: only the flags a command uses, each with help text and a
true default; the thin top-level scripts; the resume command line; the default injection scale."""

import argparse
import importlib
import importlib.util
import subprocess
import sys

import pytest

from helpers import ENV, REPO, random_model, run_command, untrained_model_file
from singan import SinGANError
from singan.apps import injection
from singan.cli import program as cli
from singan.cli.flags import train_config

COMMANDS = ["train", "sample", "harmonize", "edit", "paint2image", "sr", "animate"]
SCRIPTS = {"main_train.py": "train", "random_samples.py": "sample", "harmonization.py": "harmonize",
           "editing.py": "edit", "paint2image.py": "paint2image", "SR.py": "sr", "animation.py": "animate"}
TRAINING_FLAGS = ["--min_size", "--max_size", "--lr_g", "--Gsteps", "--nfc", "--ker_size", "--preset", "--amp"]


def _help(command: str) -> str:
    return importlib.import_module(f"singan.cli.{command}").get_parser().format_help()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_flag_has_help_and_a_true_default(command):
    parser = importlib.import_module(f"singan.cli.{command}").get_parser()
    for action in parser._actions:
        assert action.help, action.option_strings
    text = " ".join(_help(command).split())  # argparse wraps lines
    for wrong in ("(default: None)", "default: True", "default: False"):
        assert wrong not in text
    assert "default: None" not in text and "default:\n" not in text


@pytest.mark.parametrize("command", ["sample", "harmonize", "edit", "paint2image"])
def test_loading_commands_do_not_list_training_flags(command):
    text = _help(command)
    assert all(flag not in text for flag in TRAINING_FLAGS)
    assert "--scale_factor" in text and "--alpha" in text  # they name the model folder
    assert ("--niter" in text) == (command == "paint2image")  # paint2image retrains one scale


def test_sr_help_shows_the_defaults_sr_uses():
    text = " ".join(_help("sr").split())
    assert "--scale_factor" not in text  # computed from --sr_factor
    assert "reconstruction-loss weight (default: 100.0)" in text
    assert "image side at the coarsest scale (default: 18)" in text


def test_no_cuda_graph_help_has_no_default():
    text = " ".join(_help("train").split())
    assert "CUDA graph (default" not in text and "--no_cuda_graph" in text


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_top_level_scripts_are_thin_files_over_the_package_commands(script):
    """Each script only launches its package command (singan_launch.py holds Ctrl-C while it imports)."""
    text = (REPO / script).read_text()
    assert f'launch("{SCRIPTS[script]}")' in text and len(text.splitlines()) < 80
    assert isinstance(importlib.import_module(f"singan.cli.{SCRIPTS[script]}").get_parser(), argparse.ArgumentParser)


def test_a_script_runs_as_users_call_it():
    proc = subprocess.run([sys.executable, str(REPO / "main_train.py"), "--help"], env=ENV, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0 and "--input_name" in proc.stdout, proc.stderr


def test_resume_command_repeats_argv_with_resume(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["main_train.py", "--input_name", "a b.png"])
    expected = f"{sys.executable} main_train.py --input_name 'a b.png' --resume"
    assert cli.resume_command(["--input_name", "a b.png"]) == expected
    assert cli.resume_command(["--resume"]).endswith("main_train.py --resume")
    monkeypatch.setattr(sys, "argv", ["/usr/bin/singan-train"])
    assert cli.resume_command(["--niter", "5"]) == "/usr/bin/singan-train --niter 5 --resume"


def test_injection_scale_default_and_range(capsys):
    nine = random_model(max_size=250)  # 9 scales
    assert len(nine.reals) == 9
    assert injection.injection_scale(nine, None, "editing_start_scale") == 6
    assert "1 to 8" in capsys.readouterr().out
    assert injection.injection_scale(random_model(max_size=34), None, "editing_start_scale") == 1  # 2 scales
    assert injection.injection_scale(nine, 3, "editing_start_scale") == 3
    with pytest.raises(SinGANError, match="^editing_start_scale=9: this 9-scale model .* between 1 and 8") as error:
        injection.injection_scale(nine, 9, "editing_start_scale")
    assert error.value.cli.startswith("--editing_start_scale 9: ")  # the words the command line prints
    with pytest.raises(SinGANError, match="at least 2"):
        injection.injection_scale(random_model(max_size=34, scales=1), None, "editing_start_scale")


def test_parsed_flags_are_checked_by_the_api_in_the_cli_words():
    """A command's parsed flags become the API's arguments, whose rules name the flag, value and rule in the CLI's
    words; a None default (a flag left out) is valid."""
    p = importlib.import_module("singan.cli.train").get_parser()
    args = p.parse_args(["--input_name", "a.png", "--niter", "0", "--out", "."])
    with pytest.raises(SinGANError) as error:
        train_config(args).validate()
    assert error.value.cli.startswith("--niter 0: must be an integer in [1, ")
    train_config(p.parse_args(["--input_name", "a.png", "--niter", "5", "--out", "."])).validate()
    left_out = p.parse_args(["--input_name", "a.png", "--out", "."])
    assert left_out.batch_size is None and left_out.nc_z is None  # left out: the API's defaults
    assert train_config(left_out).validate().nc_z == 3
    assert p.rules["niter"] == "an integer in [1, 1e+07]" and p.rules["batch_size"].startswith("an integer in [1, ")


def test_evaluate_and_figures_commands(tmp_path, monkeypatch, capsys):
    """The console commands singan-evaluate and singan-figures, on a model of untrained networks (no training)."""
    untrained_model_file(tmp_path / "TrainedModels" / "balloons" / "scale_factor=0.750000,alpha=10" / "model.pt")
    proc = run_command("evaluate", ["--input_name", "balloons.png", "--num_samples", "3", "--device", "cpu"],
                       tmp_path, monkeypatch, capsys)
    assert proc.returncode == 0 and "diversity" in proc.stdout, proc.stderr
    assert list((tmp_path / "TrainedModels").rglob("evaluation_gen_start_scale=0.json"))
    proc = run_command("figures", ["--input_name", "balloons.png", "--out", "figs", "--num_samples", "2",
                                   "--device", "cpu"], tmp_path, monkeypatch, capsys)
    assert proc.returncode == 0, proc.stderr
    assert list((tmp_path / "figs").glob("*"))


def test_closest_flags_suggests_what_was_meant():
    """Issue 31 item 8: a mistyped flag names the closest flags (dashes for underscores, a prefix, a typo)."""
    flags = ["--max_size", "--min_size", "--niter", "--scale_factor", "--not_cuda", "--num_samples", "--nc_im"]
    assert cli.closest_flags("--max-size", flags) == ["--max_size"]
    assert cli.closest_flags("--MAX_SIZE", flags) == ["--max_size"]
    assert cli.closest_flags("--maxsize", flags) == ["--max_size"]
    assert cli.closest_flags("--iters", flags) == ["--niter"]
    assert cli.closest_flags("--scale", flags) == ["--scale_factor"]
    assert cli.closest_flags("--n", flags) == ["--niter", "--not_cuda", "--num_samples"]  # at most three
    assert cli.closest_flags("--zzz", flags) == []


def test_no_parser_takes_an_abbreviation():
    """A prefix of a flag is refused (argparse's allow_abbrev is off): --scale is not --scale_factor."""
    from singan.cli import train

    with pytest.raises(SystemExit):
        train.get_parser().parse_args(["--input_name", "a.png", "--scale", "0.5"])
    assert train.get_parser().allow_abbrev is False
