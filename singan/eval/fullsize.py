"""How an output brought to a photo's size compares with what it was made from: drift, shift, hf, sat, hatch.

For an output O at the large size, S the image it was made from at the training size (the training-size
sample of the same seed, the application's training-size result) and P the real photograph at O's size
(all (1, C, H, W) in [-1, 1]; levels are 8-bit, 0-255):

- drift: mean |blur(down(O)) - blur(S)|, down = area downscale to S's size, blur = Gaussian of sigma 1.5
  pixels of S: what the upscaling changed in colour and layout (not the detail it added).
- shift: the largest per-channel |mean(O) - mean(S)|.
- hf: mean |Laplacian| of O's grey image over the same for P: below 0.4 blurry (bicubic is about 0.23),
  above 1.5 hatching.
- sat: the share of pixels with a channel at 0-2 or 253-255 in O, minus P's; sat_s: minus that of
  bicubic(S) at O's size instead (what the upscaling blew out, not what S already had).
- hatch: how much more oriented energy the detail O added (O - bicubic(S)) has than the photo's own
  detail (P - bicubic(P at S's size)), over the photo's detail energy: with l1 >= l2 the eigenvalues of
  the structure tensor summed over the image, ((l1 - l2) of O's detail - (l1 - l2) of P's) / (l1 + l2)
  of P's. Hatching (stripes of one orientation) scores 0.3 and more, the photo's own detail 0, no
  added detail (bicubic) at most 0.

`mask` (at O's size, in [0, 1]) restricts every measure to where it is above 0.5 (harmonization and
editing: the dilated mask; hf then compares with the full-size reference inside it).
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor

LEVELS = 127.5  # [-1, 1] -> 0..255
BLUR_SIGMA = 1.5
GREY = (0.299, 0.587, 0.114)


def _levels(x: Tensor) -> Tensor:
    return (x.float().clamp(-1, 1) + 1) * LEVELS


def _grey(x: Tensor) -> Tensor:
    x = _levels(x)
    return x if x.shape[1] == 1 else sum(c * x[:, i:i + 1] for i, c in enumerate(GREY))


def gaussian_blur(x: Tensor, sigma: float) -> Tensor:
    """Separable Gaussian blur of (N, C, H, W), edges reflected."""
    radius = max(1, math.ceil(3 * sigma))
    t = torch.arange(-radius, radius + 1, dtype=torch.float32)
    k = torch.exp(-t**2 / (2 * sigma**2))
    k = (k / k.sum()).to(x.device)
    c = x.shape[1]
    pad_h, pad_w = min(radius, x.shape[-2] - 1), min(radius, x.shape[-1] - 1)
    x = F.pad(x, (pad_w, pad_w, pad_h, pad_h), mode="reflect") if pad_h and pad_w else x
    x = F.conv2d(x, k[radius - pad_h:radius + pad_h + 1].view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)
    return F.conv2d(x, k[radius - pad_w:radius + pad_w + 1].view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)


def _area(x: Tensor, size: tuple[int, int]) -> Tensor:
    return x if tuple(x.shape[-2:]) == tuple(size) else F.interpolate(x, size=size, mode="area")


def _bicubic(x: Tensor, size: tuple[int, int]) -> Tensor:
    return F.interpolate(x, size=size, mode="bicubic", antialias=True, align_corners=False)


def _mean(x: Tensor, mask: Tensor | None) -> Tensor:
    """Mean over (H, W) per channel, (C,), where mask > 0.5."""
    return x.mean((0, 2, 3)) if mask is None else x[0][:, mask[0, 0] > 0.5].mean(1)


def drift(o: Tensor, s: Tensor, mask: Tensor | None = None) -> float:
    size = tuple(s.shape[-2:])
    diff = (gaussian_blur(_area(_levels(o), size), BLUR_SIGMA) - gaussian_blur(_levels(s), BLUR_SIGMA)).abs()
    return _mean(diff, None if mask is None else _area(mask.float(), size)).mean().item()


def shift(o: Tensor, s: Tensor, mask: Tensor | None = None) -> float:
    small_mask = None if mask is None else _area(mask.float(), tuple(s.shape[-2:]))
    return (_mean(_levels(o), mask) - _mean(_levels(s), small_mask)).abs().max().item()


def _laplacian(x: Tensor) -> Tensor:
    k = torch.tensor([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=torch.float32, device=x.device).view(1, 1, 3, 3)
    return F.conv2d(F.pad(_grey(x), (1, 1, 1, 1), mode="replicate"), k).abs()


def hf(o: Tensor, p: Tensor, mask: Tensor | None = None) -> float:
    return (_mean(_laplacian(o), mask) / _mean(_laplacian(p), mask).clamp_min(1e-6)).item()


def _saturated(x: Tensor, mask: Tensor | None) -> float:
    v = _levels(x).round()
    return _mean(((v <= 2) | (v >= 253)).any(1, keepdim=True).float(), mask).item()


def sat(o: Tensor, p: Tensor, mask: Tensor | None = None) -> float:
    return _saturated(o, mask) - _saturated(p, mask)


def orientation(detail: Tensor, mask: Tensor | None = None) -> tuple[float, float]:
    """(l1 - l2, l1 + l2) of the structure tensor of a grey (1, 1, H, W) image averaged over it (or the mask):
    its oriented energy and its whole gradient energy."""
    gy, gx = torch.gradient(detail[0, 0])
    w = torch.ones_like(gx) if mask is None else (mask[0, 0] > 0.5).float()
    jxx, jyy, jxy = ((w * g).sum() / w.sum() for g in (gx * gx, gy * gy, gx * gy))
    return torch.sqrt((jxx - jyy) ** 2 + 4 * jxy**2).item(), (jxx + jyy).item()


def hatch(o: Tensor, s: Tensor, p: Tensor, mask: Tensor | None = None) -> float:
    size, small, p_size = tuple(o.shape[-2:]), tuple(s.shape[-2:]), tuple(p.shape[-2:])
    p_small = (max(1, round(p_size[0] * small[0] / size[0])), max(1, round(p_size[1] * small[1] / size[1])))
    added = orientation(_grey(o) - _grey(_bicubic(s.float(), size)), mask)
    own = orientation(_grey(p) - _grey(_bicubic(_bicubic(p.float(), p_small), p_size)), mask)
    return (added[0] - own[0]) / max(own[1], 1e-12)


def measure(o: Tensor, s: Tensor, p: Tensor, mask: Tensor | None = None) -> dict[str, float]:
    """Every measure of one output: {"drift", "shift", "hf", "sat", "sat_s", "hatch"}."""
    o, s, p = o.float().cpu(), s.float().cpu(), p.float().cpu()
    mask = None if mask is None else mask.float().cpu()
    return {"drift": drift(o, s, mask), "shift": shift(o, s, mask), "hf": hf(o, p, mask),
            "sat": sat(o, p, mask), "sat_s": sat(o, _bicubic(s, tuple(o.shape[-2:])).clamp(-1, 1), mask),
            "hatch": hatch(o, s, p, mask)}


THRESHOLDS = {"drift": (-math.inf, 6.0), "shift": (-math.inf, 4.0), "hf": (0.4, 1.5), "sat": (-math.inf, 0.02)}


def meets(values: dict[str, float]) -> bool:
    """Whether the measures are within the full-size quality THRESHOLDS (low, high)."""
    return all(lo <= values[k] <= hi for k, (lo, hi) in THRESHOLDS.items())
