"""Every command of the ```bash blocks of the README and of docs/*.md, run top to bottom on a fresh copy of
the repository, succeeds: the documentation cannot drift from the code.

The README's commands run first, then those of the docs files in the order of DOCS (later commands use the
models earlier ones trained). Only size and iteration flags are added (a tiny pyramid, a few iterations) so
the whole documentation runs in minutes; the set-up commands (virtual environments, pip, the test suite
itself) are left out.
"""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import CLONE_ENV, REPO

TINY = ["--min_size", "20", "--max_size", "40", "--niter", "3"]  # appended to the commands that train
TRAINS = ("main_train.py", "SR.py", "animation.py")
SETUP = ("venv", "pip ", "pytest")
# The docs files whose commands run after the README's, in this order (docs/development.md says so too).
DOCS = ("usage.md", "outputs.md", "evaluation.md", "performance.md", "batch.md", "errors.md", "fidelity.md",
        "development.md", "ARCHITECTURE.md")
TEST_COMMAND = ("python3 -m venv .venv && .venv/bin/pip install -q -r requirements-dev.txt"
                " && .venv/bin/python -m pytest -q -n auto")


def readme_commands(text: str) -> list[list[str]]:
    """The commands of the ```bash blocks, in order, without the set-up ones."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if line.strip() and not any(word in line for word in SETUP):
                commands.append(shlex.split(line, comments=True))
    return commands


def documents(repo: Path) -> list[Path]:
    """The README, then the docs files in their order."""
    return [repo / "README.md", *(repo / "docs" / name for name in DOCS)]


def documented_commands(repo: Path) -> list[list[str]]:
    """Every command of the README and of the docs files, in the order they run."""
    return [command for path in documents(repo) for command in readme_commands(path.read_text())]


def bash_lines(text: str) -> list[str]:
    """Every line of the ```bash blocks, set-up ones included."""
    return [line for block in re.findall(r"```bash\n(.*?)```", text, re.S) for line in block.splitlines()]


def tiny(command: list[str]) -> list[str]:
    """The command as run here: this interpreter, and a tiny size for the commands that train."""
    assert command[0] == "python", command
    extra = TINY if any(command[1] == script for script in TRAINS) else []
    return [sys.executable, *command[1:], *extra]


def test_readme_has_the_commands_of_every_script():
    scripts = {c[1] for c in readme_commands((REPO / "README.md").read_text())}
    assert {"main_train.py", "random_samples.py", "harmonization.py", "editing.py", "paint2image.py", "SR.py",
            "animation.py"} <= scripts
    # The `python -m singan...` commands (evaluation, figures) moved to docs/evaluation.md.
    assert "-m" in {c[1] for c in readme_commands((REPO / "docs" / "evaluation.md").read_text())}


def test_readme_has_the_key_commands():
    # Set up and train on the bundled image; set up and run the tests, exactly as CI does (.ci/run).
    lines = bash_lines((REPO / "README.md").read_text())
    assert ("python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"
            " && .venv/bin/python main_train.py --input_name balloons.png") in lines
    assert TEST_COMMAND in lines
    ci = [line for line in (REPO / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert " && ".join(line.removeprefix("exec ") for line in ci) == TEST_COMMAND


def test_every_docs_file_has_its_place_in_the_order():
    assert sorted(DOCS) == sorted(path.name for path in (REPO / "docs").glob("*.md"))


def test_relative_links_and_images_exist():
    for path in documents(REPO):
        for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            assert (path.parent / target.split("#")[0]).exists(), f"{path.name}: {target} does not exist"


@pytest.mark.slow
def test_every_readme_command_runs_in_order(tmp_path):
    repo = tmp_path / "singan"
    shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns(".git", ".venv", "TrainedModels", "Output",
                                                             "__pycache__", ".pytest_cache", ".ruff_cache"))
    for command in documented_commands(repo):
        proc = subprocess.run(tiny(command), cwd=repo, env=CLONE_ENV, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"{shlex.join(command)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
