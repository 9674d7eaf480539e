"""``ctx``: what ``train_model`` and ``evaluate_model`` receive for one version, and
``ctx.outputs``, the model's files to keep."""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Union

from .._errors import ValidationError
from ._model import write_log

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\\]")


class Outputs:
    """Files to keep with the model's results (plots, weights). Execution mode keeps them in the
    store, in ``pipeline-models/<project>/<script>[-<suffix>]/``; test mode in a temporary folder.

    Files are written to a local folder first; in execution mode the pipeline copies each into
    the store when the version ends (its process is the one writer of the store).

    Attributes:
        uri: the folder's URI (``gs://…/``, ``file://…/``).
        temporary: ``True`` in test mode: nothing is kept.
        written: the names written so far, in order.
    """

    def __init__(
        self, folder: str, uri: str, temporary: bool, store_folder: Optional[str] = None
    ) -> None:
        self._folder = folder
        self._store_folder = store_folder
        self.uri = uri
        self.temporary = temporary
        self.written: List[str] = []

    def write(self, name: str, data: Union[bytes, bytearray, str]) -> str:
        """Writes one file (replacing one of the same name) and returns :meth:`path`.

        ``name`` is relative and ``/``-separated, e.g. ``"plots/loss.png"``; text is written as
        UTF-8. Raises :class:`ValidationError` for a name that is absolute or leaves the folder,
        or data that is neither bytes nor text."""
        target = self.local_path(name)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray)):
            raise ValidationError(
                f"Invalid data: a {type(data).__name__} is not bytes or text. Pass bytes or a "
                "str, or save with your library to ctx.outputs.local_path(name).",
                parameter="data",
            )
        with open(target, "wb") as file:
            file.write(data)
        return self.path(name)

    def local_path(self, name: str) -> str:
        """A local file path for ``name`` (its folder made), for libraries that save to a path
        (``torch.save(model, ctx.outputs.local_path("model.pt"))``): the file is kept as the
        output ``name``."""
        target = os.path.join(self._folder, *_check_name(name).split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if name not in self.written:
            self.written.append(name)
        return target

    def path(self, name: str) -> str:
        """Where ``name`` is kept: its path in the store, or its local path in test mode."""
        _check_name(name)
        if self._store_folder is not None:
            return self._store_folder + name
        return os.path.join(self._folder, *name.split("/"))

    def __repr__(self) -> str:
        return f"<Outputs {self.uri}>"


def _check_name(name: Any) -> str:
    fix = 'Pass a relative file name such as "plots/loss.png" or "model.json".'
    if not isinstance(name, str) or name == "":
        raise ValidationError(
            f"Invalid name: the output file name is missing. {fix}", parameter="name"
        )
    if _UNSAFE_NAME.search(name) or name.startswith("/"):
        raise ValidationError(
            f"Invalid name: {name!r} is absolute or has a backslash or control character. {fix}",
            parameter="name",
        )
    if any(segment == "" or segment.startswith(".") for segment in name.split("/")):
        raise ValidationError(
            f'Invalid name: {name!r} has an empty segment or one that starts with ".". {fix}',
            parameter="name",
        )
    return name


class Context:
    """What ``train_model(ctx)`` and ``evaluate_model(ctx)`` receive for one version.

    Attributes:
        script: the script's name (its file name without ``.py``).
        version: the version as the script added it: a dict with ``name``, ``dataloader``,
            ``batch_size``, ``epoc_count``, ``model_dir_suffix``, ``order`` and any other
            parameter.
        mode: ``"test"`` (nothing recorded) or ``"execution"`` (``-r``: a run per version).
        model_dir: a local folder for checkpoints. Execution mode:
            ``<checkpointDir>/<script>[-<model_dir_suffix>]``, kept between versions and runs;
            test mode: a temporary folder, emptied before each version.
        outputs: the model's files to keep (:class:`Outputs`).
        run: the version's run: ``ctx.run.add_scalar("loss", value, step)``, steps being
            training steps of ``batch_size`` samples (the pipeline reports epochs from them).
        train_sample_count, test_sample_count: from the data loader.
        steps_per_epoch: ``ceil(train_sample_count / batch_size)``.
    """

    def __init__(
        self,
        script: str,
        version: Dict[str, Any],
        mode: str,
        model_dir: str,
        outputs: Outputs,
        run: Any,
        train_sample_count: int,
        test_sample_count: int,
        steps_per_epoch: int,
    ) -> None:
        self.script = script
        self.version = version
        self.mode = mode
        self.model_dir = model_dir
        self.outputs = outputs
        self.run = run
        self.train_sample_count = train_sample_count
        self.test_sample_count = test_sample_count
        self.steps_per_epoch = steps_per_epoch

    def log(self, message: Any) -> None:
        """Writes a line to the pipeline's log (``outputs/log-<hostname>``, timestamped, and the
        run's log)."""
        write_log(message)

    def __repr__(self) -> str:
        return f"<Context {self.script}:{self.version.get('name')} {self.mode}>"
