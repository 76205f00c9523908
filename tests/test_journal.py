"""Journal exports and strongSwan 6's JSON logger give the same
reconstruction as the file logger the same daemon wrote at the same time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ikelog

from .conftest import CORPUS, corpus

SCENARIOS = ("a3-seed-like-journal", "p-ss6-seed-eap-dynamic", "r-ss6-psk-rekey")
FORMATS = (
    ("journal-short.txt", "syslog"),
    ("journal-short-iso.txt", "syslog"),
    ("journal-short-precise.txt", "syslog"),
    ("journal-short-iso-precise.txt", "syslog"),
    ("journal-short-full.txt", "syslog"),
    ("journal-short-monotonic.txt", "syslog"),
    ("journal-short-unix.txt", "syslog"),
    ("journal-with-unit.txt", "syslog"),
    ("journal-all-short-iso-precise.txt", "syslog"),
    ("journal-cat.txt", "bare"),
    ("journal-json.txt", "journal-json"),
    ("journal-json-seq.txt", "journal-json"),
    ("journal-json-pretty.txt", "journal-json-pretty"),
    ("journal-export.txt", "journal-export"),
    ("journal-verbose.txt", "journal-verbose"),
    ("charon-json.log", "json"),
)


def _cases() -> list[Any]:
    out = []
    for scenario in SCENARIOS:
        for name, layout in FORMATS:
            if (
                CORPUS / "lab" / scenario / "gw" / name
            ).exists() or not CORPUS.exists():
                out.append(
                    pytest.param(scenario, name, layout, id=f"{scenario}/{name}")
                )
    return out


def reconstruction(path: Path) -> list[tuple[Any, ...]]:
    """What must not depend on the layout: SAs, exchanges, CHILD SAs, leases."""
    doc = ikelog.load(path).to_dict()
    sas = []
    for sa in doc["ike_sas"]:
        exchanges = tuple(
            (
                x["type"],
                x["message_id"],
                x["initiator"],
                x["request"] is not None,
                x["response"] is not None,
                x["request_fragments"],
                x["response_fragments"],
                x["retransmits"],
            )
            for x in sa["exchanges"]
        )
        children = tuple(
            (c["name"], c["unique_id"], c["spi_in"], c["spi_out"], c["bytes_in"])
            for c in sa["child_sas"]
        )
        sas.append(
            (
                sa["name"],
                sa["unique_id"],
                sa["role"],
                sa["state"],
                sa["established"],
                sa["pairs_to_establish"],
                sa["pairs_total"],
                sa["eap_identity"],
                tuple(sa["virtual_ips"]),
                exchanges,
                children,
            )
        )
    leases = [(x["address"], x["identity"], x["online"]) for x in doc["leases"]]
    return [*sas, tuple(leases)]


@pytest.mark.parametrize(("scenario", "name", "layout"), _cases())
def test_same_reconstruction_as_filelog(scenario: str, name: str, layout: str) -> None:
    gw = corpus("lab", scenario, "gw")
    trace = ikelog.load(gw / name)
    assert trace.layout == layout
    assert trace.counts.unrecognized == 0
    assert reconstruction(gw / name) == reconstruction(gw / "charon.log")


def test_journal_json_carries_sa_fields() -> None:
    """The journal's IKE_SA_UNIQUE_ID/IKE_SA_NAME fields attribute lines the
    way <name|id> tags do."""
    path = corpus("lab", "a3-seed-like-journal", "gw", "journal-json.txt")
    trace = ikelog.load(path)
    assert trace.replay.tagged
    eap = trace.sa("eap", 1)
    assert eap.eap_identity == "user1"
    assert eap.pairs_to_establish == 6
    assert [c.name for c in eap.child_sas] == ["eap"]
