"""Training: one small GAN per scale, coarse to fine, each frozen once trained.

At scale n the generator G_n learns to add detail to the upsampled output of
the frozen scales 0..n-1. Its loss is WGAN-GP against the patch critic D_n
plus alpha times the MSE between the reconstruction G_n(z_rec, rec_{n-1}^) and
the real image at that scale. The noise amplitude of scale n is noise_amp_init
times the RMSE of the coarser scales' reconstruction (fixed at the start of the
scale).

The default dynamics are the 2019 code's, so that a seeded run lands on its
weights bit for bit:
- the G steps of an iteration all score the fake of the last D step; steps
  2..Gsteps back-propagate through its stale graph with the updated weights
  (PyTorch 1.4's Adam, `singan.core.optim.LegacyAdam`);
- the reconstruction noise of the coarsest scale is redrawn every iteration
  (the model keeps the last draw);
- the random numbers are drawn in the original's order, and G runs the same
  number of train-mode forward passes (BatchNorm statistics are weights too).
`fresh_fake` and `fixed_z_opt` in the config give the paper's semantics instead.

The loop reports what happens (`Events`: a scale starts, an iteration ends, a preview, a scale is
done) and the caller decides what to write: `singan.runtime.training_run` draws the progress bar, writes
the checkpoints and previews and stops at Ctrl-C. Reporting draws no random number and runs no tensor op
on the training's tensors, so a run trains the same bits whoever listens.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..errors import SinGANError
from .model import SinGAN, TrainedScale
from .networks import Discriminator, Generator, build_networks, scale_widths
from .noise import scale_noise
from .optim import LegacyAdam
from .sampling import run_pyramid, upsample

PREVIEW_EVERY = 500  # iterations between preview images (and at the last one)
GRAPH_WARMUP = 3  # eager iterations before a scale's iteration is captured as a CUDA graph
LOSS_NAMES = ("errD", "errG", "rec")


class Events:
    """What the training loop reports, in order; this one ignores it all. A method may raise to stop the
    run (`singan.runtime.training_run.TrainingRun` saves first, then stops at Ctrl-C)."""

    def scale_started(self, n: int, iteration: int) -> None:
        """Scale n begins at `iteration` (0, or where a resumed run left off)."""

    def preview(self, n: int, fake: Tensor, reconstruction: Tensor) -> None:
        """A fake and G(z_rec) of scale n, every PREVIEW_EVERY iterations and at the last one."""

    def iteration_done(self, n: int, iteration: int, losses: list[float], state: Callable[[], dict]) -> None:
        """Iteration `iteration` (0-based) of scale n ended with `losses` (LOSS_NAMES); `state()` is the
        in-progress state that continues exactly after it (`ScaleTrainer.state`)."""

    def scale_done(self, n: int, resume: dict) -> None:
        """Scale n is trained and in `model.scales`; `resume` continues the run exactly from here."""


QUIET = Events()  # a run nobody listens to


def gradient_penalty(netD: nn.Module, real: Tensor, fake: Tensor, lambda_grad: float, weight: Tensor) -> Tensor:
    """WGAN-GP at one interpolate `weight * real + (1 - weight) * fake` (one scalar weight per step);
    the gradient norm is taken over channels per pixel and averaged over pixels. No gradient reaches G."""
    interp = (weight * real + (1 - weight) * fake).detach().requires_grad_(True)
    out = netD(interp)
    (grad,) = torch.autograd.grad(out, interp, grad_outputs=torch.ones_like(out), create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean() * lambda_grad


def _rng_state(device: torch.device) -> dict:
    state = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict, device: torch.device) -> None:
    torch.set_rng_state(state["cpu"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


@dataclass
class ScaleInputs:
    """What scale n trains against, besides fresh noise and fresh samples of the coarser scales."""

    real: Tensor  # the real image at this scale
    prev_rec: Tensor  # padded upsampled reconstruction of the coarser scales (zeros at scale 0)
    noise_amp: float  # noise_amp_init * RMSE(real, reconstruction); 1 at scale 0
    z_rec: Tensor | None  # reconstruction noise: z* at scale 0 (drawn in the first iteration), zeros above


def training_real(model: SinGAN, n: int) -> Tensor:
    """reals[n] in the original's memory layout, or in NCHW memory with `contiguous_real` (faster D
    passes on the CPU where the original's layout is channels-last; other float rounding)."""
    real = model.reals[n]
    return real.contiguous() if model.config.contiguous_real else real


def scale_inputs(model: SinGAN, n: int, quantize: Callable[[Tensor], Tensor] | None = None) -> ScaleInputs:
    """The reconstruction input of scale n and its noise amplitude, computed once at the start of the scale."""
    cfg, real = model.config, training_real(model, n)
    pad = [cfg.pad] * 4
    if n == 0:
        prev_rec = F.pad(torch.zeros_like(real[:, :cfg.nc_z]), pad)
        return ScaleInputs(real, quantize(prev_rec) if quantize else prev_rec, 1.0, None)
    with torch.no_grad():
        rec = draw_concat(model, n, "rec")
        # float32 arithmetic on tensors, with `real` first, as the original (the sum order sets the last bit).
        noise_amp = float(cfg.noise_amp * torch.sqrt(F.mse_loss(real, rec)))
    prev_rec = F.pad(rec, pad)
    return ScaleInputs(real, quantize(prev_rec) if quantize else prev_rec, noise_amp, torch.zeros_like(prev_rec))


class ScaleTrainer:
    """G_n, D_n, their optimisers and one training iteration of the algorithm (D steps, then G steps)."""

    def __init__(self, model: SinGAN, n: int, netG: Generator, netD: Discriminator,
                 quantize: Callable[[Tensor], Tensor] | None = None):
        self.model, self.n, self.cfg, self.device = model, n, model.config, model.device
        self.netG, self.netD, self.quantize = netG, netD, quantize
        self.capturable = self.device.type == "cuda"  # on CUDA, graph and eager runs compute the same numbers
        betas = (self.cfg.beta1, 0.999)
        self.optD = LegacyAdam(netD.parameters(), lr=self.cfg.lr_d, betas=betas, capturable=self.capturable)
        self.optG = LegacyAdam(netG.parameters(), lr=self.cfg.lr_g, betas=betas, capturable=self.capturable)
        for opt in (self.optD, self.optG):
            opt.make_capturable(self.capturable)
        self.autocast = partial(torch.autocast, self.device.type, dtype=torch.bfloat16, enabled=self.cfg.amp == "bf16")
        # CUDA draws the GP weights from the CPU generator (as the original) before each iteration, into a
        # fixed buffer a CUDA graph can read; on the CPU they are drawn in place, between the noise draws.
        self.gp_weights = torch.zeros(self.cfg.Dsteps, 1, 1, device=self.device) if self.capturable else None
        self.inputs: ScaleInputs | None = None

    # ---------------------------------------------------------------- state

    def begin(self) -> None:
        """Fresh start: the original draws a `fixed_noise` it never uses (the RNG stream must match)."""
        h, w = self.model.reals[self.n].shape[-2:]
        extra = 2 * self.cfg.pad if self.cfg.noise_padding else 0
        torch.randn(1, self.cfg.nc_z, h + extra, w + extra, device=self.device)
        self.inputs = scale_inputs(self.model, self.n, self.quantize)

    def restore(self, state: dict) -> None:
        """Continue from a `state()` written earlier (RNG included)."""
        self.netG.load_state_dict(state["netG"])
        self.netD.load_state_dict(state["netD"])
        for opt, key in ((self.optG, "optG"), (self.optD, "optD")):
            opt.load_state_dict(state[key])
            opt.make_capturable(self.capturable)
        z_rec = state["z_rec"]
        self.inputs = ScaleInputs(training_real(self.model, self.n), state["prev_rec"].to(self.device),
                                  state["noise_amp"], None if z_rec is None else z_rec.to(self.device))
        _set_rng_state(state["rng"], self.device)

    def state(self, iteration: int, losses: dict) -> dict:
        """Everything needed to continue exactly at `iteration`."""
        return {"scale": self.n, "iteration": iteration, "netG": self.netG.state_dict(),
                "netD": self.netD.state_dict(), "optG": self.optG.state_dict(), "optD": self.optD.state_dict(),
                "z_rec": self.inputs.z_rec, "prev_rec": self.inputs.prev_rec, "noise_amp": self.inputs.noise_amp,
                "losses": losses, "rng": _rng_state(self.device)}

    def set_lr(self, iteration: int) -> None:
        """The original's MultiStepLR: lr * gamma from `lr_milestone` on."""
        factor = self.cfg.gamma if iteration >= self.cfg.lr_milestone else 1.0
        self.optD.set_lr(self.cfg.lr_d * factor)
        self.optG.set_lr(self.cfg.lr_g * factor)

    # ---------------------------------------------------------------- one iteration

    def draw_gp_weights(self) -> None:
        """CUDA only: this iteration's GP weights, drawn from the CPU generator outside any graph."""
        if self.gp_weights is not None:
            self.gp_weights.copy_(torch.stack([torch.rand(1, 1) for _ in range(self.cfg.Dsteps)]))

    def _gp_weight(self, j: int) -> Tensor:
        return torch.rand(1, 1) if self.gp_weights is None else self.gp_weights[j]

    def _coarser_sample(self) -> Tensor:
        """A fresh random sample of the frozen coarser scales, upsampled and padded (zeros at scale 0)."""
        if self.n == 0:
            return self.inputs.prev_rec
        with torch.no_grad():
            prev = F.pad(draw_concat(self.model, self.n, "rand"), [self.cfg.pad] * 4)
        return self.quantize(prev) if self.quantize else prev

    def rec_input(self) -> Tensor:
        """G's reconstruction input: noise_amp * z_rec + prev_rec (z_rec alone when alpha = 0, as the original)."""
        inp = self.inputs
        return inp.noise_amp * inp.z_rec + inp.prev_rec if self.cfg.alpha != 0 else inp.z_rec

    def iteration(self) -> tuple[Tensor, Tensor]:
        """Dsteps D steps, then Gsteps G steps; no host synchronisation (a CUDA graph can replay it).
        Returns the losses (errD, errG, rec) and the last fake."""
        cfg, n, inp = self.cfg, self.n, self.inputs
        h, w = inp.real.shape[-2:]
        if n == 0 and (inp.z_rec is None or not cfg.fixed_z_opt):
            inp.z_rec = scale_noise(self.model, 0, h, w)
        z = scale_noise(self.model, n, h, w)
        for j in range(cfg.Dsteps):
            prev = self._coarser_sample()
            noise = z if n == 0 else inp.noise_amp * z + prev  # G's input: z_n scaled, plus the coarser sample
            errD, fake = self.d_step(noise, prev, j, keep_graph=j == cfg.Dsteps - 1 and not cfg.fresh_fake)
        self.netD.requires_grad_(False)  # G's steps need D's input gradient only
        for j in range(cfg.Gsteps):
            if cfg.fresh_fake:
                with self.autocast():
                    fake = self.netG(noise, prev).float()
            errG, rec_loss = self.g_step(fake, retain_graph=j < cfg.Gsteps - 1)
        self.netD.requires_grad_(True)
        return torch.stack([errD, errG, rec_loss]), fake.detach()

    def d_step(self, noise: Tensor, prev: Tensor, j: int, keep_graph: bool) -> tuple[Tensor, Tensor]:
        """Maximise D(real) - D(G(z)) - GP. The fake keeps its graph when the G steps will reuse it."""
        netD, real = self.netD, self.inputs.real
        netD.zero_grad()
        with self.autocast():  # three backward passes, not one on the sum: the original's gradient order
            errD_real = -netD(real).float().mean()
        errD_real.backward()
        with torch.set_grad_enabled(keep_graph), self.autocast():
            fake = self.netG(noise, prev).float()
        with self.autocast():
            errD_fake = netD(fake.detach()).float().mean()
        errD_fake.backward()
        with self.autocast():
            gp = gradient_penalty(netD, real, fake.detach(), self.cfg.lambda_grad, self._gp_weight(j).to(self.device))
        gp.backward()
        self.optD.step()
        return errD_real.detach() + errD_fake.detach() + gp.detach(), fake

    def g_step(self, fake: Tensor, retain_graph: bool) -> tuple[Tensor, Tensor]:
        """Minimise -D(fake) + alpha * MSE(G(z_rec), real)."""
        self.netG.zero_grad()
        with self.autocast():
            errG = -self.netD(fake).float().mean()
        errG.backward(retain_graph=retain_graph)
        rec_loss = torch.zeros((), device=self.device)
        if self.cfg.alpha != 0:
            with self.autocast():
                rec = self.netG(self.rec_input(), self.inputs.prev_rec).float()
            rec_loss = self.cfg.alpha * F.mse_loss(rec, self.inputs.real)
            rec_loss.backward()
        self.optG.step()
        return errG.detach(), rec_loss.detach()

    def preview(self) -> Tensor:
        """G(z_rec) in train mode, as the original's preview image (its BatchNorm statistics count too)."""
        with torch.no_grad(), self.autocast():
            return self.netG(self.rec_input(), self.inputs.prev_rec).float()

    def finish(self) -> TrainedScale:
        for net in (self.netG, self.netD):
            net.zero_grad()
            net.requires_grad_(False)
            net.eval()
        return TrainedScale(netG=self.netG, z_rec=self.inputs.z_rec.clone(), noise_amp=self.inputs.noise_amp,
                            netD=self.netD)


class GraphStep:
    """Runs a trainer's iterations on CUDA: a few eager warm-up iterations on a side stream, then the
    iteration captured once as a CUDA graph and replayed (kernel launches, not FLOPs, set the pace)."""

    def __init__(self, trainer: ScaleTrainer):
        self.trainer, self.count, self.graph, self.static = trainer, 0, None, None

    def __call__(self) -> tuple[Tensor, Tensor]:
        device = self.trainer.device
        self.trainer.draw_gp_weights()
        self.count += 1
        if self.count <= GRAPH_WARMUP:  # eager warm-up on a side stream, as capture requires
            side = torch.cuda.Stream(device)
            side.wait_stream(torch.cuda.current_stream(device))
            with torch.cuda.stream(side):
                result = self.trainer.iteration()
            torch.cuda.current_stream(device).wait_stream(side)
            return result
        if self.graph is None:  # capturing records the kernels without running them
            self.graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(self.graph):
                self.static = self.trainer.iteration()
        self.graph.replay()
        return self.static


def _eager_step(trainer: ScaleTrainer) -> Callable[[], tuple[Tensor, Tensor]]:
    def step() -> tuple[Tensor, Tensor]:
        trainer.draw_gp_weights()
        return trainer.iteration()
    return step


def train_scale(model: SinGAN, n: int, netG: Generator, netD: Discriminator, events: Events = QUIET, *,
                resume: dict | None = None, quantize: Callable[[Tensor], Tensor] | None = None) -> TrainedScale:
    """Train G_n and D_n against reals[n] with scales 0..n-1 of `model` frozen, reporting to `events`.

    resume: an in-progress state (`ScaleTrainer.state`, as `Events.iteration_done` hands it) to continue.
    quantize: maps the generator's input image to a colour palette (paint-to-image training).
    """
    cfg = model.config
    trainer = ScaleTrainer(model, n, netG, netD, quantize)
    if resume is not None:
        trainer.restore(resume)
    else:
        trainer.begin()
    start, losses = (resume["iteration"], resume["losses"]) if resume else (0, {k: [] for k in LOSS_NAMES})
    events.scale_started(n, start)
    use_graph = cfg.cuda_graph and model.device.type == "cuda" and quantize is None
    step = GraphStep(trainer) if use_graph else _eager_step(trainer)
    for epoch in range(start, cfg.niter):
        trainer.set_lr(epoch)
        loss_values, fake = step()
        values = _record_losses(losses, loss_values, n, epoch)
        if epoch % PREVIEW_EVERY == 0 or epoch == cfg.niter - 1:
            events.preview(n, fake, trainer.preview())
        events.iteration_done(n, epoch, values, partial(trainer.state, epoch + 1, losses))
    trained = trainer.finish()
    trained.losses = losses
    return trained


def _record_losses(losses: dict[str, list[float]], loss_values: Tensor, n: int, epoch: int) -> list[float]:
    values = loss_values.tolist()
    if not all(math.isfinite(v) for v in values):
        raise SinGANError(f"training diverged at scale {n}, iteration {epoch}: a loss is NaN/Inf "
                          "(the last good checkpoint is kept)")
    for key, v in zip(LOSS_NAMES, values):
        losses[key].append(v)
    return values


def draw_concat(model: SinGAN, scale: int, mode: str) -> Tensor:
    """The input of `scale` from the frozen coarser scales: a random sample ('rand') or the
    reconstruction of the training image ('rec'), upsampled to the size of reals[scale]."""
    if scale == 0:
        return torch.zeros_like(model.reals[0][:, :model.config.nc_z])
    gen_start_scale = scale if mode == "rec" else 0
    images = run_pyramid(model, 1, gen_start_scale=gen_start_scale, end_scale=scale - 1, fused=False)
    return upsample(images, model.geometry.scale_factor, model.reals[scale].shape[-2:])


def new_scale_networks(model: SinGAN, n: int) -> tuple[Generator, Discriminator]:
    """Fresh G_n, D_n; warm-started from scale n-1 (BatchNorm statistics included) when the width is unchanged."""
    cfg = model.config
    nfc, min_nfc = scale_widths(n, cfg.nfc, cfg.min_nfc)
    netG, netD = build_networks(cfg, n, model.device)
    if n > 0 and scale_widths(n - 1, cfg.nfc, cfg.min_nfc)[0] == nfc:
        prev = model.scales[n - 1]
        netG.load_state_dict(prev.netG.state_dict())
        if prev.netD is not None:
            netD.load_state_dict(prev.netD.state_dict())
    return netG, netD


def train(model: SinGAN, events: Events = QUIET, *, resume: dict | None = None) -> SinGAN:
    """Train the scales of `model` that are not finished yet, coarsest first, reporting to `events`.

    resume: a resume state {'rng': ..., 'in_progress': ... or None}, as `Events.scale_done` hands it
        (with 'in_progress' the state `Events.iteration_done` hands).
    """
    in_progress = None
    if resume is not None:
        _set_rng_state(resume["rng"], model.device)
        in_progress = resume.get("in_progress")
    for n in range(model.num_trained, len(model.reals)):
        netG, netD = new_scale_networks(model, n)
        model.scales.append(train_scale(model, n, netG, netD, events, resume=in_progress))
        in_progress = None
        events.scale_done(n, {"rng": _rng_state(model.device), "in_progress": None})
    return model
