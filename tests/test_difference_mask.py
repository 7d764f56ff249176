"""The mask made from where a reference differs from the training image (no mask file needed): on the
shipped references it finds the hand-made masks, and a reference equal to the image is a one-line error."""

import pytest
import torch

from helpers import IMAGES, REPO
from singan import SinGANError
from singan.apps.references import difference_mask, load_reference
from singan.io.images import read_image

INPUT = REPO / "input"


@pytest.mark.parametrize("image, folder, ref, min_recall, max_extra", [
    ("seascape.png", "Harmonization", "tree.jpg", 0.97, 0.06),  # a JPEG paste: its noise is opened away
    ("starry_night.png", "Harmonization", "starry_night_naive.png", 0.95, 0.1),
    ("stone.png", "Editing", "stone_edit.png", 0.9, 0.0),
    ("tree.png", "Editing", "tree_edit.png", 0.85, 0.0),
])
def test_difference_mask_finds_the_hand_made_mask(image, folder, ref, min_recall, max_extra):
    reference = read_image(INPUT / folder / ref)
    mask = difference_mask(read_image(IMAGES / image), reference)
    assert mask.shape == reference.shape and set(mask.unique().tolist()) == {-1.0, 1.0}
    made = mask[0, 0] > 0
    hand = read_image(INPUT / folder / ref.replace(".", "_mask."), warn_alpha=False)[0, 0] > 0
    assert (made & hand).sum() >= min_recall * hand.sum()
    assert (made & ~hand).sum() <= max_extra * hand.sum()


def test_difference_mask_resizes_the_image_to_the_reference():
    image = read_image(IMAGES / "stone.png")
    ref = torch.nn.functional.interpolate(image, size=(84, 125), mode="bilinear", antialias=True)
    ref[..., 10:30, 20:50] = 1.0  # a white block
    inside = difference_mask(image, ref)[0, 0] > 0
    assert inside[12:28, 22:48].all() and inside.sum() < 20 * 30 * 1.3


def test_no_difference_is_one_line_error():
    image = read_image(IMAGES / "stone.png")
    with pytest.raises(SinGANError, match=r"^the reference does not differ from the training image"):
        difference_mask(image, image.clone())


def test_load_reference_without_mask_file(tmp_path, capsys):
    (tmp_path / "stone_edit.png").write_bytes((INPUT / "Editing" / "stone_edit.png").read_bytes())
    ref, mask = load_reference(tmp_path, "stone_edit.png", (84, 125), with_mask=True, mask_from=IMAGES / "stone.png")
    assert ref.shape[-2:] == mask.shape[-2:] == (84, 125)
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"no mask file {tmp_path / 'stone_edit_mask.png'}: the mask is where stone_edit.png "
                           "differs from stone.png (") and "\n" not in line
    with pytest.raises(SinGANError, match="not found"):  # without mask_from a mask file is still required
        load_reference(tmp_path, "stone_edit.png", (84, 125), with_mask=True)
