"""The training process the studio starts beside its server: `api.train_image` (the checks, the model's lock,
the checkpoint after every scale and on SIGINT, the previews) reporting its progress to a JSON file.

    python -m singan.studio.worker '<job as JSON>'

The job holds the image, the model file, the device, `resume`, `overwrite`, the TrainConfig fields and the
sr_factor of a super-resolution model (SR.py's pyramid), or null. The progress file (`progress_path`) holds the
state (starting, training, done, stopped, error), the scale, the number of scales, the weighted work done and
the seconds elapsed. SIGINT (the page's stop button) saves the model: it resumes as --resume does.
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


def main(job: dict) -> int:
    """Run the job, reporting as it goes; the exit status (2: a SinGANError, 130: stopped)."""
    model_file, start = Path(job["model_file"]), time.monotonic()
    state = {"state": "starting", "scale": 0, "scales": 0, "work": 0.0}

    def report(**changes) -> None:
        state.update(changes, elapsed=time.monotonic() - start)
        write_json(state, progress_path(model_file), indent=None)

    def training(**fields) -> None:  # still "starting" when training starts: "training" (a stop saves) from then on
        report(state="starting" if "work_at_start" in fields else "training", **fields)

    report()
    try:
        config = TrainConfig(**job["config"])
        config.manualSeed = seed_everything(config.manualSeed, announce=not job["resume"])
        geometry_fn = sr_geometry_fn(config, Path(job["image"]).name) if job["sr_factor"] else None
        train_image(job["image"], config, model_file, job["device"], resume=job["resume"],
                    overwrite=job["overwrite"], progress=False, geometry_fn=geometry_fn, previews=True,
                    progress_fn=ProgressReport(training, REPORT_EVERY))
    except SinGANError as e:
        report(state="error", message=str(e))
        return 2
    except KeyboardInterrupt:
        report(state="stopped")
        return 130
    report(state="done", work=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
