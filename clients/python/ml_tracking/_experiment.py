"""``Experiment``: the stages run here, the policy and the tracker row are the engine's (see
``ml_tracking.experiments``)."""

from __future__ import annotations

import inspect
import json
import math
import os
import re
import time
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from ._cli import run_json
from ._errors import DuplicateModelError, MlTrackingError, ValidationError, describe_error
from ._values import json_safe, scalar

#: What ``run()`` does when the tracker already has a row for the model name.
ON_DUPLICATE_VALUES = ("overwrite", "duplicate", "skip", "error")

#: The tracker columns ``run()`` writes itself; results may not use these names.
EXPERIMENT_ROW_COLUMNS = (
    "model_name",
    "run_id",
    "project",
    "status",
    "started_at",
    "ended_at",
    "preprocess_seconds",
    "preprocess_debug_seconds",
    "train_seconds",
    "evaluate_seconds",
    "hyperparameters",
    "outputs",
    "git_commit",
    "git_dirty",
)

_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}\Z")
# Each stage and the original framework's name for it.
_STAGE_ALIASES = {
    "preprocess": "preprocessing_steps",
    "preprocess_debug": "preprocessing_debug",
    "train": "train_model",
    "evaluate": "evaluate_model",
}


class Experiment:
    """A model's training code in stages. Subclass it, set ``model_name`` (the tracker's duplicate
    key: 1-200 of ``A-Z a-z 0-9 . _ -``, starting with a letter or digit) and define
    ``preprocess()``, ``train(data)`` and ``evaluate(model, data)`` (and optionally
    ``preprocess_debug(data=None)``); then :meth:`run` does preprocess -> train -> evaluate,
    records a run with the seconds each stage took (summary values ``stage_seconds/<stage>``)
    and the results, and commits the tracker row last.

    Attributes:
        project: the project, as given.
        store: the store, as given (``None``: ``$ML_TRACKING_STORE``, else ``./ml-tracking``).
        hyperparameters: recorded as the run's (the class's, updated by the constructor's).
        debug: whether the current (or last) run is a debug run: train less when it is.
        run_id: the current (or last) recorded run's id; ``None`` in debug mode.
        logger: the current run (``self.logger.add_scalar("loss", loss, step)`` while
            training); ``None`` in debug mode and outside ``run()``.
    """

    model_name: Optional[str] = None
    hyperparameters: Optional[Mapping[str, Any]] = None
    #: In debug mode, ``preprocess_debug()`` replaces ``preprocess()`` (``True``), or gets its
    #: output to cut down (``False``).
    debug_replaces_preprocessing: bool = True

    def __init__(
        self,
        project: Optional[str] = None,
        store: Union[str, "os.PathLike[str]", None] = None,
        hyperparameters: Optional[Mapping[str, Any]] = None,
    ) -> None:
        if project is None:
            project = os.environ.get("ML_TRACKING_PROJECT") or os.path.basename(os.getcwd())
        if not isinstance(project, str) or not project.strip():
            raise ValidationError(
                f"Invalid project: {project!r} is not a project name. Pass a name such as "
                '"soil texture".',
                parameter="project",
            )
        if store is not None and not isinstance(store, (str, os.PathLike)):
            raise ValidationError(
                f"Invalid store: {store!r} is not a store URL or folder. Pass a folder, "
                '"gs://bucket/folder" or "memory://name", or leave it out.',
                parameter="store",
            )
        if hyperparameters is not None and not isinstance(hyperparameters, Mapping):
            raise ValidationError(
                f"Invalid hyperparameters: a {type(hyperparameters).__name__} is not a dict.",
                parameter="hyperparameters",
            )
        self.project = project
        self.store = store
        self._option_hyperparameters = dict(hyperparameters or {})
        self.debug = False
        self.run_id: Optional[str] = None
        self.logger: Any = None
        self._tracker_values: Dict[str, Any] = {}
        self._running = False

    def set_tracker_value(self, column: str, value: Any) -> None:
        """Adds a column to this run's tracker row (e.g. ``prediction_id``), beside the results.
        Raises :class:`ValidationError` for a column that ``run()`` writes itself."""
        if not isinstance(column, str) or not column or column in EXPERIMENT_ROW_COLUMNS:
            raise ValidationError(
                f"Invalid column: {column!r} is empty or a column run() writes itself. Use "
                f"another name than {', '.join(EXPERIMENT_ROW_COLUMNS)}.",
                parameter="column",
            )
        self._tracker_values[column] = json_safe(value)

    def validate(self) -> None:
        """Checks the experiment's own settings when ``run()`` starts, before anything runs;
        raises :class:`ValidationError` for a bad one. Subclasses extend it."""

    def _prepared(self, data: Any) -> Any:
        """The preprocessed data as the other stages get it (subclasses normalise and keep it)."""
        return data

    def run(
        self,
        on_duplicate: Optional[str] = None,
        debug: bool = False,
        *,
        debug_replaces_preprocessing: Optional[bool] = None,
    ) -> Dict[str, Any]:
        """Runs the stages and records the run, then the tracker row (the commit point: if a
        stage fails, the run is recorded ``failed`` with the stage named, the exception is
        raised as it was, and the tracker is unchanged).

        Args:
            on_duplicate: required, what to do when the tracker has a row for ``model_name``:
                ``"overwrite"`` (train, then replace it), ``"duplicate"`` (train, then add
                another), ``"skip"`` (return the existing row, train nothing) or ``"error"``
                (raise :class:`DuplicateModelError` before anything runs). Applied again at the
                commit, to rows other runs recorded meanwhile.
            debug: record nothing and call no command (no store is opened); use
                ``preprocess_debug`` when the class has one. The policy is not applied.
            debug_replaces_preprocessing: see the class attribute.

        Returns:
            ``{"status": "recorded" | "skipped", "run_id", "row", "tracker"}``: the row written
            or, for ``skipped``, the row found (``run_id`` is ``None`` when nothing trained). In
            debug mode ``{"status": "debug", "run_id": None, "row", "tracker": None}`` with the
            row that would have been written (``project`` as given: the slug is the engine's).

        Raises:
            ValidationError: before anything runs, for a missing or unknown ``on_duplicate``, a
                bad ``model_name`` or a missing stage; or for results that are not numbers.
            DuplicateModelError: ``on_duplicate="error"`` and the model name is taken.
            MlTrackingError: the store or the command line failed.
        """
        policy = _check_on_duplicate(on_duplicate, "on_duplicate")
        model_name = _check_model_name(self.model_name)
        if not isinstance(debug, bool):
            raise ValidationError(
                f"Invalid debug: {debug!r} is not True or False.", parameter="debug"
            )
        replaces = debug_replaces_preprocessing
        if replaces is None:
            replaces = getattr(
                self, "debug_skips_preprop_steps", self.debug_replaces_preprocessing
            )
        stages = self._stages(debug)
        self.validate()
        if self._running:
            raise ValidationError(
                f'Invalid run: experiment "{model_name}" is already running on this object. '
                "Create one experiment object per concurrent run.",
                parameter="run",
            )
        self._running = True
        self.debug = debug
        self.run_id = None
        self.logger = None
        self._tracker_values = {}
        self.hyperparameters = {**(self.hyperparameters or {}), **self._option_hyperparameters}
        try:
            if debug:
                return self._run_debug(model_name, stages, bool(replaces))
            return self._run_recorded(model_name, policy, stages, bool(replaces))
        finally:
            self._running = False
            self.logger = None

    def run_experiment(self, dupe_model_nms: Any = None, debug: bool = False, **options: Any):
        """model_tracker_framework's name for :meth:`run`: ``dupe_model_nms`` is
        ``on_duplicate`` (a string, or an enum member whose value or name is one)."""
        return self.run(on_duplicate=_policy_text(dupe_model_nms), debug=debug, **options)

    def _stages(self, debug: bool) -> Dict[str, Callable[..., Any]]:
        """Each stage's function: the class's own, else the original framework's name for it."""
        stages = {}
        for stage, alias in _STAGE_ALIASES.items():
            own = getattr(type(self), stage, None)
            if own is not None and own is not getattr(Experiment, stage, None):
                stages[stage] = getattr(self, stage)
            elif callable(getattr(self, alias, None)):
                stages[stage] = _flexible(getattr(self, alias))
            elif stage != "preprocess_debug":
                raise ValidationError(
                    f"Invalid {type(self).__name__}: it defines no {stage}() (nor {alias}()). "
                    f"Define {stage}() in the class.",
                    parameter=stage,
                )
        if not debug:
            stages.pop("preprocess_debug", None)
        return stages

    def _run_debug(self, model_name: str, stages, replaces: bool) -> Dict[str, Any]:
        started_at = _now()
        seconds, results = self._run_stages(stages, replaces)
        row = self._row(model_name, None, "debug", started_at, _now(), seconds, results)
        return {"status": "debug", "run_id": None, "row": row, "tracker": None}

    def _run_recorded(self, model_name: str, policy: str, stages, replaces: bool):
        store = [] if self.store is None else ["--store", os.fspath(self.store)]
        where = ["--project", self.project, "--model-name", model_name, "--on-duplicate", policy]
        check = _engine(["experiment", "check", "--json", *where, *store], model_name)
        if check.get("decision") == "skip":
            return {
                "status": "skipped",
                "run_id": None,
                "row": check["row"],
                "tracker": check["tracker"],
            }

        from ._run import Run

        run = Run(
            project=self.project,
            name=model_name,
            hyperparameters=self.hyperparameters,
            store=self.store,
            origin="experiment",
            experiment=model_name,
        )
        self.logger = run
        self.run_id = run.id
        try:
            seconds, results = self._run_stages(stages, replaces)
            summary = {f"stage_seconds/{stage}": value for stage, value in seconds.items()}
            summary.update(results)
            run.set_summary(summary)
        except BaseException as error:
            stage = getattr(error, "_ml_tracking_stage", "run")
            _finish_quietly(run, f"{stage} failed: {describe_error(error)}")
            raise
        ended_at = _now()
        try:
            run.flush()
            commit = _engine(
                ["experiment", "commit", "--json", *where, *store, "--run-id", run.id]
                + ["--metrics", json.dumps(results, allow_nan=False)]
                + ["--stage-seconds", json.dumps(seconds)]
                + ["--columns", json.dumps(self._tracker_values, allow_nan=False)]
                + ["--hyperparameters", json.dumps(json_safe(self.hyperparameters))]
                + ["--ended-at", ended_at],
                model_name,
            )
        except BaseException as error:
            reason = str(error) if isinstance(error, DuplicateModelError) else (
                f"its tracker row could not be recorded: {describe_error(error)}"
            )
            _finish_quietly(run, reason)
            raise
        run.finish()
        return {
            "status": commit["status"],
            "run_id": run.id,
            "row": commit["row"],
            "tracker": commit["tracker"],
        }

    def _run_stages(self, stages, replaces: bool) -> Tuple[Dict[str, float], Dict[str, float]]:
        seconds: Dict[str, float] = {}

        def timed(stage: str, *arguments: Any) -> Any:
            start = time.perf_counter()
            try:
                return stages[stage](*arguments)
            except BaseException as error:
                try:
                    error._ml_tracking_stage = stage  # type: ignore[attr-defined]
                except AttributeError:
                    pass
                raise
            finally:
                seconds[stage] = time.perf_counter() - start

        if "preprocess_debug" not in stages:
            data = timed("preprocess")
        elif replaces:
            data = timed("preprocess_debug")
        else:
            data = timed("preprocess_debug", timed("preprocess"))
        data = self._prepared(data)
        model = timed("train", data)
        start = time.perf_counter()
        try:
            returned = stages["evaluate"](model, data)
            # The original framework's evaluate_model leaves its results in self.results.
            results = _check_results(
                getattr(self, "results", None) if returned is None else returned
            )
        except BaseException as error:
            error._ml_tracking_stage = "evaluate"  # type: ignore[attr-defined]
            raise
        finally:
            seconds["evaluate"] = time.perf_counter() - start
        return seconds, results

    def _row(self, model_name, run_id, status, started_at, ended_at, seconds, results):
        """The row as the engine writes it (debug mode: what it would have written)."""
        row: Dict[str, Any] = {"model_name": model_name}
        if run_id is not None:
            row["run_id"] = run_id
        row.update(project=self.project, status=status, started_at=started_at, ended_at=ended_at)
        for stage in _STAGE_ALIASES:
            if stage in seconds:
                row[f"{stage}_seconds"] = seconds[stage]
        row.update(results)
        row.update(self._tracker_values)
        row["hyperparameters"] = json_safe(self.hyperparameters or {})
        return row


def _engine(arguments: List[str], model_name: str) -> Dict[str, Any]:
    """Runs an ``experiment`` command; its refusal under ``on_duplicate="error"`` becomes a
    :class:`DuplicateModelError` (other conflicts stay :class:`MlTrackingError`)."""
    try:
        return run_json(arguments)
    except MlTrackingError as error:
        if error.kind == "DuplicateModelError":
            raise DuplicateModelError(
                f'Cannot run experiment "{model_name}": the experiment tracker {error.path} '
                'already has a row for it, and on_duplicate is "error". Give the experiment '
                'another model_name, or run it with on_duplicate="overwrite" (replace the row), '
                '"duplicate" (add another row) or "skip" (keep the row, train nothing).',
                model_name=model_name,
                exit_code=error.exit_code,
                stderr=error.stderr,
                command=error.command,
                path=error.path,
                hint=error.hint,
                kind=error.kind,
            ) from None
        raise


def _check_on_duplicate(value: Any, parameter: str) -> str:
    if value in ON_DUPLICATE_VALUES:
        return value
    problem = "it is missing" if value is None else f"{value!r} is not a duplicate policy"
    raise ValidationError(
        f"Invalid {parameter}: {problem}. Pass {parameter}="
        + " | ".join(f'"{option}"' for option in ON_DUPLICATE_VALUES)
        + ": there is no default, say what a second run of the same model name should do.",
        parameter=parameter,
    )


def _policy_text(value: Any) -> Any:
    """``dupe_model_nms`` as text: an enum member's value or name (the original's
    ``ExperimentOption``), else as given."""
    for candidate in (getattr(value, "value", None), getattr(value, "name", None)):
        if isinstance(candidate, str) and candidate.lower() in ON_DUPLICATE_VALUES:
            return candidate.lower()
    return value


def _check_model_name(name: Any) -> str:
    if not isinstance(name, str) or not _MODEL_NAME.match(name):
        raise ValidationError(
            f"Invalid model_name: {name!r} is not a model name. Set model_name in the class to "
            "1-200 of A-Z a-z 0-9 . _ - starting with a letter or digit, e.g. "
            '"random-forest-200" (it names a folder of the store).',
            parameter="model_name",
        )
    return name


def _check_results(results: Any) -> Dict[str, float]:
    """evaluate()'s results: numbers by name (numpy scalars too). A non-finite one (NaN) is
    left out: JSON cannot carry it, and the tracker would show it empty anyway."""
    if not isinstance(results, Mapping):
        raise ValidationError(
            "Invalid evaluate(): it did not return a dict of results. Return results by name, "
            'e.g. {"accuracy": 0.91} (or set self.results).',
            parameter="evaluate()",
        )
    checked = {}
    for name, value in results.items():
        parameter = f'evaluate() result "{name}"'
        if not isinstance(name, str) or not name or name in EXPERIMENT_ROW_COLUMNS:
            raise ValidationError(
                f"Invalid {parameter}: the name is empty or one of the columns run() writes "
                f"itself. Rename it; these are taken: {', '.join(EXPERIMENT_ROW_COLUMNS)}.",
                parameter=parameter,
            )
        number = scalar(value)
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise ValidationError(
                f"Invalid {parameter}: {value!r} is not a number. Return numbers only; record "
                "other values with set_tracker_value().",
                parameter=parameter,
            )
        if math.isfinite(number):
            checked[name] = number
    return checked


def _flexible(function: Callable[..., Any]) -> Callable[..., Any]:
    """An original-framework stage, called with as many of the arguments as it takes (its
    methods often read ``self`` instead)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return function
    if any(parameter.kind is parameter.VAR_POSITIONAL for parameter in parameters):
        return function
    count = sum(
        parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        for parameter in parameters
    )
    return lambda *arguments: function(*arguments[:count])


def _finish_quietly(run: Any, error: str) -> None:
    """Fails the run; the exception that stopped it matters more than a failed final write."""
    try:
        run.finish("failed", error=error)
    except Exception:  # noqa: BLE001 - the original error is raised by the caller
        pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
