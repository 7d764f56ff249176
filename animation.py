"""Animation: GIFs of a trained image coming to life.

    python animation.py --input_name birds.png
    python animation.py --help

The same program as the console command singan-animate once the package is installed;
its code is singan/commands/animate.py.
"""

from singan.commands.animate import get_parser, main, run

__all__ = ["get_parser", "main"]

if __name__ == "__main__":
    run()
