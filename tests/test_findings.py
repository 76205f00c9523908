"""ikelog.findings and its renderers: the pieces, and the commands."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app
from ikelog.events import EapStep, Event, Foreign, Unrecognized
from ikelog.findings import Evidence, Finding, Kind, Severity
from ikelog.findings.context import Context
from ikelog.findings.model import order_key
from ikelog.findings.proposals import compare, side_by_side, transform_type
from ikelog.render import findings as render
from ikelog.replay.model import IkeSa

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
MISMATCH = str(SAMPLES / "lab-gateway-proposal-mismatch.log")
SEED = str(SAMPLES / "windows-eap-mschapv2.log")
runner = CliRunner()


def test_transform_types() -> None:
    assert transform_type("AES_CBC_128") == "encryption"
    assert transform_type("HMAC_SHA2_256_128") == "integrity"
    assert transform_type("PRF_HMAC_SHA1") == "PRF"
    assert transform_type("MODP_2048") == "key exchange"
    assert transform_type("ECP_384") == "key exchange"
    assert transform_type("CURVE_25519") == "key exchange"
    assert transform_type("NO_EXT_SEQ") == "ESN"


def test_compare_names_only_the_missing_type() -> None:
    theirs = ["IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1024"]
    ours = ["IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"]
    assert compare(theirs, ours) == [
        "no common key exchange: peer offers MODP_1024; configured MODP_2048"
    ]
    table = side_by_side(theirs, ours).splitlines()
    assert table[0].split() == ["peer", "proposed", "configured", "here"]
    assert table[-1].startswith("key exchange") and table[-1].endswith("<- no match")


def test_aead_has_no_integrity_to_miss() -> None:
    theirs = ["ESP:AES_GCM_16_128/NO_EXT_SEQ"]
    ours = ["ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ"]
    assert compare(theirs, ours) == [
        "no common encryption: peer offers AES_GCM_16_128; configured AES_CBC_128"
    ]


def _finding(severity: Severity, line: int, kind: Kind = Kind.NAT) -> Finding:
    return Finding(kind, severity, "x[1]", (Evidence(line, "t"),), "s", "e", "f")


def test_order_most_severe_then_background_then_line() -> None:
    found = [
        _finding(Severity.INFO, 1, Kind.PLATFORM),
        _finding(Severity.INFO, 9, Kind.INVALID_KE),
        _finding(Severity.ERROR, 50, Kind.TS_MISMATCH),
        _finding(Severity.WARNING, 2, Kind.RETRANSMIT_SEND),
    ]
    kinds = [f.kind for f in sorted(found, key=order_key)]
    assert kinds == [
        Kind.TS_MISMATCH,
        Kind.RETRANSMIT_SEND,
        Kind.INVALID_KE,
        Kind.PLATFORM,
    ]
    assert Severity.ERROR.at_least(Severity.WARNING)
    assert not Severity.INFO.at_least(Severity.WARNING)


def test_finding_json_keys() -> None:
    d = _finding(Severity.ERROR, 3).to_dict()
    for key in ("kind", "severity", "ike_sa", "lines", "summary", "explanation", "fix"):
        assert key in d
    assert d["lines"] == [3] and d["kind"] == "nat" and d["severity"] == "error"


def test_trace_findings_on_the_sample() -> None:
    found = ikelog.load(MISMATCH).findings()
    top = found[0]
    assert top.kind is Kind.PROPOSAL_MISMATCH_IKE
    assert top.ike_sa == "(unnamed)[1]"
    assert top.lines == [15, 16, 18]
    assert top.evidence[-1].text == "received proposals unacceptable"


def test_markdown_render() -> None:
    found = ikelog.load(MISMATCH).findings()
    text = render.markdown(found, source="gw.log")
    assert text.startswith("## ikelog findings for `gw.log`")
    assert "### ERROR: proposal-mismatch-ike ((unnamed)[1])" in text
    assert "    18: received proposals unacceptable" in text


def test_rich_render_fixed_width() -> None:
    console = Console(width=100, color_system=None, record=True)
    for part in render.report(ikelog.load(MISMATCH).findings()):
        console.print(part)
    out = console.export_text()
    assert out.splitlines()[0] == "1 error, 0 warnings, 1 info"
    assert "ERROR proposal-mismatch-ike (unnamed)[1]" in out


def test_cli_diagnose_json_and_fail_on() -> None:
    result = runner.invoke(app, ["diagnose", "--json", MISMATCH])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [f["kind"] for f in doc["findings"]] == ["proposal-mismatch-ike", "nat"]
    assert doc["findings"][0]["lines"] == [15, 16, 18]
    failing = runner.invoke(app, ["diagnose", "--fail-on", "error", MISMATCH])
    assert failing.exit_code == 1
    ok = runner.invoke(app, ["diagnose", "--fail-on", "warning", SEED])
    assert ok.exit_code == 0


def test_cli_diagnose_markdown() -> None:
    result = runner.invoke(app, ["diagnose", "--format", "markdown", MISMATCH])
    assert result.exit_code == 0
    assert "### ERROR: proposal-mismatch-ike" in result.stdout


def test_cli_analyze_json_has_findings() -> None:
    result = runner.invoke(app, ["analyze", "--json", SEED])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert "ike_sas" in doc
    kinds = [f["kind"] for f in doc["findings"]]
    assert kinds[:2] == ["peer-config-switch", "eap-nak"]
    assert all(f["ike_sa"] == "eap[3]" for f in doc["findings"])


def test_cli_analyze_lists_findings_under_sas() -> None:
    result = runner.invoke(app, ["analyze", "--fail-on", "error", MISMATCH])
    assert result.exit_code == 1
    assert "findings for (unnamed)[1]" in result.stdout


# -- which SA an event belongs to -------------------------------------------------


def _naive_owner(line: int, sas: list[IkeSa]) -> IkeSa | None:
    """The rule the context keeps, one span at a time."""
    best, best_start = None, -1
    for sa in sas:
        first, last = sa.first_line or 0, sa.last_line or 0
        if first <= line <= last and first > best_start:
            best, best_start = sa, first
    return best


def test_span_attribution_matches_the_rule() -> None:
    spans = [(1, 40), (5, 12), (5, 30), (20, 25), (22, 60), (70, 71), (0, 0)]
    sas = [
        IkeSa(name="s", unique_id=None, first_line=a or None, last_line=b or None)
        for a, b in spans
    ]
    events = [Event(n, Unrecognized(f"line {n}")) for n in range(80, 0, -1)]
    ctx = Context.build(sas, events)
    owner = {e.line: v.sa for v in ctx.views for e in v.events}
    for n in range(1, 81):
        assert owner.get(n) is _naive_owner(n, sas), n
    assert [e.line for e in ctx.unattributed.events][:3] == [80, 79, 78]


def test_tagged_events_go_to_their_sa() -> None:
    sas = [
        IkeSa(name="a", unique_id=1, first_line=1, last_line=50),
        IkeSa(name="a", unique_id=1, first_line=30, last_line=40),
        IkeSa(name="b", unique_id=2, first_line=10, last_line=20),
    ]
    events = [Event(n, Unrecognized("x"), sa_uid=1) for n in (5, 15, 35, 45)]
    ctx = Context.build(sas, events)
    got = {e.line: v.sa for v in ctx.views for e in v.events}
    assert got == {5: sas[0], 15: sas[0], 35: sas[1], 45: sas[1]}


def test_of_and_near() -> None:
    events = [
        Event(3, Unrecognized("a")),
        Event(1, Foreign("b")),
        Event(2, Unrecognized("c")),
    ]
    ctx = Context.build([], events)
    assert [e.line for e in ctx.of(Unrecognized)] == [3, 2]
    assert [e.line for e in ctx.of(Unrecognized, Foreign)] == [3, 1, 2]
    assert ctx.of(EapStep) == []
    assert [e.line for e in ctx.near(1, 1)] == [2]
    assert [e.line for e in ctx.near(0, 5)] == [3, 1, 2]
