"""Report scalars to the run a program runs as, in any setting: inside a run started with
``start_run()`` they go to that run; under ``ml-tracking exec`` or as a sweep trial, each call
prints one line of ml-tracking's line protocol on standard output, which the parent process
records. Printing needs no store access, no credentials and no CLI. With neither, the line is
printed all the same and a warning says, once, that no run records it.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from typing import Mapping, Optional, TextIO

from ._errors import MlTrackingWarning, ValidationError
from ._run import active_run

_warned_no_run = False


def report_scalar(
    tag: str, value: float, step: Optional[int] = None, *, file: Optional[TextIO] = None
) -> None:
    """Records one point of a series: ``report_scalar("loss", 0.25, step=3)``.

    ``step`` defaults to the tag's previous step + 1. Raises ``ValidationError`` for an empty
    tag, a value that is not a finite number or a step that is not a non-negative integer;
    nothing is printed then. Inside an active ``start_run()`` run, the point goes to that run.
    """
    run = active_run() if file is None else None
    if run is not None:
        run.add_scalar(tag, value, step)
        return
    if not isinstance(tag, str) or not tag or "\n" in tag or "\r" in tag:
        raise ValidationError(
            f"Invalid tag: {tag!r} is not a tag. Pass a non-empty name on one line.", parameter="tag"
        )
    number = _finite(value, f"value of {tag}")
    line = {"ml_tracking": "scalar", "tag": tag, "value": number}
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ValidationError(
                f"Invalid step: {step!r} is not a non-negative integer (tag {tag}). "
                "Pass 0, 1, 2..., or leave it out.",
                parameter="step",
            )
        line["step"] = step
    _emit(line, file)


def report_scalars(values: Mapping[str, float], step: Optional[int] = None) -> None:
    """Records several tags at one step; a bad value records none of them."""
    for tag, value in values.items():
        _finite(value, f"value of {tag}")
    for tag, value in values.items():
        report_scalar(tag, value, step)


def report_summary(values: Mapping[str, float]) -> None:
    """Sets final values of the run's summary (a tag's ``last``), e.g. test accuracy."""
    run = active_run()
    if run is not None:
        run.set_summary(values)
        return
    checked = {tag: _finite(value, f"summary value of {tag}") for tag, value in values.items()}
    _emit({"ml_tracking": "summary", "values": checked}, None)


def _finite(value: object, what: str) -> float:
    try:
        number = float(value)  # numpy scalars too
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValidationError(
            f"Invalid {what}: {value!r} is not a finite number. Pass a finite number.", parameter=what
        )
    return number


def _emit(line: Mapping[str, object], file: Optional[TextIO]) -> None:
    global _warned_no_run
    if file is None and not _warned_no_run and os.environ.get("ML_TRACKING_PROTOCOL") != "stdout":
        _warned_no_run = True
        warnings.warn(
            "No ml-tracking run is listening: report_scalar prints its lines, but nothing "
            "records them. Start a run with ml_tracking.start_run() (or "
            "ExperimentLogger(logdir=...)), or run the script under `ml-tracking exec`.",
            MlTrackingWarning,
            stacklevel=3,
        )
    out = file if file is not None else sys.stdout
    out.write(json.dumps(line) + "\n")
    # The parent reads lines as they come: early stopping acts on them.
    out.flush()
