"""Rules about algorithms: proposal mismatches and key exchange retries.

A proposal is a protocol and a list of transforms separated by slashes
(``IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024``). Two lists
fail to meet when, for some transform type, no proposal on one side
shares a transform of that type with any proposal on the other; naming
that type (``key exchange method``) is most of the answer in a ticket.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import events as ev
from ..replay.model import IkeSa
from .context import Context, View
from .model import Finding, Kind, Severity

#: Transform types in the order charon prints them.
TYPES = ("encryption", "integrity", "PRF", "key exchange", "ESN")

_KE_PREFIXES = ("MODP_", "ECP_", "CURVE_", "ECP", "MLKEM", "ML_KEM", "KE", "NTRU")


def transform_type(name: str) -> str:
    """The type of one transform name as strongSwan spells it."""
    if name.startswith("PRF_"):
        return "PRF"
    if name.startswith(_KE_PREFIXES) or name in ("NO_DH",):
        return "key exchange"
    if name in ("NO_EXT_SEQ", "EXT_SEQ"):
        return "ESN"
    if name.startswith(("HMAC_", "AES_XCBC", "AES_CMAC", "AES_128_GMAC", "UNDEFINED")):
        return "integrity"
    return "encryption"


def split(proposal: str) -> dict[str, set[str]]:
    """``IKE:A/B/C`` -> transforms per type."""
    _, _, body = proposal.partition(":")
    out: dict[str, set[str]] = {}
    for name in body.split("/"):
        if name:
            out.setdefault(transform_type(name), set()).add(name)
    return out


def compare(received: list[str], configured: list[str]) -> list[str]:
    """What keeps two proposal lists apart, one sentence per transform type.

    A type is named when no received proposal shares a transform of that
    type with any configured proposal (AEAD ciphers carry no integrity
    transform, so a missing type on one side counts as a match).
    """
    theirs = [split(p) for p in received]
    ours = [split(p) for p in configured]
    notes = []
    for t in TYPES:
        offered = set().union(*(p.get(t, set()) for p in theirs)) if theirs else set()
        have = set().union(*(p.get(t, set()) for p in ours)) if ours else set()
        if not offered or not have or offered & have:
            continue
        notes.append(
            f"no common {t}: peer offers {', '.join(sorted(offered))}; "
            f"configured {', '.join(sorted(have))}"
        )
    return notes


def side_by_side(received: list[str], configured: list[str]) -> str:
    """The two lists per transform type, peer left, ours right, for a ticket.

    Rows whose sides share nothing end in ``<- no match``.
    """
    theirs = [split(p) for p in received]
    ours = [split(p) for p in configured]
    rows = [("", "peer proposed", "configured here", "")]
    for t in TYPES:
        left = sorted(set().union(*(p.get(t, set()) for p in theirs)))
        right = sorted(set().union(*(p.get(t, set()) for p in ours)))
        if not left and not right:
            continue
        clash = bool(left and right and not set(left) & set(right))
        rows.append(
            (t, ", ".join(left) or "-", ", ".join(right) or "-", "<- no match" * clash)
        )
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(
        f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}".rstrip()
        for a, b, c, d in rows
    )


_IKE_STAGES = ("IKE_SA_INIT", "ID_PROT", "AGGRESSIVE")


def _stage_of(view: View, e: ev.Event) -> str | None:
    """The exchange a line belongs to: the last message before it."""
    stage = None
    for other in view.events:
        if other is e:
            break
        if isinstance(other.body, ev.Message):
            stage = other.body.exchange
    return stage


def proposal_mismatch(ctx: Context) -> Iterator[Finding]:
    """No proposal chosen, for IKE and for CHILD SAs, on either side."""
    for view in ctx.all_views():
        yield from _no_ike_config(view)
        yield from _mismatch(view)


def _no_ike_config(view: View) -> Iterator[Finding]:
    for e in view.of(ev.PeerCfgProblem):
        text = e.body.text  # type: ignore[attr-defined]
        if not text.startswith("no IKE config found"):
            continue
        hosts = text.removeprefix("no IKE config found for ").partition(",")[0]
        yield Finding(
            Kind.NO_IKE_CONFIG,
            Severity.ERROR,
            view.label,
            view.evidence([e, *_sent_no_prop(view, e)]),
            f"no IKE config for the addresses {hosts}",
            "No connection here accepts IKE from this peer's address to this "
            "local address, so charon answered NO_PROPOSAL_CHOSEN before it "
            "ever compared algorithms. This is not a cipher mismatch.",
            "Check the connection's local_addrs/remote_addrs (left/right in "
            "ipsec.conf) and that the configuration is loaded (swanctl "
            "--load-all); the peer may also be reaching an unexpected address "
            "(NAT, a second interface).",
        )


def _sent_no_prop(view: View, after: ev.Event) -> list[ev.Event]:
    for e in view.of(ev.Message):
        m = e.body
        assert isinstance(m, ev.Message)
        if e.line > after.line and not m.inbound and "NO_PROP" in m.notifies:
            return [e]
    return []


def _mismatch(view: View) -> Iterator[Finding]:
    # what this side refused
    refused = view.of(ev.ProposalNone)
    received_no_prop = [
        e
        for e in view.of(ev.Message)
        if e.body.inbound and "NO_PROP" in e.body.notifies  # type: ignore[attr-defined]
    ]
    notify = [
        e
        for e in view.of(ev.NotifyError)
        if e.body.notify == "NO_PROPOSAL_CHOSEN"  # type: ignore[attr-defined]
    ]
    lists = view.of(ev.ProposalList)
    for e in refused:
        stage = _stage_of(view, e)
        ike = stage is None or stage in _IKE_STAGES
        received = _last_list(lists, e, received=True)
        configured = _last_list(lists, e, received=False)
        proof = [x for x in lists if x.line <= e.line][-2:]
        yield _local_refusal(view, ike, e, proof, received, configured)
    if refused:
        return
    # what the peer refused
    if received_no_prop or notify:
        first = (received_no_prop or notify)[0]
        stage = _stage_of(view, first)
        ike = stage is None or stage in _IKE_STAGES
        yield _peer_refusal(view, ike, [*received_no_prop, *notify], stage)


def _last_list(lists: list[ev.Event], before: ev.Event, *, received: bool) -> list[str]:
    found: list[str] = []
    for e in lists:
        b = e.body
        assert isinstance(b, ev.ProposalList)
        if e.line <= before.line and b.received == received:
            found = list(b.proposals)
    return found


def _local_refusal(
    view: View,
    ike: bool,
    e: ev.Event,
    proof: list[ev.Event],
    received: list[str],
    configured: list[str],
) -> Finding:
    kind = Kind.PROPOSAL_MISMATCH_IKE if ike else Kind.PROPOSAL_MISMATCH_CHILD
    what = "IKE" if ike else "CHILD SA (ESP/AH)"
    gaps = compare(received, configured)
    summary = f"no {what} proposal acceptable: we refused the peer's proposals"
    if gaps:
        types = [g.split(":")[0].removeprefix("no common ") for g in gaps]
        summary += f" (no common {', '.join(types)})"
    explanation = (
        f"The peer proposed {what} algorithms and none of them matches a "
        "configured proposal, so charon answered NO_PROPOSAL_CHOSEN."
    )
    if received and configured:
        explanation += "\n\n" + side_by_side(received, configured)
    if not received:
        explanation += (
            " The proposal lists are not in this log (they are logged at "
            "level 1 by the responder only; raise cfg to 1 or 2 to see them)."
        )
    conf = "proposals" if ike else "esp_proposals"
    fix = (
        f"Add an algorithm set the peer proposes to the connection's {conf} "
        "(or make the client propose one the server has); prefer modern "
        "suites such as aes256gcm16-prfsha384-ecp384 or "
        "aes256-sha256-modp2048 on both sides."
    )
    return Finding(
        kind, Severity.ERROR, view.label, view.evidence([*proof, e]), summary,
        explanation, fix,
    )  # fmt: skip


def _peer_refusal(
    view: View, ike: bool, events: list[ev.Event], stage: str | None
) -> Finding:
    kind = Kind.PROPOSAL_MISMATCH_IKE if ike else Kind.PROPOSAL_MISMATCH_CHILD
    what = "IKE" if ike else "CHILD SA (ESP/AH)"
    explanation = (
        f"The peer answered {stage or 'the request'} with NO_PROPOSAL_CHOSEN: "
        f"none of the {what} proposals we sent is configured on its side. "
        "Which algorithm is missing shows only in the peer's log (its "
        "'received proposals' and 'configured proposals' lines)."
    )
    if not ike:
        explanation += (
            " A responder also answers NO_PROPOSAL_CHOSEN for a CHILD SA it "
            "accepted but could not install in its kernel, so check the "
            "peer's log for 'unable to install' before changing algorithms."
        )
    conf = "proposals" if ike else "esp_proposals"
    return Finding(
        kind,
        Severity.ERROR,
        view.label,
        view.evidence(events),
        f"peer refused our {what} proposals (NO_PROPOSAL_CHOSEN)",
        explanation,
        f"Compare our {conf} with the peer's configuration and add a common "
        "suite on one side; newer clients drop old defaults such as "
        "MODP_1024 and SHA1, so servers often need a current suite added.",
    )


def invalid_ke(ctx: Context) -> Iterator[Finding]:
    """INVALID_KE_PAYLOAD round trips: benign once, a loop when repeated.

    A responder keeps no state for an INVALID_KE_PAYLOAD answer: its IKE SA
    ends there and the initiator's retry arrives as a new IKE SA from the
    same address and port. The same refusal twice within one SA, or again
    on the retry, is a loop; one refusal is the normal first half of a
    retry.
    """
    position = {id(v): n for n, v in enumerate(ctx.views)}
    # (retrying view, offered, requested) refused once already
    repeated: set[tuple[int, str, str]] = set()
    for view in ctx.all_views():
        rejects = view.of(ev.KeMethodRejected)
        for e in rejects:
            k = e.body
            assert isinstance(k, ev.KeMethodRejected)
            again = (id(view), k.offered, k.requested) in repeated or (
                sum(1 for x in rejects if x.body == k) > 1
            )
            retry = None
            if k.local_rejects and view.role == "responder" and id(view) in position:
                retry = _retry(ctx, position[id(view)])
            if retry is not None and any(
                x.body == k for x in retry.of(ev.KeMethodRejected)
            ):
                repeated.add((id(retry), k.offered, k.requested))
            yield _ke_finding(view, e, k, again, _name(retry))


#: How soon (in seconds) after a refusal the initiator's retry must come.
RETRY_WITHIN = 60


def _first_remote(sa: IkeSa) -> str | None:
    """The peer's endpoint when the SA began (before NAT-T or MOBIKE moves)."""
    if sa.endpoint_changes:
        return sa.endpoint_changes[0][1]
    return sa.remote


def _name(view: View | None) -> str | None:
    """How a finding names another IKE SA: its label, or where it starts
    when the log never shows its unique id."""
    sa = view.sa if view is not None else None
    if sa is None:
        return None
    if sa.unique_id is None and sa.first_line is not None:
        return f"the IKE SA of line {sa.first_line}"
    return sa.label


def _retry(ctx: Context, n: int) -> View | None:
    """The IKE SA that retried the refused one, ``ctx.views[n]``: the next
    one started with us from the same endpoint, soon after."""
    first = ctx.views[n].sa
    endpoint = _first_remote(first) if first is not None else None
    if first is None or endpoint is None:
        return None
    for view in ctx.views[n + 1 :]:
        sa = view.sa
        if sa is None:
            continue
        gap = (
            (sa.first_ts - first.last_ts).total_seconds()
            if first.last_ts and sa.first_ts
            else 0.0
        )
        if gap > RETRY_WITHIN:
            return None
        if view.role == "responder" and _first_remote(sa) == endpoint:
            return view
    return None


def _ke_finding(
    view: View,
    e: ev.Event,
    k: ev.KeMethodRejected,
    loop: bool,
    retry: str | None = None,
) -> Finding:
    related = [e]
    for x in view.of(ev.Message, ev.Note):
        b = x.body
        if isinstance(b, ev.Message) and b.exchange == "IKE_SA_INIT":
            if "INVAL_KE" in b.notifies or (
                x.line > e.line and b.is_request and not b.inbound
            ):
                related.append(x)
        elif (
            isinstance(b, ev.Note)
            and b.what == "proposal"
            and "doesn't match" in (b.text)
        ):
            related.append(x)
    related = [x for x in related if abs(x.line - e.line) <= 6]
    who = "we" if k.local_rejects else "the peer"
    if loop:
        return Finding(
            Kind.INVALID_KE_LOOP,
            Severity.ERROR,
            view.label,
            view.evidence(related),
            f"INVALID_KE_PAYLOAD loop: {k.requested} requested again "
            f"instead of {k.offered}",
            f"{who.capitalize()} asked for key exchange method {k.requested} "
            "more than once for the same offer. The initiator keeps sending a "
            f"KE payload for {k.offered}, or the group it retries with is not "
            "in its own proposals, so the SA never gets past IKE_SA_INIT.",
            f"Put {k.requested} first in the initiator's proposals (or remove "
            f"{k.offered} from it), or allow {k.offered} on the responder.",
        )
    topic = (
        f"key exchange retried: {who} refused {k.offered} and asked for "
        f"{k.requested} (benign once)"
    )
    explanation = (
        "The initiator guesses a key exchange method for its first KE payload; "
        "when the responder selected a different one from the proposals, it "
        "answers INVALID_KE_PAYLOAD naming the method it wants and the "
        "initiator restarts IKE_SA_INIT with it. It costs one round trip."
    )
    responder = k.local_rejects and view.role == "responder"
    if responder:
        explanation += (
            " This IKE SA is the first half of such a retry: a responder "
            "keeps no state for its INVALID_KE_PAYLOAD answer, so the SA "
            "ends there (that is why it shows as failed), and the "
            f"initiator's second IKE_SA_INIT, with {k.requested}, starts a "
            "new IKE SA."
        )
        if retry is None:
            explanation += (
                " That retry is not in these lines: the excerpt ends first, "
                "or the initiator gave up."
            )
    return Finding(
        Kind.INVALID_KE,
        Severity.INFO,
        view.label,
        view.evidence(related),
        topic + (f"; the retry is {retry}" if retry is not None else ""),
        explanation,
        f"Nothing to fix. To save the round trip, list {k.requested} first in "
        "the initiator's proposals.",
        topic=topic,
    )
