"""Acceptance: the diagnosis of every public case and lab failure scenario.

Each case names its log, the kind and severity of the top finding, the SA
it concerns (``None`` where the excerpt has no SA to attach it to, or
where the label depends on how much of the layout is read) and evidence
lines that must be cited. The diagnoses are those written in
``shared/corpus/public/README.md`` and ``shared/corpus/lab/README.md``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import ikelog
from ikelog.findings import Finding, Kind, Severity

from .conftest import CORPUS, corpus

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

#: (path under corpus, top kind, severity, SA label or None, evidence lines)
CASES: list[tuple[str, Kind, Severity, str | None, set[int]]] = [
    # public reports
    ("public/01-no-proposal-android-client.log",
     Kind.PROPOSAL_MISMATCH_IKE, E, "android[8]", {8, 9}),
    ("public/03-psk-auth-failed-swanctl-initiate.log",
     Kind.LOCAL_AUTH_FAILED, E, "wan0_to_linux[912]", {12, 13}),
    ("public/04-invalid-ke-retry-android-app.log",
     Kind.INVALID_KE, I, "android[13]", {8, 9}),
    ("public/06-untrusted-server-cert-android-app.log",
     Kind.CERT_UNTRUSTED, E, None, {3, 5, 6}),
    ("public/07-dpd-giving-up-restart-reversed-opnsense.log",
     Kind.RETRANSMIT_SEND_TIMEOUT, E, "con1[1]", {11}),
    ("public/09-no-matching-peer-config-android14-keyid.log",
     Kind.NO_PEER_CONFIG, E, None, {1, 4, 5}),
    ("public/10-invalid-ke-modp2048-256-android-native-charon-systemd.log",
     Kind.INVALID_KE, I, None, {5, 7, 8}),
    ("public/13-filelog-loglevel-suffix-windows-eap-fragments.log",
     Kind.INCOMPLETE, I, None, set()),
    ("public/14-ikev1-main-mode-quick-mode-l2tp-client.log",
     Kind.PLATFORM, I, None, set()),
    ("public/16-mobike-android-ipv6-eap.log",
     Kind.MOBIKE, I, "android[96]", {14}),
    ("public/17-ike-rekey-journal-triple-format-ipv6.log",
     Kind.REKEYED_SA_DELETED, W, "test-1[2]", {13, 14, 16}),
    ("public/19-swanctl-list-sas-duplicate-ike-sas.log",
     Kind.DUPLICATE_IKE_SAS, W, "conn-198.51.100.14[2732]", {2, 13, 24}),
    # lab failure scenarios, both sides
    ("lab/a2-eap-tls-nak/gw/charon.log", Kind.EAP_FAILURE, E, "eap[1]", {41}),
    ("lab/a2-eap-tls-nak/c1/charon.log", Kind.EAP_FAILURE, E, "home[1]", {38, 43}),
    ("lab/c-proposal-mismatch/gw/charon.log",
     Kind.PROPOSAL_MISMATCH_IKE, E, "(unnamed)[1]", {15, 16, 18}),
    ("lab/c-proposal-mismatch/c1/charon.log",
     Kind.PROPOSAL_MISMATCH_IKE, E, "branch[1]", {15, 16}),
    ("lab/d-eap-wrong-password/gw/charon.log", Kind.EAP_FAILURE, E, "eap[1]", {40}),
    ("lab/d-eap-wrong-password/c1/charon.log",
     Kind.EAP_FAILURE, E, "home[1]", {42, 43}),
    ("lab/f-ts-unacceptable/gw/charon.log", Kind.TS_MISMATCH, E, "site-hq[1]", {31}),
    ("lab/f-ts-unacceptable/c1/charon.log",
     Kind.TS_MISMATCH, E, "branch[1]", {25, 31}),
    ("lab/g-gateway-unreachable/gw/charon.log", Kind.NO_IKE_SA, I, None, set()),
    ("lab/g-gateway-unreachable/c1/charon.log",
     Kind.RETRANSMIT_SEND_TIMEOUT, E, "branch[1]", {20, 21}),
    ("lab/k-xfrm-kernel-only/gw/charon.log",
     Kind.INSTALL_CHILD_SA_FAILED, E, "site-hq[1]", {31, 34}),
    ("lab/k-xfrm-kernel-only/c1/charon.log",
     Kind.PROPOSAL_MISMATCH_CHILD, E, "branch[1]", {23, 29}),
    ("lab/q-ss6-proposal-mismatch/gw/charon.log",
     Kind.PROPOSAL_MISMATCH_IKE, E, "(unnamed)[1]", {19}),
    ("lab/q-ss6-proposal-mismatch/c1/charon.log",
     Kind.PROPOSAL_MISMATCH_IKE, E, "branch[1]", {14, 15}),
]  # fmt: skip


@cache
def findings(rel: str) -> list[Finding]:
    return ikelog.load(corpus(*rel.split("/"))).findings()


@pytest.mark.parametrize(
    ("rel", "kind", "severity", "label", "lines"), CASES, ids=[c[0] for c in CASES]
)
def test_top_finding(
    rel: str, kind: Kind, severity: Severity, label: str | None, lines: set[int]
) -> None:
    found = findings(rel)
    assert found, "no findings at all"
    top = found[0]
    assert (top.kind, top.severity) == (kind, severity), top.summary
    if label is not None:
        assert top.ike_sa == label
    assert lines <= set(top.lines)


# -- what the top finding says, where the README asks for specifics ------------


def test_proposal_mismatch_names_what_is_missing() -> None:
    top = findings("lab/c-proposal-mismatch/gw/charon.log")[0]
    assert "key exchange" in top.summary
    assert "MODP_1024" in top.explanation and "ECP_384" in top.explanation
    assert "<- no match" in top.explanation


def test_psk_failure_points_at_the_second_connection() -> None:
    top = findings("public/03-psk-auth-failed-swanctl-initiate.log")[0]
    assert "pre-shared key" in top.summary
    assert "wan1_to_linux[913]" in top.explanation


def test_no_peer_config_names_ids_and_key_id() -> None:
    top = findings("public/09-no-matching-peer-config-android14-keyid.log")[0]
    assert "user1" in top.summary
    assert "'rw'" in top.explanation and "ID_KEY_ID" in top.explanation
    assert "keyid:" in top.fix


def test_invalid_ke_names_the_groups() -> None:
    top = findings("public/04-invalid-ke-retry-android-app.log")[0]
    assert "ECP_256" in top.summary and "ECP_521" in top.summary
    top = findings(
        "public/10-invalid-ke-modp2048-256-android-native-charon-systemd.log"
    )[0]
    assert "MODP_2048_256" in top.summary


def test_cert_untrusted_names_the_issuer() -> None:
    top = findings("public/06-untrusted-server-cert-android-app.log")[0]
    assert "CN=203.0.113.95" in top.summary


def test_eap_wrong_password_and_nak_are_told_apart() -> None:
    wrong = findings("lab/d-eap-wrong-password/gw/charon.log")[0]
    nak = findings("lab/a2-eap-tls-nak/gw/charon.log")[0]
    assert "password" in wrong.summary
    assert "NAK" in nak.summary


def test_kernel_install_explains_enosys() -> None:
    top = findings("lab/k-xfrm-kernel-only/gw/charon.log")[0]
    assert "Function not implemented" in top.explanation


def test_windows_client_recognized() -> None:
    kinds = {f.kind for f in findings(
        "public/13-filelog-loglevel-suffix-windows-eap-fragments.log"
    )}  # fmt: skip
    assert Kind.PLATFORM in kinds


# -- successful sessions ---------------------------------------------------------

GOOD = [
    "a-seed-like",
    "a3-seed-like-journal",
    "b-psk-site-rekey",
    "l-ikev1-main-psk",
    "m-ikev1-aggressive-xauth",
    "p-ss6-seed-eap-dynamic",
    "r-ss6-psk-rekey",
]


def _good_logs() -> list[str]:
    out = []
    for scenario in GOOD:
        for instance in ("gw", "c1", "c2"):
            if (CORPUS / "lab" / scenario / instance / "charon.log").exists():
                out.append(f"lab/{scenario}/{instance}/charon.log")
    return out or ["lab/a-seed-like/gw/charon.log"]


@pytest.mark.parametrize("rel", _good_logs())
def test_good_sessions_have_no_errors(rel: str) -> None:
    errors = [f for f in findings(rel) if f.severity is Severity.ERROR]
    assert errors == []


def test_seed_sample_has_no_errors() -> None:
    root = Path(__file__).resolve().parents[1] / "samples"
    found = ikelog.load(root / "windows-eap-mschapv2.log").findings()
    assert not [f for f in found if f.severity is not Severity.INFO]
    kinds = [f.kind for f in found]
    assert Kind.PEER_CONFIG_SWITCH in kinds and Kind.EAP_NAK in kinds
    windows = next(f for f in found if f.kind is Kind.PLATFORM)
    assert "7 pairs" in windows.summary


@pytest.mark.parametrize("rel", [c[0] for c in CASES] + _good_logs())
def test_no_corpus_client_is_taken_for_apple(rel: str) -> None:
    # the corpus holds Windows, Android and strongSwan clients only
    assert not [f for f in findings(rel) if "Apple" in f.summary]


def test_untagged_crowded_gateway_blames_no_sa_it_cannot_tell() -> None:
    # j-many-clients without <name|id> tags: 40 clients behind each of five
    # addresses. The five failed logins (EAP-MSCHAPv2, users *-7) are each
    # one error naming the SAs they could be of, and no established SA gets
    # an error; what follows each failure (the client's AUTH_FAILED notify,
    # the half-open SA deleted after its timeout) is information.
    import ikelog

    trace = ikelog.load(corpus("lab/j-many-clients/gw/charon-plain.log"))
    found = trace.findings()
    errors = [f for f in found if f.severity is Severity.ERROR]
    assert [(f.kind, f.lines) for f in errors] == [
        (Kind.EAP_FAILURE, [n]) for n in (3950, 5451, 5975, 6620, 7978)
    ]
    assert all(f.ike_sa is None and len(f.candidates) >= 3 for f in errors)
    # the 40 SAs of 10.99.0.14 alive then: 39 that log in later and the one
    # the log never names (it stands in for the real eap[69])
    assert "on one of 40 IKE SAs the log does not tell apart" in errors[0].summary
    assert [c for c in errors[0].candidates if c.startswith("(unnamed)")] == [
        "(unnamed)@10.99.0.14#3642.1"
    ]
    assert "This log is the server's" in errors[0].explanation
    # what ends a login that never got established (the client's
    # AUTH_FAILED, the half-open SA deleted) cannot be an established SA's:
    # each is the never-named SA's of its address, and information
    standins = [sa for sa in trace.ike_sas if sa.attribution == "undecided"]
    assert sorted(
        p.line for sa in standins for p in sa.problems if p.what == "half-open-timeout"
    ) == [12500, 12717, 12750, 12799, 12896]
    assert not [f for f in found if f.kind is Kind.HALF_OPEN_TIMEOUT]  # IKE_AUTH came
    after = [f for f in found if f.kind is Kind.PEER_AUTH_FAILED]
    assert sorted(f.ike_sa or "" for f in after) == sorted(sa.label for sa in standins)
    assert {f.severity for f in after} == {Severity.INFO}
    assert "failed authentication of line 3950" in after[0].explanation
    established = {sa.label for sa in trace.ike_sas if sa.established}
    assert len(established) == 195
    assert not [
        f for f in found if f.severity is not Severity.INFO and f.ike_sa in established
    ]
    # tagged, the same run: the five errors are on the SAs charon named
    tagged = ikelog.load(corpus("lab/j-many-clients/gw/charon.log")).findings()
    assert sorted(f.ike_sa or "" for f in tagged if f.severity is Severity.ERROR) == [
        "eap[106]", "eap[119]", "eap[145]", "eap[69]", "eap[96]"
    ]  # fmt: skip


def test_sas_without_unique_id_have_labels_of_their_own() -> None:
    import ikelog

    trace = ikelog.load(
        corpus("public/10-invalid-ke-modp2048-256-android-native-charon-systemd.log")
    )
    assert [sa.label for sa in trace.ike_sas] == ["(unnamed)@1", "(unnamed)@10"]
    assert trace.sa("(unnamed)@10").first_line == 10
    assert trace.select("(unnamed)@1") == [trace.ike_sas[0]]
    by_sa = {f.ike_sa for f in trace.findings()}
    assert by_sa <= {"(unnamed)@1", "(unnamed)@10", None}
