"""The summary of a batch: one row per image (time, scales, metrics, error) as Markdown and CSV.

Columns: image, status, scales, size, train_s (training time in the run that finished it), eval_s,
each registered metric (singan.eval.registry) per sampling setting, the variant each metric ran as
(SIFID dims), and error. Missing values are empty in CSV and '-' in Markdown.
"""

import csv
import io
from pathlib import Path

from ..eval.registry import METRICS
from ..io.atomic import atomic_path

SETTINGS = {"N": 0, "N-1": 1}  # the paper's names of the two sampling settings -> gen_start_scale


def columns() -> list[str]:
    """The summary's columns, those of the metrics as registered now."""
    return ["image", "status", "scales", "size", "train_s", "eval_s",
            *[f"{m.label} {s}" for s in SETTINGS for m in METRICS.values()],
            *[m.variant.column for m in METRICS.values() if m.variant], "error"]


def metric_cells(result: dict, setting: str) -> dict:
    """The cells of an image's row from evaluate's result at the sampling setting `setting` ("N"): each
    metric's headline number, and the variant it ran as (empty where it did not run)."""
    cells = {f"{m.label} {setting}": result[m.headline] for m in METRICS.values()}
    cells.update({m.variant.column: result[m.variant.key] if result[m.headline] is not None else None
                  for m in METRICS.values() if m.variant})
    return cells


def _cell(value, markdown: bool, column: str = "") -> str:
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
