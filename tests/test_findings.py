"""ikelog.findings and its renderers: the pieces, and the commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app
from ikelog.events import EapStep, Event, Foreign, Unrecognized
from ikelog.findings import Evidence, Finding, Kind, Severity, diagnose
from ikelog.findings.context import Context
from ikelog.findings.group import grouped
from ikelog.findings.model import order_key
from ikelog.findings.proposals import compare, side_by_side, transform_type
from ikelog.render import findings as render
from ikelog.replay.model import IkeSa

from .conftest import corpus

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
    # quoted as the log wrote it, prefix and all
    assert top.evidence[-1].text == (
        "Dec  3 16:43:25 15[IKE] <1> received proposals unacceptable"
    )


def test_markdown_render() -> None:
    found = ikelog.load(MISMATCH).findings()
    text = render.markdown(found, source="gw.log")
    assert text.startswith("## ikelog findings for `gw.log`")
    assert "### ERROR: proposal-mismatch-ike ((unnamed)[1])" in text
    assert "    18: Dec  3 16:43:25 15[IKE] <1> received proposals unacceptable" in text


def test_rich_render_fixed_width() -> None:
    console = Console(width=100, color_system=None, record=True)
    for part in render.report(ikelog.load(MISMATCH).findings()):
        console.print(part)
    out = console.export_text()
    assert out.splitlines()[0] == "1 error, 0 warnings, 2 infos"
    assert "ERROR proposal-mismatch-ike (unnamed)[1]" in out


def test_cli_diagnose_json_and_fail_on() -> None:
    result = runner.invoke(app, ["diagnose", "--json", MISMATCH])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [f["kind"] for f in doc["findings"]] == [
        "proposal-mismatch-ike",
        "platform",  # the client is strongSwan (the lab client)
        "nat",
    ]
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


# -- evidence as the log wrote it ---------------------------------------------------


def test_evidence_quotes_the_line_as_written() -> None:
    found = ikelog.load(SEED).findings()
    switch = next(f for f in found if f.kind is Kind.PEER_CONFIG_SWITCH)
    assert switch.evidence[-1] == Evidence(40, "switching to peer config 'eap'")
    dpd = next(f for f in found if f.kind is Kind.DPD)
    assert dpd.evidence[0] == Evidence(
        88, "09:58:20: parsed INFORMATIONAL request 7 [ ]"
    )


def test_evidence_is_rebuilt_without_line_texts() -> None:
    trace = ikelog.load(SEED)
    trace.texts = []  # as a caller that kept no texts
    switch = next(f for f in trace.findings() if f.kind is Kind.PEER_CONFIG_SWITCH)
    assert switch.evidence[-1] == Evidence(40, 'switching to peer config "eap"')


def test_each_daemon_quotes_its_own_file() -> None:
    lab = corpus("lab", "d-eap-wrong-password")
    gw, c1 = lab / "gw/charon.log", lab / "c1/charon.log"
    trace = ikelog.load([gw, c1])
    texts = {
        "eap[1]": gw.read_text().splitlines(),
        "home[1]": c1.read_text().splitlines(),
    }
    # the server's refusal is the error, the client's view of it information
    eap = [f for f in trace.findings() if f.kind is Kind.EAP_FAILURE]
    assert [(f.ike_sa, f.severity) for f in eap] == [
        ("eap[1]", Severity.ERROR),
        ("home[1]", Severity.INFO),
    ]
    for f in eap:
        assert f.ike_sa is not None
        for e in f.evidence:
            assert e.text == texts[f.ike_sa][e.line - 1]


# -- benign findings of many SAs, told once -----------------------------------------


def test_identical_info_findings_are_grouped() -> None:
    def nat(n: int) -> Finding:
        return Finding(
            Kind.NAT, Severity.INFO, f"eap[{n}]", (Evidence(n * 10, f"l{n}"),),
            "NAT seen", "e", "f",
        )  # fmt: skip

    errors = [_finding(Severity.ERROR, n, Kind.EAP_FAILURE) for n in (1, 2)]
    found = grouped([nat(n) for n in range(1, 15)] + errors)
    assert [f.kind for f in found] == [Kind.NAT, Kind.EAP_FAILURE, Kind.EAP_FAILURE]
    group = found[0]
    assert group.ike_sa == "eap[1]" and len(group.ike_sas) == 14
    assert group.summary == (
        "NAT seen, on 14 IKE SAs: "
        + ", ".join(f"eap[{n}]" for n in range(1, 11))
        + " and 4 more"
    )
    assert group.lines == [10, 20, 30]
    d = group.to_dict()
    assert d["ike_sa"] == "eap[1]" and d["ike_sas"][-1] == "eap[14]"
    # a single one, and different advice, stay apart
    other = Finding(Kind.NAT, Severity.INFO, "x[1]", (), "NAT seen", "e", "other")
    assert grouped([nat(1), other]) == [nat(1), other]


def test_many_clients_gateway_is_not_buried_in_infos() -> None:
    result = runner.invoke(
        app, ["diagnose", "--json", str(SAMPLES / "lab-many-clients-gateway.log.gz")]
    )
    doc = json.loads(result.stdout)
    found = doc["findings"]
    assert [f["severity"] for f in found].count("error") == 5
    infos = {f["kind"]: f for f in found if f["severity"] == "info"}
    assert sorted(infos) == ["dpd", "nat", "platform"]
    nat = infos["nat"]
    assert len(nat["ike_sas"]) == 200 and nat["ike_sa"] == nat["ike_sas"][0]
    assert "on 200 IKE SAs: eap[1], eap[2]," in nat["summary"]
    assert len(nat["evidence"]) == 3
    assert all(len(f["ike_sas"]) == 1 for f in found if f["severity"] == "error")
    per_sa = diagnose(
        ikelog.load(SAMPLES / "lab-many-clients-gateway.log.gz"), group=False
    )
    assert sum(1 for f in per_sa if f.kind is Kind.DPD) == 195


# -- what the rules say -------------------------------------------------------------

SYSLOG = "Jan 09 15:55:{:02d} vultr charon-systemd[262360]: {}"


def _refused(port: int) -> list[str]:
    """A responder answering INVALID_KE_PAYLOAD to a client's first try."""
    return [
        f"received packet: from 198.51.100.2[{port}] to 203.0.113.1[500] (660 bytes)",
        "parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]",
        "198.51.100.2 is initiating an IKE_SA",
        "selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/"
        "MODP_2048",
        "key exchange method MODP_2048_256 unacceptable, requesting MODP_2048",
        "generating IKE_SA_INIT response 0 [ N(INVAL_KE) ]",
        f"sending packet: from 203.0.113.1[500] to 198.51.100.2[{port}] (38 bytes)",
    ]


def _attempts(*ports: int) -> list[Finding]:
    lines = [
        SYSLOG.format(n, line)
        for n, port in enumerate(ports)
        for line in _refused(port)
    ]
    return ikelog.read_lines(lines).findings()


def test_invalid_ke_refusal_is_the_first_half_of_a_retry() -> None:
    found = _attempts(46558)
    assert [(f.kind, f.severity) for f in found] == [(Kind.INVALID_KE, Severity.INFO)]
    assert "first half of such a retry" in found[0].explanation
    assert "not in these lines" in found[0].explanation


def test_invalid_ke_refused_again_on_the_retry_is_a_loop() -> None:
    loop = _attempts(46558, 46558)
    assert [(f.kind, f.severity) for f in loop] == [
        (Kind.INVALID_KE_LOOP, Severity.ERROR),
        (Kind.INVALID_KE, Severity.INFO),
    ]
    assert loop[1].summary.endswith("; the retry is the IKE SA of line 8")
    # two clients behind one NAT, each refused once: no loop
    kinds = {f.kind for f in _attempts(46558, 40000)}
    assert kinds == {Kind.INVALID_KE}


def test_no_incomplete_for_a_failed_sa() -> None:
    found = _attempts(46558)
    assert Kind.INCOMPLETE not in {f.kind for f in found}
    retried = (
        _attempts(46558)[:0]
        + ikelog.read_lines(
            [SYSLOG.format(0, x) for x in _refused(46558)]
            + [SYSLOG.format(1, x) for x in _refused(46558)[:3]]
        ).findings()
    )
    incomplete = [f for f in retried if f.kind is Kind.INCOMPLETE]
    assert [f.summary for f in incomplete] == [
        "outcome not in the log: IKE_SA_INIT was in progress when the log ends"
    ]


def test_windows_advice_follows_the_log() -> None:
    seed = Path(SEED).read_text().splitlines()
    found = ikelog.read_lines(seed).findings()
    windows = next(f for f in found if f.kind is Kind.PLATFORM)
    assert "IKE_AUTH request in 3 fragments) and worked" in windows.explanation
    assert windows.fix.startswith("Nothing to fix")
    assert "Set-VpnConnectionIPsecConfiguration" not in windows.fix
    weak = [
        line.replace(
            "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048",
            "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
        )
        for line in seed
    ]
    found = ikelog.read_lines(weak).findings()
    windows = next(f for f in found if f.kind is Kind.PLATFORM)
    assert "the weak 3DES_CBC, HMAC_SHA1_96, PRF_HMAC_SHA1, MODP_1024" in (
        windows.explanation
    )
    assert "Set-VpnConnectionIPsecConfiguration" in windows.fix


# -- Apple's client -----------------------------------------------------------------

#: Payload lists of Apple clients as charon logged them in gateway logs that
#: people posted publicly (iOS 8 to iOS 16, macOS Sierra and later; EAP and
#: certificates; hand-configured and profile-configured).
APPLE_MESSAGES = [
    "parsed IKE_SA_INIT request 0 [ SA KE No N(REDIR_SUP) N(NATD_S_IP) "
    "N(NATD_D_IP) N(FRAG_SUP) ]",
    "parsed IKE_SA_INIT request 0 [ SA KE No N(REDIR_SUP) N(NATD_S_IP) "
    "N(NATD_D_IP) N((16430)) ]",
    "parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr CPRQ(ADDR MASK DHCP DNS "
    "ADDR6 DHCP6 DNS6 DOMAIN) N(ESP_TFC_PAD_N) N(NON_FIRST_FRAG) SA TSi TSr "
    "N(MOBIKE_SUP) ]",
    "parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) N(MOBIKE_SUP) IDr CERTREQ "
    "AUTH CERT CPRQ(ADDR DHCP DNS MASK ADDR6 DHCP6 DNS6 (25)) N(ESP_TFC_PAD_N) "
    "N(NON_FIRST_FRAG) SA TSi TSr ]",
    "parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr CERTREQ CPRQ(ADDR DHCP "
    "DNS MASK ADDR6 DHCP6 DNS6) N(ESP_TFC_PAD_N) N(NON_FIRST_FRAG) SA TSi TSr ]",
]

#: What other clients send: Windows, strongSwan (Linux, the Android app),
#: Android's own client, a profile with REDIRECT disabled is Apple but
#: unrecognisable from IKE_SA_INIT alone.
OTHER_MESSAGES = [
    "parsed IKE_SA_INIT request 0 [ SA KE No N(FRAG_SUP) N(NATD_S_IP) "
    "N(NATD_D_IP) V V V ]",
    "parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) "
    "N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
    "parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) "
    "N(FRAG_SUP) N(HASH_ALG) ]",
    "parsed IKE_AUTH request 1 [ IDi CERTREQ N(MOBIKE_SUP) CPRQ(ADDR DNS NBNS "
    "SRV ADDR6 DNS6 SRV6) SA TSi TSr ]",
    "parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) CERTREQ CPRQ(ADDR ADDR6 DNS "
    "DNS6) SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) N(MULT_AUTH) N(EAP_ONLY) "
    "N(MSG_ID_SYN_SUP) ]",
    "generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr CPRQ(ADDR DHCP "
    "MASK) N(ESP_TFC_PAD_N) N(NON_FIRST_FRAG) SA TSi TSr ]",  # we sent it
]


def test_apple_habits_are_told_from_other_clients() -> None:
    from ikelog.findings.platform import _apple_hint
    from ikelog.grammar import parse_message

    assert all(_apple_hint(parse_message(m)) for m in APPLE_MESSAGES)
    assert not any(_apple_hint(parse_message(m)) for m in OTHER_MESSAGES)


def _as_apple(seed: list[str]) -> list[str]:
    """The seed's EAP session as an iPhone would have made it: Apple's
    IKE_SA_INIT (no vendor IDs) and IKE_AUTH payloads, and the attribute
    charon does not know."""
    out = []
    for line in seed:
        if line.startswith("parsed IKE_SA_INIT request 0"):
            line = APPLE_MESSAGES[0]
        elif "vendor ID" in line:
            continue
        elif line.startswith("parsed IKE_AUTH request 1 [ IDi"):
            out.append(APPLE_MESSAGES[2])
            line = "unknown attribute type INTERNAL_DNS_DOMAIN"
        out.append(line)
    return out


def test_apple_client_recognised_in_an_eap_session() -> None:
    seed = Path(SEED).read_text().splitlines()
    trace = ikelog.read_lines(_as_apple(seed))
    assert trace.counts.unrecognized == 0 and trace.counts.foreign == 1  # "..."
    sa = trace.sa("eap[3]")
    assert sa.established and sa.pairs_to_establish == 7
    found = trace.findings()
    platforms = [f for f in found if f.kind is Kind.PLATFORM]
    assert len(platforms) == 1
    apple = platforms[0]
    assert apple.summary == (
        "client looks like Apple's built-in IKEv2 client (macOS/iOS)"
    )
    assert apple.ike_sa == "eap[3]"
    quoted = [x.text for x in apple.evidence]
    assert quoted[0] == APPLE_MESSAGES[0]
    assert APPLE_MESSAGES[2] in quoted
    assert "unknown attribute type INTERNAL_DNS_DOMAIN" in quoted
    assert "benign" in apple.explanation
    assert "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" in (
        apple.explanation
    )
    assert apple.fix == "Nothing to fix for this client."
    assert not [f for f in found if f.severity is Severity.ERROR]


#: IKE proposals of iOS set up in Settings, as strongSwan's notes on Apple
#: clients list them (iOS 16.5).
IOS_PROPOSALS = (
    "received proposals: "
    "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, "
    "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256, "
    "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1536, "
    "IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, "
    "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"
)


def _apple_finding(lines: list[str]) -> Finding:
    trace = ikelog.read_lines(lines)
    assert trace.counts.unrecognized == 0
    (apple,) = [f for f in trace.findings() if "Apple" in f.summary]
    return apple


@pytest.mark.parametrize(
    ("offered", "says"),
    [
        (IOS_PROPOSALS, "iOS's defaults, so this is an iPhone or iPad"),
        (
            "received proposals: "
            "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, "
            "IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
            "no ECP_256, as macOS does",
        ),
        (
            "received proposals: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384",
            "a profile sets them",
        ),
    ],
)
def test_apple_proposals_tell_ios_from_macos(offered: str, says: str) -> None:
    lines = _as_apple(Path(SEED).read_text().splitlines())
    at = next(i for i, x in enumerate(lines) if x.startswith("selected proposal"))
    lines.insert(at, offered)
    apple = _apple_finding(lines)
    assert says in apple.explanation
    assert apple.severity is Severity.INFO


def test_apple_client_without_the_gateway_certificate() -> None:
    # the device asked for no certificate and the gateway signed without
    # sending one: the device cannot verify it and gives up after IKE_AUTH 1
    lines = []
    for line in _as_apple(Path(SEED).read_text().splitlines()):
        if line.startswith("generating IKE_AUTH response 1 "):
            line = line.replace(" CERT ", " ")
            lines.append(line)
            break
        lines.append(line)
    apple = _apple_finding(lines)
    assert apple.severity is Severity.WARNING
    assert apple.fix.startswith("Set send_cert = always")
    quoted = [x.text for x in apple.evidence]
    assert quoted[-1] == "generating IKE_AUTH response 1 [ IDr AUTH EAP/REQ/ID ]"
    assert "sent no certificate request" in apple.explanation


def test_apple_and_strongswan_told_after_a_cookie_too() -> None:
    from ikelog.findings.platform import _apple_hint
    from ikelog.grammar import parse_message

    again = APPLE_MESSAGES[0].replace("[ SA", "[ N(COOKIE) SA")
    assert _apple_hint(parse_message(again))


def test_dos_protection_on_a_crowded_gateway() -> None:
    # j-many-clients: 200 clients behind five addresses connect at once
    found = ikelog.load(corpus("lab/j-many-clients/gw/charon.log")).findings()
    (dos,) = [f for f in found if f.kind is Kind.DOS_PROTECTION]
    assert dos.severity is Severity.WARNING and dos.ike_sa is None
    assert dos.summary == (
        "DoS protection engaged: 229 IKE_SA_INIT answered with a COOKIE; 240 "
        "ignored (10.99.0.15 (66), 10.99.0.14 (60), 10.99.0.11 (48))"
    )
    assert dos.lines == [247, 273, 367]
    assert "charon.block_threshold (now 5)" in dos.fix
    # each of the 200 clients is recognised as strongSwan, also the 185
    # whose IKE_SA_INIT came again with the COOKIE first
    (peer,) = [f for f in found if f.kind is Kind.PLATFORM]
    assert len(peer.ike_sas) == 200


# -- traffic selectors ------------------------------------------------------------


def test_ts_unacceptable_names_whose_list_is_whose() -> None:
    # charon's responder logs "traffic selectors TSr === TSi unacceptable":
    # the first list is what the initiator asked for on OUR side (its
    # remote_ts), the second its own side (its local_ts)
    found = ikelog.load(corpus("lab/f-ts-unacceptable/gw/charon.log")).findings()
    ts = next(f for f in found if f.kind is Kind.TS_MISMATCH)
    assert "asked for 10.99.30.0/24 on our side and 10.99.20.0/24 on its side" in (
        ts.summary
    )
    assert "the first list is the peer's side" not in ts.explanation
    assert "10.99.30.0/24 behind us (its TSr, from its remote_ts)" in ts.explanation
    assert "10.99.20.0/24 behind itself (its TSi, from its local_ts)" in (
        ts.explanation
    )
    assert ts.fix.startswith("On the peer, set remote_ts (rightsubnet")
    assert "instead of 10.99.30.0/24" in ts.fix


def test_ts_unacceptable_fix_names_our_subnet_when_the_log_shows_it() -> None:
    lines = [
        "Dec  3 16:40:00 13[IKE] <site-hq|1> IKE_SA site-hq[1] established "
        "between 10.99.0.1[hq]...10.99.0.11[branch]",
        "Dec  3 16:40:00 13[IKE] <site-hq|1> CHILD_SA site-hq{1} established "
        "with SPIs c1a2b3c4_i 0d0e0f10_o and TS 10.99.10.0/24 === 10.99.20.0/24",
        "Dec  3 16:43:49 16[IKE] <site-hq|2> IKE_SA site-hq[2] established "
        "between 10.99.0.1[hq]...10.99.0.11[branch]",
        "Dec  3 16:43:49 16[IKE] <site-hq|2> traffic selectors 10.99.30.0/24 "
        "=== 10.99.20.0/24 unacceptable",
        "Dec  3 16:43:49 16[IKE] <site-hq|2> failed to establish CHILD_SA, "
        "keeping IKE_SA",
    ]
    ts = next(
        f for f in ikelog.read_lines(lines).findings() if f.kind is Kind.TS_MISMATCH
    )
    assert "set remote_ts (rightsubnet in ipsec.conf) to our local subnet " in ts.fix
    assert "(10.99.10.0/24, as this connection's other CHILD SAs use)" in ts.fix


# -- proposals: protocol, pair by pair, PFS and the option names -------------------

#: a rekey (CREATE_CHILD_SA) the gateway refused: the peer rekeys without
#: PFS, our esp_proposals require ECP_256 (from a crafted lab run)
PFS_REKEY = """\
Dec  3 16:42:34 02[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]
Dec  3 16:42:34 02[IKE] <1> 10.99.0.11 is initiating an IKE_SA
Dec  3 16:42:34 02[CFG] <1> selected proposal: IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256
Dec  3 16:42:34 02[ENC] <1> generating IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) CERTREQ N(FRAG_SUP) N(HASH_ALG) N(CHDLESS_SUP) N(MULT_AUTH) ]
Dec  3 16:42:34 13[ENC] <1> parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) CERTREQ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_6_ADDR) N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]
Dec  3 16:42:34 13[CFG] <site-hq|1> selected peer config 'site-hq'
Dec  3 16:42:34 13[IKE] <site-hq|1> IKE_SA site-hq[1] established between 10.99.0.1[hq.example.org]...10.99.0.11[branch1.example.org]
Dec  3 16:42:34 13[CFG] <site-hq|1> selected proposal: ESP:AES_GCM_16_128/NO_EXT_SEQ
Dec  3 16:42:34 13[IKE] <site-hq|1> CHILD_SA site-hq{1} established with SPIs 869489c6_i 16ac5f4b_o and TS 10.99.10.0/24 === 10.99.20.0/24
Dec  3 16:42:34 13[ENC] <site-hq|1> generating IKE_AUTH response 1 [ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_6_ADDR) ]
Dec  3 16:42:42 10[ENC] <site-hq|1> parsed CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ]
Dec  3 16:42:42 10[CFG] <site-hq|1> received proposals: ESP:AES_GCM_16_128/NO_EXT_SEQ
Dec  3 16:42:42 10[CFG] <site-hq|1> configured proposals: ESP:AES_GCM_16_128/ECP_256/NO_EXT_SEQ, ESP:AES_CBC_256/HMAC_SHA2_256_128/ECP_256/NO_EXT_SEQ
Dec  3 16:42:42 10[IKE] <site-hq|1> no acceptable proposal found
Dec  3 16:42:42 10[IKE] <site-hq|1> failed to establish CHILD_SA, keeping IKE_SA
Dec  3 16:42:42 10[ENC] <site-hq|1> generating CREATE_CHILD_SA response 2 [ N(NO_PROP) ]
"""  # noqa: E501

#: every transform type has a common algorithm somewhere, yet no received
#: proposal matches the configured one as a whole
CROSS = """\
Dec  3 16:43:25 15[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]
Dec  3 16:43:25 15[IKE] <1> 10.99.0.11 is initiating an IKE_SA
Dec  3 16:43:25 15[CFG] <1> received proposals: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256, IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048
Dec  3 16:43:25 15[CFG] <1> configured proposals: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_256/MODP_2048
Dec  3 16:43:25 15[IKE] <1> received proposals unacceptable
Dec  3 16:43:25 15[ENC] <1> generating IKE_SA_INIT response 0 [ N(NO_PROP) ]
"""  # noqa: E501


def _top(text: str) -> Finding:
    return ikelog.read_lines(text.splitlines()).findings()[0]


def test_pfs_mismatch_on_rekey_names_the_dh_group() -> None:
    top = _top(PFS_REKEY)
    assert top.kind is Kind.PROPOSAL_MISMATCH_CHILD
    assert "the peer proposes no DH group, i.e. no PFS; ours require ECP_256" in (
        top.summary
    )
    row = next(r for r in top.explanation.splitlines() if r.startswith("key exch"))
    assert row.split() == ["key", "exchange", "-", "ECP_256", "<-", "no", "match"]
    assert "peer #1 / configured #1: no common key exchange (none vs ECP_256)" in (
        top.explanation
    )
    assert "prf" not in top.fix
    assert "esp_proposals = aes128gcm16-ecp256; ipsec.conf: esp=aes128gcm16-ecp256" in (
        top.fix
    )
    assert "esp_proposals = aes128gcm16-ecp256, aes128gcm16" in top.fix
    assert "Adding a DH group to esp_proposals enables PFS" in top.fix


def test_esp_lists_without_ike_context_are_a_child_sa_mismatch() -> None:
    lines = PFS_REKEY.splitlines()[11:15]
    assert lines[0].endswith("received proposals: ESP:AES_GCM_16_128/NO_EXT_SEQ")
    top = ikelog.read_lines(lines).findings()[0]
    assert top.kind is Kind.PROPOSAL_MISMATCH_CHILD
    assert "no DH group, i.e. no PFS" in top.summary


def test_proposals_are_compared_pair_by_pair() -> None:
    top = _top(CROSS)
    assert top.kind is Kind.PROPOSAL_MISMATCH_IKE
    assert (
        "no proposal matches as a whole: peer #1 vs ours #1 lacks key exchange; "
        "peer #2 vs ours #1 lacks encryption and PRF" in top.summary
    )
    assert "peer #1 / configured #1: no common key exchange (ECP_256 vs MODP_2048)" in (
        top.explanation
    )
    assert "<- no match" not in top.explanation  # each type is common somewhere
    # the fix is a complete proposal the peer offers, with the option names
    assert "proposals = aes256gcm16-prfsha256-ecp256, default" in top.fix
    assert "ike=aes256gcm16-prfsha256-ecp256" in top.fix


def test_pair_gaps_follow_charons_selection() -> None:
    from ikelog.findings.proposals import keywords, lacking

    # the CHILD SA of IKE_AUTH negotiates no key exchange
    theirs, ours = (
        ["ESP:AES_GCM_16_128/NO_EXT_SEQ"],
        ["ESP:AES_GCM_16_128/ECP_256/NO_EXT_SEQ"],
    )
    assert compare(theirs, ours, skip_ke=True) == []
    assert lacking(theirs, ours) == ["key exchange"]
    assert compare(["IKE:A/B"], ["IKE:A/B"]) == []
    assert transform_type("KE1_ML_KEM_768") == "additional key exchange 1"
    assert keywords(
        "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"
    ) == ("aes256-sha256-modp2048")
    assert keywords("ESP:AES_GCM_16_256/ECP_384/NO_EXT_SEQ") == "aes256gcm16-ecp384"
    assert keywords("IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384/KE1_ML_KEM_768") == (
        "aes256gcm16-prfsha384-ecp384-ke1_mlkem768"
    )


def test_peer_refusal_names_the_options_and_valid_proposals() -> None:
    top = findings_of("public/01-no-proposal-android-client.log")[0]
    assert "swanctl.conf proposals" in top.fix and "ipsec.conf ike=" in top.fix
    assert "proposals = aes256gcm16-prfsha384-ecp384, aes256-sha256-modp2048" in (
        top.fix
    )
    child = findings_of("lab/k-xfrm-kernel-only/c1/charon.log")[0]
    assert child.kind is Kind.PROPOSAL_MISMATCH_CHILD
    assert "MODP_1024" not in child.fix and "newer clients" not in child.fix
    assert "The CHILD SA of IKE_AUTH negotiates no DH group" in child.fix
    assert "esp_proposals = aes256gcm16, aes256-sha256" in child.fix


def findings_of(rel: str) -> list[Finding]:
    return ikelog.load(corpus(*rel.split("/"))).findings()


# -- half-open SAs ('error 809') ----------------------------------------------------

#: a Windows client behind NAT whose IKE_AUTH never arrived (crafted)
HALF_OPEN = """\
Dec  3 16:23:27 09[NET] <1> received packet: from 198.51.100.166[500] to 10.0.0.1[500] (624 bytes)
Dec  3 16:23:27 09[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) V V V V ]
Dec  3 16:23:27 09[IKE] <1> received MS NT5 ISAKMPOAKLEY v9 vendor ID
Dec  3 16:23:27 09[IKE] <1> 198.51.100.166 is initiating an IKE_SA
Dec  3 16:23:27 09[CFG] <1> selected proposal: IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024
Dec  3 16:23:27 09[IKE] <1> remote host is behind NAT
Dec  3 16:23:27 09[ENC] <1> generating IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(CHDLESS_SUP) N(MULT_AUTH) ]
Dec  3 16:23:27 09[NET] <1> sending packet: from 10.0.0.1[500] to 198.51.100.166[500] (328 bytes)
Dec  3 16:23:57 11[JOB] <1> deleting half open IKE_SA with 198.51.100.166 after timeout
"""  # noqa: E501


def test_half_open_advice_is_about_the_clients_path() -> None:
    top = _top(HALF_OPEN)
    assert top.kind is Kind.HALF_OPEN_TIMEOUT
    assert "fragmentation on the server" not in top.fix
    assert "fragmentation = yes" not in top.fix  # the default; both announced it
    assert "UDP 4500 (NAT-T) from the client reaches the server" in top.fix
    assert "both sides announced IKE fragmentation (FRAG_SUP)" in top.explanation
    # only the client is behind NAT: the registry value is not the fix
    assert "AssumeUDPEncapsulationContextOnSendRule is not the fix here" in top.fix
    # the server behind NAT, the client without IKE fragmentation
    behind = HALF_OPEN.replace(
        "remote host is behind NAT", "local host is behind NAT"
    ).replace("N(NATD_D_IP) N(FRAG_SUP) V", "N(NATD_D_IP) V")
    top = _top(behind)
    assert "AssumeUDPEncapsulationContextOnSendRule = 2" in top.fix
    assert "PolicyAgent" in top.fix
    assert "the client did not announce IKE fragmentation" in top.explanation
    assert "fragmentation = yes is strongSwan's default already" in top.fix
