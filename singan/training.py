"""Training: one small GAN per scale, coarse to fine, each frozen once trained.

At scale n the generator G_n learns to add detail to the upsampled output of
the frozen scales 0..n-1. Its loss is WGAN-GP against the patch critic D_n
plus alpha times the MSE between the reconstruction G_n(z_rec, rec_{n-1}^) and
the real image at that scale. The noise amplitude of scale n is noise_amp_init
times the RMSE of the coarser scales' reconstruction (fixed at the start of the
scale). A checkpoint is written after every scale and every `save_every`
seconds inside a scale, so an interrupted run can resume exactly.
"""

import math
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm import tqdm

from .errors import SinGANError
from .images import save_image
from .model import SinGAN, TrainedScale
from .networks import Discriminator, Generator, build_networks, scale_widths
from .plots import plot_losses
from .sampling import draw_concat, scale_noise

PREVIEW_EVERY = 500  # iterations between preview images (and at the last one)
GRAPH_WARMUP = 3  # eager iterations before a scale's iteration is captured as a CUDA graph


def gradient_penalty(netD: nn.Module, real: Tensor, fake: Tensor, lambda_grad: float) -> Tensor:
    """WGAN-GP on one random interpolate (one scalar weight per step; the gradient norm is taken
    over channels per pixel and averaged over pixels, as the original). No gradient reaches G."""
    a = torch.rand(1, 1, device=real.device)
    interp = (a * real + (1 - a) * fake).detach().requires_grad_(True)
    out = netD(interp)
    (grad,) = torch.autograd.grad(out, interp, grad_outputs=torch.ones_like(out), create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean() * lambda_grad


def _adam(net: nn.Module, lr: float, beta1: float, capturable: bool) -> torch.optim.Adam:
    """The original's Adam; CUDA-graph capturable (learning rate as a device tensor) when asked."""
    if capturable:
        lr = torch.tensor(lr, device=next(net.parameters()).device)
    return torch.optim.Adam(net.parameters(), lr=lr, betas=(beta1, 0.999), capturable=capturable)


def _fit_optimizer(opt: torch.optim.Adam, capturable: bool) -> None:
    """Make a loaded optimizer state usable with or without CUDA graphs (a run may resume on another device)."""
    for group in opt.param_groups:
        group["capturable"] = capturable
        lr = float(group["lr"])  # saved as a float or a 0-d tensor
        group["lr"] = torch.tensor(lr, device=group["params"][0].device) if capturable else lr
        for p in group["params"]:
            state = opt.state.get(p)
            if state and "step" in state:
                state["step"] = state["step"].to(p.device if capturable else "cpu", torch.float32)


def _set_lr(opt: torch.optim.Optimizer, lr: float) -> None:
    for group in opt.param_groups:
        if isinstance(group["lr"], Tensor):
            group["lr"].fill_(lr)
        else:
            group["lr"] = lr


def _rng_state(device: torch.device) -> dict:
    state = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict, device: torch.device) -> None:
    torch.set_rng_state(state["cpu"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def train_scale(model: SinGAN, n: int, netG: Generator, netD: Discriminator, *,
                resume: dict | None = None, checkpoint: Callable[[dict], None] | None = None,
                save_every: float = 300.0, quantize: Callable[[Tensor], Tensor] | None = None,
                outf: Path | None = None, progress: bool = True) -> TrainedScale:
    """Train G_n and D_n against reals[n] with scales 0..n-1 of `model` frozen.

    resume: an in-progress state written by an earlier call (via `checkpoint`).
    checkpoint: called with the in-progress state every `save_every` seconds
        (a negative value: after every iteration).
    quantize: maps the generator's input image to a colour palette (paint-to-image training).
    outf: folder for the preview images and the loss plot of this scale.
    """
    cfg, device = model.config, model.device
    real = model.reals[n]
    h, w = real.shape[-2:]
    pad = cfg.pad
    # On CUDA every iteration after a few eager warm-up ones is replayed as one CUDA graph:
    # the networks are so small that launching kernels, not computing them, sets the pace.
    # Adam is capturable on every CUDA run, so graph and eager runs compute the same numbers.
    use_graph = cfg.cuda_graph and device.type == "cuda" and quantize is None
    capturable = device.type == "cuda"
    optD = _adam(netD, cfg.lr_d, cfg.beta1, capturable)
    optG = _adam(netG, cfg.lr_g, cfg.beta1, capturable)
    losses: dict[str, list[float]] = {"errD": [], "errG": [], "rec": []}
    autocast = partial(torch.autocast, device.type, dtype=torch.bfloat16, enabled=cfg.amp == "bf16",
                       cache_enabled=not use_graph)

    # Reconstruction input: z* and zeros at the coarsest scale; zeros and the upsampled
    # reconstruction of the coarser scales above it, which also sets the noise amplitude.
    if resume is not None:
        netG.load_state_dict(resume["netG"])
        netD.load_state_dict(resume["netD"])
        for opt, key in ((optG, "optG"), (optD, "optD")):
            opt.load_state_dict(resume[key])
            _fit_optimizer(opt, capturable)
        z_rec, prev_rec, noise_amp = resume["z_rec"].to(device), resume["prev_rec"].to(device), resume["noise_amp"]
        losses = resume["losses"]
        start = resume["iteration"]
        _set_rng_state(resume["rng"], device)
    elif n == 0:
        z_rec = None  # drawn in the first iteration (after the RNG draws of network set-up)
        prev_rec = torch.zeros(1, cfg.nc_z, h + 2 * pad, w + 2 * pad, device=device)
        noise_amp, start = 1.0, 0
    else:
        with torch.no_grad():
            rec = draw_concat(model, n, "rec")
            noise_amp = cfg.noise_amp * math.sqrt(F.mse_loss(rec, real).item())
        prev_rec = F.pad(rec, [pad] * 4)
        z_rec = torch.zeros(1, cfg.nc_z, h + 2 * pad, w + 2 * pad, device=device)
        start = 0
    if quantize is not None:
        prev_rec = quantize(prev_rec)

    def iteration() -> tuple[Tensor, Tensor, Tensor | None]:
        """One iteration: Dsteps D steps, then Gsteps G steps. No host synchronisation (a CUDA
        graph can replay it). Returns the losses (errD, errG, rec), the last fake and reconstruction."""
        nonlocal z_rec
        if n == 0 and (z_rec is None or cfg.redraw_z_opt):
            z_rec = scale_noise(model, 0, h, w)
        noise_ = scale_noise(model, n, h, w)
        rec_img = None

        # (1) D steps: maximise D(real) - D(G(z)), a fresh sample of the coarser scales each step.
        for _ in range(cfg.Dsteps):
            netD.zero_grad()
            with torch.no_grad():  # D's step needs no graph through the generators
                prev = prev_rec if n == 0 else F.pad(draw_concat(model, n, "rand"), [pad] * 4)
                if quantize is not None:
                    prev = quantize(prev)
                noise = noise_ if n == 0 else noise_amp * noise_ + prev
                with autocast():
                    fake = netG(noise, prev).float()
            # Three backward passes (not one on the sum): the gradients accumulate in the original's order.
            with autocast():
                errD_real = -netD(real).float().mean()
            errD_real.backward()
            with autocast():
                errD_fake = netD(fake).float().mean()
            errD_fake.backward()
            with autocast():
                gp = gradient_penalty(netD, real, fake, cfg.lambda_grad)
            gp.backward()
            errD = errD_real.detach() + errD_fake.detach() + gp.detach()
            optD.step()

        # (2) G steps: a fresh fake from the last D step's input every step, plus reconstruction.
        netD.requires_grad_(False)
        for _ in range(cfg.Gsteps):
            netG.zero_grad()
            with autocast():
                fake = netG(noise, prev).float()
                errG = -netD(fake).float().mean()
            errG.backward()
            if cfg.alpha != 0:
                with autocast():
                    rec_img = netG(noise_amp * z_rec + prev_rec, prev_rec).float()
                rec_loss = cfg.alpha * F.mse_loss(rec_img, real)
                rec_loss.backward()
            else:
                rec_loss = torch.zeros((), device=device)
            optG.step()
        netD.requires_grad_(True)
        rec_img = None if rec_img is None else rec_img.detach()
        return torch.stack([errD.detach(), errG.detach(), rec_loss.detach()]), fake.detach(), rec_img

    bar = tqdm(range(start, cfg.niter), desc=f"scale {n}/{model.geometry.stop_scale}", initial=start,
               total=cfg.niter, disable=not progress, dynamic_ncols=True, leave=True)
    last_save = time.monotonic()
    graph = static = None
    for epoch in bar:
        lr_scale = cfg.gamma if epoch >= cfg.lr_milestone else 1.0
        _set_lr(optD, cfg.lr_d * lr_scale)
        _set_lr(optG, cfg.lr_g * lr_scale)
        if not use_graph:
            loss_values, fake, rec_img = iteration()
        elif epoch < start + GRAPH_WARMUP:  # eager warm-up on a side stream, as graph capture requires
            side = torch.cuda.Stream(device)
            side.wait_stream(torch.cuda.current_stream(device))
            with torch.cuda.stream(side):
                loss_values, fake, rec_img = iteration()
            torch.cuda.current_stream(device).wait_stream(side)
        else:
            if graph is None:  # capturing records the kernels without running them
                graph = torch.cuda.CUDAGraph()
                with torch.cuda.graph(graph):
                    static = iteration()
            graph.replay()
            loss_values, fake, rec_img = static

        values = loss_values.tolist()
        if not all(math.isfinite(v) for v in values):
            raise SinGANError(f"training diverged at scale {n}, iteration {epoch}: a loss is NaN/Inf "
                              "(the last good checkpoint is kept)")
        for key, v in zip(losses, values):
            losses[key].append(v)
        if epoch % 25 == 0 or epoch == cfg.niter - 1:
            bar.set_postfix(errD=f"{values[0]:.3f}", errG=f"{values[1]:.3f}", rec=f"{values[2]:.4f}", refresh=False)
        if outf is not None and (epoch % PREVIEW_EVERY == 0 or epoch == cfg.niter - 1):
            save_image(outf / "fake_sample.png", fake)
            if rec_img is not None:
                save_image(outf / "G(z_opt).png", rec_img)
        if checkpoint is not None and epoch < cfg.niter - 1 and time.monotonic() - last_save >= save_every:
            checkpoint({"scale": n, "iteration": epoch + 1, "netG": netG.state_dict(), "netD": netD.state_dict(),
                        "optG": optG.state_dict(), "optD": optD.state_dict(), "z_rec": z_rec,
                        "prev_rec": prev_rec, "noise_amp": noise_amp, "losses": losses,
                        "rng": _rng_state(device)})
            last_save = time.monotonic()
    bar.close()
    if graph is not None:  # keep nothing that lives in the graph's memory pool
        z_rec = z_rec.clone()
        del graph, static
    netG.zero_grad()
    netD.zero_grad()

    if outf is not None:
        plot_losses(losses, outf / "losses.png", title=f"scale {n}")
    for net in (netG, netD):
        net.requires_grad_(False)
        net.eval()
    return TrainedScale(netG=netG, z_rec=z_rec, noise_amp=noise_amp, netD=netD, losses=losses)


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


def train(model: SinGAN, out_dir: Path, *, resume: dict | None = None,
          save: Callable[[SinGAN, dict], None] | None = None, save_every: float = 300.0,
          init_weights: tuple[dict | None, dict | None] = (None, None), progress: bool = True) -> SinGAN:
    """Train the scales of `model` that are not finished yet, coarsest first.

    resume: the checkpoint's resume state {'rng': ..., 'in_progress': ... or None}.
    save(model, resume_state): called after every finished scale and every `save_every`
        seconds inside a scale, with the state needed to continue exactly from there.
    init_weights: optional (G, D) state dicts loaded into every new scale (--netG/--netD).
    """
    device = model.device
    in_progress = None
    if resume is not None:
        _set_rng_state(resume["rng"], device)
        in_progress = resume.get("in_progress")
    for n in range(model.num_trained, len(model.reals)):
        outf = Path(out_dir) / str(n)
        save_image(outf / "real_scale.png", model.reals[n])
        netG, netD = new_scale_networks(model, n)
        if init_weights[0] is not None:
            netG.load_state_dict(init_weights[0])
        if init_weights[1] is not None:
            netD.load_state_dict(init_weights[1])

        def checkpoint(state: dict) -> None:
            if save is not None:
                save(model, {"rng": state["rng"], "in_progress": state})

        model.scales.append(train_scale(model, n, netG, netD, resume=in_progress, checkpoint=checkpoint,
                                        save_every=save_every, outf=outf, progress=progress))
        in_progress = None
        if save is not None:
            save(model, {"rng": _rng_state(device), "in_progress": None})
    return model
