"""The command-line programs, one module each, with `main(args)`, `get_parser()` and `run(argv)` (through
`program.run`, what every command shares). The console commands and the top-level scripts start them
through `singan_launch.launch`, beside the package.
"""
