"""IKEv1: Main Mode with Quick Mode rekeys, Aggressive Mode with XAuth and
ModeConfig, matched against the packet capture's truth.json."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

import ikelog

from .conftest import corpus

LAYOUTS = ("charon.log", "charon-ms-level.log", "charon-stderr.log")
CASES = [
    pytest.param(scenario, side, name, id=f"{scenario}/{side}/{name}")
    for scenario in ("l-ikev1-main-psk", "m-ikev1-aggressive-xauth")
    for side in ("gw", "c1")
    for name in (
        *LAYOUTS,
        *(("syslog.log", "charon-plain.log") if side == "gw" else ()),
    )
]


def expected(scenario: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(exchange type, started by) -> (exchanges, complete) from the capture."""
    truth = json.loads(corpus("lab", scenario, "truth.json").read_text())
    (sa,) = truth["ike_sas"]
    out: Counter[tuple[str, str]] = Counter()
    done: Counter[tuple[str, str]] = Counter()
    for m in sa["messages"]:
        key = (m["exchange"], m["started_by"])
        out[key] += 1
        done[key] += m["complete"]
    return {k: (out[k], done[k]) for k in out}


def observed(doc: dict[str, Any]) -> dict[tuple[str, str], tuple[int, int]]:
    (sa,) = doc["ike_sas"]
    out: Counter[tuple[str, str]] = Counter()
    done: Counter[tuple[str, str]] = Counter()
    for x in sa["exchanges"]:
        # who started it, in the ISAKMP SA's roles as the capture names them
        ours = x["initiator"] == "local"
        started = sa["role"] if ours else _other(sa["role"])
        key = (x["type"], started)
        out[key] += 1
        done[key] += x["complete"]
    return {k: (out[k], done[k]) for k in out}


def _other(role: str) -> str:
    return "responder" if role == "initiator" else "initiator"


@pytest.mark.parametrize(("scenario", "side", "name"), CASES)
def test_exchanges_match_capture(scenario: str, side: str, name: str) -> None:
    doc = ikelog.load(corpus("lab", scenario, side, name)).to_dict()
    assert doc["lines"]["unrecognized"] == 0
    assert doc["ambiguous"] == 0
    (sa,) = doc["ike_sas"]
    assert sa["version"] == 1
    assert sa["role"] == ("responder" if side == "gw" else "initiator")
    assert sa["established"] is True
    assert sa["state"] == "deleted"
    assert observed(doc) == expected(scenario)


def test_quick_mode_ids_are_random_32_bit() -> None:
    doc = ikelog.load(corpus("lab", "l-ikev1-main-psk", "gw", "charon.log")).to_dict()
    quick = [x for x in doc["ike_sas"][0]["exchanges"] if x["type"] == "QUICK_MODE"]
    assert [x["message_id"] for x in quick][:3] == [3590134259, 1344039940, 2037634601]
    assert all(x["messages"] == 3 and x["complete"] for x in quick)
    assert quick[0]["request"] == ["HASH", "SA", "No", "KE", "ID", "ID"]
    assert quick[0]["response"] == ["HASH", "SA", "No", "KE", "ID", "ID"]


def test_aggressive_mode_with_xauth_and_modecfg() -> None:
    doc = ikelog.load(
        corpus("lab", "m-ikev1-aggressive-xauth", "gw", "charon.log")
    ).to_dict()
    (sa,) = doc["ike_sas"]
    kinds = [(x["type"], x["initiator"], x["messages"]) for x in sa["exchanges"][:5]]
    assert kinds == [
        ("AGGRESSIVE", "remote", 3),
        ("TRANSACTION", "local", 2),  # XAuth request of user and password
        ("TRANSACTION", "local", 2),  # XAuth status
        ("TRANSACTION", "remote", 2),  # ModeConfig address request
        ("QUICK_MODE", "remote", 3),
    ]
    assert sa["exchanges"][1]["request"] == ["HASH", "CPRQ(X_USER X_PWD)"]
    assert sa["virtual_ips"]
