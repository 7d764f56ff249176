"""The command-line programs, one module each, with `main(args)` and `get_parser()`; `program.run_command` (what
every command shares) runs one. The console commands and the top-level scripts start them through
`singan_launch.launch`, beside the package.
"""
