"""Small pieces every view of an exchange shows the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.table import Table

from ..replay.model import Exchange


def compact_table(title: str | None = None) -> Table:
    """A table light on borders, so narrow output (80 columns through a
    pipe) keeps its values whole."""
    return Table(
        title=title,
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )


def fixed_column(table: Table, header: str = "", **options: Any) -> None:
    """A column of short values that must be read whole (labels, states,
    endpoints, SPIs, counts): never wrapped, never cut."""
    table.add_column(header, no_wrap=True, overflow="fold", **options)


def long_column(table: Table, header: str = "", **options: Any) -> None:
    """A column of long values (identities, reasons, text): it takes the
    room the fixed columns leave, wraps at spaces and folds what is longer
    than its width, without an ellipsis."""
    options.setdefault("ratio", 1)
    table.add_column(header, overflow="fold", **options)


def exchange_notes(x: Exchange, *, request: bool) -> list[str]:
    """What to say next to a request or a response besides its payloads:
    fragments, size, retransmits, COOKIE and INVALID_KE round trips."""
    notes = []
    frags = x.request_fragments if request else x.response_fragments
    if frags:
        notes.append(f"{frags} fragments")
    size = x.request_size if request else x.response_size
    if size:
        notes.append(f"{size} B")
    if request and x.retransmits:
        notes.append(f"{x.retransmits} retransmits")
    if not request and x.cookie_challenges and not x.challenges:
        notes.append(f"{x.cookie_challenges} COOKIE")  # a stateless one
    return notes


def lines_note(lines: Sequence[int], limit: int = 6) -> str:
    """``line 7`` or ``lines 7, 9, ...`` (at most ``limit`` numbers)."""
    shown = ", ".join(map(str, lines[:limit]))
    more = ", ..." if len(lines) > limit else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"
