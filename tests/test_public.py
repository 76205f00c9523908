"""Logs people posted when asking for help: the facts
../shared/corpus/public/README.md lists for each are in the JSON document."""

from __future__ import annotations

from typing import Any

import pytest

import ikelog

from .conftest import corpus


def doc(name: str) -> dict[str, Any]:
    return ikelog.load(corpus("public", name)).to_dict()


def sa_named(d: dict[str, Any], name: str | None, uid: int | None) -> dict[str, Any]:
    for sa in d["ike_sas"]:
        if sa["name"] == name and sa["unique_id"] == uid:
            return sa
    raise AssertionError(
        f"no IKE SA {name}[{uid}] in {[s['name'] for s in d['ike_sas']]}"
    )


def kinds(sa: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(x["type"], x["message_id"], x["initiator"]) for x in sa["exchanges"]]


def test_01_no_proposal_android_client() -> None:
    d = doc("01-no-proposal-android-client.log")
    assert d["layout"] == "filelog"
    (sa,) = d["ike_sas"]
    assert (sa["name"], sa["unique_id"], sa["role"]) == ("android", 8, "initiator")
    assert kinds(sa) == [("IKE_SA_INIT", 0, "local")]
    assert sa["exchanges"][0]["response"] == ["N(NO_PROP)"]
    assert sa["exchanges"][0]["retransmits"] == 0
    assert sa["pairs_total"] == 1
    assert sa["state"] == "failed"
    assert sa["failure"]["stage"] == "IKE_SA_INIT"
    assert "NO_PROP" in sa["failure"]["reason"]
    assert sa["proposal"] is None
    assert sa["child_sas"] == []


def test_03_psk_auth_failed_swanctl_initiate() -> None:
    d = doc("03-psk-auth-failed-swanctl-initiate.log")
    assert d["layout"] == "swanctl"
    assert d["lines"]["unrecognized"] == 0
    first = sa_named(d, "wan0_to_linux", 912)
    assert kinds(first) == [("IKE_SA_INIT", 0, "local"), ("IKE_AUTH", 1, "local")]
    assert first["pairs_total"] == 2
    assert first["proposal"] == "IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"
    assert first["exchanges"][1]["response"] == ["N(AUTH_FAILED)"]
    assert first["failure"]["stage"] == "IKE_AUTH"
    assert first["failure"]["kind"] == "local-auth-failed"  # the peer refused us
    (child,) = first["child_sas"]
    assert (child["name"], child["unique_id"], child["state"]) == (
        "child-a",
        920,
        "failed",
    )
    second = sa_named(d, "wan1_to_linux", 913)
    assert second["state"] == "connecting" or second["state"] == "open"
    assert second["established"] is False


def test_04_invalid_ke_retry() -> None:
    (sa,) = doc("04-invalid-ke-retry-android-app.log")["ike_sas"]
    assert (sa["name"], sa["unique_id"]) == ("android", 13)
    (init,) = sa["exchanges"]
    assert (init["type"], init["message_id"]) == ("IKE_SA_INIT", 0)
    assert init["invalid_ke"] == 1  # answered N(INVAL_KE) once ...
    assert init["retransmits"] == 0  # ... and retried, not retransmitted
    assert init["response"] is None  # the retry is outstanding
    assert [p["text"] for p in sa["problems"]] == [
        "key exchange ECP_256 refused, ECP_521 requested"
    ]
    assert sa["failure"] is None  # a benign round trip, not a failure


def test_06_untrusted_server_cert() -> None:
    (sa,) = doc("06-untrusted-server-cert-android-app.log")["ike_sas"]
    assert sa["failure"]["stage"] == "IKE_AUTH"
    assert sa["failure"]["kind"] == "cert-untrusted"
    texts = [p["text"] for p in sa["problems"]]
    assert 'no issuer certificate found for "CN=203.0.113.95"' in texts
    assert "no trusted ECDSA public key found for '203.0.113.95'" in texts
    (info,) = sa["exchanges"]
    assert (info["type"], info["message_id"], info["initiator"]) == (
        "INFORMATIONAL",
        2,
        "local",
    )
    assert info["request"] == ["N(AUTH_FAILED)"]
    assert sa["child_sas"] == []


def test_07_newest_first_dpd_giving_up_restart() -> None:
    d = doc("07-dpd-giving-up-restart-reversed-opnsense.log")
    assert d["order"] == "newest first, replayed oldest first"
    assert d["layout"] == "syslog"
    first = sa_named(d, "con1", 1)
    # it had a CHILD SA to restart: established before the excerpt, then
    # given up on (a failure is only an SA's that never got established)
    assert (first["established"], first["established_via"]) == (True, "before the log")
    assert first["failure"] is None
    assert [p["text"] for p in first["problems"]] == ["giving up after 5 retransmits"]
    assert first["exchanges"] == []  # its restart request went to con1[2]
    second = sa_named(d, "con1", 2)
    assert second["role"] == "initiator"
    (init,) = second["exchanges"]
    assert (init["type"], init["message_id"], init["retransmits"]) == (
        "IKE_SA_INIT",
        0,
        3,
    )
    assert init["response"] is None


def test_09_no_matching_peer_config_keyid() -> None:
    (sa,) = doc("09-no-matching-peer-config-android14-keyid.log")["ike_sas"]
    assert (sa["unique_id"], sa["role"]) == (2, "responder")
    assert sa["failure"]["stage"] == "IKE_AUTH"
    assert sa["failure"]["reason"] == "no matching peer config found"
    (cand,) = sa["peer_config_candidates"]
    assert cand == {
        "name": "rw",
        "ike_match": 1052,
        "local_id_match": 1,
        "local_id_type": "ID_ANY",
        "remote_id_match": 0,
        "remote_id_type": "ID_KEY_ID",
    }


def test_10_invalid_ke_without_thread_or_group() -> None:
    d = doc("10-invalid-ke-modp2048-256-android-native-charon-systemd.log")
    assert d["layout"] == "syslog"
    assert d["lines"]["unrecognized"] == 0
    first, second = d["ike_sas"]
    assert first["role"] == second["role"] == "responder"
    assert first["exchanges"][0]["invalid_ke"] == 1
    assert first["state"] == "failed"
    assert first["nat"]["remote"] is True
    assert "MODP_2048_256 refused, MODP_2048 requested" in first["problems"][0]["text"]
    assert second["exchanges"][0]["request"][:3] == ["SA", "KE", "No"]


def test_13_filelog_level_suffix_fragments() -> None:
    d = doc("13-filelog-loglevel-suffix-windows-eap-fragments.log")
    assert d["lines"]["unrecognized"] == 0
    (sa,) = d["ike_sas"]
    assert (sa["unique_id"], sa["role"]) == (2, "responder")
    assert sa["proposal"] == "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"
    assert sa["nat"] == {"local": True, "remote": True}
    (change,) = sa["endpoint_changes"]
    assert (change["old"], change["new"]) == (
        "198.51.100.166[1916]",
        "198.51.100.166[1918]",
    )
    auth = sa["exchanges"][1]
    assert (auth["type"], auth["request_fragments"], auth["request_size"]) == (
        "IKE_AUTH",
        2,
        908,
    )
    assert sa["failure"] is None and sa["established"] is False


def test_14_ikev1_main_mode_then_quick_mode() -> None:
    d = doc("14-ikev1-main-mode-quick-mode-l2tp-client.log")
    assert d["lines"]["duplicates"] == 1  # the established line, posted twice
    (sa,) = d["ike_sas"]
    assert (sa["version"], sa["role"], sa["established"]) == (1, "initiator", True)
    assert sa["name"] == "b5569b9d-e133-41c0-892b-720dec9706b6"
    states = [t["state"] for t in sa["timeline"]]
    assert "reauthentication in 10039s" in states
    assert "lifetime in 10579s" in states
    assert kinds(sa) == [("ID_PROT", 0, "local"), ("QUICK_MODE", 2270805260, "local")]
    assert sa["remote"] == "203.0.113.60[4500]"


def test_16_mobike_android_ipv6() -> None:
    d = doc("16-mobike-android-ipv6-eap.log")
    assert d["lines"]["unrecognized"] == 0
    (sa,) = d["ike_sas"]
    assert (sa["name"], sa["unique_id"], sa["established"]) == ("android", 96, True)
    assert sa["virtual_ips"][0] == "172.22.2.129"
    assert sa["virtual_ips"][1].startswith("2001:db8:2185:")
    (child,) = sa["child_sas"]
    assert (child["name"], child["unique_id"]) == ("android", 154)
    assert child["proposal"] == "ESP:CHACHA20_POLY1305/NO_EXT_SEQ"
    assert (child["spi_in"], child["spi_out"]) == ("1986caa0", "cd870d60")
    update = sa["exchanges"][-1]
    assert (update["type"], update["message_id"], update["response"]) == (
        "INFORMATIONAL",
        6,
        None,
    )


def test_17_triple_logged_rekey_deduplicated() -> None:
    d = doc("17-ike-rekey-journal-triple-format-ipv6.log")
    assert d["lines"]["duplicates"] == 4
    assert d["lines"]["foreign"] == 1  # smartd
    children = [c for sa in d["ike_sas"] for c in sa["child_sas"]]
    assert [(c["name"], c["unique_id"]) for c in children] == [("child-1", 1)]
    one, two = sa_named(d, "test-1", 1), sa_named(d, "test-1", 2)
    assert [(x["type"], x["message_id"], x["request"]) for x in one["exchanges"]] == [
        ("INFORMATIONAL", 3, ["D"])
    ]
    assert [(x["type"], x["message_id"], x["request"]) for x in two["exchanges"]] == [
        ("INFORMATIONAL", 0, ["D"])
    ]


@pytest.mark.parametrize(
    "name",
    [
        "01-no-proposal-android-client.log",
        "04-invalid-ke-retry-android-app.log",
        "06-untrusted-server-cert-android-app.log",
        "07-dpd-giving-up-restart-reversed-opnsense.log",
        "09-no-matching-peer-config-android14-keyid.log",
        "10-invalid-ke-modp2048-256-android-native-charon-systemd.log",
        "13-filelog-loglevel-suffix-windows-eap-fragments.log",
        "14-ikev1-main-mode-quick-mode-l2tp-client.log",
        "16-mobike-android-ipv6-eap.log",
        "17-ike-rekey-journal-triple-format-ipv6.log",
    ],
)
def test_every_line_understood(name: str) -> None:
    assert doc(name)["lines"]["unrecognized"] == 0


def test_invalid_ke_answer_and_the_retry_are_kept() -> None:
    # 04: the peer answers IKE_SA_INIT 0 with N(INVAL_KE) (38 bytes) and the
    # app sends the request again with ECP_521 (812 bytes instead of 744)
    import ikelog

    trace = ikelog.load(corpus("public/04-invalid-ke-retry-android-app.log"))
    (x,) = trace.to_dict()["ike_sas"][0]["exchanges"]
    assert (x["type"], x["message_id"], x["initiator"]) == ("IKE_SA_INIT", 0, "local")
    assert (x["request_line"], x["request_size"]) == (5, 744)
    assert x["challenges"] == [{"line": 8, "response": ["N(INVAL_KE)"], "size": 38}]
    assert [(r["line"], r["size"]) for r in x["retries"]] == [(11, 812)]
    assert x["response"] is None and x["response_size"] is None
    assert x["invalid_ke"] == 1 and x["retransmits"] == 0
