"""The files the applications read: the training image as training saw it, a reference
image and its mask at the model's size (one-line errors naming the flag to check). Without a mask file the
mask is where the reference differs from the training image (`difference_mask`)."""

from pathlib import Path

import numpy as np
import torch
from scipy.ndimage import binary_closing, binary_fill_holes, binary_opening
from skimage.morphology import disk
from torch import Tensor

from ..core.imresize import imresize_to_shape
from ..core.model import SinGAN
from ..core.pyramid import resize_to_finest
from ..errors import SinGANError
from ..io.images import check_regular_file, read_image


def training_image(path: str | Path, model: SinGAN) -> Tensor:
    """The training image resized as in training (`geometry.input_resize`), before the pyramid's uint8 round trip."""
    check_regular_file(path, "training image", f"training image {path} not found (check --input_dir and --input_name)")
    return resize_to_finest(read_image(path, model.config.nc_im).to(model.device), model.geometry)


DIFFERENCE_THRESHOLD = 0.2  # a pixel differs when a channel differs by more (in [-1, 1]: 25 of 255 levels)
DIFFERENCE_CLEANUP = 2  # disk radius of the opening (drops specks: JPEG noise) and closing (fills cracks)


def difference_mask(image: Tensor, ref: Tensor) -> Tensor:
    """The mask of where `ref` (1, C, H, W) differs from `image` (resized to the reference's size when it is
    another): a channel off by more than DIFFERENCE_THRESHOLD, specks opened away, cracks closed, holes filled.
    Returns (1, C, H, W), 1 inside and -1 outside (a mask image as `read_image` reads one); a one-line
    SinGANError when the two do not differ anywhere."""
    h, w = ref.shape[-2:]
    image = to_size(image, (h, w))
    differs = ((image.to(ref.device) - ref).abs().amax(1)[0] > DIFFERENCE_THRESHOLD).cpu().numpy()
    structure = disk(DIFFERENCE_CLEANUP)
    inside = binary_fill_holes(binary_closing(binary_opening(differs, structure), structure))
    if not inside.any():
        raise SinGANError("the reference does not differ from the training image: paste an object or paint on "
                          "it first (or give a mask)")
    mask = torch.from_numpy(np.where(inside, 1.0, -1.0).astype(np.float32)).to(ref.device)
    return mask[None, None].expand(1, ref.shape[1], h, w).contiguous()


def load_reference(ref_dir: str | Path, ref_name: str, size: tuple[int, int], *, with_mask: bool = False,
                   nc_im: int = 3, device: torch.device | str = "cpu", mask_from: str | Path | None = None,
                   announce: bool = True) -> tuple[Tensor, Tensor | None]:
    """Reference image `<ref_dir>/<ref_name>` (first nc_im channels) and, if asked, its mask
    `<ref stem>_mask<ext>`, both resized to `size` (H, W) when the reference's size differs.
    mask_from: the training image file; without a mask file the mask is where the reference differs from
    it (`difference_mask`, said in one line unless not `announce`)."""
    ref_path = Path(ref_dir) / ref_name
    check_regular_file(ref_path, "reference image",
                       f"reference image {ref_path} not found (check --ref_dir and --ref_name)")
    ref, mask = read_image(ref_path, nc_im).to(device), None
    mask_path = ref_path.with_name(f"{ref_path.stem}_mask{ref_path.suffix}")
    if with_mask and mask_from is not None and not mask_path.exists():
        mask = difference_mask(read_image(mask_from, nc_im), ref)
        if announce:
            print(f"no mask file {mask_path}: the mask is where {ref_name} differs from {Path(mask_from).name} "
                  f"({int((mask[0, 0] > 0).sum())} pixels)")
    elif with_mask:
        check_regular_file(mask_path, "mask", f"mask {mask_path} not found: {ref_name} needs a mask image beside it")
        mask = read_image(mask_path, nc_im, warn_alpha=False).to(device)  # a mask's transparency means nothing
        if mask.shape[-2:] != ref.shape[-2:]:
            raise SinGANError(f"mask {mask_path} is {mask.shape[2]}x{mask.shape[3]} but the reference is "
                              f"{ref.shape[2]}x{ref.shape[3]}; they must have the same size")
    return to_size(ref, size), None if mask is None else to_size(mask, size)


def to_size(x: Tensor, size: tuple[int, int]) -> Tensor:
    """A reference (or mask) at `size` (H, W) as the applications take it: resized (bicubic, as the
    pyramid) when its size differs, else itself."""
    h, w = size
    return x if tuple(x.shape[-2:]) == (h, w) else imresize_to_shape(x, (h, w))[:, :, :h, :w]
