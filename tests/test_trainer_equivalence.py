"""The optimised trainer computes exactly what a straightforward transcription of the algorithm does.

The reference below is the training loop written plainly, as in the original code: draw_concat with
autograd on through the frozen scales, the fake built with a graph in every D step, D's losses
back-propagated one by one, D's weights receiving gradients in the G steps. Same seed, same losses.
"""

import copy

import pytest
import torch
import torch.nn.functional as F

from helpers import IMAGES, tiny_config
from singan import build_model
from singan.images import read_image
from singan.imresize import imresize
from singan.training import gradient_penalty, new_scale_networks, train, train_scale

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
        g = imresize(g, 1 / model.scale_factor)[:, :, :model.reals[k + 1].shape[2], :model.reals[k + 1].shape[3]]
    return g


def reference_train_scale(model, n, netG, netD, niter):
    cfg, real = model.config, model.reals[n]
    h, w = real.shape[-2:]
    optD = torch.optim.Adam(netD.parameters(), lr=cfg.lr_d, betas=(cfg.beta1, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=cfg.lr_g, betas=(cfg.beta1, 0.999))
    z_prev = _draw_concat(model, n, "rec")
    noise_amp = cfg.noise_amp * torch.sqrt(F.mse_loss(real, z_prev)).item()
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
            gp = gradient_penalty(netD, real, fake, cfg.lambda_grad)
            gp.backward()
            optD.step()
        for _ in range(cfg.Gsteps):
            netG.zero_grad()
            errG = -netD(netG(noise_amp * noise_ + prev, prev)).mean()
            errG.backward(retain_graph=True)
            rec = cfg.alpha * F.mse_loss(netG(noise_amp * z_opt + z_prev, z_prev), real)
            rec.backward(retain_graph=True)
            optG.step()
        for key, v in zip(losses, (errD_real + errD_fake + gp, errG, rec)):
            losses[key].append(v.item())
    return losses


def test_optimised_trainer_matches_reference(tmp_path):
    torch.manual_seed(0)
    model = build_model(read_image(IMAGES / "balloons.png"), tiny_config(niter=5))
    train(model, tmp_path, progress=False)  # both scales; we re-train scale 1 two ways
    base = copy.deepcopy(model)
    base.scales = base.scales[:1]
    fast_model, ref_model = copy.deepcopy(base), copy.deepcopy(base)

    torch.manual_seed(1)
    netG, netD = new_scale_networks(fast_model, 1)
    fast = train_scale(fast_model, 1, netG, netD, progress=False).losses

    torch.manual_seed(1)
    netG, netD = new_scale_networks(ref_model, 1)
    ref = reference_train_scale(ref_model, 1, netG, netD, niter=5)

    for key in ref:
        assert len(fast[key]) == len(ref[key]) == 5
        for a, b in zip(fast[key], ref[key]):
            assert abs(a - b) < 1e-5, (key, fast[key], ref[key])
