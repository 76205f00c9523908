"""Write the tables of a trace as CSV or Parquet files, one per table.

``ikelog analyze --csv DIR`` and ``--parquet DIR`` call :func:`write_tables`
for people who read the tables with other tools. Each table of
:class:`ikelog.frames.Tables` becomes ``DIR/<table>.csv`` or
``DIR/<table>.parquet``.

In CSV files times are ISO 8601 text, missing values are empty cells and
categoricals are their text. Parquet keeps the dtypes (timestamps,
dictionary-encoded categoricals, nullable integers); it needs pyarrow, an
optional extra (``pip install 'ikelog[parquet]'``). The ``body`` column of
the events table holds Python objects; both formats get its ``repr``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: The formats :func:`write_tables` knows, by file suffix.
FORMATS = ("csv", "parquet")


def write_tables(
    tables: Mapping[str, pd.DataFrame], directory: str | Path, fmt: str
) -> list[Path]:
    """Write each table to ``directory/<name>.<fmt>``; return the paths.

    ``directory`` is created if needed. Raises :class:`ImportError` naming
    the ``parquet`` extra when pyarrow is missing.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise ImportError(
            "writing Parquet needs pyarrow: pip install 'ikelog[parquet]'"
        )
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = folder / f"{name}.{fmt}"
        plain = _portable(frame)
        if fmt == "csv":
            plain.to_csv(path, index=name == "ike_sas")
        else:
            plain.to_parquet(path, engine="pyarrow", index=name == "ike_sas")
        written.append(path)
    return written


def _portable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with Python-object columns turned into their ``repr``."""
    objects = [c for c in frame.columns if frame[c].dtype == object]
    if not objects:
        return frame
    out = frame.copy(deep=False)
    for column in objects:
        out[column] = frame[column].map(repr).astype("string")
    return out
