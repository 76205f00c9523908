"""ikelog.findings.listing: what swanctl --list-sas snapshots show wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app
from ikelog.findings import Finding, Kind, Severity, diagnose_inputs, listing
from ikelog.transcripts import read_transcript

from .conftest import SAMPLES, corpus

runner = CliRunner()

#: Two road warriors' SAs of one user (#5 and #9), a third SA of another
#: user, a REKEYED CHILD SA next to its successor (same reqid) and an idle
#: CHILD SA; modern swanctl layout.
LISTING = """\
rw: #9, ESTABLISHED, IKEv2, 1a2b3c4d5e6f7081_i 0123456789abcdef_r*
  local  'vpn.example.org' @ 192.0.2.1[4500]
  remote 'alice' @ 203.0.113.5[4500] EAP: 'alice' [10.10.0.1]
  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
  established 120s ago, rekeying in 13000s
  rw: #21, reqid 3, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256
    installed 120s ago, rekeying in 3000s, expires in 3600s
    in  c1234567,   5120 bytes,    40 packets,     1s ago
    out c7654321,   6144 bytes,    41 packets,     1s ago
    local  0.0.0.0/0
    remote 10.10.0.1/32
rw: #5, ESTABLISHED, IKEv2, 2a2b3c4d5e6f7081_i 1123456789abcdef_r*
  local  'vpn.example.org' @ 192.0.2.1[4500]
  remote 'alice' @ 203.0.113.5[4500] EAP: 'alice' [10.10.0.2]
  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
  established 86400s ago, rekeying in 600s
  rw: #11, reqid 2, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256
    installed 7200s ago, rekeying in 300s, expires in 900s
    in  c2234567,      0 bytes,     0 packets
    out c8654321,      0 bytes,     0 packets
    local  0.0.0.0/0
    remote 10.10.0.2/32
rw: #7, ESTABLISHED, IKEv2, 3a2b3c4d5e6f7081_i 2123456789abcdef_r*
  local  'vpn.example.org' @ 192.0.2.1[4500]
  remote 'bob' @ 198.51.100.7[4500] EAP: 'bob' [10.10.0.3]
  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
  established 3000s ago, rekeying in 9000s
  rw: #14, reqid 4, REKEYED, TUNNEL-in-UDP, ESP:AES_GCM_16-256
    installed 2990s ago, expires in 10s
    in  c3234567,   1024 bytes,    10 packets
    out c9654321,   1024 bytes,    10 packets
    local  0.0.0.0/0
    remote 10.10.0.3/32
  rw: #15, reqid 4, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256
    installed 5s ago, rekeying in 3000s, expires in 3600s
    in  c4234567,      0 bytes,     0 packets
    out ca654321,      0 bytes,     0 packets
    local  0.0.0.0/0
    remote 10.10.0.3/32
"""

PUBLIC_19 = ("public", "19-swanctl-list-sas-duplicate-ike-sas.log")


def _findings() -> list[Finding]:
    t = read_transcript(LISTING.splitlines(), source="list-sas.txt")
    return diagnose_inputs(None, [t])


def _of(kind: Kind) -> list[Finding]:
    return [f for f in _findings() if f.kind is kind]


def test_duplicates_need_same_peer_and_identities() -> None:
    (dup,) = _of(Kind.DUPLICATE_IKE_SAS)
    assert dup.severity is Severity.WARNING
    assert dup.ike_sa == "rw[9]"  # the youngest: the one to keep
    assert dup.lines == [1, 12]
    assert dup.evidence[0].text == (
        "rw: #9, ESTABLISHED, IKEv2, 1a2b3c4d5e6f7081_i 0123456789abcdef_r*"
    )
    assert "#9 2 minutes ago" in dup.summary and "#5 1 day ago" in dup.summary
    assert "INITIAL_CONTACT" in dup.explanation
    assert "make-before-break" in dup.explanation
    assert "unique = replace" in dup.fix


def test_idle_child_sa_only_after_a_while() -> None:
    (idle,) = _of(Kind.CHILD_SA_NO_TRAFFIC)
    # rw{15} has no traffic either, but it was installed 5 s ago
    assert (idle.ike_sa, idle.lines, idle.severity) == ("rw[5]", [17], Severity.WARNING)
    assert "rw{11}" in idle.summary and "2 hours" in idle.summary
    # quoted as the listing wrote it, indentation included
    assert idle.evidence[0].text == (
        "  rw: #11, reqid 2, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256"
    )


def test_shared_reqid_is_information() -> None:
    (shared,) = _of(Kind.SHARED_REQID)
    assert (shared.ike_sa, shared.lines, shared.severity) == (
        "rw[7]",
        [28, 34],
        Severity.INFO,
    )
    assert "reqid 4" in shared.summary
    assert "only one of them is INSTALLED" in shared.explanation


def test_order_most_severe_first() -> None:
    kinds = [f.kind for f in _findings()]
    assert kinds == [
        Kind.DUPLICATE_IKE_SAS,
        Kind.CHILD_SA_NO_TRAFFIC,
        Kind.SHARED_REQID,
    ]


def test_age_words() -> None:
    assert listing._age(2214320) == "25 days"
    assert listing._age(3600) == "1 hour"
    assert listing._age(59) == "59 seconds"


# -- listings inside a log's lines ---------------------------------------------


def test_public_listing_alone() -> None:
    found = ikelog.load(corpus(*PUBLIC_19)).findings()
    top = found[0]
    assert (top.kind, top.severity) == (Kind.DUPLICATE_IKE_SAS, Severity.WARNING)
    assert top.ike_sa == "conn-198.51.100.14[2732]"
    assert top.lines == [2, 13, 24]
    idle = [f for f in found if f.kind is Kind.CHILD_SA_NO_TRAFFIC]
    assert [f.lines for f in idle] == [[7], [18]]
    shared = [f for f in found if f.kind is Kind.SHARED_REQID]
    assert [f.lines for f in shared] == [[7, 18]]
    assert "reqid 1234" in shared[0].summary
    assert Kind.NO_IKE_SA not in {f.kind for f in found}


def test_listing_pasted_under_a_log_keeps_its_line_numbers() -> None:
    log = (SAMPLES / "windows-eap-mschapv2.log").read_text("utf-8").splitlines()
    lines = [*log, "", "# swanctl --list-sas", *LISTING.splitlines()]
    found = ikelog.read_lines(lines).findings()
    (dup,) = [f for f in found if f.kind is Kind.DUPLICATE_IKE_SAS]
    offset = len(log) + 2
    assert dup.lines == [offset + 1, offset + 12]
    assert lines[dup.lines[0] - 1].startswith("rw: #9, ESTABLISHED")
    # the log's own findings are still there
    assert any(f.ike_sa == "eap[3]" for f in found)


def test_log_lines_are_not_a_listing() -> None:
    events = ikelog.load(SAMPLES / "lab-gateway-proposal-mismatch.log").events
    assert events is not None
    assert listing.listings_in(events) == []


def test_read_transcript_start() -> None:
    t = read_transcript(LISTING.splitlines(), start=101)
    assert [sa.line for sa in t.ike_sas] == [101, 112, 123]
    assert t.ike_sas[0].children[0].line == 106
    assert t.lines == len(LISTING.splitlines())


# -- the commands ---------------------------------------------------------------


@pytest.fixture
def listing_file(tmp_path: Path) -> str:
    path = tmp_path / "list-sas.txt"
    path.write_text("# swanctl --list-sas\n" + LISTING, "utf-8")
    return str(path)


def test_cli_diagnose_listing_json(listing_file: str) -> None:
    result = runner.invoke(app, ["diagnose", "--json", listing_file])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    top = doc["findings"][0]
    assert top["kind"] == "duplicate-ike-sas"
    assert (top["ike_sa"], top["lines"]) == ("rw[9]", [2, 13])
    failing = runner.invoke(app, ["diagnose", "--fail-on", "warning", listing_file])
    assert failing.exit_code == 1


def test_cli_analyze_listing_alone(listing_file: str) -> None:
    result = runner.invoke(app, ["analyze", "--json", listing_file])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    kinds = [f["kind"] for f in doc["findings"]]
    assert kinds == ["duplicate-ike-sas", "child-sa-no-traffic", "shared-reqid"]
    text = runner.invoke(app, ["analyze", listing_file])
    assert text.exit_code == 0, text.output
    assert "findings for listed rw[9]" in text.stdout
    assert "duplicate-ike-sas" in text.stdout


def test_cli_analyze_log_and_listing(listing_file: str) -> None:
    seed = str(SAMPLES / "windows-eap-mschapv2.log")
    result = runner.invoke(app, ["analyze", "--json", seed, listing_file])
    assert result.exit_code == 0, result.output
    labels = {f["ike_sa"] for f in json.loads(result.stdout)["findings"]}
    assert {"eap[3]", "rw[9]", "rw[5]", "rw[7]"} <= labels
