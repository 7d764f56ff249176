"""User-facing errors.

Anything the user can fix (a missing file, a bad flag value, an unfinished model) is raised as a
:class:`SinGANError`. Scripts print its message on one line and exit with status 2; everything else is a bug
and keeps its traceback. An error can carry two wordings: the Python API's (`overwrite=True`) and the
command line's (`--overwrite`), which the scripts print.
"""

import re


class SinGANError(Exception):
    """An error caused by the user's input, reported as one line, exit code 2."""


def api_error(message: str, cli: str, *, partial_hint: bool = False) -> SinGANError:
    """A SinGANError in the API's words carrying the command line's (`cli`), which the scripts print instead.
    `partial_hint`: the scripts that take --allow_partial add it to the hint."""
    error = SinGANError(message)
    error.cli, error.partial_hint = cli, partial_hint
    return error


def flag_error(message: str) -> SinGANError:
    """`api_error` for a message written in the command line's words: the API's message names the same
    settings without the dashes ('min_size 25' for '--min_size 25')."""
    return api_error(re.sub(r"--(?=[a-z])", "", message), message)
