"""A short real training run: losses go down, checkpoints reload safely, seeds reproduce."""


import pytest
import torch
import torch.nn.functional as F

from helpers import IMAGES, random_model, tiny_config
from singan import build_model, load
from singan.api import generate
from singan.core.training import new_scale_networks, train
from singan.io import checkpoint
from singan.io.images import read_image
from singan.io.previews import ScalePreviews
from singan.runtime.training_run import run_training

pytestmark = pytest.mark.slow  # every test here trains


def _tiny_model(seed=0, **overrides):
    torch.manual_seed(seed)
    real = read_image(IMAGES / "balloons.png")
    return build_model(real, tiny_config(**overrides), name="balloons.png")


def _reconstruction(model):
    """The model's reconstruction of the training image at its finest trained scale."""
    return generate(model, 1, gen_start_scale=model.num_trained)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("train")
    model = _tiny_model(seed=1)
    untrained = random_model(seed=1)  # the same pyramid with freshly initialised networks at every scale
    assert all(torch.equal(a, b) for a, b in zip(untrained.reals, model.reals, strict=True))
    path = out / "model.pt"
    run_training(model, ScalePreviews(out), save=lambda m, r: checkpoint.save(m, path, r), progress=False)
    return model, untrained, path, out


def test_pyramid_is_tiny(trained):
    model, _, _, _ = trained
    assert [tuple(r.shape[-2:]) for r in model.reals] == [(25, 34), (30, 40)]
    assert model.complete


def test_training_lowers_reconstruction_error(trained):
    model, untrained, _, _ = trained
    real = model.reals[-1]
    err_trained = F.mse_loss(_reconstruction(model), real).item()
    err_untrained = F.mse_loss(_reconstruction(untrained), real).item()
    assert err_trained < 0.5 * err_untrained, (err_trained, err_untrained)


def test_checkpoint_opens_with_weights_only(trained):
    model, _, path, out = trained
    state = torch.load(path, weights_only=True)
    assert state["format"] == "singan" and state["version"] == checkpoint.VERSION
    assert state["complete"] and len(state["scales"]) == 2
    reloaded = load(path)
    torch.manual_seed(3)
    a = generate(model, 4)
    torch.manual_seed(3)
    b = generate(reloaded, 4)
    assert torch.equal(a, b)
    for n in range(2):
        assert (out / str(n) / "real_scale.png").is_file()
        assert (out / str(n) / "fake_sample.png").is_file()
        assert (out / str(n) / "G(z_opt).png").is_file()
        assert (out / str(n) / "losses.png").is_file()


def test_noise_amplitudes(trained):
    model, _, _, _ = trained
    assert model.scales[0].noise_amp == 1.0
    assert 0 < model.scales[1].noise_amp < 0.1


def test_same_seed_gives_identical_checkpoints(tmp_path):
    states = []
    for run in ("a", "b"):
        model = _tiny_model(seed=7, niter=5)
        train(model)
        checkpoint.save(model, tmp_path / run / "model.pt")
        states.append(torch.load(tmp_path / run / "model.pt", weights_only=True))
    for sa, sb in zip(states[0]["scales"], states[1]["scales"]):
        for key in ("netG", "netD"):
            for name, t in sa[key].items():
                assert torch.equal(t, sb[key][name]), (key, name)
        assert torch.equal(sa["z_rec"], sb["z_rec"]) and sa["noise_amp"] == sb["noise_amp"]
    assert (tmp_path / "a" / "model.pt").read_bytes() == (tmp_path / "b" / "model.pt").read_bytes()


def test_frozen_generators_are_batch_independent(trained):
    """Eval-mode BatchNorm: a sample computed in a batch equals the same sample computed alone."""
    model, _, _, _ = trained
    x = torch.randn(4, 3, 40, 50)
    netG = model.scales[1].netG
    batched = netG(x, x)
    alone = torch.cat([netG(x[i:i + 1], x[i:i + 1]) for i in range(4)])
    assert (batched - alone).abs().max() < 1e-5  # float rounding of batched convs only
    full = generate(model, 3, gen_start_scale=2)  # every scale reconstructs: identical samples
    assert torch.equal(full, full[:1].expand_as(full))


def test_cpu_inference_path_computes_the_plain_network(trained):
    """Sampling on the CPU folds BatchNorm into the convs and runs channels-last: the same function
    as conv -> BatchNorm(running statistics) -> LeakyReLU, returned in NCHW memory. Training's
    draw_concat keeps the plain modules (other rounding would move the weights off the original's)."""
    model, _, _, _ = trained
    netG = model.scales[1].netG
    assert not netG.training
    x = torch.randn(2, 3, 40, 50)
    plain = x
    for block in (netG.head, *netG.body):
        plain = torch.nn.Sequential.forward(block, plain)  # the unfolded modules, one by one
    plain = netG.tail(plain) + x[:, :, 5:-5, 5:-5]
    out = netG(x, x, fused=True)
    assert out.is_contiguous()
    assert torch.equal(netG(x, x), plain)
    assert (out - plain).abs().max() < 1e-5
    assert netG.head.norm.running_var.ne(1).any()  # trained statistics, so the fold is not a no-op


def test_cuda_bookkeeping_runs_on_the_cpu(tmp_path):
    """The CUDA path's host-free bookkeeping (capturable LegacyAdam, GP weights drawn into a fixed
    buffer before each iteration), exercised on the CPU: it trains like the host path."""
    from singan.core.training import ScaleTrainer, _eager_step

    model = _tiny_model(seed=2, niter=8)
    netG, netD = new_scale_networks(model, 0)
    trainer = ScaleTrainer(model, 0, netG, netD)
    trainer.capturable = True
    trainer.gp_weights = torch.zeros(model.config.Dsteps, 1, 1)
    for opt in (trainer.optD, trainer.optG):
        opt.make_capturable(True)
    trainer.begin()
    step, rec = _eager_step(trainer), []
    for i in range(8):
        trainer.set_lr(i)
        losses, _ = step()
        rec.append(losses[2].item())
    assert trainer.gp_weights.unique().numel() == model.config.Dsteps  # fresh, distinct draws
    assert all(torch.isfinite(torch.tensor(rec))) and rec[-1] < rec[0]
    assert isinstance(trainer.optG.param_groups[0]["lr"], torch.Tensor)
