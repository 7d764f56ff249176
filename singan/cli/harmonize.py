"""Harmonization: blend a pasted object into a trained image's appearance
(`python harmonization.py` or `singan-harmonize`).

    python main_train.py --input_name starry_night.png
    python harmonization.py --input_name starry_night.png --ref_name starry_night_naive.png

Loads the model main_train.py wrote for --input_name (same --scale_factor/--alpha), reads the naive
paste <ref_dir>/<ref_name> and its mask <ref stem>_mask<ext> (without one: where the paste differs from
the training image, said in one line), injects the paste at
--harmonization_start_scale (1 .. number of scales - 1; default: 2 below the finest) and pastes the
result into the training image through the mask dilated by 7 pixels and blurred. Writes
Output/Harmonization/<name>/<ref>_out/start_scale=<n>.png and the dilated mask
<ref stem>_mask_dilated.png beside it. A reference of another size is resized to the training image's.
"""

from ..apps import injection
from . import masked
from . import program as cli


def main(args):
    result = masked.main(args, "Harmonization", injection.HARMONIZATION_RADIUS, keep_generated=False)
    print(f"harmonized image: {result}")


def get_parser() -> cli.ArgumentParser:
    return masked.get_parser("Harmonize a pasted object with a trained SinGAN.", "harmonization",
                             "input/Harmonization", "reference (naive paste)")


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
