"""Which client a log shows (findings/platform.py), and evidence quoting."""

from __future__ import annotations

import ikelog
from ikelog.findings.model import Finding, Kind
from ikelog.grammar import parse_message


def _platforms(lines: list[str]) -> list[Finding]:
    trace = ikelog.read_lines(lines, year=2026)
    return [f for f in trace.findings() if f.kind is Kind.PLATFORM]


# -- 1. a selected 3DES proposal does not make a strongSwan peer Windows --------

#: A strongSwan site-to-site gateway's log whose selected proposal is the one
#: Windows proposes by default (the peer is charon: its IKE_SA_INIT order).
STRONGSWAN_3DES = [
    "Dec  3 16:42:34 00[DMN] Starting IKE charon daemon (strongSwan 5.9.8, "
    "Linux 6.18.44-fc-v1147, x86_64)",
    "Dec  3 16:42:34 01[CFG] added vici connection: site-hq",
    "Dec  3 16:42:34 02[NET] <1> received packet: from 10.99.0.11[500] to "
    "10.99.0.1[500] (308 bytes)",
    "Dec  3 16:42:34 02[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No "
    "N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
    "Dec  3 16:42:34 02[IKE] <1> 10.99.0.11 is initiating an IKE_SA",
    "Dec  3 16:42:34 02[CFG] <1> selected proposal: "
    "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
    "Dec  3 16:42:34 02[ENC] <1> generating IKE_SA_INIT response 0 [ SA KE No "
    "N(NATD_S_IP) N(NATD_D_IP) CERTREQ N(FRAG_SUP) N(HASH_ALG) N(CHDLESS_SUP) "
    "N(MULT_AUTH) ]",
    "Dec  3 16:42:34 13[ENC] <1> parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) "
    "CERTREQ IDr AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_6_ADDR) N(MULT_AUTH) "
    "N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]",
    "Dec  3 16:42:34 13[CFG] <site-hq|1> selected peer config 'site-hq'",
    "Dec  3 16:42:34 13[IKE] <site-hq|1> IKE_SA site-hq[1] established between "
    "10.99.0.1[hq.example.org]...10.99.0.11[branch1.example.org]",
    "Dec  3 16:42:34 13[ENC] <site-hq|1> generating IKE_AUTH response 1 [ IDr "
    "AUTH SA TSi TSr N(MOBIKE_SUP) N(ADD_6_ADDR) ]",
]


def test_selected_3des_proposal_of_a_strongswan_peer_is_not_windows() -> None:
    found = _platforms(STRONGSWAN_3DES)
    assert [f.summary for f in found] == [
        "the peer runs strongSwan (Linux, the Android app, NetworkManager, "
        "or a phone's built-in client based on it)"
    ]
    assert [x.line for x in found[0].evidence] == [4]
    assert "PowerShell" not in found[0].fix


def test_windows_offered_proposals_name_windows_but_selected_alone_not() -> None:
    offer = (
        "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, "
        "IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, "
        "IKE:3DES_CBC/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1024, "
        "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1024, "
        "IKE:3DES_CBC/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/MODP_1024, "
        "IKE:AES_CBC_256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/MODP_1024"
    )
    base = [
        "Nov 25 05:21:03 13[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No "
        "N(FRAG_SUP) N(NATD_S_IP) N(NATD_D_IP) ]",
        "Nov 25 05:21:03 13[IKE] <1> 198.51.100.7 is initiating an IKE_SA",
        "Nov 25 05:21:03 13[CFG] <1> selected proposal: "
        "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
    ]
    assert _platforms(base) == []  # a selected proposal alone is no sign
    with_offer = [*base[:2], f"Nov 25 05:21:03 13[CFG] <1> received proposals: {offer}"]
    found = _platforms([*with_offer, base[2]])
    assert [f.summary for f in found] == [
        "client looks like Windows' built-in IKEv2 client"
    ]
    assert [x.line for x in found[0].evidence] == [3]
    # strongSwan's own offer of the same first suite is not Windows'
    charon = "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, " + (
        "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256"
    )
    other = [*base[:2], f"Nov 25 05:21:03 13[CFG] <1> received proposals: {charon}"]
    assert _platforms(other) == []


def test_microsoft_vendor_id_still_names_windows() -> None:
    lines = [
        "Dec  3 16:23:27 09[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No "
        "N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) V V V V ]",
        "Dec  3 16:23:27 09[IKE] <1> received MS NT5 ISAKMPOAKLEY v9 vendor ID",
        "Dec  3 16:23:27 09[IKE] <1> 198.51.100.166 is initiating an IKE_SA",
        "Dec  3 16:23:27 09[CFG] <1> selected proposal: "
        "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
    ]
    found = _platforms(lines)
    assert [f.summary for f in found] == [
        "client looks like Windows' built-in IKEv2 client"
    ]
    assert [x.line for x in found[0].evidence] == [2]
    assert "weak 3DES_CBC" in found[0].explanation


# -- 2. charon-nm: its lines, names with spaces, and what it names SAs after ----

#: charon-nm's first lines for a connection called "Office VPN".
CHARON_NM = [
    "Dec  3 16:23:27 laptop charon-nm: 00[DMN] Starting charon NetworkManager "
    "backend (strongSwan 5.9.8)",
    "Dec  3 16:23:28 laptop charon-nm: 05[CFG] received initiate for "
    "NetworkManager connection Office VPN",
    "Dec  3 16:23:28 laptop charon-nm: 05[IKE] initiating IKE_SA Office VPN[1] "
    "to 203.0.113.5",
    "Dec  3 16:23:28 laptop charon-nm: 05[ENC] generating IKE_SA_INIT request 0 "
    "[ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
    "Dec  3 16:23:28 laptop charon-nm: 05[NET] sending packet: from "
    "192.168.1.2[500] to 203.0.113.5[500] (1116 bytes)",
]


def test_charon_nm_lines_are_understood_and_name_the_connection() -> None:
    trace = ikelog.read_lines(CHARON_NM, year=2026)
    assert trace.counts.unrecognized == 0
    assert [sa.label for sa in trace.ike_sas] == ["Office VPN[1]"]
    assert trace.ike_sas[0].role == "initiator"
    found = [f for f in trace.findings() if f.kind is Kind.PLATFORM]
    assert len(found) == 1
    nm = found[0]
    assert nm.summary == (
        "this log is from charon-nm, NetworkManager's strongSwan plugin 5.9.8"
    )
    assert "('Office VPN'), not its UUID" in nm.explanation
    assert [x.line for x in nm.evidence] == [1, 2]
    assert nm.evidence[1].text == CHARON_NM[1]


def test_sa_names_with_spaces_in_other_lines() -> None:
    body = parse_message("initiating IKE_SA Company IKEv2[2] to 68.0.0.1")
    assert (body.sa_name, body.sa_uid, body.host) == ("Company IKEv2", 2, "68.0.0.1")  # type: ignore[attr-defined]
    body = parse_message(
        "IKE_SA Office VPN[1] established between "
        "192.168.1.2[me]...203.0.113.5[C=CH, O=Example, CN=gw]"
    )
    assert (body.sa_name, body.sa_uid) == ("Office VPN", 1)  # type: ignore[attr-defined]
    body = parse_message(
        "CHILD_SA Office VPN{1} established with SPIs c1a2b3c4_i c5d6e7f8_o "
        "and TS 10.0.0.2/32 === 0.0.0.0/0"
    )
    assert (body.sa_name, body.sa_uid) == ("Office VPN", 1)  # type: ignore[attr-defined]
    # words with commas are no name: these stay what they were
    body = parse_message(
        "IKE_SA rekey collision won, waiting for delete for redundant IKE_SA home[2]"
    )
    assert body.kind != "unrecognized"
    assert getattr(body, "sa_name", None) != "rekey collision won"
    body = parse_message("deleting half open IKE_SA with 10.0.0.1 after timeout")
    assert body.host == "10.0.0.1"  # type: ignore[attr-defined]


def test_uuid_named_connection_is_the_l2tp_plugin_not_charon_nm() -> None:
    uuid = "b5569b9d-e133-41c0-892b-720dec9706b6"
    lines = [
        f"Jun 14 15:58:15 host1 charon[525]: 14[IKE] IKE_SA {uuid}[1] established "
        "between 10.100.102.8[10.100.102.8]...203.0.113.60[203.0.113.60]",
    ]
    found = _platforms(lines)
    assert [f.summary for f in found] == [
        "connection started by NetworkManager's L2TP plugin (connection named by UUID)"
    ]
    assert "strongSwan and L2TP plugins name" not in found[0].explanation
    assert "charon-nm) would use the profile's name" in found[0].explanation


# -- 3. the strongSwan Android app, known by its plugins -------------------------


def test_android_app_known_by_its_plugins() -> None:
    lines = [
        "Jan  6 07:26:54 00[DMN] Starting IKE charon daemon (strongSwan 5.5.1rc1, "
        "Linux 3.10.73-g4cd47b6, aarch64)",
        "Jan  6 07:26:54 00[LIB] loaded plugins: androidbridge charon android-log "
        "openssl fips-prf random nonce pubkey chapoly curve25519 pkcs1 pkcs8 pem "
        "xcbc hmac socket-default eap-identity eap-mschapv2 eap-md5 eap-gtc eap-tls",
        "Jan  6 07:26:54 00[JOB] spawning 16 worker threads",
        "Jan  6 07:26:54 04[IKE] initiating IKE_SA android[13] to 192.168.1.21",
    ]
    found = _platforms(lines)
    assert [f.summary for f in found] == [
        "this log is from the strongSwan Android app 5.5.1rc1"
    ]
    assert [x.line for x in found[0].evidence] == [1, 2]
    # a Linux charon with the usual plugins is not the app
    linux = [lines[0], lines[1].replace("androidbridge charon android-log", "charon")]
    assert _platforms(linux) == []


# -- 4. evidence of multi-line journal entries quotes their MESSAGE line --------

_MESSAGES = [
    "parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) "
    "N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
    "10.99.0.11 is initiating an IKE_SA",
    "received proposals: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
    "configured proposals: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384",
    "received proposals unacceptable",
]


def _fields(i: int, message: str) -> list[tuple[str, str]]:
    return [
        ("__CURSOR", f"s=86a5d220b94d47609ce18ee8e9ce84c1;i={i}"),
        ("__REALTIME_TIMESTAMP", str(1796317517558051 + i)),
        ("PRIORITY", "6"),
        ("SYSLOG_IDENTIFIER", "charon-systemd"),
        ("_PID", "4799"),
        ("MESSAGE", message),
        ("GROUP", "CFG"),
        ("THREAD", "9"),
        ("_HOSTNAME", "vm"),
    ]


def _pretty() -> list[str]:
    out = []
    for i, m in enumerate(_MESSAGES):
        out += ["{", *(f'\t"{k}" : "{v}",' for k, v in _fields(i, m)), "}"]
        out[-2] = out[-2].rstrip(",")
    return out


def _export() -> list[str]:
    out = []
    for i, m in enumerate(_MESSAGES):
        out += [*(f"{k}={v}" for k, v in _fields(i, m)), ""]
    return out


def _verbose() -> list[str]:
    out = []
    for i, m in enumerate(_MESSAGES):
        out.append(f"Thu 2026-12-03 17:05:17.55{i} UTC [s=86a5d220b94d4760;i={i}]")
        out += [f"    {k}={v}" for k, v in _fields(i, m)[1:]]
    return out


def test_journal_entry_evidence_quotes_the_message_line() -> None:
    for make, layout in (
        (_pretty, "journal-json-pretty"),
        (_export, "journal-export"),
        (_verbose, "journal-verbose"),
    ):
        lines = make()
        trace = ikelog.read_lines(lines, year=2026)
        assert trace.layout == layout
        mismatch = next(
            f for f in trace.findings() if f.kind.value.startswith("proposal-mismatch")
        )
        quoted = [(x.line, x.text) for x in mismatch.evidence]
        assert quoted, layout
        for n, text in quoted:
            assert text == lines[n - 1], layout  # the line as written
            assert "MESSAGE" in text and "proposals" in text, layout
        assert quoted[0][1].endswith(
            "received proposals: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"
            + ('",' if layout == "journal-json-pretty" else "")
        )


def test_one_line_formats_keep_their_evidence_line() -> None:
    lines = [f"Dec  3 16:43:25 15[CFG] <1> {m}" for m in _MESSAGES]
    trace = ikelog.read_lines(lines, year=2026)
    mismatch = next(
        f for f in trace.findings() if f.kind.value.startswith("proposal-mismatch")
    )
    assert [(x.line, x.text) for x in mismatch.evidence] == [
        (3, lines[2]),
        (4, lines[3]),
        (5, lines[4]),
    ]


def _platform_of(path: str) -> Finding:
    from .conftest import corpus

    found = ikelog.load(corpus(path)).findings()
    return next(f for f in found if f.kind is Kind.PLATFORM)


def test_windows_note_counts_the_pairs_of_this_login() -> None:
    # the seed: 6 pairs for EAP-MSCHAPv2, one more because Windows refused
    # the EAP-TLS the server offered first
    f = _platform_of("seed/windows-eap-mschapv2.log")
    assert "An EAP-MSCHAPv2 login takes 6 request/response pairs" in f.explanation
    assert "This login took 7 (Windows refused EAP_TLS first)." in f.explanation


def test_a_fragmented_request_that_arrived_gets_no_network_fix() -> None:
    # public/13 is the server's log: both fragments arrived and were
    # reassembled, the excerpt ends before the answer
    f = _platform_of("public/13-filelog-loglevel-suffix-windows-eap-fragments.log")
    assert "arrived and was reassembled" in f.explanation
    assert "UDP 4500" not in f.fix


def test_android_note_gives_a_whole_proposal_and_its_option() -> None:
    f = _platform_of("public/04-invalid-ke-retry-android-app.log")
    assert "proposals = aes256-sha256-modp2048,aes256gcm16-prfsha256-ecp256" in f.fix
    assert "ike= in ipsec.conf" in f.fix
