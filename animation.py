"""Animation: GIFs of a trained image coming to life.

    python animation.py --input_name birds.png
    python animation.py --help

The same program as the console command singan-animate once the package is installed;
its code is singan/cli/animate.py.
"""

from singan_launch import launch

if __name__ == "__main__":
    launch("animate")
