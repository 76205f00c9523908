"""From bytes to lines to events: input plumbing and line layouts.

charon writes the same message behind different prefixes depending on the
logger (see charon-log-format.md, section 1):

==============  ==========================================================
layout          example prefix
==============  ==========================================================
``filelog``     ``Dec  3 16:23:27[.317] 12[NET][1] [<eap|1>] ``
``syslog``      ``Dec  3 16:23:27 host [daemon.info ]charon[[pid]]: 12[NET] ``
``plain``       ``12[NET] `` (stderr, no time_format, ``swanctl --log``)
``swanctl``     ``[IKE] `` (``swanctl --initiate``/``--terminate`` output)
``bare``        nothing, or the seed page's ``09:58:20: ``
==============  ==========================================================

The layout is detected once per input from its first lines (or forced by
the caller) and each line is split into its prefix fields and the message,
which :func:`ikelog.grammar.parse_message` turns into a typed body.

Only :func:`open_text` touches the file system; everything else works on
iterables of strings and is sans-IO.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, cast

from . import events as ev
from .grammar import parse_message

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        )
    )
}

_BSD_TS = r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?"
_ISO_TS = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_TS = f"(?:{_BSD_TS}|{_ISO_TS})"
_THREAD = r"(\d{2,})\[([A-Z]{3})([0-4])?\] "
_TAG = r"(?:<(?:([^|>]*)\|)?(\d+)> )?"

#: Each layout: a regex whose groups are (ts, thread, group, level, name,
#: uid, message); a missing field is an empty group.
LAYOUTS: dict[str, re.Pattern[str]] = {
    "syslog": re.compile(
        rf"^({_TS}) \S+ (?:\w+\.\w+ )?[\w./-]+(?:\[\d+\])?: {_THREAD}{_TAG}(.*)$"
    ),
    "filelog": re.compile(rf"^({_TS}) {_THREAD}{_TAG}(.*)$"),
    "plain": re.compile(rf"^(){_THREAD}{_TAG}(.*)$"),
    "swanctl": re.compile(r"^()()\[([A-Z]{3})\]()()() (.*)$"),
    "bare": re.compile(r"^(?:(\d\d:\d\d:\d\d): )?()()()()()(.*)$"),
}

#: A syslog line of some program, charon or not: (ident, message).
_SYSLOG_ANY = re.compile(rf"^{_TS} \S+ (?:\w+\.\w+ )?([\w./-]+?)(?:\[\d+\])?:? (.*)$")

#: Syslog identities under which charon's messages appear.
CHARON_IDENTS = frozenset(
    {"charon", "charon-systemd", "charon-nm", "charon-cmd", "ipsec", "ipsec_starter"}
)

#: Lines that carry no message at all: blank lines and elisions.
_FOREIGN = re.compile(r"^\s*(?:\.\.\.|…|\[\.\.\.\]|-+|)\s*$")

#: How many lines layout detection looks at.
SNIFF_LINES = 200

#: Lines longer than this are cut before any regex sees them.
MAX_LINE = 65536


class InputError(Exception):
    """The input cannot be read as a text log; the message says why."""


def detect_layout(lines: Iterable[str]) -> str:
    """Name the layout that explains most of ``lines``."""
    scores = dict.fromkeys(LAYOUTS, 0)
    for line in lines:
        for name, rx in LAYOUTS.items():
            if name != "bare" and rx.match(line):
                scores[name] += 1
                break
    best = max(scores, key=lambda n: scores[n])
    return best if scores[best] else "bare"


@lru_cache(maxsize=4096)
def parse_timestamp(text: str, year: int) -> datetime | None:
    """Read a BSD (``Dec  3 16:23:27.317``), ISO or ``HH:MM:SS`` stamp.

    A stamp without a date gets 1900-01-01; one without a year gets
    ``year``.
    """
    try:
        if text[:1].isalpha():
            month = _MONTHS[text[:3]]
            day = int(text[4:6])
            hms = text[7:]
            base = datetime(year, month, day)
        elif len(text) == 8:
            hms = text
            base = datetime(1900, 1, 1)
        else:
            return datetime.fromisoformat(text.replace(",", "."))
        hh, mm, rest = hms.split(":")
        ss, _, frac = rest.partition(".")
        micro = int((frac + "000000")[:6]) if frac else 0
        return base.replace(
            hour=int(hh), minute=int(mm), second=int(ss), microsecond=micro
        )
    except (KeyError, ValueError):
        return None


@dataclass
class LineCounts:
    """What a reader has seen so far.

    ``total == understood + unrecognized`` always holds; ``foreign`` lines
    (blank lines, ``...`` elisions, other programs' syslog lines) are known
    not to be charon messages and are counted among the understood.
    """

    total: int = 0
    understood: int = 0
    unrecognized: int = 0
    foreign: int = 0
    replaced_bytes: int = 0


class EventReader:
    """Turn an iterable of text lines into :class:`ikelog.events.Event`.

    ``layout`` forces a layout; otherwise the first :data:`SNIFF_LINES`
    lines decide. ``year`` completes timestamps that have none.
    """

    def __init__(
        self, lines: Iterable[str], *, layout: str | None = None, year: int = 1900
    ) -> None:
        if layout is not None and layout not in LAYOUTS:
            raise InputError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
        self._lines = iter(lines)
        self._head: list[str] = []
        if layout is None:
            for line in self._lines:
                self._head.append(line)
                if len(self._head) >= SNIFF_LINES:
                    break
            layout = detect_layout(self._head)
        self.layout = layout
        self.year = year
        self.counts = LineCounts()

    def __iter__(self) -> Iterator[ev.Event]:
        match = LAYOUTS[self.layout].match
        bare = LAYOUTS["bare"].match
        counts = self.counts
        year = self.year
        stamp = parse_timestamp
        parse = parse_message
        foreign_rx = _FOREIGN.match
        event = ev.Event
        lineno = 0
        understood = unrecognized = foreign = 0
        last_text: str | None = None
        last_stamp: datetime | None = None
        try:
            for line in _chain(self._head, self._lines):
                lineno += 1
                if len(line) > MAX_LINE:
                    line = line[:MAX_LINE]
                line = line.rstrip("\r\n")
                m = match(line)
                body: ev.Body | None = None
                if m is None:
                    m = bare(line)
                    other = _SYSLOG_ANY.match(line)
                    if other and other.group(1) not in CHARON_IDENTS:
                        body = ev.Foreign(line)
                assert m is not None  # the bare layout matches everything
                ts, thread, group, level, name, uid, text = m.groups()
                if body is None:
                    if len(text) < 6 and foreign_rx(text):
                        body = ev.Foreign(text)
                    else:
                        body = parse(text)
                cls = type(body)
                if cls is ev.Unrecognized:
                    unrecognized += 1
                else:
                    understood += 1
                    if cls is ev.Foreign:
                        foreign += 1
                if ts != last_text:  # many lines share one stamp
                    last_text = ts
                    last_stamp = stamp(ts, year) if ts else None
                yield event(
                    lineno,
                    body,
                    last_stamp,
                    int(thread) if thread else None,
                    group or None,
                    int(level) if level else None,
                    name or None,
                    int(uid) if uid else None,
                )
        finally:
            counts.total = lineno
            counts.understood = understood
            counts.unrecognized = unrecognized
            counts.foreign = foreign


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest


def _clean(line: str) -> str:
    if len(line) > MAX_LINE:
        line = line[:MAX_LINE]
    return line.rstrip("\r\n")


# -- opening files -------------------------------------------------------------

_MAGIC: dict[bytes, Callable[..., Any]] = {
    b"\x1f\x8b": gzip.open,
    b"BZh": bz2.open,
    b"\xfd7zXZ": lzma.open,
}


def open_text(path: str | Path) -> Iterator[str]:
    """Yield the lines of a log file (``-`` for stdin) as text.

    Compressed files (gzip, bzip2, xz) are opened by their magic bytes.
    Bytes that are not UTF-8 are decoded as latin-1 line by line, so
    nothing is dropped. Raises :class:`InputError` for what cannot be a
    text log: a directory, a missing file, binary data.
    """
    if str(path) == "-":
        raw: IO[bytes] = sys.stdin.buffer
    else:
        p = Path(path)
        if p.is_dir():
            raise InputError(f"{p} is a directory, not a log file")
        if not p.exists():
            raise InputError(f"{p}: no such file")
        try:
            raw = open(p, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputError(f"{p}: {exc.strerror}") from exc
        head = raw.read(6)
        raw.seek(0)
        for magic, opener in _MAGIC.items():
            if head.startswith(magic):
                raw.close()
                raw = opener(p, "rb")
                break
    return _decode(raw, str(path))


def _decode(raw: IO[bytes], name: str) -> Iterator[str]:
    """Text lines of ``raw``; undecodable bytes become U+FFFD."""
    buffered: Any = raw if hasattr(raw, "peek") else io.BufferedReader(cast(Any, raw))
    try:
        try:
            head = buffered.peek(4096)[:4096]
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise InputError(f"{name}: cannot read: {exc}") from exc
        if b"\x00" in head:
            raise InputError(f"{name}: binary data, not a text log")
        text = io.TextIOWrapper(buffered, encoding="utf-8", errors="replace")
        try:
            yield from text
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise InputError(f"{name}: cannot read: {exc}") from exc
    finally:
        raw.close()
