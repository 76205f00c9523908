"""The ``ikelog`` command: a thin shell around :func:`ikelog.load`."""

from __future__ import annotations

import contextlib
import enum
import json
import os
import stat
import sys
import warnings
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text

from . import load, read_lines
from .crosscheck import cross_check
from .findings import Finding, Severity, diagnose_inputs
from .layouts import RECORD_FORMATS
from .render import findings as render_findings
from .render import terminal
from .render import transcripts as render_transcripts
from .sources import LAYOUTS, InputError, TruncatedInput, open_text
from .trace import Trace
from .transcripts import Transcript, load_inputs

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Make sense of strongSwan charon (IKE/IPsec) logs.",
)


@app.callback()
def _main() -> None:
    """Make sense of strongSwan charon (IKE/IPsec) logs."""


class FailOn(enum.StrEnum):
    """Severities that ``--fail-on`` accepts."""

    error = "error"
    warning = "warning"


# options shared by the commands
LayoutOption = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional here
    typer.Option(help=f"force a line layout: {', '.join([*LAYOUTS, *RECORD_FORMATS])}"),
]
YearOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        min=1, max=9999, help="year for timestamps without one (default: file's mtime)"
    ),
]
FailOnOption = Annotated[
    Optional[FailOn],  # noqa: UP045
    typer.Option(help="exit with 1 when a finding is this severe or worse"),
]


@app.command()
def analyze(
    files: Annotated[
        list[str],
        typer.Argument(
            help="charon log file (- for stdin), and swanctl listings to check"
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="print one JSON document instead")
    ] = False,
    layout: LayoutOption = None,
    year: YearOption = None,
    sa: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--sa", help="show only this IKE SA (name, name\\[id] or id)"),
    ] = None,
    details: Annotated[
        int, typer.Option(help="show full ladders for at most this many SAs", min=0)
    ] = 20,
    csv: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--csv", help="also write every table as DIR/<table>.csv"),
    ] = None,
    parquet: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--parquet", help="also write every table as DIR/<table>.parquet"),
    ] = None,
    now: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="today for certificate checks, ISO date (default: today)"),
    ] = None,
    fail_on: FailOnOption = None,
) -> None:
    """Reconstruct the IKE and CHILD SAs of a charon log and report them."""
    try:
        today = datetime.fromisoformat(now) if now else datetime.now()
    except ValueError as exc:
        _fail(f"--now: {exc}")
    trace, transcripts, file = _read_inputs(files, layout, year)
    if trace is not None and not transcripts:
        _require_charon_lines(trace, file)
    if trace is None and (sa is not None or csv is not None or parquet is not None):
        # only swanctl listings: nothing to select from or export
        option = "--sa" if sa is not None else "--csv" if csv else "--parquet"
        _fail(f"{option} needs a charon log; {file} is a swanctl listing")
    if trace is not None and sa is not None and not trace.select(sa):
        known = ", ".join(x.label for x in trace.ike_sas) or "none"
        _fail(f"no IKE SA {sa!r} in {file}; known: {known}")
    for fmt, folder in (("csv", csv), ("parquet", parquet)):
        if folder is not None and trace is not None:
            _export(trace, folder, fmt)
    found = [
        x
        for t in transcripts
        if trace is not None
        for x in cross_check(trace, t, now=today)
    ]
    if as_json:
        doc = (trace if trace is not None else read_lines([])).to_dict()
        keep: set[str] | None = None
        if trace is not None and sa is not None:
            # --sa: that SA's records, leases and findings
            keep = {x.label for x in trace.select(sa)}
            doc["ike_sas"] = [x for x in doc["ike_sas"] if x["label"] in keep]
            doc["leases"] = [x for x in doc["leases"] if x["ike_sa_label"] in keep]
        doc["transcripts"] = [t.to_dict() for t in transcripts]
        doc["inconsistencies"] = [x.to_dict() for x in found]
        diagnosed = diagnose_inputs(trace, transcripts)
        doc["findings"] = [
            f.to_dict() for f in diagnosed if keep is None or _concerns(f, keep)
        ]
        _print_json(doc)
        _exit_on(diagnosed, fail_on)
        return
    console = _console()
    if trace is not None:
        for part in terminal.report(trace, detail_limit=details, only=sa):
            console.print(part)
    for t in transcripts:
        for part in render_transcripts.transcript(t):
            console.print(part)
    if transcripts and trace is not None:
        console.print(render_transcripts.inconsistencies(found))
    diagnosed = diagnose_inputs(trace, transcripts)
    _print_sa_findings(console, trace, diagnosed, sa)
    _print_listed_findings(console, trace, transcripts, diagnosed, sa)
    _exit_on(diagnosed, fail_on)


class OutputFormat(enum.StrEnum):
    """Output formats of ``diagnose``."""

    rich = "rich"
    markdown = "markdown"
    json = "json"


def _exit_on(found: list[Finding], fail_on: FailOn | None) -> None:
    if fail_on is not None:
        limit = Severity(fail_on.value)
        if any(f.severity.at_least(limit) for f in found):
            raise typer.Exit(1)


def _print_sa_findings(
    console: Console, trace: Trace | None, found: list[Finding], only: str | None
) -> None:
    for ike in trace.ike_sas if trace is not None else []:
        if only is None or only in (ike.label, ike.name, str(ike.unique_id)):
            listed = render_findings.for_sa(found, ike.label)
            if listed is not None:
                console.print(Text(f"findings for {ike.label}", style="bold"))
                console.print(listed)


def _print_listed_findings(
    console: Console,
    trace: Trace | None,
    transcripts: list[Transcript],
    found: list[Finding],
    only: str | None,
) -> None:
    shown = {ike.label for ike in trace.ike_sas} if trace is not None else set()
    for t in transcripts:
        for ike in t.ike_sas:
            if ike.label in shown:
                continue
            shown.add(ike.label)
            if only is None or only in (ike.label, ike.name, str(ike.unique_id)):
                listed = render_findings.for_sa(found, ike.label)
                if listed is not None:
                    console.print(
                        Text(f"findings for listed {ike.label}", style="bold")
                    )
                    console.print(listed)


@app.command()
def diagnose(
    files: Annotated[
        list[str],
        typer.Argument(
            help="charon log file (- for stdin): one daemon's pieces, both "
            "ends of a session, swanctl listings"
        ),
    ],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="rich, markdown or json")
    ] = OutputFormat.rich,
    as_json: Annotated[
        bool, typer.Option("--json", help="same as --format json")
    ] = False,
    layout: LayoutOption = None,
    year: YearOption = None,
    fail_on: FailOnOption = None,
) -> None:
    """Explain what went wrong in a charon log: findings, evidence and fixes,
    most severe first."""
    trace, transcripts, file = _read_inputs(files, layout, year)
    found = diagnose_inputs(trace, transcripts)
    if trace is not None and all(f.kind.value == "no-ike-sa" for f in found):
        # nothing but "no IKE SA": refuse what is not a charon log at all
        _require_charon_lines(trace, file)
    source = trace.source if trace is not None else ", ".join(files)
    if as_json or fmt is OutputFormat.json:
        doc = {"source": source, "findings": [f.to_dict() for f in found]}
        _print_json(doc)
    elif fmt is OutputFormat.markdown:
        sys.stdout.write(render_findings.markdown(found, source=source))
    else:
        console = _console()
        for part in render_findings.report(found):
            console.print(part)
    _exit_on(found, fail_on)


@app.command()
def redact(
    files: Annotated[list[str], typer.Argument(help="charon log files")],
    out: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--out", "-o", help="output file (one input) or directory (several)"
        ),
    ] = None,
) -> None:
    """Copy logs with addresses, names, identities and secrets replaced by
    stable pseudonyms (the same value gets the same pseudonym in every file
    given together). One file without --out goes to stdout; several go to
    FILE.redacted next to each, or into the --out directory."""
    from . import redact as redaction

    try:
        with _warnings_to_stderr():
            # each input is read once (a pipe cannot be read twice); empty
            # input is refused as analyze refuses it
            texts = [list(open_text(p)) for p in files]
        for path, lines in zip(files, texts, strict=True):
            if not any(line.strip() for line in lines):
                _fail(f"{path}: empty input, no log lines to redact")
        written = redaction.redact_files(files, out, texts)
        if len(files) > 1:  # say which copy is which input's
            for path, target in zip(files, written, strict=True):
                sys.stderr.write(f"ikelog: {path} -> {target}\n")
    except InputError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or files[0]}: {exc.strerror or exc}")


def _read_inputs(
    files: list[str], layout: str | None, year: int | None
) -> tuple[Trace | None, list[Transcript], str]:
    """The logs among ``files`` as one trace (``None`` if there are only
    swanctl listings), the listings, and the file to name in messages;
    unreadable or empty input ends ikelog with a one-line message."""
    file = files[0]
    try:
        with _warnings_to_stderr():
            # a pipe (``<(...)``) can be read once: it is a log, like stdin
            streams = {p for p in files if _is_stream(p)}
            read, transcripts = load_inputs([p for p in files if p not in streams])
            logs = [p for p in files if p in streams or p in read]
            file = logs[0] if logs else file
            trace = _load_logs(logs, layout, year) if logs else None
    except InputError as exc:
        _fail(str(exc))
    except (OSError, ValueError) as exc:
        _fail(f"{file}: {getattr(exc, 'strerror', None) or exc}")
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    if trace is not None and trace.counts.total == 0:
        _fail(f"{file}: empty input, no log lines to analyze")
    return trace, transcripts, file


def _load_logs(logs: list[str], layout: str | None, year: int | None) -> Trace:
    # one log, or several: one daemon's pieces merged in time order, or
    # several daemons' logs with their SAs paired up (ikelog.combine)
    return load(logs if len(logs) > 1 else logs[0], layout=layout, year=year)


def _export(trace: Trace, folder: str, fmt: str) -> None:
    """Write the trace's tables for ``--csv``/``--parquet`` (see ikelog.export)."""
    from .export import write_tables

    try:
        paths = write_tables(trace.tables.all(), folder, fmt)
    except ImportError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"--{fmt} {folder}: {exc.strerror or exc}")
    sys.stderr.write(f"wrote {len(paths)} {fmt} tables to {folder}\n")


def _is_stream(path: str) -> bool:
    """Whether ``path`` names something that exists but is no regular file
    or directory (a FIFO, ``/dev/stdin``, a process substitution)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """Say what was wrong with input that could still be read (a truncated
    compressed file) in one ``ikelog: warning: ...`` line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TruncatedInput)
        try:
            yield
        finally:
            said: set[str] = set()  # a file may be read twice (listings?)
            for w in caught:
                if issubclass(w.category, TruncatedInput):
                    if str(w.message) not in said:
                        said.add(str(w.message))
                        sys.stderr.write(f"ikelog: warning: {w.message}\n")
                else:
                    warnings.showwarning(
                        w.message, w.category, w.filename, w.lineno, w.file, w.line
                    )


def _concerns(f: Finding, labels: set[str]) -> bool:
    """Whether a finding is about one of the SAs ``labels`` (or no SA)."""
    about = set(f.ike_sas) | set(f.candidates)
    return not about or bool(about & labels)


def _require_charon_lines(trace: Trace, file: str) -> None:
    """Refuse an input in which not one line is a charon message."""
    c = trace.counts
    if c.total and c.understood - c.foreign == 0:
        _fail(
            f"{file}: no charon log lines ({c.total} lines read, none recognised; "
            f"read as layout {trace.layout})"
        )


class _Console(Console):
    """A reader that stops reading (``ikelog analyze big.log | head``) is
    not an error: exit 0, as for the JSON output, not rich's 1 (which
    ``--fail-on`` uses for "an error finding exists")."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0)


def _console() -> Console:
    """Log text goes out as written: no markup, no emoji, no highlighting
    (an identity may contain ``[/]``, an IPv6 address ``:a:``)."""
    return _Console(markup=False, emoji=False, highlight=False)


def _print_json(doc: Mapping[str, object]) -> None:
    # one write: json.dump would write every token on its own
    sys.stdout.write(json.dumps(doc, indent=1) + "\n")


def _fail(message: str) -> None:
    sys.stderr.write(f"ikelog: {message}\n")
    raise typer.Exit(2)


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # e.g. `ikelog analyze big.log | head`
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":
    main()
