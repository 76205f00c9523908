"""Line layouts: where charon's message sits in a line, and what surrounds it.

charon writes the same message behind different prefixes depending on the
logger and on what collected it (charon-log-format.md, section 1):

=============== ============================================================
layout          example
=============== ============================================================
``journal-json``  ``journalctl -o json`` / ``json-seq``: one object per
                  line with ``MESSAGE``, ``GROUP``, ``THREAD``,
                  ``IKE_SA_UNIQUE_ID``, ``IKE_SA_NAME``
``json``          strongSwan 6's file logger with ``json = yes``
``rfc5424``       ``<30>1 2024-05-01T10:00:00Z host charon - - - 09[IKE] ...``
``syslog``        ``Dec  3 16:23:27 host [daemon.info ]charon[[pid]]: 12[NET] ...``
                  and every ``journalctl -o short*`` flavour (the thread and
                  group are then missing), OPNsense/pfSense exports (no
                  host, a TAB), RFC 3164
``logcat``        ``I/charon  ( 1234): 09[IKE] ...`` and ``-v threadtime``
``filelog``       ``<any time_format> 12[NET][1] [<eap|1>] ...``: charon's
                  file logger, the Android app's log
``plain``         ``12[NET] ...``: stderr, no ``time_format``,
                  ``swanctl --log``
``swanctl``       ``[IKE] ...``: ``swanctl --initiate``/``--terminate``
``bare``          nothing, or the seed page's ``09:58:20: `` (and
                  ``journalctl -o cat``)
=============== ============================================================

Every layout turns a line into a :data:`Split`: ``(stamp, ident, relay,
thread, group, level, name, uid, text)`` where ``stamp`` is the
timestamp's text (or an already-made datetime for the JSON layouts),
``ident`` the syslog identity when there is one and ``relay`` set when the
message carries a second logger's prefix. Sans-IO: strings in, tuples out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

#: (stamp, ident, relay, thread, group, level, name, uid, text); ``relay`` is
#: the stamp of a line that another logger wrote into this one (a filelog
#: line inside a journal entry); empty fields are None or "".
Split = tuple[Any, ...]

# -- timestamps -------------------------------------------------------------------

_MONTH_NAMES = {
    1: "jan ene gen janv jän sty",
    2: "feb fev févr fevr lut",
    3: "mar mär mrt mars",
    4: "apr abr avr kwi",
    5: "may mai mag mei maj",
    6: "jun giu juin jui cze",
    7: "jul lug juil lip",
    8: "aug ago août aout sie",
    9: "sep set sept wrz",
    10: "oct okt ott out paź",
    11: "nov noi lis",
    12: "dec dez dic déc dek gru",
}
MONTHS = {name: num for num, names in _MONTH_NAMES.items() for name in names.split()}

_BSD = r"[^\W\d_]{3,5}\.? {1,2}\d{1,2} \d\d:\d\d:\d\d(?:[.,]\d+)?"
_ISO = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_FULL = r"[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [A-Z]{2,5}"
_MONO = r"\[\s*\d+\.\d+\]"
_UNIX = r"\d{9,11}\.\d+"
_CTIME = r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}"  # logread
_STAMP = f"(?:{_FULL}|{_CTIME}|{_ISO}|{_BSD}|{_MONO}|{_UNIX})"

#: A regex for every timestamp shape a collector puts before a line.
STAMP = _STAMP

#: strftime formats tried for stamps of other shapes (filelog time_format).
_OTHER_FORMATS = (
    "%a, %Y-%m-%d, %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%a %b %d %H:%M:%S %Y",
    "%b %d %Y %H:%M:%S",
)


_MONTH_DAY = re.compile(r"(\d\d)-(\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)")
_BSD_PARTS = re.compile(
    r"([^\W\d_]{3,5})\.? {1,2}(\d{1,2}) (\d\d:\d\d:\d\d(?:[.,]\d+)?)"
)


@lru_cache(maxsize=8192)
def parse_timestamp(text: str, year: int) -> datetime | None:
    """Read a timestamp in any of the shapes charon and its collectors write.

    A stamp without a year gets ``year``; one without a date (``09:58:20``)
    gets 1900-01-01. Offsets are dropped: times stay as the log printed
    them. A monotonic stamp (``[ 3243.12]``) has no wall time: ``None``.
    """
    text = text.strip()
    try:
        if (m := _BSD_PARTS.fullmatch(text)) is not None:
            name = m.group(1).lower()
            month = MONTHS.get(name[:4]) or MONTHS.get(name[:3])
            if month is not None:
                return _hms(datetime(year, month, int(m.group(2))), m.group(3))
        elif (m := _MONTH_DAY.fullmatch(text)) is not None:
            base = datetime(year, int(m.group(1)), int(m.group(2)))
            return _hms(base, m.group(3))
        elif len(text) == 8 and text[2:3] == ":":
            return _hms(datetime(1900, 1, 1), text)
        elif text[:1].isdigit() and "-" in text[:5]:
            return datetime.fromisoformat(text.replace(",", ".")).replace(tzinfo=None)
        elif re.fullmatch(_UNIX, text):
            return datetime.fromtimestamp(float(text), UTC).replace(tzinfo=None)
        elif re.fullmatch(_FULL, text):
            return datetime.fromisoformat(text.split(" ")[1] + " " + text.split(" ")[2])
        elif text[:1] == "[":
            return None
    except (ValueError, OverflowError):
        pass
    for fmt in _OTHER_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


@lru_cache(maxsize=8192)
def yearless(text: str) -> bool:
    """Whether the timestamp ``text`` carries a date but no year
    (``Dec  3 16:23:27``, logcat's ``12-03 16:23:27.123``): its year comes
    from the caller."""
    text = text.strip()
    return bool(_BSD_PARTS.fullmatch(text) or _MONTH_DAY.fullmatch(text))


def _hms(base: datetime, hms: str) -> datetime:
    hh, mm, rest = hms.split(":")
    ss, _, frac = rest.replace(",", ".").partition(".")
    micro = int((frac + "000000")[:6]) if frac else 0
    return base.replace(hour=int(hh), minute=int(mm), second=int(ss), microsecond=micro)


# -- line layouts ------------------------------------------------------------------

_THREAD = r"(?:(\d{2,})\[([A-Z]{3})([0-4])?\] )"
_TAG = r"(?:<(?:([^|>]*)\|)?(\d+)> )?"


class RegexLayout:
    """A layout read by one regex with the :data:`Split` groups."""

    def __init__(self, name: str, pattern: str) -> None:
        self.name = name
        self.regex = re.compile(pattern)
        self.match: Callable[[str], re.Match[str] | None] = self.regex.match

    def split(self, line: str) -> Split | None:
        m = self.match(line)
        return m.groups() if m else None


class JournalJsonLayout:
    """``journalctl -o json`` and ``-o json-seq``: one entry per line."""

    name = "journal-json"

    def split(self, line: str) -> Split | None:
        line = line.lstrip("\x1e")
        if not line.startswith("{"):
            return None
        try:
            entry = json.loads(line)
        except ValueError:
            return None
        if not isinstance(entry, dict) or "MESSAGE" not in entry:
            return None
        message = entry["MESSAGE"]
        if isinstance(message, list):  # not valid UTF-8: an array of bytes
            message = bytes(x for x in message if isinstance(x, int)).decode(
                "utf-8", "replace"
            )
        text = str(message).split("\n", 1)[0]
        stamp = None
        micros = entry.get("__REALTIME_TIMESTAMP")
        if micros is not None:
            try:
                stamp = datetime.fromtimestamp(int(micros) / 1e6, UTC).replace(
                    tzinfo=None
                )
            except (ValueError, OverflowError):
                stamp = None
        ident = entry.get("SYSLOG_IDENTIFIER") or entry.get("_COMM")
        thread = entry.get("THREAD")
        group = entry.get("GROUP")
        if group is None and (inner := _PLAIN.split(text)) is not None:
            # early start-up output captured from stderr: "00[DMN] ..."
            return (stamp, ident, None, *inner[3:])
        return (
            stamp,
            ident,
            None,
            None if thread is None else str(thread),
            group,
            entry.get("LEVEL"),
            entry.get("IKE_SA_NAME"),
            entry.get("IKE_SA_UNIQUE_ID"),
            text,
        )


class CharonJsonLayout:
    """strongSwan 6's file logger with ``json = yes``."""

    name = "json"

    def split(self, line: str) -> Split | None:
        if not line.startswith('{"'):
            return None
        try:
            entry = json.loads(line)
        except ValueError:
            return None
        if not isinstance(entry, dict) or "msg" not in entry:
            return None
        text = str(entry["msg"]).split("\n", 1)[0]
        thread = entry.get("thread")
        level = entry.get("level")
        return (
            entry.get("time"),
            None,
            None,
            None if thread is None else f"{int(thread):02d}",
            entry.get("group"),
            None if level is None else str(level),
            entry.get("ikesa-name"),
            entry.get("ikesa-uniqueid"),
            text,
        )


_PLAIN = RegexLayout("plain", rf"^()()(){_THREAD}{_TAG}(.*)$")

#: The layouts, in the order detection prefers them when they tie.
LAYOUTS: dict[str, Any] = {
    "journal-json": JournalJsonLayout(),
    "json": CharonJsonLayout(),
    "rfc5424": RegexLayout(
        "rfc5424",
        r"^<\d{1,3}>1 (\S+) \S+ (\S+) \S+ \S+ (?:-|(?:\[.*?\])+) ?\ufeff?()"
        rf"{_THREAD}?{_TAG}(.*)$",
    ),
    "syslog": RegexLayout(
        "syslog",
        rf"^({_STAMP})\s+(?:\S+\s+)??(?:\w+\.\w+\s+)?([\w./@-]+?)(?:\[\d+\])?"
        r"(?::\s|\t+(?:\d+\t+)?)"  # "ident: " or a GUI export's tab columns
        rf"(?:({_BSD}|{_ISO}) )?{_THREAD}?{_TAG}(.*)$",
    ),
    "logcat": RegexLayout(
        "logcat",
        r"^(?:(\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s+\d+\s+\d+\s+[VDIWEF]\s+"
        r"|[VDIWEF]/(?=[\w.-]+\s*\(\s*\d+\)))"
        rf"([\w.-]+?)\s*(?:\(\s*\d+\))?\s*:\s(){_THREAD}?{_TAG}(.*)$",
    ),
    "filelog": RegexLayout(
        "filelog", rf"^((?:{_STAMP})|.{{1,48}}?)\s?()(){_THREAD}{_TAG}(.*)$"
    ),
    "plain": _PLAIN,
    "swanctl": RegexLayout("swanctl", r"^()()()()\[([A-Z]{3})\]()()() (.*)$"),
    "bare": RegexLayout("bare", r"^(?:(\d\d:\d\d:\d\d): )?()()()()()()()(.*)$"),
}

#: The stamp shapes a prefix may start with, each alone.
_STAMP_SHAPES = (_BSD, _ISO, _FULL, _CTIME, _MONO, _UNIX)


def specialize(name: str, head: Iterable[str]) -> RegexLayout | None:
    """A faster twin of a stamped layout for the one stamp shape ``head``
    uses (the general regex tries every shape on every line)."""
    if name not in ("filelog", "syslog"):
        return None
    general = LAYOUTS[name]
    sample = [x for x in head if general.split(x) is not None]
    if not sample:
        return None
    for shape in _STAMP_SHAPES:
        pattern = general.regex.pattern.replace(_STAMP, f"(?:{shape})", 1)
        if name == "filelog":
            pattern = pattern.replace("|.{1,48}?", "", 1)
        twin = RegexLayout(name, pattern)
        if all(twin.split(x) == general.split(x) for x in sample):
            return twin
    return None


#: Syslog identities under which charon's own messages appear.
CHARON_IDENTS = frozenset(
    {
        "charon",
        "charon-systemd",
        "charon-nm",
        "charon-cmd",
        "charon-tkm",
        "ipsec",
        "ipsec_starter",
        "strongswan",
        "strongswan.service",
        "strongswan-starter.service",
        "strongswan-swanctl.service",
    }
)


def detect_layout(lines: Iterable[str]) -> str:
    """Name the layout that explains most of ``lines``."""
    scores = dict.fromkeys(LAYOUTS, 0)
    for line in lines:
        for name, layout in LAYOUTS.items():
            if name != "bare" and layout.split(line) is not None:
                scores[name] += 1
                break
    best = max(scores, key=lambda n: scores[n])
    return best if scores[best] else "bare"


# -- journal exports that spread one entry over several lines -----------------

#: journalctl's multi-line formats, read entry by entry (see :func:`assemble`).
RECORD_FORMATS = ("journal-json-pretty", "journal-export", "journal-verbose")

#: A line that stands for one more physical line of a multi-line record.
CONTINUATION = "\x00continuation"

_VERBOSE_HEAD = re.compile(
    r"^[A-Z][a-z]{2} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) \w+ \[s="
)
_EXPORT_FIELD = re.compile(r"^([A-Z_][A-Z0-9_]*)=(.*)$")


def record_format(head: list[str]) -> str | None:
    """``journal-json-pretty``, ``journal-export`` or ``journal-verbose``
    when the first lines are one of journalctl's multi-line formats."""
    lines = [x.rstrip("\r\n") for x in head if x.strip()]
    if not lines:
        return None
    if lines[0] == "{" and len(lines) > 1 and lines[1].startswith('\t"'):
        return "journal-json-pretty"
    if lines[0].startswith("__CURSOR=") and all(
        _EXPORT_FIELD.match(x) for x in lines[:5]
    ):
        return "journal-export"
    if _VERBOSE_HEAD.match(lines[0]) and len(lines) > 1 and lines[1].startswith("    "):
        return "journal-verbose"
    return None


def assemble(lines: Iterable[str], kind: str) -> Iterator[str]:
    """One ``journalctl -o json`` line per record of a multi-line format,
    then :data:`CONTINUATION` for every other line of the record, so each
    physical line is still counted once."""
    record: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if kind == "journal-json-pretty":
            record.append(line)
            if line == "}":
                yield from _emit(_pretty(record), len(record))
                record = []
            continue
        starts = (
            _VERBOSE_HEAD.match(line) is not None
            if kind == "journal-verbose"
            else line == ""
        )
        if starts and record:
            ends_blank = kind == "journal-export"
            fields = _fields(record, kind)
            count = len(record) + (1 if ends_blank else 0)
            yield from _emit(fields, count)
            record = [] if ends_blank else [line]
            continue
        if not (kind == "journal-export" and line == ""):
            record.append(line)
    if record:
        yield from _emit(
            _pretty(record) if kind == "journal-json-pretty" else _fields(record, kind),
            len(record),
        )


def _emit(fields: dict[str, Any] | None, count: int) -> Iterator[str]:
    if fields is None:
        yield from [CONTINUATION] * count  # not a journal entry we can read
        return
    yield json.dumps(fields)
    yield from [CONTINUATION] * (count - 1)


def _pretty(record: list[str]) -> dict[str, Any] | None:
    try:
        value = json.loads("\n".join(record))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _fields(record: list[str], kind: str) -> dict[str, Any] | None:
    fields: dict[str, Any] = {}
    body = record
    if kind == "journal-verbose":
        head = _VERBOSE_HEAD.match(record[0])
        if head is None:
            return None
        when = datetime.fromisoformat(head.group(1)).replace(tzinfo=UTC)
        fields["__REALTIME_TIMESTAMP"] = str(int(when.timestamp() * 1e6))
        body = record[1:]
    for line in body:
        m = _EXPORT_FIELD.match(line.strip())
        if m is not None:
            fields.setdefault(m.group(1), m.group(2))
    return fields if "MESSAGE" in fields else None
