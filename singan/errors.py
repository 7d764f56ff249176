"""User-facing errors.

Anything the user can fix (a missing file, a bad flag value, an unfinished model)
is raised as a :class:`SinGANError`. Scripts print its message on one line and
exit with status 2; everything else is a bug and keeps its traceback. `check_int` and
`check_real` validate API arguments with such one-line errors.
"""

import math
import re


class SinGANError(Exception):
    """An error caused by the user's input, reported as one line, exit code 2."""


def api_error(message: str, cli: str, *, partial_hint: bool = False) -> SinGANError:
    """A SinGANError whose message names the Python API's arguments (`overwrite=True`), carrying the
    command line's words (`--overwrite`) for the scripts, which print `cli` instead. `partial_hint`: the
    scripts that take --allow_partial add it to the hint."""
    error = SinGANError(message)
    error.cli, error.partial_hint = cli, partial_hint
    return error


def flag_error(message: str) -> SinGANError:
    """`api_error` for a message written in the command line's words: the API's message names the same
    settings without the dashes ('min_size 25' for '--min_size 25')."""
    return api_error(re.sub(r"--(?=[a-z])", "", message), message)


def check_int(name: str, value, low: int, high: int | None = None, *, optional: bool = False,
              what: str = "") -> None:
    """`value` is an int in [low, high] (None too when `optional`); else a one-line SinGANError naming it."""
    if optional and value is None:
        return
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)
    if not ok:
        allowed = f"an integer >= {low}" if high is None else f"an integer between {low} and {high}"
        raise SinGANError(f"{name} must be {allowed}{what} (got {value!r})")


def check_real(name: str, value, low: float, high: float, *, low_open: bool = False, what: str = "") -> None:
    """`value` is a finite real number in [low, high] ((low, high] when `low_open`); else a SinGANError."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value > low if low_open else value >= low) and value <= high
    if not ok:
        bracket = "(" if low_open else "["
        raise SinGANError(f"{name} must be a finite number in {bracket}{low:.4g}, {high:.4g}]{what} (got {value!r})")
