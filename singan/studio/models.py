"""The studio's models and photos: the listing of --models_dir (trained, partly trained, busy), uploads checked
before anything is written, the plan of a training (scales, a time estimate) and the trainings it runs in
other processes, with their progress and previews.

Such a process runs this module, `python -m singan.studio.models '<job as JSON>'` (`worker`: `api.train_image`
with the job's settings), writing its state (starting, training, done, stopped, error), scale, number of
scales, weighted work done and seconds elapsed to a JSON file (`progress_path`). SIGINT (the stop button)
saves the model, to be resumed as --resume does.
"""

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..api import build_model, train_image
from ..apps.sr import sr_geometry_fn
from ..apps.upscale import image_size
from ..cli.program import seed_everything
from ..core.config import TrainConfig
from ..errors import SinGANError
from ..io import checkpoint, paths
from ..io.atomic import write_json
from ..io.images import read_image, to_numpy_image
from ..io.lock import check_free, locked_by
from ..runtime.progress import about, run_progress
from ..runtime.training_run import ProgressReport

MAX_UPLOAD_BYTES = 25 * 2**20  # an uploaded file's size at most (the server refuses larger ones too)
MAX_UPLOAD_SIDE = 4096  # an uploaded image's longest side at most (pixels)
# Rough seconds per unit of training work (core.training.run_progress's weights), fitted on the balloons run
# of docs/performance.md (2-core CPU: about 26 hours; H100: 12 minutes), plus a floor per iteration.
SECONDS_PER_WORK = {"cpu": 1.05e-7, "cuda": 8e-10}
SECONDS_PER_ITERATION = {"cpu": 0.01, "cuda": 0.007}
REPORT_EVERY = 0.5  # seconds between two progress writes of a training during a scale


def check_upload(path: str | Path | None) -> np.ndarray:
    """The uploaded image at `path` as an (H, W, 3) float array in [0, 1], or a one-line SinGANError: no file,
    too large, not an image, too many pixels. Nothing is written."""
    if not path:
        raise SinGANError("upload the photo first")
    path = Path(path)
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        raise SinGANError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MB; uploads may be "
                          f"{MAX_UPLOAD_BYTES // 2**20} MB at most")
    not_an_image = SinGANError(f"{path.name} is not an image (PNG, JPEG, ...): nothing was stored")
    try:
        h, w = image_size(path)  # the header only: a huge image is refused before it is decoded
    except Image.DecompressionBombError:
        h = w = math.inf
    except (OSError, SyntaxError, ValueError):
        raise not_an_image from None
    if max(h, w) > MAX_UPLOAD_SIDE:
        size = "larger than Pillow opens" if h == math.inf else f"{h}x{w}"
        raise SinGANError(f"{path.name} is {size}; the studio takes images up to {MAX_UPLOAD_SIDE} pixels on a "
                          "side (resize it first)")
    try:
        return to_numpy_image(read_image(path, 3, warn_alpha=False))
    except SinGANError:
        raise not_an_image from None


def store_photo(upload: str | Path, input_dir: str | Path) -> Path:
    """Copy a checked upload into --input_dir under its own name (where the command line finds it too);
    refused when another file of that name is there."""
    check_upload(upload)
    target = Path(input_dir) / Path(upload).name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(upload, target)
    elif target.read_bytes() != Path(upload).read_bytes():
        raise SinGANError(f"another {target.name} is already in {input_dir}; rename the photo")
    return target


def list_models(models_dir: str | Path) -> dict[str, Path]:
    """Every model file under `models_dir`, by its folder relative to it ("balloons/scale_factor=..."), less
    the scales paint-to-image retrained (`<model>_paint/start_scale=<n>/`, kept for `--quantization_flag`)."""
    root = Path(models_dir)
    files = sorted(root.rglob(paths.MODEL_FILENAME)) if root.is_dir() else []
    return {str(f.parent.relative_to(root)): f for f in files if not f.parent.parent.name.endswith("_paint")}


def model_status(model_file: Path) -> str:
    """"busy" (a training holds its lock), "trained" or "k of N scales trained" (resumable)."""
    if locked_by(model_file) is not None:
        return "busy"
    state = checkpoint.read_state(model_file)
    done, total = len(state["scales"]), state["num_levels"]
    return "trained" if done == total else f"{done} of {total} scales trained"


def plan_training(image: Path, config: TrainConfig, sr_factor: float | None, device: str) -> tuple[int, float, str]:
    """(number of scales, estimated seconds, one line for the page) of training `image` with `config` (and
    SR.py's pyramid for an sr_factor); a one-line SinGANError where the pyramid cannot be made."""
    real = read_image(image, config.nc_im)
    geometry = sr_geometry_fn(config, image.name)(*real.shape[-2:]) if sr_factor else None
    model = build_model(real, config, geometry, name=image.name)
    work = run_progress(model, (0, 0), enabled=False).total
    kind = "cuda" if device.startswith("cuda") or (device == "auto" and torch.cuda.is_available()) else "cpu"
    seconds = work * SECONDS_PER_WORK[kind] + len(model.reals) * config.niter * SECONDS_PER_ITERATION[kind]
    (h0, w0), (h, w) = model.reals[0].shape[-2:], model.reals[-1].shape[-2:]
    return len(model.reals), seconds, (f"{len(model.reals)} scales from {h0}x{w0} to {h}x{w}, {config.niter} "
                                       f"iterations each: {about(seconds)} on {kind.upper()} (a rough estimate)")


@dataclass
class Training:
    """A training the studio started: its process and its model file."""

    process: subprocess.Popen
    model_file: Path

    def progress(self) -> dict:
        """The worker's last report (state, scale, scales, work, elapsed), "starting" before the first."""
        try:
            report = json.loads(progress_path(self.model_file).read_text())
        except (OSError, ValueError):
            report = {"state": "starting", "work": 0.0, "elapsed": 0.0}
        running = self.process.poll() is None
        if not running and report["state"] in ("starting", "training"):  # it died: its last words
            log = log_path(self.model_file)
            lines = (log.read_text(errors="replace").strip().splitlines() if log.is_file() else []) or ["no output"]
            report = {**report, "state": "error",
                      "message": f"the training process ended ({self.process.returncode}): {lines[-1]}"}
        if running and report["state"] in ("stopped", "done"):  # the model's lock is released as the process ends
            report = {**report, "state": "saving"}
        return report

    def stop(self) -> None:
        """SIGINT: the worker saves the model where it is (resumable) and ends."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)


def start_training(upload: Path, input_dir: str | Path, config: TrainConfig, model_file: Path, device: str,
                   resume: bool, overwrite: bool, sr_factor: float | None = None) -> Training:
    """Start `worker` on the uploaded photo (planned first: `plan_training` checks the pyramid) after the
    checks of the model file (its lock; resume or overwrite), and only then store the photo in `input_dir`."""
    check_free(model_file)
    if model_file.exists() and not (resume or overwrite):
        raise SinGANError(f"{model_file.parent.name} of {upload.name} exists ({model_status(model_file)}); "
                          "tick resume to continue it or overwrite to replace it")
    if resume and not model_file.exists():
        raise SinGANError(f"nothing to resume: {model_file} does not exist")
    image = store_photo(upload, input_dir)
    progress_path(model_file).unlink(missing_ok=True)
    job = {"image": str(image), "model_file": str(model_file), "device": device, "resume": resume,
           "overwrite": overwrite, "config": asdict(config), "sr_factor": sr_factor}
    package_root = str(Path(__file__).resolve().parents[2])  # this singan, wherever the server was started
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    model_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path(model_file), "w") as log:  # what the run prints, as the command line would
        process = subprocess.Popen([sys.executable, "-m", "singan.studio.models", json.dumps(job)], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    return Training(process, model_file)


def progress_path(model_file: Path) -> Path:
    """The progress file of the studio's training of `model_file` (beside it)."""
    return model_file.with_name("studio_progress.json")


def log_path(model_file: Path) -> Path:
    """The output of the studio's training of `model_file` (beside it)."""
    return model_file.with_name("studio_training.log")


def previews(model_file: Path) -> list[tuple[str, str]]:
    """(image path, caption) of each scale's preview written so far (its fake sample), coarsest first."""
    folder = model_file.parent
    scales = sorted(int(d.name) for d in folder.iterdir() if d.name.isdigit()) if folder.is_dir() else []
    return [(str(p), f"scale {n + 1}") for n in scales if (p := folder / str(n) / "fake_sample.png").is_file()]


def worker(job: dict) -> int:
    """Run the job, reporting as it goes; the exit status (2: a SinGANError, 130: stopped)."""
    model_file, start = Path(job["model_file"]), time.monotonic()
    status = {"state": "starting", "scale": 0, "scales": 0, "work": 0.0}

    def report(**changes) -> None:
        status.update(changes, elapsed=time.monotonic() - start)
        write_json(status, progress_path(model_file), indent=None)

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
    sys.exit(worker(json.loads(sys.argv[1])))
