"""Editing: make a crude edit (copied/moved region) of a trained image look natural
(`python editing.py` or `singan-edit`).

    python editing.py --input_name stone.png --ref_name stone_edit.png --editing_start_scale 3

The edit is injected at --editing_start_scale; writes the generated image and, as start_scale=<n>_masked.png,
it pasted into the training image through the mask dilated by 20 pixels and blurred (`singan.cli.masked`).
"""

from ..apps.injection import EDITING_RADIUS
from . import masked
from . import program as cli


def main(args):
    result = masked.main(args, "Editing", EDITING_RADIUS, keep_generated=True)
    print(f"edited image: {result}")


def get_parser() -> cli.ArgumentParser:
    return masked.get_parser("Edit a trained image with SinGAN.", "editing", "input/Editing", "edited image")
