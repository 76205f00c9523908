"""Cross-check a swanctl transcript against the replay of a charon log.

A listing is a snapshot of the daemon at one moment; the log is a film. The
moment of a ``--list-sas`` snapshot is not printed, but it can be worked out:
an IKE SA listed as ``established 21s ago`` that the log shows established
at 16:42:10 was listed at 16:42:31. :func:`snapshot_time` takes that
estimate from the first IKE SA that allows it; every check then compares the
listing with the log *at that moment*, not at the log's end.

The checks, each reported as an :class:`Inconsistency` with the transcript
and log lines it rests on (nothing is hidden; what cannot be compared is
said at severity ``info``):

- ``ike-sa-missing``: a listed IKE SA (matched by name and unique id, else
  by endpoints and identities) that the log does not show;
- ``ike-sa-state``: its listed state against the replay's at the moment;
- ``child-sa-missing`` / ``child-sa-spis``: a listed CHILD SA the log does
  not show, or with other SPIs;
- ``child-sa-bytes``: listed byte counters above the log's closing counts
  (counters only grow), or different from them when listed after the close;
- ``lease-state``: a lease listed online/offline against the log's leases;
  ``pool-counts``: a pool's online/offline counts against its own lease lines;
- ``cert-expired`` / ``cert-not-yet-valid``: validity against the log's time
  span and against ``now``.

Sans-IO: ``now`` is an argument; nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .replay.model import ChildSa, IkeSa, LeaseRecord
from .trace import Trace
from .transcripts import ListedChildSa, ListedIkeSa, Transcript

#: Slack between seconds printed by swanctl and the log's timestamps.
TOLERANCE = timedelta(seconds=2)

#: Replay states a listed IKE SA state agrees with.
_AGREES = {
    "CREATED": {"connecting", "open"},
    "CONNECTING": {"connecting", "open", "failed"},
    "ESTABLISHED": {"established", "reauthenticating"},
    "PASSIVE": {"established"},
    "REKEYING": {"established"},
    "REKEYED": {"rekeyed", "established"},
    "DELETING": {"deleting", "established"},
    "DESTROYING": {"deleting", "deleted"},
}

#: Timeline entries that are states (the others are notes like "rekeying in").
_STATES = {s for states in _AGREES.values() for s in states}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Line numbers in the transcript and in the log."""

    transcript: tuple[int, ...] = ()
    log: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """One disagreement between a listing and the log (or a non-comparison).

    ``severity`` is ``error`` (they cannot both be right), ``warning``
    (suspicious, or right only under an assumption) or ``info``.
    """

    what: str
    severity: str
    detail: str
    evidence: Evidence

    def to_dict(self) -> dict[str, object]:
        return {
            "what": self.what,
            "severity": self.severity,
            "detail": self.detail,
            "transcript_lines": list(self.evidence.transcript),
            "log_lines": list(self.evidence.log),
        }


def _dated(ts: datetime | None) -> bool:
    """Whether a log timestamp carries a real date (not a bare time of day)."""
    return ts is not None and ts.year > 1900


def find_sa(trace: Trace, listed: ListedIkeSa) -> IkeSa | None:
    """The replayed IKE SA a listed one stands for: same name and unique id,
    else the same endpoints and identities."""
    for sa in trace.ike_sas:
        named = listed.name == sa.name or listed.name in sa.names
        if named and sa.unique_id == listed.unique_id:
            return sa
    for sa in trace.ike_sas:
        if sa.local is None or sa.remote is None:
            continue
        if (sa.local, sa.remote) != (listed.local_host, listed.remote_host):
            continue
        ids = (sa.local_id, sa.remote_id)
        if ids == (listed.local_id, listed.remote_id):
            return sa
    return None


def _established_ts(sa: IkeSa) -> tuple[int, datetime] | None:
    for line, ts, state in sa.timeline:
        if state == "established" and ts is not None:
            return line, ts
    return None


def snapshot_time(trace: Trace, transcript: Transcript) -> datetime | None:
    """When the listing was taken, from ``established Ns ago`` of an IKE SA
    and the log's time of its establishment; ``None`` if no SA allows it."""
    for listed in transcript.ike_sas:
        sa = find_sa(trace, listed)
        if sa is None or listed.established is None:
            continue
        est = _established_ts(sa)
        if est is not None and _dated(est[1]):
            return est[1] + timedelta(seconds=listed.established)
    return None


def _states_at(sa: IkeSa, at: datetime | None) -> list[tuple[str, int | None]]:
    """The replay's states of ``sa`` around ``at`` (within the tolerance,
    since both clocks print whole seconds), or its last one if ``at`` is None."""
    state: tuple[str, int | None] = ("connecting", sa.first_line)
    window: list[tuple[str, int | None]] = []
    for ln, ts, st in sa.timeline:
        if st not in _STATES and st not in ("deleted", "failed"):
            continue
        if at is None or ts is None or ts < at - TOLERANCE:
            state = (st, ln)
        elif ts <= at + TOLERANCE:
            window.append((st, ln))
    return [state, *window]


def cross_check(
    trace: Trace,
    transcript: Transcript,
    *,
    now: datetime | None,
    at: datetime | None = None,
) -> list[Inconsistency]:
    """Compare a transcript with the replay of a log; see the module header.

    ``at`` is the moment of the listing if known (else estimated with
    :func:`snapshot_time`); ``now`` is today for the certificate checks.
    """
    if at is None:
        at = snapshot_time(trace, transcript)
    if now is not None and now.tzinfo is not None:
        # log and listing times are local and naive: compare like with like
        now = now.astimezone().replace(tzinfo=None)
    out: list[Inconsistency] = []
    for listed in transcript.ike_sas:
        out += _check_ike_sa(trace, listed, at)
    out += _check_leases(trace, transcript, at)
    out += _check_certs(trace, transcript, now)
    return out


# -- IKE and CHILD SAs ------------------------------------------------------------


def _check_ike_sa(
    trace: Trace, listed: ListedIkeSa, at: datetime | None
) -> list[Inconsistency]:
    out: list[Inconsistency] = []
    where = (listed.line,)
    sa = find_sa(trace, listed)
    if sa is None:
        detail = (
            f"listed IKE SA {listed.label} ({listed.local_host} - "
            f"{listed.remote_host}, {listed.state}) is not in the log"
        )
        return [Inconsistency("ike-sa-missing", "error", detail, Evidence(where))]
    if listed.name != sa.name and listed.name not in sa.names:
        detail = f"listed {listed.label} matches log SA {sa.label} by endpoints only"
        out.append(Inconsistency("ike-sa-name", "warning", detail, Evidence(where)))

    # the state at the moment of the listing
    states = _states_at(sa, at)
    agree = _AGREES.get(listed.state)
    if agree is not None and not any(st in agree for st, _ in states):
        state, line = states[-1]
        logged = (line,) if line is not None else ()
        if at is None:
            severity = "warning"
            when = "at the log's end (the listing's time is unknown)"
        else:
            severity = "error"
            when = f"at {at.isoformat(sep=' ', timespec='seconds')}"
        detail = f"{listed.label} listed {listed.state}, log says {state} {when}"
        out.append(
            Inconsistency("ike-sa-state", severity, detail, Evidence(where, logged))
        )

    for child in listed.children:
        out += _check_child(trace, sa, listed, child, at)
    return out


def _find_child(trace: Trace, sa: IkeSa, listed: ListedChildSa) -> ChildSa | None:
    for child in sa.child_sas:
        if child.unique_id == listed.unique_id and child.name == listed.name:
            return child
    for other in trace.ike_sas:
        for child in other.child_sas:
            if listed.spi_in and listed.spi_in in (child.spi_in, child.spi_out):
                return child
    return None


def _check_child(
    trace: Trace,
    sa: IkeSa,
    ike: ListedIkeSa,
    listed: ListedChildSa,
    at: datetime | None,
) -> list[Inconsistency]:
    where = (listed.line,)
    label = f"{listed.name}{{{listed.unique_id}}}"
    child = _find_child(trace, sa, listed)
    if child is None:
        detail = f"listed CHILD SA {label} of {ike.label} is not in the log"
        return [Inconsistency("child-sa-missing", "error", detail, Evidence(where))]
    logged = tuple(x for x in (child.established_line, child.closed_line) if x)
    evidence = Evidence(where, logged)
    out: list[Inconsistency] = []
    spis = (listed.spi_in, listed.spi_out)
    if spis != (child.spi_in, child.spi_out):
        detail = (
            f"{label} listed with SPIs in {spis[0]} out {spis[1]}, the log has "
            f"in {child.spi_in} out {child.spi_out}"
        )
        out.append(Inconsistency("child-sa-spis", "error", detail, evidence))
    out += _check_bytes(label, listed, child, at, evidence)
    return out


def _check_bytes(
    label: str,
    listed: ListedChildSa,
    child: ChildSa,
    at: datetime | None,
    evidence: Evidence,
) -> list[Inconsistency]:
    if child.bytes_in is None or child.bytes_out is None:
        detail = f"{label}: byte counters not comparable, the log has no closing counts"
        return [Inconsistency("child-sa-bytes", "info", detail, evidence)]
    listed_bytes = (listed.bytes_in or 0, listed.bytes_out or 0)
    closing = (child.bytes_in, child.bytes_out)
    after_close = (
        at is not None and child.closed_ts is not None and at > child.closed_ts
    )
    if after_close and listed_bytes != closing:
        detail = (
            f"{label} listed after its close with {listed_bytes[0]}/"
            f"{listed_bytes[1]} bytes in/out, closed with {closing[0]}/{closing[1]}"
        )
        return [Inconsistency("child-sa-bytes", "warning", detail, evidence)]
    if listed_bytes[0] > closing[0] or listed_bytes[1] > closing[1]:
        detail = (
            f"{label} listed with {listed_bytes[0]}/{listed_bytes[1]} bytes in/out,"
            f" more than the {closing[0]}/{closing[1]} it closed with"
        )
        return [Inconsistency("child-sa-bytes", "error", detail, evidence)]
    return []


# -- leases and pools ---------------------------------------------------------------


def _lease_at(
    leases: list[LeaseRecord], address: str, at: datetime | None
) -> tuple[bool | None, int | None]:
    """Online (True), offline (False) or unknown (None) at ``at``, with the
    line that says so; the log's end when ``at`` is None."""
    state: bool | None = None
    line: int | None = None
    for lease in leases:
        if lease.address != address:
            continue
        if at is None or lease.online_ts is None or lease.online_ts <= at + TOLERANCE:
            state, line = True, lease.online_line
        if lease.offline_line is not None and (
            at is None or lease.offline_ts is None or lease.offline_ts <= at
        ):
            state, line = False, lease.offline_line
    return state, line


def _ever(leases: list[LeaseRecord], address: str, online: bool) -> bool:
    """Whether the log ever had the lease in that state."""
    for lease in leases:
        if lease.address == address and (online or lease.offline_line is not None):
            return True
    return False


def _check_leases(
    trace: Trace, transcript: Transcript, at: datetime | None
) -> list[Inconsistency]:
    out: list[Inconsistency] = []
    for pool in transcript.pools:
        online = sum(1 for x in pool.leases if x.online)
        offline = len(pool.leases) - online
        if pool.leases and (online, offline) != (pool.online, pool.offline):
            detail = (
                f"pool {pool.name} says {pool.online} online / {pool.offline} "
                f"offline but lists {online} online / {offline} offline leases"
            )
            where = Evidence((pool.line, *(x.line for x in pool.leases)))
            out.append(Inconsistency("pool-counts", "warning", detail, where))
        for lease in pool.leases:
            state, line = _lease_at(trace.leases, lease.address, at)
            where = Evidence((lease.line,), (line,) if line else ())
            listed = "online" if lease.online else "offline"
            if state is None:
                if lease.online:
                    detail = (
                        f"lease {lease.address} ({lease.identity}) listed "
                        "online, not in the log"
                    )
                    out.append(Inconsistency("lease-state", "info", detail, where))
                continue
            if state == lease.online:
                continue
            if at is None and _ever(trace.leases, lease.address, lease.online):
                continue
            logged = "online" if state else "offline"
            severity = "error" if at is not None else "warning"
            when = "at the listing's time" if at is not None else "at the log's end"
            detail = (
                f"lease {lease.address} ({lease.identity}) listed {listed}, "
                f"the log has it {logged} {when}"
            )
            out.append(Inconsistency("lease-state", severity, detail, where))
    return out


# -- certificates -------------------------------------------------------------------


def _check_certs(
    trace: Trace, transcript: Transcript, now: datetime | None
) -> list[Inconsistency]:
    out: list[Inconsistency] = []
    first, last = trace.replay.first_ts, trace.replay.last_ts
    for cert in transcript.certificates:
        name = cert.subject or "(no subject)"
        where = Evidence((cert.line,))
        if cert.not_after is None or cert.not_before is None:
            continue
        if _dated(first) and _dated(last):
            assert first is not None and last is not None
            if cert.not_after < first:
                detail = f"{name} expired {cert.not_after} before the log starts"
                out.append(Inconsistency("cert-expired", "error", detail, where))
            elif cert.not_after < last:
                detail = f"{name} expired {cert.not_after}, during the log"
                out.append(Inconsistency("cert-expired", "warning", detail, where))
            if cert.not_before > first:
                detail = (
                    f"{name} not valid before {cert.not_before}, after the log "
                    f"starts ({first})"
                )
                found = Inconsistency("cert-not-yet-valid", "warning", detail, where)
                out.append(found)
        elif trace.counts.total:
            detail = f"{name}: validity not comparable, the log's times carry no date"
            out.append(Inconsistency("cert-validity", "info", detail, where))
        if now is not None and cert.not_after < now:
            detail = f"{name} has expired: not after {cert.not_after}, now {now:%F}"
            out.append(Inconsistency("cert-expired-now", "warning", detail, where))
        elif now is not None and cert.not_before > now:
            detail = f"{name} is not valid yet: not before {cert.not_before}"
            out.append(Inconsistency("cert-not-yet-valid", "warning", detail, where))
    return out
