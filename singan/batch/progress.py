"""Progress of a batch: what the workers report, one line per image change and an overall bar.

Workers send their image's state ('training', 'trained', 'scoring', 'done', 'failed'), its finished
scales and the share of the training work done (`work`, as training's progress_fn gives it: fine scales
cost more; `work_at_start` for a resumed job) to a `Board` (a Ray actor in the batch runner).
"""

import time

from tqdm import tqdm

from ..runtime.progress import about


class Board:
    """The latest report of every image: {name: {field: value}}."""

    def __init__(self) -> None:
        self.state: dict[str, dict] = {}

    def update(self, name: str, **fields) -> None:
        self.state.setdefault(name, {}).update(fields)

    def snapshot(self) -> dict[str, dict]:
        return self.state


def describe(report: dict, now: float | None = None) -> str:
    """'training, scale 2/5, about 7 min left' from an image's report."""
    state = report.get("state", "queued")
    if state == "failed":
        return f"failed: {report.get('error', '')}"
    text = state
    if report.get("scales"):
        text += f", scale {report.get('scale', 0)}/{report['scales']}"
    work, started = report.get("work"), report.get("started")
    done = (work or 0) - report.get("work_at_start", 0)  # this run's share: a resumed job started later
    if state == "training" and done > 0 and started:
        elapsed = (now or time.time()) - started
        text += f", {about(elapsed * (1 - work) / done)} left"
    return text


class Progress:
    """Prints one line per change of an image's state or scale, and a bar of finished images."""

    FINAL = ("done", "failed")

    def __init__(self, names: list[str], done: dict[str, str] | None = None, quiet: bool = False) -> None:
        self.names, self.quiet = names, quiet
        self.seen: dict[str, tuple] = {}
        self.bar = tqdm(total=len(names), unit="image", desc="batch", disable=quiet, dynamic_ncols=True)
        for name, text in (done or {}).items():
            self._line(name, text)
            self.seen[name] = ("done",)
            self.bar.update(1)

    def _line(self, name: str, text: str) -> None:
        if not self.quiet:
            width = max(len(n) for n in self.names)
            tqdm.write(f"{name:<{width}}  {text}")

    def show(self, board: dict[str, dict]) -> None:
        """Print what changed since the last call."""
        for name in self.names:
            report, seen = board.get(name), self.seen.get(name, ("",))
            key = (report.get("state"), report.get("scale")) if report else None
            if key is None or key == seen or seen[0] in self.FINAL:
                continue
            self.seen[name] = key
            self._line(name, describe(report))
            if key[0] in self.FINAL:
                self.bar.update(1)

    def close(self, rows: dict[str, dict]) -> None:
        """Report the final state of images whose last report did not arrive yet; close the bar."""
        self.show({name: {"state": row["status"], "scale": row.get("scales"), "scales": row.get("scales"),
                          "error": row.get("error", "")} for name, row in rows.items()})
        self.bar.close()
