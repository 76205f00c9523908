"""Replay cases found by people using ikelog: daemon runs without a start
line, EAP conversations seen from both ends."""

from __future__ import annotations

from pathlib import Path

import ikelog

from .conftest import corpus


def test_a_run_whose_start_line_is_missing_is_a_new_run(tmp_path: Path) -> None:
    # charon-systemd (5.9.8) writes no "Starting IKE charon daemon" to its
    # file logger: after "SIGTERM received, shutting down", "loaded plugins"
    # begins the next run, whose unique ids count from 1 again
    first = corpus("lab/a-seed-like/gw/charon.log").read_text()
    second = corpus("lab/a3-seed-like-journal/gw/charon.log").read_text()
    assert "Starting IKE charon daemon" not in second
    both = tmp_path / "two-runs.log"
    both.write_text(first + second)
    trace = ikelog.load(both)
    got = [(sa.label, sa.state, sa.pairs_total) for sa in trace.ike_sas]
    assert got == [
        ("eap[1]", "deleted", 10),
        ("win[2]", "deleted", 3),
        ("eap[1]", "deleted", 10),
        ("win[2]", "deleted", 3),
    ]
    assert len(trace.leases) == 8


def test_a_refused_eap_method_reads_alike_at_both_ends() -> None:
    # a2: the client answers EAP-TLS with a NAK and the server has no other
    # method ("received EAP_NAK, sending EAP_FAILURE")
    ends = {}
    for instance in ("gw", "c1"):
        trace = ikelog.load(corpus(f"lab/a2-eap-tls-nak/{instance}/charon.log"))
        (sa,) = trace.ike_sas
        ends[instance] = [(r.method, r.result) for r in sa.eap]
        assert sa.failure is not None and sa.failure.what == "eap-failure"
    assert ends["gw"] == ends["c1"] == [("EAP_IDENTITY", "success"), ("EAP_TLS", "nak")]


def test_a_child_sa_refused_by_the_peer_was_never_installed() -> None:
    # "received TS_UNACCEPTABLE notify, no CHILD_SA built" (f) and the same
    # with NO_PROPOSAL_CHOSEN (k): the IKE SA stands, its CHILD SA never did
    for scenario in ("f-ts-unacceptable", "k-xfrm-kernel-only"):
        trace = ikelog.load(corpus(f"lab/{scenario}/c1/charon.log"))
        (sa,) = trace.ike_sas
        assert [(c.name, c.unique_id, c.state) for c in sa.child_sas] == [
            ("branch", 1, "not installed")
        ]
