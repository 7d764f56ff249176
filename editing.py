"""Editing: make a crude edit of a trained image look natural.

    python editing.py --input_name stone.png --ref_name stone_edit.png
    python editing.py --help

The same program as the console command singan-edit once the package is installed;
its code is singan/cli/edit.py.
"""

from singan_launch import launch

if __name__ == "__main__":
    launch("edit")
