"""Finding and running the ``ml-tracking`` command line, and reading its answer."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from typing import Any, Dict, List, Sequence

from ._errors import MlTrackingError, ValidationError

#: The environment variable that names the command to run, e.g. ``node /path/to/main.js``.
CLI_ENVIRONMENT_VARIABLE = "ML_TRACKING_CLI"

# The CLI's exit code for bad input; anything else non-zero is another failure.
_EXIT_INVALID_INPUT = 2


def cli_command() -> List[str]:
    """The command that runs the CLI: ``$ML_TRACKING_CLI`` (split like a shell would), else
    ``ml-tracking`` on the PATH, else ``npx --no-install ml-tracking`` (a project's own copy)."""
    configured = os.environ.get(CLI_ENVIRONMENT_VARIABLE, "").strip()
    if configured:
        return shlex.split(configured)
    found = shutil.which("ml-tracking")
    if found:
        return [found]
    npx = shutil.which("npx")
    if npx:
        return [npx, "--no-install", "ml-tracking"]
    raise MlTrackingError(
        "Cannot find the ml-tracking command line: it is not on the PATH and there is no npx. "
        "Install it with `npm install ml-tracking` (Node 20.12+), or set "
        f"{CLI_ENVIRONMENT_VARIABLE} to the command that runs it."
    )


def run_json(arguments: Sequence[str]) -> Dict[str, Any]:
    """Runs the CLI with ``arguments`` (which include ``--json``) and returns the JSON object
    it prints. A failure raises :class:`ValidationError` (exit code 2) or
    :class:`MlTrackingError` with the CLI's one-line message."""
    command = cli_command() + list(arguments)
    try:
        finished = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except OSError as error:
        raise MlTrackingError(
            f"Cannot run the ml-tracking command line ({shlex.join(command[:3])}...): {error}. "
            f"Install it with `npm install ml-tracking`, or set {CLI_ENVIRONMENT_VARIABLE}.",
            command=command,
        ) from error
    if finished.returncode != 0:
        error_class = (
            ValidationError if finished.returncode == _EXIT_INVALID_INPUT else MlTrackingError
        )
        raise error_class(
            _last_line(finished.stderr)
            or f"the ml-tracking command line exited with {finished.returncode}",
            exit_code=finished.returncode,
            stderr=finished.stderr,
            command=command,
        )
    # The result is the one JSON line; npx may print notices of its own around it.
    for line in reversed(finished.stdout.splitlines()):
        if line.startswith("{"):
            try:
                result = json.loads(line)
            except ValueError:
                break
            if isinstance(result, dict):
                return result
            break
    raise MlTrackingError(
        "The ml-tracking command line printed no JSON result (is it older than the --json "
        f"flag of `log`?): {finished.stdout.strip()[:200]!r}",
        exit_code=finished.returncode,
        stderr=finished.stderr,
        command=command,
    )


def _last_line(stderr: str) -> str:
    """The CLI's one-line message, without its ``ml-tracking:`` prefix."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[-1]
    prefix = "ml-tracking: "
    return line[len(prefix) :] if line.startswith(prefix) else line
