"""Benign findings that repeat on many IKE SAs, told once.

On a gateway's log of two hundred clients, NAT detection and dead peer
detection show up on nearly every IKE SA; four hundred boxes that say the
same thing bury the five that matter. Info findings of one kind that agree
in topic (the summary without what is particular to one SA), explanation
and fix are therefore made one finding that names every SA and cites a few
of their lines as examples.

Errors and warnings are never grouped: each SA's stays its own, with all
its evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Finding, Kind, Severity

#: SAs named in a group's summary before "and N more".
NAMED = 10

#: SAs whose first evidence line a group cites.
EXAMPLES = 3

_Key = tuple[Kind, str, str, str]


def grouped(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` with identical info findings of several SAs made one.

    A group takes the place of its first member; the rest keep their order.
    """
    found = list(findings)
    members: dict[_Key, list[Finding]] = {}
    for f in found:
        key = _key(f)
        if key is not None:
            members.setdefault(key, []).append(f)
    out: list[Finding] = []
    for f in found:
        key = _key(f)
        group = members[key] if key is not None else [f]
        if len(group) < 2:
            out.append(f)
        elif group[0] is f:
            out.append(merge(group))
    return out


def _key(f: Finding) -> _Key | None:
    if f.severity is not Severity.INFO or f.ike_sa is None or f.group:
        return None
    return (f.kind, f.topic or f.summary, f.explanation, f.fix)


def merge(group: list[Finding]) -> Finding:
    """One finding for the members of a group (same kind, topic, advice)."""
    first = group[0]
    labels = tuple(f.ike_sa or "" for f in group)
    names = list(dict.fromkeys(_name(f) for f in group))
    topic = first.topic or first.summary
    more = len(names) - NAMED
    summary = f"{topic}, on {len(group)} IKE SAs: {', '.join(names[:NAMED])}" + (
        f" and {more} more" if more > 0 else ""
    )
    examples = sorted(
        {f.evidence[0] for f in group[:EXAMPLES] if f.evidence},
        key=lambda e: e.line,
    )
    shown = min(EXAMPLES, len(group))
    return Finding(
        first.kind,
        first.severity,
        labels[0],
        tuple(examples),
        summary,
        first.explanation
        + f" (The evidence is one line from each of the first {shown} SAs.)",
        first.fix,
        topic=topic,
        group=labels,
    )


def _name(f: Finding) -> str:
    """An SA's label, with its first line where the log shows no unique id
    (every such SA is ``(unnamed)[?]``)."""
    label = f.ike_sa or "?"
    return f"{label} at line {f.first_line}" if label.endswith("[?]") else label
