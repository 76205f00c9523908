"""Rules about reaching the peer: retransmits, timeouts, DPD, NAT.

Which request went unanswered says most about why: an IKE_SA_INIT that
never gets a reply means nothing reaches the peer on UDP 500; an
IKE_AUTH after a switch to port 4500 points at UDP 4500 or at large
IKE_AUTH messages whose IP fragments are dropped; an INFORMATIONAL on an
established SA is dead peer detection giving up.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import cast

from .. import events as ev
from ..replay.model import Exchange
from .context import Context, View
from .model import Finding, Kind, Severity

#: IKE messages above this size are likely to be IP-fragmented on the way.
LARGE_MESSAGE = 1280


def _unanswered(view: View, until: int) -> Exchange | None:
    """Our last unanswered request sent before line ``until``."""
    for x in reversed(view.exchanges):
        if x.initiator != "local" or x.response is not None:
            continue
        if x.request_line is not None and view.before(x.request_line, until):
            return x
    return None


def retransmits(ctx: Context) -> Iterator[Finding]:
    """Giving up after retransmits, and requests still being retransmitted."""
    for view in ctx.all_views():
        gave_up = view.of(ev.GiveUp) + [
            e
            for e in view.of(ev.IkeFailure)
            if e.body.what == "peer_not_responding"  # type: ignore[attr-defined]
        ]
        tries = view.of(ev.Retransmit)
        if gave_up:
            yield _timeout(view, gave_up, tries)
            continue
        for x in view.exchanges:
            if x.initiator != "local" or not x.retransmits:
                continue
            lines = [
                e
                for e in tries
                if e.body.message_id == x.message_id  # type: ignore[attr-defined]
            ]
            if x.response is None:
                yield Finding(
                    Kind.RETRANSMIT_SEND,
                    Severity.WARNING,
                    view.label,
                    view.evidence(lines),
                    f"{x.type} request {x.message_id} retransmitted "
                    f"{x.retransmits} times without an answer (so far)",
                    "Our request got no response before the log ends. " + _why(view, x),
                    _fix(view, x),
                )
            else:
                yield Finding(
                    Kind.RETRANSMIT_SEND,
                    Severity.INFO,
                    view.label,
                    view.evidence(lines),
                    f"{x.type} request {x.message_id} needed {x.retransmits} "
                    "retransmits before it was answered",
                    "Packets were lost or the peer was slow (busy, DoS "
                    "protection, a large fragmented message).",
                    "Nothing to fix unless it happens often.",
                    topic="requests needed retransmits before they were answered",
                )


def _timeout(view: View, gave_up: list[ev.Event], tries: list[ev.Event]) -> Finding:
    x = _unanswered(view, gave_up[0].line)
    sent = [
        e
        for e in view.of(ev.Packet)
        if not e.body.inbound  # type: ignore[attr-defined]
        and view.before(e.line, gave_up[0].line)
    ]
    tries = [e for e in tries if view.before(e.line, gave_up[0].line)]
    proof = [*tries, *gave_up]
    if x is not None and x.request_line is not None:
        proof += [e for e in view.events if e.line == x.request_line]
    elif sent and not tries:
        proof.append(sent[-1])
    dpd = x is not None and x.type == "INFORMATIONAL" and view.established
    if dpd:
        return Finding(
            Kind.DPD_TIMEOUT,
            Severity.ERROR,
            view.label,
            view.evidence(proof),
            "peer dead: DPD/INFORMATIONAL request unanswered, gave up",
            "The IKE SA was established, but a liveness check (or another "
            "INFORMATIONAL) got no answer after all retransmits, so charon "
            "declared the peer dead and closed the SA (the dpd_action / "
            "close_action decides whether it restarts).",
            "Check the path to the peer (it rebooted, its address changed, or "
            "a NAT mapping expired); use dpd_action = restart where the "
            "tunnel must come back by itself, clear on standby nodes.",
        )
    what = x.type if x is not None else "a request"
    size = ""
    if x is None and sent and sent[-1].body.size is not None:  # type: ignore[attr-defined]
        size = f" ({sent[-1].body.size} bytes)"  # type: ignore[attr-defined]
    return Finding(
        Kind.RETRANSMIT_SEND_TIMEOUT,
        Severity.ERROR,
        view.label,
        view.evidence(proof),
        f"peer not responding: gave up after retransmitting {what}{size}",
        "No response came to our request even after the last "
        "retransmit, so charon gave up on the IKE SA. "
        + (_why(view, x) if x is not None else _why_unknown(size)),
        _fix(view, x) if x is not None else _fix_unknown(),
    )


def _why_unknown(size: str) -> str:
    small = size and int(size.strip(" ()bytes")) < 120
    return (
        "The request is small, as a DPD liveness check is: the peer is "
        "gone or the path to it is broken."
        if small
        else "The peer is unreachable or does not answer."
    )


def _fix_unknown() -> str:
    return (
        "Check that the peer is up and reachable on UDP 500/4500; if it "
        "is a standby or gone for good, use a dpd/close action that does "
        "not restart."
    )


def _why(view: View, x: Exchange) -> str:
    if x.type in ("IKE_SA_INIT", "ID_PROT", "AGGRESSIVE"):
        return (
            "Nothing came back to the very first message: the peer does "
            "not receive UDP port 500 (a firewall drops it, the address is "
            "wrong, or no IKE daemon runs there)."
        )
    if x.type == "IKE_AUTH":
        size = x.request_size or 0
        if x.request_fragments == 0 and size > LARGE_MESSAGE:
            return (
                f"IKE_SA_INIT worked but the IKE_AUTH request ({size} bytes, "
                "not fragmented by IKE) got no answer: its IP fragments are "
                "probably dropped on the way."
            )
        return (
            "IKE_SA_INIT worked but IKE_AUTH got no answer: after the "
            "switch to UDP 4500 (NAT traversal) nothing arrives, or the "
            "peer dropped the message."
        )
    return "The peer stopped answering on this IKE SA."


def _fix(view: View, x: Exchange) -> str:
    if x.type in ("IKE_SA_INIT", "ID_PROT", "AGGRESSIVE"):
        return (
            "Allow UDP 500 and 4500 (and ESP) to and from the peer, check "
            "its address and that its IKE daemon is running."
        )
    if x.type == "IKE_AUTH":
        if x.request_fragments:
            return (
                "Allow UDP 4500 (and IP fragments) to and from the peer: the "
                "request was already sent in IKE fragments."
            )
        return (
            "Allow UDP 4500 and IP fragments to and from the peer, and avoid "
            "sending large certificate chains; IKE fragmentation "
            "(fragmentation = yes, the default) splits our IKE_AUTH only "
            "when the peer announced support for it in IKE_SA_INIT."
        )
    return "Check the path to the peer and that it is still running."


_WINDOWS_VIDS = ("MS NT5", "MS-Negotiation", "MS-MamieExists")


def half_open(ctx: Context) -> Iterator[Finding]:
    """Half-open SAs whose IKE_AUTH never arrived (Windows 'error 809')."""
    for view in ctx.all_views():
        for e in view.of(ev.IkeFailure):
            if e.body.what != "half_open_timeout":  # type: ignore[attr-defined]
                continue
            if any(
                x.type == "IKE_AUTH" or (x.initiator == "remote" and x.message_id)
                for x in view.exchanges
            ):
                continue  # IKE_AUTH did arrive; the SA failed for another reason
            init = [
                x
                for x in view.of(ev.Message)
                if isinstance(x.body, ev.Message) and x.body.exchange == "IKE_SA_INIT"
            ]
            why, fix = _half_open_advice(view)
            yield Finding(
                Kind.HALF_OPEN_TIMEOUT,
                Severity.ERROR,
                view.label,
                view.evidence([*init[-1:], e]),
                "half-open IKE SA timed out: IKE_AUTH never arrived",
                why,
                fix,
            )


def _half_open_advice(view: View) -> tuple[str, str]:
    """Why a client's IKE_AUTH got lost on its way to us, and what to do,
    from what IKE_SA_INIT shows: NAT, both sides' IKE fragmentation support,
    and whether the client is Windows."""
    sa = view.sa
    init = next((x for x in view.exchanges if x.type == "IKE_SA_INIT"), None)
    theirs = init is not None and "N(FRAG_SUP)" in (init.request or ())
    ours = init is not None and "N(FRAG_SUP)" in (init.response or ())
    nat = sa is not None and (sa.local_nat or sa.remote_nat)
    server_nat = sa is not None and sa.local_nat
    windows = sa is not None and any(
        v in vid for vid in sa.vendor_ids for v in _WINDOWS_VIDS
    )
    why = (
        "We answered IKE_SA_INIT but the client's IKE_AUTH never reached us "
        "(on Windows this is 'error 809'). The request got lost on the "
        "client's side or on the path, not here: "
    )
    if nat:
        why += (
            "with NAT detected the client sends IKE_AUTH to UDP 4500, which "
            "a firewall or the NAT on the way may block; "
        )
    else:
        why += "UDP 500 worked, so it is not the port; "
    if theirs and ours:
        why += (
            "both sides announced IKE fragmentation (FRAG_SUP), so a large "
            "IKE_AUTH is split by the client itself and IP fragments are "
            "an unlikely cause"
        )
    elif ours:
        why += (
            "the client did not announce IKE fragmentation, so its large "
            "IKE_AUTH (certificates, EAP, configuration requests) leaves as "
            "IP fragments, which many firewalls and NATs drop"
        )
    else:
        why += (
            "without IKE fragmentation announced by both sides, a large "
            "IKE_AUTH leaves as IP fragments, which many firewalls and NATs "
            "drop"
        )
    why += "."
    steps = []
    if nat:
        steps.append(
            "Make sure UDP 4500 (NAT-T) from the client reaches the server "
            "(forwarded by the NAT in front of it, open in every firewall); "
            "a capture on the server shows whether anything arrives there."
        )
    else:
        steps.append(
            "Check that the client's IKE_AUTH reaches the server (a capture "
            "on the server shows whether it arrives at all)."
        )
    if not (theirs and ours):
        steps.append(
            "Let IP fragments of UDP through the path, or have the client "
            "use IKE fragmentation; fragmentation = yes is strongSwan's "
            "default already and cannot split a request the client sends."
        )
    if server_nat:
        steps.append(
            "The server is behind NAT: Windows clients need the registry "
            "value AssumeUDPEncapsulationContextOnSendRule = 2 (DWORD, "
            "HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent, then "
            "reboot) to connect to a server behind NAT."
        )
    elif windows and nat:
        steps.append(
            "Only the client is behind NAT, which Windows handles by "
            "default: AssumeUDPEncapsulationContextOnSendRule is not the "
            "fix here. Check the client's own firewall and security "
            "software too."
        )
    return why, " ".join(steps)


def liveness(ctx: Context) -> Iterator[Finding]:
    """DPD exchanges and NAT detection, explained as benign."""
    for view in ctx.views:
        if view.sa is None:
            continue
        dpd = [
            x
            for x in view.exchanges
            if x.type == "INFORMATIONAL" and x.request == () and x.complete
        ]
        if dpd:
            lines = {x.request_line or x.response_line or 0 for x in dpd}
            proof = [e for e in view.events if e.line in lines]
            yield Finding(
                Kind.DPD,
                Severity.INFO,
                view.label,
                view.evidence(proof),
                f"{len(dpd)} empty INFORMATIONAL exchanges: dead peer "
                "detection, answered (benign)",
                "An empty INFORMATIONAL is a liveness check (DPD); each one "
                "was answered, so the peer was alive.",
                "Nothing to fix.",
                topic="empty INFORMATIONAL exchanges: dead peer detection, "
                "answered (benign)",
            )
        sa = view.sa
        if sa.local_nat or sa.remote_nat:
            nat = view.of(ev.NatDetected)
            keep = [
                e
                for e in view.of(ev.Note)
                if e.body.what == "keepalive"  # type: ignore[attr-defined]
            ]
            where = " and ".join(
                s for s, on in (("we", sa.local_nat), ("the peer", sa.remote_nat)) if on
            )
            yield Finding(
                Kind.NAT,
                Severity.INFO,
                view.label,
                view.evidence([*nat, *keep[:1]]),
                f"NAT detected: {where} behind NAT (benign)",
                "NAT detection found an address translation on the path, so "
                "IKE moves to UDP 4500 and ESP is UDP-encapsulated; the side "
                "behind NAT sends keepalives to hold the mapping open. A "
                "kernel-libipsec setup fakes this to force encapsulation.",
                "Nothing to fix; UDP 4500 must be open.",
            )


_MOBIKE = (
    "ADD_4_ADDR",
    "ADD_6_ADDR",
    "NO_ADD_ADDR",
    "UPDATE_SA_ADDR",
    "NO_NATS_ALLOWED",
)


def mobike(ctx: Context) -> Iterator[Finding]:
    """MOBIKE address updates on established SAs, and requests left pending."""
    for view in ctx.views:
        if not view.established:
            continue
        updates = [
            e
            for e in view.of(ev.Message)
            if e.body.exchange == "INFORMATIONAL"  # type: ignore[attr-defined]
            and set(e.body.notifies) & set(_MOBIKE)  # type: ignore[attr-defined]
            and set(e.body.notifies) != {"ADD_4_ADDR"}  # type: ignore[attr-defined]
            and set(e.body.notifies) != {"ADD_6_ADDR"}  # type: ignore[attr-defined]
        ]
        if updates:
            yield Finding(
                Kind.MOBIKE,
                Severity.INFO,
                view.label,
                view.evidence(updates),
                "MOBIKE address update after establishment (benign)",
                "With MOBIKE (RFC 4555) a peer tells the other which addresses "
                "it has (ADD_4_ADDR/ADD_6_ADDR, NO_ADD_ADDR when it has no "
                "other) and moves the SA when its path changes, e.g. from IPv6 "
                "to IPv4 or between networks.",
                "Nothing to fix; disable MOBIKE (mobike = no) only if a "
                "middlebox cannot handle the port switch.",
            )
        last = view.exchanges[-1] if view.exchanges else None
        if last is not None and last.initiator == "local" and last.response is None:
            if last.retransmits or view.sa is None or not view.sa.alive:
                continue
            if view.sa.state not in ("established",):
                continue
            proof = [e for e in view.events if e.line == last.request_line]
            yield Finding(
                Kind.PENDING,
                Severity.INFO,
                view.label,
                view.evidence(proof),
                f"{last.type} request {last.message_id} still unanswered "
                "when the log ends",
                "The last request on this SA has no response in these lines; "
                "most likely the excerpt ends before it arrived.",
                "Nothing to fix unless later lines show retransmits.",
                topic="the last request still unanswered when the log ends",
            )


_LIMIT = re.compile(r"limit of (\d+)")


def dos_protection(ctx: Context) -> Iterator[Finding]:
    """charon's defences against floods of IKE_SA_INIT, told once per log.

    With many half-open SAs charon answers new setups with a COOKIE
    (RFC 7296 2.6) and, past the per-address limit, ignores them, so the
    clients must send again; a crowd behind one NAT address looks to it
    like one host flooding it.
    """
    ignored = ctx.of(ev.SetupIgnored)
    cookies = [
        e
        for e in ctx.of(ev.Message)
        if not (b := cast(ev.Message, e.body)).inbound
        and b.exchange == "IKE_SA_INIT"
        and b.payloads == ("N(COOKIE)",)
    ]
    if not ignored and not cookies:
        return
    hosts = Counter(cast(ev.SetupIgnored, e.body).host for e in ignored)
    parts = []
    if cookies:
        parts.append(f"{len(cookies)} IKE_SA_INIT answered with a COOKIE")
    if ignored:
        crowd = ", ".join(f"{h} ({n})" for h, n in hosts.most_common(3))
        parts.append(f"{len(ignored)} ignored ({crowd})")
    reasons = {cast(ev.SetupIgnored, e.body).reason for e in ignored}
    per_ip = any("per-IP" in r for r in reasons)
    limits = sorted({m.group(1) for r in reasons if (m := _LIMIT.search(r))})
    explanation = (
        "charon protects itself against floods of IKE_SA_INIT requests: "
        "once many SAs are half open it asks new peers to prove their "
        "address with a COOKIE (one more round trip), and it ignores new "
        "setups from an address that has too many half-open SAs already "
        "(the peer must retransmit). Clients behind one NAT address share "
        "that address, so a crowd of them connecting at once looks like "
        "one host flooding the gateway."
    )
    fix = "Nothing to fix if the peers are a real flood."
    if ignored:
        which = "charon.block_threshold" if per_ip else "charon.init_limit_half_open"
        now = f" (now {limits[0]})" if len(limits) == 1 else ""
        fix = (
            f"For many clients behind one address, raise {which}{now} in "
            "strongswan.conf (and charon.cookie_threshold, to spare them the "
            "COOKIE round trip); clients then connect without waiting for "
            "retransmits."
        )
    yield Finding(
        Kind.DOS_PROTECTION,
        Severity.WARNING if ignored else Severity.INFO,
        None,
        ctx.evidence(ignored[:2] + cookies[:1]),
        "DoS protection engaged: " + "; ".join(parts),
        explanation,
        fix,
    )
