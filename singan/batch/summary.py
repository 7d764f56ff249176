"""The summary of a batch: one row per image (time, scales, metrics, error) as Markdown and CSV.

Columns: image, status, scales, size, train_s (training time in the run that finished it),
eval_s, then diversity, patch SWD and SIFID for the sampling settings "N" (gen_start_scale 0)
and "N-1" (gen_start_scale 1), SIFID dims (the Inception layer: 64 channels after the first
max-pool, or 192 after the second), and error. Missing values are empty in CSV and '-' in Markdown.
"""

import csv
import io
import os
import tempfile
from pathlib import Path

METRICS = ["diversity", "patch SWD", "SIFID"]
COLUMNS = ["image", "status", "scales", "size", "train_s", "eval_s",
           *[f"{m} {s}" for s in ("N", "N-1") for m in METRICS], "SIFID dims", "error"]


def _cell(value, markdown: bool, column: str = "") -> str:
    if value is None or value == "":
        return "-" if markdown else ""
    if isinstance(value, float):
        text = f"{value:.1f}" if column.endswith("_s") else f"{value:.4f}"
    else:
        text = str(value)
    return text.replace("|", "/") if markdown else text


def format_markdown(rows: list[dict]) -> str:
    """A Markdown table of the rows."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cell(row.get(c), True, c) for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def format_csv(rows: list[dict]) -> str:
    """The rows as CSV with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([_cell(row.get(c), False, c) for c in COLUMNS] for row in rows)
    return buffer.getvalue()


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_summary(rows: list[dict], out: str | Path) -> list[Path]:
    """Write <out>/summary.md and <out>/summary.csv; their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "summary.md", out / "summary.csv"]
    _write_atomic(paths[0], format_markdown(rows))
    _write_atomic(paths[1], format_csv(rows))
    return paths
