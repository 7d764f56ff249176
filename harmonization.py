"""Harmonization: blend a pasted object into a trained image's appearance.

    python harmonization.py --input_name starry_night.png --ref_name starry_night_naive.png
    python harmonization.py --help

The same program as the console command singan-harmonize once the package is installed;
its code is singan/cli/harmonize.py.
"""

from singan_launch import launch

if __name__ == "__main__":
    launch("harmonize")
