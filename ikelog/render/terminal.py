"""The terminal report of ``ikelog analyze``: rich renderables.

Everything here reads a :class:`ikelog.trace.Trace` and returns rich
renderables; printing is left to the CLI, so tests can render into a
fixed-width, colourless console.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .. import events as ev
from ..findings import Finding, Severity
from ..replay.model import Exchange, IkeSa, LeaseRecord
from ..trace import Correlation, Trace, outcome, stamp
from .common import (
    compact_table,
    exchange_notes,
    fixed_column,
    lines_note,
    long_column,
)

_OUTCOME_STYLE = {"established": "green", "failed": "bold red", "open": "yellow"}

#: Vendor IDs that tell which client software is on the other side.
_CLIENT_HINTS = (
    ("MS NT5 ISAKMPOAKLEY", "Windows (built-in IKEv2 client)"),
    ("MS-Negotiation Discovery Capable", "Windows (built-in IKEv2 client)"),
    ("strongSwan", "strongSwan (Linux, Android app or NetworkManager)"),
    ("Cisco", "Cisco"),
    ("FRAGMENTATION", None),
)


def client_hint(sa: IkeSa) -> str | None:
    """Which client software the vendor IDs point at, if they do."""
    for vid in sa.vendor_ids:
        for prefix, hint in _CLIENT_HINTS:
            if vid.startswith(prefix) and hint:
                return hint
    return None


def summary(trace: Trace) -> Panel:
    r = trace.replay
    c = trace.counts
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("source", trace.source)
    grid.add_row("layout", trace.layout)
    lines = f"{c.total} read, {c.understood} understood, {c.unrecognized} unrecognized"
    if c.foreign:
        lines += f" ({c.foreign} not from charon)"
    grid.add_row("lines", lines)
    span = f"{_when(r.first_ts)} .. {_when(r.last_ts)}"
    grid.add_row("time span", span if r.first_ts else "no timestamps")
    if r.daemon.version:
        grid.add_row("strongSwan", r.daemon.version)
    outcomes = trace.outcomes()
    parts = [
        Text(f"{n} {k}", style=_OUTCOME_STYLE.get(k, ""))
        for k, n in sorted(outcomes.items())
    ]
    grid.add_row("IKE SAs", Text(", ").join(parts) if parts else Text("none"))
    grid.add_row("leases", str(len(r.leases)))
    if r.stateless.cookie_challenges or r.stateless.ignored_setups:
        grid.add_row(
            "DoS protection",
            f"{r.stateless.cookie_challenges} COOKIE challenges, "
            f"{r.stateless.ignored_setups} setups ignored",
        )
    amb = sum(len(a.lines) for a in r.ambiguous)
    if amb:
        grid.add_row(
            "ambiguous",
            Text(
                f"{amb} lines could belong to several SAs (no <name|id> tags)",
                style="yellow",
            ),
        )
    return Panel(grid, title="ikelog", expand=False)


def unrecognized(trace: Trace, limit: int = 10) -> Table:
    """The first lines the grammar did not know, so they can be read."""
    lines = [e for e in trace.events or () if isinstance(e.body, ev.Unrecognized)][
        :limit
    ]
    table = Table(
        title=f"unrecognized lines (first {len(lines)} of {trace.counts.unrecognized})",
        header_style="bold",
        show_header=False,
        box=None,
    )
    table.add_column("line", justify="right", style="dim", no_wrap=True)
    table.add_column("text", overflow="fold")
    for e in lines:
        text = trace.line_text(e.line, e.source) or e.body.text  # type: ignore[attr-defined]
        table.add_row(str(e.line), Text(text))
    return table


def sa_facts(sa: IkeSa) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("role", f"IKEv{sa.version} {sa.role or '?'}")
    grid.add_row("endpoints", f"{sa.local or '?'} <-> {sa.remote or '?'}")
    for line, old, new in sa.endpoint_changes:
        grid.add_row("", f"remote moved {old} -> {new} (line {line})")
    grid.add_row("identities", f"{sa.local_id or '?'} <-> {sa.remote_id or '?'}")
    if sa.eap_identity:
        grid.add_row("EAP identity", sa.eap_identity)
    if sa.proposal:
        grid.add_row("proposal", sa.proposal)
    elif sa.received_proposals or sa.configured_proposals:
        # no proposal was chosen: what each side had to offer
        if sa.received_proposals:
            grid.add_row("offered", Text("\n".join(sa.received_proposals)))
        if sa.configured_proposals:
            grid.add_row("configured", Text("\n".join(sa.configured_proposals)))
    nat = [
        side for side, on in (("local", sa.local_nat), ("remote", sa.remote_nat)) if on
    ]
    if nat:
        grid.add_row("NAT", " and ".join(nat) + " behind NAT")
    if len(sa.peer_configs) > 1 or (sa.names and len(sa.names) > 1):
        grid.add_row("configs", " -> ".join(sa.names))
    hint = client_hint(sa)
    if hint:
        grid.add_row("client", hint)
    if sa.eap:
        grid.add_row(
            "EAP",
            ", ".join(f"{r.method.removeprefix('EAP_')} {r.result}" for r in sa.eap),
        )
    pairs = f"{sa.pairs_total} request/response pairs"
    if sa.pairs_to_establish is not None:
        pairs += f", {sa.pairs_to_establish} to establish"
    grid.add_row("exchanges", pairs)
    if sa.virtual_ips:
        grid.add_row("virtual IPs", ", ".join(sa.virtual_ips))
    if sa.rekeyed_from is not None:
        grid.add_row("rekey of", f"[{sa.rekeyed_from}]")
    if sa.rekeyed_to is not None:
        grid.add_row("rekeyed to", f"[{sa.rekeyed_to}]")
    fail = sa.failure
    if fail is not None:
        grid.add_row(
            "failure",
            Text(
                f"{fail.stage or 'stage unknown'}: {fail.text} (line {fail.line})",
                style="bold red",
            ),
        )
    if sa.attribution == "inferred":
        grid.add_row(
            "attribution",
            Text(
                "inferred: without <name|id> tags this SA's unnamed start was "
                "matched to its later lines by elimination",
                style="yellow",
            ),
        )
    elif sa.attribution == "undecided":
        grid.add_row(
            "attribution",
            Text(
                "undecided: known only by elimination; without <name|id> tags "
                "the log does not say which of its setups this SA was",
                style="yellow",
            ),
        )
    elif sa.attribution == "partial":
        grid.add_row(
            "attribution",
            Text("partial: the log starts after this SA began", style="yellow"),
        )
    return grid


def _payloads(items: tuple[str, ...] | None) -> Text:
    if items is None:
        return Text("(not in log)", style="dim")
    if not items:
        return Text("[ ]", style="dim")
    text = Text()
    for i, p in enumerate(items):
        if i:
            text.append(" ")
        style = ""
        if p.startswith("EAP/"):
            style = "cyan"
        elif p.startswith("N(") and p[2:-1] in (
            "NO_PROP",
            "AUTH_FAILED",
            "TS_UNACCEPT",
            "INVAL_KE",
            "INT_ADDR_FAIL",
        ):
            style = "bold red"
        text.append(p, style=style)
    return text


def _notes(x: Exchange, request: bool) -> str:
    return ", ".join(exchange_notes(x, request=request))


def _when(ts: datetime | None) -> str:
    """A date and time as people write them (no ISO ``T``)."""
    if ts is None:
        return "?"
    if ts.year == 1900 and ts.month == 1 and ts.day == 1:
        return _clock(ts)
    return f"{ts:%Y-%m-%d} {_clock(ts)}"


def _clock(ts: datetime | None) -> str:
    """Time of day for the ladder, with milliseconds when the log has them."""
    if ts is None:
        return ""
    if ts.microsecond:
        return ts.strftime("%H:%M:%S.%f")[:-3]
    return ts.strftime("%H:%M:%S")


def ladder(sa: IkeSa) -> Table:
    """Every exchange of an SA as request and response rows."""
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("time", no_wrap=True, style="dim")
    table.add_column("exchange", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("payloads", overflow="fold")
    table.add_column("", style="dim", overflow="fold")
    for x in sa.exchanges:
        out = x.initiator == "local"
        arrow_req = "──▶" if out else "◀──"
        arrow_resp = "◀──" if out else "──▶"
        table.add_row(
            _clock(x.request_ts),
            f"{x.type} {x.message_id}",
            arrow_req,
            _payloads(x.request),
            _notes(x, True),
        )
        if x.version == 1 and x.response is None and x.messages == 1:
            continue  # an INFORMATIONAL_V1 is one message, never answered
        for n, asked in enumerate(x.challenges):
            # the answer asked for the request again, and it was sent again
            sizes = [f"{asked.size} B"] if asked.size else []
            table.add_row(
                "", "", arrow_resp, _payloads(asked.payloads), ", ".join(sizes)
            )
            if n < len(x.retries):
                again = x.retries[n]
                note = f"again, {again.size} B" if again.size else "again"
                table.add_row("", "", arrow_req, _payloads(again.payloads), note)
        if x.response is not None or x.response_fragments:
            table.add_row(
                _clock(x.response_ts),
                "",
                arrow_resp,
                _payloads(x.response),
                _notes(x, False),
            )
        elif len(x.retries) >= len(x.challenges):
            # (an answer that asked for the request again, not followed by
            # it here, was the last word: charon starts over with a new SA)
            table.add_row(
                "",
                "",
                arrow_resp,
                Text("no response in log", style="yellow"),
                _notes(x, False),
            )
        for inbound, payloads in x.more:  # IKEv1: the exchange's later messages
            table.add_row("", "", "◀──" if inbound else "──▶", _payloads(payloads), "")
    return table


def children(sa: IkeSa) -> Table:
    """The CHILD SAs of an SA, one short block each."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", overflow="fold")
    grid.add_column(overflow="fold")
    for c in sa.child_sas:
        head = Text(c.state, style="green" if c.state == "installed" else "")
        if c.proposal:
            head.append(f"  {c.proposal}")
        grid.add_row(f"{c.name}{{{c.unique_id}}}", head)
        spis = f"SPIs {c.spi_in or '?'} in, {c.spi_out or '?'} out"
        if c.bytes_in is not None:
            spis += f"; closed after {c.bytes_in} bytes in, {c.bytes_out} bytes out"
        grid.add_row("", spis)
        if c.ts_local or c.ts_remote:
            grid.add_row("", f"TS {' '.join(c.ts_local)} === {' '.join(c.ts_remote)}")
    return grid


def sa_panel(sa: IkeSa) -> Panel:
    state = outcome(sa)
    title = Text(sa.label + "  ")
    title.append(state, style=_OUTCOME_STYLE.get(state, ""))
    if sa.state not in (state, "connecting"):
        title.append(f" ({sa.state})", style="dim")
    parts: list[RenderableType] = [sa_facts(sa)]
    if sa.exchanges:
        parts += [Text(""), ladder(sa)]
    if sa.child_sas:
        parts += [Text(""), children(sa)]
    return Panel(Group(*parts), title=title, title_align="left")


def side_by_side(pair: Correlation) -> Panel:
    """Both peers' view of one IKE SA, exchange by exchange."""
    a, b = pair.ours, pair.theirs
    table = Table(header_style="bold", box=None, pad_edge=False)
    table.add_column("exchange", no_wrap=True)
    table.add_column(f"{a.label} ({_short(a.source)})", overflow="fold")
    table.add_column(f"{b.label} ({_short(b.source)})", overflow="fold")
    theirs = {(x.type, x.message_id, x.initiator): x for x in b.exchanges}
    seen: set[int] = set()
    for x in a.exchanges:
        mirror = "remote" if x.initiator == "local" else "local"
        y = theirs.get((x.type, x.message_id, mirror))
        if y is not None:
            seen.add(id(y))
        table.add_row(f"{x.type} {x.message_id}", _view(x), _view(y))
    for y in b.exchanges:
        if id(y) not in seen:
            table.add_row(f"{y.type} {y.message_id}", _view(None), _view(y))
    title = f"{a.label} and {b.label}: one IKE SA seen from both ends"
    return Panel(
        table,
        title=title,
        title_align="left",
        subtitle=f"paired by {pair.matched_by}",
        subtitle_align="left",
    )


def _view(x: Exchange | None) -> Text:
    if x is None:
        return Text("not in this log", style="dim")
    text = Text("sent " if x.initiator == "local" else "got ", style="dim")
    text.append_text(_payloads(x.request))
    text.append("\n")
    text.append("got " if x.initiator == "local" else "sent ", style="dim")
    text.append_text(_payloads(x.response))
    if x.retransmits:
        text.append(f"  ({x.retransmits} retransmits)", style="yellow")
    return text


def _short(source: str | None) -> str:
    if not source:
        return "?"
    parts = source.split("/")
    return "/".join(parts[-2:])


def sa_table(sas: list[IkeSa]) -> Table:
    """One line per SA, for logs with many of them.

    Labels, roles, endpoints, outcomes and counts are never wrapped or cut
    (a wrapped ``10.99.0.1`` / ``1[4500]`` reads as another address);
    identities fold and reasons wrap in the room left.
    """
    table = compact_table()
    fixed_column(table, "IKE SA")
    fixed_column(table, "role")
    fixed_column(table, "remote")
    long_column(table, "identity")
    fixed_column(table, "outcome")
    fixed_column(table, "pairs", justify="right")
    long_column(table, "reason", ratio=2)
    for sa in sas:
        fail = sa.failure
        state = outcome(sa)
        table.add_row(
            sa.label,
            sa.role or "?",
            sa.remote or "?",
            sa.eap_identity or sa.remote_id or "",
            Text(state, style=_OUTCOME_STYLE.get(state, "")),
            str(sa.pairs_total),
            fail.text if fail else "",
        )
    return table


def leases(trace: Trace) -> Table:
    table = compact_table("leases")
    fixed_column(table, "address")
    long_column(table, "identity")
    long_column(table, "online")
    long_column(table, "offline")
    for x in trace.leases:
        table.add_row(
            x.address,
            x.identity,
            stamp(x.online_ts) or (f"line {x.online_line}" if x.online_line else ""),
            _offline(x),
        )
    return table


def _offline(x: LeaseRecord) -> str:
    if x.offline_line is None:
        return "still online"
    when = stamp(x.offline_ts) or f"line {x.offline_line}"
    if x.offline_reason == "daemon restarted":
        return f"{when} (daemon restarted)"
    return when


_SEVERITY_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "yellow",
    Severity.INFO: "cyan",
}


def shown_once(f: Finding) -> bool:
    """A finding the report lists once, in :func:`general_findings`, and not
    under an SA: one no single IKE SA is known for, or an ``info`` finding
    grouped over several SAs (errors and warnings stay under their SA)."""
    return f.ike_sa is None or (f.severity is Severity.INFO and len(f.group) > 1)


def sa_findings(findings: Iterable[Finding], label: str) -> list[Finding]:
    """The findings to list under one SA: those of the SA, except the ones
    :func:`general_findings` shows once."""
    return [f for f in findings if label in f.ike_sas and not shown_once(f)]


def general_findings(
    findings: Sequence[Finding], labels: Iterable[str] | None = None
) -> Table | None:
    """The findings not tied to one IKE SA, one row each: those whose lines
    no single SA is known for (with the SAs they could be of), and
    identical ``info`` findings of several SAs, shown once with how many
    SAs they are on. ``labels`` limits them to findings about those SAs
    (``--sa``); findings on no SA at all are always shown."""
    keep = None if labels is None else set(labels)
    table = compact_table(None)
    fixed_column(table, "severity")
    fixed_column(table, "kind")
    long_column(table, "finding", ratio=3)
    rows = 0
    for f in findings:
        if not shown_once(f):
            continue
        about = set(f.ike_sas) | set(f.candidates)
        if keep is not None and about and not about & keep:
            continue
        said = Text(f.summary)
        if f.group:
            group = [g for g in f.group if keep is None or g in keep]
            said = Text(f.topic or f.summary)
            said.append(f" (on {len(group)} IKE SAs: {_listed(group)})", "dim")
        else:
            # the summary of a finding with candidates already names them
            said.append(f" ({lines_note(f.lines)})")
        table.add_row(
            Text(f.severity.value, style=_SEVERITY_STYLE[f.severity]),
            Text(f.kind.value, style="bold"),
            said,
        )
        rows += 1
    return table if rows else None


def _listed(labels: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(labels[:limit])
    more = len(labels) - limit
    return f"{shown}, ... and {more} more" if more > 0 else shown


def report(
    trace: Trace,
    *,
    detail_limit: int = 20,
    only: str | None = None,
    findings: Sequence[Finding] | None = None,
) -> Iterator[RenderableType]:
    """The whole report: summary, findings not tied to one SA, SAs
    (detailed or as a table), leases.

    ``findings`` are the trace's (and its listings') findings if already
    diagnosed; by default they are diagnosed here.
    """
    yield summary(trace)
    if trace.counts.unrecognized and trace.events:
        yield unrecognized(trace)
    sas = trace.ike_sas
    if only is not None:
        sas = trace.select(only)
    found = trace.findings() if findings is None else findings
    general = general_findings(
        found, None if only is None else [sa.label for sa in sas]
    )
    if general is not None:
        yield Text("findings not tied to one IKE SA", style="bold")
        yield general
    if len(sas) > detail_limit:
        yield Text(
            f"{len(sas)} IKE SAs; details are shown for at most {detail_limit} "
            "(use --sa NAME[ID] or --details N)",
            style="dim",
        )
        yield sa_table(sas)
    else:
        for sa in sas:
            yield sa_panel(sa)
    if trace.leases and only is None:
        yield leases(trace)
    for pair in trace.correlations:
        if only is None or pair.ours in sas or pair.theirs in sas:
            yield side_by_side(pair)
