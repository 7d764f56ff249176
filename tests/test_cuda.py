"""The CUDA path (skipped without a GPU): CUDA-graph training computes what eager training does,
bf16 autocast trains, and the checkpoint of a CUDA model loads on the CPU."""

import pytest
import torch

from helpers import IMAGES, tiny_config
from singan import build_model, generate, load
from singan.core.training import train
from singan.io.checkpoint import save
from singan.io.images import read_image

pytestmark = [pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA"), pytest.mark.slow]


def _train_cuda(tmp_path, **config):
    torch.manual_seed(0)
    model = build_model(read_image(IMAGES / "balloons.png").cuda(), tiny_config(niter=12, **config))
    return train(model)


@pytest.fixture(autouse=True)
def deterministic():
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    yield
    torch.backends.cudnn.deterministic = False


def test_cuda_graph_training_matches_eager(tmp_path):
    graph = _train_cuda(tmp_path / "graph", cuda_graph=True)
    eager = _train_cuda(tmp_path / "eager", cuda_graph=False)
    for g, e in zip(graph.scales, eager.scales, strict=True):
        for key in ("errD", "errG", "rec"):
            assert torch.allclose(torch.tensor(g.losses[key]), torch.tensor(e.losses[key]), rtol=1e-4, atol=1e-5), key
        for pg, pe in zip(g.netG.parameters(), e.netG.parameters(), strict=True):
            assert torch.allclose(pg, pe, rtol=1e-4, atol=1e-5)


def test_bf16_autocast_trains_and_loads_on_cpu(tmp_path):
    model = _train_cuda(tmp_path, amp="bf16")
    rec = model.scales[-1].losses["rec"]
    assert all(torch.isfinite(torch.tensor(rec))) and rec[-1] < rec[0]
    save(model, tmp_path / "model.pt")
    cpu = load(tmp_path / "model.pt", "cpu")
    assert generate(cpu, 2, seed=0).shape == (2, 3, 30, 40)
