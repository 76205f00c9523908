"""ikelog's reconstruction of the IKEv2 lab scenarios against their truth.json.

Every (scenario, log instance, layout) is loaded with ``ikelog.load`` and its
``to_dict()`` compared with the view :mod:`labtruth` derives from truth.json
for that instance: the IKE SAs, established/failed, role and peer, unique id,
and per exchange type (split by who sent the request) the pairs and request
retransmits.  See labtruth's docstring for what each side can and cannot show.
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

import pytest

from . import labtruth as lt

pytestmark = pytest.mark.skipif(
    not lt.available(), reason=f"lab corpus not found at {lt.LAB}"
)

CASES = list(lt.cases())
CASE_IDS = [f"{s}/{i}/{layout}" for s, i, layout in CASES]
INSTANCES = sorted({(s, i) for s, i, _ in CASES})

SA = dict[str, Any]


@functools.cache
def analyzed(scenario: str, instance: str, layout: str) -> dict[str, Any]:
    """``ikelog analyze --json`` of one lab log (imported lazily so that the
    model tests below run even while ikelog does not import)."""
    import ikelog

    trace = ikelog.load(lt.log_path(scenario, instance, layout))
    result: dict[str, Any] = trace.to_dict()
    return result


def payload_text(payloads: Any) -> str:
    if isinstance(payloads, str):
        return payloads
    return " ".join(str(p) for p in payloads)


def got_counts(sa: SA) -> tuple[lt.Counts, lt.Counts]:
    """(pairs, retransmits) of one ikelog SA per "TYPE/local|remote".  A pair
    is an exchange with request and response, unless the response was only a
    COOKIE/INVALID_KE challenge (truth does not count those as pairs)."""
    pairs: Counter[str] = Counter()
    retransmits: Counter[str] = Counter()
    for ex in sa["exchanges"]:
        k = lt.key(ex["type"], ex["initiator"])
        retransmits[k] += ex.get("retransmits") or 0
        response = ex.get("response")
        if ex.get("request") is None or response is None:
            continue
        if not lt.is_challenge(ex["type"], payload_text(response)):
            pairs[k] += 1
    return lt.nonzero(dict(pairs)), lt.nonzero(dict(retransmits))


def remote_host(sa: SA) -> str | None:
    remote = sa.get("remote")
    return lt.host(remote) if remote else None


def match(
    expected: tuple[lt.ExpectedSA, ...], got: list[SA]
) -> tuple[list[tuple[lt.ExpectedSA, SA]], list[lt.ExpectedSA], list[SA]]:
    """Pair expected and reported SAs: by unique id where ikelog reports one,
    the rest (untagged logs that never name the id) by peer address and
    outcome in order of appearance.  Returns (matched, missing, unexpected)."""
    by_uid = {e.unique_id: e for e in expected}
    matched: list[tuple[lt.ExpectedSA, SA]] = []
    rest: list[SA] = []
    for sa in got:
        e = by_uid.pop(sa.get("unique_id"), None) if sa.get("unique_id") else None
        if e is None:
            rest.append(sa)
        else:
            matched.append((e, sa))
    missing = [e for e in expected if e.unique_id in by_uid]
    unexpected: list[SA] = []
    for sa in rest:
        if sa.get("unique_id") is not None:
            unexpected.append(sa)  # an id that is not in this log
            continue
        found = next(
            (
                e
                for e in missing
                if e.remote_host == remote_host(sa)
                and e.established == bool(sa.get("established"))
            ),
            None,
        )
        if found is None:
            unexpected.append(sa)
        else:
            missing.remove(found)
            matched.append((found, sa))
    return matched, missing, unexpected


def describe(sa: SA) -> str:
    return (
        f"{sa.get('name')}[{sa.get('unique_id')}] remote={sa.get('remote')} "
        f"established={sa.get('established')}"
    )


# --------------------------------------------------------------------------
# The model itself (no ikelog needed)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("scenario", "instance"), INSTANCES)
def test_model_matches_reference_log(scenario: str, instance: str) -> None:
    """labtruth's truth-derived view agrees with a plain count of the tagged
    reference log (pairs at response lines, retransmit lines), SA by SA, and
    the log holds no SA the view lacks.  Guards the side-visibility rules."""
    view = lt.expected_view(scenario, instance)
    ref = lt.reference_counts(scenario, instance)
    assert sorted(ref) == sorted(e.unique_id for e in view)
    for e in view:
        counts = ref[e.unique_id]
        assert lt.nonzero(dict(counts.pairs)) == lt.nonzero(e.pairs), e.origin
        logged = counts.sent_retransmits + counts.seen_retransmits
        assert lt.nonzero(dict(logged)) == lt.nonzero(e.retransmits), e.origin


def test_model_crowded_totals() -> None:
    """The j-many-clients facts the relaxed checks rely on."""
    gw = lt.expected_view(lt.CROWDED, lt.GW)
    assert len(gw) == 200
    assert sum(e.established for e in gw) == 195
    for client in ("c1", "c2", "c3", "c4", "c5"):
        view = lt.expected_view(lt.CROWDED, client)
        assert (len(view), sum(e.established for e in view)) == (40, 39)


# --------------------------------------------------------------------------
# ikelog against the model
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("scenario", "instance", "layout"), CASES, ids=CASE_IDS)
def test_ike_sas_and_outcomes(scenario: str, instance: str, layout: str) -> None:
    """Exactly the SAs this log can show, each with its outcome, role and
    peer.  No SA for a COOKIE challenge or an ignored half-open attempt."""
    expected = lt.expected_view(scenario, instance)
    got: list[SA] = analyzed(scenario, instance, layout)["ike_sas"]
    n_est = sum(e.established for e in expected)
    summary = (
        len(got),
        sum(bool(sa["established"]) for sa in got),
        sum(not sa["established"] for sa in got),
    )
    assert summary == (len(expected), n_est, len(expected) - n_est), (
        "(SAs, established, failed)"
    )
    if lt.is_relaxed(scenario, layout):
        # Untagged j-many-clients: only ids ikelog claims are checked (an SA
        # may stay without id when interleaved lines cannot be attributed).
        by_uid = {e.unique_id: e for e in expected}
        uids = [sa["unique_id"] for sa in got if sa.get("unique_id") is not None]
        assert len(uids) == len(set(uids)), "unique ids reported twice"
        wrong = [
            describe(sa)
            for sa in got
            if sa.get("unique_id") is not None
            and (
                sa["unique_id"] not in by_uid
                or by_uid[sa["unique_id"]].established != bool(sa["established"])
            )
        ]
        assert wrong == []
        return
    matched, missing, unexpected = match(expected, got)
    assert ([e.origin for e in missing], [describe(s) for s in unexpected]) == (
        [],
        [],
    ), "(expected SAs not found, reported SAs not expected)"
    problems = []
    for e, sa in matched:
        facts = (sa.get("role"), remote_host(sa), bool(sa["established"]))
        if facts != (e.role, e.remote_host, e.established):
            problems.append(
                f"uid {e.unique_id}: (role, peer, established) = {facts}, "
                f"expected {(e.role, e.remote_host, e.established)}"
            )
        if not e.established and sa.get("failure") is None:
            problems.append(f"uid {e.unique_id}: failed SA without failure")
        if e.established and not e.has_errors and sa.get("failure") is not None:
            problems.append(f"uid {e.unique_id}: failure {sa['failure']}")
    assert problems == []


@pytest.mark.parametrize(("scenario", "instance", "layout"), CASES, ids=CASE_IDS)
def test_unique_ids(scenario: str, instance: str, layout: str) -> None:
    """Tagged layouts give every SA its ``<name|uid>`` id.  Untagged ones must
    report the id wherever the log spells it (``IKE_SA eap[1] ...``); an SA
    whose id never appears may have ``unique_id`` null, never a wrong one."""
    expected = lt.expected_view(scenario, instance)
    got: list[SA] = analyzed(scenario, instance, layout)["ike_sas"]
    matched, _, _ = match(expected, got)
    if layout in lt.TAGGED_LAYOUTS:
        known = {e.unique_id for e in expected}
    else:
        known = lt.revealed_uids(scenario, instance, layout)
    wrong = {
        e.unique_id: sa.get("unique_id")
        for e, sa in matched
        if sa.get("unique_id") != e.unique_id
        and (e.unique_id in known or sa.get("unique_id") is not None)
    }
    assert wrong == {}, "expected uid -> reported unique_id"


@pytest.mark.parametrize(("scenario", "instance", "layout"), CASES, ids=CASE_IDS)
def test_exchange_pairs_and_retransmits(
    scenario: str, instance: str, layout: str
) -> None:
    """Per SA and per "TYPE/local|remote": pairs and request retransmits
    equal the truth-derived view of this side."""
    expected = lt.expected_view(scenario, instance)
    trace = analyzed(scenario, instance, layout)
    got: list[SA] = trace["ike_sas"]
    if lt.is_relaxed(scenario, layout):
        # Relaxed (untagged j-many-clients): the SA a line belongs to is not
        # always decidable, so per-SA counts are not compared.  Still, nothing
        # may be invented or counted twice (totals <= truth), and whatever is
        # missing must be covered by lines ikelog reported as ambiguous (each
        # missing pair or retransmit leaves at least its own line unowned).
        pairs: Counter[str] = Counter()
        retransmits: Counter[str] = Counter()
        for sa in got:
            p, r = got_counts(sa)
            pairs.update(p)
            retransmits.update(r)
        exp_pairs = lt.totals(expected, "pairs")
        exp_rtx = lt.totals(expected, "retransmits")
        over = {
            k: (v, exp.get(k, 0))
            for got_c, exp in ((pairs, exp_pairs), (retransmits, exp_rtx))
            for k, v in got_c.items()
            if v > exp.get(k, 0)
        }
        assert over == {}, "key -> (reported total, truth total)"
        missing = sum(exp_pairs.values()) - sum(pairs.values())
        missing += sum(exp_rtx.values()) - sum(retransmits.values())
        assert missing <= trace.get("ambiguous", 0), (
            f"{missing} pairs/retransmits neither attributed nor ambiguous"
        )
        return
    matched, missing_sas, _ = match(expected, got)
    assert [e.origin for e in missing_sas] == [], "expected SAs not found"
    diffs = {}
    for e, sa in matched:
        got_pairs, got_rtx = got_counts(sa)
        want = (lt.nonzero(e.pairs), lt.nonzero(e.retransmits))
        if (got_pairs, got_rtx) != want:
            diffs[e.unique_id] = {"got": (got_pairs, got_rtx), "expected": want}
    assert diffs == {}, "uid -> (pairs, retransmits)"


@pytest.mark.parametrize(("scenario", "instance", "layout"), CASES, ids=CASE_IDS)
def test_no_ambiguous_lines(scenario: str, instance: str, layout: str) -> None:
    """Only untagged j-many-clients logs may leave lines without owner, and
    there each such line is listed with the two or more SAs it could be of."""
    trace = analyzed(scenario, instance, layout)
    if not lt.is_relaxed(scenario, layout):
        assert trace.get("ambiguous", 0) == 0
        return
    jobs = trace["ambiguous_jobs"]
    assert trace["ambiguous"] == sum(len(j["lines"]) for j in jobs) > 0
    for job in jobs:
        assert len(job["candidates"]) >= 2, job
        assert job["first_line"] == min(job["lines"])


UNTAGGED_CASES = [c for c in CASES if c[2] not in lt.TAGGED_LAYOUTS]


@functools.cache
def loaded(scenario: str, instance: str, layout: str) -> Any:
    import ikelog

    return ikelog.load(lt.log_path(scenario, instance, layout))


@pytest.mark.parametrize(
    ("scenario", "instance", "layout"),
    UNTAGGED_CASES,
    ids=[f"{s}/{i}/{layout}" for s, i, layout in UNTAGGED_CASES],
)
def test_untagged_lines_go_to_their_own_sa(
    scenario: str, instance: str, layout: str
) -> None:
    """Each line an untagged layout gives to an SA is that SA's in the tagged
    log of the same run, and each line it leaves undecided lists its real
    SA among the candidates (an SA the log never names is one of the
    stand-ins for such SAs). Nothing is guessed."""
    owners = lt.line_owners(scenario, instance, layout)
    trace = loaded(scenario, instance, layout)
    named = {sa.unique_id for sa in trace.ike_sas if sa.unique_id is not None}
    wrong = []
    for sa in trace.ike_sas:
        for _, line in sa.owned:
            true = owners.get(line)
            if true is None or sa.unique_id is None or true == sa.unique_id:
                continue
            # lines of an IKE rekey carry either end's tag ("initiating
            # IKE_SA x[new]" the old one's, the new proposal the new one's)
            if true not in (sa.rekeyed_from, sa.rekeyed_to):
                wrong.append((line, sa.label, true))
    assert not wrong, wrong[:10]
    # an SA the log never names holds one real SA's lines, never a named one's
    for sa in trace.ike_sas:
        if sa.unique_id is None:
            true_owners = {owners.get(line) for _, line in sa.owned} - {None}
            assert len(true_owners) <= 1 and not true_owners & named, (
                sa.label,
                true_owners,
            )
    missed = []
    for job in trace.replay.ambiguous:
        cands = {sa.unique_id for sa in job.owners()}
        for e in job.events:
            true = owners.get(e.line)
            if true is None or true in cands or (None in cands and true not in named):
                continue
            missed.append((e.line, true, sorted(map(str, cands))[:5]))
    assert not missed, missed[:10]
