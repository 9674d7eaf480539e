"""The exceptions and warnings of the client: the CLI's errors, as Python exceptions."""

from __future__ import annotations

import traceback
from typing import Optional, Sequence


class MlTrackingError(Exception):
    """Logging failed. ``str(error)`` is the CLI's message.

    Attributes:
        code: the error's code from the README's Errors section, e.g. ``ERR_VALIDATION`` or
            ``ERR_STORE``; ``None`` when the CLI did not run or did not say.
        kind: the engine's name for the error, e.g. ``ValidationError`` or
            ``DuplicateModelError``; ``None`` when the CLI did not say.
        exit_code: the CLI's exit code, or ``None`` when the CLI did not run.
        stderr: everything the CLI wrote on stderr.
        command: the command line that ran, when one did.
        path: the object in the store the failure concerns, when the CLI named one.
        hint: how to fix it (also the end of the message), when the CLI said.
    """

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        exit_code: Optional[int] = None,
        stderr: str = "",
        command: Optional[Sequence[str]] = None,
        path: Optional[str] = None,
        hint: Optional[str] = None,
        kind: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.exit_code = exit_code
        self.stderr = stderr
        self.command = list(command) if command is not None else None
        self.path = path
        self.hint = hint
        self.kind = kind


class ValidationError(MlTrackingError, ValueError):
    """The input was wrong (the CLI exits with 2); nothing was written.

    Attributes:
        parameter: what was wrong, e.g. ``--y-score``, ``parameters.testSet`` or ``y_true``.
    """

    def __init__(
        self,
        message: str,
        *,
        parameter: Optional[str] = None,
        code: Optional[str] = "ERR_VALIDATION",
        **context,
    ) -> None:
        super().__init__(message, code=code, **context)
        self.parameter = parameter


class MlTrackingWarning(UserWarning):
    """Something was logged but looks wrong, e.g. roc_auc below 0.5 (a swapped score column)."""


class DuplicateModelError(MlTrackingError):
    """An experiment run with ``on_duplicate="error"`` found its model name in the project's
    experiment tracker (before any stage, or recorded by another run while this one trained);
    code ``ERR_CONFLICT``. The tracker is unchanged.

    Attributes:
        model_name: the model name found in the tracker.
    """

    def __init__(
        self, message: str, *, model_name: str, code: Optional[str] = "ERR_CONFLICT", **context
    ) -> None:
        super().__init__(message, code=code, **context)
        self.model_name = model_name


def describe_error(error: object) -> str:
    """How a run records what ended it: an exception as its traceback's last line
    (``ValueError: diverged``), anything else as text."""
    if isinstance(error, BaseException):
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        return text.splitlines()[-1] if text else type(error).__name__
    return str(error)
