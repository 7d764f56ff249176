"""The files the applications read: the trained model, the training image as training saw it, a reference
image and its mask at the model's size (one-line errors naming the flag to check)."""

from pathlib import Path

import torch
from torch import Tensor

from ..core.imresize import imresize_to_shape
from ..core.model import SinGAN
from ..core.pyramid import resize_to_finest
from ..errors import SinGANError
from ..io import checkpoint
from ..io.images import check_regular_file, read_image


def load_trained(model_file: str | Path, input_name: str, device: torch.device | str = "cpu") -> SinGAN:
    """The normally trained model of `input_name`; a one-line error telling how to train it if missing."""
    if not Path(model_file).is_file():
        raise SinGANError(f"no trained model at {model_file}: train first with main_train.py --input_name {input_name}")
    return checkpoint.load(model_file, device)


def training_image(path: str | Path, model: SinGAN) -> Tensor:
    """The training image resized as in training (scale1), before the pyramid's extra uint8 round trip."""
    check_regular_file(path, "training image", f"training image {path} not found (check --input_dir and --input_name)")
    return resize_to_finest(read_image(path, model.config.nc_im).to(model.device), model.geometry)


def load_reference(ref_dir: str | Path, ref_name: str, size: tuple[int, int], *, with_mask: bool = False,
                   nc_im: int = 3, device: torch.device | str = "cpu") -> tuple[Tensor, Tensor | None]:
    """Reference image `<ref_dir>/<ref_name>` (first nc_im channels) and, if asked, its mask
    `<ref stem>_mask<ext>`, both resized to `size` (H, W) when the reference's size differs."""
    ref_path = Path(ref_dir) / ref_name
    check_regular_file(ref_path, "reference image",
                       f"reference image {ref_path} not found (check --ref_dir and --ref_name)")
    ref, mask = read_image(ref_path, nc_im).to(device), None
    if with_mask:
        mask_path = ref_path.with_name(f"{ref_path.stem}_mask{ref_path.suffix}")
        check_regular_file(mask_path, "mask", f"mask {mask_path} not found: {ref_name} needs a mask image beside it")
        mask = read_image(mask_path, nc_im, warn_alpha=False).to(device)  # a mask's transparency means nothing
        if mask.shape[-2:] != ref.shape[-2:]:
            raise SinGANError(f"mask {mask_path} is {mask.shape[2]}x{mask.shape[3]} but the reference is "
                              f"{ref.shape[2]}x{ref.shape[3]}; they must have the same size")
    if tuple(ref.shape[-2:]) != tuple(size):
        h, w = size
        ref = imresize_to_shape(ref, (h, w))[:, :, :h, :w]
        mask = None if mask is None else imresize_to_shape(mask, (h, w))[:, :, :h, :w]
    return ref, mask
