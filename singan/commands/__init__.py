"""The command-line programs, one module each, with `main(args)`, `get_parser()` and `run(argv)`.

`run` is the console command (`singan-train`, `singan-sample`, ...; see pyproject.toml) and what the
top-level scripts (`python main_train.py ...`) call: it parses and checks the flags through
`singan.cli.run`, then calls `main`.
"""

from ..interrupt import defer_startup

defer_startup()  # before the commands import torch: a Ctrl-C meanwhile ends in the command's one line
