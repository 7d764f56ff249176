"""The training process the studio starts beside its server: `api.train_image` (the checks, the model's lock,
the checkpoint after every scale and on SIGINT, the previews) reporting its progress to a JSON file.

    python -m singan.studio.worker <job.json>

The job file holds the image, the model file, the device, `resume`, the TrainConfig fields and the sr_factor
of a super-resolution model (SR.py's pyramid: `apps.sr_geometry_fn`), or null; the progress file
(`progress_path(model_file)`) says the state (training, done, stopped, error), the scale, the number of
scales, the weighted work done and the seconds elapsed. SIGINT (the page's stop button) saves the model
and ends the run: it resumes as the command line's --resume does.
"""

import json
import sys
import time
from pathlib import Path

from ..api import train_image
from ..apps.sr import sr_geometry_fn
from ..cli.program import seed_everything
from ..core.config import TrainConfig
from ..errors import SinGANError
from ..io.atomic import write_json
from ..runtime.training_run import ProgressReport

REPORT_EVERY = 0.5  # seconds between two progress writes during a scale


def progress_path(model_file: str | Path) -> Path:
    """The progress file of a studio training of `model_file` (beside it)."""
    return Path(model_file).with_name("studio_progress.json")


class Reporter:
    """Writes the run's state to the progress file (atomically)."""

    def __init__(self, path: Path):
        self.path, self.start = path, time.monotonic()
        self.state = {"state": "starting", "scale": 0, "scales": 0, "work": 0.0}

    def __call__(self, **changes) -> None:
        self.state.update(changes, elapsed=time.monotonic() - self.start)
        write_json(self.state, self.path, indent=None)

    def training(self, **fields) -> None:
        """`ProgressReport`'s report: "training" from the first iteration on (the report when training starts
        only says where it starts; from then on a stop saves the model)."""
        self(state="starting" if "work_at_start" in fields else "training", **fields)


def main(job_file: str) -> int:
    job = json.loads(Path(job_file).read_text())
    Path(job_file).unlink()
    model_file = Path(job["model_file"])
    report = Reporter(progress_path(model_file))
    report()
    try:
        config = TrainConfig(**job["config"])
        config.manualSeed = seed_everything(config.manualSeed, announce=not job["resume"])
        geometry_fn = sr_geometry_fn(config, Path(job["image"]).name) if job["sr_factor"] else None
        train_image(job["image"], config, model_file, job["device"], resume=job["resume"],
                    overwrite=job["overwrite"], progress=False, geometry_fn=geometry_fn, previews=True,
                    progress_fn=ProgressReport(report.training, REPORT_EVERY))
    except SinGANError as e:
        report(state="error", message=str(e))
        return 2
    except KeyboardInterrupt:
        report(state="stopped")
        return 130
    report(state="done", work=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
