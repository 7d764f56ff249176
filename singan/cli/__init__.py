"""The command-line programs, one module each, with `main(args)`, `get_parser()` and `run(argv)`.

`run` parses and checks the flags through `program.run` (what every command shares), then calls `main`.
The console commands (`singan-train`, ...; see pyproject.toml), the top-level scripts (`python
main_train.py ...`) start them through `singan_launch.launch` (beside the package), which holds Ctrl-C while
the command's modules import.
"""
