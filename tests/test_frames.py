"""Tables: the trace as pandas DataFrames (ikelog/frames.py).

The acceptance test holds the tables beside ``ikelog analyze --json`` on
every bundled sample: the same facts, value for value.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app
from ikelog.replay.model import IkeSa
from ikelog.trace import Trace, stamp

from .conftest import SAMPLES, corpus

SEED = SAMPLES / "windows-eap-mschapv2.log"
MANY = SAMPLES / "lab-many-clients-gateway.log.gz"
PLAIN_SAMPLES = sorted(p.name for p in SAMPLES.glob("*.log"))


@pytest.fixture(scope="module")
def seed() -> Trace:
    return ikelog.load(SEED, year=2025)


@pytest.fixture(scope="module")
def many() -> Trace:
    return ikelog.load(MANY, year=2026)


def plain(value: Any) -> Any:
    """A table cell as the JSON document writes it."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return stamp(value.to_pydatetime())
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def joined(items: list[str] | None, sep: str = " ") -> str | None:
    return None if items is None else sep.join(items)


def analyze_json(path: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["analyze", "--json", "--year", "2025", path])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


# -- acceptance: the same facts as --json ---------------------------------------


#: Lab logs from ../shared/corpus/lab checked as well when it is there.
LAB_LOGS = [
    "b-psk-site-rekey/gw/charon.log",
    "l-ikev1-main-psk/gw/charon.log",
    "m-ikev1-aggressive-xauth/c1/charon-stderr.log",
    "j-many-clients/gw/syslog.log",
]


@pytest.mark.parametrize("name", PLAIN_SAMPLES)
def test_tables_carry_the_facts_of_the_json_document(name: str) -> None:
    same_facts(SAMPLES / name)


@pytest.mark.parametrize("name", LAB_LOGS)
def test_lab_tables_carry_the_facts_of_the_json_document(name: str) -> None:
    same_facts(corpus("lab", *name.split("/")))


def same_facts(path: Path) -> None:
    """The tables of ``path`` hold what ``analyze --json`` says about it."""
    doc = analyze_json(str(path))
    trace = ikelog.load(path, year=2025)
    t = trace.tables

    # lines
    kinds = t.events["kind"].value_counts()
    assert len(t.events) == doc["lines"]["total"]
    assert len(t.unrecognized) == doc["lines"]["unrecognized"]
    assert kinds.get("unrecognized", 0) == doc["lines"]["unrecognized"]
    assert kinds.get("foreign", 0) == doc["lines"]["foreign"]

    # IKE SAs
    sas = rows(t.ike_sas)
    assert len(sas) == len(doc["ike_sas"])
    for row, sa in zip(sas, doc["ike_sas"], strict=True):
        for key in (
            "name",
            "unique_id",
            "version",
            "role",
            "local",
            "remote",
            "local_id",
            "remote_id",
            "eap_identity",
            "proposal",
            "state",
            "outcome",
            "established",
            "established_via",
            "rekeyed_from",
            "rekeyed_to",
            "pairs_to_establish",
            "pairs_total",
            "first_line",
            "last_line",
            "first_time",
            "last_time",
            "lines",
            "attribution",
        ):
            assert row[key] == sa[key], key
        assert row["names"] == ", ".join(sa["names"])
        assert row["virtual_ips"] == ", ".join(sa["virtual_ips"])
        assert (row["local_nat"], row["remote_nat"]) == (
            sa["nat"]["local"],
            sa["nat"]["remote"],
        )
        fail = sa["failure"] or dict.fromkeys(("stage", "reason", "kind", "line"))
        assert row["failure_stage"] == fail["stage"]
        assert row["failure_reason"] == fail["reason"]
        assert row["failure_kind"] == fail["kind"]
        assert row["failure_line"] == fail["line"]
        assert row["exchanges"] == len(sa["exchanges"])
        assert row["child_sas"] == len(sa["child_sas"])

    # exchanges, CHILD SAs and problems of each SA, in order
    for i, sa in enumerate(doc["ike_sas"]):
        xs = rows(t.exchanges[t.exchanges["sa"] == i])
        assert len(xs) == len(sa["exchanges"])
        for row, x in zip(xs, sa["exchanges"], strict=True):
            for key, value in x.items():
                if key in ("request", "response"):
                    value = joined(value)
                assert row[key] == value, key
        kids = rows(t.child_sas[t.child_sas["sa"] == i])
        assert len(kids) == len(sa["child_sas"])
        for row, c in zip(kids, sa["child_sas"], strict=True):
            for key, value in c.items():
                if key in ("ts_local", "ts_remote"):
                    value = joined(value)
                assert row[key] == value, key
        problems = rows(t.problems[t.problems["sa"] == i])
        assert [(p["line"], p["kind"], p["text"], p["stage"]) for p in problems] == [
            (p["line"], p["kind"], p["text"], p["stage"]) for p in sa["problems"]
        ]

    # leases, ambiguous jobs, findings
    leases = rows(t.leases)
    assert len(leases) == len(doc["leases"])
    for row, lease in zip(leases, doc["leases"], strict=True):
        assert {k: row[k] for k in lease} == lease
    assert int(t.ambiguous["lines"].sum()) == doc["ambiguous"]
    found = rows(t.findings)
    assert [
        (f["kind"], f["severity"], f["sa_label"], f["lines"], f["summary"])
        for f in found
    ] == [
        (
            f["kind"],
            f["severity"],
            f["ike_sa"],
            joined(list(map(str, f["lines"]))),
            f["summary"],
        )
        for f in doc["findings"]
    ]


# -- the seed session, value by value -------------------------------------------


def test_seed_seven_pairs_to_establish(seed: Trace) -> None:
    xs = seed.tables.exchanges
    assert seed.tables.ike_sas.loc[0, "pairs_to_establish"] == 7
    pairs = xs[xs["complete"]].reset_index(drop=True)
    (last,) = pairs.index[pairs["establishing"]]
    assert last + 1 == 7
    assert (pairs.loc[last, "type"], pairs.loc[last, "message_id"]) == ("IKE_AUTH", 6)
    assert list(pairs["type"][:7]) == ["IKE_SA_INIT"] + ["IKE_AUTH"] * 6


def test_seed_fragmented_request(seed: Trace) -> None:
    xs = seed.tables.exchanges
    row = xs[(xs["type"] == "IKE_AUTH") & (xs["message_id"] == 1)].iloc[0]
    assert row["initiator"] == "remote"
    assert row["request_fragments"] == 3
    assert row["request_size"] == 1536
    assert row["request"].startswith("IDi CERTREQ N(MOBIKE_SUP)")
    assert row["response"] == "IDr CERT AUTH EAP/REQ/ID"


def test_seed_leases_and_child(seed: Trace) -> None:
    leases = seed.tables.leases
    assert list(leases["address"]) == ["10.10.1.67", "2a02:168:4407:1::3"]
    assert list(leases["identity"]) == ["andi", "andi"]
    assert list(leases["ike_sa"]) == [3, 3]
    assert not leases["online"].any()
    (child,) = seed.tables.child_sas.itertuples()
    assert (child.spi_in, child.spi_out) == ("c2713224", "36ce686c")
    assert (child.bytes_in, child.bytes_out) == (45329, 72297)
    assert child.ts_remote == "10.10.1.67/32 2a02:168:4407:1::3/128"


def test_seed_times_without_a_date_fall_on_1900_01_01(seed: Trace) -> None:
    sa = seed.tables.ike_sas.loc[0]
    assert sa["first_time"] == pd.Timestamp("1900-01-01 09:58:20")
    assert sa["last_time"] == pd.Timestamp("1900-01-01 09:59:05")
    assert seed.tables.events["time"].isna().sum() > 0  # lines without a stamp


def test_dtypes(seed: Trace) -> None:
    t = seed.tables
    assert str(t.events["time"].dtype) == "datetime64[us]"
    assert isinstance(t.events["kind"].dtype, pd.CategoricalDtype)
    assert isinstance(t.events["group"].dtype, pd.CategoricalDtype)
    assert str(t.events["thread"].dtype) == "Int64"
    assert str(t.events["line"].dtype) == "int64"
    sas = t.ike_sas
    assert sas.index.name == "sa"
    for column in ("state", "outcome", "role", "failure_kind", "failure_stage"):
        assert isinstance(sas[column].dtype, pd.CategoricalDtype), column
    assert list(sas["state"].cat.categories[:3]) == [
        "connecting",
        "established",
        "rekeyed",
    ]
    assert str(sas["unique_id"].dtype) == "Int64"
    assert str(sas["pairs_to_establish"].dtype) == "Int64"
    assert isinstance(sas["remote_id"].dtype, pd.StringDtype)
    assert str(sas["established"].dtype) == "bool"
    xs = t.exchanges
    assert isinstance(xs["type"].dtype, pd.CategoricalDtype)
    assert str(xs["request_time"].dtype) == "datetime64[us]"
    assert str(xs["latency"].dtype) == "float64"
    assert str(xs["request_size"].dtype) == "Int64"
    assert isinstance(t.child_sas["spi_in"].dtype, pd.StringDtype)
    assert isinstance(t.child_sas["state"].dtype, pd.CategoricalDtype)
    assert t.findings["severity"].cat.ordered


def test_tables_of_two_logs_concatenate_as_categoricals(seed: Trace) -> None:
    other = ikelog.load(SAMPLES / "lab-gateway-eap-and-certs.log", year=2025)
    both = pd.concat([seed.tables.exchanges, other.tables.exchanges])
    assert isinstance(both["type"].dtype, pd.CategoricalDtype)
    assert isinstance(both["initiator"].dtype, pd.CategoricalDtype)


# -- trace.ike_sas: records and a table at once ----------------------------------


def test_ike_sas_is_still_the_list_of_records(seed: Trace) -> None:
    (sa,) = seed.ike_sas
    assert isinstance(sa, IkeSa)
    assert seed.ike_sas == seed.replay.sas
    assert seed.ike_sas[0].label == "eap[3]"
    assert [x.address for x in seed.leases] == ["10.10.1.67", "2a02:168:4407:1::3"]


def test_ike_sas_answers_table_questions(many: Trace) -> None:
    failed = many.ike_sas.query("outcome == 'failed'")
    assert len(failed) == 5
    assert set(failed["failure_kind"]) == {"eap-failure"}
    assert many.ike_sas.df is many.tables.ike_sas  # built once
    assert len(many.leases.query("online")) == len(many.tables.leases.query("online"))
    assert "<table" in many.ike_sas._repr_html_()


def test_many_clients(many: Trace) -> None:
    sas = many.tables.ike_sas
    assert len(sas) == 200
    assert sas["outcome"].value_counts().to_dict() == {
        "established": 195,
        "failed": 5,
        "open": 0,
    }
    est = sas[sas["outcome"] == "established"]
    assert est["setup_seconds"].notna().all()
    assert (est["setup_seconds"] >= 0).all()
    assert sas.loc[sas["outcome"] == "failed", "setup_seconds"].isna().all()
    xs = many.tables.exchanges
    assert (xs["latency"].dropna() >= 0).all()
    assert int(xs["cookie_challenges"].sum()) > 0
    assert len(many.tables.events) == 17100


# -- options of load ------------------------------------------------------------


def test_without_events_the_event_tables_say_how_to_get_them() -> None:
    trace = ikelog.load(SEED, keep_events=False)
    assert trace.events is None
    with pytest.raises(ValueError, match="keep_events=True"):
        _ = trace.tables.events
    assert "events" not in trace.tables.all()
    assert "unrecognized" not in trace.tables.all()
    assert trace.tables.ike_sas.loc[0, "pairs_to_establish"] == 7


def test_several_files_keep_their_own_line_numbers() -> None:
    paths = [SEED, SAMPLES / "lab-gateway-proposal-mismatch.log"]
    alone = [ikelog.load(p) for p in paths]
    trace = ikelog.load(paths)
    assert trace.counts.total == sum(t.counts.total for t in alone)
    assert len(trace.ike_sas) == sum(len(t.ike_sas) for t in alone)
    assert str(SEED) in trace.source
    events = trace.tables.events
    assert sorted(set(events["source"])) == [0, 1]
    for _, lines in events.groupby("source")["line"]:
        assert lines.is_monotonic_increasing


def test_unrecognized_lines_keep_their_text() -> None:
    trace = ikelog.read_lines(
        ["09:58:20: 12[IKE] something charon never says", ""], layout="bare"
    )
    t = trace.tables
    assert list(t.unrecognized["text"]) == ["12[IKE] something charon never says"]
    assert list(t.unrecognized["line"]) == [1]
    assert t.unrecognized["time"][0] == pd.Timestamp("1900-01-01 09:58:20")


# -- notebook views -------------------------------------------------------------


def test_sa_html_shows_facts_and_ladder(seed: Trace) -> None:
    html = seed.sa("eap", 3)._repr_html_()
    assert "eap[3]" in html
    assert "12 request/response pairs, 7 to establish" in html
    assert "IKE_AUTH 6" in html
    assert "EAP/REQ/MSCHAPV2" in html
    assert "c2713224 in, 36ce686c out" in html


def test_trace_html_summary(seed: Trace, many: Trace) -> None:
    html = seed._repr_html_()
    assert "116 read, 116 understood, 0 unrecognized" in html
    assert "1 established" in html
    assert "IKE_AUTH 6" in html  # a lone SA shows its ladder
    html = many._repr_html_()
    assert "195 established" in html and "5 failed" in html
    assert "and 180 more" in html


def test_html_escapes_log_text() -> None:
    sa = IkeSa(unique_id=1, name="x", remote_id="<script>alert(1)</script>")
    html = sa._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
