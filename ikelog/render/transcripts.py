"""Rich renderables for swanctl transcripts and their cross-check.

Like :mod:`ikelog.render.terminal`, nothing here prints: the CLI does.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ..crosscheck import Inconsistency
from ..transcripts import Transcript
from .common import compact_table, fixed_column, long_column

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def transcript(t: Transcript) -> Iterator[RenderableType]:
    """Tables for what a transcript lists: IKE/CHILD SAs, connections,
    certificates, pools."""
    kinds = ", ".join(t.kinds) or "nothing recognised"
    yield Text(f"transcript {t.source}: {kinds} ({t.lines} lines)", style="bold")
    if t.ike_sas:
        table = _table("listed IKE SAs", ("SA", "state"), ("SPIs, ends", "children"))
        for sa in t.ike_sas:
            mark = {True: "i*", False: "r*", None: "?"}[sa.local_initiator]
            children = "\n".join(
                f"{c.name}{{{c.unique_id}}} {c.state} {c.spi_in}/{c.spi_out}"
                f" {c.bytes_in}/{c.bytes_out} B"
                for c in sa.children
            )
            table.add_row(
                sa.label,
                sa.state,
                f"{sa.spi_i} {sa.spi_r} ({mark})\n"
                f"local {sa.local_id} @ {sa.local_host}\n"
                f"remote {sa.remote_id} @ {sa.remote_host}",
                children or "-",
            )
        yield table
    if t.connections:
        table = _table(
            "listed connections", ("connection", "IKE"), ("auth", "children")
        )
        for conn in t.connections:
            auth = ", ".join(
                f"{'local' if a.local else 'remote'} {a.auth_class}" for a in conn.auth
            )
            kids = ", ".join(f"{c.name} ({c.mode})" for c in conn.children)
            table.add_row(conn.name, conn.versions, auth, kids)
        yield table
    if t.certificates:
        table = _table(
            "listed certificates", (), ("subject", "not before", "not after", "flags")
        )
        for cert in t.certificates:
            table.add_row(
                cert.subject or "?",
                str(cert.not_before or "?"),
                str(cert.not_after or "?"),
                " ".join(cert.flags),
            )
        yield table
    if t.pools:
        table = _table(
            "listed pools", ("pool", "base", "online/offline/size"), ("leases",)
        )
        for pool in t.pools:
            leases = ", ".join(
                f"{x.address} {'on' if x.online else 'off'} {x.identity}"
                for x in pool.leases
            )
            counts = f"{pool.online}/{pool.offline}/{pool.size}"
            table.add_row(pool.name, pool.base or "-", counts, leases or "-")
        yield table
    if t.unknown:
        yield Text(f"{len(t.unknown)} lines not understood", style="yellow")


def _table(title: str, fixed: tuple[str, ...], long: tuple[str, ...]) -> Table:
    """A listing table whose values are never cut: ``fixed`` columns stay
    whole, ``long`` ones wrap and fold."""
    table = compact_table(title)
    for col in fixed:
        fixed_column(table, col)
    for col in long:
        long_column(table, col)
    return table


def inconsistencies(found: list[Inconsistency]) -> RenderableType:
    """The cross-check's findings as one table (or a one-line all-clear)."""
    if not found:
        return Text("cross-check: listings agree with the log", style="green")
    table = _table(
        "cross-check against the log",
        ("severity", "check"),
        ("detail", "listing lines", "log lines"),
    )
    for x in found:
        table.add_row(
            Text(x.severity, style=_SEVERITY_STYLE.get(x.severity, "")),
            x.what,
            x.detail,
            ", ".join(map(str, x.evidence.transcript)),
            ", ".join(map(str, x.evidence.log)),
        )
    return table
