"""Expected per-log views of the lab scenarios, derived from their truth.json.

The lab corpus (``shared/corpus/lab``, see its README.md) holds real strongSwan
sessions.  ``truth.json`` is counted from the packet capture: ``ike_sas[]`` has
one entry per SPI pair, with per-exchange counts and a ``messages[]`` list per
message id and requester.  ``log_ike_sas{gw, c1, ...}`` lists the IKE SAs each
daemon logged (by IKE_SA unique id, read from its ``charon-ms-level.log``).

A log shows one daemon's view, which is not the capture's view.  This module
turns truth into what one log instance (``gw`` or ``cK``) can show:

* **Which SAs.**  The gateway log holds every truth SA that has a ``gw_uid``.
  A truth SA without ``gw_uid`` never reached charon (``g-gateway-unreachable``:
  nftables dropped every packet), so the gateway log has no SA for it.  A
  client log holds exactly the truth SAs whose initiator or responder is that
  client's address (``10.99.0.1K`` for ``cK``, per the README).
* **INVALID_KE splits an SA on the gateway only.**  When the gateway answers
  IKE_SA_INIT with ``N(INVAL_KE)`` the client retries with the same SPI and
  message id 0, so the capture (and the client log) has one SA.  The gateway,
  however, destroyed the rejected IKE_SA and made a new one for the retry, so
  its log has an extra failed SA with a request and an ``N(INVAL_KE)``
  response (``q-ss6-proposal-mismatch`` gw uid 2).
* **Challenges are not pairs.**  truth counts an IKE_SA_INIT answered by
  ``N(COOKIE)`` as a ``cookie_challenge`` and one answered by ``N(INVAL_KE)`` as
  an ``invalid_ke_response``, never as a pair; the retried request is a
  ``cookie_retry``, not a retransmit.  On the gateway a COOKIE response is not
  even tied to an SA (charon keeps no state for it), so it must not become one.
* **IKE rekeys.**  A rekey creates a new SPI pair, i.e. a second truth entry
  whose first exchange is CREATE_CHILD_SA; each log has a second SA for it.
* **Pairs** (request and response of one message id from one requester) are
  seen by both peers: the requester logs ``generating ... request`` and
  ``parsed ... response``, the responder the converse.  Hence the expected
  pair counts are truth's, on either side, split by who sent the request
  (``local``/``remote`` from the side's point of view).
* **Retransmits.**  The requester logs every retransmit it sends (``retransmit
  N of request with message ID M``), so on the requester's side the truth count
  is exact.  The responder only sees retransmits that reach an existing SA
  (``received retransmit of request with ID M, retransmitting response``).  It
  cannot attribute the ones it dropped before an SA existed or without naming
  it: ``ignoring IKE_SA setup from X, per-IP half-open IKE_SA limit of 5
  reached`` and ``ignoring request with ID 0, already processing`` carry no
  SA, and the SPI of an ignored IKE_SA_INIT was never learned.  truth cannot
  tell how many of its retransmits were of which kind, so on the responder's
  side the expected value is read from the tagged reference log
  (``charon-ms-level.log``, the same file truth's ``log_ike_sas`` comes from)
  and checked to be at most truth's count.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
LAB = CORPUS / "lab"

#: IKEv2 scenarios with a truth.json (the IKEv1 ``l-*``/``m-*`` are out of scope,
#: ``a3-seed-like-journal`` has journal exports only).
SCENARIOS: tuple[str, ...] = (
    "a-seed-like",
    "a2-eap-tls-nak",
    "b-psk-site-rekey",
    "c-proposal-mismatch",
    "d-eap-wrong-password",
    "f-ts-unacceptable",
    "g-gateway-unreachable",
    "j-many-clients",
    "k-xfrm-kernel-only",
    "p-ss6-seed-eap-dynamic",
    "q-ss6-proposal-mismatch",
    "r-ss6-psk-rekey",
)

GW = "gw"
GW_HOST = "10.99.0.1"
#: Layouts written for the gateway (all the same session).
GW_LAYOUTS: tuple[str, ...] = (
    "charon.log",
    "charon-ms-level.log",
    "charon-plain.log",
    "charon-stderr.log",
    "syslog.log",
    "swanctl-log.txt",
)
#: Extra gateway layout of a-seed-like only: charon.log format at level 2.
GW_EXTRA_LAYOUTS: dict[str, tuple[str, ...]] = {
    "a-seed-like": ("charon-lvl2-ike-net-enc.log",),
}
CLIENT_LAYOUTS: tuple[str, ...] = (
    "charon.log",
    "charon-ms-level.log",
    "charon-stderr.log",
)
#: Layouts whose lines carry the ``<name|uid>`` prefix.
TAGGED_LAYOUTS: frozenset[str] = frozenset(
    {"charon.log", "charon-ms-level.log", "syslog.log", "charon-lvl2-ike-net-enc.log"}
)
#: The tagged log truth's ``log_ike_sas`` was read from.
REFERENCE_LOG = "charon-ms-level.log"

#: The scenario whose untagged layouts cannot attribute every line (200 SAs
#: from 5 addresses running concurrently).
CROWDED = "j-many-clients"

# An exchange key is "<EXCHANGE_TYPE>/<local|remote>", the second part telling
# who sent the request, as seen by the log's own daemon.
Counts = dict[str, int]


def key(exchange: str, requester: str) -> str:
    """Key for counts of one exchange type requested by ``requester``."""
    return f"{exchange}/{requester}"


def nonzero(counts: Counts) -> Counts:
    """``counts`` without zero entries, sorted by key (for comparisons)."""
    return {k: v for k, v in sorted(counts.items()) if v}


def host(endpoint: str) -> str:
    """``"10.99.0.11[500]"`` -> ``"10.99.0.11"``."""
    return endpoint.split("[", 1)[0]


def client_host(instance: str) -> str:
    """Address of client instance ``cK``: ``10.99.0.1K`` (README, "How the
    daemons were run"); checked against the logs in :func:`expected_view`."""
    if not re.fullmatch(r"c[1-9]", instance):
        raise ValueError(f"not a client instance: {instance}")
    return f"10.99.0.1{instance[1:]}"


def instance_host(instance: str) -> str:
    return GW_HOST if instance == GW else client_host(instance)


def available() -> bool:
    return LAB.is_dir()


@cache
def truth(scenario: str) -> dict[str, Any]:
    with (LAB / scenario / "truth.json").open() as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def instances(scenario: str) -> list[str]:
    """``gw`` and the client instances ``c1``.. of a scenario."""
    clients = sorted(
        p.name for p in (LAB / scenario).iterdir() if re.fullmatch(r"c\d", p.name)
    )
    return [GW, *clients]


def layouts(scenario: str, instance: str) -> tuple[str, ...]:
    if instance == GW:
        return GW_LAYOUTS + GW_EXTRA_LAYOUTS.get(scenario, ())
    return CLIENT_LAYOUTS


def log_path(scenario: str, instance: str, layout: str) -> Path:
    return LAB / scenario / instance / layout


def cases() -> Iterator[tuple[str, str, str]]:
    """Every (scenario, instance, layout) to check."""
    if not available():
        return
    for scenario in SCENARIOS:
        for instance in instances(scenario):
            for layout in layouts(scenario, instance):
                yield scenario, instance, layout


def is_relaxed(scenario: str, layout: str) -> bool:
    """True where lines cannot all be tied to an SA: untagged layouts of the
    crowded scenario.  There, concurrent SAs from one address interleave with
    no ``<name|uid>`` prefix, so per-SA exchange counts are not decidable from
    the text; only the SA set, outcomes and totals are."""
    return scenario == CROWDED and layout not in TAGGED_LAYOUTS


# --------------------------------------------------------------------------
# Facts read from the tagged reference log
# --------------------------------------------------------------------------

_TAGGED_LINE = re.compile(
    r"\d\d\[(?P<group>[A-Z]+)\d?\] <(?:(?P<name>[^|>]+)\|)?(?P<uid>\d+)> (?P<msg>.*)$"
)
_MESSAGE = re.compile(
    r"(?P<verb>generating|parsed) (?P<type>[A-Z_]+) (?P<dir>request|response) "
    r"(?P<id>\d+) \[(?P<payloads>.*)\]$"
)
_SENT_RETRANSMIT = re.compile(r"retransmit \d+ of request with message ID (\d+)$")
_SEEN_RETRANSMIT = re.compile(
    r"received retransmit of request with ID (\d+), retransmitting response$"
)
_FRAGMENT = re.compile(r"EF\(\d+/\d+\)")
_REVEALED = re.compile(r"IKE_SA (?:\(unnamed\)|[^\s\[\]]+)\[(\d+)\]")


def is_challenge(exchange: str, payloads: str) -> bool:
    """An IKE_SA_INIT response that only asks the initiator to retry: a COOKIE
    or INVALID_KE_PAYLOAD notify without an SA payload.  Not a pair in truth."""
    tokens = payloads.split()
    return (
        exchange == "IKE_SA_INIT"
        and "SA" not in tokens
        and any(t in ("N(COOKIE)", "N(INVAL_KE)") for t in tokens)
    )


@dataclass
class LogCounts:
    """Per-SA counts read from a tagged log (for checking this model)."""

    pairs: Counter[str] = field(default_factory=Counter)
    sent_retransmits: Counter[str] = field(default_factory=Counter)
    seen_retransmits: Counter[str] = field(default_factory=Counter)


@cache
def reference_counts(scenario: str, instance: str) -> dict[int, LogCounts]:
    """Pairs and retransmits per unique id, from the tagged reference log.

    A pair is counted at its response line (``parsed X response`` for local
    requests, ``generating X response`` for remote ones), once per message
    (``EF(i/n)`` fragment lines are skipped: charon also logs the whole
    message), and not for challenges.
    Retransmit lines carry only a message id; its exchange type is that of the
    latest request with that id in the same SA.
    """
    out: dict[int, LogCounts] = {}
    last_type: dict[tuple[int, str, int], str] = {}
    path = log_path(scenario, instance, REFERENCE_LOG)
    with path.open(errors="replace") as fh:
        for line in fh:
            m = _TAGGED_LINE.search(line.rstrip("\n"))
            if not m:
                continue
            uid, msg = int(m["uid"]), m["msg"]
            counts = out.setdefault(uid, LogCounts())
            if mm := _MESSAGE.match(msg):
                local = (mm["verb"] == "generating") == (mm["dir"] == "request")
                who = "local" if local else "remote"
                mid = int(mm["id"])
                if mm["dir"] == "request":
                    last_type[(uid, who, mid)] = mm["type"]
                    continue
                if _FRAGMENT.search(mm["payloads"]):
                    continue  # fragments; the whole message has its own line
                if not is_challenge(mm["type"], mm["payloads"]):
                    counts.pairs[key(mm["type"], who)] += 1
            elif mm := _SENT_RETRANSMIT.search(msg):
                exch = last_type[(uid, "local", int(mm[1]))]
                counts.sent_retransmits[key(exch, "local")] += 1
            elif mm := _SEEN_RETRANSMIT.search(msg):
                exch = last_type[(uid, "remote", int(mm[1]))]
                counts.seen_retransmits[key(exch, "remote")] += 1
    return out


@cache
def revealed_uids(scenario: str, instance: str, layout: str) -> frozenset[int]:
    """Unique ids an (untagged) log spells out, as in ``IKE_SA eap[1]
    established`` or 6.x's ``is initiating IKE_SA (unnamed)[2]``.  An SA whose
    id never appears this way (a 5.9.8 SA that failed before being named) can
    only be reported with ``unique_id`` null from such a log."""
    text = log_path(scenario, instance, layout).read_text(errors="replace")
    return frozenset(int(u) for u in _REVEALED.findall(text))


# --------------------------------------------------------------------------
# Expected view
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedSA:
    """One IKE SA as a given log instance can show it."""

    unique_id: int
    role: str  # "initiator" / "responder", of this instance
    remote_host: str
    established: bool
    #: True when truth/log records errors for this SA (CHILD_SA failures too).
    has_errors: bool
    #: Pairs per "TYPE/local|remote" (challenges excluded).
    pairs: Counts
    #: Retransmits of requests seen in this log, per "TYPE/local|remote".
    retransmits: Counts
    #: truth.json entry this comes from, for messages.
    origin: str


def _requests_by_side(sa: dict[str, Any], side_host: str, field_name: str) -> Counts:
    """Sum ``field_name`` of truth ``messages[]`` per exchange key as seen from
    ``side_host``."""
    init_host = host(sa["initiator"])
    counts: Counts = Counter()
    for msg in sa["messages"]:
        requester_host = (
            init_host
            if msg["requester"] == "original_initiator"
            else host(sa["responder"])
        )
        who = "local" if requester_host == side_host else "remote"
        counts[key(msg["exchange"], who)] += int(msg.get(field_name, 0))
    return dict(counts)


def _pairs(sa: dict[str, Any], side_host: str) -> Counts:
    """truth pairs of one SA split by requester.  ``messages[]`` has one entry
    per (message id, requester); an entry is a pair when its request got a
    response, except that a response that was only a COOKIE/INVALID_KE
    challenge does not count (truth's ``exchanges`` says so, and this is
    checked against it)."""
    init_host = host(sa["initiator"])
    counts: Counts = Counter()
    for msg in sa["messages"]:
        requester_host = (
            init_host
            if msg["requester"] == "original_initiator"
            else host(sa["responder"])
        )
        who = "local" if requester_host == side_host else "remote"
        challenges = msg.get("cookie_challenges", 0) + msg.get(
            "invalid_ke_responses", 0
        )
        answered = msg["response_transmissions"] > challenges
        counts[key(msg["exchange"], who)] += int(answered)
    by_type: Counter[str] = Counter()
    for k, v in counts.items():
        by_type[k.split("/")[0]] += v
    for exch, stats in sa["exchanges"].items():
        if by_type[exch] != stats["pairs"]:
            raise AssertionError(
                f"{sa['ispi']}: messages[] give {by_type[exch]} {exch} pairs, "
                f"exchanges says {stats['pairs']}"
            )
    return dict(counts)


def _retransmits(sa: dict[str, Any], side_host: str, seen: LogCounts | None) -> Counts:
    """Requester side: truth's count.  Responder side: what the reference log
    attributed to this SA, which must not exceed truth's count."""
    truth_counts = _requests_by_side(sa, side_host, "request_retransmits")
    out: Counts = {}
    for k, n in truth_counts.items():
        if k.endswith("/local"):
            out[k] = n
            continue
        got = seen.seen_retransmits[k] if seen else 0
        if got > n:
            raise AssertionError(f"{sa['ispi']}: log saw {got} {k} retransmits > {n}")
        out[k] = got
    return out


def _is_established(entry: dict[str, Any]) -> bool:
    return bool(entry["established"])


def _log_entries(scenario: str, instance: str) -> dict[int, dict[str, Any]]:
    entries = truth(scenario)["log_ike_sas"].get(instance, [])
    return {int(e["uid"]): e for e in entries}


def _gw_view(scenario: str) -> list[ExpectedSA]:
    data = truth(scenario)
    logged = _log_entries(scenario, GW)
    ref = reference_counts(scenario, GW)
    view: dict[int, ExpectedSA] = {}
    split_offs: Counter[str] = Counter()  # INVALID_KE retries per peer host
    for sa in data["ike_sas"]:
        uid = sa.get("gw_uid")
        if uid is None:
            outcome = sa.get("outcome_gw_log", {}).get("outcome", "")
            if not outcome.startswith("no gateway IKE_SA"):
                raise AssertionError(f"{scenario} {sa['ispi']}: no gw_uid: {outcome}")
            continue  # never reached charon: the gateway log cannot show it
        entry = logged[uid]
        peer = host(
            sa["responder"] if host(sa["initiator"]) == GW_HOST else sa["initiator"]
        )
        view[uid] = ExpectedSA(
            unique_id=uid,
            role="initiator" if host(sa["initiator"]) == GW_HOST else "responder",
            remote_host=peer,
            established=_is_established(entry),
            has_errors=bool(entry["errors"]),
            pairs=_pairs(sa, GW_HOST),
            retransmits=_retransmits(sa, GW_HOST, ref.get(uid)),
            origin=f"truth ike_sas ispi={sa['ispi']}",
        )
        split_offs[peer] += (
            sa["exchanges"].get("IKE_SA_INIT", {}).get("invalid_ke_responses", 0)
        )
    for uid, entry in logged.items():
        if uid in view:
            continue
        # Only an IKE_SA_INIT answered with INVALID_KE explains a gateway SA
        # that no SPI pair of the capture maps to (see module docstring).
        peer = entry["remote"]
        if split_offs[peer] <= 0 or entry["established"]:
            raise AssertionError(f"{scenario}: gw uid {uid} is not in ike_sas")
        split_offs[peer] -= 1
        view[uid] = ExpectedSA(
            unique_id=uid,
            role="responder",
            remote_host=peer,
            established=False,
            has_errors=True,
            pairs={key("IKE_SA_INIT", "remote"): 0},
            retransmits={key("IKE_SA_INIT", "remote"): 0},
            origin=f"gw log uid {uid}: IKE_SA_INIT answered with INVALID_KE",
        )
    order = sorted(view, key=lambda u: logged[u]["first_ts"])
    return [view[u] for u in order]


def _match_client_entries(
    scenario: str, instance: str, sas: list[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Map client log uid -> truth SA.  The capture has no client uid, so:
    1. an SA with virtual IPs matches the gateway SA (``gw_uid``) that leased
       the same set (leases are unique while held);
    2. the rest pair up in order of first appearance (an IKE rekey follows
       the SA it replaces in both the log and the capture)."""
    logged = _log_entries(scenario, instance)
    gw_logged = _log_entries(scenario, GW)
    by_vips: dict[frozenset[str], dict[str, Any]] = {}
    for sa in sas:
        gw_entry = gw_logged.get(sa.get("gw_uid") or -1)
        if gw_entry and gw_entry.get("vips"):
            by_vips[frozenset(gw_entry["vips"])] = sa
    mapping: dict[int, dict[str, Any]] = {}
    for uid, entry in logged.items():
        vips = frozenset(entry.get("vips") or ())
        if vips and vips in by_vips:
            mapping[uid] = by_vips.pop(vips)
    used = {id(sa) for sa in mapping.values()}
    rest_sas = sorted(
        (sa for sa in sas if id(sa) not in used), key=lambda s: s["first_ts"]
    )
    rest_uids = sorted(
        (u for u in logged if u not in mapping), key=lambda u: logged[u]["first_ts"]
    )
    if len(rest_sas) != len(rest_uids):
        raise AssertionError(
            f"{scenario}/{instance}: {len(logged)} logged SAs, {len(sas)} in capture"
        )
    mapping.update(zip(rest_uids, rest_sas, strict=True))
    return mapping


@cache
def terminated_names(scenario: str, instance: str) -> frozenset[str]:
    """IKE SA names the lab closed with ``swanctl --terminate --ike NAME``
    (the instance's ``terminate.txt``); other SAs still up at the end were
    deleted when the daemon shut down."""
    path = LAB / scenario / instance / "terminate.txt"
    if not path.exists():
        return frozenset()
    return frozenset(
        re.findall(
            r"^### swanctl --terminate --ike (\S+)", path.read_text(), re.MULTILINE
        )
    )


def _unlogged_final_response(
    scenario: str, instance: str, sa: dict[str, Any], entry: dict[str, Any]
) -> bool:
    """Whether the client's log lacks the response to its last request.

    charon fires two kinds of INFORMATIONAL and destroys the IKE_SA at once,
    so a response the capture shows arrives for an SA that no longer exists
    and is dropped without a log line:
    * the ``N(AUTH_FAILED)`` notify a client sends after its authentication
      failed (``d-eap-wrong-password``, the failed users of ``j``);
    * the DELETE sent while the daemon shuts down (SIGTERM), i.e. for an SA
      that was still up (established, not rekeyed away) and not closed with
      ``swanctl --terminate`` (``j``: all but u1..u5 of each client).
    """
    me = client_host(instance)
    own = [
        m
        for m in sa["messages"]
        if (host(sa["initiator"]) == me) == (m["requester"] == "original_initiator")
    ]
    if not own:
        return False
    last = max(own, key=lambda m: m["t"])
    if last["exchange"] != "INFORMATIONAL" or not last["response_transmissions"]:
        return False
    if not entry["established"]:
        return True
    at_shutdown = not set(entry["names"]) & terminated_names(scenario, instance)
    return bool(entry["deleted"]) and not entry["rekeyed"] and at_shutdown


def _client_view(scenario: str, instance: str) -> list[ExpectedSA]:
    me = client_host(instance)
    sas = [
        sa
        for sa in truth(scenario)["ike_sas"]
        if me in (host(sa["initiator"]), host(sa["responder"]))
    ]
    logged = _log_entries(scenario, instance)
    ref = reference_counts(scenario, instance)
    view = []
    for uid, sa in sorted(_match_client_entries(scenario, instance, sas).items()):
        entry = logged[uid]
        line = entry.get("established_line") or ""
        if line and f" {me}[" not in f" {line.split(' between ', 1)[-1]}":
            raise AssertionError(f"{scenario}/{instance}: not {me}: {line}")
        initiator = host(sa["initiator"]) == me
        pairs = _pairs(sa, me)
        if _unlogged_final_response(scenario, instance, sa, entry):
            pairs[key("INFORMATIONAL", "local")] -= 1
        view.append(
            ExpectedSA(
                unique_id=uid,
                role="initiator" if initiator else "responder",
                remote_host=host(sa["responder"] if initiator else sa["initiator"]),
                established=_is_established(entry),
                has_errors=bool(entry["errors"]) or bool(entry["children_failed"]),
                pairs=pairs,
                retransmits=_retransmits(sa, me, ref.get(uid)),
                origin=f"truth ike_sas ispi={sa['ispi']}",
            )
        )
    view.sort(key=lambda e: logged[e.unique_id]["first_ts"])
    return view


@cache
def expected_view(scenario: str, instance: str) -> tuple[ExpectedSA, ...]:
    """The IKE SAs the log of ``instance`` (``gw``/``cK``) of ``scenario``
    can show, in order of first appearance, whatever its layout."""
    if instance == GW:
        return tuple(_gw_view(scenario))
    return tuple(_client_view(scenario, instance))


def totals(view: tuple[ExpectedSA, ...], attr: str) -> Counts:
    """Sum of ``pairs`` or ``retransmits`` over all SAs of a view."""
    out: Counter[str] = Counter()
    for sa in view:
        out.update(getattr(sa, attr))
    return nonzero(dict(out))


# --------------------------------------------------------------------------
# who owns each line: an untagged layout against its tagged twin
# --------------------------------------------------------------------------

_TWIN_PREFIX = re.compile(
    r"^(?:[A-Z][a-z]{2} [ \d]\d [\d:.]+ )?(?:\S+ \S+ charon(?:\[\d+\])?: )?"
)
_TWIN_LINE = re.compile(r"^(\d\d)\[([A-Z]+)\d?\] (?:<(?:[^|>]+\|)?(\d+)> )?(.*)$")


def _thread_lines(path: Path) -> dict[str, list[tuple[int, str, int | None]]]:
    """Per worker thread: (line number, group and message, tagged unique id)."""
    out: dict[str, list[tuple[int, str, int | None]]] = {}
    with path.open(errors="replace") as f:
        for n, raw in enumerate(f, 1):
            m = _TWIN_LINE.match(_TWIN_PREFIX.sub("", raw.rstrip("\n"), count=1))
            if m:
                uid = int(m[3]) if m[3] else None
                out.setdefault(m[1], []).append((n, f"{m[2]} {m[4]}", uid))
    return out


def line_owners(scenario: str, instance: str, layout: str) -> dict[int, int | None]:
    """The unique id of the SA each line of an untagged ``layout`` belongs
    to (``None``: no SA), read off the tagged reference log of the same run.

    Every logger of one daemon gets each thread's lines in the order the
    thread wrote them, so a thread's lines in both files are one sequence
    (``swanctl --log`` may miss some and deliver threads interleaved
    differently, so the two sequences are aligned, not zipped).
    """
    import difflib

    folder = LAB / scenario / instance
    ref = _thread_lines(folder / REFERENCE_LOG)
    owners: dict[int, int | None] = {}
    for thread, lines in _thread_lines(folder / layout).items():
        theirs = ref.get(thread, [])
        match = difflib.SequenceMatcher(
            None, [t for _, t, _ in lines], [t for _, t, _ in theirs], autojunk=False
        )
        for i, j, size in match.get_matching_blocks():
            for k in range(size):
                owners[lines[i + k][0]] = theirs[j + k][2]
    return owners
