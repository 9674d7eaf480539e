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

import collections
import json
import os
import sys
import threading
import warnings
from typing import Any, Deque, Dict, Mapping, Optional, Union

from ._errors import MlTrackingError, MlTrackingWarning, ValidationError, describe_error
from ._run_checks import (
    MAX_STEP,
    PROJECT_VARIABLE,
    check_json_object,
    check_name,
    check_project,
    check_step,
    check_tag,
    finished_error,
    finite,
    message_line,
    not_finite,
    to_number,
)
from ._run_endings import active_run, closed, ending_of, opened
from ._run_transports import (
    PROTOCOL_VARIABLE,
    RUN_ID_VARIABLE,
    ParentTransport,
    SinkTransport,
    Transport,
)

__all__ = ["ExperimentLogger", "Run", "active_run", "start_run"]

_STORE_VARIABLE = "ML_TRACKING_STORE"
#: The statuses ``finish()`` takes (``lost`` is the engine's verdict, never a program's).
_STATUSES = ("finished", "failed", "early_stopped")
#: Seconds between the background thread's writes to the sink.
_SEND_INTERVAL = 0.1


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
    the end; a normal exit finishes it; ``sys.exit(N)`` with N other than 0, an uncaught
    exception, SIGTERM and Ctrl-C fail it; each keeps every point that ``add_scalar`` accepted
    (see ``_run_endings``).
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
        project = check_project(project)
        name = check_name(name)
        values = check_json_object(hyperparameters or {}, "hyperparameters")
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
        joined = os.environ.get(RUN_ID_VARIABLE, "")
        if os.environ.get(PROTOCOL_VARIABLE) == "stdout" and joined:
            self._transport: Transport = ParentTransport()
            self._id = joined
            self._project = os.environ.get(PROJECT_VARIABLE) or project
            self._store = os.environ.get(_STORE_VARIABLE) or None
            self._printing = True
            if values:
                self._send(message_line("hyperparameters", values))
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
            sink = SinkTransport(arguments)
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
        opened(self)

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
            check_tag(tag, "tag")
            next_step = 0
        if type(value) is not float:
            value = to_number(value, tag)
        if value - value != 0.0:  # NaN and the infinities
            raise not_finite(value, tag)
        if step is None:
            step = next_step
        elif type(step) is not int or step < 0 or step > MAX_STEP:
            step = check_step(step, tag)
        if self._closed:
            raise finished_error(self._id)
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
            check_tag(tag, "values")
            finite(value, tag)
        if step is not None:
            check_step(step, "values")
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
            check_tag(tag, "summary")
            checked[tag] = finite(value, tag, parameter=f"summary.{tag}")
        self._send(message_line("summary", checked))

    def set_hyperparameters(self, values: Mapping[str, Any]) -> None:
        """Adds hyperparameters (those of the same name are replaced). Raises
        :class:`ValidationError` for values JSON cannot hold (NaN, sets, objects), naming where."""
        checked = check_json_object(values, "hyperparameters")
        self._send(message_line("hyperparameters", checked))

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
        closed(self)
        if error is not None and status == "finished":
            status = "failed"
        line: Dict[str, Any] = {"ml_tracking": "status", "status": status}
        if error is not None:
            line["error"] = describe_error(error)
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
        status, text = ending_of(error)
        try:
            self.finish(status, error=text)
        except MlTrackingError as failure:
            if error is None:
                raise
            # The exception that ended the block is the one the program sees.
            warnings.warn(f"run {self._id}: {failure}", MlTrackingWarning, stacklevel=2)
        return False

    def __repr__(self) -> str:
        return f"<Run {self._id} project={self._project!r}{' finished' if self._closed else ''}>"

    # The rest is the background writing.

    def _send(self, line: str) -> None:
        """Queues a message line behind the points already queued (order is kept)."""
        if self._closed:
            raise finished_error(self._id)
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
