"""What a finding is: a kind, a severity, the SA, evidence, why and what to do.

Kinds are named after strongSwan's own failure names (the alerts and the
``swanctl``/vici event names) where one fits, so a finding reads the same
as the daemon's own vocabulary; the rest describe what ikelog saw.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(enum.Enum):
    """How much a finding matters; ``rank`` orders them (lower is worse)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def at_least(self, other: Severity) -> bool:
        """Whether this severity is ``other`` or worse."""
        return self.rank <= other.rank


_RANKS = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Kind(enum.Enum):
    """What a finding is about."""

    # negotiation
    PROPOSAL_MISMATCH_IKE = "proposal-mismatch-ike"
    PROPOSAL_MISMATCH_CHILD = "proposal-mismatch-child"
    NO_IKE_CONFIG = "no-ike-config"
    INVALID_KE = "invalid-ke"
    INVALID_KE_LOOP = "invalid-ke-loop"
    TS_MISMATCH = "ts-mismatch"
    # authentication
    PEER_AUTH_FAILED = "peer-auth-failed"
    LOCAL_AUTH_FAILED = "local-auth-failed"
    EAP_FAILURE = "eap-failure"
    CERT_UNTRUSTED = "cert-untrusted"
    CERT_EXPIRED = "cert-expired"
    CERT_ID_MISMATCH = "cert-id-mismatch"
    NO_PEER_CONFIG = "no-peer-config"
    # reachability and liveness
    RETRANSMIT_SEND_TIMEOUT = "retransmit-send-timeout"
    RETRANSMIT_SEND = "retransmit-send"
    HALF_OPEN_TIMEOUT = "half-open-timeout"
    DOS_PROTECTION = "dos-protection"
    DPD_TIMEOUT = "dpd-timeout"
    # CHILD SAs, addresses, kernel
    VIP_FAILURE = "vip-failure"
    INSTALL_CHILD_SA_FAILED = "install-child-sa-failed"
    REKEY_COLLISION = "rekey-collision"
    REKEYED_SA_DELETED = "rekeyed-sa-deleted"
    DUPLICATE_IKE_SAS = "duplicate-ike-sas"
    CHILD_SA_NO_TRAFFIC = "child-sa-no-traffic"
    SHARED_REQID = "shared-reqid"
    # context, mostly benign
    EAP_NAK = "eap-nak"
    PEER_CONFIG_SWITCH = "peer-config-switch"
    NAT = "nat"
    KEEPALIVE = "keepalive"
    DPD = "dpd"
    MOBIKE = "mobike"
    PLATFORM = "platform"
    INCOMPLETE = "incomplete"
    PENDING = "request-pending"
    NO_IKE_SA = "no-ike-sa"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One log line a finding rests on."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnosis: what happened, on which lines, why, and what to do.

    ``ike_sa`` is the SA's label (``eap[3]``), or ``None`` for lines that
    no SA could be found for; where the replay narrowed them down to a few
    SAs it could not tell apart (an untagged log), ``candidates`` names
    them. ``evidence`` is in line order.

    ``topic`` is the summary without what is particular to the SA (counts,
    message IDs); benign findings that agree in everything but that are
    grouped into one (:func:`ikelog.findings.group.grouped`), whose
    ``group`` holds the label of each member's SA (``ike_sa`` is the first;
    SAs without a unique id all read ``(unnamed)[?]``).
    """

    kind: Kind
    severity: Severity
    ike_sa: str | None
    evidence: tuple[Evidence, ...]
    summary: str
    explanation: str
    fix: str
    topic: str | None = None
    group: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()

    @property
    def ike_sas(self) -> tuple[str, ...]:
        """Every SA this finding is about: the group, or the one SA."""
        if self.group:
            return self.group
        return (self.ike_sa,) if self.ike_sa is not None else ()

    @property
    def lines(self) -> list[int]:
        return [e.line for e in self.evidence]

    @property
    def first_line(self) -> int:
        return self.evidence[0].line if self.evidence else 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``--json``."""
        return {
            "kind": self.kind.value,
            "severity": self.severity.value,
            "ike_sa": self.ike_sa,
            "ike_sas": list(self.ike_sas),
            "lines": self.lines,
            "evidence": [{"line": e.line, "text": e.text} for e in self.evidence],
            "summary": self.summary,
            "explanation": self.explanation,
            "fix": self.fix,
            "candidates": list(self.candidates),
        }


#: Kinds that describe the setting rather than an event; within a severity
#: they come after the others, in this order.
BACKGROUND = (
    Kind.INCOMPLETE,
    Kind.PLATFORM,
    Kind.NAT,
    Kind.DPD,
    Kind.KEEPALIVE,
    Kind.PENDING,
    Kind.NO_IKE_SA,
)


def order_key(f: Finding) -> tuple[int, int, int, str]:
    """Most severe first; events before background; then in log order."""
    weight = BACKGROUND.index(f.kind) + 1 if f.kind in BACKGROUND else 0
    return (f.severity.rank, weight, f.first_line, f.kind.value)
