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

from helpers import CLONE_ENV, REPO, run_command, untrained_model_file

TINY = ["--min_size", "20", "--max_size", "40", "--niter", "3"]  # appended to the commands that train
TRAINS = ("main_train.py", "SR.py", "animation.py")
SETUP = ("venv", "pip ", "pytest")
# The docs files whose commands run after the README's, in this order (docs/development.md says so too).
DOCS = ("usage.md", "cli.md", "outputs.md", "evaluation.md", "performance.md", "batch.md", "errors.md",
        "fidelity.md", "development.md", "ARCHITECTURE.md", "studio.md")
CHROMIUM_STEP = ('[ -x /usr/bin/chromium ] || [ "$(id -u)" != 0 ] || { apt-get update -qq && apt-get install -y -qq '
                 'chromium; } >/dev/null 2>&1 || echo "note: chromium was not installed: the browser tests skip"')
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


def python_blocks(text: str) -> list[str]:
    """The ```python blocks, made tiny as the commands are (niter=3, max_size=40)."""
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    return [re.sub(r"max_size=\d+", "max_size=40", re.sub(r"niter=\d+", "niter=3", block)) for block in blocks]


def indented_commands(text: str) -> list[str]:
    """The indented `python ...` lines outside code fences: examples in the prose."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return [line.strip() for line in text.splitlines() if re.match(r" {4}python ", line)]


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
    assert CHROMIUM_STEP in ci  # the browser tests' chromium, installed before the suite runs
    ci.remove(CHROMIUM_STEP)
    assert " && ".join(line.removeprefix("exec ") for line in ci) == TEST_COMMAND


def test_every_docs_file_has_its_place_in_the_order():
    assert sorted(DOCS) == sorted(path.name for path in (REPO / "docs").glob("*.md"))


def test_the_cli_reference_is_generated_from_the_declarations():
    from singan.cli.reference import reference

    assert (REPO / "docs" / "cli.md").read_text() == reference(), "run: python -m singan.cli.reference > docs/cli.md"


def test_relative_links_and_images_exist():
    for path in documents(REPO):
        for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            assert (path.parent / target.split("#")[0]).exists(), f"{path.name}: {target} does not exist"


# The indented example commands of the docs that the documentation run leaves out, each with the test that runs
# it at a tiny size (they are measurements of many minutes, or need a folder or cluster of the reader's).
EXAMPLES_RUN_ELSEWHERE = {
    "python -m singan.batch --input_dir my_images": "tests/test_batch.py (a folder of images, local Ray)",
    "python -m singan.batch --input_dir my_images --address": "tests/test_cluster.py (a two-node cluster)",
    "python -m singan.benchmark places50": "tests/test_batch.py, tests/test_one_run.py (one Places50 image)",
    "python bench/": "tests/test_bench.py (every bench script on a tiny configuration)",
}


def test_every_indented_example_runs_somewhere():
    """The docs' indented example commands run in the documentation run or, at a tiny size, in the named test."""
    for path in documents(REPO):
        for line in indented_commands(path.read_text()):
            assert any(line.startswith(prefix) for prefix in EXAMPLES_RUN_ELSEWHERE), f"{path.name}: {line}"


def _run(argv: list[str], repo: Path, what: str) -> None:
    proc = subprocess.run(argv, cwd=repo, env=CLONE_ENV, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{what} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"


@pytest.mark.slow
def test_every_readme_command_runs_in_order(tmp_path):
    """The ```bash commands of the README and the docs in order, then their ```python blocks."""
    repo = tmp_path / "singan"
    shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns(".git", ".venv", "TrainedModels", "Output",
                                                             "__pycache__", ".pytest_cache", ".ruff_cache"))
    for command in documented_commands(repo):
        _run(tiny(command), repo, shlex.join(command))
    blocks = [block for path in documents(repo) for block in python_blocks(path.read_text())]
    assert blocks, "the README's Python example is run too"
    for block in blocks:
        _run([sys.executable, "-c", block], repo, f"the Python block\n{block}")


def test_the_reference_and_mask_how_to_makes_files_editing_takes(tmp_path, monkeypatch, capsys):
    """docs/usage.md's Python example writes a reference of the photo's size and its black/white mask under
    the name editing.py looks for; editing.py then runs on them (a model with untrained networks: no training)."""
    import numpy as np
    from PIL import Image

    [block] = [b for b in python_blocks((REPO / "docs" / "usage.md").read_text()) if "_mask" in b]
    shutil.copytree(REPO / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "docs/usage.md", "exec"), {})
    photo = Image.open("input/images/stone.png")
    reference, mask = Image.open("input/Editing/stone_pasted.png"), Image.open("input/Editing/stone_pasted_mask.png")
    assert reference.size == mask.size == photo.size
    values = np.asarray(mask)
    assert set(np.unique(values)) == {0, 255} and 0 < (values == 255).mean() < 0.25
    untrained_model_file(tmp_path / "TrainedModels" / "stone" / "scale_factor=0.750000,alpha=10" / "model.pt",
                         "stone.png")
    proc = run_command("edit", ["--input_name", "stone.png", "--ref_name", "stone_pasted.png",
                                "--editing_start_scale", "1", "--not_cuda"], tmp_path, monkeypatch, capsys)
    assert proc.returncode == 0, proc.stderr
    assert list((tmp_path / "Output" / "Editing" / "stone").rglob("stone_pasted_out/start_scale=1_masked.png"))
