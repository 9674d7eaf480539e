"""``Model`` and ``DataLoader``: the two classes a model script extends."""

from __future__ import annotations

import sys
from typing import Any, Mapping


class DataLoader:
    """The data a version trains and is tested on. Subclass it: the pipeline asks for the sample
    counts to report progress in steps and epochs (``batch_size`` samples a step)."""

    def get_train_sample_count(self) -> int:
        """Training samples: ``ceil(count / batch_size)`` steps make an epoch."""
        raise NotImplementedError(f"{type(self).__name__}.get_train_sample_count()")

    def get_test_sample_count(self) -> int:
        """Test samples."""
        raise NotImplementedError(f"{type(self).__name__}.get_test_sample_count()")

    def get_train_input(self, **kwargs: Any) -> Any:
        """The training data, in whatever form the model takes."""
        raise NotImplementedError(f"{type(self).__name__}.get_train_input()")

    def get_test_input(self, **kwargs: Any) -> Any:
        """The test data, in whatever form the model takes."""
        raise NotImplementedError(f"{type(self).__name__}.get_test_input()")


#: The original mlpipeline's other spelling (``mlpipeline.helper.Dataloader``).
Dataloader = DataLoader


class Model:
    """A model of a script: set ``MODEL = YourModel()``. Each version runs in a process of its
    own, so what ``train_model`` keeps on ``self`` reaches that version's ``evaluate_model`` and
    no other."""

    def train_model(self, ctx: Any) -> None:
        """Trains one version: ``ctx.version`` (a dict: ``name``, ``batch_size``,
        ``epoc_count``, ``dataloader``, ...), ``ctx.model_dir``, ``ctx.outputs``, ``ctx.run``
        (``ctx.run.add_scalar("loss", loss, step)``, steps of ``batch_size`` samples),
        ``ctx.mode``, ``ctx.steps_per_epoch``, ``ctx.train_sample_count``, ``ctx.log()``."""
        raise NotImplementedError(f"{type(self).__name__}.train_model(ctx)")

    def evaluate_model(self, ctx: Any) -> Mapping[str, float]:
        """Returns the version's metrics by name, e.g. ``{"accuracy": 0.93}``: its results."""
        raise NotImplementedError(f"{type(self).__name__}.evaluate_model(ctx)")

    def log(self, message: Any) -> None:
        """Writes a line to the pipeline's log (the same as ``ctx.log``)."""
        write_log(message)


def write_log(message: Any) -> None:
    """Each line of ``message`` as a line of output, at once: the pipeline's log is read from
    standard output, which a pipe otherwise holds until it is full."""
    for line in str(message).splitlines() or [""]:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
