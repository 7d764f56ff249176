"""Harmonization: blend a pasted object into a trained image's appearance
(`python harmonization.py` or `singan-harmonize`).

    python harmonization.py --input_name starry_night.png --ref_name starry_night_naive.png

The naive paste is injected at --harmonization_start_scale and the result pasted into the training image
through the mask dilated by 7 pixels and blurred (`singan.cli.masked`).
"""

from ..apps.injection import HARMONIZATION_RADIUS
from . import masked
from . import program as cli


def main(args):
    result = masked.main(args, "Harmonization", HARMONIZATION_RADIUS, keep_generated=False)
    print(f"harmonized image: {result}")


def get_parser() -> cli.ArgumentParser:
    return masked.get_parser("Harmonize a pasted object with a trained SinGAN.", "harmonization",
                             "input/Harmonization", "reference (naive paste)")
