"""Exit codes and the one exception that means "the user's input is wrong"."""

EXIT_OK, EXIT_UNEXPECTED, EXIT_BAD_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3


class BadInput(Exception):
    """A one-line complaint about the user's input; exit 2."""
