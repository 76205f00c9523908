"""Bad and unusual input: never a traceback.

``ikelog.load`` either reads the input (every line counted, the same SAs as
the clean file) or raises :class:`ikelog.InputError`; the CLI turns the
latter into one ``ikelog: ...`` line on stderr and exit code 2 (README,
"Use").  All files are made in ``tmp_path`` from the seed sample.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import threading
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app
from ikelog.sources import TruncatedInput, open_text

from .conftest import SAMPLES, corpus

SEED_PATH = SAMPLES / "windows-eap-mschapv2.log"
SEED = SEED_PATH.read_bytes()
SEED_LINES = 116
MiB = 1024 * 1024

runner = CliRunner()


def sas(trace: ikelog.Trace) -> list[dict[str, Any]]:
    return trace.to_dict()["ike_sas"]


@pytest.fixture(scope="module")
def clean() -> ikelog.Trace:
    return ikelog.load(SEED_PATH, year=2025)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def cli_fails(args: list[str], input: bytes | None = None) -> str:
    """Run ``ikelog analyze ARGS``; it must fail with exit 2 and one
    ``ikelog:`` line on stderr, nothing on stdout and no traceback."""
    result = runner.invoke(app, ["analyze", *args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("ikelog: "), lines
    return lines[0]


# -- what cannot be read: InputError / exit 2 ---------------------------------


def test_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ikelog.InputError, match="no such file"):
        ikelog.load(tmp_path / "nope.log")
    monkeypatch.chdir(tmp_path)
    assert cli_fails(["nope.log"]) == "ikelog: nope.log: no such file"


def test_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "logs").mkdir()
    with pytest.raises(ikelog.InputError, match="directory"):
        ikelog.load(tmp_path / "logs")
    monkeypatch.chdir(tmp_path)
    assert "directory" in cli_fails(["logs"])


def test_binary_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "core", b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(256))
    with pytest.raises(ikelog.InputError, match="binary"):
        ikelog.load(path)
    monkeypatch.chdir(tmp_path)
    assert "binary" in cli_fails(["core"])


def test_binary_stdin() -> None:
    assert "binary" in cli_fails(["-"], input=b"\x00\x01\x02" + SEED)


def test_empty_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "empty.log", b"")
    trace = ikelog.load(path)
    assert (trace.counts.total, trace.ike_sas) == (0, [])
    monkeypatch.chdir(tmp_path)
    assert "empty" in cli_fails(["empty.log"])


def test_empty_stdin() -> None:
    assert "empty" in cli_fails(["-"], input=b"")


def test_unknown_layout() -> None:
    assert "unknown layout" in cli_fails(["--layout", "nope", str(SEED_PATH)])


def broken_gzip(tmp_path: Path) -> Path:
    """A gzip file whose deflate stream is damaged after the header."""
    data = bytearray(gzip.compress(SEED))
    data[20:120] = b"\xff" * 100
    return write(tmp_path, "broken.log.gz", bytes(data))


def test_corrupt_gzip(tmp_path: Path) -> None:
    """A clean InputError, not zlib.error."""
    with pytest.raises(ikelog.InputError):
        ikelog.load(broken_gzip(tmp_path))


def test_corrupt_gzip_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken_gzip(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert "broken.log.gz" in cli_fails(["broken.log.gz"])


@pytest.mark.parametrize(
    "compress", [gzip.compress, bz2.compress, lzma.compress], ids=["gz", "bz2", "xz"]
)
def test_truncated_compressed_file(
    tmp_path: Path, compress: Callable[[bytes], bytes]
) -> None:
    """A compressed file cut short: the lines before the cut are read and
    counted, with a warning that says so."""
    packed = compress(SEED)
    path = write(tmp_path, "cut.log.z", packed[: len(packed) * 2 // 3])
    with pytest.warns(TruncatedInput, match="cut.log.z: truncated compressed file"):
        lines = list(open_text(path))
    # bzip2 gives nothing of an unfinished block (900 kB): all is cut here
    assert len(lines) < SEED_LINES
    assert len(lines) > 0 or compress is bz2.compress
    text = "".join(lines).encode()
    assert SEED.startswith(text)
    with pytest.warns(TruncatedInput):
        trace = ikelog.load(path, year=2025)
    assert trace.counts.total == len(lines)
    assert trace.counts.total == trace.counts.understood + trace.counts.unrecognized


def test_truncated_gzip_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packed = gzip.compress(SEED)
    write(tmp_path, "cut.log.gz", packed[: len(packed) * 2 // 3])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["analyze", "--json", "cut.log.gz"])
    assert result.exit_code == 0, result.output
    warned = result.stderr.splitlines()
    assert len(warned) == 1, warned
    assert warned[0].startswith("ikelog: warning: cut.log.gz: truncated compressed")
    doc = json.loads(result.stdout)
    assert 0 < doc["lines"]["total"] < SEED_LINES
    assert str(doc["lines"]["total"]) in warned[0]


def test_truncated_gzip_with_nothing_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "cut.log.gz", gzip.compress(SEED)[:12])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["analyze", "cut.log.gz"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "ikelog: warning: cut.log.gz: truncated compressed file, "
        "read the 0 lines before the cut",
        "ikelog: cut.log.gz: empty input, no log lines to analyze",
    ]


def test_gzip_of_several_members(tmp_path: Path) -> None:
    half = SEED.index(b"\n", len(SEED) // 2) + 1
    data = gzip.compress(SEED[:half]) + gzip.compress(SEED[half:])
    lines = list(open_text(write(tmp_path, "two.log.gz", data)))
    assert "".join(lines).encode() == SEED


# -- pipes and process substitution: read once, never seeked ---------------------


def fifo_with(tmp_path: Path, data: bytes) -> Path:
    """A named pipe that a thread fills with ``data`` once."""
    path = tmp_path / "pipe"
    os.mkfifo(path)

    def feed() -> None:
        with open(path, "wb") as out:
            out.write(data)

    threading.Thread(target=feed, daemon=True).start()
    return path


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_fifo_is_read(tmp_path: Path, clean: ikelog.Trace, packed: bool) -> None:
    data = gzip.compress(SEED) if packed else SEED
    trace = ikelog.load(fifo_with(tmp_path, data), year=2025)
    assert trace.counts == clean.counts
    assert sas(trace) == sas(clean)


def test_fifo_cli_analyze(tmp_path: Path, clean: ikelog.Trace) -> None:
    result = runner.invoke(
        app, ["analyze", "--json", "--year", "2025", str(fifo_with(tmp_path, SEED))]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["lines"]["total"] == SEED_LINES
    assert doc["ike_sas"] == sas(clean)


def test_fifo_cli_redact(tmp_path: Path) -> None:
    result = runner.invoke(app, ["redact", str(fifo_with(tmp_path, SEED))])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == SEED_LINES


def test_bad_now_is_only_a_now_problem(tmp_path: Path) -> None:
    assert cli_fails(["--now", "soon", str(SEED_PATH)]).startswith("ikelog: --now: ")
    message = cli_fails(["--now", "2026-01-01", str(tmp_path / "nope.log")])
    assert message == f"ikelog: {tmp_path / 'nope.log'}: no such file"


def test_redact_empty_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "empty.log", b"")
    write(tmp_path, "blank.log", b"\n  \n\t\n")  # blank lines are no log
    monkeypatch.chdir(tmp_path)
    for args, given in ((["empty.log"], None), (["blank.log"], None), (["-"], b"")):
        result = runner.invoke(app, ["redact", *args], input=given)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            f"ikelog: {args[0]}: empty input, no log lines to redact"
        ]


def test_error_message_stays_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long path must not wrap the message (stderr is no terminal)."""
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 4)
    deep.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    rel = str(deep.relative_to(tmp_path) / "missing-charon.log")
    assert cli_fails([rel]) == f"ikelog: {rel}: no such file"


# -- what must be read ----------------------------------------------------------


def test_crlf_line_endings(tmp_path: Path, clean: ikelog.Trace) -> None:
    path = write(tmp_path, "crlf.log", SEED.replace(b"\n", b"\r\n"))
    trace = ikelog.load(path, year=2025)
    assert trace.counts == clean.counts
    assert sas(trace) == sas(clean)
    assert trace.to_dict()["leases"] == clean.to_dict()["leases"]


def test_utf8_bom(tmp_path: Path, clean: ikelog.Trace) -> None:
    """A byte order mark (a log saved by a Windows editor) is not text of
    the first line."""
    trace = ikelog.load(write(tmp_path, "bom.log", b"\xef\xbb\xbf" + SEED), year=2025)
    assert trace.counts == clean.counts
    assert sas(trace) == sas(clean)


def test_latin1_bytes(tmp_path: Path) -> None:
    data = SEED.replace(b"'andi'", "'andré'".encode("latin-1"))
    trace = ikelog.load(write(tmp_path, "latin1.log", data), year=2025)
    c = trace.counts
    assert (c.total, c.understood, c.unrecognized) == (SEED_LINES, SEED_LINES, 0)
    (sa,) = sas(trace)
    assert sa["eap_identity"] == "andr\ufffd"
    assert (sa["name"], sa["unique_id"], sa["pairs_to_establish"]) == ("eap", 3, 7)
    assert {x["identity"] for x in trace.to_dict()["leases"]} == {"andr\ufffd"}


def test_invalid_utf8_inside_a_line(tmp_path: Path, clean: ikelog.Trace) -> None:
    # the received EAP identity carries two bytes that are not UTF-8
    old = b"received EAP identity 'andi'"
    data = SEED.replace(old, b"received EAP identity 'a\xff\xfei'")
    trace = ikelog.load(write(tmp_path, "bad.log", data), year=2025)
    c, k = trace.counts, clean.counts
    assert (c.total, c.understood, c.unrecognized) == (k.total, k.understood, 0)
    (sa,) = sas(trace)
    assert sa["eap_identity"] == "a\ufffd\ufffdi"
    (want,) = sas(clean)
    assert sa["exchanges"] == want["exchanges"]
    assert sa["child_sas"] == want["child_sas"]
    assert sa["pairs_to_establish"] == 7


def test_replaced_bytes_are_counted(tmp_path: Path) -> None:
    """``LineCounts.replaced_bytes`` tells how many undecodable bytes were
    replaced."""
    data = SEED.replace(b"'andi'", b"'an\xff\xfedi'", 1)
    trace = ikelog.load(write(tmp_path, "bad.log", data))
    assert trace.counts.replaced_bytes == 2


def test_nul_bytes_after_the_head(tmp_path: Path) -> None:
    """Binary junk further down than the sniffed head: read, counted."""
    data = SEED + b"\x00\x00junk\x00\n" + SEED
    trace = ikelog.load(write(tmp_path, "junk.log", data), year=2025)
    c = trace.counts
    assert c.total == 2 * SEED_LINES + 1
    assert c.total == c.understood + c.unrecognized


def test_truncated_last_line(tmp_path: Path, clean: ikelog.Trace) -> None:
    # no final newline: the last line still counts and is read
    trace = ikelog.load(write(tmp_path, "cut.log", SEED.rstrip(b"\n")), year=2025)
    assert trace.counts == clean.counts
    assert sas(trace) == sas(clean)
    # cut in the middle of the last line: counted, not understood
    cut = SEED.rstrip(b"\n")[:-12]  # "lease 10.10.1.67 by 'andi' we"
    trace = ikelog.load(write(tmp_path, "cut2.log", cut), year=2025)
    c = trace.counts
    assert (c.total, c.unrecognized) == (SEED_LINES, 1)
    (sa,) = sas(trace)
    assert (sa["name"], sa["unique_id"], sa["state"]) == ("eap", 3, "deleted")


def test_one_100_mib_line(tmp_path: Path) -> None:
    """One line of 100 MiB: counted as one unrecognized line; memory stays
    within a few times the line."""
    size = 100 * MiB
    path = tmp_path / "huge.log"
    with path.open("wb") as f:
        f.write(b"Dec  3 16:42:01 09[NET] <1> received packet: from ")
        chunk = b"x" * MiB
        for _ in range(100):
            f.write(chunk)
        f.write(b"\n")
    tracemalloc.start()
    try:
        trace = ikelog.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    c = trace.counts
    assert (c.total, c.understood, c.unrecognized) == (1, 0, 1)
    assert trace.ike_sas == []
    assert peak < 4 * size, f"peak {peak / MiB:.0f} MiB"


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)],
    ids=["gz", "bz2", "xz"],
)
def test_compressed_copies(
    tmp_path: Path,
    clean: ikelog.Trace,
    suffix: str,
    compress: Callable[[bytes], bytes],
) -> None:
    path = write(tmp_path, "seed.log" + suffix, compress(SEED))
    trace = ikelog.load(path, year=2025)
    assert trace.counts == clean.counts
    assert trace.layout == clean.layout
    assert sas(trace) == sas(clean)
    assert trace.to_dict()["leases"] == clean.to_dict()["leases"]


def test_compressed_copy_through_cli(tmp_path: Path) -> None:
    path = write(tmp_path, "seed.log.gz", gzip.compress(SEED))
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 0, result.output
    assert "eap[3]" in result.stdout
    assert "7 to establish" in result.stdout


def test_utf16_with_byte_order_mark(tmp_path: Path, clean: ikelog.Trace) -> None:
    """A log saved as "Unicode" by a Windows editor."""
    path = tmp_path / "u16.log"
    path.write_text(SEED.decode("utf-8"), encoding="utf-16")
    trace = ikelog.load(path, year=2025)
    assert trace.counts == clean.counts
    assert sas(trace) == sas(clean)


def test_zstd_file(tmp_path: Path, clean: ikelog.Trace) -> None:
    zstandard = pytest.importorskip("zstandard")
    path = tmp_path / "seed.log.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(SEED))
    assert sas(ikelog.load(path, year=2025)) == sas(clean)


def test_compressed_stdin() -> None:
    result = runner.invoke(app, ["analyze", "--json", "-"], input=gzip.compress(SEED))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ike_sas"][0]["name"] == "eap"


def test_not_a_charon_log_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n")
    for command in ("analyze", "diagnose"):
        result = runner.invoke(app, [command, str(path)])
        assert result.exit_code == 2
        assert "no charon log lines (2 lines read, none recognised" in result.output


# -- forced layouts ---------------------------------------------------------------

LAB_GW = ("lab", "a-seed-like", "gw", "charon.log")


def test_forced_layout_is_not_second_guessed() -> None:
    """A filelog read as ``json``: no line fits, every one is counted as
    unrecognized (none dropped), and the CLI says no charon line was read."""
    path = corpus(*LAB_GW)
    trace = ikelog.load(path, layout="json")
    assert trace.layout == "json"
    assert trace.counts.total == 158
    assert trace.counts.unrecognized == 158
    assert trace.ike_sas == []
    message = cli_fails(["--layout", "json", str(path)])
    assert message == (
        f"ikelog: {path}: no charon log lines (158 lines read, none recognised; "
        "read as layout json)"
    )


def test_forced_layout_keeps_foreign_lines_foreign() -> None:
    lines = [
        "Dec  3 16:42:01 00[DMN] Starting IKE charon daemon (strongSwan 5.9.8)",
        "",
        "09[IKE] a plain line the filelog layout does not explain",
    ]
    trace = ikelog.read_lines(lines, layout="filelog", year=2026)
    assert trace.layout == "filelog"
    assert (trace.counts.total, trace.counts.foreign) == (3, 1)
    assert trace.counts.unrecognized == 1
    assert [type(e.body).__name__ for e in trace.events][1:] == [
        "Foreign",
        "Unrecognized",
    ]


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("journal-export.txt", "journal-export"),
        ("journal-json-pretty.txt", "journal-json-pretty"),
        ("journal-verbose.txt", "journal-verbose"),
    ],
)
def test_forced_journal_record_formats(name: str, layout: str) -> None:
    path = corpus("lab", "a3-seed-like-journal", "gw", name)
    detected = ikelog.load(path)
    forced = ikelog.load(path, layout=layout)
    assert detected.layout == forced.layout == layout
    assert forced.counts == detected.counts
    assert sas(forced) == sas(detected)
    result = runner.invoke(app, ["analyze", "--json", "--layout", layout, str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["layout"] == layout


# -- the year of timestamps without one -------------------------------------------

NEW_YEAR_LOG = (
    "Dec 31 23:59:58 00[DMN] Starting IKE charon daemon (strongSwan 5.9.8)\n"
    "Dec 31 23:59:59 00[LIB] providers loaded by OpenSSL: legacy default\n"
    "Jan  1 00:00:01 00[LIB] created TUN device: ipsec0\n"
)


def stamps(trace: ikelog.Trace) -> list[str]:
    return [e.ts.isoformat() for e in trace.events if e.ts is not None]


def test_year_before_the_file_was_written(tmp_path: Path) -> None:
    """A December log in a file last written in January is last year's."""
    path = write(
        tmp_path, "dec.log", NEW_YEAR_LOG.encode()[: NEW_YEAR_LOG.index("Jan")]
    )
    when = datetime(2027, 1, 5, 9, 0).timestamp()
    os.utime(path, (when, when))
    assert stamps(ikelog.load(path)) == ["2026-12-31T23:59:58", "2026-12-31T23:59:59"]


def test_year_crosses_new_year(tmp_path: Path) -> None:
    path = write(tmp_path, "newyear.log", NEW_YEAR_LOG.encode())
    when = datetime(2027, 1, 1, 0, 0, 5).timestamp()
    os.utime(path, (when, when))
    expected = ["2026-12-31T23:59:58", "2026-12-31T23:59:59", "2027-01-01T00:00:01"]
    assert stamps(ikelog.load(path)) == expected
    # a year given: it is the first line's, and New Year still counts
    assert stamps(ikelog.load(path, year=2026)) == expected
    lines = NEW_YEAR_LOG.splitlines()
    assert stamps(ikelog.read_lines(lines, year=2026)) == expected


def test_year_of_a_newest_first_log_across_new_year() -> None:
    lines = [
        "Jan  1 00:00:03 00[LIB] created TUN device: ipsec0",
        "Jan  1 00:00:02 00[LIB] created TUN device: ipsec1",
        "Jan  1 00:00:01 00[LIB] created TUN device: ipsec2",
        "Dec 31 23:59:59 00[LIB] providers loaded by OpenSSL: legacy default",
        "Dec 31 23:59:58 00[DMN] Starting IKE charon daemon (strongSwan 5.9.8)",
    ]
    trace = ikelog.read_lines(lines, year=2027)
    assert trace.newest_first
    assert stamps(trace) == [
        "2026-12-31T23:59:58",
        "2026-12-31T23:59:59",
        "2027-01-01T00:00:01",
        "2027-01-01T00:00:02",
        "2027-01-01T00:00:03",
    ]


# -- journalctl's own lines -------------------------------------------------------


def test_journalctl_own_lines_are_foreign() -> None:
    lines = [
        "-- Logs begin at Mon 2026-11-30 08:00:00 UTC, "
        "end at Thu 2026-12-03 17:00:00 UTC. --",
        "-- Boot 1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6 --",
        "Dec 03 16:42:01 gw charon[812]: 00[DMN] Starting IKE charon daemon "
        "(strongSwan 5.9.8)",
        "-- Reboot --",
        "-- No entries --",
    ]
    trace = ikelog.read_lines(lines, year=2026)
    assert trace.layout == "syslog"
    assert trace.counts.total == 5
    assert trace.counts.unrecognized == 0
    assert trace.counts.foreign == 4
