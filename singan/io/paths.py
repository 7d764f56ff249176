"""Where models and results go: the original's folder layout (TrainedModels/, Output/).

Folders are relative to the working directory. `<name>` is the input file's stem (the original cut the
last 4 characters: the same for .png/.jpg, not for .jpeg). Unlike the original, every output folder
also carries the name of the model that made it (`model_name`), so two models of one image (another
--alpha or --scale_factor) never overwrite each other's results; models outside ./TrainedModels
(another --models_dir) add `@<models_dir>_<hash>` to it. Numbers in folder names are exact: a value
that `%f` prints exactly keeps the original's `%f` name (`scale_factor=0.750000`, `alpha=10`), any
other gets its shortest exact form (`alpha=0.5`, `scale_h=1.0000001`): two values never share a folder.
"""

import hashlib
from pathlib import Path

MODEL_FILENAME = "model.pt"  # the checkpoint file inside a model folder
DEFAULT_ROOT = "TrainedModels"  # the default --models_dir, relative to the working directory
SR_DEFAULT = 4.0  # SR.py's default --sr_factor, whose model folder keeps the original's name


def number(value: float) -> str:
    """`value` as `%f` (the original's folder names) when that is exact, else its shortest exact form."""
    text = f"{value:f}"
    return text if float(text) == value else repr(float(value))


def integer_or_number(value: float) -> str:
    """`value` as an integer (the original's `int(alpha)`) when it is one, else its shortest exact form."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def image_stem(input_name: str) -> str:
    return Path(input_name).stem


def trained_model_dir(input_name: str, scale_factor_init: float, alpha: float, mode: str = "train",
                      paint_start_scale: int | None = None, root: str | Path = DEFAULT_ROOT, *,
                      sr_factor: float | None = None) -> Path:
    """TrainedModels/<name>/scale_factor=<sf>,alpha=<alpha> (or the animation / paint variants).

    An SR model (`sr_factor` given; its scale factor follows from it) keeps the original's `%f` scale
    factor and adds `,sr_factor=<f>` unless the factor is SR.py's default 4."""
    base = Path(root) / image_stem(input_name)
    if sr_factor is not None:
        suffix = "" if sr_factor == SR_DEFAULT else f",sr_factor={number(sr_factor)}"
        return base / f"scale_factor={scale_factor_init:f},alpha={integer_or_number(alpha)}{suffix}"
    if mode == "animation_train":
        return base / f"scale_factor={number(scale_factor_init)}_noise_padding"
    if mode == "paint_train":
        return base / f"scale_factor={number(scale_factor_init)}_paint" / f"start_scale={paint_start_scale}"
    return base / f"scale_factor={number(scale_factor_init)},alpha={integer_or_number(alpha)}"


def trained_model_file(*args, **kwargs) -> Path:
    """The checkpoint file inside `trained_model_dir(...)`."""
    return trained_model_dir(*args, **kwargs) / MODEL_FILENAME


def model_name(model_file: str | Path) -> str:
    """The name that tells two models of one image apart: the model's folder name (plus
    `@<models_dir>_<hash>` outside ./TrainedModels), or the file's stem when it is not model.pt."""
    model_file = Path(model_file)
    if model_file.name != MODEL_FILENAME:
        return model_file.stem
    resolved = model_file.resolve()
    if Path(DEFAULT_ROOT).resolve() in resolved.parents:
        return model_file.parent.name
    root = resolved.parents[2] if len(resolved.parents) > 2 else resolved.parent
    tag = hashlib.sha1(str(root).encode()).hexdigest()[:8]
    return f"{model_file.parent.name}@{root.name}_{tag}"


def random_samples_dir(out: str | Path, input_name: str, gen_start_scale: int = 0, scale_v: float = 1.0,
                       scale_h: float = 1.0, arbitrary_sizes: bool = False, *, model_file: str | Path) -> Path:
    """Output/RandomSamples/<name>/<model>/gen_start_scale=<g>, or the arbitrary-size folder (sic 'Arbitrery')
    Output/RandomSamples_ArbitrerySizes/<name>/<model>/scale_v=<v>_scale_h=<h> (plus `_gen_start_scale=<g>`
    when g is not 0); <model> is `model_name(model_file)`."""
    if arbitrary_sizes:
        folder = application_dir(out, "RandomSamples_ArbitrerySizes", input_name, model_file=model_file)
        start = f"_gen_start_scale={gen_start_scale}" if gen_start_scale else ""
        return folder / f"scale_v={number(scale_v)}_scale_h={number(scale_h)}{start}"
    folder = application_dir(out, "RandomSamples", input_name, model_file=model_file)
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
    """Output/Animation/<name>/<model>/start_scale=<s>/alpha=<alpha %f>_beta=<beta %f>.gif (exact numbers)."""
    folder = application_dir(out, "Animation", input_name, model_file=model_file) / f"start_scale={start_scale}"
    return folder / f"alpha={number(alpha)}_beta={number(beta)}.gif"


def sized(path: str | Path, size: tuple[int, int] | None, *, file: bool = False) -> Path:
    """Outputs at another size than the training size go to a folder of their own beside the usual one:
    <folder>_<H>x<W> (of `path`, or of its parent with `file`); at the training size (None), `path` itself."""
    path = Path(path)
    if size is None:
        return path
    return sized(path.parent, size) / path.name if file else path.with_name(f"{path.name}_{size[0]}x{size[1]}")
