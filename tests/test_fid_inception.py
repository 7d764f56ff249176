"""SIFID's network is pytorch-fid's InceptionV3, loaded from a weights file made here (nothing is downloaded).

Before the hand-written network (singan/inception.py) was deleted, one random state dict loaded into
both gave identical features at the 64- and 192-channel blocks (max difference 0, on 2 images of
160x128). That network is gone; what is kept is the same check against a direct functional
re-computation of those blocks (convolution, batch norm with eps 0.001, ReLU, 3x3 max-pools of
stride 2, as the TensorFlow FID graph defines them). It proves that our weights file reaches
pytorch-fid's network unchanged, that the inputs are used as given (no resizing, no rescaling),
and which layer each --sifid_dims is; it no longer compares two independent implementations of
the whole network (only these first five convolutions are re-computed).
"""

import socket

import pytest
import torch
import torch.nn.functional as F

from helpers import fid_weights_file
from singan.errors import SinGANError
from singan.eval import fid_inception
from singan.eval.fid_inception import WEIGHTS_FILE, load_inception, resolve_weights


def _conv_bn_relu(x, state, name, stride=1, padding=0):
    x = F.conv2d(x, state[f"{name}.conv.weight"], stride=stride, padding=padding)
    bn = [state[f"{name}.bn.{k}"] for k in ("running_mean", "running_var", "weight", "bias")]
    return F.relu(F.batch_norm(x, *bn, training=False, eps=0.001))


def reference_features(x, state, dims):
    """The FID Inception's features after the first (64 channels) or second (192) max-pool, op by op."""
    x = _conv_bn_relu(x, state, "Conv2d_1a_3x3", stride=2)
    x = _conv_bn_relu(x, state, "Conv2d_2a_3x3")
    x = F.max_pool2d(_conv_bn_relu(x, state, "Conv2d_2b_3x3", padding=1), 3, stride=2)
    if dims == 64:
        return x
    x = _conv_bn_relu(_conv_bn_relu(x, state, "Conv2d_3b_1x1"), state, "Conv2d_4a_3x3")
    return F.max_pool2d(x, 3, stride=2)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return fid_weights_file(tmp_path_factory.mktemp("fid"))


def test_random_weights_have_the_fid_files_keys_and_shapes(weights):
    state = torch.load(weights, weights_only=True)
    # 94 BasicConv2d (conv weight + 5 batch-norm entries) and fc: the 566 entries of pt_inception-2015-12-05.
    assert len(state) == 94 * 6 + 2 and not any(k.startswith("AuxLogits") for k in state)
    assert state["Conv2d_1a_3x3.conv.weight"].shape == (32, 3, 3, 3) and state["fc.weight"].shape == (1008, 2048)
    assert sum(v.numel() for k, v in state.items() if not k.endswith(("running_mean", "running_var",
                                                                       "num_batches_tracked"))) == 23_850_960


@pytest.mark.parametrize("dims", [64, 192])
def test_pytorch_fid_network_gives_the_fid_features(weights, dims):
    net = load_inception(weights, dims)
    assert not net.training and not any(p.requires_grad for p in net.parameters())
    x = torch.rand(2, 3, 160, 128, generator=torch.Generator().manual_seed(1)) * 2 - 1
    with torch.no_grad():
        (features,) = net(x)
        expected = reference_features(x, torch.load(weights, weights_only=True), dims)
    assert features.shape == expected.shape == ((2, 64, 38, 30) if dims == 64 else (2, 192, 17, 13))
    assert (features - expected).abs().max().item() <= 1e-5


def test_load_inception_bad_files(tmp_path):
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"not a torch file" * 10)
    with pytest.raises(SinGANError, match=WEIGHTS_FILE):
        load_inception(garbage)
    wrong = tmp_path / "wrong.pth"
    torch.save({"fc.weight": torch.zeros(3)}, wrong)
    with pytest.raises(SinGANError, match=WEIGHTS_FILE):
        load_inception(wrong)
    with pytest.raises(SinGANError, match="does not exist"):
        resolve_weights(tmp_path / "missing.pth")


def test_given_file_then_hub_cache_and_nothing_downloaded(weights, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(torch.hub, "download_url_to_file", lambda *a, **k: pytest.fail("downloaded"))
    assert resolve_weights(weights) == (weights, None)
    cached = fid_weights_file(tmp_path / "torch" / "hub" / "checkpoints")
    assert resolve_weights(None) == (cached, None)


def test_failed_download_is_a_one_line_note(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    with socket.socket() as closed:  # bound, not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/{WEIGHTS_FILE}"
        path, note = resolve_weights(None, url)
    assert path is None and len(note.splitlines()) == 1
    assert WEIGHTS_FILE in note and str(tmp_path / "torch" / "hub" / "checkpoints") in note
    assert "other metrics were computed" in note
    assert not list((tmp_path / "torch").rglob("*.pth*"))  # no partial file left behind


def test_stalled_download_gives_up(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(fid_inception, "DOWNLOAD_TIMEOUT", 0.5)
    with socket.socket() as server:  # accepts the connection, never answers
        server.bind(("127.0.0.1", 0))
        server.listen()
        path, note = resolve_weights(None, f"http://127.0.0.1:{server.getsockname()[1]}/{WEIGHTS_FILE}")
    assert path is None and "timed out" in note
