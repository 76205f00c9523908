"""Typed events: what one charon log line says.

Every input line becomes exactly one :class:`Event`. The event carries what
the line's prefix said (line number, timestamp, thread, group, level and the
``<name|uid>`` tag) and a *body*: a frozen object whose class says what kind
of message the line is and whose fields hold its values already parsed
(addresses, ports, SPIs, message IDs, payload lists, ...).

Bodies never hold a line number, so one body object can be shared by every
line with the same message text; the grammar module caches them that way.

A line that the grammar does not know becomes an :class:`Unrecognized` body
that keeps its text. Lines that carry no charon message at all (another
daemon's output in a syslog file, a ``...`` elision in a pasted ticket) are
bodies of class :class:`Foreign`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, NamedTuple


class Endpoint(NamedTuple):
    """A host and UDP port as charon prints them: ``10.0.0.1[4500]``."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}[{self.port}]"


class Peer(NamedTuple):
    """A host and an identity: ``10.0.0.1[vpn.example.org]``."""

    host: str
    identity: str


@dataclass(frozen=True, slots=True)
class Body:
    """Base class of every message body."""

    kind: ClassVar[str] = "body"


class Event(NamedTuple):
    """One log line: its prefix fields and its typed body.

    ``source`` numbers the input among several; ``relay`` marks a message
    that carried a second logger's prefix inside the first (a filelog line
    relayed into the journal).

    A named tuple rather than a dataclass: millions are made per run, and
    a tuple is immutable and cheap to build.
    """

    line: int
    body: Body
    ts: datetime | None = None
    thread: int | None = None
    group: str | None = None
    level: int | None = None
    sa_name: str | None = None
    sa_uid: int | None = None
    source: int = 0
    relay: bool = False

    @property
    def kind(self) -> str:
        return self.body.kind


# -- lines that are not understood -----------------------------------------


@dataclass(frozen=True, slots=True)
class Unrecognized(Body):
    kind: ClassVar[str] = "unrecognized"
    text: str


@dataclass(frozen=True, slots=True)
class Foreign(Body):
    """A line without a charon message (elisions, other programs)."""

    kind: ClassVar[str] = "foreign"
    text: str


@dataclass(frozen=True, slots=True)
class Note(Body):
    """A known message that ikelog counts but does not interpret further.

    ``what`` names its template family (``diag``, ``daemon``, ``cert``,
    ``kernel``, ...).
    """

    kind: ClassVar[str] = "note"
    what: str
    text: str


# -- daemon and configuration ----------------------------------------------


@dataclass(frozen=True, slots=True)
class DaemonStart(Body):
    kind: ClassVar[str] = "daemon_start"
    text: str
    version: str | None


@dataclass(frozen=True, slots=True)
class DaemonStop(Body):
    kind: ClassVar[str] = "daemon_stop"
    signal: str


@dataclass(frozen=True, slots=True)
class Plugins(Body):
    kind: ClassVar[str] = "plugins"
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CertLoaded(Body):
    kind: ClassVar[str] = "cert_loaded"
    subject: str


@dataclass(frozen=True, slots=True)
class KeyLoaded(Body):
    kind: ClassVar[str] = "key_loaded"
    key_type: str


@dataclass(frozen=True, slots=True)
class SecretLoaded(Body):
    kind: ClassVar[str] = "secret_loaded"
    secret_type: str
    secret_id: str
    owners: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PoolAdded(Body):
    kind: ClassVar[str] = "pool_added"
    name: str
    base: str
    size: int


@dataclass(frozen=True, slots=True)
class ConnAdded(Body):
    kind: ClassVar[str] = "conn_added"
    name: str


# -- packets and messages ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Packet(Body):
    """``received packet:`` (``inbound``) or ``sending packet:``."""

    kind: ClassVar[str] = "packet"
    inbound: bool
    src: Endpoint
    dst: Endpoint
    size: int | None


@dataclass(frozen=True, slots=True)
class Message(Body):
    """A ``parsed ...`` or ``generating ...`` message summary.

    ``fragment`` is ``(number, total)`` for one encrypted fragment
    (``EF(2/3)``, IKEv1 ``FRAG(2)``); ``notifies`` lists the short names of
    the notify payloads. Both are derived from ``payloads`` once, when the
    body is built, since bodies are shared by every line with this text.
    """

    kind: ClassVar[str] = "message"
    inbound: bool
    exchange: str
    is_request: bool
    message_id: int
    payloads: tuple[str, ...]
    truncated: bool = False
    fragment: tuple[int, int] | None = None
    notifies: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        inbound: bool,
        exchange: str,
        is_request: bool,
        message_id: int,
        payloads: tuple[str, ...],
        truncated: bool = False,
    ) -> Message:
        fragment = None
        if len(payloads) == 1 and payloads[0].startswith(("EF(", "FRAG(")):
            inner = payloads[0][payloads[0].index("(") + 1 : -1]
            num, _, total = inner.partition("/")
            fragment = int(num), int(total or 0)
        notifies = tuple(p[2:-1] for p in payloads if p.startswith("N("))
        return cls(
            inbound,
            exchange,
            is_request,
            message_id,
            payloads,
            truncated,
            fragment,
            notifies,
        )

    @property
    def eap(self) -> str | None:
        for p in self.payloads:
            if p.startswith("EAP/"):
                return p
        return None


@dataclass(frozen=True, slots=True)
class FragmentReceived(Body):
    kind: ClassVar[str] = "fragment_received"
    number: int
    total: int | None
    reassembled: bool
    size: int | None


@dataclass(frozen=True, slots=True)
class FragmentSplit(Body):
    kind: ClassVar[str] = "fragment_split"
    size: int
    count: int


@dataclass(frozen=True, slots=True)
class VendorId(Body):
    kind: ClassVar[str] = "vendor_id"
    name: str | None
    hex: str | None = None


# -- who starts what ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeerInitiating(Body):
    """``<host> is initiating an IKE_SA``: we are the responder."""

    kind: ClassVar[str] = "peer_initiating"
    host: str
    mode: str | None = None
    sa_name: str | None = None
    sa_uid: int | None = None


@dataclass(frozen=True, slots=True)
class LocalInitiating(Body):
    """``initiating IKE_SA <name>[<uid>] to <host>``: we are the initiator."""

    kind: ClassVar[str] = "local_initiating"
    sa_name: str
    sa_uid: int
    host: str
    mode: str | None = None


@dataclass(frozen=True, slots=True)
class ConfigInitiating(Body):
    kind: ClassVar[str] = "config_initiating"
    name: str


# -- proposals --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalSelected(Body):
    kind: ClassVar[str] = "proposal_selected"
    proposal: str

    @property
    def protocol(self) -> str:
        return self.proposal.partition(":")[0]


@dataclass(frozen=True, slots=True)
class ProposalList(Body):
    kind: ClassVar[str] = "proposal_list"
    received: bool
    proposals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProposalNone(Body):
    kind: ClassVar[str] = "proposal_none"
    text: str


@dataclass(frozen=True, slots=True)
class KeMethodRejected(Body):
    """The peer's key exchange method was refused or refused ours."""

    kind: ClassVar[str] = "ke_rejected"
    local_rejects: bool
    offered: str
    requested: str


# -- NAT, MOBIKE --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NatDetected(Body):
    kind: ClassVar[str] = "nat"
    local: bool
    behind: bool
    faked: bool = False


@dataclass(frozen=True, slots=True)
class EndpointChanged(Body):
    kind: ClassVar[str] = "endpoint_changed"
    local: bool
    old: str
    new: str


# -- certificates and peer configs -------------------------------------------


@dataclass(frozen=True, slots=True)
class CertRequest(Body):
    kind: ClassVar[str] = "cert_request"
    inbound: bool
    subject: str | None
    count: int = 1


@dataclass(frozen=True, slots=True)
class CertExchanged(Body):
    kind: ClassVar[str] = "cert_exchanged"
    inbound: bool
    cert_kind: str
    subject: str


@dataclass(frozen=True, slots=True)
class PeerCfgLookup(Body):
    kind: ClassVar[str] = "peercfg_lookup"
    spec: str
    auth_class: str | None


@dataclass(frozen=True, slots=True)
class PeerCfgSelected(Body):
    kind: ClassVar[str] = "peercfg_selected"
    name: str
    switched: bool = False


@dataclass(frozen=True, slots=True)
class PeerCfgCandidate(Body):
    """Level 2: ``peer config "rw", ike match: 1052 (...)``."""

    kind: ClassVar[str] = "peercfg_candidate"
    name: str
    ike_match: int


@dataclass(frozen=True, slots=True)
class IdMatch(Body):
    """Level 2: ``  remote id match: 0 (ID_KEY_ID: 75:73:65:72:31)``."""

    kind: ClassVar[str] = "id_match"
    local: bool
    score: int
    id_type: str
    identity: str


@dataclass(frozen=True, slots=True)
class PeerCfgProblem(Body):
    """No matching peer config, or the selected one refused."""

    kind: ClassVar[str] = "peercfg_problem"
    text: str
    missing: bool


# -- EAP and authentication -------------------------------------------------


@dataclass(frozen=True, slots=True)
class EapStep(Body):
    """One step of an EAP conversation.

    ``step`` is one of ``initiate`` (server starts a method), ``requested``
    (client was asked for a method), ``identity``, ``selected``, ``nak``
    (a method was refused), ``nak_failure`` (refused, and no other method
    left: ``received EAP_NAK, sending EAP_FAILURE``), ``success``,
    ``failure``, ``detail``.
    """

    kind: ClassVar[str] = "eap"
    step: str
    method: str | None = None
    identity: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class AuthResult(Body):
    """``authentication of '<id>' [(myself)] with <method> [successful]``."""

    kind: ClassVar[str] = "auth"
    identity: str
    myself: bool
    method: str | None
    success: bool | None
    xauth: bool = False


@dataclass(frozen=True, slots=True)
class AuthProblem(Body):
    """A reason an authentication could not succeed."""

    kind: ClassVar[str] = "auth_problem"
    what: str
    text: str


# -- IKE_SA lifecycle --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IkeSaLine(Body):
    """``IKE_SA <name>[<uid>] established|rekeyed between ...`` and
    ``deleting IKE_SA <name>[<uid>] between ...``."""

    kind: ClassVar[str] = "ike_sa"
    event: str
    sa_name: str
    sa_uid: int
    local: Peer
    remote: Peer


@dataclass(frozen=True, slots=True)
class IkeDeleted(Body):
    kind: ClassVar[str] = "ike_deleted"


@dataclass(frozen=True, slots=True)
class IkeStateChange(Body):
    kind: ClassVar[str] = "ike_state"
    sa_name: str
    sa_uid: int
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class DeleteNotice(Body):
    """``sending|received DELETE for IKE_SA <ref>`` or ``... ESP CHILD_SA``."""

    kind: ClassVar[str] = "delete"
    inbound: bool
    protocol: str
    sa_name: str | None = None
    sa_uid: int | None = None
    spi: str | None = None


@dataclass(frozen=True, slots=True)
class IkeFailure(Body):
    """An IKE_SA given up: half-open timeout, peer dead, destroyed."""

    kind: ClassVar[str] = "ike_failure"
    what: str
    text: str
    host: str | None = None


@dataclass(frozen=True, slots=True)
class IkeSchedule(Body):
    kind: ClassVar[str] = "ike_schedule"
    what: str
    seconds: int


@dataclass(frozen=True, slots=True)
class SetupIgnored(Body):
    """``ignoring IKE_SA setup from <host>, ...``: no SA is created."""

    kind: ClassVar[str] = "setup_ignored"
    host: str
    reason: str


@dataclass(frozen=True, slots=True)
class IkeNote(Body):
    """Other IKE_SA level messages kept with their text."""

    kind: ClassVar[str] = "ike_note"
    what: str
    text: str
    message_id: int | None = None


# -- CHILD_SA lifecycle ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChildSaLine(Body):
    """``[inbound |outbound ]CHILD_SA n{u} established with SPIs ...`` and
    ``closing [expired ]CHILD_SA n{u} with SPIs ...``."""

    kind: ClassVar[str] = "child_sa"
    event: str
    sa_name: str
    sa_uid: int
    spi_in: str
    spi_out: str
    ts_local: tuple[str, ...]
    ts_remote: tuple[str, ...]
    bytes_in: int | None = None
    bytes_out: int | None = None
    variant: str | None = None


@dataclass(frozen=True, slots=True)
class ChildEstablishing(Body):
    kind: ClassVar[str] = "child_establishing"
    sa_name: str
    sa_uid: int
    reqid: int | None


@dataclass(frozen=True, slots=True)
class ChildRekeyed(Body):
    kind: ClassVar[str] = "child_rekeyed"
    old_name: str
    old_uid: int
    new_name: str
    new_uid: int
    old_spis: tuple[str, str]
    new_spis: tuple[str, str]


@dataclass(frozen=True, slots=True)
class ChildClosed(Body):
    kind: ClassVar[str] = "child_closed"
    sa_name: str | None
    sa_uid: int | None


@dataclass(frozen=True, slots=True)
class ChildProblem(Body):
    """A CHILD_SA refused or not installed."""

    kind: ClassVar[str] = "child_problem"
    what: str
    text: str
    ts_local: tuple[str, ...] = ()
    ts_remote: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChildNote(Body):
    kind: ClassVar[str] = "child_note"
    what: str
    text: str
    sa_name: str | None = None
    sa_uid: int | None = None


# -- virtual IPs and leases ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class VirtualIp(Body):
    """``peer requested virtual IP``, ``assigning virtual IP ... to peer``,
    ``installing new virtual IP``."""

    kind: ClassVar[str] = "vip"
    what: str
    address: str
    identity: str | None = None


@dataclass(frozen=True, slots=True)
class Lease(Body):
    """``assigning new lease to '<id>'`` or ``lease <ip> by '<id>' went
    offline``."""

    kind: ClassVar[str] = "lease"
    online: bool
    identity: str
    address: str | None = None
    how: str = "new"


@dataclass(frozen=True, slots=True)
class VipProblem(Body):
    kind: ClassVar[str] = "vip_problem"
    text: str


# -- retransmissions and errors ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Retransmit(Body):
    kind: ClassVar[str] = "retransmit"
    count: int
    is_request: bool
    message_id: int


@dataclass(frozen=True, slots=True)
class GiveUp(Body):
    kind: ClassVar[str] = "give_up"
    count: int
    text: str


@dataclass(frozen=True, slots=True)
class NotifyError(Body):
    """``received <NOTIFY> notify error`` and ``... notify, no CHILD_SA
    built``."""

    kind: ClassVar[str] = "notify_error"
    notify: str
    child: bool
    error: bool = True
