"""Model scripts for ``ml-tracking pipeline``, with the original mlpipeline's names.

A model script is a ``.py`` file in a models folder (one starting with ``_`` is a helper) that
sets ``MODEL`` and ``VERSIONS``::

    from ml_tracking.pipeline import Model, DataLoader, Versions

    class Loader(DataLoader):
        def get_train_sample_count(self): return 40
        def get_test_sample_count(self): return 10
        def get_train_input(self, **kwargs): ...
        def get_test_input(self, **kwargs): ...

    class Sample(Model):
        def train_model(self, ctx):
            for step in range(1, ctx.version["epoc_count"] * ctx.steps_per_epoch + 1):
                ctx.run.add_scalar("loss", 1 / step, step)
        def evaluate_model(self, ctx):
            return {"accuracy": 0.93}

    MODEL = Sample()
    VERSIONS = Versions()
    VERSIONS.add_version("small", dataloader=Loader(), batch_size=8, epoc_count=2)

The pipeline (TypeScript) describes the versions and runs each one in a Python process of its
own through ``ml_tracking.pipeline._harness``; what a version records travels to the pipeline's
run as protocol lines (Python never writes the store).
"""

from ._context import Context, Outputs
from ._model import DataLoader, Dataloader, Model
from ._versions import Versions

__all__ = ["Context", "DataLoader", "Dataloader", "Model", "Outputs", "Versions"]
