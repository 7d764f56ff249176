"""The paper's figure types from a trained SinGAN, as labelled PNG grids (matplotlib Figures, without pyplot),
as `python -m singan.figures` draws them: generation_from_scales.png (paper Fig. 5), arbitrary_sizes.png
(paper Fig. 6 / 7) and applications.png (input / output pairs of the application results of an Output folder).
"""

import glob
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..api import generate
from ..core.model import SinGAN
from ..errors import SinGANError
from ..io import paths
from ..io.atomic import atomic_path, recorded_inputs
from ..io.images import IMAGE_SUFFIXES, read_image, to_numpy_image

DPI = 100
ARBITRARY_SIZES = ((1.0, 2.0), (1.0, 0.5), (2.0, 1.0), (0.75, 1.5))  # (scale_v, scale_h)
FONT = 9


def _show(ax, image: np.ndarray | None) -> None:
    """Draw an image without ticks or frame (the axis labels still work)."""
    ax.set(xticks=[], yticks=[])
    ax.spines[:].set_visible(False)
    if image is not None:
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest")


def _save(fig, path: Path, title: str, fontsize: int = FONT + 1) -> Path:
    """Title the figure at its top and write it to `path`."""
    fig.suptitle(title, fontsize=fontsize, y=1 - 0.08 / fig.get_figheight(), va="top")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=DPI, facecolor="white")
    return path


def figure_generation_from_scales(model: SinGAN, out: str | Path, num_samples: int = 4,
                                  scales: Sequence[int] | None = None, seed: int = 0) -> Path:
    """Grid: one row per generation start scale n (default: every trained scale; 0 = coarsest: everything random,
    higher n keep the coarse structure of the training image; the paper numbers scales from the finest, N - n),
    the training image then `num_samples` samples (row n: seed + n). Returns the PNG path."""
    last = model.num_trained - 1
    scales = list(range(model.num_trained)) if scales is None else list(scales)
    if not scales or not all(0 <= n <= model.num_trained for n in scales):
        raise SinGANError(f"--scales must be between 0 and {model.num_trained} (got {scales})")
    real = to_numpy_image(model.reals[last])
    height, width = real.shape[:2]
    cell_w = min(max(width / DPI, 1.1), 2.6)  # about the native size at DPI, within 1.1 .. 2.6 inches wide
    cell_h = cell_w * height / width
    rows, cols = len(scales), num_samples + 1
    left, right, top, bottom, gap = 1.05, 0.1, 0.75, 0.1, 0.06
    fig_w = left + right + cols * cell_w + (cols - 1) * gap
    fig_h = top + bottom + rows * cell_h + (rows - 1) * gap
    fig = Figure(figsize=(fig_w, fig_h))
    axes = fig.subplots(rows, cols, squeeze=False)
    fig.subplots_adjust(left=left / fig_w, right=1 - right / fig_w, top=1 - top / fig_h, bottom=bottom / fig_h,
                        wspace=gap / cell_w, hspace=gap / cell_h)
    for r, n in enumerate(scales):
        samples = generate(model, num_samples, gen_start_scale=n, seed=seed + n)
        for c in range(cols):
            ax = axes[r, c]
            _show(ax, real if c == 0 else to_numpy_image(samples[c - 1]))
            if r == 0:
                ax.set_title("training image" if c == 0 else f"sample {c}", fontsize=FONT)
        paper = "N" if n == 0 else f"N\u2212{n}"  # the paper numbers scales from the finest
        label = {last: f"(paper {paper},\nfinest)", last + 1: "(reconstruction)"}.get(n, f"(paper {paper})")
        axes[r, 0].set_ylabel(f"n = {n}\n{label}", rotation=0, ha="right", va="center", fontsize=FONT, labelpad=8)
    return _save(fig, Path(out) / "generation_from_scales.png", f"{model.name or 'SinGAN'}: random samples generated "
                 f"from scale n\n({model.num_trained} scales, n = 0 is the coarsest; {height}\u00d7{width} px)")


def figure_arbitrary_sizes(model: SinGAN, out: str | Path, gen_start_scale: int = 0, seed: int = 0) -> Path:
    """One row: the training image, then one sample per (scale_v, scale_h) in ARBITRARY_SIZES, all at the same
    display scale (so their relative sizes show), titled with the factors and pixel sizes."""
    panels = [(to_numpy_image(model.reals[model.num_trained - 1]), "training image")]
    for i, (scale_v, scale_h) in enumerate(ARBITRARY_SIZES):
        sample = generate(model, 1, gen_start_scale=gen_start_scale, scale_v=scale_v, scale_h=scale_h, seed=seed + i)
        panels.append((to_numpy_image(sample[0]), f"v \u00d7{scale_v:g}, h \u00d7{scale_h:g}"))
    # Inches per pixel: native size at DPI, but the narrowest image at least 1.1 inch wide (for its title)
    # and the whole row at most 22 inches wide.
    heights, widths = zip(*(p.shape[:2] for p, _ in panels))
    gap, left, top, bottom = 0.3, 0.15, 0.95, 0.15
    scale = max(1 / DPI, 1.1 / min(widths))
    scale = min(scale, (22 - 2 * left - gap * (len(panels) - 1)) / sum(widths))
    fig_w = 2 * left + sum(widths) * scale + gap * (len(panels) - 1)
    fig_h = top + bottom + max(heights) * scale
    fig = Figure(figsize=(fig_w, fig_h))
    x = left
    for (image, label), w, h in zip(panels, widths, heights):
        ax = fig.add_axes([x / fig_w, (fig_h - top - h * scale) / fig_h, w * scale / fig_w, h * scale / fig_h])
        _show(ax, image)
        ax.set_title(f"{label}\n{h}\u00d7{w} px", fontsize=FONT)
        x += w * scale + gap
    return _save(fig, Path(out) / "arbitrary_sizes.png", f"{model.name or 'SinGAN'}: samples of arbitrary size "
                 f"(v, h: vertical and horizontal factors; gen_start_scale {gen_start_scale})")


def _read(path: Path) -> np.ndarray | None:
    """An image file as an (H, W, 3) float array in [0, 1]; None when unreadable."""
    try:
        return to_numpy_image(read_image(path))
    except SinGANError as e:
        print(f"skipping {path}: {e}")
        return None


def _input_of(result: Path, folders: list[Path], stem: str) -> Path | None:
    """The input `result` was made from: the one its command recorded, else the first `<folder>/<stem>.*` found."""
    recorded = recorded_inputs(result.parent).get(result.name)
    if recorded is not None and Path(recorded).is_file():
        return Path(recorded)
    candidates = [folder / f"{stem}{suffix}" for folder in folders for suffix in IMAGE_SUFFIXES]
    return next((path for path in candidates if path.is_file()), None)


def find_application_results(outputs: str | Path, inputs: str | Path = "input", image: str | None = None) -> list[dict]:
    """The application results under the `outputs` folder (Output/ of the scripts), each a dict with
    `application`, `title`, `input` (path or None when not found) and `output` (path); only those of the
    training image `image` (a file name) when given. An input is the file its command recorded, else
    looked up under `inputs`, then under the input/ folder beside `outputs`."""
    outputs, stem = Path(outputs), "*" if image is None else glob.escape(paths.image_stem(image))
    roots = list(dict.fromkeys([Path(inputs), outputs.absolute().parent / "input"]))
    found = []
    refs = {"Harmonization": ("Harmonization", "start_scale=*.png", "_masked"),
            "Editing": ("Editing", "start_scale=*_masked.png", None),
            "Paint2image": ("Paint", "start_scale=*.png", None)}
    for application, (ref_dir, pattern, exclude) in refs.items():
        for out_dir in sorted((outputs / application).glob(f"{stem}/*/*_out*")):  # <image>/<model>/<ref>_out
            ref_stem = out_dir.name.split("_out")[0]
            for result in sorted(out_dir.glob(pattern)):
                if exclude and result.stem.endswith(exclude):
                    continue
                n = result.stem.split("=")[1].split("_")[0]
                suffix = " (quantized)" if out_dir.name.endswith("_quantized") else ""
                trained = out_dir.parent.parent.name
                title = f"{application}{suffix}: {ref_stem} \u2192 model of {trained}, start scale {n}"
                found.append({"application": application, "output": result, "title": title,
                              "input": _input_of(result, [root / ref_dir for root in roots], ref_stem)})
    for result in sorted((outputs / "SR").glob(f"*/*/{stem}_HR.png")):  # <factor>/<model>/<image>_HR.png
        name = result.stem[:-len("_HR")]
        factor = result.parent.parent.name.removesuffix(".0")  # the SR folder '4.0' (`paths.sr_dir`) as 4
        title = f"Super-resolution \u00d7{factor}: {name}"
        found.append({"application": "SR", "input": _input_of(result, [root / "images" for root in roots], name),
                      "output": result, "title": title})
    return found


def figure_applications(outputs: str | Path, out: str | Path, inputs: str | Path = "input",
                        image: str | None = None) -> Path | None:
    """Input / output pairs of find_application_results, one pair per row, both panels at the same height;
    None (and no file) when there are none."""
    results = find_application_results(outputs, inputs, image)
    row_h, gap, top, bottom, side = 2.2, 0.35, 0.45, 0.1, 0.2
    heading_h, title_h, row_gap = 0.28, 0.26, 0.3  # per row: heading, panel titles, panels, gap
    block_h = heading_h + title_h + row_h + row_gap
    rows = []
    for res in results:
        images = [_read(res["input"]) if res["input"] else None, _read(res["output"])]
        if images[1] is None:
            continue
        shapes = [im.shape[:2] if im is not None else images[1].shape[:2] for im in images]
        rows.append((res, images, [row_h * w / h for h, w in shapes]))
    if not rows:
        return None
    fig_w = 2 * side + max(sum(widths) for _, _, widths in rows) + gap
    fig_h = top + bottom + len(rows) * block_h - row_gap
    fig = Figure(figsize=(fig_w, fig_h))
    for r, (res, images, widths) in enumerate(rows):
        block_top = fig_h - top - r * block_h
        fig.text(side / fig_w, block_top / fig_h, res["title"], fontsize=FONT + 1, fontweight="bold", va="top")
        y = block_top - heading_h - title_h - row_h
        x = side
        for c, (image, w) in enumerate(zip(images, widths)):
            ax = fig.add_axes([x / fig_w, y / fig_h, w / fig_w, row_h / fig_h])
            _show(ax, image)
            size = "" if image is None else f" ({image.shape[0]}\u00d7{image.shape[1]} px)"
            ax.set_title(("input" if c == 0 else "output") + size, fontsize=FONT)
            if image is None:
                ax.text(0.5, 0.5, "input not found", ha="center", va="center", fontsize=FONT, color="grey",
                        transform=ax.transAxes)
                ax.spines[:].set(visible=True, color="lightgrey")
            x += w + gap
    return _save(fig, Path(out) / "applications.png", "SinGAN applications", FONT + 2)
