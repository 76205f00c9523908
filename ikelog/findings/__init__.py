"""Diagnoses of a replayed log: findings with evidence, explanation and fix.

:func:`diagnose` runs every rule over a :class:`~ikelog.trace.Trace` and
the events it was replayed from, and returns the findings most severe
first. Rules are plain functions from a :class:`~.context.Context` to
findings, one module per family:

* :mod:`.proposals`: no proposal chosen (IKE and CHILD, with the lists side
  by side), no IKE config for the addresses, INVALID_KE round trips;
* :mod:`.auth`: EAP failures and NAKs, certificates, pre-shared keys,
  AUTHENTICATION_FAILED in either direction, peer config lookup and
  switches;
* :mod:`.network`: retransmits and giving up, half-open timeouts, DPD, NAT;
* :mod:`.child`: traffic selectors, kernel installs, virtual IPs, rekey
  collisions, duplicate SAs;
* :mod:`.platform`: who the client is and what that means;
* :mod:`.listing`: swanctl ``--list-sas`` snapshots, pasted into the log or
  given next to it: duplicate IKE SAs, CHILD SAs without traffic, shared
  reqids.

Evidence quotes the log's lines as written (the trace keeps their text);
benign findings repeated on many SAs are told once (:mod:`.group`).

Nothing here reads files or the clock; the caller passes the events.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .. import events as ev
from ..transcripts import Transcript
from . import auth, child, listing, network, platform, proposals
from .context import Context, LineText, View, evidence
from .group import NAMED, grouped
from .model import Evidence, Finding, Kind, Severity, order_key

if TYPE_CHECKING:
    from ..replay.model import AmbiguousJob
    from ..trace import Trace

__all__ = [
    "RULES",
    "Evidence",
    "Finding",
    "Kind",
    "Severity",
    "diagnose",
    "diagnose_inputs",
    "diagnose_sas",
    "worst",
]

Rule = Callable[[Context], Iterable[Finding]]

#: Every rule, in no particular order: findings are sorted afterwards.
RULES: tuple[Rule, ...] = (
    proposals.proposal_mismatch,
    proposals.invalid_ke,
    auth.authentication,
    network.retransmits,
    network.half_open,
    network.dos_protection,
    network.liveness,
    network.mobike,
    child.traffic_selectors,
    child.kernel_install,
    child.virtual_ips,
    child.rekeying,
    child.duplicates,
    platform.platform,
)


def diagnose(
    trace: Trace, events: Iterable[ev.Event] | None = None, *, group: bool = True
) -> list[Finding]:
    """The findings for a replayed log, most severe first.

    ``events`` are the events the trace was replayed from; without them
    (and without ``trace.events``) rules see only the replay's records.
    Listings pasted among the log's lines are diagnosed too. Evidence is
    quoted from the trace's line texts where it kept them. ``group``
    makes identical info findings of several SAs one (see :mod:`.group`).
    """
    line_text = _line_text(trace)
    if events is None and trace.daemons:
        # several daemons' logs: each is diagnosed with its own lines (unique
        # ids and line numbers repeat between them; each event names its
        # input, so its text is found all the same)
        per_daemon = [
            diagnose_sas(
                sas,
                daemon_events,
                total_lines=trace.counts.total,
                listings=listing.listings_in(daemon_events),
                line_text=line_text,
                group=group,
            )
            for sas, daemon_events in trace.daemons
        ]
        _seen_from_both_ends(trace, per_daemon)
        return sorted((f for found in per_daemon for f in found), key=order_key)
    if events is None:
        events = getattr(trace, "events", None) or ()
    events = list(events)
    return diagnose_sas(
        trace.ike_sas,
        events,
        total_lines=trace.counts.total,
        listings=listing.listings_in(events),
        line_text=line_text,
        group=group,
        undecided=trace.replay.ambiguous,
    )


#: What one end reports when the other end failed for a reason of its own.
_THE_OTHER_END = {
    Kind.PROPOSAL_MISMATCH_CHILD: (Kind.INSTALL_CHILD_SA_FAILED, Kind.TS_MISMATCH),
    Kind.LOCAL_AUTH_FAILED: (
        Kind.PEER_AUTH_FAILED,
        Kind.EAP_FAILURE,
        Kind.CERT_UNTRUSTED,
        Kind.CERT_EXPIRED,
        Kind.CERT_ID_MISMATCH,
        Kind.NO_PEER_CONFIG,
    ),
}


#: Failures both ends report alike where the responder decided: the
#: initiator's finding points to the responder's (EAP: the server checks
#: the password, the client only hears the verdict).
_DECIDED_BY_RESPONDER = frozenset({Kind.EAP_FAILURE})


def _seen_from_both_ends(trace: Trace, per_daemon: list[list[Finding]]) -> None:
    """With both ends' logs, what one end saw of the other's failure is not
    the diagnosis: it points to the other end's finding, which says why.

    ``per_daemon`` holds each daemon's findings (in ``trace.daemons``
    order) and is changed in place.
    """
    daemon_of = {id(sa): n for n, (sas, _) in enumerate(trace.daemons) for sa in sas}
    for pair in trace.correlations:
        for near, far in ((pair.ours, pair.theirs), (pair.theirs, pair.ours)):
            mine = per_daemon[daemon_of[id(near)]]
            theirs = per_daemon[daemon_of[id(far)]]
            for i, f in enumerate(mine):
                causes = _THE_OTHER_END.get(f.kind, ())
                if f.kind in _DECIDED_BY_RESPONDER and near.role == "initiator":
                    causes = (*causes, f.kind)
                if f.ike_sa != near.label or f.severity is Severity.INFO:
                    continue
                cause = next(
                    (c for c in theirs if c.kind in causes and c.ike_sa == far.label),
                    None,
                )
                if cause is None:
                    continue
                where = far.source or "the other log"
                mine[i] = replace(
                    f,
                    severity=Severity.INFO,
                    summary=f"{f.summary}: the other end says why "
                    f"({cause.kind.value} on {far.label})",
                    explanation=f"The other end's log ({where}) shows the cause: "
                    f"{cause.summary} (line {cause.first_line}). {f.explanation}",
                    fix=f"See the {cause.kind.value} finding on {far.label}.",
                )


def _line_text(trace: Trace) -> LineText | None:
    """The trace's lookup of line texts, if it kept any."""
    if not getattr(trace, "texts", None):
        return None
    return trace.line_text


def diagnose_sas(
    sas: Sequence[object],
    events: Iterable[ev.Event],
    *,
    total_lines: int = 0,
    listings: Sequence[Transcript] = (),
    line_text: LineText | None = None,
    group: bool = True,
    undecided: Sequence[AmbiguousJob] = (),
) -> list[Finding]:
    """:func:`diagnose` on bare records: a list of IKE SAs and events, and
    swanctl listings.

    ``line_text`` gives an input line's text as written (``(line, source)
    -> text``, as :meth:`ikelog.trace.Trace.line_text`); without it
    evidence is rebuilt from the events. ``group`` as for :func:`diagnose`.
    ``undecided`` are the replay's ambiguous jobs (findings on their lines
    name the SAs they could be of).
    """
    # the rules make many short-lived lists and no cycles: the cyclic
    # collector would only walk the events again and again
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        ctx = Context.build(
            sas,  # type: ignore[arg-type]
            events,
            total_lines,
            line_text=line_text,
            undecided=undecided,
        )
        found: list[Finding] = []
        for rule in RULES:
            found.extend(rule(ctx))
        found.extend(_incomplete(ctx, found))
        found = _after_failures(_name_candidates(ctx, found))
    finally:
        if was_enabled:
            gc.enable()
    found.extend(listing.diagnose(listings))
    listed = any(t.ike_sas for t in listings)
    if (
        not ctx.views
        and not listed
        and not any(f.severity is not Severity.INFO for f in found)
    ):
        found.append(_no_sa(ctx))
    unique = list(_unique(found))
    return sorted(grouped(unique) if group else unique, key=order_key)


def _name_candidates(ctx: Context, found: list[Finding]) -> list[Finding]:
    """Findings on the lines of an undecided job name its candidate SAs."""
    if not ctx.undecided:
        return found
    job_of = {e.line: view for view in ctx.undecided for e in view.events}
    out = []
    for f in found:
        jobs = {id(job_of.get(x.line)) for x in f.evidence}
        view = job_of.get(f.evidence[0].line) if f.evidence else None
        if f.ike_sa is None and view is not None and len(jobs) == 1:
            names = view.candidates
            listed = ", ".join(names[:NAMED])
            if len(names) > NAMED:
                listed += f" and {len(names) - NAMED} more"
            f = replace(
                f,
                candidates=names,
                summary=f"{f.summary} (on one of {len(names)} IKE SAs the log "
                f"does not tell apart: {listed})",
            )
        out.append(f)
    return out


#: What an SA's failed authentication leads to, each in its own job.
_AFTERMATH = {
    Kind.PEER_AUTH_FAILED: "the client then reports AUTHENTICATION_FAILED",
    Kind.HALF_OPEN_TIMEOUT: "the gateway deletes the SA it never established "
    "when its half-open timeout runs out",
}
_CAUSES = (
    Kind.EAP_FAILURE,
    Kind.LOCAL_AUTH_FAILED,
    Kind.CERT_UNTRUSTED,
    Kind.CERT_EXPIRED,
    Kind.CERT_ID_MISMATCH,
    Kind.NO_PEER_CONFIG,
)


def _after_failures(found: list[Finding]) -> list[Finding]:
    """What follows an undecided failed authentication.

    Without tags, a login that fails leaves three jobs: the failure, the
    client's AUTH_FAILED notify, and the half-open SA deleted later; each
    would be an error of its own. As many of the later two as there were
    failures before them become information: undecided ones, and those the
    replay could give by elimination to an SA the failure may be of.
    """
    causes = sorted(
        (f.first_line, set(f.candidates))
        for f in found
        if f.candidates and f.kind in _CAUSES
    )
    if not causes:
        return found
    left = {kind: list(causes) for kind in _AFTERMATH}
    out = []
    for f in sorted(found, key=lambda f: f.first_line):
        earlier = left.get(f.kind, [])
        cause = next(
            (
                c
                for c in earlier
                if c[0] < f.first_line and (f.candidates or f.ike_sa in c[1])
            ),
            None,
        )
        if cause is not None:
            earlier.remove(cause)
            f = replace(
                f,
                severity=Severity.INFO,
                explanation=f"Likely what followed the failed authentication "
                f"of line {cause[0]} ({_AFTERMATH[f.kind]}); without tags the "
                f"log does not say which SA that was. {f.explanation}",
            )
        out.append(f)
    return out


def diagnose_inputs(
    trace: Trace | None, transcripts: Sequence[Transcript]
) -> list[Finding]:
    """The findings of a log (if any) and of the listings given next to it,
    most severe first."""
    found = trace.findings() if trace is not None else []
    found.extend(grouped(listing.diagnose(transcripts)))
    return sorted(_unique(found), key=order_key)


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The most severe severity among findings, if any."""
    ranks = sorted(findings, key=lambda f: f.severity.rank)
    return ranks[0].severity if ranks else None


def _unique(found: Iterable[Finding]) -> Iterator[Finding]:
    seen: set[tuple[Kind, str | None, tuple[int, ...]]] = set()
    for f in found:
        key = (f.kind, f.ike_sa, tuple(f.lines))
        if key not in seen:
            seen.add(key)
            yield f


#: SA states that are an outcome: an SA in one is not left incomplete
#: (unless only the daemon's stop failed it, which tells no outcome).
_ENDED = ("failed", "deleted", "rekeyed")


def _incomplete(ctx: Context, found: list[Finding]) -> Iterator[Finding]:
    serious = {f.ike_sa for f in found if f.severity is not Severity.INFO}
    for view in ctx.views:
        sa = view.sa
        if sa is None or view.established or view.label in serious:
            continue
        failure = sa.failure
        stopped = failure is not None and failure.what == "not-established"
        if sa.state in _ENDED and not stopped:
            continue
        last = sa.exchanges[-1] if sa.exchanges else None
        doing = f"{last.type} was in progress" if last else "no exchange shown"
        line = None
        if last is not None:
            asked = last.retries[-1].line if last.retries else last.request_line
            line = last.response_line or asked
        proof = [e for e in view.events if e.line == line] or view.events[-1:]
        yield Finding(
            Kind.INCOMPLETE,
            Severity.INFO,
            view.label,
            view.evidence(proof),
            f"outcome not in the log: {doing} when "
            + ("the daemon stopped" if stopped else "the log ends"),
            "The IKE SA was neither established nor failed with a reason "
            "within these lines; the excerpt probably stops too early.",
            "Get the log lines that follow (or a log of the other side) "
            "for the same time.",
        )


def _no_sa(ctx: Context) -> Finding:
    return Finding(
        Kind.NO_IKE_SA,
        Severity.INFO,
        None,
        ctx.evidence(ctx.unattributed.events[:1]),
        "no IKE SA in this log",
        "Nothing in these lines belongs to an IKE negotiation: no packet "
        "from a peer reached this daemon (or the log level hides it).",
        "If a client tried to connect, check that its packets arrive (UDP "
        "500/4500 open, right address) and that this is the right daemon's "
        "log.",
    )


# re-exported for callers that build their own contexts
_ = (View, Evidence, evidence)
