"""The project is an installable package: `pip install .` and `pip install -e .` into a fresh virtual
environment give `import singan` from any folder and the console commands.

The fresh environment borrows the test interpreter's installed dependencies (torch, ...) through a
.pth file and pip installs with --no-deps --no-index --no-build-isolation, so no network is needed.
"""

import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import tomllib

from helpers import IMAGES, REPO

COMMANDS = list(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"])  # the one list

TRAIN_AND_SAMPLE = f"""
import singan
from singan.api import generate
print(singan.__file__)
config = singan.TrainConfig(max_size=40, niter=3, manualSeed=1)
model = singan.train_image({str(IMAGES / "balloons.png")!r}, config, "model.pt", progress=False)
images = generate(singan.load("model.pt"), 2)
assert tuple(images.shape) == (2, 3, 30, 40), images.shape
"""


def _requirement_names(lines):
    return [line.split("==")[0].split(">=")[0].strip().lower() for line in lines]


def test_pyproject_dependencies_match_requirements_txt():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = [line for line in (REPO / "requirements.txt").read_text().splitlines() if line.strip()]
    assert project["dependencies"] == requirements


def test_every_console_command_runs_a_command_module_listed_in_the_reference():
    from singan.cli.reference import COMMANDS as REFERENCE

    launched = {m[1] for p in REPO.glob("*.py") if (m := re.search(r'launch\("(\w+)"\)', p.read_text()))}
    assert len(launched) == 7  # the original's seven scripts, each a console command too, and the studio
    assert {f"singan-{name}" for name in launched} <= set(COMMANDS) and "singan-studio" in COMMANDS
    assert [f"singan-{name}" for name in REFERENCE] == [c for c in COMMANDS if c != "singan-studio"]
    for name in REFERENCE:
        assert (REPO / "singan" / "cli" / f"{name}.py").is_file(), name


def _fresh_venv(folder: Path) -> Path:
    """A new virtual environment that sees this interpreter's installed packages, pip and setuptools included
    (its own bundled setuptools would shadow them), so no network is needed."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=300)
    python = folder / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _copy_repo(folder: Path) -> Path:
    shutil.copytree(REPO, folder, ignore=shutil.ignore_patterns(".git", ".venv", "TrainedModels", "Output", "build",
                                                               "*.egg-info", "__pycache__", ".pytest_cache"))
    return folder


def _pip_install(python: Path, *args: str) -> None:
    proc = subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--no-build-isolation",
                           *args], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_pip_install_then_train_and_sample_from_another_folder(tmp_path):
    python = _fresh_venv(tmp_path / "venv")
    _pip_install(python, str(_copy_repo(tmp_path / "src")))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([python, "-c", TRAIN_AND_SAMPLE], cwd=elsewhere, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert str(tmp_path / "venv") in proc.stdout.splitlines()[0]  # the installed copy, not a source tree
    assert (elsewhere / "model.pt").is_file()
    for command in COMMANDS:
        assert (tmp_path / "venv" / "bin" / command).is_file(), command
    help_text = subprocess.run([tmp_path / "venv" / "bin" / "singan-train", "--help"], cwd=elsewhere,
                               capture_output=True, text=True, timeout=300)
    assert help_text.returncode == 0 and "--input_name" in help_text.stdout, help_text.stderr


@pytest.mark.slow
def test_editable_install_imports_the_working_copy(tmp_path):
    python = _fresh_venv(tmp_path / "venv")
    src = _copy_repo(tmp_path / "src")
    _pip_install(python, "-e", str(src))
    proc = subprocess.run([python, "-c", "import singan, singan.cli.train; print(singan.__file__)"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(src / "singan" / "__init__.py")
    assert (tmp_path / "venv" / "bin" / "singan-sample").is_file()


def test_gitignore_lists_every_folder_the_commands_write_by_default():
    """Every command's default --out and --models_dir (their top folder, in the working folder) is ignored."""
    import importlib

    from singan.cli.reference import COMMANDS

    ignored = set((REPO / ".gitignore").read_text().splitlines())
    defaults = set()
    for name in COMMANDS:
        parser = importlib.import_module(f"singan.cli.{name}").get_parser()
        for flag in ("out", "models_dir"):
            value = parser.get_default(flag)
            if value:
                defaults.add(f"/{Path(value).parts[0]}/")
    assert defaults >= {"/Output/", "/TrainedModels/", "/figures/", "/Batch/", "/Benchmark/"}
    assert defaults <= ignored, defaults - ignored
