"""ikelog.findings and its renderers: the pieces, and the commands."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app
from ikelog.findings import Evidence, Finding, Kind, Severity
from ikelog.findings.model import order_key
from ikelog.findings.proposals import compare, side_by_side, transform_type
from ikelog.render import findings as render

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
