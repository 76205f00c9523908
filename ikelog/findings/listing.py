"""Rules on swanctl listings: what a ``--list-sas`` snapshot shows wrong.

A listing is a moment's state, not a history, so these rules judge what
should not last: several established IKE SAs for one connection and peer,
CHILD SAs that have carried no packet since long ago, and CHILD SAs that
share a reqid (and so the kernel's policies).

A listing reaches the rules two ways: read from a file given next to a log
(:func:`ikelog.transcripts.load_inputs`), or found among a log's lines that
the log reader could not read (a ticket that pastes only ``swanctl
--list-sas``, or pastes it under the log), see :func:`listings_in`. Either
way the findings name the listed SA (``conn[2732]``) and cite the lines of
the listing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from .. import events as ev
from ..transcripts import (
    ListedChildSa,
    ListedIkeSa,
    Transcript,
    read_transcript,
    transcript_kind,
)
from .model import Evidence, Finding, Kind, Severity

#: A CHILD SA installed this many seconds ago without a single packet is idle.
IDLE_AFTER = 600

#: Runs of unread log lines shorter than this are never taken for a listing.
MIN_LISTING_LINES = 3


def diagnose(transcripts: Iterable[Transcript]) -> list[Finding]:
    """The findings of listings, unsorted (see :func:`ikelog.findings.diagnose`)."""
    found: list[Finding] = []
    for t in transcripts:
        found.extend(duplicate_ike_sas(t))
        found.extend(idle_child_sas(t))
        found.extend(shared_reqids(t))
    return found


# -- finding listings in a log's lines ---------------------------------------


def listings_in(events: Iterable[ev.Event]) -> list[Transcript]:
    """Listings pasted into (or instead of) a log.

    The log reader leaves listing lines unrecognized (and a prompt line such
    as ``# swanctl --list-sas`` foreign). Each run of such lines on
    consecutive line numbers is offered to the listing reader, which keeps
    the log's line numbers.
    """
    runs: list[list[ev.Event]] = []
    for e in sorted(
        (e for e in events if isinstance(e.body, ev.Unrecognized | ev.Foreign)),
        key=lambda e: (e.source, e.line),
    ):
        prev = runs[-1][-1] if runs else None
        if prev is not None and (prev.source, prev.line + 1) == (e.source, e.line):
            runs[-1].append(e)
        else:
            runs.append([e])
    found: list[Transcript] = []
    for run in runs:
        texts = [_text(e) for e in run]
        if sum(1 for t in texts if t.strip()) < MIN_LISTING_LINES:
            continue
        if transcript_kind(texts) in (None, "vici-raw"):
            continue
        first, last = run[0].line, run[-1].line
        source = f"lines {first}-{last}"
        found.append(read_transcript(texts, source=source, start=first))
    return found


def _text(e: ev.Event) -> str:
    b = e.body
    return b.text if isinstance(b, ev.Unrecognized | ev.Foreign) else ""


# -- the rules --------------------------------------------------------------


def duplicate_ike_sas(t: Transcript) -> Iterator[Finding]:
    """Several ESTABLISHED IKE SAs of one connection between the same
    endpoints and identities."""
    groups: dict[tuple[str | None, ...], list[ListedIkeSa]] = {}
    for sa in t.ike_sas:
        if sa.state != "ESTABLISHED":
            continue
        key = (
            sa.name,
            sa.local_host,
            sa.remote_host,
            sa.local_id,
            sa.remote_id,
            sa.eap_id,
            sa.xauth_id,
        )
        groups.setdefault(key, []).append(sa)
    for sas in groups.values():
        if len(sas) < 2:
            continue
        newest = min(sas, key=_youth)
        ages = ", ".join(
            f"#{sa.unique_id}"
            + (f" {_age(sa.established)} ago" if sa.established is not None else "")
            for sa in sas
        )
        peer = sas[0].remote_host or "the peer"
        yield Finding(
            Kind.DUPLICATE_IKE_SAS,
            Severity.WARNING,
            newest.label,
            tuple(Evidence(sa.line, sa.text) for sa in sorted(sas, key=_line)),
            f"{len(sas)} IKE SAs of {sas[0].name} established with {peer} "
            f"at once ({ages})",
            "The listing shows several ESTABLISHED IKE SAs of the same "
            "connection between the same addresses and identities; one is "
            "enough, the others are leftovers. Under the default uniqueness "
            "policy (unique = no) charon replaces an old IKE SA only when "
            "the new one brings INITIAL_CONTACT, so a client that reconnects "
            "or reauthenticates without sending it leaves its old SA behind "
            "(unique = never does not even honour INITIAL_CONTACT). A "
            "make-before-break reauthentication builds the new SA before it "
            "deletes the old one, and leaves a duplicate when that delete "
            "never happens; both sides initiating the same connection does "
            "the same. Traffic then uses only one of them. Two SAs listed "
            "during a reauthentication are normal; SAs established long "
            "apart are not.",
            "Set unique = replace on the responder's connection (ipsec.conf: "
            "uniqueids = replace) so a new SA of the same identities replaces "
            "the old; check the client's reauthentication (reauth_time, "
            "make_before_break, that it sends INITIAL_CONTACT) and let only "
            "one side initiate (start_action on one end).",
        )


def idle_child_sas(t: Transcript) -> Iterator[Finding]:
    """CHILD SAs installed long ago that have not carried a single packet."""
    for sa in t.ike_sas:
        idle = [c for c in sa.children if _idle(c)]
        if not idle:
            continue
        names = ", ".join(f"{c.name}{{{c.unique_id}}}" for c in idle)
        longest = max(c.installed or 0 for c in idle)
        yield Finding(
            Kind.CHILD_SA_NO_TRAFFIC,
            Severity.WARNING,
            sa.label,
            tuple(Evidence(c.line, c.text) for c in idle),
            f"no traffic through {names}: 0 bytes and 0 packets in and out "
            f"after {_age(longest)}",
            "The CHILD SA has been installed for a long time, and its "
            "counters show that not one packet was sent into it or received "
            "on it. Either nothing is routed into the tunnel (no host sends "
            "to the remote traffic selector, a route or firewall rule sends "
            "it elsewhere), the peer sends on another SA (several CHILD SAs "
            "with the same reqid share the kernel's policies, and only one "
            "of them carries the traffic), or the peer's SA for it is gone.",
            "Send test traffic between the selectors (from an address in "
            "local_ts to one in remote_ts) and watch the counters; check "
            "'ip xfrm policy', 'ip xfrm state', routing table 220 and the "
            "firewall; remove duplicate SAs so one CHILD SA per reqid "
            "remains.",
        )


def shared_reqids(t: Transcript) -> Iterator[Finding]:
    """Several CHILD SAs with one reqid (and so one set of kernel policies)."""
    groups: dict[int, list[tuple[ListedIkeSa, ListedChildSa]]] = {}
    for sa in t.ike_sas:
        for c in sa.children:
            if c.reqid is not None:
                groups.setdefault(c.reqid, []).append((sa, c))
    for reqid, pairs in groups.items():
        if len(pairs) < 2:
            continue
        names = ", ".join(f"{c.name}{{{c.unique_id}}} of {sa.label}" for sa, c in pairs)
        installed = [c for _, c in pairs if c.state == "INSTALLED"]
        yield Finding(
            Kind.SHARED_REQID,
            Severity.INFO,
            pairs[0][0].label,
            tuple(Evidence(c.line, c.text) for _, c in pairs),
            f"reqid {reqid} is shared by {len(pairs)} CHILD SAs ({names})",
            "charon gives CHILD SAs of the same connection and traffic "
            "selectors the same reqid, so they share one set of IPsec "
            "policies in the kernel. While a CHILD SA is rekeyed the old and "
            "the new one are listed together for a moment, which is normal. "
            + (
                f"Here {len(installed)} of them are INSTALLED at once: "
                "outbound traffic uses only one SA per reqid, so the others "
                "are duplicates that carry nothing."
                if len(installed) > 1
                else "Here only one of them is INSTALLED."
            ),
            "Nothing to fix for a rekey in progress; otherwise remove the "
            "duplicate IKE SAs they belong to (unique = replace, one "
            "initiating side).",
        )


# -- helpers ----------------------------------------------------------------


def _idle(c: ListedChildSa) -> bool:
    counters = (c.bytes_in, c.bytes_out, c.packets_in, c.packets_out)
    return (
        c.bytes_in == 0
        and c.bytes_out == 0
        and all(n in (0, None) for n in counters)
        and c.installed is not None
        and c.installed >= IDLE_AFTER
    )


def _youth(sa: ListedIkeSa) -> tuple[int, int]:
    """Sort key: the most recently established first, then the highest id."""
    age = sa.established if sa.established is not None else 2**62
    return (age, -sa.unique_id)


def _line(sa: ListedIkeSa) -> int:
    return sa.line


def _age(seconds: int) -> str:
    """``2214320`` -> ``25 days``: the largest unit that fits, rounded down."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def labels(transcripts: Sequence[Transcript]) -> list[str]:
    """The labels of every listed IKE SA, in listing order, without repeats."""
    seen: dict[str, None] = {}
    for t in transcripts:
        for sa in t.ike_sas:
            seen.setdefault(sa.label, None)
    return list(seen)
