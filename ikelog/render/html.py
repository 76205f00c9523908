"""Notebook views: HTML for a trace and for one IKE SA.

Jupyter shows an object through its ``_repr_html_``; :class:`ikelog.Trace`
and :class:`ikelog.replay.model.IkeSa` delegate theirs to
:func:`trace_html` and :func:`sa_html`. A trace shows a compact summary
and a one-row-per-SA table, plus the ladder when it holds a single SA; an
SA shows its facts, its ladder (every exchange as a request row and a
response row) and its CHILD SAs.

Only the standard library is used; every value from the log is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING

from ..trace import outcome, stamp
from .common import exchange_notes

if TYPE_CHECKING:
    from ..replay.model import Exchange, IkeSa
    from ..trace import Trace

#: How many SAs the trace view lists before it says how many more there are.
SA_ROWS = 20

_OUTCOME_COLOUR = {"established": "#2e7d32", "failed": "#c62828", "open": "#b26a00"}
_TABLE = 'style="border-collapse:collapse;font-size:0.9em;text-align:left"'
_CELL = 'style="padding:1px 8px;text-align:left;vertical-align:top"'


def trace_html(trace: Trace, *, sa_rows: int = SA_ROWS) -> str:
    """A trace as HTML: summary, SA table, and the ladder of a lone SA."""
    r = trace.replay
    c = trace.counts
    span = "no timestamps"
    if r.first_ts is not None:
        span = f"{stamp(r.first_ts)} .. {stamp(r.last_ts)}"
    outcomes = ", ".join(
        _outcome(k, f"{n} {k}") for k, n in sorted(trace.outcomes().items())
    )
    facts = [
        ("source", escape(trace.source)),
        ("layout", escape(trace.layout)),
        (
            "lines",
            f"{c.total} read, {c.understood} understood, {c.unrecognized} unrecognized",
        ),
        ("time span", escape(span)),
        ("IKE SAs", outcomes or "none"),
        ("leases", str(len(r.leases))),
    ]
    if r.daemon.version:
        facts.insert(4, ("strongSwan", escape(r.daemon.version)))
    parts = ["<div>", "<strong>ikelog trace</strong>", _facts(facts)]
    sas = r.sas
    if len(sas) == 1:
        parts.append(sa_html(sas[0]))
    elif sas:
        parts.append(_sa_table(sas[:sa_rows]))
        if len(sas) > sa_rows:
            parts.append(
                f"<p>… and {len(sas) - sa_rows} more: <code>trace.ike_sas.df</code>"
                " has them all, <code>trace.sa(name, id)</code> shows one.</p>"
            )
    parts.append("</div>")
    return "\n".join(parts)


def sa_html(sa: IkeSa) -> str:
    """One IKE SA as HTML: facts, ladder and CHILD SAs."""
    state = outcome(sa)
    head = f"<strong>{escape(sa.label)}</strong> {_outcome(state, state)}"
    if sa.state not in (state, "connecting"):
        head += f" <small>({escape(sa.state)})</small>"
    parts = ["<div>", head, _facts(_sa_facts(sa))]
    if sa.exchanges:
        parts.append(ladder_html(sa.exchanges))
    if sa.child_sas:
        rows = [
            (
                f"{escape(c.name)}{{{c.unique_id}}}",
                escape(c.state),
                escape(f"{c.spi_in or '?'} in, {c.spi_out or '?'} out"),
                escape(" ".join(c.ts_local) + " === " + " ".join(c.ts_remote)),
                escape(c.proposal or ""),
            )
            for c in sa.child_sas
        ]
        parts.append(
            _table(("CHILD SA", "state", "SPIs", "traffic selectors", "proposal"), rows)
        )
    parts.append("</div>")
    return "\n".join(parts)


def ladder_html(exchanges: Iterable[Exchange]) -> str:
    """Every exchange as a request row and a response row."""
    rows = []
    for x in exchanges:
        out = x.initiator == "local"
        rows.append(
            (
                escape((stamp(x.request_ts) or "")[-12:]),
                escape(f"{x.type} {x.message_id}"),
                "──▶" if out else "◀──",
                _payloads(x.request),
                escape(_notes(x, request=True)),
            )
        )
        answered = x.response is not None or x.response_fragments
        rows.append(
            (
                escape((stamp(x.response_ts) or "")[-12:]),
                "",
                "◀──" if out else "──▶",
                _payloads(x.response) if answered else "<em>no response in log</em>",
                escape(_notes(x, request=False)),
            )
        )
    return _table(("time", "exchange", "", "payloads", ""), rows)


def _sa_facts(sa: IkeSa) -> list[tuple[str, str]]:
    facts = [
        ("role", escape(f"IKEv{sa.version} {sa.role or '?'}")),
        ("endpoints", escape(f"{sa.local or '?'} <-> {sa.remote or '?'}")),
        ("identities", escape(f"{sa.local_id or '?'} <-> {sa.remote_id or '?'}")),
    ]
    if sa.eap_identity:
        facts.append(("EAP identity", escape(sa.eap_identity)))
    if sa.proposal:
        facts.append(("proposal", escape(sa.proposal)))
    pairs = f"{sa.pairs_total} request/response pairs"
    if sa.pairs_to_establish is not None:
        pairs += f", {sa.pairs_to_establish} to establish"
    facts.append(("exchanges", pairs))
    if sa.virtual_ips:
        facts.append(("virtual IPs", escape(", ".join(sa.virtual_ips))))
    fail = sa.failure
    if fail is not None:
        text = f"{fail.stage or 'IKE_SA_INIT'}: {fail.text} (line {fail.line})"
        facts.append(("failure", _outcome("failed", text)))
    return facts


def _sa_table(sas: list[IkeSa]) -> str:
    rows = []
    for sa in sas:
        fail = sa.failure
        state = outcome(sa)
        rows.append(
            (
                escape(sa.label),
                escape(sa.role or "?"),
                escape(sa.remote or "?"),
                escape(sa.eap_identity or sa.remote_id or ""),
                _outcome(state, state),
                str(sa.pairs_total),
                escape(fail.text if fail else ""),
            )
        )
    head = ("IKE SA", "role", "remote", "identity", "outcome", "pairs", "reason")
    return _table(head, rows)


def _payloads(items: tuple[str, ...] | None) -> str:
    if items is None:
        return "<em>(not in log)</em>"
    return "<code>" + escape(" ".join(items) or "[ ]") + "</code>"


def _notes(x: Exchange, *, request: bool) -> str:
    notes = exchange_notes(x, request=request)
    if not request and x.latency is not None:
        notes.append(f"{x.latency:.3f} s")
    return ", ".join(notes)


def _outcome(state: str, text: str) -> str:
    colour = _OUTCOME_COLOUR.get(state, "inherit")
    return f'<span style="color:{colour};font-weight:bold">{escape(text)}</span>'


def _facts(facts: list[tuple[str, str]]) -> str:
    """Label/value rows; values are HTML already."""
    rows = "".join(
        f"<tr><th {_CELL}>{escape(k)}</th><td {_CELL}>{v}</td></tr>" for k, v in facts
    )
    return f"<table {_TABLE}>{rows}</table>"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table whose cells are HTML already."""
    th = "".join(f"<th {_CELL}>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td {_CELL}>{cell}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table {_TABLE}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
