"""SQL over the store: ``query("SELECT …")`` runs ``ml-tracking query --json`` and returns its rows."""

from __future__ import annotations

import importlib.util
import json
from typing import Any, Dict, List, Optional

from ._cli import run_cli
from ._errors import MlTrackingError


def _pandas_installed() -> bool:
    """Whether pandas can be imported, found without importing it (it takes a second)."""
    return importlib.util.find_spec("pandas") is not None


def query(sql: str, store: Optional[str] = None, as_pandas: Optional[bool] = None) -> Any:
    """Runs one SQL query (DuckDB's dialect) over the store's tables and returns its rows.

    The views are the store's tables: ``experiments`` (every tracker, both kinds), ``scoring``,
    ``predictions``, ``confusion``, ``runs``, ``scalars``, ``sweeps`` and ``model_runs``;
    ``ml-tracking query --tables`` lists their columns. A query only reads.

        from ml_tracking import query

        best = query("SELECT model, max(f1_macro) AS f1 FROM experiments GROUP BY model",
                     store="gs://bucket/ml")

    Args:
        sql: one SELECT statement.
        store: the store's URL or folder; default ``$ML_TRACKING_STORE``, else ``./ml-tracking``.
        as_pandas: ``True`` for a pandas DataFrame, ``False`` for a list of dicts; ``None``
            (default) gives a DataFrame when pandas is installed and a list otherwise. pandas is
            imported only for a DataFrame. Pass it explicitly in code that runs on machines
            that differ.

    Values are what JSON carries: integers and floats, text, booleans, ``None``; times are ISO
    8601 text in UTC (``pandas.to_datetime`` reads them), dates ``YYYY-MM-DD``, JSON columns their
    text.

    Raises:
        ValidationError: the statement does not parse, is not one SELECT, or names a view or
            column that does not exist (``parameter`` is ``"sql"``).
        MlTrackingError: the store cannot be read (a local folder that does not exist, …).
    """
    arguments = ["query", "--json"]
    if store is not None:
        arguments += ["--store", store]
    # After `--`, a statement that starts with a comment (`-- …`) is not taken for a flag.
    finished, command = run_cli(arguments + ["--", sql])
    try:
        rows: List[Dict[str, Any]] = json.loads(finished.stdout)
    except ValueError as error:
        raise MlTrackingError(
            "The ml-tracking command line printed no JSON rows (is it older than `ml-tracking "
            f"query`?): {finished.stdout.strip()[:200]!r}",
            exit_code=finished.returncode,
            stderr=finished.stderr,
            command=command,
        ) from error
    if as_pandas is False or (as_pandas is None and not _pandas_installed()):
        return rows
    try:
        import pandas  # pylint: disable=import-outside-toplevel
    except ImportError as error:
        raise MlTrackingError(
            "query(..., as_pandas=True) needs pandas, which is not installed: install it, or "
            "pass as_pandas=False for a list of dicts."
        ) from error
    return pandas.DataFrame.from_records(rows)
