"""Train every image of a folder on Ray, one task per image (singan.batch.job), then a summary (docs/batch.md).

Without an address a local Ray starts in this process; each task holds --cpus_per_image CPUs and
--gpus_per_image GPUs (fractions share a GPU). Models and samples go where the other commands put them
(`layout`; on a cluster <out> must be a folder every node sees). A re-run skips finished images and
resumes unfinished ones from their checkpoints, as Ray does for a task whose worker died. While they run,
the driver prints a line per change of an image's state and a bar of finished images (`Progress`).
"""

import importlib.util
import json
import os
import signal
import socket
import threading
import time
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from ..core.config import TrainConfig
from ..errors import SinGANError
from ..io import paths
from ..io.checkpoint import check_existing
from ..io.images import IMAGE_SUFFIXES
from ..io.lock import check_free
from ..runtime.progress import about
from .job import RESULT_FILE, JobOptions, discard, run_job

MAX_RETRIES = 3  # Ray retries of a task whose worker died
SCHEDULE_WAIT = 300.0  # seconds queued tasks may wait while none of this batch's tasks runs
ADDRESS_TIMEOUT = 10.0  # seconds to wait for a cluster address to answer


def check_resources(nodes: list[dict], cpus: float, gpus: float) -> None:
    """A one-line SinGANError unless some live node (`ray.nodes()`) can ever give one task `cpus` CPUs and
    `gpus` GPUs: Ray would otherwise wait for such a node forever."""
    alive = [n.get("Resources", {}) for n in nodes if n.get("Alive", True)]
    if any(r.get("CPU", 0) >= cpus and r.get("GPU", 0) >= gpus for r in alive):
        return
    has = "; ".join(f"{r.get('CPU', 0):g} CPUs and {r.get('GPU', 0):g} GPUs" for r in alive[:4]) or "no live node"
    raise SinGANError(f"--cpus_per_image {cpus:g} --gpus_per_image {gpus:g}: no node of the cluster can give one "
                      f"task that much (its node{'s have' if len(alive) > 1 else ' has'}: {has})")


def local_node() -> dict:
    """This machine as `ray.nodes()` describes a node: what a local Ray would have (checked before it starts)."""
    import torch

    return {"Alive": True, "Resources": {"CPU": float(os.cpu_count() or 1), "GPU": float(torch.cuda.device_count())}}


def find_images(input_dir: str | Path | None) -> list[Path]:
    """The image files of a folder, by name; a one-line error when there are none or two share a name."""
    if input_dir is None:
        raise SinGANError("--input_dir is required: the folder of images to train")
    folder = Path(input_dir)
    if not folder.is_dir():
        raise SinGANError(f"--input_dir {folder} is not a folder")
    images = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise SinGANError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) in {folder}")
    clash = sorted(stem for stem, n in Counter(p.stem for p in images).items() if n > 1)
    if clash:
        raise SinGANError(f"images in {folder} share the name {clash[0]!r} (their models would collide); rename one")
    return images


def check_address(address: str) -> None:
    """A one-line SinGANError, within ADDRESS_TIMEOUT seconds, unless something answers at the cluster address
    `address` (HOST:PORT, or ray://HOST:PORT with the Ray Client installed; 'auto' is left to Ray)."""
    if address == "auto":
        return
    takes = ("--address takes the head node's HOST:PORT as `ray start --head` prints it (port 6379 by default), "
             "ray://HOST:10001 with the Ray Client, or auto")
    if address.startswith("ray://") and importlib.util.find_spec("grpc") is None:
        raise SinGANError(f"--address {address}: a ray:// address needs the Ray Client (pip install 'ray[client]'); "
                          "or give the head node's HOST:PORT (port 6379 by default)")
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise SinGANError(f"--address {address}: not HOST:PORT; {takes}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=ADDRESS_TIMEOUT).close()
    except OSError as e:
        reason = e.strerror or str(e) or type(e).__name__
        raise SinGANError(f"--address {address}: no Ray cluster answers there ({reason}); {takes}") from None


def start_ray(address: str | None = None, num_cpus: int | None = None):
    """Connect to the cluster at `address` (checked first: `check_address`), or start a local Ray of `num_cpus`
    CPUs (default: every CPU) whose workers import this singan. SIGTERM keeps this process's handler (Ray's own
    prints a stack)."""
    import ray

    if ray.is_initialized():
        return ray
    if address:
        check_address(address)
    # Ray starts its workers at niceness 15; a batch should not lose the CPU to every other program.
    os.environ.setdefault("RAY_worker_niceness", "0")
    package_root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    env = {"PYTHONPATH": path, "OMP_WAIT_POLICY": "PASSIVE"}
    local = {} if address else {"num_cpus": num_cpus, "include_dashboard": False}
    handler = signal.getsignal(signal.SIGTERM)
    try:
        ray.init(address=address, runtime_env={"env_vars": env}, log_to_driver=False, **local)
    except (ray.exceptions.AuthenticationError, ConnectionError) as e:
        if not address:
            raise
        raise SinGANError(f"--address {address}: cannot join the Ray cluster ({str(e).split('. ')[0]}); with "
                          "token authentication give this command the cluster's token: RAY_AUTH_MODE=token and "
                          "RAY_AUTH_TOKEN=<the token> or ~/.ray/auth_token") from None
    finally:
        if handler is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, handler)
    return ray


def layout(out: str | Path, image: Path, config: TrainConfig,
           models_dir: str | Path | None = None) -> tuple[Path, Path]:
    """(model file, samples folder) of an image, as main_train.py and random_samples.py name them with
    --models_dir `models_dir` (default <out>/TrainedModels) and --out `out`."""
    root = Path(models_dir) if models_dir is not None else Path(out) / paths.DEFAULT_ROOT
    model_file = paths.trained_model_file(image.name, config.scale_factor, config.alpha, root=root)
    return model_file, paths.random_samples_dir(out, image.name, 0, model_file=model_file).parent


def check_earlier_models(images: list[Path], config: TrainConfig, out: Path, models_dir: str | Path | None,
                         overwrite: bool) -> None:
    """Before any task starts: an image whose model (finished or not) was trained with other settings is
    refused in one line naming them; with `overwrite` every image's earlier model and results are removed."""
    for image in images:
        model_file, samples_dir = layout(out, image, config, models_dir)
        if not model_file.exists():
            continue
        check_free(model_file)  # a worker of an earlier batch still training it
        if overwrite:
            discard(model_file, samples_dir)
        else:
            check_existing(model_file, config, overwrite=False)


class Board:
    """The latest report of every image, {name: {field: value}}: a Ray actor the workers send what `run_job`
    reports (its state, finished scales and share of the training work, as training_run.ProgressReport gives it)."""

    def __init__(self) -> None:
        self.state: dict[str, dict] = {}

    def update(self, name: str, **fields) -> None:
        self.state.setdefault(name, {}).update(fields)

    def snapshot(self) -> dict[str, dict]:
        return self.state


def describe(report: dict) -> str:
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
        text += f", {about((time.time() - started) * (1 - work) / done)} left"
    return text


class Progress:
    """Prints one line per change of an image's state or scale, and a bar of finished images."""

    FINAL = ("done", "failed")

    def __init__(self, names: list[str], done: dict[str, str], quiet: bool = False) -> None:
        self.names, self.quiet = names, quiet
        self.seen: dict[str, tuple] = {name: ("done",) for name in done}
        self.bar = tqdm(total=len(names), initial=len(done), unit="image", desc="batch", disable=quiet,
                        dynamic_ncols=True)
        for name, text in done.items():
            self._line(name, text)

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



def _job(image, config, model_file, samples_dir, options, board):
    """The body of one Ray task: run the job, reporting progress to the board actor."""
    board.update.remote(image.name, state="starting")  # the task was scheduled (see SCHEDULE_WAIT)
    return run_job(image, config, model_file, samples_dir, options,
                   lambda **fields: board.update.remote(image.name, **fields))


def _unscheduled(pending: dict, board: dict, last_change: float, wait: float = SCHEDULE_WAIT) -> list:
    """The pending tasks to give up on: none started (on the board) and nothing finished for `wait` seconds."""
    started = any(name in board for name in pending.values())
    return [] if started or time.monotonic() - last_change < wait else list(pending)


def _wait_for(pending: dict, rows: dict, board, progress: Progress, cpus: float, gpus: float) -> None:
    """Collect the rows of the `pending` tasks as they finish (or are given up on), showing their progress."""
    import ray

    last_change = time.monotonic()
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1, timeout=1.0)
        for ref in ready:
            name = pending.pop(ref)
            last_change = time.monotonic()
            try:
                rows[name] = ray.get(ref)
            except Exception as e:  # the task itself died MAX_RETRIES + 1 times
                rows[name] = {"image": name, "status": "failed", "error": f"worker lost: {type(e).__name__}"}
        snapshot = ray.get(board.snapshot.remote())
        for ref in _unscheduled(pending, snapshot, last_change):
            ray.cancel(ref, force=True)
            name = pending.pop(ref)
            rows[name] = {"image": name, "status": "failed", "error": (
                f"not scheduled within {SCHEDULE_WAIT:g} s: no node had {cpus:g} CPUs and {gpus:g} GPUs free")}
        progress.show(snapshot)


def run_batch(images: list[Path], config: TrainConfig, out: str | Path, options: JobOptions, *,
              cpus_per_image: float = 1, gpus_per_image: float = 0, quiet: bool = False,
              models_dir: str | Path | None = None) -> list[dict]:
    """Train and score `images` on the Ray this process is connected to (see `layout`); one row per image, in
    order. A task no node schedules fails after SCHEDULE_WAIT (see `_unscheduled`) instead of waiting forever."""
    import ray

    check_resources(ray.nodes(), cpus_per_image, gpus_per_image)
    rows: dict[str, dict] = {}
    pending = {}
    board = ray.remote(num_cpus=0)(Board).remote()
    task = ray.remote(_job).options(num_cpus=cpus_per_image, num_gpus=gpus_per_image, max_retries=MAX_RETRIES)
    for image in images:
        model_file, samples_dir = layout(out, image, config, models_dir)
        result = model_file.parent / RESULT_FILE  # the row of an earlier run
        row = json.loads(result.read_text()) if result.is_file() else {}
        if row.get("status") == "done":
            rows[image.name] = row
        else:
            pending[task.remote(image, config, model_file, samples_dir, options, board)] = image.name
    progress = Progress([p.name for p in images], done={n: "done (earlier run)" for n in rows}, quiet=quiet)
    with progress.bar:  # closed on Ctrl-C too: the bar's line ends, and the interruption is the one line after it
        _wait_for(pending, rows, board, progress, cpus_per_image, gpus_per_image)
        # the rows' own states: an image's last report may not have reached the board before its row came
        progress.show({name: {"state": row["status"], "scale": row.get("scales"), "scales": row.get("scales"),
                              "error": row.get("error", "")} for name, row in rows.items()})
    return [rows[p.name] for p in images]
