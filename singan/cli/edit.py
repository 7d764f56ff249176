"""Editing: make a crude edit (copied/moved region) of a trained image look natural
(`python editing.py` or `singan-edit`).

    python main_train.py --input_name stone.png
    python editing.py --input_name stone.png --ref_name stone_edit.png --editing_start_scale 3

Loads the model main_train.py wrote for --input_name (same --scale_factor/--alpha), reads the
edited image <ref_dir>/<ref_name> and its mask <ref stem>_mask<ext> (without one: where the edit differs
from the training image, said in one line), injects the edit at
--editing_start_scale (1 .. number of scales - 1; default: 2 below the finest), and writes to
Output/Editing/<name>/<ref>_out/: start_scale=<n>.png (the generated image), start_scale=<n>_masked.png
(pasted into the training image through the mask dilated by 20 pixels and blurred) and
<ref stem>_mask_dilated.png. A reference of another size is resized to the training image's.
"""

from ..apps import injection
from . import masked
from . import program as cli


def main(args):
    result = masked.main(args, "Editing", injection.EDITING_RADIUS, keep_generated=True)
    print(f"edited image: {result}")


def get_parser() -> cli.ArgumentParser:
    return masked.get_parser("Edit a trained image with SinGAN.", "editing", "input/Editing", "edited image")


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
