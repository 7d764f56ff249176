"""A picture of docs/outputs.md: the same crop of a result at the training size and at full size, side by side.

    python docs/side_by_side.py SMALL.png FULL.png OUT.png [--crop top left height width] [--zoom 2]

SMALL is resized (nearest neighbour, so its pixels stay visible) to FULL's size; the crop box is in
FULL's pixels (default: all of it); both crops are enlarged by --zoom (nearest) and put side by side
with a white gap.
"""

import argparse

import numpy as np
from PIL import Image


def side_by_side(small: Image.Image, full: Image.Image, crop: tuple[int, int, int, int] | None,
                 zoom: int = 1, gap: int = 8) -> Image.Image:
    small = small.convert("RGB").resize(full.size, Image.NEAREST)
    full = full.convert("RGB")
    top, left, height, width = crop or (0, 0, full.size[1], full.size[0])
    box = (left, top, left + width, top + height)
    panels = [np.asarray(img.crop(box).resize((width * zoom, height * zoom), Image.NEAREST)) for img in (small, full)]
    white = np.full((height * zoom, gap, 3), 255, np.uint8)
    return Image.fromarray(np.concatenate([panels[0], white, panels[1]], axis=1))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument("small")
    p.add_argument("full")
    p.add_argument("out")
    p.add_argument("--crop", type=int, nargs=4, metavar=("TOP", "LEFT", "HEIGHT", "WIDTH"), default=None)
    p.add_argument("--zoom", type=int, default=1)
    a = p.parse_args()
    side_by_side(Image.open(a.small), Image.open(a.full), a.crop, a.zoom).save(a.out)
