"""Experiment classes: training code in stages, recorded as a run and a row of the project's
experiment tracker, with the same semantics as the TypeScript ``Experiment``.

    from ml_tracking.experiments import Experiment

    class Forest(Experiment):
        model_name = "rf-200"
        def preprocess(self): ...                    # -> data
        def preprocess_debug(self, data=None): ...   # optional
        def train(self, data): ...                   # -> model
        def evaluate(self, model, data): ...         # -> {"accuracy": 0.9, ...}

    result = Forest(project="soil", store=STORE).run(on_duplicate="skip")
    # {"status": "recorded" | "skipped", "run_id", "row", "tracker"}

The engine does what touches the tracker: ``ml-tracking experiment check`` applies the duplicate
policy before any stage, and ``ml-tracking experiment commit`` records the row last, by the same
compare-and-swap as TypeScript's ``Experiment.run``. The stages run here, in a run of
``start_run()``'s kind; debug mode calls no command at all.

The names of model_tracker_framework's ``ModelExperimentBase`` work as aliases:
``run_experiment(dupe_model_nms=...)`` for ``run(on_duplicate=...)``, and a class may define
``preprocessing_steps``, ``preprocessing_debug``, ``train_model`` and ``evaluate_model`` instead
of ``preprocess``, ``preprocess_debug``, ``train`` and ``evaluate`` (taking the same arguments,
or none), set ``debug_skips_preprop_steps`` for ``debug_replaces_preprocessing``, and leave its
results in ``self.results`` instead of returning them.
"""

from ._errors import DuplicateModelError
from ._experiment import EXPERIMENT_ROW_COLUMNS, ON_DUPLICATE_VALUES, Experiment
from ._supervised_experiment import SupervisedExperiment

__all__ = [
    "DuplicateModelError",
    "EXPERIMENT_ROW_COLUMNS",
    "Experiment",
    "ON_DUPLICATE_VALUES",
    "SupervisedExperiment",
]
