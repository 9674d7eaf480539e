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


#: How to get the command line, for the error that says it is missing.
INSTALL_HINT = (
    "install it with `npm install -g ./ml-tracking-<version>.tgz` (made by `npm pack` in a clone "
    "of ml-tracking; Node 20.19+ or 22.12+), or `npm install <that .tgz>` in your project, or set "
    f"{CLI_ENVIRONMENT_VARIABLE} to the command that runs it (e.g. `node /path/to/ml-tracking/"
    "dist/cli/main.js`)"
)


def _project_copy() -> Optional[str]:
    """The project's own copy, ``node_modules/.bin/ml-tracking`` in this folder or above it."""
    folder = os.path.abspath(os.getcwd())
    while True:
        candidate = os.path.join(folder, "node_modules", ".bin", "ml-tracking")
        if os.access(candidate, os.X_OK):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def cli_command() -> List[str]:
    """The command that runs the CLI: ``$ML_TRACKING_CLI`` (split like a shell would), else
    ``ml-tracking`` on the PATH, else the project's own copy in ``node_modules/.bin``."""
    configured = os.environ.get(CLI_ENVIRONMENT_VARIABLE, "").strip()
    if configured:
        return shlex.split(configured)
    found = shutil.which("ml-tracking") or _project_copy()
    if found:
        return [found]
    raise MlTrackingError(
        "ml-tracking command not found (not on the PATH, not in node_modules/.bin here or "
        f"above): {INSTALL_HINT}."
    )


def _cannot_run(command: List[str], error: OSError) -> MlTrackingError:
    """The error for a command line that the system could not start."""
    return MlTrackingError(
        f"Cannot run the ml-tracking command line ({shlex.join(command[:3])}...): {error}. "
        f"To get it, {INSTALL_HINT}.",
        command=command,
    )


def run_cli(arguments: Sequence[str]) -> "Tuple[subprocess.CompletedProcess[str], List[str]]":
    """Runs the CLI with ``arguments`` to its end and returns what it printed, with the command
    line. A failure raises :class:`ValidationError` (bad input: code ``ERR_VALIDATION`` or
    ``ERR_USAGE``, exit code 2) or :class:`MlTrackingError`, with the code, message and
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
        raise _cannot_run(command, error) from error
    if finished.returncode != 0:
        raise error_of(finished, command)
    return finished, command


def run_json(arguments: Sequence[str]) -> Dict[str, Any]:
    """Runs the CLI with ``arguments`` (which include ``--json``) and returns the JSON object
    it prints; failures raise as :func:`run_cli` says."""
    finished, command = run_cli(arguments)
    # The result is the one JSON line; a wrapper may print notices of its own around it.
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
        raise _cannot_run(command, error) from error


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
    if isinstance(reported.get("name"), str):
        context["kind"] = reported["name"]
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
