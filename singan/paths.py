"""Where models and results go: the original's folder layout (REFERENCE §9).

Folders are relative to the working directory. `<name>` is the input file name
without its extension (the original cut the last 4 characters; `Path.stem`
gives the same for .png/.jpg and also handles .jpeg).
"""

from pathlib import Path

from .checkpoint import FILENAME


def image_stem(input_name: str) -> str:
    return Path(input_name).stem


def trained_model_dir(input_name: str, scale_factor_init: float, alpha: float, mode: str = "train",
                      paint_start_scale: int | None = None, root: str | Path = "TrainedModels") -> Path:
    """TrainedModels/<name>/scale_factor=<sf>,alpha=<alpha> (or the animation / paint variants)."""
    base = Path(root) / image_stem(input_name)
    if mode == "animation_train":
        return base / f"scale_factor={scale_factor_init:f}_noise_padding"
    if mode == "paint_train":
        return base / f"scale_factor={scale_factor_init:f}_paint" / f"start_scale={paint_start_scale}"
    return base / f"scale_factor={scale_factor_init:f},alpha={int(alpha)}"


def trained_model_file(*args, **kwargs) -> Path:
    """The checkpoint file inside `trained_model_dir(...)`."""
    return trained_model_dir(*args, **kwargs) / FILENAME


def random_samples_dir(out: str | Path, input_name: str, gen_start_scale: int = 0,
                       scale_v: float = 1.0, scale_h: float = 1.0, arbitrary_sizes: bool = False,
                       model_dir_name: str = "") -> Path:
    """Output/RandomSamples/<name>/<model folder>/gen_start_scale=<g>, or the arbitrary-size folder
    (sic 'Arbitrery'); the model's folder name keeps the samples of two models of one image apart."""
    if arbitrary_sizes:
        folder = Path(out) / "RandomSamples_ArbitrerySizes" / image_stem(input_name) / model_dir_name
        return folder / f"scale_v={scale_v:f}_scale_h={scale_h:f}"
    return Path(out) / "RandomSamples" / image_stem(input_name) / model_dir_name / f"gen_start_scale={gen_start_scale}"


def application_dir(out: str | Path, application: str, input_name: str, ref_name: str | None = None) -> Path:
    """Output/<Application>/<name>[/<ref>_out]."""
    folder = Path(out) / application / image_stem(input_name)
    return folder / f"{image_stem(ref_name)}_out" if ref_name else folder


def sr_dir(out: str | Path, sr_factor: float) -> Path:
    """Output/SR/<sr_factor>, the factor printed as a float (e.g. Output/SR/4.0), as the original."""
    return Path(out) / "SR" / str(float(sr_factor))


def animation_file(out: str | Path, input_name: str, start_scale: int, alpha: float, beta: float) -> Path:
    """Output/Animation/<name>/start_scale=<s>/alpha=<alpha %f>_beta=<beta %f>.gif."""
    folder = application_dir(out, "Animation", input_name) / f"start_scale={start_scale}"
    return folder / f"alpha={alpha:f}_beta={beta:f}.gif"
