"""Findings for people: rich renderables for the terminal, Markdown for tickets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..findings import Finding, Severity

_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "yellow",
    Severity.INFO: "cyan",
}

#: Evidence lines shown per finding before "... and N more".
EVIDENCE_LIMIT = 8


def finding_panel(f: Finding) -> Panel:
    """One finding: summary as title, then why, fix and evidence."""
    body: list[RenderableType] = [Text(f.explanation)]
    body.append(Text.assemble(("fix: ", "bold"), f.fix))
    if f.evidence:
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", style="dim")
        table.add_column(overflow="fold")
        for e in f.evidence[:EVIDENCE_LIMIT]:
            table.add_row(str(e.line), e.text)
        more = len(f.evidence) - EVIDENCE_LIMIT
        if more > 0:
            table.add_row("", Text(f"... and {more} more", style="dim"))
        body.append(table)
    sa = f" {f.ike_sa}" if f.ike_sa else ""
    title = Text.assemble(
        (f"{f.severity.value.upper()} ", _STYLE[f.severity]),
        (f.kind.value, "bold"),
        (sa, "dim"),
    )
    return Panel(
        Group(Text(f.summary, style="bold"), *body),
        title=title,
        title_align="left",
        border_style=_STYLE[f.severity],
    )


def report(findings: Sequence[Finding]) -> Iterator[RenderableType]:
    """Every finding as a panel, most severe first (as given)."""
    if not findings:
        yield Text("no findings", style="dim")
        return
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    yield Text(
        ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items()),
        style="bold",
    )
    for f in findings:
        yield finding_panel(f)


def for_sa(findings: Iterable[Finding], label: str) -> RenderableType | None:
    """A compact list of one SA's findings, for ``analyze``."""
    table = Table.grid(padding=(0, 1))
    rows = 0
    for f in findings:
        if f.ike_sa != label:
            continue
        table.add_row(
            Text(f.severity.value, style=_STYLE[f.severity]),
            Text(f.kind.value, style="bold"),
            Text(f"{f.summary} (lines {_lines(f)})"),
        )
        rows += 1
    return table if rows else None


def markdown(findings: Sequence[Finding], *, source: str | None = None) -> str:
    """Findings as Markdown to paste into a ticket."""
    out = ["## ikelog findings" + (f" for `{source}`" if source else ""), ""]
    if not findings:
        out.append("No findings.")
        return "\n".join(out) + "\n"
    for f in findings:
        sa = f" ({f.ike_sa})" if f.ike_sa else ""
        out.append(f"### {f.severity.value.upper()}: {f.kind.value}{sa}")
        out.append("")
        out.append(f"**{f.summary}**")
        out.append("")
        for para in f.explanation.split("\n\n"):
            out.extend(["```", para, "```"] if "\n" in para else [para])
            out.append("")
        out.append(f"**Fix:** {f.fix}")
        if f.evidence:
            out.append("")
            out.append("Evidence:")
            out.append("")
            out.append("```")
            out.extend(f"{e.line:>6}: {e.text}" for e in f.evidence)
            out.append("```")
        out.append("")
    return "\n".join(out)


def _lines(f: Finding) -> str:
    lines = f.lines
    if len(lines) > 4:
        return f"{', '.join(map(str, lines[:4]))}, ..."
    return ", ".join(map(str, lines))
