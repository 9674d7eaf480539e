"""Nothing lost: the runs a process left open, and the ways a Python process ends, each
finishing those runs with what happened.

- a normal exit (``atexit``): ``finished``, or ``failed`` with ``exited with code N`` when the
  program called ``sys.exit(N)`` or ``exit(N)`` with N other than 0;
- an uncaught exception (``sys.excepthook``) and Ctrl-C (``KeyboardInterrupt``): ``failed`` with
  the exception's last line;
- SIGTERM, when the program does not handle it itself: ``failed``, then the process ends by the
  signal as it would have;
- SIGKILL and ``os._exit``: nothing here runs; the sink sees its standard input close without a
  status and records ``failed`` with every point it was sent.

Python does not tell an ``atexit`` function the exit code, and ``raise SystemExit(N)`` calls no
hook, so the code is taken where the program asks for it: ``sys.exit`` and the ``exit``/``quit``
builtins are wrapped once, when the first run starts. A ``SystemExit`` raised directly is seen as
a normal exit, except inside ``with start_run(...)``, whose block sees the exception itself.
"""

from __future__ import annotations

import atexit
import builtins
import functools
import os
import signal
import sys
import threading
import warnings
from typing import Any, List, Optional, Tuple

from ._errors import MlTrackingError, MlTrackingWarning, describe_error

ENDED_BY_SIGTERM = "terminated (SIGTERM)"

# Unfinished runs of this process, newest last (``active_run()``).
_active: List[Any] = []
_hooks_installed = False
# The status the program last asked to exit with, when it was not a success.
_exit_status: Optional[object] = None


def active_run() -> Optional[Any]:
    """The run started last in this process and not finished yet, or ``None``.

    ``log_experiment``, ``report_scalar`` and the experiment classes report to it."""
    pid = os.getpid()
    for run in reversed(_active):
        if run._owner_pid == pid:
            return run
    return None


def opened(run: Any) -> None:
    """Counts ``run`` among the open runs that the end of the process finishes."""
    _active.append(run)
    _install_hooks()


def closed(run: Any) -> None:
    """``run`` finished: the end of the process leaves it alone."""
    if _active.count(run):
        _active.remove(run)


def ending_of(error: Optional[BaseException]) -> Tuple[str, Optional[str]]:
    """The status and error a run ends with when ``error`` ended its program (``None``: none)."""
    if error is None:
        return "finished", None
    if isinstance(error, SystemExit):
        text = _exit_text(error.code)
        return ("finished", None) if text is None else ("failed", text)
    return "failed", describe_error(error)


def _exit_text(status: object) -> Optional[str]:
    """``exited with code N`` for an exit status that is not a success, else ``None``."""
    if status is None or status == 0:
        return None
    if isinstance(status, int) and not isinstance(status, bool):
        return f"exited with code {status}"
    # sys.exit("message"): Python prints the message and exits with 1.
    return f"exited with code 1: {status}"


def _install_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_finish_at_exit)
    previous_hook = sys.excepthook

    def excepthook(kind, error, trace):
        try:
            previous_hook(kind, error, trace)
        finally:
            _finish_all(*ending_of(error))

    sys.excepthook = excepthook
    sys.exit = _remembering(sys.exit)
    for name in ("exit", "quit"):  # the site module's, when it was imported
        if hasattr(builtins, name):
            setattr(builtins, name, _remembering(getattr(builtins, name)))
    # Only a SIGTERM nobody else handles, and only from the main thread (where Python allows it).
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, _on_sigterm)


def _remembering(exit_function: Any) -> Any:
    """``exit_function`` (raises SystemExit), remembering the status it was asked for."""

    @functools.wraps(exit_function)
    def exit(status: object = None) -> Any:
        global _exit_status
        _exit_status = status
        return exit_function(status)

    return exit


def _finish_all(status: str, error: Optional[str] = None) -> None:
    pid = os.getpid()
    for run in [run for run in reversed(_active) if run._owner_pid == pid]:
        try:
            run.finish(status, error=error)
        except MlTrackingError as failure:
            warnings.warn(f"run {run.id}: {failure}", MlTrackingWarning, stacklevel=2)


def _finish_at_exit() -> None:
    text = _exit_text(_exit_status)
    _finish_all("finished" if text is None else "failed", text)


def _on_sigterm(number, frame) -> None:
    _finish_all("failed", ENDED_BY_SIGTERM)
    # Then end as Python would have without this handler: by the signal (exit status 143).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _forget_in_child() -> None:
    # A forked child (a data loader worker) must not finish, at its exit, the parent's runs.
    del _active[:]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
