"""Figures (ikelog/plots.py): what each one draws, counted on its axes."""

from __future__ import annotations

import sys

import pytest

import ikelog
from ikelog.trace import Trace

from .conftest import SAMPLES, corpus

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure
from matplotlib.text import Annotation

from ikelog import plots


@pytest.fixture(scope="module")
def seed() -> Trace:
    return ikelog.load(SAMPLES / "windows-eap-mschapv2.log", year=2025)


@pytest.fixture(scope="module")
def many() -> Trace:
    return ikelog.load(SAMPLES / "lab-many-clients-gateway.log.gz", year=2026)


def test_timeline_has_one_bar_per_sa_and_child(many: Trace) -> None:
    fig = plots.sa_timeline(many)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    sas, kids = many.tables.ike_sas, many.tables.child_sas
    assert len(ax.patches) == len(sas) + len(kids) == 200 + 195
    failed = [
        p
        for p in ax.patches[: len(sas)]
        if p.get_facecolor()[:3] == _rgb(plots.OUTCOME_COLOURS["failed"])
    ]
    assert len(failed) == 5
    assert ax.get_xlabel() == "time"


def test_timeline_limit(many: Trace) -> None:
    (ax,) = plots.sa_timeline(many, limit=10).axes
    kids = many.tables.child_sas
    assert len(ax.patches) == 10 + int((kids["sa"] < 10).sum())
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["eap[1]", "eap[2]"]


def test_exchanges_over_time_counts_every_exchange(many: Trace) -> None:
    fig = plots.exchanges_over_time(many)
    (ax,) = fig.axes
    total = sum(p.get_height() for p in ax.patches)
    assert total == len(many.tables.exchanges)
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert labels == {"IKE_SA_INIT", "IKE_AUTH", "INFORMATIONAL"}


def test_exchanges_over_time_fixed_bins(many: Trace) -> None:
    (ax,) = plots.exchanges_over_time(many, seconds=60).axes
    assert ax.get_ylabel() == "exchanges per 60 s"


def test_ladder_draws_two_arrows_per_exchange(seed: Trace) -> None:
    sa = seed.sa("eap", 3)
    (ax,) = plots.ladder(sa).axes
    arrows = [c for c in ax.get_children() if isinstance(c, Annotation)]
    assert len(arrows) == 2 * len(sa.exchanges) == 24
    texts = [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]
    assert "IKE_AUTH 6 request: AUTH" in texts
    assert ax.get_title() == "eap[3]: 12 exchanges"


def test_ladder_marks_a_missing_response() -> None:
    trace = ikelog.load(SAMPLES / "lab-client-gateway-unreachable.log", year=2025)
    (sa,) = trace.ike_sas
    (ax,) = plots.ladder(sa).axes
    texts = [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]
    assert "IKE_SA_INIT 0 response: not in log" in texts


def test_plots_without_timestamps_use_line_numbers() -> None:
    lines = (SAMPLES / "lab-gateway-eap-and-certs.log").read_text().splitlines()
    trace = ikelog.read_lines([line[16:] for line in lines], layout="plain")
    assert trace.replay.first_ts is None
    (ax,) = plots.sa_timeline(trace).axes
    assert ax.get_xlabel() == "log line"
    (ax,) = plots.exchanges_over_time(trace).axes
    assert ax.get_xlabel() == "log line"
    assert sum(p.get_height() for p in ax.patches) == len(trace.tables.exchanges)


def test_missing_matplotlib_names_the_extra(
    seed: Trace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"ikelog\[plot\]"):
        plots.sa_timeline(seed)


def _rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def test_a_listing_without_exchanges_still_plots() -> None:
    trace = ikelog.load(corpus("public/19-swanctl-list-sas-duplicate-ike-sas.log"))
    assert trace.tables.exchanges.empty
    fig = plots.exchanges_over_time(trace)
    assert fig.axes[0].get_title() == "no exchanges in this log"
