"""Layouts without a real sample in the corpus, built faithfully from a lab
gateway log: each must give the reconstruction the original gives.

The lab's ``a-seed-like`` gateway wrote ``charon-ms-level.log`` (filelog,
milliseconds, level digit, ``<name|id>`` tags) and ``charon-plain.log``
(no prefix but thread and group) at the same time; the layouts below are
what other collectors make of the same lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

import ikelog

from .conftest import corpus
from .test_journal import reconstruction

_MS = re.compile(
    r"^(\w{3} [ \d]\d \d\d:\d\d:\d\d)\.(\d{3}) (\d+)\[(\w{3})(\d)\] (<[^>]*> )?(.*)$"
)


def _parts(line: str) -> tuple[datetime, str, str, str, str, str]:
    m = _MS.match(line)
    assert m is not None, line
    stamp, ms, thread, group, level, tag, text = m.groups()
    when = datetime.strptime(f"2026 {stamp}", "%Y %b %d %H:%M:%S")
    when = when.replace(microsecond=int(ms) * 1000)
    return when, thread, group, level, tag or "", text


def rfc5424(line: str) -> str:
    when, thread, group, _, tag, text = _parts(line)
    stamp = when.isoformat(timespec="milliseconds") + "Z"
    return f"<30>1 {stamp} vm charon 4242 - - {thread}[{group}] {tag}{text}"


def logread(line: str) -> str:  # OpenWrt
    when, thread, group, _, tag, text = _parts(line)
    stamp = f"{when:%a %b} {when.day:2d} {when:%H:%M:%S %Y}"
    return f"{stamp} daemon.info charon: {thread}[{group}] {tag}{text}"


def gui_tabs(line: str) -> str:  # pfSense/OPNsense table copied from the GUI
    when, thread, group, _, tag, text = _parts(line)
    return (
        f"{when:%b} {when.day} {when:%H:%M:%S}\tcharon\t\t{thread}[{group}] {tag}{text}"
    )


def german_months(line: str) -> str:
    when, thread, group, level, tag, text = _parts(line)
    month = [
        "Jan",
        "Feb",
        "Mär",
        "Apr",
        "Mai",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Okt",
        "Nov",
        "Dez",
    ][when.month - 1]
    return f"{month} {when.day:2d} {when:%H:%M:%S} {thread}[{group}{level}] {tag}{text}"


def iso_time_format(line: str) -> str:
    when, thread, group, level, tag, text = _parts(line)
    stamp = when.isoformat(timespec="milliseconds") + "+01:00"
    return f"{stamp} {thread}[{group}{level}] {tag}{text}"


def dotted_time_format(line: str) -> str:  # time_format = %d.%m.%Y %H:%M:%S
    when, thread, group, _, tag, text = _parts(line)
    return f"{when:%d.%m.%Y %H:%M:%S} {thread}[{group}] {tag}{text}"


def charon_nm(line: str) -> str:
    when, thread, group, _, tag, text = _parts(line)
    stamp = f"{when:%b} {when.day:2d} {when:%H:%M:%S}"
    return f"{stamp} laptop charon-nm: {thread}[{group}] {tag}{text}"


def logcat_brief(line: str) -> str:  # the Android app: no SA tags
    _, thread, group, _, _, text = _parts(line)
    return f"I/charon  ( 4242): {thread}[{group}] {text}"


def logcat_threadtime(line: str) -> str:
    when, thread, group, _, _, text = _parts(line)
    stamp = f"{when:%m-%d %H:%M:%S}.{when.microsecond // 1000:03d}"
    return f"{stamp}  4242  4250 I charon  : {thread}[{group}] {text}"


#: (name, how the line is rewritten, expected layout, the lab file whose
#: reconstruction it must give: logcat carries no SA tags, like the plain log)
CASES: list[tuple[str, Callable[[str], str], str, str]] = [
    ("rfc5424", rfc5424, "rfc5424", "charon-ms-level.log"),
    ("logread", logread, "syslog", "charon-ms-level.log"),
    ("gui-tabs", gui_tabs, "syslog", "charon-ms-level.log"),
    ("german-months", german_months, "filelog", "charon-ms-level.log"),
    ("iso-time-format", iso_time_format, "filelog", "charon-ms-level.log"),
    ("dotted-time-format", dotted_time_format, "filelog", "charon-ms-level.log"),
    ("charon-nm", charon_nm, "syslog", "charon-ms-level.log"),
    ("logcat-brief", logcat_brief, "logcat", "charon-plain.log"),
    ("logcat-threadtime", logcat_threadtime, "logcat", "charon-plain.log"),
]


def _build(tmp_path: Path, name: str, convert: Callable[[str], str]) -> Path:
    source = corpus("lab", "a-seed-like", "gw", "charon-ms-level.log")
    lines = source.read_text().splitlines()
    path = tmp_path / f"{name}.log"
    path.write_text("".join(convert(x) + "\n" for x in lines))
    return path


@pytest.mark.parametrize(
    ("name", "convert", "layout", "reference"), CASES, ids=[c[0] for c in CASES]
)
def test_built_layouts(
    tmp_path: Path,
    name: str,
    convert: Callable[[str], str],
    layout: str,
    reference: str,
) -> None:
    path = _build(tmp_path, name, convert)
    trace = ikelog.load(path, year=2026)
    assert trace.layout == layout
    assert trace.counts.unrecognized == 0
    original = corpus("lab", "a-seed-like", "gw", reference)
    assert reconstruction(path) == reconstruction(original)


def test_other_programs_in_a_networkmanager_journal(tmp_path: Path) -> None:
    """charon-nm's lines among NetworkManager's own: the latter are foreign."""
    path = _build(tmp_path, "nm", charon_nm)
    lines = path.read_text().splitlines()
    noise = (
        "Dec  3 16:42:01 laptop NetworkManager[812]: <info>  [1796316121.7] vpn: "
        "starting"
    )
    lines[5:5] = [noise, noise.replace("starting", "connected")]
    path.write_text("\n".join(lines) + "\n")
    trace = ikelog.load(path, year=2026)
    assert trace.counts.unrecognized == 0
    assert trace.counts.foreign == 2
    assert [sa.label for sa in trace.ike_sas] == ["eap[1]", "win[2]"]
