"""Paint to image: turn a rough colour painting into an image in the style of a trained one.

    python paint2image.py --input_name cows.png --ref_name cows.png --paint_start_scale 1
    python paint2image.py --help

The same program as the console command singan-paint2image once the package is installed;
its code is singan/cli/paint2image.py.
"""

from singan_launch import launch

if __name__ == "__main__":
    launch("paint2image")
