"""Exceptions: one type per exit-code class of the command line.

Every exception carries the library's message ("file:line:col: what was
expected"), its status code and, when known, the file, line, column and byte
offset.
"""

# ab_status values (include/asbuilt/core.h).
AB_OK = 0
AB_ERROR = -1
AB_ENOMEM = -2
AB_EPARSE = -3
AB_EIO = -4
AB_ELIMIT = -5
AB_ENOTFOUND = -6
AB_EINVAL = -7


class AsbuiltError(Exception):
    """An asbuilt call failed. `exit_code` is what the command line would exit with."""

    exit_code = 4

    def __init__(self, message, status=AB_ERROR, source=None, line=None, col=None, offset=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.source = source
        self.line = line
        self.col = col
        self.offset = offset

    def __str__(self):
        return self.message


class GateExceeded(AsbuiltError):
    """A `fail_above` threshold was passed (exit code 1). `report` holds the report."""

    exit_code = 1

    def __init__(self, message, report=None):
        super().__init__(message, AB_OK)
        self.report = report


class UsageError(AsbuiltError, ValueError):
    """A bad argument or option (exit code 2)."""

    exit_code = 2


class DataError(AsbuiltError, ValueError):
    """Input data that cannot be used: a malformed log, map, mapping or accept file, a
    missing column, a limit passed (exit code 3)."""

    exit_code = 3


class AsbuiltIOError(AsbuiltError, OSError):
    """A file could not be opened, read or written (exit code 4)."""

    exit_code = 4


class InternalError(AsbuiltError):
    """Out of memory, or an internal failure (exit code 4)."""

    exit_code = 4


def _class_for(status):
    if status in (AB_EPARSE, AB_ELIMIT, AB_ENOTFOUND):
        return DataError
    if status == AB_EINVAL:
        return UsageError
    if status == AB_EIO:
        return AsbuiltIOError
    return InternalError
