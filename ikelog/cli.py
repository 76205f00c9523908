"""The ``ikelog`` command: a thin shell around :func:`ikelog.load`."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer
from rich.console import Console

from . import load
from .render import terminal
from .sources import LAYOUTS, InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Make sense of strongSwan charon (IKE/IPsec) logs.",
)


@app.callback()
def _main() -> None:
    """Make sense of strongSwan charon (IKE/IPsec) logs."""


@app.command()
def analyze(
    file: Annotated[str, typer.Argument(help="charon log file, or - for stdin")],
    as_json: Annotated[
        bool, typer.Option("--json", help="print one JSON document instead")
    ] = False,
    layout: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional here
        typer.Option(help=f"force a line layout: {', '.join(LAYOUTS)}"),
    ] = None,
    year: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(help="year for timestamps without one (default: file's mtime)"),
    ] = None,
    sa: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--sa", help="show only this IKE SA (name, name[id] or id)"),
    ] = None,
    details: Annotated[
        int, typer.Option(help="show full ladders for at most this many SAs")
    ] = 20,
) -> None:
    """Reconstruct the IKE and CHILD SAs of a charon log and report them."""
    try:
        trace = load(file, layout=layout, year=year)
    except InputError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{file}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        raise typer.Exit(130) from None

    if trace.counts.total == 0:
        _fail(f"{file}: empty input, no log lines to analyze")
    if as_json:
        json.dump(trace.to_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    console = Console()
    for part in terminal.report(trace, detail_limit=details, only=sa):
        console.print(part)


def _fail(message: str) -> None:
    Console(stderr=True).print(f"ikelog: {message}", markup=False, highlight=False)
    raise typer.Exit(2)


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # e.g. `ikelog analyze big.log | head`
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":
    main()
