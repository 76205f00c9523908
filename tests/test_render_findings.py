"""ikelog.render.findings: log text stays text in the terminal and in Markdown."""

from __future__ import annotations

import re

from rich.console import Console
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app
from ikelog.findings import Evidence, Finding, Kind, Severity
from ikelog.render import findings as render
from ikelog.render import terminal

from .conftest import corpus

#: A responder that finds no peer config for an identity with rich markup
#: (``[/]`` closes a style, ``:a:`` is an emoji code) from an IPv6 peer.
MARKUP_LOG = """\
Dec  3 16:43:25 14[NET] received packet: from fd99:a:b::1[500] to fd99:a:b::2[500] (544 bytes)
Dec  3 16:43:25 14[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]
Dec  3 16:43:25 14[IKE] <1> fd99:a:b::1 is initiating an IKE_SA
Dec  3 16:43:25 14[ENC] <1> generating IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]
Dec  3 16:43:25 14[NET] <1> sending packet: from fd99:a:b::2[500] to fd99:a:b::1[500] (440 bytes)
Dec  3 16:43:25 15[NET] <1> received packet: from fd99:a:b::1[500] to fd99:a:b::2[500] (300 bytes)
Dec  3 16:43:25 15[ENC] <1> parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]
Dec  3 16:43:25 15[CFG] <1> looking for peer configs matching fd99:a:b::2[%any]...fd99:a:b::1[al[/]ice:a:]
Dec  3 16:43:25 15[CFG] <1> no matching peer config found
Dec  3 16:43:25 15[ENC] <1> generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]
Dec  3 16:43:25 15[NET] <1> sending packet: from fd99:a:b::2[500] to fd99:a:b::1[500] (80 bytes)
"""  # noqa: E501


def _console() -> Console:
    return Console(width=200, color_system=None, record=True)


def _markup_findings() -> list[Finding]:
    found = ikelog.read_lines(MARKUP_LOG.splitlines()).findings()
    assert found[0].kind is Kind.NO_PEER_CONFIG
    return found


def test_rich_report_shows_markup_and_emoji_codes_as_written() -> None:
    console = _console()
    for part in render.report(_markup_findings()):
        console.print(part)
    out = console.export_text()
    assert "no matching peer config for %any (local) and al[/]ice:a: (remote)" in out
    assert "looking for peer configs matching fd99:a:b::2[%any]...fd99:a:b::1" in out
    assert "[al[/]ice:a:]" in out
    assert "\N{NEGATIVE SQUARED LATIN CAPITAL LETTER A}" not in out


def test_rich_per_sa_list_shows_markup_as_written() -> None:
    console = _console()
    table = render.for_sa(_markup_findings(), "(unnamed)[1]")
    assert table is not None
    console.print(table)
    assert "al[/]ice:a: (remote) (lines 8, 9)" in console.export_text()


def test_markdown_keeps_log_text_out_of_html() -> None:
    found = Finding(
        Kind.EAP_FAILURE,
        Severity.ERROR,
        "eap[1]",
        (Evidence(7, "EAP identity '<user>' `x` ```"),),
        "EAP failed for '<user>' & *co*",
        "Check id = <user> in secrets_x.",
        "Set id = <user>, see [docs](http://x).",
    )
    text = render.markdown([found], source="a`b.log")
    assert text.startswith("## ikelog findings for ``a`b.log``")
    assert "**EAP failed for '\\<user\\>' \\& \\*co\\***" in text
    assert "Check id = \\<user\\> in secrets_x." in text
    assert "**Fix:** Set id = \\<user\\>, see [docs\\](http://x)." in text
    # evidence is a code block (no escapes) whose fence its text cannot close
    assert "\n````\n     7: EAP identity '<user>' `x` ```\n````\n" in text


def test_markdown_of_markup_log() -> None:
    text = render.markdown(_markup_findings())
    assert "al[/]ice:a:" in text and "<" not in text.split("```")[0]


def test_grouped_finding_is_listed_under_each_sa() -> None:
    group = Finding(
        Kind.NAT,
        Severity.INFO,
        "eap[1]",
        (Evidence(3, "remote host is behind NAT"),),
        "NAT seen, on 3 IKE SAs: eap[1], eap[2], eap[3]",
        "e",
        "f",
        topic="NAT seen",
        group=("eap[1]", "eap[2]", "eap[3]"),
    )
    console = _console()
    table = render.for_sa([group], "eap[2]")
    assert table is not None
    console.print(table)
    assert "NAT seen (also on 2 other IKE SAs)" in console.export_text()
    assert render.for_sa([group], "eap[4]") is None


# -- the terminal report of ``ikelog analyze`` ------------------------------------

MANY = ("lab", "j-many-clients", "gw")


def _many(name: str) -> ikelog.Trace:
    return ikelog.load(corpus(*MANY, name))


def _text(parts: object, width: int = 80) -> str:
    console = Console(width=width, color_system=None, record=True)
    for part in parts:  # type: ignore[attr-defined]
        console.print(part)
    return console.export_text()


def test_report_shows_findings_of_no_one_sa_after_the_summary() -> None:
    trace = _many("charon.log")
    out = _text(terminal.report(trace))
    head, _, rest = out.partition("findings not tied to one IKE SA\n")
    assert "DoS protection  229 COOKIE challenges, 240 setups ignored" in head
    assert re.search(
        r"^warning +dos-protection +DoS protection engaged: 229", rest, re.M
    )
    # identical info findings of 200 SAs: once, with how many SAs
    assert len(re.findall(r"^info +nat ", rest, re.M)) == 1
    assert "(on 200 IKE SAs: eap[1], eap[2]," in " ".join(rest.split())
    assert rest.index("dos-protection") < rest.index("200 IKE SAs; details")


def test_report_shows_eap_failures_with_candidates() -> None:
    trace = _many("charon-plain.log")
    found = trace.findings()
    loose = [f for f in found if f.ike_sa is None and f.kind is Kind.EAP_FAILURE]
    assert len(loose) == 5 and all(f.candidates for f in loose)
    table = terminal.general_findings(found)
    assert table is not None
    out = _text([table], width=200)
    assert (
        len(re.findall(r"^error +eap-failure +EAP authentication failed", out, re.M))
        == 5
    )
    for f in loose:
        assert f"(line {f.lines[0]})" in out


def test_grouped_info_once_errors_stay_under_their_sa() -> None:
    info = Finding(
        Kind.NAT,
        Severity.INFO,
        "eap[1]",
        (Evidence(3, "x"),),
        "NAT",
        "e",
        "f",
        topic="NAT seen",
        group=("eap[1]", "eap[2]"),
    )
    err = Finding(
        Kind.EAP_FAILURE, Severity.ERROR, "eap[2]", (Evidence(9, "y"),), "EAP", "e", "f"
    )
    warn = Finding(
        Kind.NAT,
        Severity.WARNING,
        "eap[1]",
        (Evidence(4, "z"),),
        "W",
        "e",
        "f",
        group=("eap[1]", "eap[2]"),
    )
    loose = Finding(
        Kind.EAP_FAILURE,
        Severity.ERROR,
        None,
        (Evidence(5, "u"),),
        "L",
        "e",
        "f",
        candidates=("eap[1]", "eap[2]"),
    )
    found = [err, loose, warn, info]
    assert terminal.sa_findings(found, "eap[2]") == [err, warn]
    assert terminal.sa_findings(found, "eap[1]") == [warn]
    assert [terminal.shown_once(f) for f in found] == [False, True, False, True]
    table = terminal.general_findings(found)
    assert table is not None
    out = _text([table])
    assert re.search(r"^error +eap-failure +L \(line 5\)", out, re.M)
    assert re.search(
        r"^info +nat +NAT seen \(on 2 IKE SAs: eap\[1\], eap\[2\]\)", out, re.M
    )
    assert "EAP (line 9)" not in out and " W " not in out
    # --sa eap[3]: nothing about it
    assert terminal.general_findings(found, ["eap[3]"]) is None


def test_sa_table_keeps_endpoints_and_outcomes_whole_at_80_columns() -> None:
    trace = _many("charon.log")
    out = _text([terminal.sa_table(trace.ike_sas)])
    rows = [x for x in out.splitlines() if x.startswith("eap[")]
    assert len(rows) == 200
    assert re.match(
        r"eap\[1\] +responder +10\.99\.0\.11\[4500\] +user1-1 +established +13", rows[0]
    )
    assert all(re.search(r" (established|failed) ", r) for r in rows)
    assert all(re.search(r" 10\.99\.0\.\d+\[4500\] ", r) for r in rows)
    assert "…" not in out


def test_analyze_through_a_pipe_never_cuts_values() -> None:
    runner = CliRunner()
    for rel in (
        ("public", "17-ike-rekey-journal-triple-format-ipv6.log"),
        ("public", "03-psk-auth-failed-swanctl-initiate.log"),
        (*MANY, "charon.log"),
    ):
        path = str(corpus(*rel))
        result = runner.invoke(app, ["analyze", path], env={"COLUMNS": "80"})
        assert "…" not in result.output
        # a long source path folds onto the next line, whole
        rows = result.output.splitlines()[1:3]
        assert path in "".join(
            x.strip("│ ").removeprefix("source").strip() for x in rows
        )
        assert max(len(x) for x in result.output.splitlines()) <= 80
    result = runner.invoke(app, ["analyze", path], env={"COLUMNS": "80"})
    assert "warning   dos-protection  DoS protection engaged" in result.output
    assert "establish\n" not in result.output and "\n1[4500]" not in result.output


def test_markdown_escapes_read_back_as_the_text() -> None:
    # rendered by a CommonMark renderer (markdown-it, which rich uses), the
    # escaped text is the text: no tag dropped, no emphasis made
    from markdown_it import MarkdownIt

    text = "Set id = <user> & *this*_one_ [x](y)"
    html = MarkdownIt().render(render.escape(text))
    assert html == "<p>Set id = &lt;user&gt; &amp; *this*_one_ [x](y)</p>\n"
