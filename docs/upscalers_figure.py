"""The README's picture of full-size outputs: one random sample brought to the photograph's size by each upscaler.

    python docs/upscalers_figure.py MODEL PHOTO OUT.png [--seed 0] [--crop top left height width] [--zoom 2]

Draws the sample of --seed from the trained MODEL at its training size, brings it to PHOTO's size by
bicubic interpolation, the paper's chain and the photo's own detail (`--upscaler` bicubic, chain,
patches), and writes the same crop of each (the training-size sample enlarged by nearest neighbour
first, the photograph last), enlarged by --zoom, side by side with a label above each.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from singan import generate, load  # noqa: E402
from singan.apps import upscale  # noqa: E402
from singan.io.images import read_image, to_numpy_image  # noqa: E402

LABEL_ROWS = 14


def panels(model_file: str, photo_file: str, seed: int) -> dict[str, np.ndarray]:
    """{label: H x W x 3 uint8} at the photograph's size."""
    model, photo = load(model_file), read_image(photo_file)
    size = tuple(photo.shape[-2:])
    sample = generate(model, 1, seed=seed)
    small = Image.fromarray((to_numpy_image(sample) * 255).round().astype(np.uint8)).resize(size[::-1], Image.NEAREST)
    out = {f"training size {sample.shape[2]}x{sample.shape[3]}": np.asarray(small)}
    for method in ("bicubic", "chain", "patches"):
        torch.manual_seed(seed)
        image = upscale.to_size(model, sample, size, upscaler=method, photo=photo, progress=False).clamp(-1, 1)
        out[method] = (to_numpy_image(image) * 255).round().astype(np.uint8)
    out["the photograph"] = (to_numpy_image(photo) * 255).round().astype(np.uint8)
    return out


def figure(images: dict[str, np.ndarray], crop: tuple[int, int, int, int] | None, zoom: int, gap: int = 6):
    h, w = next(iter(images.values())).shape[:2]
    top, left, height, width = crop or (0, 0, h, w)
    tiles = []
    for label, arr in images.items():
        tile = Image.fromarray(arr[top:top + height, left:left + width]).resize((width * zoom, height * zoom),
                                                                                Image.NEAREST)
        canvas = Image.new("RGB", (tile.width, tile.height + LABEL_ROWS), "white")
        canvas.paste(tile, (0, LABEL_ROWS))
        ImageDraw.Draw(canvas).text((2, 1), label, fill="black")
        tiles.append(np.asarray(canvas))
    white = np.full((tiles[0].shape[0], gap, 3), 255, np.uint8)
    return Image.fromarray(np.concatenate([x for t in tiles for x in (t, white)][:-1], axis=1))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    p.add_argument("model")
    p.add_argument("photo")
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--crop", type=int, nargs=4, metavar=("TOP", "LEFT", "HEIGHT", "WIDTH"), default=None)
    p.add_argument("--zoom", type=int, default=1)
    a = p.parse_args()
    figure(panels(a.model, a.photo, a.seed), a.crop, a.zoom).save(a.out)
