"""Findings for people: rich renderables for the terminal, Markdown for tickets.

Summaries, explanations and evidence carry the log's own text (identities,
addresses, whole lines), so none of it may be read as markup: it reaches
rich only inside :class:`~rich.text.Text` objects (no console markup, no
``:emoji:`` codes), and Markdown gets it escaped or in code blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..findings import Finding, Severity
from .common import lines_note

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
            table.add_row(Text(str(e.line)), Text(e.text))
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
    """A compact list of one SA's findings, for ``analyze``.

    A finding grouped over several SAs is listed under each of them.
    """
    table = Table.grid(padding=(0, 1))
    rows = 0
    for f in findings:
        if label not in f.ike_sas:
            continue
        if f.group:
            others = len(f.group) - 1
            said = f"{f.topic or f.summary} (also on {others} other IKE SAs)"
        else:
            said = f"{f.summary} ({lines_note(f.lines, 4)})"
        table.add_row(
            Text(f.severity.value, style=_STYLE[f.severity]),
            Text(f.kind.value, style="bold"),
            Text(said),
        )
        rows += 1
    return table if rows else None


def markdown(findings: Sequence[Finding], *, source: str | None = None) -> str:
    """Findings as Markdown to paste into a ticket.

    Text from the log is escaped (GitHub would drop ``<user>`` as an HTML
    tag) or put in code blocks.
    """
    title = "## ikelog findings" + (f" for {code_span(source)}" if source else "")
    out = [title, ""]
    if not findings:
        out.append("No findings.")
        return "\n".join(out) + "\n"
    for f in findings:
        sa = f" ({escape(f.ike_sa)})" if f.ike_sa else ""
        out.append(f"### {f.severity.value.upper()}: {f.kind.value}{sa}")
        out.append("")
        out.append(f"**{escape(f.summary)}**")
        out.append("")
        for para in f.explanation.split("\n\n"):
            out.extend(code_block([para]) if "\n" in para else [escape(para)])
            out.append("")
        out.append(f"**Fix:** {escape(f.fix)}")
        if f.evidence:
            out.append("")
            out.append("Evidence:")
            out.append("")
            out.extend(code_block(f"{e.line:>6}: {e.text}" for e in f.evidence))
        out.append("")
    return "\n".join(out)


#: Markdown syntax in running text: backslashes, code and emphasis marks,
#: underscores that are not inside a word (GitHub ignores those), and the
#: ``](`` of a link.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*<>&]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|\](?=\()")


def escape(text: str) -> str:
    """``text`` as literal Markdown: its syntax, and HTML's ``& < >`` (GitHub
    drops what looks like a tag), escaped with a backslash, which reads
    almost as plainly when the text is pasted where Markdown is not shown."""
    return _MARKDOWN_SYNTAX.sub(lambda m: "\\" + m[0], text)


def code_span(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds."""
    ticks = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def code_block(lines: Iterable[str]) -> list[str]:
    """Lines as a fenced code block whose fence no line can close."""
    lines = list(lines)
    fence = "`" * max(3, max((_longest_run(x, "`") for x in lines), default=0) + 1)
    return [fence, *lines, fence]


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(r) for r in runs), default=0)
