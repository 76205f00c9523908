"""The seed page's session: a Windows client's EAP-MSCHAPv2 login."""

from __future__ import annotations

import pytest

import ikelog
from ikelog.trace import Trace

from .conftest import SAMPLES


@pytest.fixture(scope="module")
def trace() -> Trace:
    return ikelog.load(SAMPLES / "windows-eap-mschapv2.log")


@pytest.fixture(scope="module")
def doc(trace: Trace) -> dict:
    return trace.to_dict()


def test_every_line_is_accounted_for(doc: dict) -> None:
    lines = doc["lines"]
    assert lines["total"] == 116
    assert lines["understood"] + lines["unrecognized"] == 116
    assert lines["unrecognized"] == 0
    assert lines["foreign"] == 1  # the elided "..." line
    assert doc["layout"] == "bare"


def test_one_ike_sa_responder(doc: dict) -> None:
    (sa,) = doc["ike_sas"]
    assert (sa["name"], sa["unique_id"], sa["version"]) == ("eap", 3, 2)
    assert sa["role"] == "responder"
    assert sa["eap_identity"] == "andi"
    assert sa["remote_id"] == "10.10.1.52"
    assert sa["local_id"] == "vpn.strongswan.org"
    assert sa["proposal"] == (
        "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"
    )
    assert sa["established"] is True
    assert sa["failure"] is None
    assert sa["state"] == "deleted"


def test_endpoints_float_to_nat_t(doc: dict) -> None:
    sa = doc["ike_sas"][0]
    assert sa["local"] == "10.10.0.150[4500]"
    assert sa["remote"] == "212.51.148.80[63771]"
    assert sa["endpoint_changes"][0]["old"] == "212.51.148.80[63770]"
    assert sa["nat"] == {"local": True, "remote": True}


def test_peer_config_switch(doc: dict) -> None:
    sa = doc["ike_sas"][0]
    assert sa["names"] == ["win", "eap"]
    assert sa["peer_configs"] == ["win", "eap"]


def test_eap_tls_refused_then_mschapv2(doc: dict) -> None:
    rounds = [(r["method"], r["result"]) for r in doc["ike_sas"][0]["eap"]]
    assert rounds == [
        ("EAP_IDENTITY", "success"),
        ("EAP_TLS", "nak"),
        ("EAP_MSCHAPV2", "success"),
    ]


def test_fragmented_first_ike_auth(doc: dict) -> None:
    auth1 = doc["ike_sas"][0]["exchanges"][1]
    assert (auth1["type"], auth1["message_id"]) == ("IKE_AUTH", 1)
    assert auth1["initiator"] == "remote"
    assert auth1["request_fragments"] == 3
    assert auth1["request_size"] == 1536
    assert auth1["request"][:3] == ["IDi", "CERTREQ", "N(MOBIKE_SUP)"]
    assert auth1["response"] == ["IDr", "CERT", "AUTH", "EAP/REQ/ID"]


def test_seven_pairs_to_establish(doc: dict) -> None:
    sa = doc["ike_sas"][0]
    assert sa["pairs_to_establish"] == 7
    assert sa["pairs_total"] == 12
    kinds = [(x["type"], x["message_id"]) for x in sa["exchanges"]]
    assert kinds[:7] == [("IKE_SA_INIT", 0)] + [("IKE_AUTH", i) for i in range(1, 7)]


def test_informational_dpd_and_deletes(doc: dict) -> None:
    infos = [x for x in doc["ike_sas"][0]["exchanges"] if x["type"] == "INFORMATIONAL"]
    assert [x["message_id"] for x in infos] == [7, 8, 10, 11, 12]
    assert [x["request"] for x in infos] == [[], [], [], ["D"], ["D"]]
    assert all(x["response"] is not None for x in infos)


def test_virtual_ips(doc: dict) -> None:
    assert doc["ike_sas"][0]["virtual_ips"] == ["10.10.1.67", "2a02:168:4407:1::3"]


def test_child_sa(doc: dict) -> None:
    (child,) = doc["ike_sas"][0]["child_sas"]
    assert (child["name"], child["unique_id"]) == ("eap", 3)
    assert (child["spi_in"], child["spi_out"]) == ("c2713224", "36ce686c")
    assert child["ts_local"] == ["0.0.0.0/0", "::/0"]
    assert child["ts_remote"] == ["10.10.1.67/32", "2a02:168:4407:1::3/128"]
    assert child["proposal"] == "ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ"
    assert (child["bytes_in"], child["bytes_out"]) == (45329, 72297)
    assert child["state"] == "closed"


def test_leases_went_offline(doc: dict) -> None:
    leases = {x["address"]: x for x in doc["leases"]}
    assert set(leases) == {"10.10.1.67", "2a02:168:4407:1::3"}
    assert all(x["identity"] == "andi" and not x["online"] for x in leases.values())
    assert leases["10.10.1.67"]["offline_line"] == 116


def test_trace_helpers(trace: Trace) -> None:
    sa = trace.sa("eap", 3)
    assert sa.label == "eap[3]"
    assert trace.outcomes() == {"established": 1}
