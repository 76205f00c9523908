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
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app

from .conftest import SAMPLES

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
    path = write(tmp_path, "cut.log.z", compress(SEED)[:100])
    with pytest.raises(ikelog.InputError, match="cannot read"):
        ikelog.load(path)


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
