"""Every file of the shared corpus goes through ``ikelog.load``.

What is loaded: every regular file under ``../shared/corpus``: charon logs
in all lab layouts, the public excerpts, the seed, journal exports in every
``journalctl -o`` format, strongSwan 6 JSON logs, ``swanctl`` transcripts and
snapshots, configs, truth.json files, READMEs and the PKI ``.pem`` files.
Most of these are not charon logs; ikelog must still read them without an
exception and account for every line (``total == understood +
unrecognized``, ``total`` = the file's own line count).  Only for the lab's
charon logs at the default log level is 0 unrecognized required.

What is not: the ``ike.pcap`` captures.  They are binary, and the right
answer for them is a clean refusal, ``InputError`` ("binary data"), which
:func:`test_pcap_is_refused_cleanly` checks, not a line count.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

import ikelog

from .conftest import CORPUS, corpus

#: The lab's charon logs at the default level (see lab/README.md, "Layouts").
DEFAULT_LEVEL_LOGS = frozenset(
    {
        "charon.log",
        "charon-ms-level.log",
        "charon-plain.log",
        "charon-stderr.log",
        "syslog.log",
        "swanctl-log.txt",
    }
)
LEVEL2_LOG = ("lab", "a-seed-like", "gw", "charon-lvl2-ike-net-enc.log")


def _files(pattern: str = "**/*") -> list[str]:
    """Corpus files (relative, posix) matching ``pattern``; a placeholder when
    the corpus is absent, so that the test runs and skips with a reason."""
    if not CORPUS.is_dir():
        return ["seed/windows-eap-mschapv2.log"]
    return sorted(
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.glob(pattern)
        if p.is_file() and not p.is_symlink()
    )


ALL = _files()
TEXT_FILES = [f for f in ALL if not f.endswith(".pcap")]
PCAPS = [f for f in ALL if f.endswith(".pcap")] or ["lab/a-seed-like/ike.pcap"]
LAB_DEFAULT = [
    f
    for f in TEXT_FILES
    if f.startswith("lab/") and f.rsplit("/", 1)[-1] in DEFAULT_LEVEL_LOGS
] or ["lab/a-seed-like/gw/charon.log"]
PUBLIC = [
    f for f in TEXT_FILES if f.startswith(("public/", "seed/")) and f.endswith(".log")
]


def line_count(data: bytes) -> int:
    """Newline-separated lines; a last line without ``\\n`` counts too."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


@functools.cache
def counts(rel: str) -> tuple[int, int, int, str]:
    """(total, understood, unrecognized, layout) of one corpus file; cached so
    that the checks below load each file once."""
    trace = ikelog.load(corpus(*rel.split("/")))
    c = trace.counts
    return c.total, c.understood, c.unrecognized, trace.layout


@pytest.mark.parametrize("rel", TEXT_FILES)
def test_loads_and_accounts_for_every_line(rel: str) -> None:
    path: Path = corpus(*rel.split("/"))
    total, understood, unrecognized, _ = counts(rel)
    assert total == understood + unrecognized
    assert total == line_count(path.read_bytes())


@pytest.mark.parametrize("rel", LAB_DEFAULT)
def test_lab_default_level_logs_are_fully_understood(rel: str) -> None:
    total, _, unrecognized, layout = counts(rel)
    assert total > 0
    assert unrecognized == 0, f"{unrecognized} of {total} lines ({layout})"


def test_level2_log_is_almost_fully_understood() -> None:
    rel = "/".join(LEVEL2_LOG)
    corpus(*LEVEL2_LOG)
    total, _, unrecognized, layout = counts(rel)
    assert layout == "filelog"
    assert total == 3642
    assert unrecognized / total < 0.02, f"{unrecognized} of {total} unrecognized"


@pytest.mark.parametrize("rel", PCAPS)
def test_pcap_is_refused_cleanly(rel: str) -> None:
    path = corpus(*rel.split("/"))
    with pytest.raises(ikelog.InputError, match="binary data"):
        ikelog.load(path)


def test_understood_share_of_public_logs(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints, never asserts: how much of each public excerpt ikelog reads."""
    if not PUBLIC:
        pytest.skip(f"shared corpus not available: {CORPUS}")
    rows = []
    for rel in PUBLIC:
        total, understood, unrecognized, layout = counts(rel)
        assert total == understood + unrecognized
        share = understood / total if total else 1.0
        rows.append(f"{share:7.1%} {understood:5}/{total:<5} {layout:8} {rel}")
    with capsys.disabled():
        print("\nunderstood lines of the public logs:")
        print("\n".join(rows))
