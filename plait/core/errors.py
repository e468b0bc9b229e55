"""Error types that the CLI turns into one `error:` line and an exit code (2 unless the class says otherwise)."""


class UserError(Exception):
    """Bad input from the user (a file, a config, an argument): exit code 2, no traceback."""

    exit_code = 2


class ConfigError(UserError):
    """A config that cannot be validated or resolved; the message names the dotted config path."""


class DataError(UserError):
    """A corpus or data file that cannot be read; the message starts with `FILE:LINE:`."""


class ModelLoadError(UserError):
    """A saved pipeline that cannot be loaded (missing or corrupt file); the message names the file."""


class DivergedError(UserError):
    """A loss or gradient norm that is no longer finite: the run stops at that step with exit code 3."""

    exit_code = 3


class StoppedError(UserError):
    """A run stopped through no fault of the input (a worker process killed): one `error:` line, exit code 1."""

    exit_code = 1
