"""Harmonization: blend a pasted object into a trained image's appearance
(`python harmonization.py` or `singan-harmonize`).

    python harmonization.py --input_name starry_night.png --ref_name starry_night_naive.png

The naive paste is injected at --harmonization_start_scale and the result pasted into the training image
through the mask dilated by 7 pixels and blurred (`singan.cli.masked`).
"""

from functools import partial

from ..apps.injection import HARMONIZATION_RADIUS
from . import masked

main = partial(masked.main, folder="Harmonization", radius=HARMONIZATION_RADIUS, keep_generated=False,
               done="harmonized image")
get_parser = partial(masked.get_parser, "Harmonize a pasted object with a trained SinGAN.", "harmonization",
                     "input/Harmonization", "reference (naive paste)")
