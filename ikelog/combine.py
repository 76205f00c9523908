"""Several logs at once: one daemon's pieces, or the two ends of a tunnel.

Each input is read on its own (its own layout, its own line numbers) and
replayed once to learn which daemon wrote it: logs whose IKE SAs share a
local address come from one daemon. Their events are merged in time order
and replayed together; the same event written into two of them (the
daemon logging to a file and to syslog) is passed on once. Logs of
different daemons are replayed apart, and their IKE SAs are paired up:
by CHILD SA SPIs (one side's inbound SPI is the other's outbound), else by
mirrored endpoints at the same time. The result is one :class:`Trace`
whose IKE SAs name their source and whose ``correlations`` list the pairs.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

from . import events as ev
from .replay.attribution import host_of
from .replay.machine import Replay
from .replay.model import IkeSa
from .sources import EventReader, LineCounts, keeping, merge_events, open_text
from .trace import Correlation, Trace

#: How far apart two peers' first lines of one IKE SA may be.
PEER_SLACK = timedelta(seconds=5)


@dataclass
class _Input:
    path: str
    index: int
    layout: str
    counts: LineCounts
    events: list[ev.Event]
    newest_first: bool
    replay: Replay
    texts: list[str]


def load_many(paths: Sequence[str | Path], *, layout: str | None, year: int) -> Trace:
    """Read, group by daemon, replay and correlate several logs."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        inputs = [_read(p, i, layout, year) for i, p in enumerate(paths)]
        groups = _by_daemon(inputs)
        replays = [_replay_group(g) for g in groups]
    finally:
        if was_enabled:
            gc.enable()
    return _combine(inputs, groups, replays)


def _read(path: str | Path, index: int, layout: str | None, year: int) -> _Input:
    texts: list[str] = []
    lines = keeping(open_text(path), texts)
    reader = EventReader(lines, layout=layout, year=year, source=index)
    events = list(reader)
    replay = Replay().feed_all(events)
    return _Input(
        str(path),
        index,
        reader.layout,
        reader.counts,
        events,
        reader.newest_first,
        replay,
        texts,
    )


def _local_hosts(replay: Replay) -> set[str]:
    return {h for sa in replay.sas if (h := host_of(sa.local)) is not None}


def _by_daemon(inputs: list[_Input]) -> list[list[_Input]]:
    """Inputs of one daemon together, in command-line order."""
    groups: list[list[_Input]] = []
    hosts: list[set[str]] = []
    for inp in inputs:
        mine = _local_hosts(inp.replay)
        for group, known in zip(groups, hosts, strict=True):
            if not mine or mine & known:
                group.append(inp)
                known |= mine
                break
        else:
            groups.append([inp])
            hosts.append(set(mine))
    return groups


def _replay_group(group: list[_Input]) -> tuple[Replay, list[ev.Event], int]:
    if len(group) == 1:
        return group[0].replay, group[0].events, 0
    pieces = sorted(group, key=lambda g: _span(g)[0])
    if all(_span(a)[1] <= _span(b)[0] for a, b in pairwise(pieces)):
        # rotated pieces: one after the other, whatever the command line said
        merged = [e for g in pieces for e in g.events]
    else:
        # the daemon wrote to several places at once: interleave by time
        merged = list(merge_events([g.events for g in group]))
    kept, duplicates = _once(merged)
    return Replay().feed_all(kept), kept, duplicates


def _span(inp: _Input) -> tuple[datetime, datetime]:
    stamps = [e.ts for e in inp.events if e.ts is not None]
    if not stamps:
        return datetime.min, datetime.min
    return min(stamps), max(stamps)


def _once(events: Iterable[ev.Event]) -> tuple[list[ev.Event], int]:
    """Drop an event that another input of the same daemon already had.

    Two loggers of one daemon stamp the same message within the same
    second (one may have milliseconds, the other not).
    """
    kept: list[ev.Event] = []
    recent: dict[tuple[int, object], int] = {}
    duplicates = 0
    for e in events:
        second = e.ts.replace(microsecond=0) if e.ts is not None else None
        key = (id(e.body), second)
        source = recent.get(key)
        if source is not None and source != e.source and type(e.body) is not ev.Foreign:
            duplicates += 1
            continue
        recent[key] = e.source
        if len(recent) > 4096:
            recent.clear()  # only nearby lines can repeat each other
        kept.append(e)
    return kept, duplicates


def _combine(
    inputs: list[_Input],
    groups: list[list[_Input]],
    replays: list[tuple[Replay, list[ev.Event], int]],
) -> Trace:
    counts = LineCounts()
    for inp in inputs:
        c = inp.counts
        counts.total += c.total
        counts.understood += c.understood
        counts.unrecognized += c.unrecognized
        counts.foreign += c.foreign
        counts.duplicates += c.duplicates
        counts.replaced_bytes += c.replaced_bytes
    counts.duplicates += sum(d for _, _, d in replays)

    # each daemon's own SAs and events, before they are put together
    daemons = [(list(r.sas), list(e)) for r, e, _ in replays]

    # one replay holds every group's SAs, each naming its files
    combined = replays[0][0]
    events = list(replays[0][1])
    for group, (replay, _, _) in zip(groups, replays, strict=True):
        label = ", ".join(g.path for g in group)
        for sa in replay.sas:
            sa.source = label
    for replay, group_events, _ in replays[1:]:
        combined.sas.extend(replay.sas)
        combined.leases.extend(replay.leases)
        combined.ambiguous.extend(replay.ambiguous)
        events.extend(group_events)
        if replay.first_ts and (
            combined.first_ts is None or replay.first_ts < combined.first_ts
        ):
            combined.first_ts = replay.first_ts
        if replay.last_ts and (
            combined.last_ts is None or replay.last_ts > combined.last_ts
        ):
            combined.last_ts = replay.last_ts

    layouts = list(dict.fromkeys(inp.layout for inp in inputs))
    trace = Trace(
        ", ".join(inp.path for inp in inputs),
        "+".join(layouts),
        counts,
        combined,
        events,
    )
    trace.newest_first = any(inp.newest_first for inp in inputs)
    trace.texts = [inp.texts for inp in inputs]
    trace.sources = [inp.path for inp in sorted(inputs, key=lambda i: i.index)]
    trace.correlations = list(_pairs([r for r, _, _ in replays]))
    if len(replays) > 1:
        trace.daemons = daemons
    return trace


def _pairs(replays: list[Replay]) -> Iterator[Correlation]:
    """IKE SAs of different daemons that are the two ends of one SA.

    CHILD SA SPIs decide first (NAT cannot change them); what is left is
    paired by mirrored endpoints, closest start first.
    """
    for i, mine in enumerate(replays):
        for theirs in replays[i + 1 :]:
            taken: set[int] = set()
            paired: set[int] = set()
            for a in mine.sas:
                for b in theirs.sas:
                    if id(b) not in taken and _same_spis(a, b):
                        taken.add(id(b))
                        paired.add(id(a))
                        yield Correlation(a, b, "CHILD SA SPIs")
                        break
            for a in mine.sas:
                if id(a) in paired:
                    continue
                near = [
                    (gap, n, b)
                    for n, b in enumerate(theirs.sas)
                    if id(b) not in taken and (gap := _mirror_gap(a, b)) is not None
                ]
                if near:
                    _, _, b = min(near, key=lambda t: (t[0], t[1]))
                    taken.add(id(b))
                    yield Correlation(a, b, "endpoints and time")


def _same_spis(a: IkeSa, b: IkeSa) -> bool:
    spis_a = {(c.spi_in, c.spi_out) for c in a.child_sas if c.spi_in}
    spis_b = {(c.spi_out, c.spi_in) for c in b.child_sas if c.spi_in}
    return bool(spis_a & spis_b)


def _mirror_gap(a: IkeSa, b: IkeSa) -> timedelta | None:
    """How far apart two SAs with mirrored endpoints started, if close."""
    if a.role is not None and a.role == b.role:
        return None
    if host_of(a.local) != host_of(b.remote) or host_of(a.remote) != host_of(b.local):
        return None
    if a.first_ts is None or b.first_ts is None:
        return None
    gap = abs(a.first_ts - b.first_ts)
    return gap if gap <= PEER_SLACK else None
