"""Small pieces every view of an exchange shows the same way."""

from __future__ import annotations

from ..replay.model import Exchange


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
