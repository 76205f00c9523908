"""The material rules work on: replayed SAs and the events behind them.

A :class:`View` is one IKE SA with the events that belong to it, or (with
``sa`` set to ``None``) the failure lines that no SA could be found for,
as in a ticket that pastes only the lines around an error.

Events belong to an SA by their ``<name|uid>`` tag when the log has one,
otherwise by falling inside the SA's first..last line span (the most
recently started SA wins where spans overlap). That is coarser than the
replay's own attribution, but rules only read events near a problem that
the replay already put on the SA.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .. import events as ev
from ..replay.model import Exchange, IkeSa
from .model import Evidence


@dataclass(slots=True)
class View:
    """One IKE SA (or the unattributed rest) and its events in line order."""

    sa: IkeSa | None
    events: list[ev.Event] = field(default_factory=list)
    #: line number -> position in the log's (time) order, shared by views
    order: dict[int, int] = field(default_factory=dict)

    def before(self, a: int, b: int) -> bool:
        """Whether line ``a`` comes before line ``b`` in time order.

        The two differ in logs written newest line first.
        """
        return self.order.get(a, a) < self.order.get(b, b)

    @property
    def label(self) -> str | None:
        return self.sa.label if self.sa is not None else None

    def of(self, *types: type[ev.Body]) -> list[ev.Event]:
        """This view's events whose body is one of ``types``."""
        return [e for e in self.events if isinstance(e.body, types)]

    @property
    def exchanges(self) -> list[Exchange]:
        return self.sa.exchanges if self.sa is not None else []

    @property
    def established(self) -> bool:
        sa = self.sa
        return sa is not None and (sa.established or sa.established_via is not None)

    @property
    def role(self) -> str | None:
        if self.sa is not None and self.sa.role is not None:
            return self.sa.role
        for e in self.events:
            b = e.body
            if isinstance(b, ev.LocalInitiating):
                return "initiator"
            if isinstance(b, ev.PeerInitiating):
                return "responder"
        return None


@dataclass(slots=True)
class Context:
    """Everything the rules may read: the trace's SAs and the events."""

    sas: Sequence[IkeSa]
    events: Sequence[ev.Event]
    views: list[View]
    total_lines: int
    unattributed: View

    @classmethod
    def build(
        cls, sas: Sequence[IkeSa], events: Iterable[ev.Event], total_lines: int = 0
    ) -> Context:
        events = list(events)
        order = {e.line: i for i, e in enumerate(events)}
        views = [View(sa, order=order) for sa in sas]
        by_uid: dict[int, list[View]] = {}
        for v in views:
            if v.sa is not None and v.sa.unique_id is not None:
                by_uid.setdefault(v.sa.unique_id, []).append(v)
        spans = [
            (v.sa.first_line or 0, v.sa.last_line or 0, v)
            for v in views
            if v.sa is not None
        ]
        rest = View(None, order=order)
        for e in events:
            view = _owner(e, by_uid, spans)
            (view or rest).events.append(e)
        return cls(list(sas), events, views, total_lines or len(events), rest)

    def all_views(self) -> list[View]:
        """The SA views, then the unattributed lines if they say anything."""
        return [*self.views, self.unattributed]


def _owner(
    e: ev.Event,
    by_uid: dict[int, list[View]],
    spans: list[tuple[int, int, View]],
) -> View | None:
    if e.sa_uid is not None:
        found = by_uid.get(e.sa_uid)
        if found:
            for v in reversed(found):
                assert v.sa is not None
                if (v.sa.first_line or 0) <= e.line:
                    return v
            return found[0]
    best: View | None = None
    best_start = -1
    for first, last, v in spans:
        if first <= e.line <= last and first > best_start:
            best, best_start = v, first
    return best


# -- evidence text --------------------------------------------------------------


def describe(e: ev.Event) -> str:
    """The message of an event's line, rebuilt from its body.

    Bodies that keep their text give it back; the common structured ones
    are written the way charon writes them.
    """
    b = e.body
    text = getattr(b, "text", None)
    if isinstance(text, str) and not isinstance(b, ev.DaemonStart | ev.EapStep):
        return text.strip()
    if isinstance(b, ev.Message):
        verb = "parsed" if b.inbound else "generating"
        role = "request" if b.is_request else "response"
        return f"{verb} {b.exchange} {role} {b.message_id} [ {' '.join(b.payloads)} ]"
    if isinstance(b, ev.Packet):
        verb = "received packet: from" if b.inbound else "sending packet: from"
        size = f" ({b.size} bytes)" if b.size is not None else ""
        return f"{verb} {b.src} to {b.dst}{size}"
    if isinstance(b, ev.ProposalList):
        src = "received" if b.received else "configured"
        return f"{src} proposals: {', '.join(b.proposals)}"
    if isinstance(b, ev.ProposalSelected):
        return f"selected proposal: {b.proposal}"
    if isinstance(b, ev.KeMethodRejected):
        if b.local_rejects:
            return f"key exchange method {b.offered} unacceptable, requesting " + (
                b.requested
            )
        return f"peer didn't accept key exchange method {b.offered}, it requested " + (
            b.requested
        )
    if isinstance(b, ev.NotifyError):
        tail = ", no CHILD_SA built" if b.child else " error"
        return f"received {b.notify} notify{tail}"
    if isinstance(b, ev.Retransmit):
        role = "request" if b.is_request else "response"
        return f"retransmit {b.count} of {role} with message ID {b.message_id}"
    if isinstance(b, ev.PeerCfgLookup):
        return f"looking for peer configs matching {b.spec}"
    if isinstance(b, ev.PeerCfgSelected):
        verb = "switching to" if b.switched else "selected"
        return f'{verb} peer config "{b.name}"'
    if isinstance(b, ev.LocalInitiating):
        return f"initiating IKE_SA {b.sa_name}[{b.sa_uid}] to {b.host}"
    if isinstance(b, ev.PeerInitiating):
        return f"{b.host} is initiating an IKE_SA"
    if isinstance(b, ev.EapStep):
        return b.text or f"EAP {b.step} {b.method or ''}".strip()
    if isinstance(b, ev.AuthResult):
        me = " (myself)" if b.myself else ""
        ok = {True: " successful", False: " failed", None: ""}[b.success]
        return f"authentication of '{b.identity}'{me} with {b.method}{ok}"
    if isinstance(b, ev.DeleteNotice):
        verb = "received" if b.inbound else "sending"
        ref = f"{b.sa_name}[{b.sa_uid}]" if b.sa_name else (b.spi or "")
        return f"{verb} DELETE for {b.protocol} {ref}".strip()
    if isinstance(b, ev.IkeSaLine):
        return f"IKE_SA {b.sa_name}[{b.sa_uid}] {b.event}"
    if isinstance(b, ev.VendorId):
        return f"received {b.name or b.hex} vendor ID"
    if isinstance(b, ev.NatDetected):
        side = "local" if b.local else "remote"
        return f"{side} host is {'' if b.behind else 'not '}behind NAT"
    if isinstance(b, ev.VirtualIp):
        return f"virtual IP {b.what} {b.address}"
    if isinstance(b, ev.DaemonStart):
        return b.text
    return b.kind.replace("_", " ")


def evidence(events: Iterable[ev.Event]) -> tuple[Evidence, ...]:
    """Evidence lines for events, in line order and without repeats."""
    seen: dict[int, Evidence] = {}
    for e in events:
        if e.line not in seen:
            seen[e.line] = Evidence(e.line, describe(e))
    return tuple(seen[k] for k in sorted(seen))
