"""Where a run's protocol lines go: standard output, read by the parent that owns the run
(``ml-tracking exec``, a sweep agent, the pipeline), or an ``ml-tracking run-sink`` child that
owns it. Either way the TypeScript engine writes the store; Python never does."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import threading
import time
import warnings
from typing import Deque, Dict, List

from ._cli import error_of, spawn_cli
from ._errors import MlTrackingError, MlTrackingWarning

PROTOCOL_VARIABLE = "ML_TRACKING_PROTOCOL"
RUN_ID_VARIABLE = "ML_TRACKING_RUN_ID"
#: Seconds between flushes of standard output for a run joined to its parent.
_PRINT_INTERVAL = 0.1
#: How long ``finish()`` waits for the sink to write the run and exit.
_SINK_EXIT_SECONDS = 120.0
#: What the sink's standard error is remembered by, for the message of a failure.
_STDERR_LINES_KEPT = 20


class Transport:
    def send(self, text: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class ParentTransport(Transport):
    """Lines on standard output, read by ``ml-tracking exec`` or the sweep agent.

    Written at once into ``sys.stdout``'s buffer (a pipe's is flushed only when full); a
    background thread flushes it every 0.1 s when lines were written, so the parent reads each
    point soon (early stopping acts on them) without a system call per point."""

    def __init__(self) -> None:
        self._written = threading.Event()
        self._closed = False
        threading.Thread(
            target=self._flush_in_background, name="ml-tracking stdout", daemon=True
        ).start()

    def send(self, text: str) -> None:
        try:
            sys.stdout.write(text)
        except (OSError, ValueError):
            # The parent stopped reading (or stdout is closed at exit): nothing can reach it.
            return
        self._written.set()

    def _flush_in_background(self) -> None:
        while not self._closed:
            self._written.wait()
            time.sleep(_PRINT_INTERVAL)
            self._written.clear()
            self._flush()

    def _flush(self) -> None:
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        self._closed = True
        self._written.set()  # the background thread ends
        self._flush()


class SinkTransport(Transport):
    """An ``ml-tracking run-sink`` child process that owns the run."""

    def __init__(self, arguments: List[str]) -> None:
        environment = dict(os.environ)
        # The sink owns a run of its own; it must not join a parent's.
        environment.pop(PROTOCOL_VARIABLE, None)
        environment.pop(RUN_ID_VARIABLE, None)
        self._process, self._command = spawn_cli(
            arguments,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            # Ctrl-C and signals to the program's process group are the program's: the sink must
            # stay to record what the program sends as it ends. It ends with its standard input.
            start_new_session=True,
        )
        self._stderr: Deque[str] = collections.deque(maxlen=_STDERR_LINES_KEPT)
        self._started = threading.Event()
        self._stderr_reader = threading.Thread(
            target=self._read_stderr, name="ml-tracking run-sink stderr", daemon=True
        )
        self._stderr_reader.start()
        self._broken = False
        first = self._process.stdout.readline()
        self._process.stdout.close()
        try:
            started = json.loads(first.decode("utf-8"))
        except ValueError:
            started = None
        if not isinstance(started, dict) or not isinstance(started.get("run_id"), str):
            self._process.stdin.close()
            code = self._process.wait()
            self._stderr_reader.join(timeout=5)
            raise error_of(
                subprocess.CompletedProcess(
                    self._command, code, first.decode("utf-8", "replace"), "".join(self._stderr)
                ),
                self._command,
            )
        self.started: Dict[str, str] = started
        self._started.set()

    def _read_stderr(self) -> None:
        # Before the run starts, the sink's standard error is its error; after, its warnings,
        # passed on to the program's standard error.
        for raw in self._process.stderr:
            line = raw.decode("utf-8", "replace")
            self._stderr.append(line)
            if self._started.is_set():
                try:
                    sys.stderr.write(line)
                    sys.stderr.flush()
                except (OSError, ValueError):
                    pass

    def send(self, text: str) -> None:
        if self._broken:
            return
        try:
            self._process.stdin.write(text.encode("utf-8"))
            self._process.stdin.flush()
        except (OSError, ValueError):
            self._broken = True
            warnings.warn(
                "the ml-tracking run-sink process is gone: what this run reports now is not "
                f"recorded. Its last words: {''.join(self._stderr).strip()[-500:]!r}",
                MlTrackingWarning,
                stacklevel=4,
            )

    def close(self) -> None:
        try:
            self._process.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            code = self._process.wait(timeout=_SINK_EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            raise MlTrackingError(
                f"The ml-tracking run-sink process has not written the run after "
                f"{_SINK_EXIT_SECONDS:.0f} s; it goes on without this process (pid "
                f"{self._process.pid}). Check the store with `ml-tracking runs`.",
                command=self._command,
            ) from None
        self._stderr_reader.join(timeout=5)
        if code != 0:
            raise error_of(
                subprocess.CompletedProcess(self._command, code, "", "".join(self._stderr)),
                self._command,
            )
