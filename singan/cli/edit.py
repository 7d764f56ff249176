"""Editing: make a crude edit (copied/moved region) of a trained image look natural
(`python editing.py` or `singan-edit`).

    python editing.py --input_name stone.png --ref_name stone_edit.png --editing_start_scale 3

The edit is injected at --editing_start_scale; writes the generated image and, as start_scale=<n>_masked.png,
it pasted into the training image through the mask dilated by 20 pixels and blurred (`singan.cli.masked`).
"""

from functools import partial

from ..apps.injection import EDITING_RADIUS
from . import masked

main = partial(masked.main, folder="Editing", radius=EDITING_RADIUS, keep_generated=True, done="edited image")
get_parser = partial(masked.get_parser, "Edit a trained image with SinGAN.", "editing", "input/Editing",
                     "edited image")
