"""The command line's error type: a user's mistake, reported in one line (exit 2)."""


class UsageError(ValueError):
    """Bad input or usage: printed as one line on stderr, exit status 2.

    Examples
    --------
    >>> str(UsageError("data.csv: no such file."))
    'data.csv: no such file.'
    """
