"""Rules about CHILD SAs, virtual IPs, rekeying and duplicate SAs."""

from __future__ import annotations

from collections.abc import Iterator

from .. import events as ev
from .context import Context, View
from .model import Finding, Kind, Severity


def _child_problems(view: View, what: str) -> list[ev.Event]:
    return [e for e in view.of(ev.ChildProblem) if e.body.what == what]  # type: ignore[attr-defined]


def traffic_selectors(ctx: Context) -> Iterator[Finding]:
    """TS_UNACCEPTABLE, from either side."""
    for view in ctx.all_views():
        local = _child_problems(view, "ts_unacceptable")
        peer = [
            e
            for e in view.of(ev.Message, ev.NotifyError)
            if (
                isinstance(e.body, ev.Message)
                and e.body.inbound
                and "TS_UNACCEPT" in e.body.notifies
            )
            or (
                isinstance(e.body, ev.NotifyError)
                and e.body.notify == "TS_UNACCEPTABLE"
            )
        ]
        if not local and not peer:
            continue
        failed = _child_problems(view, "child_failed")
        asked_here: tuple[str, ...] = ()
        asked_there: tuple[str, ...] = ()
        for e in local:
            b = e.body
            assert isinstance(b, ev.ChildProblem)
            if b.ts_local or b.ts_remote:
                # charon (the responder) logs the refused request as
                # "TSr === TSi": our side first, the initiator's second
                asked_here, asked_there = b.ts_local, b.ts_remote
        kept = " The IKE SA itself was kept." if failed or view.established else ""
        if local:
            summary, why, fix = _ts_refused_here(
                asked_here, asked_there, _our_subnets(ctx, view)
            )
        else:
            summary = "the peer refused our traffic selectors (TS_UNACCEPTABLE)"
            why = (
                "Our CHILD SA asked for subnets the peer's configuration does "
                "not allow (not even narrowed to a subset), so it answered "
                "TS_UNACCEPTABLE. We sent our local_ts as TSi and our "
                "remote_ts as TSr; the responder's log names both "
                "('traffic selectors <its side> === <our side> unacceptable')."
            )
            fix = (
                "Our remote_ts (rightsubnet in ipsec.conf) must overlap the "
                "peer's local_ts (the subnets behind the peer), and our "
                "local_ts (leftsubnet) its remote_ts; the responder may narrow "
                "a wider request to its own subnets, but never widen it."
            )
        yield Finding(
            Kind.TS_MISMATCH,
            Severity.ERROR,
            view.label,
            view.evidence([*local, *peer, *failed]),
            summary,
            why + kept,
            fix,
        )


def _our_subnets(ctx: Context, view: View) -> tuple[str, ...]:
    """Our side of CHILD SAs that the same connection did establish."""
    name = view.sa.name if view.sa is not None else None
    if name is None:
        return ()
    found: dict[str, None] = {}
    for other in ctx.views:
        sa = other.sa
        if sa is None or sa.name != name:
            continue
        for c in sa.child_sas:
            if c.established_line is not None:
                found.update(dict.fromkeys(c.ts_local))
    return tuple(found)


def _ts_refused_here(
    here: tuple[str, ...], there: tuple[str, ...], ours: tuple[str, ...]
) -> tuple[str, str, str]:
    """Summary, explanation and fix of a TS_UNACCEPTABLE we answered.

    We are the responder: ``here`` is what the initiator asked for on our
    side (its TSr, its remote_ts), ``there`` its own side (its TSi, its
    local_ts).
    """
    if not here and not there:
        return (
            "traffic selectors refused by us: CHILD SA not built",
            "The peer (the initiator) asked for a CHILD SA between networks "
            "that no connection here allows, so we answered TS_UNACCEPTABLE.",
            "The initiator's remote_ts (rightsubnet) must overlap our "
            "local_ts (leftsubnet), and its local_ts our remote_ts; the "
            "responder may narrow a wider request to its own subnets, but "
            "never widen it.",
        )
    mine, theirs = " ".join(here) or "-", " ".join(there) or "-"
    summary = (
        f"traffic selectors refused by us ({mine} === {theirs}): the peer "
        f"asked for {mine} on our side and {theirs} on its side; CHILD SA "
        "not built"
    )
    why = (
        "charon, as responder, logs a refused request as 'our side === the "
        f"initiator's side': the peer asked for {mine} behind us (its TSr, "
        f"from its remote_ts) and {theirs} behind itself (its TSi, from its "
        "local_ts). No connection here has a local_ts overlapping the first "
        "together with a remote_ts overlapping the second, so we answered "
        "TS_UNACCEPTABLE."
    )
    target = (
        f"our local subnet ({' '.join(ours)}, as this connection's other CHILD SAs use)"
        if ours
        else "the subnet behind this gateway (our local_ts)"
    )
    fix = (
        f"On the peer, set remote_ts (rightsubnet in ipsec.conf) to {target} "
        f"instead of {mine}, and check that its local_ts (leftsubnet, here "
        f"{theirs}) lies within our remote_ts. Only if "
        f"{mine} really is behind this gateway, add it to our local_ts "
        "(leftsubnet) instead. The responder may narrow a wider request to "
        "its own subnets, but never widen it."
    )
    return summary, why, fix


def kernel_install(ctx: Context) -> Iterator[Finding]:
    """CHILD SAs negotiated but not installed in the kernel."""
    for view in ctx.all_views():
        failed = _child_problems(view, "install_failed")
        if not failed:
            continue
        kernel = _child_problems(view, "kernel")
        notes = " ".join(e.body.text for e in kernel)  # type: ignore[attr-defined]
        nosys = "Function not implemented" in notes
        yield Finding(
            Kind.INSTALL_CHILD_SA_FAILED,
            Severity.ERROR,
            view.label,
            view.evidence(
                [*kernel[:2], *failed, *_child_problems(view, "child_failed")]
            ),
            "CHILD SA negotiated but the kernel refused to install it",
            "The algorithms and traffic selectors were agreed, but adding the "
            "IPsec SAs (SAD entries) to the kernel failed, so the CHILD SA "
            "was dropped (the peer sees NO_PROPOSAL_CHOSEN or a DELETE)."
            + (
                " 'Function not implemented' means the kernel has no XFRM/ESP "
                "support for this (missing modules, or a container or kernel "
                "without IPsec)."
                if nosys
                else ""
            ),
            "Load the kernel's IPsec modules (xfrm_user, esp4/esp6, the "
            "cipher's module) or use the kernel-libipsec plugin where the "
            "kernel cannot do ESP; check the kernel log for the netlink error.",
        )


def virtual_ips(ctx: Context) -> Iterator[Finding]:
    """No virtual IP: pool exhausted, none configured, or refused."""
    for view in ctx.all_views():
        local = view.of(ev.VipProblem)
        peer = [
            e
            for e in view.of(ev.Message)
            if isinstance(e.body, ev.Message)
            and e.body.inbound
            and ({"INT_ADDR_FAIL", "FAIL_CP_REQ"} & set(e.body.notifies))
        ]
        if not local and not peer:
            continue
        texts = " ".join(e.body.text for e in local)  # type: ignore[attr-defined]
        full = " is full" in texts
        yield Finding(
            Kind.VIP_FAILURE,
            Severity.ERROR,
            view.label,
            view.evidence([*local, *peer]),
            "no virtual IP: the address pool is exhausted"
            if full
            else "no virtual IP could be assigned",
            (
                "Every address of the pool is leased (leases of clients that "
                "went away stay until their IKE SA is gone)."
                if full
                else "The client asked for a virtual IP (or the server "
                "requires one) and no pool of the connection could provide "
                "one, so the CHILD SA or the whole login failed."
            ),
            "Enlarge the pool or free stale leases, and make sure the "
            "connection names a pool for each address family the client "
            "requests.",
        )


def rekeying(ctx: Context) -> Iterator[Finding]:
    """Rekey collisions, and a freshly rekeyed IKE SA deleted with its old one."""
    for view in ctx.views:
        coll = [
            e
            for e in view.of(ev.IkeNote, ev.ChildNote)
            if isinstance(e.body, ev.IkeNote | ev.ChildNote)
            and "collision" in e.body.text
        ]
        if coll:
            yield Finding(
                Kind.REKEY_COLLISION,
                Severity.INFO,
                view.label,
                view.evidence(coll),
                "rekey collision resolved (benign)",
                "Both peers started rekeying the same SA at once; RFC 7296 "
                "2.8.1 resolves this by nonces, the loser's new SA is "
                "deleted. Frequent collisions mean equal rekey times.",
                "Nothing to fix; give the sides different rekey_time or a "
                "rand_time to make collisions rare.",
            )
    yield from _both_deleted(ctx)


def _both_deleted(ctx: Context) -> Iterator[Finding]:
    deletes = [
        e
        for e in ctx.of(ev.DeleteNotice)
        if isinstance(e.body, ev.DeleteNotice)
        and not e.body.inbound
        and e.body.protocol in ("IKE", "IKE_SA")
        and e.body.sa_uid is not None
    ]
    by_name: dict[str | None, list[ev.Event]] = {}
    for e in deletes:
        by_name.setdefault(e.body.sa_name, []).append(e)  # type: ignore[attr-defined]
    for name, group in by_name.items():
        uids: set[int] = {e.body.sa_uid for e in group}  # type: ignore[attr-defined]
        if len(uids) < 2:
            continue
        first, last = group[0], group[-1]
        if first.ts and last.ts and (last.ts - first.ts).total_seconds() > 2:
            continue
        fresh: list[int] = []
        proof = list(group)
        for e in group:
            req = _next_request(ctx, e)
            if req is not None:
                proof.append(req)
                if req.body.message_id == 0:  # type: ignore[attr-defined]
                    fresh.append(e.body.sa_uid)  # type: ignore[attr-defined]
        labels = ", ".join(f"{name}[{u}]" for u in sorted(uids))
        young = (
            f" {name}[{fresh[0]}] had never sent a request (message ID 0), so it "
            "is the SA an IKE rekey had just created."
            if fresh
            else ""
        )
        yield Finding(
            Kind.REKEYED_SA_DELETED,
            Severity.WARNING,
            f"{name}[{fresh[0] if fresh else min(uids)}]",
            ctx.evidence(proof),
            f"we deleted {labels} at the same moment, including the new one",
            "Two IKE SAs of the same connection exist after an IKE rekey and "
            "we sent DELETE for both at once, which leaves no IKE SA at all."
            + young
            + " This happens when a rekey overlaps a link bounce or a "
            "reauthentication.",
            "Update strongSwan (rekeying during connectivity changes was "
            "improved in later releases); meanwhile lengthen the IKE "
            "rekey_time and check the connection comes back (start_action/"
            "dpd_action restart).",
        )


def _next_request(ctx: Context, after: ev.Event) -> ev.Event | None:
    for e in ctx.near(after.line, 20):
        b = e.body
        if (
            isinstance(b, ev.Message)
            and not b.inbound
            and b.is_request
            and b.exchange == "INFORMATIONAL"
            and "D" in b.payloads
            and (after.thread is None or e.thread == after.thread)
        ):
            return e
    return None


def duplicates(ctx: Context) -> Iterator[Finding]:
    """Several established IKE SAs for the same peer and identities."""
    groups: dict[
        tuple[str | None, str | None, str | None, str | None, str | None], list[View]
    ] = {}
    for view in ctx.views:
        sa = view.sa
        if sa is None or sa.state != "established":
            continue
        key = (
            sa.name,
            sa.local,
            sa.remote,
            sa.remote_id,
            sa.eap_identity,
        )
        groups.setdefault(key, []).append(view)
    for key, views in groups.items():
        if len(views) < 2 or key[2] is None:
            continue
        labels = [v.label or "?" for v in views]
        proof = [v.events[0] for v in views if v.events]
        yield Finding(
            Kind.DUPLICATE_IKE_SAS,
            Severity.WARNING,
            labels[0],
            ctx.evidence(proof),
            f"{len(views)} IKE SAs established in parallel for the same peer "
            f"({', '.join(labels)})",
            "The same connection to the same peer with the same identities "
            "has several established IKE SAs. Usually both sides initiate "
            "(or one re-initiates without deleting), and traffic uses only "
            "one of them.",
            "Let one side initiate (start_action on one end only), set "
            "unique = replace, and check why old SAs are not deleted.",
        )
