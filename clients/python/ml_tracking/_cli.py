"""Finding and running the ``ml-tracking`` command line, and reading its answer."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._errors import MlTrackingError, ValidationError

#: The environment variable that names the command to run, e.g. ``node /path/to/main.js``.
CLI_ENVIRONMENT_VARIABLE = "ML_TRACKING_CLI"

# The CLI's exit code for bad input; anything else non-zero is another failure.
_EXIT_INVALID_INPUT = 2
# The codes of bad input (the README's Errors section); they exit with _EXIT_INVALID_INPUT.
_INVALID_INPUT_CODES = ("ERR_VALIDATION", "ERR_USAGE")


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
    it prints. A failure raises :class:`ValidationError` (bad input: code ``ERR_VALIDATION``
    or ``ERR_USAGE``, exit code 2) or :class:`MlTrackingError`, with the code, message and
    parameter of the JSON error line the CLI prints on stderr."""
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
        raise error_of(finished, command)
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


def spawn_cli(
    arguments: Sequence[str], **popen: Any
) -> "Tuple[subprocess.Popen[bytes], List[str]]":
    """Starts the CLI with ``arguments`` as a long-lived child (``run-sink``) and returns it
    with its command line; ``popen`` is passed to :class:`subprocess.Popen`."""
    command = cli_command() + list(arguments)
    try:
        return subprocess.Popen(command, **popen), command
    except OSError as error:
        raise MlTrackingError(
            f"Cannot run the ml-tracking command line ({shlex.join(command[:3])}...): {error}. "
            f"Install it with `npm install ml-tracking`, or set {CLI_ENVIRONMENT_VARIABLE}.",
            command=command,
        ) from error


def error_of(finished: "subprocess.CompletedProcess[str]", command: List[str]) -> MlTrackingError:
    """The exception for a failed run of the CLI. With ``--json`` the CLI's last line on stderr
    is ``{"error": {"code", "message", "parameter"?, "path"?, "hint"?}}``; an older CLI's plain
    message (or a crash's) is taken as the message, and the exit code decides the class."""
    reported = _error_json(finished.stderr)
    context: Dict[str, Any] = {
        "exit_code": finished.returncode,
        "stderr": finished.stderr,
        "command": command,
    }
    if reported is None:
        message = (
            _last_line(finished.stderr)
            or f"the ml-tracking command line exited with {finished.returncode}"
        )
        if finished.returncode == _EXIT_INVALID_INPUT:
            return ValidationError(message, code=None, **context)
        return MlTrackingError(message, **context)
    code = reported.get("code")
    message = reported.get("message") or f"the ml-tracking command line failed with {code}"
    for name in ("path", "hint"):
        if isinstance(reported.get(name), str):
            context[name] = reported[name]
    if code in _INVALID_INPUT_CODES:
        parameter = reported.get("parameter")
        return ValidationError(
            message,
            parameter=parameter if isinstance(parameter, str) else None,
            code=code,
            **context,
        )
    return MlTrackingError(message, code=code if isinstance(code, str) else None, **context)


def _error_json(stderr: str) -> Optional[Dict[str, Any]]:
    """The ``error`` object of the CLI's JSON error line (its last line on stderr), if any."""
    for line in reversed(stderr.splitlines()):
        line = line.strip()
        if not line:
            continue
        if not line.startswith("{"):
            return None
        try:
            parsed = json.loads(line)
        except ValueError:
            return None
        error = parsed.get("error") if isinstance(parsed, dict) else None
        return error if isinstance(error, dict) and isinstance(error.get("code"), str) else None
    return None


def _last_line(stderr: str) -> str:
    """The CLI's one-line message, without its ``ml-tracking:`` prefix."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[-1]
    prefix = "ml-tracking: "
    return line[len(prefix) :] if line.startswith(prefix) else line
