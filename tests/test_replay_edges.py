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


def test_sizes_of_ikev1_messages_and_of_our_challenges() -> None:
    # public/14 (IKEv1 client): Main Mode's first answer was 76 bytes;
    # public/10 (gateway): our INVALID_KE answer went out in 38 bytes
    v1 = ikelog.load(corpus("public/14-ikev1-main-mode-quick-mode-l2tp-client.log"))
    main = v1.ike_sas[0].exchanges[0]
    assert (main.type, main.request_size, main.response_size) == ("ID_PROT", 92, 76)
    gw = ikelog.load(
        corpus("public/10-invalid-ke-modp2048-256-android-native-charon-systemd.log")
    )
    (asked,) = gw.ike_sas[0].exchanges[0].challenges
    assert (asked.payloads, asked.size) == (("N(INVAL_KE)",), 38)


def test_a_challenge_that_ends_the_sa_is_its_last_word() -> None:
    # the gateway of public/10 answered INVALID_KE and dropped the SA: its
    # ladder ends with that answer, not with "no response in log"; the client
    # of public/04 sent the request again and then has no answer in the log
    import os

    from rich.console import Console

    from ikelog.render.terminal import ladder

    def drawn(rel: str) -> str:
        sa = ikelog.load(corpus(rel)).ike_sas[0]
        with open(os.devnull, "w") as sink:
            console = Console(width=100, record=True, file=sink)
            console.print(ladder(sa))
        return console.export_text()

    gw = drawn("public/10-invalid-ke-modp2048-256-android-native-charon-systemd.log")
    assert "N(INVAL_KE)" in gw and "no response in log" not in gw
    client = drawn("public/04-invalid-ke-retry-android-app.log")
    assert "again, 812 B" in client and "no response in log" in client
