"""ikelog: make sense of strongSwan charon (IKE/IPsec) logs.

>>> import ikelog
>>> trace = ikelog.load("samples/windows-eap-mschapv2.log")
>>> [sa.label for sa in trace.ike_sas]
['eap[3]']
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from .replay.machine import Replay
from .sources import EventReader, InputError, open_text
from .trace import Trace

__all__ = ["InputError", "Trace", "load", "read_lines"]
__version__ = "0.1.0"


def read_lines(
    lines: Iterable[str],
    *,
    source: str = "<lines>",
    layout: str | None = None,
    year: int = 1900,
) -> Trace:
    """Replay an iterable of log lines (the sans-IO entry point)."""
    reader = EventReader(lines, layout=layout, year=year)
    # the replay makes many small objects and few cycles: the cyclic
    # collector would only slow it down
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        replay = Replay().feed_all(reader)
    finally:
        if was_enabled:
            gc.enable()
    return Trace(source, reader.layout, reader.counts, replay)


def load(
    path: str | Path, *, layout: str | None = None, year: int | None = None
) -> Trace:
    """Read and replay one charon log file (``-`` for stdin).

    ``layout`` forces a line layout (see ``ikelog.sources.LAYOUTS``);
    ``year`` completes timestamps that carry none (default: the year of
    the file's modification time).
    """
    if year is None:
        year = _file_year(path)
    return read_lines(open_text(path), source=str(path), layout=layout, year=year)


def _file_year(path: str | Path) -> int:
    from datetime import datetime

    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime).year
    except (OSError, ValueError):
        return datetime.now().year
