"""The exceptions and warnings of the client: the CLI's errors, as Python exceptions."""

from __future__ import annotations

import re
from typing import Optional, Sequence

_PARAMETER = re.compile(r"^Invalid ([^:]+): ")


class MlTrackingError(Exception):
    """Logging failed. ``str(error)`` is the CLI's one-line message.

    Attributes:
        exit_code: the CLI's exit code, or ``None`` when the CLI did not run.
        stderr: everything the CLI wrote on stderr.
        command: the command line that ran, when one did.
    """

    def __init__(
        self,
        message: str,
        *,
        exit_code: Optional[int] = None,
        stderr: str = "",
        command: Optional[Sequence[str]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.stderr = stderr
        self.command = list(command) if command is not None else None


class ValidationError(MlTrackingError, ValueError):
    """The input was wrong (the CLI exits with 2); nothing was written.

    Attributes:
        parameter: what was wrong, e.g. ``--y-score``, ``parameters.testSet`` or ``y_true``.
    """

    def __init__(self, message: str, *, parameter: Optional[str] = None, **context) -> None:
        super().__init__(message, **context)
        if parameter is None:
            match = _PARAMETER.match(message)
            parameter = match.group(1) if match else None
        self.parameter = parameter


class MlTrackingWarning(UserWarning):
    """Something was logged but looks wrong, e.g. roc_auc below 0.5 (a swapped score column)."""
