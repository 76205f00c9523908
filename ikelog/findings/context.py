"""The material rules work on: replayed SAs and the events behind them.

A :class:`View` is one IKE SA with the events that belong to it, or (with
``sa`` set to ``None``) the failure lines that no SA could be found for,
as in a ticket that pastes only the lines around an error.

Events belong to an SA by their ``<name|uid>`` tag when the log has one,
otherwise as the replay attributed them (:attr:`IkeSa.owned`); a line the
replay could not decide belongs to no SA. Lines the replay gave no SA
(daemon and configuration lines) go to the SA whose first..last line span
holds them (the most recently started SA wins where spans overlap).

Rules ask many questions of the same events, so the answers are indexed
once: events by SA (one sweep over the spans in line order, not a scan of
every span per event), by body class (:meth:`View.of`, :meth:`Context.of`)
and by line (:meth:`Context.near`). A rule should use these rather than
walk :attr:`Context.events`, which on a gateway's log of a million lines
makes every per-SA question cost a pass over the whole log.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .. import events as ev
from ..replay.model import AmbiguousJob, Exchange, IkeSa
from .model import Evidence

#: An input line's text as written: ``(line, source) -> text``, ``None``
#: where it is not known (:meth:`ikelog.trace.Trace.line_text`).
LineText = Callable[[int, int], str | None]


@dataclass(slots=True)
class View:
    """One IKE SA (or the unattributed rest) and its events in line order."""

    sa: IkeSa | None
    events: list[ev.Event] = field(default_factory=list)
    #: line number -> position in the log's (time) order, shared by views
    order: dict[int, int] = field(default_factory=dict)
    #: the log's own text of a line, shared by views (see :func:`evidence`)
    line_text: LineText | None = field(default=None, repr=False, compare=False)
    #: the events by body class, built on the first :meth:`of`
    _index: ByClass | None = field(default=None, repr=False, compare=False)
    #: for the lines of one job the replay could not decide (``sa`` is
    #: ``None``): the labels of the SAs they could belong to
    candidates: tuple[str, ...] = ()
    #: and this daemon's role in all of them, if it is one
    candidate_role: str | None = None

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
        if self._index is None:
            self._index = ByClass(self.events)
        return self._index.of(types)

    def evidence(self, events: Iterable[ev.Event]) -> tuple[Evidence, ...]:
        """Evidence lines for events, quoted as the log wrote them."""
        return evidence(events, self.line_text)

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
        if self.candidate_role is not None:
            return self.candidate_role
        for e in self.events:
            b = e.body
            if isinstance(b, ev.LocalInitiating):
                return "initiator"
            if isinstance(b, ev.PeerInitiating):
                return "responder"
        return None


class ByClass:
    """Events grouped by the class of their body, answering ``isinstance``
    filters without walking every event again.

    The events must not change after the index is made.
    """

    __slots__ = ("_events", "_positions")

    def __init__(self, events: Sequence[ev.Event]) -> None:
        self._events = events
        self._positions: dict[type[ev.Body], list[int]] = {}
        for i, e in enumerate(events):
            self._positions.setdefault(type(e.body), []).append(i)

    def of(self, types: tuple[type[ev.Body], ...]) -> list[ev.Event]:
        """The events whose body is an instance of one of ``types``, in order."""
        positions = self._positions
        hits = [positions[c] for t in types for c in _family(t) if c in positions]
        if not hits:
            return []
        events = self._events
        if len(hits) == 1:
            return [events[i] for i in hits[0]]
        merged = sorted(set(itertools.chain.from_iterable(hits)))
        return [events[i] for i in merged]


_FAMILIES: dict[type[ev.Body], tuple[type[ev.Body], ...]] = {}


def _family(cls: type[ev.Body]) -> tuple[type[ev.Body], ...]:
    """A body class and every class derived from it."""
    family = _FAMILIES.get(cls)
    if family is None:
        found = [cls]
        for sub in cls.__subclasses__():
            found.extend(_family(sub))
        family = _FAMILIES[cls] = tuple(dict.fromkeys(found))
    return family


@dataclass(slots=True)
class Context:
    """Everything the rules may read: the trace's SAs and the events."""

    sas: Sequence[IkeSa]
    events: Sequence[ev.Event]
    views: list[View]
    total_lines: int
    unattributed: View
    line_text: LineText | None = field(default=None, repr=False, compare=False)
    #: one view per job whose SA the replay could not decide
    undecided: list[View] = field(default_factory=list)
    _index: ByClass | None = field(default=None, repr=False, compare=False)
    _by_line: list[tuple[int, int]] | None = field(
        default=None, repr=False, compare=False
    )

    @classmethod
    def build(
        cls,
        sas: Sequence[IkeSa],
        events: Iterable[ev.Event],
        total_lines: int = 0,
        *,
        line_text: LineText | None = None,
        undecided: Sequence[AmbiguousJob] = (),
    ) -> Context:
        """Views of ``sas`` over ``events``.

        ``line_text`` gives an input line's text as written, for evidence
        (``Trace.line_text``); events say which input they come from.
        ``undecided`` are the replay's ambiguous jobs: each becomes a view
        of its own, naming its candidate SAs.
        """
        events = list(events)
        order = {e.line: i for i, e in enumerate(events)}
        views = [View(sa, order=order, line_text=line_text) for sa in sas]
        rest = View(None, order=order, line_text=line_text)
        jobs = [
            View(
                None,
                order=order,
                line_text=line_text,
                candidates=tuple(j.candidates),
                candidate_role=j.role,
            )
            for j in undecided
        ]
        of_job = {
            key: v for j, v in zip(undecided, jobs, strict=True) for key in j.keys
        }
        for e, view in zip(events, _owners(events, views), strict=True):
            if view is None:
                view = of_job.get((e.source, e.line), rest)
            view.events.append(e)
        total = total_lines or len(events)
        return cls(list(sas), events, views, total, rest, line_text, undecided=jobs)

    def evidence(self, events: Iterable[ev.Event]) -> tuple[Evidence, ...]:
        """Evidence lines for events, quoted as the log wrote them."""
        return evidence(events, self.line_text)

    def all_views(self) -> list[View]:
        """The SA views, the undecided jobs, then the unattributed lines."""
        return [*self.views, *self.undecided, self.unattributed]

    def of(self, *types: type[ev.Body]) -> list[ev.Event]:
        """All events (of every view) whose body is one of ``types``."""
        if self._index is None:
            self._index = ByClass(self.events)
        return self._index.of(types)

    def near(self, line: int, after: int) -> list[ev.Event]:
        """The events on lines ``line + 1`` to ``line + after``, in the
        order of :attr:`events`."""
        if self._by_line is None:
            self._by_line = sorted((e.line, i) for i, e in enumerate(self.events))
        keys = self._by_line
        lo = bisect.bisect_right(keys, (line, len(keys)))
        hi = bisect.bisect_right(keys, (line + after, len(keys)))
        return [self.events[i] for _, i in sorted(keys[lo:hi], key=lambda k: k[1])]


# -- which SA an event belongs to ---------------------------------------------------


def _owners(events: Sequence[ev.Event], views: list[View]) -> list[View | None]:
    """The view each event belongs to (``None``: no SA), see the module header.

    Tagged events go to the view of their unique id: the latest one that
    started at or before the line, else the first. The rest go to the SA
    whose first..last span holds the line and started last (on a tie the
    earlier SA); the spans are swept once in line order.
    """
    by_uid: dict[int, list[View]] = {}
    for v in views:
        if v.sa is not None and v.sa.unique_id is not None:
            by_uid.setdefault(v.sa.unique_id, []).append(v)
    owners: list[View | None] = [None] * len(events)
    untagged: list[int] = []
    for i, e in enumerate(events):
        found = by_uid.get(e.sa_uid) if e.sa_uid is not None else None
        if found:
            owners[i] = _by_start(found, e.line)
        else:
            untagged.append(i)
    if untagged:
        # the replay's own attribution where it made one; a line it could
        # not decide stays with no SA; the rest (daemon, configuration
        # lines, a paste without a replayed SA) by span
        owned: dict[tuple[int, int], View] = {}
        undecided: set[tuple[int, int]] = set()
        jobs: dict[int, AmbiguousJob] = {}
        for v in views:
            assert v.sa is not None
            owned.update(dict.fromkeys(v.sa.owned, v))
            jobs.update((id(j), j) for j in v.sa.maybe_jobs)
        for job in jobs.values():
            undecided |= job.keys
        rest: list[int] = []
        for i in untagged:
            key = (events[i].source, events[i].line)
            view = owned.get(key)
            if view is not None:
                owners[i] = view
            elif key not in undecided:
                rest.append(i)
        lines = sorted({events[i].line for i in rest})
        spans = _span_owners(lines, views)
        for i in rest:
            owners[i] = spans.get(events[i].line)
    return owners


def _by_start(found: list[View], line: int) -> View:
    for v in reversed(found):
        assert v.sa is not None
        if (v.sa.first_line or 0) <= line:
            return v
    return found[0]


def _span_owners(lines: list[int], views: list[View]) -> dict[int, View]:
    """For ascending ``lines``: the view whose span holds the line and began
    last (on equal starts the earlier view)."""
    spans = sorted(
        (v.sa.first_line or 0, n, v.sa.last_line or 0, v)
        for n, v in enumerate(views)
        if v.sa is not None
    )
    # open spans, latest start (then earliest view) on top; spans that have
    # ended are dropped only when they reach the top
    open_: list[tuple[int, int, int, View]] = []
    owners: dict[int, View] = {}
    nxt = 0
    for line in lines:
        while nxt < len(spans) and spans[nxt][0] <= line:
            first, n, last, v = spans[nxt]
            heapq.heappush(open_, (-first, n, last, v))
            nxt += 1
        while open_ and open_[0][2] < line:
            heapq.heappop(open_)
        if open_:
            owners[line] = open_[0][3]
    return owners


# -- evidence text --------------------------------------------------------------


def describe(e: ev.Event) -> str:
    """The message of an event's line, rebuilt from its body.

    Bodies that keep their text give it back; the common structured ones
    are written the way charon writes them.
    """
    # FIXME: the rebuilt text is not the log's: it loses the wording of
    # other versions ("IKE_SA" in DELETE lines, 'eap' quoting, "DH group"
    # for "key exchange method"), spacing ("[  ]") and whole lines (peer
    # config candidates, id matches). It is used only when no line text is
    # at hand (a trace loaded with keep_events=False, a Context built
    # without line_text); passing the texts everywhere would retire it.
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


def evidence(
    events: Iterable[ev.Event], line_text: LineText | None = None
) -> tuple[Evidence, ...]:
    """Evidence lines for events, in line order and without repeats.

    Each line is quoted as written where ``line_text`` knows it (see
    :class:`Context`), else rebuilt from the event (:func:`describe`).
    """
    seen: dict[tuple[int, int], Evidence] = {}
    for e in events:
        key = (e.source, e.line)
        if key in seen:
            continue
        text = line_text(e.line, e.source) if line_text is not None else None
        if text is None:
            seen[key] = Evidence(e.line, describe(e))
            continue
        assert line_text is not None
        seen[key] = _message_line(e, text, line_text) or Evidence(e.line, text)
    return tuple(seen[k] for k in sorted(seen))


# An entry of journalctl's multi-line outputs begins with a line that is not
# its message: "{" (-o json-pretty), "__CURSOR=..." (-o export) or the date
# and cursor header (-o verbose); the message is a field line further down.
_ENTRY_START = re.compile(
    r"\{\Z|__CURSOR=|\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\S* \S+ \[s=[^\]]*\]\Z"
)
_MESSAGE_FIELD = re.compile(r'\s*(?:"MESSAGE" : |MESSAGE=)')

#: How many lines of one journal entry are searched for its MESSAGE field.
_ENTRY_LINES = 200


def _message_line(e: ev.Event, first: str, line_text: LineText) -> Evidence | None:
    """For an event read from a multi-line journal entry (whose first line
    is ``first``): the entry's MESSAGE line, its number and text as written;
    ``None`` for events of one-line formats (or an entry whose MESSAGE is
    not a line of text, as binary fields of ``-o export`` are)."""
    if not _ENTRY_START.match(first):
        return None
    for n in range(e.line + 1, e.line + _ENTRY_LINES):
        text = line_text(n, e.source)
        if text is None or _ENTRY_START.match(text):
            return None
        if _MESSAGE_FIELD.match(text):
            return Evidence(n, text)
    return None
