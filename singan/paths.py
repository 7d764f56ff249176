"""Where models and results go: the original's folder layout (TrainedModels/, Output/).

Folders are relative to the working directory. `<name>` is the input file name
without its extension (the original cut the last 4 characters; `Path.stem`
gives the same for .png/.jpg and also handles .jpeg). Unlike the original, every
output folder also carries the name of the model that made it (`model_name`), so
two models of one image (another --alpha or --scale_factor) never overwrite each
other's results.
"""

from pathlib import Path

MODEL_FILENAME = "model.pt"  # the checkpoint file inside a model folder


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
    return trained_model_dir(*args, **kwargs) / MODEL_FILENAME


def model_name(model_file: str | Path) -> str:
    """The name that tells two models of one image apart: the model's folder name (for example
    `scale_factor=0.750000,alpha=10`), or the file's stem when it is not named model.pt."""
    model_file = Path(model_file)
    return model_file.parent.name if model_file.name == MODEL_FILENAME else model_file.stem


def random_samples_dir(out: str | Path, input_name: str, gen_start_scale: int = 0, scale_v: float = 1.0,
                       scale_h: float = 1.0, arbitrary_sizes: bool = False, *, model_file: str | Path) -> Path:
    """Output/RandomSamples/<name>/<model>/gen_start_scale=<g>, or the arbitrary-size folder (sic 'Arbitrery')
    Output/RandomSamples_ArbitrerySizes/<name>/<model>/scale_v=<v>_scale_h=<h>; <model> is `model_name(model_file)`."""
    if arbitrary_sizes:
        folder = Path(out) / "RandomSamples_ArbitrerySizes" / image_stem(input_name) / model_name(model_file)
        return folder / f"scale_v={scale_v:f}_scale_h={scale_h:f}"
    folder = Path(out) / "RandomSamples" / image_stem(input_name) / model_name(model_file)
    return folder / f"gen_start_scale={gen_start_scale}"


def application_dir(out: str | Path, application: str, input_name: str, ref_name: str | None = None, *,
                    model_file: str | Path) -> Path:
    """Output/<Application>/<name>/<model>[/<ref>_out]."""
    folder = Path(out) / application / image_stem(input_name) / model_name(model_file)
    return folder / f"{image_stem(ref_name)}_out" if ref_name else folder


def sr_dir(out: str | Path, sr_factor: float, *, model_file: str | Path) -> Path:
    """Output/SR/<sr_factor>/<model>, the factor printed as a float (e.g. Output/SR/4.0), as the original."""
    return Path(out) / "SR" / str(float(sr_factor)) / model_name(model_file)


def animation_file(out: str | Path, input_name: str, start_scale: int, alpha: float, beta: float, *,
                   model_file: str | Path) -> Path:
    """Output/Animation/<name>/<model>/start_scale=<s>/alpha=<alpha %f>_beta=<beta %f>.gif."""
    folder = application_dir(out, "Animation", input_name, model_file=model_file) / f"start_scale={start_scale}"
    return folder / f"alpha={alpha:f}_beta={beta:f}.gif"


def sized(path: str | Path, size: tuple[int, int] | None, *, file: bool = False) -> Path:
    """Outputs at another size than the training size go to a folder of their own beside the usual one:
    <folder>_<H>x<W> (of `path`, or of its parent with `file`); at the training size (None), `path` itself."""
    path = Path(path)
    if size is None:
        return path
    if file:
        return sized(path.parent, size) / path.name
    return path.with_name(f"{path.name}_{size[0]}x{size[1]}")
