"""From bytes to lines to events: input plumbing, order and duplicates.

:func:`open_text` opens a file (compressed or not, ``-`` for stdin) and
yields text lines; it is the only function here that touches the file
system. :class:`EventReader` turns lines into :class:`ikelog.events.Event`:

1. the line layout is detected from the first lines (or forced), see
   :mod:`ikelog.layouts`, and each line split into its prefix fields and
   the message, which :func:`ikelog.grammar.parse_message` turns into a
   typed body;
2. lines that carry no charon message (blank lines, ``...`` elisions,
   markdown fences and shell prompts from a pasted ticket, other programs
   in a syslog file) become :class:`ikelog.events.Foreign` bodies;
3. a log shown newest first (a router's web GUI) is detected from its
   timestamps and given to the replay oldest first;
4. one event logged twice by two loggers (a journal entry and the same
   line relayed with charon's own prefix, ``received packet`` from the
   receiver thread and from the worker) is passed on once, as is a block
   a ticket pasted twice; duplicates are counted and their lines kept.

Line numbers always refer to the input as read.
"""

from __future__ import annotations

import bz2
import heapq
import io
import lzma
import os
import re
import sys
import warnings
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain, islice, pairwise
from pathlib import Path
from typing import IO, Any, cast

from . import events as ev
from .grammar import parse_message
from .layouts import (
    CHARON_IDENTS,
    CONTINUATION,
    LAYOUTS,
    RECORD_FORMATS,
    STAMP,
    RegexLayout,
    assemble,
    detect_layout,
    parse_timestamp,
    record_format,
    specialize,
    yearless,
)

_STAMP_RX = STAMP

__all__ = [
    "CHARON_IDENTS",
    "LAYOUTS",
    "EventReader",
    "InputError",
    "LineCounts",
    "TextLines",
    "TruncatedInput",
    "detect_layout",
    "keeping",
    "merge_events",
    "open_text",
    "parse_timestamp",
]

#: Lines that carry no message at all: blank lines, elisions, markdown
#: fences, shell prompts and comments of a pasted ticket.
_FOREIGN = re.compile(
    r"^\s*(?:\.\.\.|…|\[\.\.\.\]|-+|=+|`{3}.*|~{3}.*|#+ .*|[$>] .*|rc=\d+"
    r"|\w+@[\w.-]+:.*[$#] .*|)\s*$"
    # journalctl's own lines: "-- Boot 1a2b... --", "-- Logs begin at ... --",
    # "-- No entries --", "-- Reboot --"
    r"|^-- \S.*? --\s*$"
)

#: How many lines layout and order detection look at.
SNIFF_LINES = 200

#: Lines longer than this are cut before any regex sees them.
MAX_LINE = 65536

#: How many events back a duplicate is looked for.
DUPLICATE_WINDOW = 8


#: Thread numbers and levels as charon prints them ("04", "1"), read.
_SMALL_INTS = {f"{n:02d}": n for n in range(1, 100)} | {str(n): n for n in range(10)}

#: How a regex layout's pattern ends: the message, the rest of the line.
_REST = "(.*)$"

#: The prefix fields of a line that has none.
_NOTHING = ("", "", "", "", "", "", "", "")

#: The body of every further line of a multi-line journal entry.
_CONTINUED = ev.Foreign("(continued journal entry)")


class InputError(Exception):
    """The input cannot be read as a text log; the message says why."""


class TruncatedInput(UserWarning):
    """A compressed input ended early; the lines before the cut were read."""


#: A yearless timestamp this much later than the file's modification time
#: belongs to the year before (a day of slack for time zones).
_MTIME_SLACK = timedelta(days=1)

#: A yearless timestamp this much earlier than the one before it has
#: crossed New Year (Dec 31 -> Jan 1): the year goes up by one.
_NEW_YEAR = timedelta(days=180)


class TextLines(Iterator[str]):
    """The text lines of an input, with the input's modification time
    (``None`` when unknown), which completes yearless timestamps."""

    def __init__(self, lines: Iterable[str], mtime: datetime | None = None) -> None:
        self._lines = iter(lines)
        self.mtime = mtime

    def __next__(self) -> str:
        return next(self._lines)


@dataclass
class LineCounts:
    """What a reader has seen.

    ``total == understood + unrecognized`` always holds. ``foreign`` lines
    (blank lines, elisions, other programs' lines) are known not to be
    charon messages and counted among the understood, as are
    ``duplicates`` (the second copy of an event, not replayed).
    ``replaced_bytes`` counts bytes that were not UTF-8 (each became
    U+FFFD).
    """

    total: int = 0
    understood: int = 0
    unrecognized: int = 0
    foreign: int = 0
    duplicates: int = 0
    replaced_bytes: int = 0
    duplicate_lines: list[int] = field(default_factory=list)


class EventReader:
    """Turn an iterable of text lines into :class:`ikelog.events.Event`.

    ``layout`` forces a layout; otherwise the first :data:`SNIFF_LINES`
    lines decide. ``year`` completes timestamps that have none. ``source``
    is stored in every event (the index of the file among several).
    """

    def __init__(
        self,
        lines: Iterable[str],
        *,
        layout: str | None = None,
        year: int = 1900,
        source: int = 0,
    ) -> None:
        if (
            layout is not None
            and layout not in LAYOUTS
            and layout not in RECORD_FORMATS
        ):
            known = ", ".join([*LAYOUTS, *RECORD_FORMATS])
            raise InputError(f"unknown layout {layout!r}; known: {known}")
        self.forced = layout is not None
        self.mtime: datetime | None = getattr(lines, "mtime", None)
        self._lines = iter(lines)
        self._head: list[str] = []
        for line in self._lines:
            self._head.append(line)
            if len(self._head) >= SNIFF_LINES:
                break
        if layout in RECORD_FORMATS:
            self.records: str | None = layout
        else:
            self.records = None if layout is not None else record_format(self._head)
        if self.records is not None:
            # journalctl's multi-line formats: one JSON line per entry
            joined = iter(assemble(chain(self._head, self._lines), self.records))
            self._head = list(islice(joined, SNIFF_LINES))
            self._lines = joined
            layout = "journal-json"
        if layout is None:
            layout = detect_layout(x[:MAX_LINE].rstrip("\r\n") for x in self._head)
        self.layout = self.records or layout
        self.year = year
        self.source = source
        self.counts = LineCounts()
        self.newest_first = False

    def __iter__(self) -> Iterator[ev.Event]:
        if len(self._head) < SNIFF_LINES:
            # a paste: small enough to look for blocks pasted twice
            events = self._read()
            if _newest_first(self._sniffed()):
                self.newest_first = True
                events = reversed(list(events))
            yield from self._dedupe(events, small=True)
            return
        if _newest_first(self._sniffed()):
            # a GUI export: everything must be read before it can be turned
            self.newest_first = True
            everything = list(self._read())
            everything.reverse()
            yield from self._dedupe(iter(everything), small=True)
            return
        # FIXME: blocks pasted twice are only found in inputs shorter than
        # SNIFF_LINES; a bounded look-back would find them in longer ones
        yield from self._read(dedupe=True)

    def _sniffed(self) -> list[ev.Event]:
        """The events of the first lines, read apart and not counted, to
        see which way the log runs."""
        return list(self._read(self._head, count=False))

    def _read(
        self,
        lines: Iterable[str] | None = None,
        *,
        dedupe: bool = False,
        count: bool = True,
    ) -> Iterator[ev.Event]:
        """One event per line of ``lines`` (by default the whole input), in
        input order; with ``dedupe`` the second copy of an event is left
        out (see :meth:`_dedupe`, inlined here: this is the hot loop)."""
        layout = LAYOUTS["journal-json" if self.records else self.layout]
        head = [x[:MAX_LINE].rstrip("\r\n") for x in self._head[:SNIFF_LINES]]
        layout = specialize(self.layout, head) or layout
        split = layout.split
        # a regex layout's prefix is matched directly (no method call) and
        # the message is the rest of the line (no regex runs over it)
        prefix = None
        if isinstance(layout, RegexLayout) and layout.regex.pattern.endswith(_REST):
            prefix = re.compile(layout.regex.pattern[: -len(_REST)]).match
        # a forced layout is not second-guessed: a line it does not
        # explain is unrecognized (or foreign: blank lines, elisions)
        forced = self.forced
        others = [] if forced else [x for n, x in LAYOUTS.items() if n != "bare"]
        bare = LAYOUTS["bare"].split
        counts = self.counts
        year = self.year
        mtime = (
            self.mtime if self.mtime is not None and self.mtime.year == year else None
        )
        backwards = self.newest_first
        last_yearless: datetime | None = None  # the last stamp that had no year
        source = self.source
        stamp = parse_timestamp
        slack = _MTIME_SLACK
        new_year = _NEW_YEAR
        parse = parse_message
        foreign = _FOREIGN.match
        event = ev.Event
        new = tuple.__new__
        unrecognized = ev.Unrecognized
        foreign_body = ev.Foreign
        last_text: Any = None
        last_stamp: datetime | None = None
        # the duplicate window: events wait here to be compared
        held: list[ev.Event | None] = [None] * DUPLICATE_WINDOW
        ids = [0] * DUPLICATE_WINDOW  # id() of their bodies, for a quick look
        keys = [0] * DUPLICATE_WINDOW  # the same with the shape of their line
        at = 0
        once_only = _ONCE_ONLY
        window = DUPLICATE_WINDOW
        small = _SMALL_INTS.get
        unknown = seen_foreign = 0
        lineno = 0  # lines read: counted by enumerate, not one by one
        longest = MAX_LINE
        if lines is None:
            lines = chain(self._head, self._lines)
        try:
            for lineno, raw in enumerate(lines, 1):
                line = raw
                if len(line) > longest:
                    line = line[:longest]
                line = line.rstrip("\r\n")
                if "\ufffd" in line:
                    counts.replaced_bytes += line.count("\ufffd") * count
                body: ev.Body | None = None
                m = prefix(line) if prefix is not None else None
                if m is not None:
                    ts, ident, relay, thread, group, level, name, uid = m.groups()
                    text = line[m.end() :]
                else:
                    parts = split(line)
                    if parts is None:
                        for other in others:
                            parts = other.split(line)
                            if parts is not None:
                                break
                        else:
                            if line == CONTINUATION:
                                parts = (*_NOTHING, line)
                                body = _CONTINUED
                            elif forced:
                                parts = (*_NOTHING, line)
                                body = (
                                    foreign_body(line)
                                    if foreign(line)
                                    else unrecognized(line)
                                )
                            else:
                                parts = bare(line)
                                if foreign(parts[-1]):
                                    body = foreign_body(line)
                    ts, ident, relay, thread, group, level, name, uid, text = parts
                if body is None:
                    body = parse(text)
                    if type(body) is unrecognized and (
                        foreign(text)
                        or (ident and ident not in CHARON_IDENTS)
                        or _other_program(line)
                    ):
                        body = foreign_body(line)  # not a charon message
                cls = type(body)
                if cls is unrecognized:
                    unknown += 1
                elif cls is foreign_body:
                    seen_foreign += 1
                if ts != last_text:  # many lines share one stamp
                    last_text = ts
                    if ts is None or ts == "":
                        last_stamp = None
                    elif isinstance(ts, datetime):
                        last_stamp = ts
                    else:
                        last_stamp = stamp(ts, year)
                        if (
                            last_stamp is not None
                            and last_stamp.year == year
                            and yearless(ts)
                        ):
                            # the year is ours: a stamp after the file was
                            # written is of the year before; New Year crossed
                            # (Dec 31 -> Jan 1) is the year after
                            turn = 0
                            if last_yearless is None:
                                if mtime is not None and last_stamp > mtime + slack:
                                    turn = -1
                            elif (
                                not backwards and last_stamp < last_yearless - new_year
                            ):
                                turn = 1
                            elif backwards and last_stamp > last_yearless + new_year:
                                turn = -1
                            if turn:
                                year += turn
                                last_stamp = stamp(ts, year) or last_stamp
                            last_yearless = last_stamp
                # tuple.__new__: half the cost of the named tuple's constructor
                e = new(
                    event,
                    (
                        lineno,
                        body,
                        last_stamp,
                        (small(thread) or int(thread)) if thread else None,
                        group or None,
                        (small(level) or int(level)) if level else None,
                        name or None,
                        int(uid) if uid else None,
                        source,
                        bool(relay),
                    ),
                )
                if not dedupe:
                    yield e
                    continue
                # a twin differs in shape (see _twin): same body, other
                # (relay, thread?, tag?) signature; list.count() rules it
                # out without a Python loop for the usual identical repeats
                bid = id(body)
                key = (
                    (bid << 3)
                    | (4 if relay else 0)
                    | (0 if thread else 2)
                    | (0 if uid else 1)
                )
                if (
                    bid in ids
                    and cls is not foreign_body
                    and (ids.count(bid) != keys.count(key) or cls in once_only)
                ):
                    ordered = [x for x in held[at:] + held[:at] if x is not None]
                    twin = _twin(ordered, e)
                    if twin is not None:
                        counts.duplicates += 1
                        dropped = lineno
                        if _richer(e, twin):
                            where = held.index(twin)  # keep the one that says more
                            held[where] = e
                            keys[where] = key
                            dropped = twin.line
                        if len(counts.duplicate_lines) < 1000:
                            counts.duplicate_lines.append(dropped)
                        continue
                # the window is a ring: slot ``at`` holds the oldest event,
                # which leaves as this one takes its place
                old = held[at]
                held[at] = e
                ids[at] = bid
                keys[at] = key
                at = (at + 1) % window
                if old is not None:
                    yield old
            for old in held[at:] + held[:at]:
                if old is not None:
                    yield old
        finally:
            if count:
                counts.total += lineno
                counts.understood += lineno - unknown
                counts.unrecognized += unknown
                counts.foreign += seen_foreign

    def _dedupe(self, events: Iterable[ev.Event], *, small: bool) -> Iterator[ev.Event]:
        """Pass each event on once; count the rest.

        Events wait in a short queue so that of two copies of one event the
        one that says more (with its SA tag, its thread) can be kept. With
        ``small`` the whole input is looked at first, for blocks a ticket
        pasted twice.
        """
        counts = self.counts
        blocked: set[int] = set()
        if small:
            listed = list(events)
            blocked = _pasted_twice(listed)
            events = iter(listed)
        held: deque[ev.Event] = deque()  # events wait here to be compared
        ids: deque[int] = deque()  # id() of their bodies, for a quick look
        foreign = ev.Foreign
        for e in events:
            body = e.body
            bid = id(body)
            twin = None
            if bid in ids and type(body) is not foreign:
                twin = _twin(held, e)
            if twin is not None or (blocked and e.line in blocked):
                counts.duplicates += 1
                dropped = e.line
                if twin is not None and _richer(e, twin):
                    at = held.index(twin)  # keep the copy that says more
                    held[at] = e
                    dropped = twin.line
                if len(counts.duplicate_lines) < 1000:
                    counts.duplicate_lines.append(dropped)
                continue
            held.append(e)
            ids.append(bid)
            if len(held) > DUPLICATE_WINDOW:
                ids.popleft()
                yield held.popleft()
        yield from held


_PROGRAM = re.compile(
    rf"^(?:{_STAMP_RX})\s+\S+\s+(?:\w+\.\w+\s+)?([\w./@-]+?)(?:\[\d+\])?[: ]"
)


def _other_program(line: str) -> bool:
    """A syslog line of a program other than charon (``syslogd started``)."""
    m = _PROGRAM.match(line)
    return m is not None and m.group(1) not in CHARON_IDENTS


def _richer(new: ev.Event, old: ev.Event) -> bool:
    def score(e: ev.Event) -> int:
        return (e.sa_uid is not None) * 4 + (e.thread is not None) * 2 + (not e.relay)

    return score(new) > score(old)


def _twin(held: Sequence[ev.Event], e: ev.Event) -> ev.Event | None:
    """The event in ``held`` that ``e`` repeats in another shape, if any.

    The same message at the same time is a duplicate only when the two
    lines differ in shape: one relayed inside another logger's line, or one
    with and one without its thread, or one with and one without its SA
    tag. Identical lines are not duplicates: charon logs the same text
    twice for real (fragments sent, two leases assigned to one peer).
    """
    for old in held:
        if (
            old.body is e.body
            and old.ts == e.ts
            and type(e.body) is not ev.Foreign
            and (
                old.relay != e.relay
                or (old.thread is None) != (e.thread is None)
                or (old.sa_uid is None) != (e.sa_uid is None)
            )
        ):
            return old
    # an SA is established, rekeyed or deleted once: the same line right
    # after itself was pasted twice
    if held and type(e.body) in _ONCE_ONLY:
        last = held[-1]
        if last.body is e.body and last.ts == e.ts and last.thread == e.thread:
            return last
    return None


_ONCE_ONLY = (ev.IkeSaLine, ev.ChildSaLine)


def _pasted_twice(events: list[ev.Event]) -> set[int]:
    """Line numbers of blocks of three or more lines that repeat, verbatim
    (same time, thread and message), a block seen earlier."""

    def key(e: ev.Event) -> tuple[Any, ...]:
        return (e.ts, e.thread, e.sa_uid, e.body)

    keys = [key(e) for e in events]
    first_at: dict[tuple[Any, ...], list[int]] = {}
    dup: set[int] = set()
    i = 0
    n = len(keys)
    while i < n:
        best = 0
        for j in first_at.get(keys[i], ()):
            length = 0
            while (
                i + length < n
                and j + length < i
                and keys[j + length] == keys[i + length]
            ):
                length += 1
            best = max(best, length)
        distinct = best >= 3 and len({keys[i + k] for k in range(best)}) > 1
        if distinct and all(e.ts is not None for e in events[i : i + best]):
            dup.update(events[i + k].line for k in range(best))
            i += best
            continue
        first_at.setdefault(keys[i], []).append(i)
        i += 1
    return dup


def _newest_first(events: list[ev.Event]) -> bool:
    """Whether timestamps mostly go backwards."""
    stamps = [e.ts for e in events if e.ts is not None]
    down = sum(1 for a, b in pairwise(stamps) if b < a)
    up = sum(1 for a, b in pairwise(stamps) if b > a)
    return down >= 3 and down > 2 * up


#: Kept lines longer than this are cut (a 100 MB line is not kept whole).
MAX_QUOTE = 4096


def keeping(lines: Iterable[str], into: list[str]) -> TextLines:
    """Pass lines on, keeping their text in ``into`` (evidence is quoted
    as it was written); the input's ``mtime`` is passed on too."""

    def kept() -> Iterator[str]:
        for line in lines:
            into.append(line.rstrip("\r\n")[:MAX_QUOTE])
            yield line

    return TextLines(kept(), getattr(lines, "mtime", None))


def merge_events(readers: list[Iterable[ev.Event]]) -> Iterator[ev.Event]:
    """Events of several inputs, merged in time order (stable per input).

    Events without a timestamp sort with the last stamped event before
    them in their own input.
    """

    def stamped(events: Iterable[ev.Event], index: int) -> Iterator[Any]:
        last = datetime.min
        for n, e in enumerate(events):
            if e.ts is not None:
                last = e.ts
            yield (last, index, n, e)

    for _, _, _, e in heapq.merge(*(stamped(r, i) for i, r in enumerate(readers))):
        yield e


# -- opening files -------------------------------------------------------------


class _Decompressed(io.RawIOBase):
    """A gzip, bzip2 or xz stream, decompressed as it is read, members or
    streams one after another. A stream that ends before its end-of-stream
    marker (a file cut short) gives what could be decompressed, then
    :attr:`truncated` is set; damaged data raises as the library does."""

    def __init__(self, raw: IO[bytes], new: Callable[[], Any]) -> None:
        self._raw = raw
        self._new = new
        self._unpacker = new()
        self._started = False  # the current member has had input
        self._pending = b""
        self.truncated = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            unpacker = self._unpacker
            if unpacker.eof:
                rest = unpacker.unused_data
                self._unpacker = unpacker = self._new()
                self._started = False
                if rest.strip(b"\x00"):
                    self._started = True
                    self._pending = unpacker.decompress(rest)
                    continue
            data = self._raw.read(65536)
            if not data:
                if self._started and not unpacker.eof:
                    self.truncated = True
                return 0
            if not self._started and not data.strip(b"\x00"):
                continue  # padding after the last member
            self._started = True
            self._pending = unpacker.decompress(data)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _gzip_open(raw: IO[bytes]) -> IO[bytes]:
    return _unpacking(raw, lambda: zlib.decompressobj(wbits=31))


def _unpacking(raw: IO[bytes], new: Callable[[], Any]) -> IO[bytes]:
    return cast(IO[bytes], io.BufferedReader(_Decompressed(raw, new)))


_MAGIC: dict[bytes, Callable[[IO[bytes]], IO[bytes]]] = {
    b"\x1f\x8b": _gzip_open,
    b"BZh": lambda raw: _unpacking(raw, bz2.BZ2Decompressor),
    b"\xfd7zXZ": lambda raw: _unpacking(raw, lzma.LZMADecompressor),
    b"\x28\xb5\x2f\xfd": lambda raw: _zstd_open(raw),
}


def _zstd_open(raw: IO[bytes]) -> IO[bytes]:
    try:
        import zstandard  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise InputError(
            f"{getattr(raw, 'name', '-')}: zstd-compressed; install the zstd extra "
            "(pip install 'ikelog[zstd]') or decompress it first"
        ) from exc
    return cast(
        IO[bytes], io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw))
    )


def open_text(path: str | Path) -> TextLines:
    """The lines of a log file (``-`` for stdin) as text.

    Files, pipes and process substitutions (``<(...)``) are read front to
    back, never seeked. Compressed data (gzip, bzip2, xz; zstd with the
    ``zstd`` extra) is recognised by its magic bytes; a compressed file cut
    short gives the lines before the cut and a :class:`TruncatedInput`
    warning. Bytes that are not UTF-8 become U+FFFD, so nothing is dropped;
    a UTF-8 byte order mark is skipped, and a UTF-16 file with its byte
    order mark is read as UTF-16. The result's ``mtime`` is the input's
    modification time. Raises :class:`InputError` for what cannot be a text
    log: a directory, a missing file, binary data.
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
            raw = open(p, "rb")  # noqa: SIM115 - closed in _decode
        except OSError as exc:
            raise InputError(f"{p}: {exc.strerror}") from exc
    mtime = _mtime(raw)
    if not hasattr(raw, "peek"):
        raw = cast(IO[bytes], io.BufferedReader(cast(Any, raw)))
    try:
        head = cast(Any, raw).peek(6)[:6]  # a pipe cannot seek: peek
    except OSError as exc:
        raw.close()
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    for magic, opener in _MAGIC.items():
        if head.startswith(magic):
            raw = opener(raw)
            break
    return TextLines(_decode(raw, str(path)), mtime)


def _mtime(raw: IO[bytes]) -> datetime | None:
    try:
        return datetime.fromtimestamp(os.fstat(raw.fileno()).st_mtime)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None


_READ_ERRORS = (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error)


def _decode(raw: IO[bytes], name: str) -> Iterator[str]:
    """Text lines of ``raw``; undecodable bytes become U+FFFD."""
    buffered: Any = raw if hasattr(raw, "peek") else io.BufferedReader(cast(Any, raw))
    try:
        try:
            head = buffered.peek(4096)[:4096]
        except _READ_ERRORS as exc:
            raise InputError(f"{name}: cannot read: {exc}") from exc
        encoding = "utf-8-sig"
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            encoding = "utf-16"  # a log saved as "Unicode" by a Windows editor
        elif b"\x00" in head:
            raise InputError(f"{name}: binary data, not a text log")
        text = io.TextIOWrapper(buffered, encoding=encoding, errors="replace")
        lines = 0
        try:
            for line in text:
                lines += 1
                yield line
        except _READ_ERRORS as exc:
            raise InputError(f"{name}: cannot read: {exc}") from exc
        unpacked = getattr(buffered, "raw", None)
        if isinstance(unpacked, _Decompressed) and unpacked.truncated:
            warnings.warn(
                TruncatedInput(
                    f"{name}: truncated compressed file, "
                    f"read the {lines} lines before the cut"
                ),
                stacklevel=2,
            )
    finally:
        raw.close()
