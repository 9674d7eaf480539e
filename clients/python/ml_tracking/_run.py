"""Runs from a Python training loop: ``start_run()``, ``Run``, ``ExperimentLogger``.

Python never writes the store. A run is owned by one ``ml-tracking run-sink`` child process (the
TypeScript engine, with ``startRun``'s buffering, flushing, heartbeat and journal), which reads
ml-tracking's line protocol on its standard input. Under ``ml-tracking exec`` or a sweep trial
(``ML_TRACKING_PROTOCOL=stdout`` and ``ML_TRACKING_RUN_ID`` set) the run joins the parent's run
instead and prints the same lines on standard output, as TypeScript's ``startRun`` does.

``add_scalar`` checks its values and appends them to an in-memory queue; a background thread
writes them to the sink in batches, so a training loop never waits on a pipe or a store.
"""

from __future__ import annotations

import atexit
import collections
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import warnings
from typing import Any, Deque, Dict, List, Mapping, Optional, Union

from ._cli import error_of, spawn_cli
from ._errors import MlTrackingError, MlTrackingWarning, ValidationError
from ._values import scalar

_PROTOCOL_VARIABLE = "ML_TRACKING_PROTOCOL"
_RUN_ID_VARIABLE = "ML_TRACKING_RUN_ID"
_PROJECT_VARIABLE = "ML_TRACKING_PROJECT"
_STORE_VARIABLE = "ML_TRACKING_STORE"

#: The statuses ``finish()`` takes (``lost`` is the engine's verdict, never a program's).
_STATUSES = ("finished", "failed", "early_stopped")
#: Seconds between the background thread's writes to the sink.
_SEND_INTERVAL = 0.1
#: Seconds between flushes of standard output for a run joined to its parent.
_PRINT_INTERVAL = 0.1
#: How long ``finish()`` waits for the sink to write the run and exit.
_SINK_EXIT_SECONDS = 120.0
#: The same limits as the engine's (``Run.addScalar``, ``startRun``'s name).
_MAX_TAG = 256
_MAX_NAME = 200
_MAX_STEP = 2**53 - 1
#: The line protocol reads 64 levels of nesting, the message itself and ``values`` counting.
_MAX_DEPTH = 60
#: What the sink's standard error is remembered by, for the message of a failure.
_STDERR_LINES_KEPT = 20

_ENDED_BY_SIGTERM = "terminated (SIGTERM)"

# Unfinished runs of this process, newest last (``active_run()``).
_active: List["Run"] = []
_hooks_installed = False


def active_run() -> Optional["Run"]:
    """The run started last in this process and not finished yet, or ``None``.

    ``log_experiment``, ``report_scalar`` and the experiment classes report to it."""
    pid = os.getpid()
    for run in reversed(_active):
        if run._owner_pid == pid:
            return run
    return None


def start_run(
    project: Optional[str] = None,
    name: Optional[str] = None,
    hyperparameters: Optional[Mapping[str, Any]] = None,
    store: Union[str, "os.PathLike[str]", None] = None,
) -> "Run":
    """Starts a run and returns it (see :class:`Run`).

    Args:
        project: the run's project (slugified like ``log_experiment``'s). Default:
            ``$ML_TRACKING_PROJECT``, else the current folder's name.
        name: a name for people. Default: a generated one such as ``brave-otter-42``.
        hyperparameters: a dict of JSON values.
        store: a folder, ``gs://bucket[/prefix]`` or ``memory://`` URL. Default:
            ``$ML_TRACKING_STORE``, else ``./ml-tracking``.

    Raises:
        ValidationError: bad input (nothing is started), or a store URL the CLI refuses.
        MlTrackingError: the command line could not be run, or could not open the store.

    Example::

        with start_run(project="soil texture", hyperparameters={"lr": 1e-3}) as run:
            for step in range(epochs):
                run.add_scalar("loss", loss, step)
    """
    return Run(project=project, name=name, hyperparameters=hyperparameters, store=store)


class Run:
    """One run: its scalars, summary, hyperparameters, linked predictions and how it ended.

    Get one from :func:`start_run` (or ``with start_run(...) as run:``). Call :meth:`finish` at
    the end; a normal exit finishes it, an uncaught exception, SIGTERM and Ctrl-C fail it, each
    keeping every point that ``add_scalar`` accepted.
    """

    def __init__(
        self,
        project: Optional[str] = None,
        name: Optional[str] = None,
        hyperparameters: Optional[Mapping[str, Any]] = None,
        store: Union[str, "os.PathLike[str]", None] = None,
        *,
        origin: str = "logger",
        experiment: Optional[str] = None,
    ) -> None:
        project = _check_project(project)
        name = _check_name(name)
        values = _check_json_object(hyperparameters or {}, "hyperparameters")
        if store is not None and not isinstance(store, (str, os.PathLike)):
            raise ValidationError(
                f"Invalid store: {store!r} is not a store URL or folder. Pass a folder, "
                '"gs://bucket/folder" or "memory://name", or leave it out.',
                parameter="store",
            )
        self._queue: Deque[Any] = collections.deque()
        self._next_steps: Dict[str, int] = {}
        self._tag_json: Dict[str, str] = {}
        self._closed = False
        self._send_lock = threading.RLock()
        self._owner_pid = os.getpid()
        joined = os.environ.get(_RUN_ID_VARIABLE, "")
        if os.environ.get(_PROTOCOL_VARIABLE) == "stdout" and joined:
            self._transport: _Transport = _ParentTransport()
            self._id = joined
            self._project = os.environ.get(_PROJECT_VARIABLE) or project
            self._store = os.environ.get(_STORE_VARIABLE) or None
            self._printing = True
            if values:
                self._send(_message_line("hyperparameters", values))
        else:
            arguments = ["run-sink", "--json", "--project", project, "--origin", origin]
            arguments += ["--command", json.dumps([sys.executable, *sys.argv])]
            if name is not None:
                arguments += ["--name", name]
            if values:
                arguments += ["--hyperparameters", json.dumps(values, allow_nan=False)]
            if experiment is not None:
                arguments += ["--experiment", experiment]
            if store is not None:
                arguments += ["--store", os.fspath(store)]
            sink = _SinkTransport(arguments)
            self._transport = sink
            self._id = sink.started["run_id"]
            self._project = sink.started["project"]
            self._store = sink.started["store"]
            self._printing = False
        self._stop = threading.Event()
        self._writer: Optional[threading.Thread] = None
        if not self._printing:
            self._writer = threading.Thread(
                target=self._write_in_background, name=f"ml-tracking run {self._id}", daemon=True
            )
            self._writer.start()
        _active.append(self)
        _install_hooks()

    @property
    def id(self) -> str:
        """The run id: sortable by start time, the name of the run's files."""
        return self._id

    @property
    def project(self) -> str:
        """The project, slugified."""
        return self._project

    @property
    def store(self) -> Optional[str]:
        """The store's URL (``None`` for a run joined to its parent without one)."""
        return self._store

    def add_scalar(self, tag: str, value: Any, step: Optional[int] = None) -> None:
        """Records one point of a series: ``run.add_scalar("loss", 0.25, step)``.

        ``value`` may be a Python number, a numpy scalar or a one-element torch tensor.
        ``step`` defaults to the tag's last step + 1 (0 for the first). Buffered: the point is
        sent in the background. Raises :class:`ValidationError` for an empty tag, a value that
        is not a finite number, or a step that is not a non-negative integer; nothing is
        recorded then.
        """
        steps = self._next_steps
        next_step = steps.get(tag)
        if next_step is None:
            _check_tag(tag, "tag")
            next_step = 0
        if type(value) is not float:
            value = _number(value, tag)
        if value - value != 0.0:  # NaN and the infinities
            raise _not_finite(value, tag)
        if step is None:
            step = next_step
        elif type(step) is not int or step < 0 or step > _MAX_STEP:
            step = _check_step(step, tag)
        if self._closed:
            raise _finished(self._id)
        steps[tag] = step + 1 if step >= next_step else next_step
        self._queue.append((tag, value, step))
        if self._printing:
            self._print_queued()

    def add_scalars(self, values: Mapping[str, Any], step: Optional[int] = None) -> None:
        """Records several tags at one step: ``run.add_scalars({"accuracy": a, "f1": f}, epoch)``.

        Checked as a whole first: a bad tag or value records none of them."""
        if not isinstance(values, Mapping):
            raise ValidationError(
                f"Invalid values: a {type(values).__name__} is not a dict. "
                'Pass a dict of tags and numbers, e.g. {"accuracy": 0.9, "f1": 0.8}.',
                parameter="values",
            )
        for tag, value in values.items():
            _check_tag(tag, "values")
            _finite(value, tag)
        if step is not None:
            _check_step(step, "values")
        for tag, value in values.items():
            self.add_scalar(tag, value, step)

    def set_summary(self, values: Mapping[str, Any]) -> None:
        """Sets final values of the run's summary (a tag's ``last``), e.g. test accuracy."""
        if not isinstance(values, Mapping):
            raise ValidationError(
                f"Invalid summary: a {type(values).__name__} is not a dict. "
                'Pass a dict of names and numbers, e.g. {"test_accuracy": 0.91}.',
                parameter="summary",
            )
        checked = {}
        for tag, value in values.items():
            _check_tag(tag, "summary")
            checked[tag] = _finite(value, tag, parameter=f"summary.{tag}")
        self._send(_message_line("summary", checked))

    def set_hyperparameters(self, values: Mapping[str, Any]) -> None:
        """Adds hyperparameters (those of the same name are replaced). Raises
        :class:`ValidationError` for values JSON cannot hold (NaN, sets, objects), naming where."""
        checked = _check_json_object(values, "hyperparameters")
        self._send(_message_line("hyperparameters", checked))

    def link_prediction(self, prediction_id: str) -> None:
        """Links a prediction logged with ``log_experiment`` to this run (it does so itself
        when called while this run is active)."""
        if (
            not isinstance(prediction_id, str)
            or len(prediction_id) != 36
            or any(character not in "0123456789abcdef-" for character in prediction_id)
        ):
            raise ValidationError(
                f"Invalid prediction_id: {prediction_id!r} is not a prediction id. "
                'Pass the "predictionId" that log_experiment returned.',
                parameter="prediction_id",
            )
        self._send(json.dumps({"ml_tracking": "prediction", "prediction_id": prediction_id}) + "\n")

    def flush(self) -> None:
        """Sends what is buffered now. The engine writes it to the store within its flush
        interval (half a second on a folder, 1.2 s on GCS)."""
        with self._send_lock:
            self._send_queued()

    def finish(self, status: str = "finished", error: Any = None) -> None:
        """Ends the run: sends every point buffered and how the run ended, then waits until the
        engine has written it. Calling it again does nothing.

        Args:
            status: ``"finished"``, ``"failed"`` or ``"early_stopped"``; ``"failed"`` when an
                ``error`` is given with the default status.
            error: what went wrong: an exception (kept as ``"ValueError: message"``) or text.

        Raises:
            ValidationError: an unknown status (the run stays open).
            MlTrackingError: the engine could not write the run (its message says why).
        """
        if status not in _STATUSES:
            raise ValidationError(
                f"Invalid status: {status!r} is not a status a run ends with. "
                f"Pass one of {', '.join(_STATUSES)}.",
                parameter="status",
            )
        with self._send_lock:
            if self._closed:
                return
            self._closed = True
        if _active.count(self):
            _active.remove(self)
        if error is not None and status == "finished":
            status = "failed"
        line: Dict[str, Any] = {"ml_tracking": "status", "status": status}
        if error is not None:
            line["error"] = _describe(error)
        self._stop.set()
        if self._writer is not None and self._writer is not threading.current_thread():
            self._writer.join()
        with self._send_lock:
            self._send_queued()
            self._transport.send(json.dumps(line) + "\n")
        self._transport.close()

    def close(self) -> None:
        """The same as :meth:`finish` (TensorBoard's ``SummaryWriter.close``)."""
        self.finish()

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, kind, error, trace) -> bool:
        if error is None:
            self.finish()
        else:
            try:
                self.finish("failed", error=error)
            except MlTrackingError as failure:
                # The exception that ended the block is the one the program sees.
                _warn(f"run {self._id}: {failure}")
        return False

    def __repr__(self) -> str:
        return f"<Run {self._id} project={self._project!r}{' finished' if self._closed else ''}>"

    # The rest is the background writing.

    def _send(self, line: str) -> None:
        """Queues a message line behind the points already queued (order is kept)."""
        if self._closed:
            raise _finished(self._id)
        self._queue.append(line)
        if self._printing:
            self._print_queued()

    def _print_queued(self) -> None:
        # A run joined to its parent writes its lines into the program's own standard output from
        # the program's thread, in order with what the program prints: a line written from another
        # thread could land inside one that print() writes in two parts. Only the flushing is
        # left to a background thread (see _ParentTransport).
        with self._send_lock:
            self._send_queued()

    def _write_in_background(self) -> None:
        while True:
            stopping = self._stop.wait(_SEND_INTERVAL)
            with self._send_lock:
                self._send_queued()
            if stopping:
                return

    def _send_queued(self) -> None:
        """Sends what is queued as protocol lines (the caller holds ``_send_lock``)."""
        queue = self._queue
        count = len(queue)
        if count == 0:
            return
        tag_json = self._tag_json
        parts = []
        append = parts.append
        pop = queue.popleft
        for _ in range(count):
            item = pop()
            if type(item) is tuple:
                tag, value, step = item
                text = tag_json.get(tag)
                if text is None:
                    text = tag_json[tag] = json.dumps(tag)
                append(f'{{"ml_tracking":"scalar","tag":{text},"value":{value!r},"step":{step}}}\n')
            else:
                append(item)
        self._transport.send("".join(parts))


class ExperimentLogger(Run):
    """The original ML Tracking Ops logger, as its users wrote it::

        writer = ExperimentLogger(logdir="runs")
        writer.add_scalar("Loss", loss.item(), train_step)
        writer.close()

    ``logdir`` is the store (a folder or ``gs://bucket/folder``), as ``--logdir`` is what a
    sweep passes to its trials. A :class:`Run`: every method of a run works too.
    """

    def __init__(
        self,
        logdir: Union[str, "os.PathLike[str]"] = "runs",
        project: Optional[str] = None,
        name: Optional[str] = None,
        hyperparameters: Optional[Mapping[str, Any]] = None,
    ) -> None:
        super().__init__(project=project, name=name, hyperparameters=hyperparameters, store=logdir)

    def add_scalar(  # type: ignore[override]
        self, tag: str, scalar_value: Any, global_step: Optional[int] = None, walltime: Any = None
    ) -> None:
        """Records one point, with TensorBoard's parameter names (``walltime`` is ignored: the
        engine stamps each point as it receives it)."""
        Run.add_scalar(self, tag, scalar_value, global_step)


class _Transport:
    def send(self, text: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _ParentTransport(_Transport):
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


class _SinkTransport(_Transport):
    """An ``ml-tracking run-sink`` child process that owns the run."""

    def __init__(self, arguments: List[str]) -> None:
        environment = dict(os.environ)
        # The sink owns a run of its own; it must not join a parent's.
        environment.pop(_PROTOCOL_VARIABLE, None)
        environment.pop(_RUN_ID_VARIABLE, None)
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
            _warn(
                "the ml-tracking run-sink process is gone: what this run reports now is not "
                f"recorded. Its last words: {''.join(self._stderr).strip()[-500:]!r}"
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


# Checks, each raising ValidationError naming the parameter and the fix.


def _check_project(project: Any) -> str:
    if project is None:
        project = os.environ.get(_PROJECT_VARIABLE) or os.path.basename(os.getcwd()) or "default"
    if not isinstance(project, str) or not project.strip():
        raise ValidationError(
            f"Invalid project: {project!r} is not a project name. Pass a non-empty name, "
            "e.g. \"soil texture\", or leave it out (the current folder's name).",
            parameter="project",
        )
    return project


def _check_name(name: Any) -> Optional[str]:
    if name is None:
        return None
    if (
        not isinstance(name, str)
        or not name.strip()
        or len(name) > _MAX_NAME
        or "\n" in name
        or "\r" in name
    ):
        raise ValidationError(
            f"Invalid name: {name!r} is not a run name. Pass a non-empty name of at most "
            f"{_MAX_NAME} characters on one line, or leave it out.",
            parameter="name",
        )
    return name.strip()


def _check_tag(tag: Any, parameter: str) -> None:
    if (
        not isinstance(tag, str)
        or not tag
        or tag == "__proto__"
        or len(tag) > _MAX_TAG
        or "\n" in tag
        or "\r" in tag
    ):
        raise ValidationError(
            f"Invalid {parameter}: {tag!r} is not a tag. Pass a non-empty name of at most "
            f'{_MAX_TAG} characters on one line other than __proto__, e.g. "loss" or '
            '"val/accuracy".',
            parameter=parameter,
        )


def _number(value: Any, tag: str) -> float:
    """A finite-or-not float of a Python number, a numpy scalar or a one-element tensor."""
    value = scalar(value)
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        try:
            value = value.item()  # a one-element torch tensor (or numpy array)
        except (TypeError, ValueError, RuntimeError):
            pass
    if isinstance(value, (bool, str, bytes)) or value is None:
        raise _not_a_number(value, tag)
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise _not_a_number(value, tag) from None


def _finite(value: Any, tag: str, parameter: str = "value") -> float:
    number = value if type(value) is float else _number(value, tag)
    if not math.isfinite(number):
        raise _not_finite(number, tag, parameter)
    return number


def _not_a_number(value: Any, tag: str) -> ValidationError:
    return ValidationError(
        f"Invalid value: {value!r} is not a number (tag {tag}). Pass a float, an int, a numpy "
        "scalar or a one-element tensor (loss.item()).",
        parameter="value",
    )


def _not_finite(value: float, tag: str, parameter: str = "value") -> ValidationError:
    return ValidationError(
        f"Invalid {parameter}: {value!r} is not a finite number (tag {tag}). Pass a finite "
        "number; skip the point (or log a sentinel tag) when a loss diverges.",
        parameter=parameter,
    )


def _check_step(step: Any, tag: str) -> int:
    index = None
    if not isinstance(step, bool) and hasattr(step, "__index__"):
        index = step.__index__()  # numpy integers
    if index is None or index < 0 or index > _MAX_STEP:
        raise ValidationError(
            f"Invalid step: {step!r} is not a non-negative integer (tag {tag}). Pass 0, 1, "
            "2..., or leave the step out to count up from the last one.",
            parameter="step",
        )
    return index


def _check_json_object(values: Any, parameter: str) -> Dict[str, Any]:
    if not isinstance(values, Mapping):
        raise ValidationError(
            f"Invalid {parameter}: a {type(values).__name__} is not a dict. Pass a dict of "
            "JSON values (numbers, strings, booleans, lists, dicts).",
            parameter=parameter,
        )
    return _json_value(values, parameter, 1)


def _json_value(value: Any, path: str, depth: int) -> Any:
    """``value`` as JSON holds it (numpy scalars as numbers), or ValidationError naming where."""
    value = scalar(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        problem = f"{value!r} is not a finite number"
    elif depth > _MAX_DEPTH:
        problem = f"it nests deeper than {_MAX_DEPTH} levels"
    elif isinstance(value, Mapping):
        copy = {}
        for key, item in value.items():
            if not isinstance(key, str) or key == "__proto__":
                return _refuse_json(
                    f"{path}[{key!r}]",
                    "the key is not a string" if not isinstance(key, str) else "__proto__ is "
                    'not accepted as a key (rename it, e.g. "proto")',
                )
            copy[key] = _json_value(item, f"{path}.{key}", depth + 1)
        return copy
    elif isinstance(value, (list, tuple)):
        return [
            _json_value(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)
        ]
    else:
        problem = f"a {type(value).__name__} is not a JSON value"
    return _refuse_json(path, problem)


def _refuse_json(path: str, problem: str) -> Any:
    raise ValidationError(
        f"Invalid {path}: {problem}. Pass JSON values: numbers (finite), strings, booleans, "
        "None, lists and dicts with string keys (str() other objects first).",
        parameter=path,
    )


def _message_line(kind: str, values: Dict[str, Any]) -> str:
    return json.dumps({"ml_tracking": kind, "values": values}, allow_nan=False) + "\n"


def _finished(run_id: str) -> ValidationError:
    return ValidationError(
        f"Invalid run: run {run_id} has finished. Record before calling finish(), or start a "
        "new run.",
        parameter="run",
    )


def _describe(error: Any) -> str:
    """An exception as its traceback's last line (``ValueError: diverged``); text as it is."""
    if isinstance(error, BaseException):
        return "".join(traceback.format_exception_only(type(error), error)).strip()
    return str(error)


def _warn(message: str) -> None:
    warnings.warn(message, MlTrackingWarning, stacklevel=3)


# Nothing lost: the ways a Python process ends, each finishing the runs it left open.


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
            _finish_all("failed", error)

    sys.excepthook = excepthook
    # Only a SIGTERM nobody else handles, and only from the main thread (where Python allows it).
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, _on_sigterm)


def _finish_all(status: str, error: Any = None) -> None:
    pid = os.getpid()
    for run in [run for run in reversed(_active) if run._owner_pid == pid]:
        try:
            run.finish(status, error=error)
        except MlTrackingError as failure:
            _warn(f"run {run.id}: {failure}")


def _finish_at_exit() -> None:
    _finish_all("finished")


def _on_sigterm(number, frame) -> None:
    _finish_all("failed", _ENDED_BY_SIGTERM)
    # Then end as Python would have without this handler: by the signal (exit status 143).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _forget_in_child() -> None:
    # A forked child (a data loader worker) must not finish, at its exit, the parent's runs.
    del _active[:]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
