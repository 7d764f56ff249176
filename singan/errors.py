"""User-facing errors.

Anything the user can fix (a missing file, a bad flag value, an unfinished model)
is raised as a :class:`SinGANError`. Scripts print its message on one line and
exit with status 2; everything else is a bug and keeps its traceback.
"""


class SinGANError(Exception):
    """An error caused by the user's input, reported as one line, exit code 2."""
