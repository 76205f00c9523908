"""ikelog: make sense of strongSwan charon (IKE/IPsec) logs.

>>> import ikelog
>>> trace = ikelog.load("samples/windows-eap-mschapv2.log")
>>> [sa.label for sa in trace.ike_sas]
['eap[3]']
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from pathlib import Path

from .replay.machine import Replay
from .sources import EventReader, InputError, keeping, open_text
from .trace import Trace

__all__ = ["InputError", "Trace", "load", "read_lines"]
__version__ = "0.1.0"


def read_lines(
    lines: Iterable[str],
    *,
    source: str = "<lines>",
    layout: str | None = None,
    year: int = 1900,
    keep_events: bool = True,
) -> Trace:
    """Replay an iterable of log lines (the sans-IO entry point).

    ``keep_events`` keeps every line's event in ``Trace.events`` (for the
    ``events`` table); without it the events are only streamed through.
    """
    texts: list[str] = []
    if keep_events:
        lines = keeping(lines, texts)
    reader = EventReader(lines, layout=layout, year=year)
    # the replay makes many small objects and few cycles: the cyclic
    # collector would only slow it down
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        events = list(reader) if keep_events else None
        replay = Replay().feed_all(reader if events is None else events)
    finally:
        if was_enabled:
            gc.enable()
    trace = Trace(source, reader.layout, reader.counts, replay, events)
    trace.newest_first = reader.newest_first
    trace.texts = [texts] if keep_events else []
    return trace


def load(
    path_or_paths: str | Path | Sequence[str | Path],
    *,
    layout: str | None = None,
    year: int | None = None,
    keep_events: bool = True,
) -> Trace:
    """Read and replay a charon log file (``-`` for stdin), or several.

    ``layout`` forces a line layout (see ``ikelog.sources.LAYOUTS``);
    ``year`` completes timestamps that carry none (default: the year of
    the first file's modification time); ``keep_events`` as for
    :func:`read_lines`.
    """
    paths = (
        [path_or_paths]
        if isinstance(path_or_paths, str | Path)
        else list(path_or_paths)
    )
    if not paths:
        raise InputError("no log file given")
    if year is None:
        year = _file_year(paths[0])
    if len(paths) > 1:
        # one daemon's pieces are merged in time order, several daemons'
        # logs are replayed apart and their SAs paired (see combine.py)
        from .combine import load_many

        return load_many(paths, layout=layout, year=year)
    return read_lines(
        open_text(paths[0]),
        source=str(paths[0]),
        layout=layout,
        year=year,
        keep_events=keep_events,
    )


def _file_year(path: str | Path) -> int:
    from datetime import datetime

    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime).year
    except (OSError, ValueError):
        return datetime.now().year
