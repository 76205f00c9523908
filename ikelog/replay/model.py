"""What the replay reconstructs: IKE SAs, CHILD SAs, exchanges, leases.

These are plain mutable records filled in by :mod:`ikelog.replay.machine`
while it reads events; once the replay is finished they are only read.
Records with an identity (SAs, exchanges, leases) compare by identity:
two SAs with the same fields are still two SAs.
Every record remembers the line numbers it rests on, so findings and
reports can cite evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import events as ev

#: Exchange types that only exist in IKEv1.
IKEV1_EXCHANGES = frozenset(
    {
        "ID_PROT",
        "AGGRESSIVE",
        "QUICK_MODE",
        "TRANSACTION",
        "INFORMATIONAL_V1",
        "AUTH_ONLY",
        "NEW_GROUP_MODE",
    }
)


#: The exchanges an IKE SA begins with.
_FIRST_EXCHANGES = ("IKE_SA_INIT", "ID_PROT", "AGGRESSIVE")

#: How many messages make a complete IKEv1 exchange.
IKEV1_MESSAGES = {
    "ID_PROT": 6,
    "AGGRESSIVE": 3,
    "QUICK_MODE": 3,
    "TRANSACTION": 2,
    "INFORMATIONAL_V1": 1,
}

#: Problems that are context rather than the reason an SA failed.
BENIGN_PROBLEMS = frozenset(
    {"invalid-ke", "peer-config-switch", "child-failed", "kernel", "destroyed"}
)


@dataclass(slots=True)
class Message:
    """One message of an exchange that is not its request or response."""

    line: int
    payloads: tuple[str, ...]
    size: int | None = None


@dataclass(slots=True, eq=False)
class Exchange:
    """One request and its response, as one side of the SA saw them.

    ``initiator`` is ``"local"`` when this log's daemon sent the request.
    ``request``/``response`` are the payload lists of the (reassembled)
    messages, or ``None`` when that message never appeared in the log.
    """

    type: str
    message_id: int
    initiator: str
    request: tuple[str, ...] | None = None
    response: tuple[str, ...] | None = None
    retransmits: int = 0
    request_fragments: int = 0
    response_fragments: int = 0
    request_size: int | None = None
    response_size: int | None = None
    request_ts: datetime | None = None
    response_ts: datetime | None = None
    request_line: int | None = None
    response_line: int | None = None
    #: which input (of several given together) those lines are in
    request_source: int = 0
    response_source: int = 0
    cookie_challenges: int = 0
    invalid_ke: int = 0
    #: answers that asked for the request again (``N(COOKIE)``,
    #: ``N(INVAL_KE)``), and the requests sent again after them
    challenges: list[Message] = field(default_factory=list)
    retries: list[Message] = field(default_factory=list)
    messages: int = 0
    version: int = 2
    #: IKEv1: the exchange's messages after the first two (inbound, payloads)
    more: list[tuple[bool, tuple[str, ...]]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """IKEv2: request and response seen. IKEv1: all messages of the
        exchange seen (six for Main Mode, three for Aggressive and Quick
        Mode, two for a TRANSACTION, one for an INFORMATIONAL)."""
        if self.version == 1:
            return self.messages >= IKEV1_MESSAGES.get(self.type, 2)
        return self.request is not None and self.response is not None

    @property
    def latency(self) -> float | None:
        if self.request_ts and self.response_ts:
            return (self.response_ts - self.request_ts).total_seconds()
        return None


@dataclass(slots=True, eq=False)
class ChildSa:
    name: str
    unique_id: int
    spi_in: str | None = None
    spi_out: str | None = None
    ts_local: tuple[str, ...] = ()
    ts_remote: tuple[str, ...] = ()
    proposal: str | None = None
    state: str = "installing"
    bytes_in: int | None = None
    bytes_out: int | None = None
    established_ts: datetime | None = None
    closed_ts: datetime | None = None
    established_line: int | None = None
    closed_line: int | None = None
    reqid: int | None = None
    rekeyed_by: int | None = None


@dataclass(slots=True)
class EapRound:
    method: str
    result: str = "started"
    identity: str | None = None
    line: int | None = None


@dataclass(slots=True)
class Problem:
    """An error line that concerns an SA: the raw material of a failure."""

    line: int
    what: str
    text: str
    stage: str | None


@dataclass(slots=True, eq=False)
class IkeSa:
    """One IKE SA (or IKEv1 ISAKMP SA) as this log's daemon saw it."""

    unique_id: int | None = None
    name: str | None = None
    names: list[str] = field(default_factory=list)
    version: int = 2
    role: str | None = None
    local: str | None = None
    remote: str | None = None
    endpoint_changes: list[tuple[int, str, str]] = field(default_factory=list)
    local_id: str | None = None
    remote_id: str | None = None
    eap_identity: str | None = None
    local_nat: bool = False
    remote_nat: bool = False
    proposal: str | None = None
    received_proposals: list[str] = field(default_factory=list)
    configured_proposals: list[str] = field(default_factory=list)
    vendor_ids: list[str] = field(default_factory=list)
    state: str = "connecting"
    timeline: list[tuple[int, datetime | None, str]] = field(default_factory=list)
    established: bool = False
    established_via: str | None = None
    establishing_exchange: Exchange | None = None
    rekeyed_from: int | None = None
    rekeyed_to: int | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    child_sas: list[ChildSa] = field(default_factory=list)
    virtual_ips: list[str] = field(default_factory=list)
    eap: list[EapRound] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    peer_configs: list[str] = field(default_factory=list)
    peer_config_candidates: list[dict[str, object]] = field(default_factory=list)
    first_line: int | None = None
    last_line: int | None = None
    #: which input (of several given together) those lines are in
    first_source: int = 0
    last_source: int = 0
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    lines: int = 0
    #: (source, line) of the untagged lines the replay gave this SA, and of
    #: those it might have but could not be told apart (ambiguous): where a
    #: log has no tags, findings take an event's SA from here
    owned: set[tuple[int, int]] = field(default_factory=set)
    maybe_jobs: list[AmbiguousJob] = field(default_factory=list)
    #: the SA this one turned out to be (an unnamed SA merged by elimination)
    merged_into: IkeSa | None = None
    #: an unnamed SA's events while it may still be merged (untagged logs)
    events: list[ev.Event] | None = None
    #: for an unnamed SA that several SAs of the log may have begun as: those
    #: SAs (its lines are then an ambiguous job, the SA itself is not listed)
    may_be: list[IkeSa] | None = None
    #: the label of an SA known only by elimination (no line is its own)
    alias: str | None = None
    attribution: str = "exact"
    source: str | None = None
    alive: bool = True
    # message windows: our next request ID and the peer's last one; not
    # trustworthy once a job that may have been this SA's stayed ambiguous
    next_local_mid: int = 0
    last_remote_mid: int = -1
    window_known: bool = True
    #: (initiator, message ID) -> latest exchange, so lookups do not scan
    exchange_index: dict[tuple[str, int], Exchange] = field(default_factory=dict)
    v1_index: dict[tuple[str, int], Exchange] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``name[uid]`` as charon writes it; an SA whose unique id the log
        never shows is told apart by its first line (``(unnamed)@812``)."""
        name = self.name or "(unnamed)"
        if self.alias is not None:
            return self.alias
        if self.unique_id is not None:
            return f"{name}[{self.unique_id}]"
        if self.first_line is not None:
            return f"{name}@{self.first_line}"
        return f"{name}[?]"

    @property
    def maybe(self) -> set[tuple[int, int]]:
        """The lines of the ambiguous jobs that may have been this SA's."""
        keys: set[tuple[int, int]] = set()
        for job in self.maybe_jobs:
            keys |= job.keys
        return keys

    @property
    def pairs_total(self) -> int:
        return sum(1 for x in self.exchanges if x.complete)

    @property
    def pairs_to_establish(self) -> int | None:
        """Completed exchanges up to the one that established the SA, or
        ``None`` where the log does not show them all (an excerpt that
        starts after the SA's first exchange, or misses messages of the
        establishing one)."""
        est = self.establishing_exchange
        if est is None or not est.complete:
            return None
        upto = self.exchanges[: self.exchanges.index(est) + 1]
        first = upto[0]
        if first.message_id != 0 or first.type not in _FIRST_EXCHANGES:
            return None
        return sum(1 for x in upto if x.complete)

    @property
    def failure(self) -> Problem | None:
        """The first fatal problem of an SA that never got established."""
        if self.established or self.established_via:
            return None
        for p in self.problems:
            if p.what not in BENIGN_PROBLEMS:
                return p
        if self.state == "failed" and self.problems:
            return self.problems[0]  # e.g. refused with INVALID_KE_PAYLOAD
        return None

    def find_exchange(self, initiator: str, message_id: int) -> Exchange | None:
        """The latest exchange with this requester and message ID."""
        return self.exchange_index.get((initiator, message_id))

    def v1_exchange(self, exchange: str, message_id: int) -> Exchange | None:
        """IKEv1: the latest exchange of this type under this message ID."""
        return self.v1_index.get((exchange, message_id))

    def add_exchange(self, x: Exchange) -> None:
        self.exchanges.append(x)
        self.exchange_index[(x.initiator, x.message_id)] = x
        self.v1_index[(x.type, x.message_id)] = x

    def reindex(self) -> None:
        """Rebuild the exchange index after ``exchanges`` was edited."""
        self.exchange_index = {(x.initiator, x.message_id): x for x in self.exchanges}
        self.v1_index = {(x.type, x.message_id): x for x in self.exchanges}

    def child(self, unique_id: int) -> ChildSa | None:
        for c in self.child_sas:
            if c.unique_id == unique_id:
                return c
        return None

    def _repr_html_(self) -> str:
        from ..render.html import sa_html  # the notebook view

        return sa_html(self)


@dataclass(slots=True, eq=False)
class LeaseRecord:
    address: str
    identity: str
    pool: str | None = None
    online_ts: datetime | None = None
    offline_ts: datetime | None = None
    online_line: int | None = None
    offline_line: int | None = None
    ike_sa: int | None = None
    ike_sa_label: str | None = None
    #: "released" (charon said it went offline) or "daemon restarted"
    #: (the log shows a new charon run while the lease was online)
    offline_reason: str | None = None

    @property
    def online(self) -> bool:
        return self.offline_line is None


@dataclass(slots=True)
class AmbiguousJob:
    """Lines of one worker job whose IKE SA could not be decided.

    ``events`` are the job's lines, ``sas`` the SAs they could belong to.
    What is reported of them (``lines``, ``keys``, ``candidates``,
    ``role``, ``exchanges``) is worked out when asked: a busy log leaves
    thousands of such jobs, and a streaming replay never asks.
    """

    first_line: int
    events: list[ev.Event] = field(default_factory=list)
    sas: list[IkeSa] = field(default_factory=list)

    @property
    def lines(self) -> list[int]:
        return [e.line for e in self.events]

    @property
    def keys(self) -> set[tuple[int, int]]:
        """The lines as ``(source, line)``."""
        return {(e.source, e.line) for e in self.events}

    @property
    def role(self) -> str | None:
        """This daemon's role in every candidate (``None`` if they differ)."""
        roles = {sa.role for sa in self.sas}
        return roles.pop() if len(roles) == 1 else None

    @property
    def exchanges(self) -> list[Exchange]:
        """The job's messages as exchanges (a request or a response each)."""
        found = []
        for e in self.events:
            body = e.body
            if isinstance(body, ev.Message) and body.fragment is None:
                initiator = "local" if body.inbound != body.is_request else "remote"
                x = Exchange(body.exchange, body.message_id, initiator)
                if body.is_request:
                    x.request = body.payloads
                else:
                    x.response = body.payloads
                found.append(x)
        return found

    @property
    def candidates(self) -> list[str]:
        """The labels of ``sas``, as the SAs are known at the end."""
        # labelled when asked: an unnamed candidate may since have been
        # merged into the SA it turned out to be
        return [sa.label for sa in self.owners()]

    def owners(self) -> list[IkeSa]:
        """``sas`` as the SAs are known at the end: an unnamed candidate
        merged since is the SA it turned out to be, one that several SAs
        may have begun as stands for those."""
        seen: dict[int, IkeSa] = {}
        todo = list(self.sas)
        while todo:
            sa = todo.pop(0)
            while sa.merged_into is not None:
                sa = sa.merged_into
            if sa.may_be is not None:
                todo[:0] = sa.may_be
                continue
            seen.setdefault(id(sa), sa)
        # those never established first: a failure is likelier theirs
        return sorted(seen.values(), key=lambda sa: sa.established)
