"""Super-resolution: upsample an image by --sr_factor with a SinGAN trained on it alone.

    python SR.py --input_name 33039_LR.png --sr_factor 4
    python SR.py --help

The same program as the console command singan-sr once the package is installed;
its code is singan/cli/sr.py.
"""

from singan_launch import launch

if __name__ == "__main__":
    launch("sr")
