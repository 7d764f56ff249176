"""The command-line programs, one module each, with `main(args)`, `get_parser()` and `run(argv)`.

`run` parses and checks the flags through `program.run` (what every command shares), then calls `main`.
The console commands (`singan-train`, ...; see pyproject.toml), the top-level scripts (`python
main_train.py ...`) and the `python -m` names start them through `launch`, which holds Ctrl-C while
the command's modules import.
"""
