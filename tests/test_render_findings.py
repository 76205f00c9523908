"""ikelog.render.findings: log text stays text in the terminal and in Markdown."""

from __future__ import annotations

from rich.console import Console

import ikelog
from ikelog.findings import Evidence, Finding, Kind, Severity
from ikelog.render import findings as render

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
    assert "**EAP failed for '&lt;user&gt;' &amp; \\*co\\***" in text
    assert "Check id = &lt;user&gt; in secrets_x." in text
    assert "**Fix:** Set id = &lt;user&gt;, see [docs\\](http://x)." in text
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
