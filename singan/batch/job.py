"""One image of a batch: train it (or resume it, or skip it when finished), then sample and score it; and
the batch's summary of those rows as Markdown and CSV.

`run_job` is what a batch worker executes; it knows nothing about the scheduler. It never raises for a
problem of its image: the returned row (status 'done' or 'failed') carries a one-line `error`, and the
traceback goes to the image's log file. Training resumes from the model file's checkpoint, so a job
restarted after its worker (or the whole batch) died goes on from there.
"""

import contextlib
import csv
import io
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from ..api import generate, load, train_image
from ..core.config import TrainConfig
from ..errors import SinGANError
from ..eval.evaluate import METRICS, evaluate
from ..eval.fid_inception import load_inception
from ..io import checkpoint
from ..io.atomic import atomic_path, write_json
from ..io.images import save_images
from ..io.lock import locked_by, result_folder
from ..runtime.training_run import ProgressReport

RESULT_FILE = "batch_result.json"  # the finished row, beside the model file
LOG_FILE = "batch.log"  # what training printed, beside the model file
REPORT_EVERY = 2.0  # seconds between progress reports within a scale
LOCK_WAIT = 30.0  # seconds to wait for a killed batch's worker still holding the model's lock to stop
SETTINGS = {"N": 0, "N-1": 1}  # the paper's names of the two sampling settings -> gen_start_scale

Report = Callable[..., None]


@dataclass
class JobOptions:
    """What a worker needs besides the image and the training config."""

    device: str = "cpu"
    threads: int = 1  # torch CPU threads of the worker
    seed: int = 0
    save_every: float = 60.0  # seconds between in-scale checkpoints
    num_samples: int = 50  # samples scored per setting
    save_samples: int = 8  # samples written as PNG per setting
    inception_weights: str | None = None  # the FID Inception weights file (found by the driver), or None
    sifid_dims: int = 64
    sifid_missing: str | None = None  # why there are no weights


def one_line(error: BaseException) -> str:
    """The first line of an error's message (a user error's in the command line's words), prefixed by its
    type unless it is a user error."""
    message = (getattr(error, "cli", None) or str(error)).strip()
    text = message.splitlines()[0] if message else ""
    if isinstance(error, SinGANError):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _train(image: Path, config: TrainConfig, model_file: Path, options: JobOptions, report: Report):
    """Train (or resume, or just load) the model; returns it."""
    deadline = time.monotonic() + LOCK_WAIT
    while locked_by(model_file) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    if model_file.exists():
        state = checkpoint.read_state(model_file)
        if state["complete"]:
            scales = len(state["scales"])
            report(state="trained", scale=scales, scales=scales, work=1.0)
            return load(model_file, options.device)
    report(state="training", started=time.time())
    torch.manual_seed(options.seed)
    return train_image(image, config, model_file, options.device, resume=model_file.exists(),
                       save_every=options.save_every, progress=False, progress_fn=ProgressReport(report, REPORT_EVERY),
                       previews=True)


def discard(model_file: Path, samples_dir: Path) -> None:
    """Remove what a job wrote for an image (model, log, row, previews, samples, scores), to retrain it."""
    folder = model_file.parent
    for path in [model_file, folder / RESULT_FILE, folder / LOG_FILE, *samples_dir.glob("evaluation_*.json")]:
        path.unlink(missing_ok=True)
    previews = [p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()]
    for path in [*previews, *samples_dir.glob("gen_start_scale=*")]:
        shutil.rmtree(path)


def _score(model, samples_dir: Path, options: JobOptions) -> dict:
    """Write samples and evaluation JSON per setting; the row's metric columns."""
    inception = (load_inception(options.inception_weights, options.sifid_dims, options.device)
                 if options.inception_weights else None)
    row = {}
    for name, start in SETTINGS.items():
        start = min(start, model.num_trained - 1)
        torch.manual_seed(options.seed)
        if options.save_samples:
            with result_folder(samples_dir / f"gen_start_scale={start}", overwrite=True) as staging:
                save_images(staging, generate(model, options.save_samples, gen_start_scale=start))
        result = evaluate(model, options.num_samples, start, inception, options.sifid_dims, options.seed,
                          sifid_missing=options.sifid_missing)
        write_json(result, samples_dir / f"evaluation_gen_start_scale={start}.json")
        row.update(metric_cells(result, name))
    return row


def run_job(image: str | Path, config: TrainConfig, model_file: str | Path, samples_dir: str | Path,
            options: JobOptions, report: Report | None = None) -> dict:
    """Train and score one image; the summary row (see the module docstring). Never raises for the image."""
    image, model_file, samples_dir = Path(image), Path(model_file), Path(samples_dir)
    report = report or (lambda **_: None)
    torch.set_num_threads(max(1, options.threads))
    row = {"image": image.name, "status": "failed", "scales": None, "size": None, "train_s": None, "eval_s": None}
    model_file.parent.mkdir(parents=True, exist_ok=True)
    with open(model_file.parent / LOG_FILE, "a") as log, contextlib.redirect_stdout(log):
        try:
            start = time.time()
            model = _train(image, config, model_file, options, report)
            row.update(scales=model.num_trained, size="x".join(map(str, model.reals[-1].shape[-2:])),
                       train_s=round(time.time() - start, 1))
            report(state="scoring", scale=model.num_trained, scales=model.num_trained, work=1.0)
            start = time.time()
            row.update(_score(model, samples_dir, options))
            row.update(status="done", eval_s=round(time.time() - start, 1), error="")
        except Exception as e:  # one image's failure must not stop the batch
            traceback.print_exc(file=log)
            row["error"] = one_line(e)
    write_json(row, model_file.parent / RESULT_FILE)
    report(state=row["status"], error=row["error"])
    return row


def columns() -> list[str]:
    """The summary's columns: image, status, scales, size, train_s (training time in the run that finished it),
    eval_s, each registered metric (singan.eval.evaluate) per sampling setting, SIFID dims (the Inception layer
    SIFID ran at), error."""
    return ["image", "status", "scales", "size", "train_s", "eval_s",
            *[f"{m.label} {s}" for s in SETTINGS for m in METRICS.values()], "SIFID dims", "error"]


def metric_cells(result: dict, setting: str) -> dict:
    """The cells of an image's row from evaluate's result at the sampling setting `setting` ("N"): each
    metric's headline number, and the Inception layer SIFID ran at (empty where it did not run)."""
    cells = {f"{m.label} {setting}": result[m.headline] for m in METRICS.values()}
    return {**cells, "SIFID dims": result["sifid_dims"] if result["sifid_mean"] is not None else None}


def _cell(value, markdown: bool, column: str) -> str:
    """A row's value as a cell: missing values empty in CSV and '-' in Markdown."""
    if value is None or value == "":
        return "-" if markdown else ""
    if isinstance(value, float):
        value = f"{value:.1f}" if column.endswith("_s") else f"{value:.4f}"
    return str(value).replace("|", "/") if markdown else str(value)


def format_markdown(rows: list[dict]) -> str:
    """A Markdown table of the rows."""
    names = columns()
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_cell(row.get(c), True, c) for c in names) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def format_csv(rows: list[dict]) -> str:
    """The rows as CSV with a header line."""
    buffer, names = io.StringIO(), columns()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([names] + [[_cell(row.get(c), False, c) for c in names] for row in rows])
    return buffer.getvalue()


def write_summary(rows: list[dict], out: str | Path) -> list[Path]:
    """Write <out>/summary.md and <out>/summary.csv (atomically); their paths."""
    paths = [Path(out) / "summary.md", Path(out) / "summary.csv"]
    for path, text in zip(paths, (format_markdown(rows), format_csv(rows))):
        with atomic_path(path) as tmp:
            tmp.write_text(text)
    return paths
