"""Train SinGAN on one image, then write random samples.

    python main_train.py --input_name balloons.png
    python main_train.py --help

The same program as the console command singan-train once the package is installed;
its code is singan/cli/train.py.
"""

from singan_launch import launch

if __name__ == "__main__":
    launch("train")
