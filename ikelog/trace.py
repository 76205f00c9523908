"""A replayed log: the reconstruction plus how its lines were read.

:class:`Trace` is what :func:`ikelog.load` returns and what every view
(terminal report, JSON, tables) reads. :meth:`Trace.to_dict` is the JSON
document of ``ikelog analyze --json``; its keys are a contract (see the
README): keys may be added, never renamed or removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .events import Event
from .replay.machine import Replay
from .replay.model import ChildSa, Exchange, IkeSa, LeaseRecord, Message
from .sources import LineCounts

if TYPE_CHECKING:
    from .findings import Finding
    from .frames import Tables

#: Version of the JSON document's layout, bumped when keys are added.
SCHEMA_VERSION = 1


def stamp(ts: datetime | None) -> str | None:
    """ISO text for a timestamp; a time-of-day alone when the log had no date."""
    if ts is None:
        return None
    if ts.year == 1900 and ts.month == 1 and ts.day == 1:
        return ts.time().isoformat()
    return ts.isoformat()


@dataclass(frozen=True)
class Correlation:
    """Two peers' records of one IKE SA, and what paired them."""

    ours: IkeSa
    theirs: IkeSa
    matched_by: str


@dataclass
class Trace:
    """The result of reading and replaying one log (or several)."""

    source: str
    layout: str
    counts: LineCounts
    replay: Replay
    #: every line's event, when loaded with ``keep_events=True``
    events: list[Event] | None = None
    #: whether the input was written newest first (and was turned around)
    newest_first: bool = False
    #: pairs of IKE SAs that are the two ends of one SA (several peers' logs)
    correlations: list[Correlation] = field(default_factory=list)
    #: with several daemons' logs: each daemon's IKE SAs and events
    daemons: list[tuple[list[IkeSa], list[Event]]] = field(default_factory=list)
    #: the text of every input line, per source (kept with the events)
    texts: list[list[str]] = field(default_factory=list)
    #: the inputs, by the index events and SAs name them with (``source``)
    sources: list[str] = field(default_factory=list)

    def line_text(self, line: int, source: int = 0) -> str | None:
        """Line ``line`` (1-based) of input ``source`` as it was written."""
        if source < len(self.texts) and 0 < line <= len(self.texts[source]):
            return self.texts[source][line - 1]
        return None

    @property
    def ike_sas(self) -> list[IkeSa]:
        """The IKE SA records; also a table: ``.df``, ``.query(...)``."""
        from .frames import RecordList

        return RecordList(self.replay.sas, lambda: self.tables.ike_sas)

    @property
    def leases(self) -> list[LeaseRecord]:
        """The lease records; also a table: ``.df``, ``.query(...)``."""
        from .frames import RecordList

        return RecordList(self.replay.leases, lambda: self.tables.leases)

    @cached_property
    def tables(self) -> Tables:
        """The trace as pandas DataFrames (see :mod:`ikelog.frames`)."""
        from .frames import Tables

        return Tables(self)

    def _repr_html_(self) -> str:
        from .render.html import trace_html

        return trace_html(self)

    def sa(self, name: str | int, unique_id: int | None = None) -> IkeSa:
        """The IKE SA called ``name`` (and with ``unique_id`` if given).

        ``name`` may also be written as charon does, ``"eap[3]"``, be a
        label (``"(unnamed)@812"``), or be the unique id alone (``3``).
        """
        if isinstance(name, int) or name.isdigit():
            for sa in self.replay.sas:
                if sa.unique_id == int(name):
                    return sa
            raise KeyError(f"no IKE SA with unique id {name}")
        for sa in self.replay.sas:
            if unique_id is None and sa.label == name:
                return sa
        if unique_id is None and name.endswith("]") and "[" in name:
            base, _, uid = name[:-1].rpartition("[")
            if uid.isdigit():
                name, unique_id = base, int(uid)
        for sa in self.replay.sas:
            named = name in sa.names or sa.name == name
            if named and unique_id in (None, sa.unique_id):
                return sa
        known = ", ".join(sa.label for sa in self.replay.sas) or "none"
        wanted = name if unique_id is None else f"{name}[{unique_id}]"
        raise KeyError(f"no IKE SA {wanted}; known: {known}")

    def select(self, only: str) -> list[IkeSa]:
        """The IKE SAs ``only`` names: a label (``eap[3]``), a connection
        name, a unique id, or else a name the SA had before a switch."""
        sas = self.replay.sas
        chosen = [sa for sa in sas if only in (sa.label, sa.name, str(sa.unique_id))]
        return chosen or [sa for sa in sas if only in sa.names]

    def findings(self) -> list[Finding]:
        """The diagnoses of this log, most severe first (see ikelog.findings)."""
        from .findings import diagnose

        return diagnose(self)

    def outcomes(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for sa in self.replay.sas:
            key = outcome(sa)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        r = self.replay
        return {
            "schema": SCHEMA_VERSION,
            "source": self.source,
            "sources": self.sources or [self.source],
            "layout": self.layout,
            "lines": {
                "total": self.counts.total,
                "understood": self.counts.understood,
                "unrecognized": self.counts.unrecognized,
                "foreign": self.counts.foreign,
                "duplicates": self.counts.duplicates,
                "replaced_bytes": self.counts.replaced_bytes,
            },
            "order": "newest first, replayed oldest first"
            if self.newest_first
            else "as written",
            "duplicate_lines": self.counts.duplicate_lines,
            "time_span": {"first": stamp(r.first_ts), "last": stamp(r.last_ts)},
            "daemon": {
                "version": r.daemon.version,
                "starts": len(r.daemon.starts),
                "plugins": list(r.daemon.plugins),
                "connections": r.daemon.connections,
                "pools": [
                    {"name": n, "base": b, "size": s} for n, b, s in r.daemon.pools
                ],
                "certificates": r.daemon.certificates,
            },
            "outcomes": self.outcomes(),
            "ike_sas": [sa_dict(sa) for sa in r.sas],
            "leases": [lease_dict(x) for x in r.leases],
            "stateless": {
                "cookie_challenges": r.stateless.cookie_challenges,
                "ignored_setups": r.stateless.ignored_setups,
            },
            "ambiguous": sum(len(a.lines) for a in r.ambiguous),
            "ambiguous_jobs": [
                {
                    "first_line": a.first_line,
                    "lines": a.lines,
                    "candidates": a.candidates,
                    "exchanges": [exchange_dict(x) for x in a.exchanges],
                }
                for a in r.ambiguous
            ],
            "correlations": [
                {
                    "ike_sa": c.ours.label,
                    "source": c.ours.source,
                    "peer_ike_sa": c.theirs.label,
                    "peer_source": c.theirs.source,
                    "matched_by": c.matched_by,
                }
                for c in self.correlations
            ],
        }


def messages_json(messages: list[Message], what: str) -> list[dict[str, Any]]:
    """Challenges or retries of an exchange as the JSON document has them."""
    return [{"line": m.line, what: list(m.payloads), "size": m.size} for m in messages]


def outcome(sa: IkeSa) -> str:
    """One word for how an SA ended: established, rekeyed, failed, open."""
    if sa.established or sa.established_via:
        return "established"
    if sa.failure is not None or sa.state == "failed":
        return "failed"
    return "open"


def sa_dict(sa: IkeSa) -> dict[str, Any]:
    fail = sa.failure
    return {
        "name": sa.name,
        "label": sa.label,
        "names": sa.names,
        "unique_id": sa.unique_id,
        "version": sa.version,
        "role": sa.role,
        "local": sa.local,
        "remote": sa.remote,
        "endpoint_changes": [
            {"line": ln, "old": old, "new": new} for ln, old, new in sa.endpoint_changes
        ],
        "local_id": sa.local_id,
        "remote_id": sa.remote_id,
        "eap_identity": sa.eap_identity,
        "nat": {"local": sa.local_nat, "remote": sa.remote_nat},
        "proposal": sa.proposal,
        "received_proposals": sa.received_proposals,
        "configured_proposals": sa.configured_proposals,
        "vendor_ids": sa.vendor_ids,
        "state": sa.state,
        "outcome": outcome(sa),
        "established": sa.established or sa.established_via is not None,
        "established_via": sa.established_via
        or ("exchanges" if sa.established else None),
        "rekeyed_from": sa.rekeyed_from,
        "rekeyed_to": sa.rekeyed_to,
        "failure": None
        if fail is None
        else {
            "stage": fail.stage or "unknown",
            "reason": fail.text,
            "kind": fail.what,
            "line": fail.line,
        },
        "problems": [
            {"line": p.line, "kind": p.what, "text": p.text, "stage": p.stage}
            for p in sa.problems
        ],
        "pairs_to_establish": sa.pairs_to_establish,
        "pairs_total": sa.pairs_total,
        "exchanges": [exchange_dict(x) for x in sa.exchanges],
        "eap": [
            {"method": r.method, "result": r.result, "identity": r.identity}
            for r in sa.eap
        ],
        "peer_configs": sa.peer_configs,
        "peer_config_candidates": sa.peer_config_candidates,
        "child_sas": [child_dict(c) for c in sa.child_sas],
        "virtual_ips": sa.virtual_ips,
        "timeline": [
            {"line": ln, "time": stamp(ts), "state": st} for ln, ts, st in sa.timeline
        ],
        "first_line": sa.first_line,
        "last_line": sa.last_line,
        "first_source": sa.first_source,
        "last_source": sa.last_source,
        "first_time": stamp(sa.first_ts),
        "last_time": stamp(sa.last_ts),
        "lines": sa.lines,
        "attribution": sa.attribution,
        "source": sa.source,
    }


def exchange_dict(x: Exchange) -> dict[str, Any]:
    return {
        "type": x.type,
        "message_id": x.message_id,
        "initiator": x.initiator,
        "request": list(x.request) if x.request is not None else None,
        "response": list(x.response) if x.response is not None else None,
        "retransmits": x.retransmits,
        "request_fragments": x.request_fragments,
        "response_fragments": x.response_fragments,
        "request_size": x.request_size,
        "response_size": x.response_size,
        "request_time": stamp(x.request_ts),
        "response_time": stamp(x.response_ts),
        "request_line": x.request_line,
        "response_line": x.response_line,
        "request_source": x.request_source,
        "response_source": x.response_source,
        "latency": x.latency,
        "cookie_challenges": x.cookie_challenges,
        "invalid_ke": x.invalid_ke,
        "challenges": messages_json(x.challenges, "response"),
        "retries": messages_json(x.retries, "request"),
        "messages": x.messages
        if x.version == 1
        else (x.request is not None) + (x.response is not None),
        "complete": x.complete,
        "more": [
            {"direction": "in" if inbound else "out", "payloads": list(p)}
            for inbound, p in x.more
        ],
    }


def child_dict(c: ChildSa) -> dict[str, Any]:
    return {
        "name": c.name,
        "unique_id": c.unique_id,
        "spi_in": c.spi_in,
        "spi_out": c.spi_out,
        "ts_local": list(c.ts_local),
        "ts_remote": list(c.ts_remote),
        "proposal": c.proposal,
        "state": c.state,
        "bytes_in": c.bytes_in,
        "bytes_out": c.bytes_out,
        "reqid": c.reqid,
        "established_time": stamp(c.established_ts),
        "closed_time": stamp(c.closed_ts),
        "established_line": c.established_line,
        "closed_line": c.closed_line,
        "rekeyed_by": c.rekeyed_by,
    }


def lease_dict(x: LeaseRecord) -> dict[str, Any]:
    return {
        "address": x.address,
        "identity": x.identity,
        "online": x.online,
        "online_time": stamp(x.online_ts),
        "offline_time": stamp(x.offline_ts),
        "online_line": x.online_line,
        "offline_line": x.offline_line,
        "ike_sa": x.ike_sa,
        "ike_sa_label": x.ike_sa_label,
        "offline_reason": x.offline_reason,
    }
