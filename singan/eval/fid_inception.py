"""pytorch-fid's InceptionV3 (the FID network, as the released SIFID code uses it) and where its weights come from.

The weights (pytorch-fid's WEIGHTS_FILE) are looked for in this order: the file given
(--inception_weights; nothing is downloaded then), the torch hub cache (where pytorch-fid keeps them),
else downloaded there from pytorch-fid's release ($SINGAN_FID_WEIGHTS_URL overrides the address). A
download that fails or stalls leaves SIFID out with a one-line note instead of stopping the other metrics.
"""

import importlib.util
import os
import pickle
import socket
from pathlib import Path
from unittest import mock

import torch
from torch import nn

from ..errors import SinGANError

WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
WEIGHTS_URL = f"https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/{WEIGHTS_FILE}"
DOWNLOAD_TIMEOUT = 20.0  # seconds without progress (connecting, or between reads) before a download gives up
DIMS = {64: "64 channels, after the first max-pool (the released SIFID code)",
        192: "192 channels, after the second max-pool (pytorch-fid's 192 block; the paper's text: before that pool)"}


def resolve_weights(given: str | Path | None, url: str | None = None) -> tuple[Path | None, str | None]:
    """(weights file, None), or (None, a one-line note saying what is missing), found as the module docstring
    says (`url` defaults to $SINGAN_FID_WEIGHTS_URL, else WEIGHTS_URL); a file given must exist."""
    if importlib.util.find_spec("pytorch_fid") is None:
        return None, ("SIFID left out: pytorch-fid is not installed (pip install -r requirements.txt); "
                      "the other metrics were computed")
    if given is not None:
        if Path(given).is_dir():
            raise SinGANError(f"--inception_weights {given} is a folder; give the weights file {WEIGHTS_FILE}")
        if not Path(given).is_file():
            raise SinGANError(f"--inception_weights {given} does not exist (expected {WEIGHTS_FILE})")
        return Path(given), None
    cached = Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE  # where pytorch-fid keeps them
    if cached.is_file():
        return cached, None
    url = url or os.environ.get("SINGAN_FID_WEIGHTS_URL") or WEIGHTS_URL
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)  # urllib has no time limit of its own on a stalled download
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        torch.hub.download_url_to_file(url, str(cached), progress=True)
    except Exception as e:  # offline, refused, timed out, HTTP error, disk full: SIFID is left out
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return None, (f"SIFID left out: no FID Inception weights ({type(e).__name__} downloading {url}: {reason}); "
                      f"put {WEIGHTS_FILE} in {cached.parent} or pass --inception_weights FILE; "
                      "the other metrics were computed")
    finally:
        socket.setdefaulttimeout(previous)
    return cached, None


def pytorch_fid_inception():
    """The module pytorch_fid.inception, imported even where torchvision cannot load its compiled ops.

    torchvision's CUDA wheel beside a CPU-only torch has no ops (nms, roi_align, ...); torchvision 0.28
    imports without them except for two fake registrations (nms, qnms), which then raise. Those are
    skipped for ops that do not exist (Inception uses none); where the ops are there, nothing changes.
    """
    real = torch.library.register_fake

    def register_fake(op, *args, **kwargs):
        if isinstance(op, str) and op.startswith("torchvision::"):
            try:
                getattr(torch.ops.torchvision, op.split("::", 1)[1])
            except (AttributeError, RuntimeError):
                return lambda fn: fn
        return real(op, *args, **kwargs)

    with mock.patch.object(torch.library, "register_fake", register_fake):
        import pytorch_fid.inception
    return pytorch_fid.inception


def load_inception(path: str | Path, dims: int = 64, device: torch.device | str = "cpu") -> nn.Module:
    """pytorch_fid.inception.InceptionV3 returning the `dims`-channel block, weights from `path`, in eval mode.

    Inputs in [-1, 1] are used as they are (no resizing to 299, no rescaling), as SIFID needs; the network
    returns a one-element list. Nothing is downloaded: pytorch-fid's weights loader is handed the state dict.
    """
    if dims not in DIMS:
        raise SinGANError(f"--sifid_dims must be one of {sorted(DIMS)} (got {dims})")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, EOFError, RuntimeError, ValueError, pickle.UnpicklingError) as e:
        raise SinGANError(f"cannot read Inception weights from {path} ({type(e).__name__}): "
                          f"expected the FID Inception state dict {WEIGHTS_FILE}") from None
    if not isinstance(state, dict):
        raise SinGANError(f"{path} holds a {type(state).__name__}, not the FID Inception state dict {WEIGHTS_FILE}")
    fid = pytorch_fid_inception()
    with mock.patch.object(fid, "load_state_dict_from_url", lambda *args, **kwargs: state):
        try:
            net = fid.InceptionV3([fid.InceptionV3.BLOCK_INDEX_BY_DIM[dims]], resize_input=False,
                                  normalize_input=False)
        except RuntimeError as e:  # wrong keys or shapes
            raise SinGANError(f"{path} is not the FID Inception state dict {WEIGHTS_FILE}: "
                              f"{str(e).splitlines()[0]}") from None
    return net.to(device).eval().requires_grad_(False)
