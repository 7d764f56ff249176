"""Train SinGAN on one image, then write random samples.

    python main_train.py --input_name balloons.png
    python main_train.py --help

The same program as the console command singan-train once the package is installed;
its code is singan/commands/train.py.
"""

from singan.commands.train import get_parser, main, run

__all__ = ["get_parser", "main"]

if __name__ == "__main__":
    run()
