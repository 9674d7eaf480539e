"""Log machine-learning experiments from Python into an ml-tracking store.

A thin client of the ``ml-tracking`` command line (Node): it needs nothing but the standard
library, and reads numpy arrays and pandas Series without importing either.

    from ml_tracking import log_experiment

    result = log_experiment(
        "classification",
        "soil texture",
        {"dataset_uri": "gs://bucket/soil.csv", "target_column": "texture",
         "test_set": X_test.index, "model": model},
        y_test,
        model.predict(X_test),
        y_score=model.predict_proba(X_test),
    )
    result["scores"]["roc_auc"]

A training loop records a run with no wrapper command:

    from ml_tracking import start_run

    with start_run(project="soil texture", hyperparameters={"lr": 1e-3}) as run:
        for step in range(epochs):
            run.add_scalar("loss", loss, step)

(``ExperimentLogger(logdir="runs")`` is the same run under the original logger's name.) Under
``ml-tracking exec`` or a sweep the run joins the parent's; ``report_scalar("loss", loss, step)``
reports to the active run, or prints one protocol line for ``exec`` to read.

Registered classes train and record a run that its id reproduces (see ``train_model``)::

    from ml_tracking import registry, train_model

    @registry.model("ModelImpl1")
    class Model: ...

    out = train_model(model="ModelImpl1", dataset="DataAccessObjectImpl1", kind="classification",
                      project="p", seed=1)
    again = train_model(run_id=out["run_id"])
"""

from ._cli import CLI_ENVIRONMENT_VARIABLE
from ._errors import DuplicateModelError, MlTrackingError, MlTrackingWarning, ValidationError
from ._log import log_experiment
from ._report import report_scalar, report_scalars, report_summary
from ._run import ExperimentLogger, Run, active_run, start_run
from ._train_model import train_model
from .query import query
from . import registry

__all__ = [
    "CLI_ENVIRONMENT_VARIABLE",
    "DuplicateModelError",
    "ExperimentLogger",
    "MlTrackingError",
    "MlTrackingWarning",
    "Run",
    "ValidationError",
    "active_run",
    "log_experiment",
    "query",
    "report_scalar",
    "report_scalars",
    "report_summary",
    "registry",
    "start_run",
    "train_model",
]
__version__ = "0.1.0"
