"""Harmonization: blend a pasted object into a trained image's appearance.

    python harmonization.py --input_name starry_night.png --ref_name starry_night_naive.png
    python harmonization.py --help

The same program as the console command singan-harmonize once the package is installed;
its code is singan/commands/harmonize.py.
"""

from singan.commands.harmonize import get_parser, main, run

__all__ = ["get_parser", "main"]

if __name__ == "__main__":
    run()
