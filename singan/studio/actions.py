"""What the studio's buttons do, each a call of the functions the commands call (their checks included):
`api.generate`, `injection.masked_injection`, `injection.inject` / `paint.paint_model`, `sr.super_resolve`,
`animation.animate`. Images come from the page as uint8 arrays and go back as PNG / GIF files written with
`io.images` into a fresh temporary folder (the page's downloads).
"""

import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ..api import generate, load
from ..apps import injection, references, sr, upscale
from ..apps.animation import animate, save_animation
from ..apps.paint import paint_model, quantized_paint_input
from ..core.imresize import norm
from ..core.model import SinGAN
from ..core.sampling import seeded
from ..errors import SinGANError
from ..io import paths
from ..io.images import read_image, save_image, to_numpy_image
from ..io.lock import check_free

RADIUS = {"harmonization": injection.HARMONIZATION_RADIUS, "editing": injection.EDITING_RADIUS}


def load_model(model_file: Path, device: str) -> SinGAN:
    """The model of the listing's `model_file`; a one-line error while a training holds it."""
    check_free(model_file)
    return load(model_file, device)


def training_photo(model: SinGAN, input_dir: str | Path) -> Path:
    """The photo the model was trained on, in --input_dir (as the commands find it)."""
    path = Path(input_dir) / model.name
    if not path.is_file():
        raise SinGANError(f"{model.name}, the photo this model was trained on, is not in {input_dir}")
    return path


def to_tensor(image: np.ndarray, device: torch.device) -> Tensor:
    """A uint8 (H, W, 3 or 4) array from the page as a (1, 3, H, W) tensor in [-1, 1] (alpha dropped)."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] < 3:
        raise SinGANError("the page sent no colour image")
    return norm(torch.from_numpy(np.ascontiguousarray(image[..., :3])).permute(2, 0, 1)[None].float() / 255).to(device)


def to_uint8(x: Tensor) -> np.ndarray:
    """One image tensor as the page shows it: uint8 (H, W, 3)."""
    return np.round(to_numpy_image(x) * 255).astype(np.uint8)


def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="singan-studio-"))


def sample(model: SinGAN, num_samples: int, gen_start_scale: int, scale_h: float, scale_v: float, seed: int,
           size: str, photo: Path | None = None) -> tuple[list[str], str]:
    """Random samples as `api.generate` draws them (seeded); size: "train", "full" (the photo's size times
    scale_v / scale_h) or HxW, with the photo's own detail (`--upscaler patches`, as random_samples.py).
    Returns the PNG files and a zip of them all."""
    out_size = upscale.resolve_out_size(size, tuple(model.reals[-1].shape[-2:]),
                                        upscale.image_size(photo) if photo else None, scale_v, scale_h)
    detail = read_image(photo, model.config.nc_im, warn_alpha=False) if photo and out_size else None
    images = generate(model, int(num_samples), gen_start_scale=int(gen_start_scale), scale_h=scale_h,
                      scale_v=scale_v, seed=int(seed), out_size=out_size, photo=detail)
    folder = _folder()
    files = [folder / f"sample_{i}.png" for i in range(len(images))]
    for file, image in zip(files, images):
        save_image(file, image[None])
    archive = folder / "samples.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for file in files:
            z.write(file, file.name)
    return [str(f) for f in files], str(archive)


def reference_mask(photo: Path, reference: np.ndarray, device: torch.device) -> np.ndarray:
    """The mask (uint8, white inside) of where `reference` differs from the photo (`references.difference_mask`)."""
    ref = to_tensor(reference, device)
    return to_uint8(references.difference_mask(read_image(photo).to(device), ref))


def masked(model: SinGAN, photo: Path, reference: np.ndarray, mask: np.ndarray, n: int, mode: str,
           seed: int) -> tuple[str, str]:
    """Harmonization or editing (`injection.masked_injection`) of `reference` (the photo with a paste or strokes,
    at the photo's size) through `mask`: the PNG at the training size and the PNG at the photo's full size."""
    device = model.device
    n = injection.injection_scale(model, int(n), f"{mode}_start_scale")
    ref_full, mask_full = to_tensor(reference, device), to_tensor(mask, device)
    if ref_full.shape[-2:] != mask_full.shape[-2:]:
        raise SinGANError("the mask must have the reference's size")
    if not (mask_full > 0).any():
        raise SinGANError("the mask is empty: paste an object or paint on the photo first")
    real = references.training_image(photo, model)
    ref, mask = (references.to_size(x, tuple(real.shape[-2:])) for x in (ref_full, mask_full))
    folder = _folder()
    with seeded(device, int(seed)):
        _, small = injection.masked_injection(model, real, ref, mask, n, RADIUS[mode])
        _, full = injection.masked_injection(model, real, ref, mask, n, RADIUS[mode], full=(ref_full, mask_full))
    save_image(folder / f"start_scale={n}.png", small)
    save_image(folder / f"start_scale={n}_full.png", full)
    return str(folder / f"start_scale={n}.png"), str(folder / f"start_scale={n}_full.png")


def palette(model: SinGAN, photo: Path, n: int) -> tuple[list[str], np.ndarray]:
    """The photo's quantised palette at scale n, as --quantization_flag computes it (`paint.quantized_paint_input`),
    as hex colours, and the quantised photo at the training size (the canvas to paint on)."""
    n = injection.injection_scale(model, int(n), "paint_start_scale")
    real = references.training_image(photo, model)
    _, centers, real_quant = quantized_paint_input(model, real, real, n)
    colours = [to_uint8(torch.tensor(c, dtype=torch.float32).view(1, -1, 1, 1)).reshape(-1) for c in centers]
    canvas = to_uint8(references.to_size(real_quant, tuple(real.shape[-2:])))
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in colours], canvas


def paint(model: SinGAN, photo: Path, painting: np.ndarray, n: int, quantize: bool, seed: int,
          models_dir: str | Path) -> str:
    """Paint-to-image (`injection.inject`), with --quantization_flag's retrained scale n (`paint.paint_model`,
    saved in --models_dir as paint2image saves it) when `quantize`. Returns the PNG."""
    n = injection.injection_scale(model, int(n), "paint_start_scale")
    real = references.training_image(photo, model)
    ref = references.to_size(to_tensor(painting, model.device), tuple(real.shape[-2:]))
    in_s = None
    if quantize:
        in_s, centers, _ = quantized_paint_input(model, real, ref, n)
        paint_file = paths.trained_model_file(model.name, model.config.scale_factor, model.config.alpha,
                                              "paint_train", paint_start_scale=n, root=models_dir)
        model = paint_model(model, n, centers, paint_file, progress=False)
    with seeded(model.device, int(seed)):
        out = injection.inject(model, ref, n, in_s=in_s)
    path = _folder() / f"start_scale={n}.png"
    save_image(path, out)
    return str(path)


def super_resolution(model: SinGAN, photo: Path, factor: float, seed: int) -> str:
    """The photo brought up to `factor` times its file's size with the finest generator (`sr.super_resolve`,
    as SR.py does with a model it trained)."""
    h, w = upscale.image_size(photo)
    with seeded(model.device, int(seed)):
        out = sr.super_resolve(model, float(factor), (int(factor * h), int(factor * w)), progress=False)
    path = _folder() / f"sr_factor={factor:g}.png"
    save_image(path, out)
    return str(path)


def animation(model: SinGAN, alpha: float, beta: float, start_scale: int, num_frames: int, seed: int) -> str:
    """An animation GIF (`animation.animate`, `animation.save_animation`) of the model's noise walk."""
    with seeded(model.device, int(seed)):
        frames = animate(model, alpha=alpha, beta=beta, start_scale=int(start_scale),
                              num_frames=int(num_frames), progress=False)
    return str(save_animation(_folder() / f"alpha={alpha:g}_beta={beta:g}.gif", frames, 10.0))
