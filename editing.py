"""Editing: make a crude edit of a trained image look natural.

    python editing.py --input_name stone.png --ref_name stone_edit.png
    python editing.py --help

The same program as the console command singan-edit once the package is installed;
its code is singan/commands/edit.py.
"""

from singan.commands.edit import get_parser, main, run

__all__ = ["get_parser", "main"]

if __name__ == "__main__":
    run()
