"""Streaming replay (``Replay(retain=False)``) of long gateway logs.

The logs are built as the benchmark builds them: copies of the lab's
200-client gateway log (bundled in samples/), each a new daemon run with
new unique ids, SPIs, client addresses and users; once as charon writes
it with ``ike_name = yes`` and once without the ``<name|id>`` tags, as it
writes by default. Streaming must reconstruct what ``ikelog.load`` does
while holding only the SAs of the last runs.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

import ikelog
from ikelog.replay.machine import Replay
from ikelog.replay.model import IkeSa
from ikelog.sources import EventReader, open_text
from ikelog.trace import outcome

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from gateway_log import build

COPIES = 4


@pytest.fixture(
    scope="module", params=["tagged", "untagged", "tagged-one-run", "untagged-one-run"]
)
def gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The lab's gateway log four times over: four daemon runs, or (one-run)
    one daemon that never restarts, so only ended SAs can be forgotten."""
    path = tmp_path_factory.mktemp("stream") / f"gateway-{request.param}.log"
    build(
        path,
        COPIES,
        untagged=request.param.startswith("untagged"),
        one_run=request.param.endswith("one-run"),
    )
    return path


def _stream(path: Path) -> tuple[list[IkeSa], Replay]:
    closed: list[IkeSa] = []
    replay = Replay(retain=False, on_close=closed.append)
    replay.feed_all(EventReader(open_text(str(path)), year=2026))
    return closed, replay


def test_stream_reconstructs_what_load_does(gateway: Path) -> None:
    closed, replay = _stream(gateway)
    streamed = closed + replay.sas
    loaded = ikelog.load(gateway, year=2026).ike_sas
    # every run: 195 clients established, 5 failed (the lab's truth)
    want = {"established": 195 * COPIES, "failed": 5 * COPIES}
    assert Counter(outcome(sa) for sa in loaded) == want
    assert Counter(outcome(sa) for sa in streamed) == want
    uids = Counter(sa.unique_id for sa in streamed if sa.established)
    assert uids == Counter(sa.unique_id for sa in loaded if sa.established)
    assert max(uids.values()) == 1 and len(uids) == 195 * COPIES
    # run 3 reuses run 0's clients shifted by 3000 in their ids
    assert {u for u in uids if u is not None and u > 3000} == {
        u + 3000 for u in uids if u is not None and u < 1000
    }


def test_stream_forgets_ended_sas(gateway: Path) -> None:
    closed, replay = _stream(gateway)
    # only the last run's SAs (and those ended within the grace) are held
    assert len(replay.sas) <= 2 * 200
    assert len(closed) >= (COPIES - 2) * 200
    assert not replay._merge_candidates  # every inferred merge was settled
