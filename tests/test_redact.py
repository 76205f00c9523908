"""ikelog.redact: nothing identifying survives, and analysis does not change."""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import ikelog
from ikelog import events as ev
from ikelog.redact import Redactor, redact_files
from ikelog.sources import EventReader, open_text

from .conftest import CORPUS, corpus

_ADDR = re.compile(r"[0-9A-Fa-f.:]{7,}")
_SYSLOG_HOST = re.compile(
    r"^\w{3} [ \d]\d \d\d:\d\d:\d\d ([A-Za-z][\w.-]*) "
    r"(?:\w+\.\w+ )?[\w./-]+(?:\[\d+\])?: "
)


def corpus_logs() -> list[str]:
    """Every public log, and every lab log in the charon and syslog layouts."""
    if not CORPUS.exists():
        return ["public/01-no-proposal-android-client.log"]
    out = [f"public/{p.name}" for p in sorted((CORPUS / "public").glob("*.log"))]
    for p in sorted((CORPUS / "lab").glob("*/*/*.log")):
        if p.parts[-3] != "j-many-clients" or p.parent.name != "gw":
            out.append(str(p.relative_to(CORPUS)))
    return out


def _private(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    nets = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]
    if ip.version == 6:
        nets = ["fc00::/7"]
    if ip.is_unspecified or ip.is_multicast:
        return True
    return ip.is_loopback or any(ip in ipaddress.ip_network(n) for n in nets)


def identifiers(lines: list[str]) -> set[str]:
    """What must not survive: public addresses, identities, subjects, EAP
    names, lease owners, syslog host names (found independently of the
    redactor's own patterns)."""
    found: set[str] = set()
    for line in lines:
        for token in _ADDR.findall(line):
            token = token.strip(".:")
            try:
                ip = ipaddress.ip_address(token)
            except ValueError:
                continue
            if not _private(ip):
                found.add(token)
        if m := _SYSLOG_HOST.match(line):
            found.add(m[1])
    for e in EventReader(lines):
        b = e.body
        values: list[str | None] = []
        if isinstance(b, ev.AuthResult | ev.EapStep | ev.Lease | ev.VirtualIp):
            values.append(b.identity)
        elif isinstance(b, ev.IkeSaLine):
            values += [b.local.identity, b.remote.identity]
        elif isinstance(b, ev.CertLoaded | ev.CertExchanged):
            values.append(b.subject)
        elif isinstance(b, ev.PeerCfgLookup):
            values += re.findall(r"\[([^\]]+)\]", b.spec)
        for v in values:
            if not v or v.startswith("%any"):
                continue
            try:
                if _private(ipaddress.ip_address(v)):
                    continue
            except ValueError:
                pass
            found.add(v)
    return found


@cache
def redacted(rel: str) -> tuple[list[str], list[str]]:
    original = list(open_text(corpus(*rel.split("/"))))
    r = Redactor()
    r.learn(original)
    return original, list(r.redact(original))


def every_corpus_file() -> list[str]:
    """Every text file of the corpus: logs, journal exports, listings."""
    if not CORPUS.exists():
        return ["public/01-no-proposal-android-client.log"]
    skip = {".pcap", ".pem", ".json", ".conf"}
    return [
        str(p.relative_to(CORPUS))
        for p in sorted(CORPUS.rglob("*"))
        if p.is_file() and p.suffix not in skip and p.name != "README.md"
    ]


@pytest.mark.parametrize("rel", every_corpus_file())
def test_no_identifier_survives(rel: str) -> None:
    original, copy = redacted(rel)
    text = "\n".join(copy)
    survivors = [
        v
        for v in identifiers(original)
        if re.search(r"(?<![\w.-])" + re.escape(v) + r"(?![\w-])", text)
    ]
    assert survivors == []


def summary(trace: ikelog.Trace) -> dict[str, Any]:
    d = trace.to_dict()
    return {
        "lines": d["lines"],
        "layout": d["layout"],
        "outcomes": d["outcomes"],
        "sas": [
            (
                sa["unique_id"],
                sa["role"],
                sa["state"],
                sa["pairs_total"],
                [
                    (x["type"], x["message_id"], x["initiator"], x["retransmits"])
                    for x in sa["exchanges"]
                ],
                [(r["method"], r["result"]) for r in sa["eap"]],
                len(sa["child_sas"]),
            )
            for sa in d["ike_sas"]
        ],
        "findings": [(f.kind, f.severity, f.lines) for f in trace.findings()],
    }


@pytest.mark.parametrize("rel", corpus_logs())
def test_redacted_copy_analyzes_the_same(rel: str) -> None:
    original, copy = redacted(rel)
    before = ikelog.read_lines(original, year=2024)
    after = ikelog.read_lines(copy, year=2024)
    assert summary(after) == summary(before)


def test_same_value_same_pseudonym_across_files(tmp_path: Path) -> None:
    a = tmp_path / "a.log"
    b = tmp_path / "b.log"
    a.write_text(
        "Jan  1 00:00:01 09[IKE] <x|1> 203.0.113.5 is initiating an IKE_SA\n"
        "Jan  1 00:00:02 09[IKE] <x|1> received EAP identity 'alice@corp.example'\n"
    )
    b.write_text(
        "Jan  1 00:00:03 04[IKE] <y|2> initiating IKE_SA y[2] to 203.0.113.5\n"
        "Jan  1 00:00:04 04[CFG] <y|2> looking for peer configs matching "
        "192.168.1.2[alice@corp.example]...2001:db8::7[gw.corp.example]\n"
    )
    written = redact_files([str(a), str(b)], str(tmp_path / "out"))
    ta, tb = (p.read_text() for p in written)
    for secret in (
        "203.0.113.5",
        "alice@corp.example",
        "gw.corp.example",
        "2001:db8::7",
    ):
        assert secret not in ta + tb
    pseudo = re.search(r"(\S+) is initiating", ta)
    assert pseudo is not None and f"to {pseudo[1]}" in tb
    email = re.search(r"identity '([^']+)'", ta)
    assert email is not None and f"[{email[1]}]" in tb and "@" in email[1]
    # private stays, families stay
    assert "192.168.1.2[" in tb
    six = re.search(r"\.\.\.(\S+)\[", tb)
    assert six is not None and ipaddress.ip_address(six[1]).version == 6


def test_hex_dumps_and_key_ids_are_masked() -> None:
    r = Redactor()
    lines = [
        "Jan  1 00:00:01 09[CFG]   remote id match: 0 (ID_KEY_ID: 75:73:65:72:31)\n",
        "Jan  1 00:00:01 09[ENC]    0: 4B 45 59 4D 41 54 45 52 49 41 4C 21\n",
    ]
    out = list(r.redact(r.learn(lines)))
    assert "75:73:65:72:31" not in out[0]
    assert re.search(r"ID_KEY_ID: [0-9a-f:]{14}\)", out[0])
    assert "4B 45 59" not in out[1] and "XX XX XX" in out[1]


_DOC_NETS = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15")
]


def test_public_addresses_become_documentation_addresses() -> None:
    r = Redactor()
    lines = [
        "Jan  1 00:00:01 09[IKE] <x|1> 8.8.8.8 is initiating an IKE_SA\n",
        "Jan  1 00:00:02 09[IKE] <x|1> 192.0.2.1 is initiating an IKE_SA\n",
        "Jan  1 00:00:03 09[IKE] <x|1> 198.51.100.7 is initiating an IKE_SA\n",
        "Jan  1 00:00:04 09[IKE] <x|1> 2a00:1450::1 is initiating an IKE_SA\n",
        "Jan  1 00:00:05 09[IKE] <x|1> 2001:db8:ffff::1 is initiating an IKE_SA\n",
    ]
    out = list(r.redact(r.learn(lines)))
    got = [line.split("> ")[1].split(" ")[0] for line in out]
    # the first free documentation address: 192.0.2.1 is in the input
    assert got[:3] == ["192.0.2.2", "192.0.2.3", "192.0.2.4"]
    assert got[3:] == ["2001:db8:ffff::2", "2001:db8:ffff::3"]
    assert len(set(got)) == 5


def test_ipv4_pseudonyms_go_on_into_198_18() -> None:
    r = Redactor()
    lines = [
        f"Jan  1 00:00:01 09[IKE] <x|1> 8.8.{n // 250}.{n % 250 + 1} is x\n"
        for n in range(800)
    ]
    out = list(r.redact(r.learn(lines)))
    got = [ipaddress.ip_address(line.split("> ")[1].split(" ")[0]) for line in out]
    assert len(set(got)) == 800
    assert all(any(ip in net for net in _DOC_NETS) for ip in got)
    assert str(got[0]) == "192.0.2.1" and str(got[254]) == "198.51.100.1"
    assert str(got[762]) == "198.18.0.1" and str(got[799]) == "198.18.0.38"


def test_connection_names_with_addresses_get_neutral_names() -> None:
    _original, copy = redacted("public/19-swanctl-list-sas-duplicate-ike-sas.log")
    assert copy[1].startswith("conn-addr1: #2732, ESTABLISHED")
    assert any(x.strip().startswith("child-addr1: #11,") for x in copy)
    assert "remote '172.17.0.3' @ 192.0.2.1" in copy[3]
    assert not any(re.search(r"(conn|child)-\d", x) for x in copy)


def test_every_public_pseudonym_is_a_documentation_address() -> None:
    for rel in (
        "public/19-swanctl-list-sas-duplicate-ike-sas.log",
        "public/01-no-proposal-android-client.log",
    ):
        original, copy = redacted(rel)
        before = {t for x in original for t in re.findall(r"\d+\.\d+\.\d+\.\d+", x)}
        for line in copy:
            for token in re.findall(r"(?<![\d.])\d+\.\d+\.\d+\.\d+(?![\d.])", line):
                ip = ipaddress.ip_address(token)
                if not _private(ip) and not ip.is_link_local:
                    assert any(ip in n for n in _DOC_NETS), (rel, token)
                    assert token not in before or token == "0.0.0.0"


JOURNAL = "lab/a3-seed-like-journal/gw/journal-json.txt"


def test_journal_machine_fields_are_pseudonymised_units_are_kept() -> None:
    _original, copy = redacted(JOURNAL)
    assert '"_SYSTEMD_UNIT":"strongswan.service"' in copy[0]
    assert '"_SYSTEMD_SLICE":"system.slice"' in copy[0]
    assert '"_SYSTEMD_CGROUP":"/system.slice/strongswan.service"' in copy[0]
    text = "\n".join(copy)
    for secret in (
        "5a1ab6e7c0de4f00a1b2c3d4e5f60718",
        "128e4e74eddc4af29e16692532cdd39a",
        '"_HOSTNAME":"vm"',
    ):
        assert secret not in text
    machine = {m for x in copy for m in re.findall(r'"_MACHINE_ID":"([^"]*)"', x)}
    boot = {m for x in copy for m in re.findall(r'"_BOOT_ID":"([^"]*)"', x)}
    host = {m for x in copy for m in re.findall(r'"_HOSTNAME":"([^"]*)"', x)}
    assert len(machine) == len(boot) == len(host) == 1
    assert machine != boot
    for value in machine | boot:
        assert re.fullmatch(r"[0-9a-f]{32}", value)
    assert host == {"rdct-host1"}
    # the boot id in the cursor is the same pseudonym as the field
    assert f"b={boot.pop()};" in copy[0]


def test_journal_export_and_verbose_fields() -> None:
    for name in (
        "journal-export.txt",
        "journal-verbose.txt",
        "journal-json-pretty.txt",
    ):
        _original, copy = redacted(f"lab/q-ss6-proposal-mismatch/gw/{name}")
        text = "\n".join(copy)
        assert "5a1ab6e7c0de4f00a1b2c3d4e5f60718" not in text
        assert re.search(r'_MACHINE_ID"?\s*[=:]\s*"?[0-9a-f]{32}\b', text)
        assert "strongswan.service" in text


def test_inputs_of_one_name_get_copies_of_their_own(tmp_path: Path) -> None:
    # both ends of a lab run are each "charon.log": redacted into one folder,
    # neither copy overwrites the other
    gw = corpus("lab/a-seed-like/gw/charon.log")
    c1 = corpus("lab/a-seed-like/c1/charon.log")
    written = redact_files([str(gw), str(c1)], str(tmp_path / "out"))
    assert [p.name for p in written] == ["charon.log.redacted", "charon.log.2.redacted"]
    lines = [p.read_text().count("\n") for p in written]
    assert lines == [len(gw.read_text().splitlines()), len(c1.read_text().splitlines())]
