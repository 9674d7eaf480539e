"""``Versions``: a script's named parameter sets, as the original mlpipeline declared them."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional


class Versions:
    """The versions of a model script: ``VERSIONS = Versions()``, then one
    :meth:`add_version` per version. The pipeline checks them when it loads the script, naming
    the script, the version and the field of any mistake."""

    def __init__(self) -> None:
        self._versions: List[Dict[str, Any]] = []

    def add_version(
        self,
        name: str,
        dataloader: Any = None,
        batch_size: Any = None,
        epoc_count: Any = None,
        model_dir_suffix: Optional[str] = None,
        order: Any = None,
        **other: Any,
    ) -> None:
        """Adds a version.

        Args:
            name: 1-100 of ``A-Z a-z 0-9 . _ -``, starting with a letter or digit; unique.
            dataloader: a :class:`DataLoader` instance (its sample counts give the steps).
            batch_size: samples per training step, a whole number of 1 or more.
            epoc_count: passes over the training data, a whole number of 1 or more.
            model_dir_suffix: versions with the same suffix share a model folder in execution
                mode (``<script>-<suffix>``); without one they share the script's.
            order: versions with an order run first, lowest first; the others as added.
            other: any other parameter, handed to the model in ``ctx.version`` and recorded as
                the run's hyperparameters when JSON can hold it.
        """
        version: Dict[str, Any] = {
            "name": name,
            "dataloader": dataloader,
            "batch_size": batch_size,
            "epoc_count": epoc_count,
            "model_dir_suffix": model_dir_suffix,
            "order": order,
        }
        version.update(other)
        self._versions.append(version)

    def get_version(self, name: str) -> Dict[str, Any]:
        """The version of this name (``KeyError`` when there is none)."""
        for version in self._versions:
            if version["name"] == name:
                return version
        raise KeyError(name)

    def names(self) -> List[str]:
        """The versions' names, as added."""
        return [version["name"] for version in self._versions]

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self._versions)

    def __len__(self) -> int:
        return len(self._versions)

    def __repr__(self) -> str:
        return f"<Versions {', '.join(map(str, self.names())) or '(none)'}>"
