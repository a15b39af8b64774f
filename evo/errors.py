"""The one error type the command line turns into a one-line message and exit code 2."""


class UsageError(ValueError):
    """Bad input from the user: unknown name, wrong type, out-of-range value, corrupt results.

    The message is one line that names the problem and the valid choices or range.
    """
