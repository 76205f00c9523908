# ruff: noqa: E501 - listings keep their real column layout
"""Reading swanctl listings: the seed page's status output and lab snapshots."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from ikelog.transcripts import read_transcript, transcript_kind

from .conftest import SAMPLES, corpus

#: The seed page's ``swanctl --list-sas``, reflowed to swanctl's layout (the
#: page prints it on one line; see test_reflowed_text_is_the_seed_page's).
SEED_LIST_SAS = """\
eap: #3, ESTABLISHED, IKEv2, fdf1be328afa3c75_i 465f125679bdfd7e_r*
  local  'vpn.strongswan.org' @ 10.10.0.150[4500]
  remote '10.10.1.52' @ 212.51.148.80[63771] EAP: 'andi' [10.10.1.67 2a02:168:4407:1::3]
  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
  established 25s ago, reauth in 9784s
  eap: #3, reqid 2, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA1_96
    installed 25s ago, rekeying in 3306s, expires in 3935s
    in  c2713224,  25075 bytes,   167 packets,     1s ago
    out 36ce686c,  44193 bytes,   105 packets,     1s ago
    local  0.0.0.0/0 ::/0
    remote 10.10.1.67/32 2a02:168:4407:1::3/128
"""

SEED_LIST_CERTS = """\
List of X.509 End Entity Certificates

  subject:  "C=CH, O=strongSec GmbH, CN=vpn.strongswan.org"
  issuer:   "C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA"
  validity:  not before Jul 12 13:01:02 2021, ok
             not after  Jul 12 13:01:02 2026, ok (expires in 1585 days)
  serial:    32:b3:25:3c:b4:f4:78:be
  altNames:  vpn.strongswan.org
  flags:     serverAuth
  CRL URIs:  http://www.strongsec.com/ca/strongsec.crl
  pubkey:    ECDSA 256 bits, has private key

List of X.509 CA Certificates

  subject:  "C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA"
  issuer:   "C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA"
  validity:  not before Sep 02 10:25:01 2016, ok
             not after  Sep 02 10:25:01 2026, ok (expires in 1637 days)
  serial:    7c:24:43:4b:b7:dc:ef:7e
  flags:     CA CRLSign self-signed
  pathlen:   1
  pubkey:    RSA 4096 bits
"""

SEED_LIST_POOLS = """\
ipv4                 10.10.1.64                                1 / 1 / 62
  10.10.1.65                     offline  'C=CH, O=strongSec GmbH, CN=mijas.strongsec.com'
  10.10.1.66                     online   'Andreas Steffen'
  10.10.1.67                     online   'andi'
ipv6                 2a02:168:4407:1::                         1 / 1 / 62
  2a02:168:4407:1::1             offline  'C=CH, O=strongSec GmbH, CN=mijas.strongsec.com'
  2a02:168:4407:1::2             online   'Andreas Steffen'
  2a02:168:4407:1::3             online   'andi'
"""

SEED_PAGE = SAMPLES.parent.parent / "shared" / "seed"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_reflowed_text_is_the_seed_pages() -> None:
    page = SEED_PAGE / "strongswan-eap-connection-status.txt"
    if not page.exists():
        pytest.skip(f"seed page not available: {page}")
    flat = _flat(page.read_text("utf-8"))
    assert _flat(SEED_LIST_SAS) in flat
    assert _flat(SEED_LIST_POOLS) in flat


def test_seed_list_sas() -> None:
    t = read_transcript(SEED_LIST_SAS.splitlines())
    assert t.kinds == ("list-sas",) and t.unknown == ()
    (sa,) = t.ike_sas
    assert (sa.name, sa.unique_id, sa.state, sa.version) == ("eap", 3, "ESTABLISHED", 2)
    assert (sa.spi_i, sa.spi_r, sa.local_initiator) == (
        "fdf1be328afa3c75",
        "465f125679bdfd7e",
        False,
    )
    assert sa.remote_host == "212.51.148.80[63771]"
    assert sa.eap_id == "andi"
    assert sa.remote_vips == ("10.10.1.67", "2a02:168:4407:1::3")
    assert (sa.established, sa.reauth_in, sa.rekey_in) == (25, 9784, None)
    (child,) = sa.children
    assert (child.reqid, child.mode, child.encap) == (2, "TUNNEL", True)
    assert (child.spi_in, child.spi_out) == ("c2713224", "36ce686c")
    assert (child.bytes_in, child.packets_in) == (25075, 167)
    assert (child.bytes_out, child.packets_out) == (44193, 105)
    assert child.ts_remote == ("10.10.1.67/32", "2a02:168:4407:1::3/128")
    assert child.proposal == "AES_CBC-256/HMAC_SHA1_96"


def test_seed_list_certs() -> None:
    t = read_transcript(SEED_LIST_CERTS.splitlines())
    ee, ca = t.certificates
    assert ee.subject == "C=CH, O=strongSec GmbH, CN=vpn.strongswan.org"
    assert ee.not_after == datetime(2026, 7, 12, 13, 1, 2)
    assert ee.caption == "List of X.509 End Entity Certificates"
    assert (ee.pubkey, ee.key_bits, ee.has_private_key) == ("ECDSA", 256, True)
    assert ("CRL URIs", "http://www.strongsec.com/ca/strongsec.crl") in ee.fields
    assert ca.flags == ("CA", "CRLSign", "self-signed")
    assert ca.not_before == datetime(2016, 9, 2, 10, 25, 1)
    assert ca.serial == "7c:24:43:4b:b7:dc:ef:7e"


def test_seed_list_pools() -> None:
    t = read_transcript(SEED_LIST_POOLS.splitlines())
    v4, v6 = t.pools
    assert (v4.name, v4.base, v4.online, v4.offline, v4.size) == (
        "ipv4",
        "10.10.1.64",
        1,
        1,
        62,
    )
    assert [(x.address, x.online) for x in v6.leases][-1] == (
        "2a02:168:4407:1::3",
        True,
    )
    assert v4.leases[0].identity == "C=CH, O=strongSec GmbH, CN=mijas.strongsec.com"


def test_several_listings_in_one_paste() -> None:
    text = "# swanctl --list-sas\n" + SEED_LIST_SAS + SEED_LIST_POOLS
    t = read_transcript(text.splitlines())
    assert t.kinds == ("list-sas", "list-pools")
    assert len(t.ike_sas) == 1 and len(t.pools) == 2
    assert t.unknown == ()


def test_old_spi_form() -> None:
    path = corpus("public", "19-swanctl-list-sas-duplicate-ike-sas.log")
    lines = path.read_text("utf-8").splitlines()
    assert transcript_kind(lines) == "list-sas"
    t = read_transcript(lines)
    assert [sa.unique_id for sa in t.ike_sas] == [2732, 2731, 2730]
    first = t.ike_sas[0]
    assert (first.spi_i, first.spi_r) == ("adbf8bd39b23fd5b", "cf503a5ea2e22817")
    assert first.local_initiator is None
    assert first.local_host == "172.17.0.2"
    assert first.children[0].reqid == 1234
    assert first.children[0].installed == 2214320


def _lab(*parts: str) -> list[str]:
    return Path(corpus("lab", *parts)).read_text("utf-8").splitlines()


def test_lab_list_sas_rekeys() -> None:
    t = read_transcript(
        _lab("b-psk-site-rekey", "gw", "snapshots", "list-sas.after-rekeys.txt")
    )
    (sa,) = t.ike_sas
    assert (sa.label, sa.local_initiator, sa.rekey_in) == ("site-hq[2]", True, 2)
    assert [(c.unique_id, c.state) for c in sa.children] == [
        (5, "DELETED"),
        (6, "INSTALLED"),
    ]
    assert sa.children[1].spi_in == "0ae3c8f9"


def test_lab_list_sas_connecting_with_tasks() -> None:
    t = read_transcript(
        _lab("d-eap-wrong-password", "gw", "snapshots", "list-sas.end.txt")
    )
    (sa,) = t.ike_sas
    assert sa.state == "CONNECTING" and sa.established is None
    assert sa.tasks[0][0] == "passive"
    assert "IKE_AUTH" in sa.tasks[0][1]


def test_lab_list_conns() -> None:
    t = read_transcript(
        _lab("a-seed-like", "gw", "snapshots", "list-conns.established.txt")
    )
    win, eap = t.connections
    assert (eap.name, eap.reauth_time, eap.rekey_time, eap.dpd_delay) == (
        "eap",
        10800,
        None,
        300,
    )
    assert [(a.local, a.auth_class) for a in eap.auth] == [
        (True, "public key"),
        (False, "EAP_MSCHAPV2"),
    ]
    (child,) = eap.children
    assert (child.mode, child.rekey_time, child.dpd_action) == ("TUNNEL", 3600, "none")
    assert child.ts_local == ("0.0.0.0/0", "::/0") and child.ts_remote == ("dynamic",)
    assert win.local_addrs == ("%any",)


def test_lab_list_certs_and_pools() -> None:
    certs = read_transcript(
        _lab("a-seed-like", "gw", "snapshots", "list-certs.established.txt")
    )
    assert [c.subject for c in certs.certificates] == [
        "C=CH, O=Example Lab, CN=vpn.example.org",
        "C=CH, O=Example Lab, CN=Example Lab Root CA",
    ]
    assert certs.certificates[0].not_after == datetime(2028, 12, 2, 16, 18, 1)
    pools = read_transcript(
        _lab("j-many-clients", "gw", "snapshots", "list-pools.established.txt")
    )
    assert [p.name for p in pools.pools][:1] == ["pool4"] or pools.pools
    assert sum(len(p.leases) for p in pools.pools) > 300


def test_every_lab_snapshot_reads_completely() -> None:
    root = corpus("lab")
    files = sorted(root.glob("*/*/snapshots/list-*.txt"))
    assert files
    for path in files:
        lines = path.read_text("utf-8").splitlines()
        kind = transcript_kind(lines)
        if "list-sas-raw" in path.name:
            assert kind in ("vici-raw", None)
            continue
        t = read_transcript(lines)
        assert t.unknown == (), path


def test_logs_are_not_transcripts() -> None:
    lines = (SAMPLES / "windows-eap-mschapv2.log").read_text("utf-8").splitlines()
    assert transcript_kind(lines) is None


STATUSALL = """\
Status of IKE charon daemon (strongSwan 5.6.2, Linux 4.15.0, x86_64):
  uptime: 2 minutes, since Jan 01 10:00:00 2020
Virtual IP pools (size/online/offline):
  10.10.1.0/24: 254/1/0
Security Associations (1 up, 0 connecting):
          rw[1]: ESTABLISHED 2 minutes ago, 192.168.0.1[moon]...192.168.0.100[carol]
          rw[1]: IKEv2 SPIs: 6a2a1d4c2ba0c7e7_i 8e5a9a3d0d8f9b0c_r*, rekeying in 2 hours
          rw[1]: IKE proposal: AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
          rw{1}:  INSTALLED, TUNNEL, reqid 1, ESP in UDP SPIs: c1d2e3f4_i c5d6e7f8_o
          rw{1}:  AES_CBC_128/HMAC_SHA2_256_128, 84 bytes_i (1 pkt, 2s ago), 0 bytes_o, rekeying in 48 minutes
          rw{1}:   10.1.0.0/16 === 10.3.0.1/32
"""


def test_statusall() -> None:
    # FIXME: no `ipsec statusall` output in the corpus; this one is written
    # from stroke_list.c's formats, not captured from a daemon.
    lines = STATUSALL.splitlines()
    assert transcript_kind(lines) == "statusall"
    t = read_transcript(lines)
    (sa,) = t.ike_sas
    assert (sa.label, sa.state, sa.established) == ("rw[1]", "ESTABLISHED", 120)
    assert (sa.remote_host, sa.remote_id, sa.local_initiator) == (
        "192.168.0.100",
        "carol",
        False,
    )
    (child,) = sa.children
    assert (child.spi_in, child.spi_out, child.encap) == ("c1d2e3f4", "c5d6e7f8", True)
    assert (child.bytes_in, child.bytes_out) == (84, 0)
    assert (child.ts_local, child.ts_remote) == (("10.1.0.0/16",), ("10.3.0.1/32",))
    assert [(p.name, p.size, p.online) for p in t.pools] == [("10.10.1.0/24", 254, 1)]


def test_listing_tables_keep_values_whole_at_80_columns() -> None:
    # public/19 through a pipe: names, states, SPIs and ends are printed
    # whole (wrapped where long, never cut with an ellipsis)
    from rich.console import Console

    from ikelog.render.transcripts import transcript

    path = corpus("public/19-swanctl-list-sas-duplicate-ike-sas.log")
    t = read_transcript(path.read_text().splitlines(keepends=True))
    with open(os.devnull, "w") as sink:
        console = Console(width=80, record=True, file=sink)
        for part in transcript(t):
            console.print(part)
    text = console.export_text()
    assert "…" not in text
    for value in ("conn-198.51.100.14[2732]", "ESTABLISHED", "adbf8bd39b23fd5b"):
        assert value in text
    assert "remote 172.17.0.3 @" in text
