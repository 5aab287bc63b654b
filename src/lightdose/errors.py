"""Exception types shared by every stage.

Every error a user can cause derives from :class:`LightdoseError`; the CLI prints its message on one line
and exits with status 2, without a traceback.
"""


class LightdoseError(ValueError):
    """Base class for errors caused by user input (bad values, files, names)."""


class InputError(LightdoseError):
    """A value given by the user is invalid. The message names the field, the value and the allowed range."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.reason = message
        super().__init__(f"{field}: {message}")


class OutOfRangeError(InputError):
    """A value lies outside the range for which data or a model exists (never extrapolated silently)."""


class FileFormatError(LightdoseError):
    """An input file is malformed. The message names the file and the line number."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = path
        self.line = line
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
