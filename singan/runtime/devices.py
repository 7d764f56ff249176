"""Device resolution: the one place a device name ('auto', 'cpu', 'cuda:1', ...) becomes a torch.device.

Every command, the batch runner and the Python API (`load`, `train_image`) call `resolve_device`:
a device this machine has is returned; any other name (a CUDA index past the last GPU, 'mps' or
'xpu' where there is none, 'meta', a typo) is a one-line `SinGANError` naming the devices that exist.
"""

import torch

from ..errors import SinGANError


def resolve_device(spec: "str | torch.device | None" = "auto", flag: str = "--device") -> torch.device:
    """`spec` as a torch.device this machine has ('auto': the first GPU when present, else the CPU)."""
    if spec is None or spec == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    if not isinstance(spec, (str, torch.device)):
        raise SinGANError(f"{flag} must be a device name such as 'cpu' or 'cuda' (got {spec!r})")
    # what this machine can train and sample on: cpu, then cuda:0 .. cuda:N-1 (and mps, xpu)
    gpus = [f"cuda:{i}" for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0)]
    others = [kind for kind, backend in (("mps", torch.backends.mps), ("xpu", torch.xpu)) if backend.is_available()]
    available = ["cpu", *gpus, *others]
    try:
        device = torch.device(spec)
    except (RuntimeError, ValueError):
        raise SinGANError(f"{flag} {spec!r} is not a device name; this machine has {', '.join(available)}") from None
    if device.type == "cuda":
        index = 0 if device.index is None else device.index
        if f"cuda:{index}" in available:
            return torch.device("cuda", index)
        what = "CUDA is not available on this machine" if not torch.cuda.is_available() else "no such GPU"
        raise SinGANError(f"{flag} {spec}: {what}; this machine has {', '.join(available)}")
    if device.type in available:  # cpu, mps, xpu
        return device
    raise SinGANError(f"{flag} {spec}: not available on this machine; this machine has {', '.join(available)}")
