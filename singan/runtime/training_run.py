"""The caller's side of a training run: the progress bar, the checkpoints, the previews and a clean stop.

The training loop (`singan.core.training`) only reports what happens (`Events`); `TrainingRun` decides
what to do: the bar over the whole run (`RunProgress`) and `progress_fn` after every iteration (as
stylegan3's training loop takes it); a checkpoint, `save(model, resume_state)`, after every scale, every
`save_every` seconds inside one (negative: after every iteration) and at Ctrl-C or SIGTERM
(`GracefulStop`), after which the run stops at the end of the iteration, so it resumes exactly; the
previews (`singan.io.previews.ScalePreviews`, or any object with its `image` and `losses`).
"""

import time
from collections.abc import Callable
from contextlib import closing

from torch import Tensor

from ..core import training
from ..core.model import SinGAN, TrainedScale
from ..core.networks import Discriminator, Generator
from ..core.training import LOSS_NAMES, Events
from .interrupt import GracefulStop
from .progress import RunProgress, run_progress

# progress_fn(scale, iteration, num_scales, work): the 0-based scale in training, its iterations done (0 before
# the first), the number of scales, the fraction of the run's work done (0..1, weighted as the bar weighs it).
ProgressFn = Callable[[int, int, int, float], None]
LOSSES_EVERY = 25  # iterations between the losses the bar shows (and at the last one)


class ProgressReport:
    """A progress_fn that passes the scale, the number of scales and the work done on to `report(**fields)`
    (a batch's board, the studio's progress file): when training starts (with `work_at_start`, the work done
    then: a resumed run started later), when a scale starts and at most every `every` seconds in between."""

    def __init__(self, report: Callable[..., None], every: float, clock: Callable[[], float] = time.monotonic):
        self.report, self.every, self.clock, self.scale, self.last = report, every, clock, None, 0.0

    def __call__(self, scale: int, iteration: int, num_scales: int, work: float) -> None:
        now = self.clock()
        if scale == self.scale and now - self.last < self.every:
            return
        fields = {"work_at_start": work} if self.scale is None else {}
        self.scale, self.last = scale, now
        self.report(scale=scale, scales=num_scales, work=work, **fields)


class TrainingRun(Events):
    """The run's `Events` (see the module); `first_scale`: the scale the bar calls its first (`retrain_scale`)."""

    def __init__(self, model: SinGAN, bar: RunProgress, *, save: Callable[[SinGAN, dict], None] | None = None,
                 save_every: float = 300.0, previews=None, progress_fn: ProgressFn | None = None,
                 stop: GracefulStop | None = None, first_scale: int = 0):
        self.model, self.bar, self.save, self.save_every = model, bar, save, save_every
        self.previews, self.progress_fn, self.stop, self.first_scale = previews, progress_fn, stop, first_scale
        self.last_save = time.monotonic()

    def scale_started(self, n: int, iteration: int) -> None:
        if self.previews is not None:
            self.previews.image(n, "real_scale", self.model.reals[n])
        self.bar.start_scale(n - self.first_scale, tuple(self.model.reals[n].shape[-2:]))
        self.last_save = time.monotonic()

    def preview(self, n: int, fake: Tensor, reconstruction: Tensor) -> None:
        if self.previews is not None:
            self.previews.image(n, "fake_sample", fake)
            self.previews.image(n, "G(z_opt)", reconstruction)

    def iteration_done(self, n: int, iteration: int, losses: list[float], state: Callable[[], dict]) -> None:
        last = iteration == self.model.config.niter - 1
        self.bar.step(iteration, dict(zip(LOSS_NAMES, losses)) if iteration % LOSSES_EVERY == 0 or last else None)
        if self.progress_fn is not None:
            self.progress_fn(n, iteration + 1, len(self.model.reals), self.bar.work)
        requested = self.stop is not None and self.stop.requested
        if self.save is not None and not last and (requested or time.monotonic() - self.last_save >= self.save_every):
            in_progress = state()
            self.save(self.model, {"rng": in_progress["rng"], "in_progress": in_progress})
            self.last_save = time.monotonic()
        if requested and not last:
            self._stop()

    def scale_done(self, n: int, resume: dict) -> None:
        if self.previews is not None:
            self.previews.losses(n, self.model.scales[n].losses)
        if self.save is not None:
            self.save(self.model, resume)
        if self.stop is not None and self.stop.requested and n < len(self.model.reals) - 1:
            self._stop()

    def _stop(self) -> None:
        self.bar.close()  # end the bar's line before the interruption message
        self.stop.stop()


def run_training(model: SinGAN, previews=None, *, resume: dict | None = None,
                 save: Callable[[SinGAN, dict], None] | None = None, save_every: float = 300.0,
                 progress: bool = True, progress_fn: ProgressFn | None = None) -> SinGAN:
    """`core.training.train` with a `TrainingRun` (`progress`: the bar); `resume`: the checkpoint's resume state
    {'rng': ..., 'in_progress': ... or None}; `progress_fn` also hears the resumed position before iterating."""
    in_progress = (resume or {}).get("in_progress")
    start = (model.num_trained, in_progress["iteration"] if in_progress else 0)
    bar = run_progress(model, start, progress)
    if progress_fn is not None and start[0] < len(model.reals):
        progress_fn(start[0], start[1], len(model.reals), bar.work)
    with GracefulStop() as stop, closing(bar):  # the bar's line ends before any error's
        events = TrainingRun(model, bar, save=save, save_every=save_every, previews=previews,
                             progress_fn=progress_fn, stop=stop)
        return training.train(model, events, resume=resume)


def retrain_scale(model: SinGAN, n: int, netG: Generator, netD: Discriminator, previews, progress: bool = True,
                  quantize: Callable[[Tensor], Tensor] | None = None) -> TrainedScale:
    """Scale n of `model` trained alone (paint-to-image's retraining): its own bar and previews, no checkpoint."""
    with closing(RunProgress([1.0], model.config.niter, (0, 0), progress)) as bar:
        trained = training.train_scale(model, n, netG, netD, TrainingRun(model, bar, previews=previews, first_scale=n),
                                       quantize=quantize)
    previews.losses(n, trained.losses)
    return trained
