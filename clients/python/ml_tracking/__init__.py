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

Inside a training loop run by ``ml-tracking exec`` or a sweep, ``report_scalar("loss", loss,
step)`` records a step series (one JSON line on standard output; no CLI call).
"""

from ._cli import CLI_ENVIRONMENT_VARIABLE
from ._errors import MlTrackingError, MlTrackingWarning, ValidationError
from ._log import log_experiment
from ._report import report_scalar, report_scalars, report_summary

__all__ = [
    "CLI_ENVIRONMENT_VARIABLE",
    "MlTrackingError",
    "MlTrackingWarning",
    "ValidationError",
    "log_experiment",
    "report_scalar",
    "report_scalars",
    "report_summary",
]
__version__ = "0.1.0"
