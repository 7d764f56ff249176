"""Upscaling by the photo's own detail: an output at the photo's size keeps its colours and gets real texture.

An image S made at the training size (a sample, an application's result, an animation frame) is brought to
(H, W) as O = bicubic(S) + detail, the detail being the high frequencies of an exemplar: E - bicubic(K), E
the exemplar at the output's zoom and K the same exemplar at S's zoom (for a photo: the photo and the
training image). Each pixel q of S is matched to the 5x5 patch of K most like its own (`match`), and every
output pixel near q takes the detail at the matched place, displaced as q is displaced (`transfer`); the few
matches around an output pixel vote, weighted by a Gaussian of their distance (VOTE_SIGMA pixels of S). Where
S is the training image (a reconstruction, the unchanged part of an edit) every match is itself and O is the
photo. So no colour moves (the detail has no frequencies S has), the photo's own texture is added and nothing
it lacks (no generator runs at a size it was not trained at), and the same S gives the same pixels.

Without a photo at the output's zoom (`singan.apps.sr.super_resolve`, outputs larger than the photo) the
image is its own exemplar one step finer: steps of at most 1/scale_factor, each matching the image against
itself brought down by the step's factor, locally (`local_match`; cross-scale self-similarity, Glasner,
Bagon and Irani, ICCV 2009). Memory: two images of the output's size (the output and the detail) and strips
of rows; the search itself runs at S's size.
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ..core.imresize import resize_matrix

PATCH = 5  # side of the patches matched, in pixels of S
VOTE_SIGMA = 0.6  # spread of the votes of nearby matches, in pixels of S
PCA_DIMS = 16  # the patches are compared on their first principal components
COLOUR_OFF = 0.5  # patches are compared less this share of their mean colour: structure first
LOCAL_RADIUS = 2  # local search: candidates within this many pixels of the corresponding place
OFFSETS = sorted(((dy, dx) for dy in range(-LOCAL_RADIUS, LOCAL_RADIUS + 1)
                  for dx in range(-LOCAL_RADIUS, LOCAL_RADIUS + 1)), key=lambda d: abs(d[0]) + abs(d[1]))
STRIP_ROWS = 64  # rows of the output written at a time
SEARCH_BYTES = 64 * 2**20  # the distance matrix of one chunk of queries
CLIP = 252 / 127.5 - 1  # 8-bit level 252 in [-1, 1] (-CLIP: level 3): just inside the blown-out levels


def _patches(x: Tensor) -> Tensor:
    """(h * w, C * PATCH**2): the patch around every pixel of one image (1, C, h, w), edges replicated, less
    half its mean colour (the detail carries no colour: a recoloured patch, a harmonized object, still
    finds itself)."""
    p, c = PATCH // 2, x.shape[1]
    patches = F.unfold(F.pad(x, (p, p, p, p), mode="replicate"), PATCH)[0].T.reshape(-1, c, PATCH**2)
    return (patches - COLOUR_OFF * patches.mean(2, keepdim=True)).reshape(-1, c * PATCH**2)


def match(s: Tensor, k: Tensor) -> Tensor:
    """For every pixel of `s` (1, C, h, w), the (row, column) in `k` (1, C, hk, wk) of the most similar
    patch: a (2, h, w) long tensor. Exhaustive search, by chunks of queries, on the first PCA_DIMS principal
    components of the keys (centred on their mean)."""
    keys = _patches(k.float())
    mean = keys.mean(0, keepdim=True)
    keys, queries = keys - mean, _patches(s.float()) - mean
    if keys.shape[0] > PCA_DIMS:  # (a patch has at least 25 > PCA_DIMS values)
        basis = torch.linalg.svd(keys[:: max(1, keys.shape[0] // 20000)], full_matrices=False)[2][:PCA_DIMS].T
        queries, keys = queries @ basis, keys @ basis
    norms = (keys * keys).sum(1)
    chunk = max(1, SEARCH_BYTES // (4 * keys.shape[0]))
    best = torch.cat([(norms - 2 * queries[i:i + chunk] @ keys.T).argmin(1)
                      for i in range(0, queries.shape[0], chunk)])
    wk = k.shape[-1]
    return torch.stack([best // wk, best % wk]).view(2, *s.shape[-2:])


def local_match(s: Tensor, k: Tensor) -> Tensor:
    """`match` restricted to the (2 * LOCAL_RADIUS + 1)**2 places of `k` around the place corresponding
    to each pixel of `s` (k a smaller copy of s): for self-similarity across scales, at any size. The
    places are fractional (the corresponding place plus whole pixels), so that where no other place is
    better the field is a smooth zoom, not a staircase; patches are compared at the nearest pixel."""
    (h, w), (hk, wk) = s.shape[-2:], k.shape[-2:]
    feats_s, feats_k = (F.pad(x.float(), (2,) * 4, mode="replicate").unfold(2, PATCH, 1).unfold(3, PATCH, 1)
                        for x in (s, k))
    at_y = (torch.arange(h) + 0.5) * hk / h - 0.5
    at_x = (torch.arange(w) + 0.5) * wk / w - 0.5
    ys, xs = at_y.round().long(), at_x.round().long()
    best = torch.empty(2, h, w)
    for r0 in range(0, h, STRIP_ROWS):
        r1 = min(h, r0 + STRIP_ROWS)
        q = feats_s[0, :, r0:r1]  # (C, rows, w, P, P)
        low = torch.full((r1 - r0, w), math.inf)
        for dy, dx in OFFSETS:  # the corresponding place first: it wins ties
            ky, kx = (ys[r0:r1] + dy).clamp(0, hk - 1), (xs + dx).clamp(0, wk - 1)
            d = (q - feats_k[0][:, ky][:, :, kx]).square().sum((0, 3, 4))
            better = d < low
            low = torch.where(better, d, low)
            fy, fx = (at_y[r0:r1] + dy).clamp(0, hk - 1), (at_x + dx).clamp(0, wk - 1)
            best[0, r0:r1] = torch.where(better, fy[:, None].expand(-1, w), best[0, r0:r1])
            best[1, r0:r1] = torch.where(better, fx[None].expand(r1 - r0, -1), best[1, r0:r1])
    return best


def _upsampler(s: Tensor, size: tuple[int, int]):
    """strip(r0, r1): rows r0:r1 of bicubic(s) (1, C, h, w) at `size`, (C, r1 - r0, W), by each axis's
    (out, in) upsampling weights (Keys, a = -0.5, mirrored borders)."""
    rows, cols = (torch.tensor(resize_matrix(n, m, m / n, False, True), dtype=torch.float32)
                  for n, m in zip(s.shape[-2:], size))
    wide = s[0].float() @ cols.T  # (C, h, W)
    return lambda r0, r1: torch.einsum("rh,chw->crw", rows[r0:r1], wide)


def _by_strips(out: Tensor, s: Tensor, op) -> Tensor:
    """op(rows, base) on every strip of rows of `out` (1, C, H, W) and the same rows of bicubic(s) at its size."""
    strip, H = _upsampler(s, tuple(out.shape[-2:])), out.shape[-2]
    for r0 in range(0, H, STRIP_ROWS):
        op(out[0, :, r0:r0 + STRIP_ROWS], strip(r0, min(H, r0 + STRIP_ROWS)))
    return out


def bicubic(s: Tensor, size: tuple[int, int]) -> Tensor:
    """bicubic(s) (1, C, h, w) at `size` (H, W), by strips of rows."""
    return _by_strips(torch.empty(1, s.shape[1], *size), s, Tensor.copy_)


def detail_layer(exemplar: Tensor, k: Tensor) -> Tensor:
    """exemplar - bicubic(k) (1, C, H, W), in place of the exemplar: the high frequencies it has above k's size."""
    return _by_strips(exemplar, k, Tensor.sub_)


def _gather(detail: Tensor, sy: Tensor, sx: Tensor, smooth: bool) -> Tensor:
    """detail (1, C, He, We) at the places (sy, sx), edges clamped: (C, *sy.shape). At the nearest pixel
    (crisp: each vote a whole copy), or bilinearly when `smooth` (a fractional field: a zoom)."""
    (He, We), d = detail.shape[-2:], detail[0]
    sy, sx = sy.clamp(0, He - 1), sx.clamp(0, We - 1)
    if not smooth:
        return d[:, sy.round().long(), sx.round().long()]
    y0, x0 = sy.floor().long(), sx.floor().long()
    y1, x1 = (y0 + 1).clamp(max=He - 1), (x0 + 1).clamp(max=We - 1)
    fy, fx = sy - y0, sx - x0
    return ((d[:, y0, x0] * (1 - fx) + d[:, y0, x1] * fx) * (1 - fy)
            + (d[:, y1, x0] * (1 - fx) + d[:, y1, x1] * fx) * fy)


def transfer(s: Tensor, field: Tensor, detail: Tensor, size: tuple[int, int]) -> Tensor:
    """bicubic(s) to `size` (H, W) plus the detail the match `field` (2, h, w) points to in `detail`
    (1, C, He, We; at the zoom size / s's size of the keys it was matched against). Written by strips."""
    (h, w), (H, W) = s.shape[-2:], size
    zy, zx = H / h, W / w
    out, strip = torch.empty(1, s.shape[1], H, W), _upsampler(s, size)
    X = torch.arange(W)
    qx = (X + 0.5) / zx - 0.5
    for r0 in range(0, H, STRIP_ROWS):
        r1 = min(H, r0 + STRIP_ROWS)
        Y = torch.arange(r0, r1)[:, None]
        qy = (Y + 0.5) / zy - 0.5
        votes, weights, near_i, near_j = 0, 0, qy.round().long(), qx.round().long()
        for di in (-1, 0, 1):
            i = (near_i + di).clamp(0, h - 1)
            for dj in (-1, 0, 1):
                j = (near_j + dj).clamp(0, w - 1)[None]
                a, b = field[0][i, j], field[1][i, j]
                weight = torch.exp(-((qy - i) ** 2 + (qx - j) ** 2) / (2 * VOTE_SIGMA**2))
                votes = votes + weight * _gather(detail, Y + (a - i) * zy, X + (b - j) * zx, field.is_floating_point())
                weights = weights + weight
        out[0, :, r0:r1] = strip(r0, r1) + votes / weights
    return out


def _resized(x: Tensor, size: tuple[int, int]) -> Tensor:
    """`x` brought to `size` (bicubic, antialiased when shrinking); a copy."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x.float().clone()
    return F.interpolate(x.float(), size=size, mode="bicubic", antialias=True, align_corners=False)


def _zoomed(hw: tuple[int, int], zoom: tuple[float, float]) -> tuple[int, int]:
    return max(1, round(hw[0] * zoom[0])), max(1, round(hw[1] * zoom[1]))


def back_project(o: Tensor, s: Tensor) -> Tensor:
    """`o` less bicubic(down(o) - s), in place: one step of iterative back-projection (Irani and Peleg 1991),
    so that `o` brought down to s's size is s again (the detail keeps no colour of its own)."""
    return _by_strips(o, _resized(o, tuple(s.shape[-2:])) - s.float(), Tensor.sub_)


def upscale_one(s: Tensor, size: tuple[int, int], keys: Tensor, photo: Tensor | None = None,
                max_step: float = 4 / 3) -> Tensor:
    """One image `s` (1, C, h, w) made at `keys`' zoom (keys: the training image, or the training-size
    reference of an edit) brought to `size` (H, W). `photo`: `keys` at a larger zoom (the input file, the
    full-size reference); its detail is transferred up to its own zoom, and the image's own above it,
    in steps of at most `max_step`."""
    (h, w), (hk, wk) = s.shape[-2:], keys.shape[-2:]
    photo_hw, start = None if photo is None else tuple(photo.shape[-2:]), s
    for j, hw in enumerate(steps((h, w), tuple(size), (hk, wk), photo_hw, max_step)):
        if j == 0 and photo_hw is not None and photo_hw[0] > hk:
            exemplar = _resized(photo, _zoomed((hk, wk), (hw[0] / h, hw[1] / w)))
            s = back_project(transfer(s, match(s, keys), detail_layer(exemplar, keys), hw), s)
            del exemplar
        else:  # its own detail one step finer (cross-scale self-similarity)
            zoom = (hw[0] / s.shape[-2], hw[1] / s.shape[-1])
            coarse = _resized(s, _zoomed(tuple(s.shape[-2:]), (1 / zoom[0], 1 / zoom[1])))
            s = back_project(transfer(s, local_match(s, coarse), detail_layer(s.float().clone(), coarse), hw), s)

    def unclipped(rows: Tensor, base: Tensor) -> None:
        """Out of the blown-out levels (0-2 and 253-255 of 255) wherever bicubic(start) is not there already:
        the added detail never clips a highlight or a shadow the image did not have."""
        rows.copy_(torch.where(base < CLIP, rows.clamp(max=CLIP), rows))
        rows.copy_(torch.where(base > -CLIP, rows.clamp(min=-CLIP), rows))

    return _by_strips(s, start, unclipped)


def steps(start: tuple[int, int], size: tuple[int, int], keys: tuple[int, int], photo: tuple[int, int] | None,
          max_step: float) -> list[tuple[int, int]]:
    """The sizes `upscale_one` passes through from `start` to `size`: the photo's zoom first (when it has
    one above the keys'), then steps of at most `max_step`."""
    zoom, sizes, s = (size[0] / start[0], size[1] / start[1]), [], start
    if photo is not None and photo[0] > keys[0]:
        reach = (min(zoom[0], photo[0] / keys[0]), min(zoom[1], photo[1] / keys[1]))
        s = _zoomed(start, reach) if reach != zoom else size
        sizes.append(s)
    while s != tuple(size):
        ratio = max(size[0] / s[0], size[1] / s[1])
        n = max(1, math.ceil(math.log(ratio) / math.log(max_step) - 1e-9))
        s = tuple(size) if n == 1 else _zoomed(s, ((size[0] / s[0]) ** (1 / n), (size[1] / s[1]) ** (1 / n)))
        sizes.append(s)
    return sizes


def peak_bytes(start: tuple[int, int], size: tuple[int, int], keys: tuple[int, int],
               photo: tuple[int, int] | None, channels: int, max_step: float) -> int:
    """Estimated peak bytes of `upscale_one` (the photo itself not counted: its caller holds it): the
    output, the detail and the image of each step, the exhaustive search's patches and one chunk of
    distances, and the local search's strips of patches."""
    def image(hw):
        return 4 * channels * hw[0] * hw[1]

    search = 4 * channels * PATCH**2 * (start[0] * start[1] + keys[0] * keys[1]) + SEARCH_BYTES
    worst, prev = 0, start
    for j, hw in enumerate(steps(start, size, keys, photo, max_step)):
        if j == 0 and photo is not None and photo[0] > keys[0]:
            worst = max(worst, 3 * image(hw) + search)  # the photo at the step's zoom, its detail, the output
        else:
            worst = max(worst, 2 * image(prev) + image(hw) + 3 * 4 * channels * PATCH**2 * STRIP_ROWS * prev[1])
        prev = hw
    return worst
