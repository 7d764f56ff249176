"""With the paper's semantics (--fresh_fake --fixed_z_opt) the optimised trainer computes exactly
what a straightforward transcription of the algorithm does.

The reference below is the training loop written plainly: draw_concat with autograd on through the
frozen scales, the fake built with a graph in every D step, D's losses back-propagated one by one,
D's weights receiving gradients in the G steps, a fresh fake for every G step, Adam as PyTorch 1.4.
It keeps the original's set-up RNG draw (an unused noise map) and its preview forward passes of G in
train mode (at the first and the last iteration), which move BatchNorm's running statistics.
Same seed, same losses. (The default dynamics are checked against the original's own weights in
test_trajectory.py.)
"""

import copy
import math

import pytest
import torch
import torch.nn.functional as F

from helpers import IMAGES, tiny_config
from singan import build_model
from singan.core.imresize import imresize
from singan.core.training import gradient_penalty, new_scale_networks, train, train_scale
from singan.io.images import read_image

pytestmark = pytest.mark.slow  # every test here trains


def _noise(model, k, h, w):
    channels = 1 if k == 0 else 3
    return F.pad(torch.randn(1, channels, h, w), [5] * 4).expand(1, 3, -1, -1)


def _draw_concat(model, n, mode):
    g = torch.zeros_like(model.reals[0])
    for k in range(n):
        s, (h, w) = model.scales[k], model.reals[k].shape[-2:]
        z = _noise(model, k, h, w) if mode == "rand" else s.z_rec
        g = F.pad(g[:, :, :h, :w], [5] * 4)
        g = s.netG(s.noise_amp * z + g, g)
        h1, w1 = model.reals[k + 1].shape[-2:]
        g = imresize(g, 1 / model.geometry.scale_factor)[:, :, :h1, :w1]
    return g


class Adam14(torch.optim.Optimizer):
    """Adam as PyTorch 1.4 wrote it (the original's optimiser): p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)."""

    def __init__(self, params, lr, betas):
        super().__init__(params, dict(lr=lr, betas=betas))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            (b1, b2), lr = group["betas"], group["lr"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st.update(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
                st["t"] += 1
                st["m"].mul_(b1).add_(p.grad, alpha=1 - b1)
                st["v"].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                denom = (st["v"].sqrt() / math.sqrt(1 - b2 ** st["t"])).add_(1e-8)
                p.addcdiv_(st["m"], denom, value=-lr / (1 - b1 ** st["t"]))


def reference_train_scale(model, n, netG, netD, niter):
    cfg, real = model.config, model.reals[n]
    h, w = real.shape[-2:]
    torch.randn(1, 3, h, w)  # the original's unused fixed_noise
    optD = Adam14(netD.parameters(), lr=cfg.lr_d, betas=(cfg.beta1, 0.999))
    optG = Adam14(netG.parameters(), lr=cfg.lr_g, betas=(cfg.beta1, 0.999))
    z_prev = _draw_concat(model, n, "rec")
    noise_amp = (cfg.noise_amp * torch.sqrt(F.mse_loss(real, z_prev))).item()
    z_prev = F.pad(z_prev, [5] * 4)
    z_opt = torch.zeros_like(z_prev)
    losses = {"errD": [], "errG": [], "rec": []}
    for _ in range(niter):
        noise_ = _noise(model, n, h, w)
        for _ in range(cfg.Dsteps):
            netD.zero_grad()
            errD_real = -netD(real).mean()
            errD_real.backward(retain_graph=True)
            prev = F.pad(_draw_concat(model, n, "rand"), [5] * 4)
            fake = netG(noise_amp * noise_ + prev, prev)
            errD_fake = netD(fake.detach()).mean()
            errD_fake.backward(retain_graph=True)
            gp = gradient_penalty(netD, real, fake, cfg.lambda_grad, torch.rand(1, 1))
            gp.backward()
            optD.step()
        for _ in range(cfg.Gsteps):
            netG.zero_grad()
            errG = -netD(netG(noise_amp * noise_ + prev, prev)).mean()
            errG.backward(retain_graph=True)
            rec = cfg.alpha * F.mse_loss(netG(noise_amp * z_opt + z_prev, z_prev), real)
            rec.backward(retain_graph=True)
            optG.step()
        if len(losses["rec"]) in (0, niter - 1):  # the preview image, G in train mode
            netG(noise_amp * z_opt + z_prev, z_prev)
        for key, v in zip(losses, (errD_real + errD_fake + gp, errG, rec)):
            losses[key].append(v.item())
    return losses


def test_optimised_trainer_matches_reference(tmp_path):
    torch.manual_seed(0)
    model = build_model(read_image(IMAGES / "balloons.png"), tiny_config(niter=5, fresh_fake=True, fixed_z_opt=True))
    train(model)  # both scales; we re-train scale 1 two ways
    base = copy.deepcopy(model)
    base.scales = base.scales[:1]
    fast_model, ref_model = copy.deepcopy(base), copy.deepcopy(base)

    torch.manual_seed(1)
    netG, netD = new_scale_networks(fast_model, 1)
    fast = train_scale(fast_model, 1, netG, netD).losses

    torch.manual_seed(1)
    netG, netD = new_scale_networks(ref_model, 1)
    ref = reference_train_scale(ref_model, 1, netG, netD, niter=5)

    for key in ref:
        assert len(fast[key]) == len(ref[key]) == 5
        for a, b in zip(fast[key], ref[key]):
            assert a == b, (key, fast[key], ref[key])  # the same computation: the same bits
