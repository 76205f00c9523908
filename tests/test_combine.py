"""Several logs on one command line: one daemon's pieces are merged in time
order, two peers' logs are replayed apart and their IKE SAs paired."""

from __future__ import annotations

from pathlib import Path

import ikelog
from ikelog.findings import Kind, Severity

from .conftest import corpus


def labels(trace: ikelog.Trace) -> list[tuple[str, int | None, str]]:
    return [
        (sa.label, sa.unique_id, Path(sa.source or "?").parent.name)
        for sa in trace.ike_sas
    ]


def test_gateway_and_two_clients_are_paired_by_child_spis() -> None:
    lab = corpus("lab", "a-seed-like")
    trace = ikelog.load(
        [lab / "gw/charon.log", lab / "c1/charon.log", lab / "c2/charon.log"]
    )
    assert labels(trace) == [
        ("eap[1]", 1, "gw"),
        ("win[2]", 2, "gw"),
        ("home[1]", 1, "c1"),
        ("machine[1]", 1, "c2"),
    ]
    pairs = [(c.ours.label, c.theirs.label, c.matched_by) for c in trace.correlations]
    assert pairs == [
        ("eap[1]", "home[1]", "CHILD SA SPIs"),
        ("win[2]", "machine[1]", "CHILD SA SPIs"),
    ]
    eap, home = trace.correlations[0].ours, trace.correlations[0].theirs
    assert eap.child_sas[0].spi_in == home.child_sas[0].spi_out
    assert trace.counts.total == 158 + 98 + 72


def test_failed_login_is_paired_by_endpoints_and_time() -> None:
    lab = corpus("lab", "d-eap-wrong-password")
    doc = ikelog.load([lab / "gw/charon.log", lab / "c1/charon.log"]).to_dict()
    (pair,) = doc["correlations"]
    assert (pair["ike_sa"], pair["peer_ike_sa"], pair["matched_by"]) == (
        "eap[1]",
        "home[1]",
        "endpoints and time",
    )
    gw, client = doc["ike_sas"]
    assert (gw["role"], client["role"]) == ("responder", "initiator")
    assert gw["source"].endswith("gw/charon.log")


def test_ike_rekey_pairs_both_generations() -> None:
    lab = corpus("lab", "b-psk-site-rekey")
    trace = ikelog.load([lab / "gw/charon.log", lab / "c1/charon-stderr.log"])
    assert trace.layout == "filelog+plain"
    pairs = [(c.ours.label, c.theirs.label) for c in trace.correlations]
    assert pairs == [("site-hq[1]", "branch[1]"), ("site-hq[2]", "branch[2]")]


def test_one_daemon_in_two_loggers_is_replayed_once() -> None:
    """The gateway's file log and its syslog copy: one replay, every event
    once, the second copy counted as duplicates."""
    gw = corpus("lab", "a-seed-like", "gw")
    trace = ikelog.load([gw / "charon.log", gw / "syslog.log"])
    single = ikelog.load(gw / "charon.log")
    assert trace.correlations == []
    assert [sa.label for sa in trace.ike_sas] == ["eap[1]", "win[2]"]
    assert [sa.pairs_total for sa in trace.ike_sas] == [
        sa.pairs_total for sa in single.ike_sas
    ]
    assert trace.counts.duplicates == 158  # every charon line of syslog.log
    assert trace.counts.foreign == 2  # syslogd's own start and stop lines


def test_rotated_pieces_are_merged_in_time_order(tmp_path: Path) -> None:
    """A log cut in two (rotation), given newest piece first."""
    lines = (
        corpus("lab", "a-seed-like", "gw", "charon.log").read_text().splitlines(True)
    )
    first, second = tmp_path / "charon.log.1", tmp_path / "charon.log"
    first.write_text("".join(lines[:100]))
    second.write_text("".join(lines[100:]))
    trace = ikelog.load([second, first], year=2026)
    single = ikelog.load(corpus("lab", "a-seed-like", "gw", "charon.log"), year=2026)
    assert [(sa.label, sa.pairs_total, sa.state) for sa in trace.ike_sas] == [
        (sa.label, sa.pairs_total, sa.state) for sa in single.ike_sas
    ]
    assert trace.correlations == []


def test_each_daemon_is_diagnosed_with_its_own_lines() -> None:
    lab = corpus("lab", "d-eap-wrong-password")
    trace = ikelog.load([lab / "gw/charon.log", lab / "c1/charon.log"])
    eap = [
        (f.kind.value, f.severity.value, f.ike_sa, f.lines)
        for f in trace.findings()
        if f.kind.value == "eap-failure"
    ]
    assert eap == [
        ("eap-failure", "error", "eap[1]", [40, 44]),  # the gateway's verification
        ("eap-failure", "info", "home[1]", [42, 43, 44]),  # the client's view of it
    ]


def test_both_ends_make_the_cause_the_top_finding() -> None:
    # k: the gateway's kernel cannot install ESP; the branch only sees
    # NO_PROPOSAL_CHOSEN. With both logs the kernel is the diagnosis.
    trace = ikelog.load(
        [
            corpus("lab/k-xfrm-kernel-only/gw/charon.log"),
            corpus("lab/k-xfrm-kernel-only/c1/charon.log"),
        ]
    )
    found = trace.findings()
    assert (found[0].kind, found[0].ike_sa) == (
        Kind.INSTALL_CHILD_SA_FAILED,
        "site-hq[1]",
    )
    (echo,) = [f for f in found if f.kind is Kind.PROPOSAL_MISMATCH_CHILD]
    assert echo.ike_sa == "branch[1]" and echo.severity is Severity.INFO
    assert echo.summary.endswith("(install-child-sa-failed on site-hq[1])")
    assert echo.lines == [23, 29]
    # each log alone keeps its own diagnosis
    alone = ikelog.load(corpus("lab/k-xfrm-kernel-only/c1/charon.log")).findings()
    assert alone[0].kind is Kind.PROPOSAL_MISMATCH_CHILD
    assert alone[0].severity is Severity.ERROR


def test_line_numbers_name_their_file(tmp_path: Path) -> None:
    # a log cut in two after line 100: win[2]'s IKE_SA_INIT request is line
    # 97 of the first piece, its response line 2 of the second
    lines = corpus("lab/a-seed-like/gw/charon.log").read_text().splitlines(True)
    first, second = tmp_path / "charon.log.1", tmp_path / "charon.log"
    first.write_text("".join(lines[:100]))
    second.write_text("".join(lines[100:]))
    doc = ikelog.load([first, second]).to_dict()
    assert doc["sources"] == [str(first), str(second)]
    win = next(sa for sa in doc["ike_sas"] if sa["name"] == "win")
    init = win["exchanges"][0]
    assert init["type"] == "IKE_SA_INIT"
    assert (init["request_source"], init["request_line"]) == (0, 97)
    assert (init["response_source"], init["response_line"]) == (1, 2)
    assert (win["first_source"], win["first_line"]) == (0, 96)
    assert win["last_source"] == 1


def test_diagnose_takes_both_ends_and_blames_the_end_that_decided() -> None:
    # d: a wrong EAP password. The server refused it (error); the client only
    # heard the verdict (information pointing to the server's finding)
    from typer.testing import CliRunner

    from ikelog.cli import app

    gw = corpus("lab/d-eap-wrong-password/gw/charon.log")
    c1 = corpus("lab/d-eap-wrong-password/c1/charon.log")
    result = CliRunner().invoke(app, ["diagnose", "--json", str(gw), str(c1)])
    assert result.exit_code == 0, result.output
    import json

    found = json.loads(result.output)["findings"]
    eap = [(f["severity"], f["ike_sa"]) for f in found if f["kind"] == "eap-failure"]
    assert eap == [("error", "eap[1]"), ("info", "home[1]")]
    assert found[0]["kind"] == "eap-failure" and found[0]["ike_sa"] == "eap[1]"
