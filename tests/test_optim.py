"""LegacyAdam: PyTorch 1.4's Adam, whose in-place update autograd does not see."""

import copy

import pytest
import torch

from singan.core.optim import LegacyAdam


def _net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))


def test_steps_on_a_stale_graph_use_the_updated_weights():
    """The original's G steps 2..3 back-propagate through a graph built before step 1: PyTorch's Adam
    refuses (in-place modification); LegacyAdam lets it through, and the backward pass then uses the
    saved (old) activations with the updated weights, as PyTorch 1.4 did."""
    x = torch.randn(16, 4)
    net = _net()
    out = net(x).mean()
    out.backward(retain_graph=True)
    torch.optim.Adam(net.parameters(), lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()

    net = _net()
    old = copy.deepcopy(net)
    out = net(x).mean()
    out.backward(retain_graph=True)
    LegacyAdam(net.parameters(), lr=0.1).step()
    net.zero_grad()
    out.backward()  # the stale graph
    # The same gradients from a fresh graph whose first layer (the saved activations) has the old
    # weights and whose last layer has the new ones:
    mixed = copy.deepcopy(old)
    mixed[2].load_state_dict(net[2].state_dict())
    mixed(x).mean().backward()
    assert not torch.equal(net[2].weight, old[2].weight)
    for p, q in zip(net.parameters(), mixed.parameters(), strict=True):
        assert torch.allclose(p.grad, q.grad, rtol=1e-6, atol=1e-8)


def test_capturable_step_matches_the_host_step():
    """The CUDA-graph variant (step and learning rate as tensors) computes the same update up to float32."""
    a, b = _net(), _net()
    opt_a = LegacyAdam(a.parameters(), lr=0.01, betas=(0.5, 0.999))
    opt_b = LegacyAdam(b.parameters(), lr=0.01, betas=(0.5, 0.999), capturable=True)
    opt_b.make_capturable(True)
    for i in range(20):
        x = torch.randn(16, 4, generator=torch.Generator().manual_seed(i))
        for net, opt in ((a, opt_a), (b, opt_b)):
            net.zero_grad()
            net(x).square().mean().backward()
            opt.step()
        opt_a.set_lr(0.001 if i >= 10 else 0.01)
        opt_b.set_lr(0.001 if i >= 10 else 0.01)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.allclose(pa, pb, rtol=1e-5, atol=1e-7)


def test_state_round_trip_and_layout_switch():
    """A saved state loads into a fresh optimiser (host or capturable) and continues identically."""
    net = _net()
    opt = LegacyAdam(net.parameters(), lr=0.01)
    x = torch.randn(16, 4)
    for _ in range(3):
        net.zero_grad()
        net(x).mean().backward()
        opt.step()
    saved_net, saved = copy.deepcopy(net), copy.deepcopy(opt.state_dict())
    twin_opt = LegacyAdam(saved_net.parameters(), lr=0.01)
    twin_opt.load_state_dict(saved)
    twin_opt.make_capturable(True)
    twin_opt.make_capturable(False)
    for n, o in ((net, opt), (saved_net, twin_opt)):
        n.zero_grad()
        n(x).mean().backward()
        o.step()
    for p, q in zip(net.parameters(), saved_net.parameters(), strict=True):
        assert torch.equal(p, q)
    assert all(s["step"] == 4 for s in twin_opt.state.values())
