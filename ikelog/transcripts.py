"""Read pasted swanctl listings (and legacy ``ipsec statusall``) into records.

A *transcript* is what people paste next to a log: the output of

- ``swanctl --list-sas``: one block per IKE SA, its CHILD SAs indented two
  more spaces (``eap: #3, ESTABLISHED, IKEv2, <ispi>_i <rspi>_r*``; early
  5.x swanctl printed ``<ispi>:<rspi>`` and hosts without a port);
- ``swanctl --list-conns``: connections with their addresses, one block per
  authentication round (``local public key authentication:``) and their
  children;
- ``swanctl --list-certs``: captions (``List of X.509 CA Certificates``) and
  one block per certificate, ``not after`` continuing the validity line;
- ``swanctl --list-pools --leases``: one line per pool
  (``name base online / offline / size``), one indented line per lease;
- ``ipsec statusall``: the stroke status, every line prefixed with
  ``name[uid]:`` (IKE SA), ``name{uid}:`` (CHILD SA) or ``name:``.

Several listings may follow each other in one paste, with or without the
shell prompt line (``# swanctl --list-sas``) in front.

grammars/swanctl.lark is the one definition of what a line means. The reader
measures a line's indentation, hands the rest to the grammar's start rule for
the listing at hand (trying the others when it does not fit: a new listing
began), and assembles the typed line records into blocks by indentation.
Lines no rule accepts are kept in :attr:`Transcript.unknown` with their line
numbers. ``--raw`` vici dumps (``list-sa event {...}``) are recognised but not
read: they say nothing the text listing does not, and their values are not
quoted, so an identity with spaces cannot be told from the next key.

Nothing here opens a file or reads the clock, except :func:`load_inputs`, the
thin shell the CLI uses to sort its arguments into logs and transcripts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from .grammar import compile_grammar

#: The listings, by the grammar's start rule that reads their lines.
KINDS = {
    "list-sas": "sas_line",
    "list-conns": "conns_line",
    "list-certs": "certs_line",
    "list-pools": "pools_line",
    "statusall": "status_line",
}

# -- records ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedChildSa:
    """One CHILD SA of ``--list-sas`` (or a ``name{uid}:`` of statusall).

    Times are seconds relative to the moment of the listing: ``installed``
    seconds ago, ``rekey_in``/``expires_in`` seconds ahead.
    """

    name: str
    unique_id: int
    reqid: int | None
    state: str
    mode: str | None = None
    encap: bool = False
    protocol: str | None = None
    proposal: str | None = None
    spi_in: str | None = None
    spi_out: str | None = None
    bytes_in: int | None = None
    packets_in: int | None = None
    bytes_out: int | None = None
    packets_out: int | None = None
    installed: int | None = None
    rekey_in: int | None = None
    expires_in: int | None = None
    ts_local: tuple[str, ...] = ()
    ts_remote: tuple[str, ...] = ()
    line: int = 0
    #: the header line as the listing wrote it (evidence quotes it)
    text: str = ""


@dataclass(frozen=True, slots=True)
class ListedIkeSa:
    """One IKE SA of ``--list-sas`` (or statusall).

    ``local_initiator`` tells which SPI is ours (the ``*``): ``True`` when
    the listing daemon is the original initiator, ``None`` for the old
    ``i:r`` form that does not say. ``established`` is seconds ago.
    """

    name: str
    unique_id: int
    state: str
    version: int
    spi_i: str
    spi_r: str
    local_initiator: bool | None = None
    local_id: str | None = None
    local_host: str | None = None
    remote_id: str | None = None
    remote_host: str | None = None
    eap_id: str | None = None
    xauth_id: str | None = None
    local_vips: tuple[str, ...] = ()
    remote_vips: tuple[str, ...] = ()
    proposal: str | None = None
    established: int | None = None
    rekey_in: int | None = None
    reauth_in: int | None = None
    tasks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    children: tuple[ListedChildSa, ...] = ()
    line: int = 0
    #: the header line as the listing wrote it (evidence quotes it)
    text: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}[{self.unique_id}]"


@dataclass(frozen=True, slots=True)
class AuthRound:
    """One ``local ... authentication:`` block of a connection."""

    local: bool
    auth_class: str
    fields: tuple[tuple[str, str], ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class ConnectionChild:
    name: str
    mode: str
    rekey_time: int | None = None
    dpd_action: str | None = None
    ts_local: tuple[str, ...] = ()
    ts_remote: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Connection:
    """One connection of ``--list-conns``; times are in seconds."""

    name: str
    versions: str
    reauth_time: int | None = None
    rekey_time: int | None = None
    dpd_delay: int | None = None
    local_addrs: tuple[str, ...] = ()
    remote_addrs: tuple[str, ...] = ()
    auth: tuple[AuthRound, ...] = ()
    children: tuple[ConnectionChild, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Certificate:
    """One certificate of ``--list-certs``.

    ``not_before``/``not_after`` are naive datetimes as swanctl printed them
    (local time of the listing host unless ``--utc``). ``status`` keeps what
    swanctl said of the validity then (``ok (expires in 729 days)``).
    """

    caption: str | None
    subject: str | None = None
    issuer: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    status: str | None = None
    serial: str | None = None
    flags: tuple[str, ...] = ()
    pubkey: str | None = None
    key_bits: int | None = None
    has_private_key: bool = False
    fields: tuple[tuple[str, str], ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Lease:
    address: str
    online: bool
    identity: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Pool:
    """One pool of ``--list-pools`` (statusall: no base, no leases)."""

    name: str
    base: str | None
    online: int
    offline: int
    size: int
    leases: tuple[Lease, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Transcript:
    """Everything read from one paste; ``kinds`` in order of appearance."""

    source: str
    kinds: tuple[str, ...]
    ike_sas: tuple[ListedIkeSa, ...] = ()
    connections: tuple[Connection, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    pools: tuple[Pool, ...] = ()
    unknown: tuple[tuple[int, str], ...] = ()
    lines: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The transcript as plain JSON-ready data."""
        doc = asdict(self)
        for cert in doc["certificates"]:
            for key in ("not_before", "not_after"):
                if cert[key] is not None:
                    cert[key] = cert[key].isoformat()
        return doc


# -- the grammar's line records ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    """One line as the grammar read it: the rule alias and its values."""

    what: str
    values: dict[str, Any] = field(default_factory=dict)


def _sq(tok: Token) -> str:
    return str(tok)[1:-1]


def _secs(tok: Token) -> int:
    return int(str(tok)[:-1])


_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _duration(tok: Token) -> int:
    """``2 minutes`` -> 120 (statusall rounds to the unit it prints)."""
    count, unit = str(tok).split()
    return int(count) * _UNITS[unit.rstrip("s")]


def _toks(c: list[Any], type_: str) -> list[Token]:
    return [x for x in c if isinstance(x, Token) and x.type == type_]


def _one(c: list[Any], type_: str) -> Token | None:
    found = _toks(c, type_)
    return found[0] if found else None


def _sub(c: list[Any], what: str) -> _Line | None:
    for x in c:
        if isinstance(x, _Line) and x.what == what:
            return x
    return None


def _timers(c: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in c:
        if isinstance(x, _Line) and x.what == "timer":
            out.update(x.values)
    return out


def _ref(tok: Token) -> tuple[str, int]:
    """``rw[1]:`` or ``rw{1}:`` -> ("rw", 1)."""
    text = str(tok)[:-2]
    name, _, uid = text.replace("{", "[").rpartition("[")
    return name, int(uid)


class _Lines(Transformer[Token, Any]):
    """Callbacks named after the rule aliases of grammars/swanctl.lark."""

    # -- helpers -------------------------------------------------------------

    def side(self, c: list[Token]) -> str:
        return str(c[0])

    direction = side

    def timer(self, c: list[Token]) -> _Line:
        return _Line("timer", {str(c[0]): _secs(c[1])})

    def eap_id(self, c: list[Token]) -> _Line:
        return _Line("eap_id", {"id": _sq(c[0])})

    def xauth_id(self, c: list[Token]) -> _Line:
        return _Line("xauth_id", {"id": _sq(c[0])})

    def vips(self, c: list[Token]) -> _Line:
        return _Line("vips", {"vips": tuple(str(x) for x in c)})

    def spis_marked(self, c: list[Token]) -> _Line:
        ispi, rspi = str(c[0]), str(c[1])
        return _Line(
            "spis",
            {
                "spi_i": ispi[:16],
                "spi_r": rspi[:16],
                "local_initiator": ispi.endswith("*"),
            },
        )

    def spis_plain(self, c: list[Token]) -> _Line:
        ispi, _, rspi = str(c[0]).partition(":")
        return _Line("spis", {"spi_i": ispi, "spi_r": rspi, "local_initiator": None})

    def cpu(self, c: list[Any]) -> _Line:
        return _Line("cpu")

    def last_use(self, c: list[Token]) -> _Line:
        return _Line("last_use", {"ago": _secs(c[0])})

    # -- list-sas ------------------------------------------------------------

    def ike_header(self, c: list[Any]) -> _Line:
        spis = _sub(c, "spis")
        assert spis is not None
        return _Line(
            "ike_header",
            {
                "name": str(c[0])[:-1],
                "unique_id": int(c[1]),
                "state": str(c[2]),
                "version": int(str(c[3])[-1]),
                **spis.values,
            },
        )

    def child_header(self, c: list[Any]) -> _Line:
        toks = [x for x in c if isinstance(x, Token)]
        mode = str(_one(c, "CHILD_MODE"))
        proto, _, proposal = str(_one(c, "CHILD_PROPOSAL")).partition(":")
        return _Line(
            "child_header",
            {
                "name": str(toks[0])[:-1],
                "unique_id": int(toks[1]),
                "reqid": int(toks[2]),
                "state": str(_one(c, "UPPER")),
                "mode": mode.removesuffix("-in-UDP"),
                "encap": mode.endswith("-in-UDP"),
                "protocol": proto,
                "proposal": proposal,
            },
        )

    def ike_endpoint(self, c: list[Any]) -> _Line:
        eap, xauth, vips = _sub(c, "eap_id"), _sub(c, "xauth_id"), _sub(c, "vips")
        return _Line(
            "ike_endpoint",
            {
                "side": c[0],
                "id": _sq(c[1]),
                "host": str(c[2]),
                "eap_id": eap.values["id"] if eap else None,
                "xauth_id": xauth.values["id"] if xauth else None,
                "vips": vips.values["vips"] if vips else (),
            },
        )

    def ike_proposal(self, c: list[Token]) -> _Line:
        return _Line("ike_proposal", {"proposal": str(c[0])})

    def ike_times(self, c: list[Any]) -> _Line:
        return _Line("ike_times", {"established": _secs(c[0]), **_timers(c)})

    def ike_tasks(self, c: list[Token]) -> _Line:
        queue = str(c[0])[:-1]
        return _Line("ike_tasks", {"queue": queue, "tasks": tuple(map(str, c[1:]))})

    def child_times(self, c: list[Any]) -> _Line:
        return _Line("child_times", {"installed": _secs(c[0]), **_timers(c)})

    def child_traffic(self, c: list[Any]) -> _Line:
        ints = _toks(c, "INT")
        return _Line(
            "child_traffic",
            {
                "direction": c[0],
                "spi": str(c[1]).partition("/")[0],
                "bytes": int(ints[0]),
                "packets": int(ints[1]),
            },
        )

    def child_label(self, c: list[Token]) -> _Line:
        return _Line("child_label", {"label": str(c[0])})

    def child_ts(self, c: list[Any]) -> _Line:
        return _Line("child_ts", {"side": c[0], "ts": tuple(map(str, c[1:]))})

    # -- list-conns ------------------------------------------------------------

    def no_reauth(self, c: list[Any]) -> _Line:
        return _Line("reauth", {"reauth_time": None})

    def reauth_every(self, c: list[Token]) -> _Line:
        return _Line("reauth", {"reauth_time": _secs(c[0])})

    def no_rekey(self, c: list[Any]) -> _Line:
        return _Line("rekey", {"rekey_time": None})

    def rekey_every(self, c: list[Any]) -> _Line:
        return _Line("rekey", {"rekey_time": _secs(c[0])})

    def rekey_limit(self, c: list[Token]) -> _Line:
        return _Line("limit")

    def dpd_delay(self, c: list[Token]) -> _Line:
        return _Line("dpd", {"dpd_delay": _secs(c[0])})

    def dpd_action(self, c: list[Token]) -> _Line:
        return _Line("dpd", {"dpd_action": str(c[0])})

    def conn_header(self, c: list[Any]) -> _Line:
        values: dict[str, Any] = {"name": str(c[0])[:-1], "versions": str(c[1])}
        values.update(rekey_time=None, dpd_delay=None)
        for x in c[2:]:
            values.update(x.values)
        return _Line("conn_header", values)

    def conn_values(self, c: list[Token]) -> _Line:
        side = str(c[0])[:-1]
        return _Line("conn_values", {"side": side, "values": tuple(map(str, c[1:]))})

    def conn_ppk(self, c: list[Token]) -> _Line:
        return _Line("conn_field", {"key": "ppk", "value": str(c[0])})

    def auth_header(self, c: list[Token]) -> _Line:
        side, _, rest = str(c[0]).partition(" ")
        auth_class = rest.removesuffix("authentication:").strip()
        return _Line("auth_header", {"local": side == "local", "class": auth_class})

    def auth_field(self, c: list[Token]) -> _Line:
        return _Line("auth_field", {"key": str(c[0])[:-1], "value": str(c[1])})

    def conn_child(self, c: list[Any]) -> _Line:
        values: dict[str, Any] = {"name": str(c[0])[:-1], "mode": str(c[1])}
        values["dpd_action"] = None
        for x in c[2:]:
            values.update(x.values)
        return _Line("conn_child", values)

    def conn_child_field(self, c: list[Token]) -> _Line:
        return _Line("conn_child_field", {"key": str(c[0])[:-1], "value": str(c[1])})

    # -- list-certs ------------------------------------------------------------

    def cert_caption(self, c: list[Token]) -> _Line:
        return _Line("cert_caption", {"caption": str(c[0])})

    def cert_subject(self, c: list[Token]) -> _Line:
        return _Line("cert_subject", {"subject": _sq(c[0])})

    def cert_issuer(self, c: list[Token]) -> _Line:
        return _Line("cert_issuer", {"issuer": _sq(c[0])})

    def cert_not_before(self, c: list[Token]) -> _Line:
        return _Line("cert_not_before", {"time": _cert_time(c[0])})

    def cert_not_after(self, c: list[Token]) -> _Line:
        return _Line("cert_not_after", {"time": _cert_time(c[0]), "status": str(c[1])})

    def cert_serial(self, c: list[Token]) -> _Line:
        return _Line("cert_serial", {"serial": str(c[0])})

    def cert_flags(self, c: list[Token]) -> _Line:
        return _Line("cert_flags", {"flags": tuple(map(str, c))})

    def cert_pubkey(self, c: list[Any]) -> _Line:
        private = _sub(c, "has_private") is not None
        values = {"pubkey": str(c[0]), "bits": int(c[1]), "private": private}
        return _Line("cert_pubkey", values)

    def has_private(self, c: list[Any]) -> _Line:
        return _Line("has_private")

    def cert_field(self, c: list[Token]) -> _Line:
        value = str(c[1]) if len(c) > 1 else ""
        return _Line("cert_field", {"key": str(c[0])[:-1], "value": value})

    # -- list-pools --------------------------------------------------------------

    def pool_header(self, c: list[Token]) -> _Line:
        online, offline, size = (int(x) for x in c[2:5])
        values = {"name": str(c[0]), "base": str(c[1]), "online": online}
        return _Line("pool_header", {**values, "offline": offline, "size": size})

    def pool_lease(self, c: list[Token]) -> _Line:
        values = {"address": str(c[0]), "online": str(c[1]) == "online"}
        return _Line("pool_lease", {**values, "identity": _sq(c[2])})

    # -- statusall ---------------------------------------------------------------

    def status_header(self, c: list[Token]) -> _Line:
        return _Line("status_header", {"text": str(c[0])})

    def status_section(self, c: list[Token]) -> _Line:
        return _Line("status_section", {"section": str(c[0])[:-1]})

    def status_pool(self, c: list[Token]) -> _Line:
        size, online, offline = (int(x) for x in c[1:4])
        values = {"name": str(c[0])[:-1], "base": None, "size": size}
        return _Line("pool_header", {**values, "online": online, "offline": offline})

    def status_ike(self, c: list[Any]) -> _Line:
        name, uid = _ref(c[0])
        duration = _one(c, "DURATION")
        peers = str(_one(c, "PEERS"))
        local, _, remote = peers.partition("]...")
        lhost, _, lid = local.partition("[")
        rhost, _, rid = remote.partition("[")
        return _Line(
            "status_ike",
            {
                "name": name,
                "unique_id": uid,
                "state": str(c[1]),
                "established": _duration(duration) if duration else None,
                "local_host": lhost,
                "local_id": lid,
                "remote_host": rhost,
                "remote_id": rid.removesuffix("]"),
            },
        )

    def status_ike_eap(self, c: list[Token]) -> _Line:
        kind = "eap_id" if str(c[2]) == "EAP" else "xauth_id"
        return _Line("status_ike_more", {kind: str(c[3])})

    def status_ike_spis(self, c: list[Token]) -> _Line:
        spis = self.spis_marked([c[2], c[3]]).values
        return _Line("status_ike_more", {"version": int(str(c[1])[-1]), **spis})

    def status_ike_proposal(self, c: list[Token]) -> _Line:
        return _Line("status_ike_more", {"proposal": str(c[2])})

    def status_ike_tasks(self, c: list[Token]) -> _Line:
        queue = str(c[2])[:-1]
        tasks = tuple(map(str, c[3:]))
        return _Line("status_ike_tasks", {"queue": queue, "tasks": tasks})

    def status_spis(self, c: list[Token]) -> _Line:
        return _Line(
            "spis",
            {
                "protocol": str(c[0]),
                "encap": _one(c, "UDP") is not None,
                "spi_in": str(_one(c, "SPI_IN"))[:8],
                "spi_out": str(_one(c, "SPI_OUT"))[:8],
            },
        )

    def status_expires(self, c: list[Token]) -> _Line:
        return _Line("expires", {"expires_in": _duration(c[0])})

    def status_child(self, c: list[Any]) -> _Line:
        name, uid = _ref(c[0])
        values: dict[str, Any] = {"name": name, "unique_id": uid, "state": str(c[1])}
        values.update(mode=str(c[2]), reqid=int(c[3]))
        for x in c[4:]:
            values.update(x.values)
        return _Line("status_child", values)

    def status_child_traffic(self, c: list[Any]) -> _Line:
        algs = _one(c, "STATUS_ALGS")
        ints = _toks(c, "INT")
        values: dict[str, Any] = {"proposal": str(algs) if algs else None}
        values.update(bytes_in=int(ints[0]), bytes_out=int(ints[1]))
        return _Line("status_child_more", values)

    def status_child_ts(self, c: list[Token]) -> _Line:
        words = [str(x) for x in c[1:]]
        # STS tokens on both sides of the anonymous "===" filtered by lark
        half = _ts_split(words)
        return _Line("status_child_more", {"ts_local": half[0], "ts_remote": half[1]})

    # -- the prompt --------------------------------------------------------------

    def swanctl_command(self, c: list[Token]) -> _Line:
        args = str(c[1]) if len(c) > 1 else ""
        return _Line("command", {"kind": _command_kind(args)})

    def ipsec_command(self, c: list[Token]) -> _Line:
        return _Line("command", {"kind": "statusall" if "status" in c[1] else None})


def _ts_split(words: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # FIXME: lark drops the anonymous "===" token, so both sides arrive as one
    # list; each side of a statusall child has as many selectors as the other
    # in every listing seen so far. Naming the separator terminal would fix it.
    half = len(words) // 2
    return tuple(words[:half]), tuple(words[half:])


def _command_kind(args: str) -> str | None:
    for flag, kind in (
        ("--list-sas", "list-sas"),
        ("-l", "list-sas"),
        ("--list-conns", "list-conns"),
        ("-L", "list-conns"),
        ("--list-certs", "list-certs"),
        ("-x", "list-certs"),
        ("--list-pools", "list-pools"),
        ("-P", "list-pools"),
    ):
        if args.split()[:1] == [flag]:
            return kind
    return None


def _cert_time(tok: Token) -> datetime:
    text = str(tok).replace(" UTC", "")
    return datetime.strptime(text, "%b %d %H:%M:%S %Y")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return compile_grammar(
        "swanctl.lark",
        lexer="contextual",
        transformer=_Lines(),
        start=[*KINDS.values(), "command_line"],
    )


def parse_line(text: str, kind: str) -> _Line | None:
    """The line record of one line's text (indentation removed) read as a
    line of listing ``kind``, or ``None`` when the grammar does not accept it."""
    try:
        result = _parser().parse(text, start=KINDS.get(kind, kind))
    except LarkError:
        return None
    return result if isinstance(result, _Line) else None


# -- detection -------------------------------------------------------------------

_RAW_VICI = re.compile(r"^list-\w+ (event|reply) \{")


def transcript_kind(lines: Iterable[str], *, probe: int = 40) -> str | None:
    """Which listing the text starts with (a key of :data:`KINDS`,
    ``"vici-raw"`` for a ``--raw`` dump), or ``None`` for anything else.

    The first ``probe`` non-blank lines are read by the listings' rules; the
    text is a transcript when they accept three in four of them, so a charon
    log (whose lines none of the rules accept) is never taken for one.
    """
    texts: list[str] = []
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if _RAW_VICI.match(text):
            return "vici-raw"
        texts.append(text)
        if len(texts) >= probe:
            break
    if not texts:
        return None
    first = parse_line(texts[0], "command_line")
    if first is not None and first.values.get("kind"):
        return str(first.values["kind"])
    if first is not None:
        texts = texts[1:]
    # several listings may follow each other: a line counts when any
    # listing's rule accepts it, the first accepted line names the kind
    first_kind: str | None = None
    accepted = 0
    for text in texts:
        kind = next((k for k in KINDS if parse_line(text, k) is not None), None)
        if kind is not None:
            accepted += 1
            first_kind = first_kind or kind
    if first_kind is None or accepted * 4 < len(texts) * 3:
        return None
    return first_kind


def looks_like_transcript(lines: Iterable[str]) -> bool:
    """Whether the text is a swanctl/statusall listing rather than a log."""
    return transcript_kind(lines) is not None


# -- assembling blocks ------------------------------------------------------------


class _Assembler:
    """Folds line records into records, one listing block at a time."""

    def __init__(self) -> None:
        self.ike_sas: list[ListedIkeSa] = []
        self.connections: list[Connection] = []
        self.certificates: list[Certificate] = []
        self.pools: list[Pool] = []
        self.unknown: list[tuple[int, str]] = []
        # the blocks being built, as dicts until they are complete
        self.ike: dict[str, Any] | None = None
        self.child: dict[str, Any] | None = None
        self.conn: dict[str, Any] | None = None
        self.auth: dict[str, Any] | None = None
        self.cchild: dict[str, Any] | None = None
        self.cert: dict[str, Any] | None = None
        self.caption: str | None = None
        self.pool: dict[str, Any] | None = None
        self.last_cert_field: str | None = None
        #: the line being fed, as written (without its line end)
        self.written = ""

    # -- closing blocks ----------------------------------------------------------

    def close_child(self) -> None:
        if self.child is not None and self.ike is not None:
            self.ike["children"].append(ListedChildSa(**self.child))
        self.child = None

    def close_ike(self) -> None:
        self.close_child()
        if self.ike is not None:
            ike = dict(self.ike)
            ike["children"] = tuple(ike["children"])
            ike["tasks"] = tuple(ike["tasks"])
            self.ike_sas.append(ListedIkeSa(**ike))
        self.ike = None

    def close_auth(self) -> None:
        if self.auth is not None and self.conn is not None:
            auth = dict(self.auth, fields=tuple(self.auth["fields"]))
            self.conn["auth"].append(AuthRound(**auth))
        self.auth = None

    def close_cchild(self) -> None:
        if self.cchild is not None and self.conn is not None:
            child = dict(self.cchild, fields=tuple(self.cchild["fields"]))
            self.conn["children"].append(ConnectionChild(**child))
        self.cchild = None

    def close_conn(self) -> None:
        self.close_auth()
        self.close_cchild()
        if self.conn is not None:
            conn = dict(self.conn)
            conn["auth"] = tuple(conn["auth"])
            conn["children"] = tuple(conn["children"])
            self.connections.append(Connection(**conn))
        self.conn = None

    def close_cert(self) -> None:
        if self.cert is not None:
            cert = dict(self.cert, fields=tuple(self.cert["fields"]))
            self.certificates.append(Certificate(**cert))
        self.cert = None
        self.last_cert_field = None

    def close_pool(self) -> None:
        if self.pool is not None:
            leases = tuple(self.pool["leases"])
            self.pools.append(Pool(**dict(self.pool, leases=leases)))
        self.pool = None

    def close_all(self) -> None:
        self.close_ike()
        self.close_conn()
        self.close_cert()
        self.close_pool()

    # -- feeding -----------------------------------------------------------------

    def feed(self, number: int, indent: int, text: str, rec: _Line) -> bool:
        """Add one line record; ``False`` when it fits no open block."""
        handler = getattr(self, f"_on_{rec.what}", None)
        if handler is None:
            return False
        return bool(handler(number, indent, rec.values))

    # list-sas

    def _on_ike_header(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        self.close_all()
        self.ike = dict(v, line=n, children=[], tasks=[], text=self.written)
        return True

    def _on_ike_endpoint(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.ike is None:
            return False
        side = v["side"]
        self.ike[f"{side}_id"] = v["id"]
        self.ike[f"{side}_host"] = v["host"]
        self.ike[f"{side}_vips"] = v["vips"]
        if v["eap_id"] is not None:
            self.ike["eap_id"] = v["eap_id"]
        if v["xauth_id"] is not None:
            self.ike["xauth_id"] = v["xauth_id"]
        return True

    def _on_ike_proposal(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.ike is None:
            return False
        self.ike["proposal"] = v["proposal"]
        return True

    def _on_ike_times(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.ike is None:
            return False
        self.ike["established"] = v["established"]
        self.ike["rekey_in"] = v.get("rekeying")
        self.ike["reauth_in"] = v.get("reauth")
        return True

    def _on_ike_tasks(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.ike is None:
            return False
        self.ike["tasks"].append((v["queue"], v["tasks"]))
        return True

    _on_status_ike_tasks = _on_ike_tasks

    def _on_child_header(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.ike is None or indent == 0:
            return False
        self.close_child()
        self.child = dict(v, line=n, text=self.written)
        return True

    def _on_child_times(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.child is None:
            return False
        self.child["installed"] = v["installed"]
        self.child["rekey_in"] = v.get("rekeying")
        self.child["expires_in"] = v.get("expires")
        return True

    def _on_child_traffic(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.child is None:
            return False
        d = v["direction"]
        self.child[f"spi_{d}"] = v["spi"]
        self.child[f"bytes_{d}"] = v["bytes"]
        self.child[f"packets_{d}"] = v["packets"]
        return True

    def _on_child_label(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        return self.child is not None

    def _on_child_ts(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.child is None:
            return False
        self.child[f"ts_{v['side']}"] = v["ts"]
        return True

    # list-conns

    def _on_conn_header(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        self.close_all()
        self.conn = dict(v, line=n, auth=[], children=[])
        self.conn.setdefault("reauth_time", None)
        return True

    def _on_conn_values(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.cchild is not None and indent > 2:
            self.cchild[f"ts_{v['side']}"] = v["values"]
            return True
        if self.conn is None:
            return False
        key = f"{v['side']}_addrs"
        self.conn[key] = self.conn.get(key, ()) + v["values"]
        return True

    def _on_conn_field(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        return self.conn is not None

    def _on_auth_header(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.conn is None:
            return False
        self.close_auth()
        self.auth = {"local": v["local"], "auth_class": v["class"], "line": n}
        self.auth["fields"] = []
        return True

    def _on_auth_field(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.auth is None:
            return False
        self.auth["fields"].append((v["key"], v["value"]))
        return True

    def _on_conn_child(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.conn is None:
            return False
        self.close_auth()
        self.close_cchild()
        self.cchild = {"name": v["name"], "mode": v["mode"], "line": n, "fields": []}
        self.cchild["rekey_time"] = v.get("rekey_time")
        self.cchild["dpd_action"] = v.get("dpd_action")
        return True

    def _on_conn_child_field(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.cchild is None:
            return False
        self.cchild["fields"].append((v["key"], v["value"]))
        return True

    # list-certs

    def _on_cert_caption(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        self.close_all()
        self.caption = v["caption"]
        return True

    def _cert(self, n: int) -> dict[str, Any]:
        if self.cert is None:
            self.cert = {"caption": self.caption, "line": n, "fields": []}
        return self.cert

    def _on_cert_subject(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.cert is not None and "subject" in self.cert:
            self.close_cert()  # no blank line between two certificates
        self._cert(n)["subject"] = v["subject"]
        return True

    def _set_cert(self, n: int, **values: Any) -> bool:
        if self.ike is not None or self.conn is not None or self.pool is not None:
            return False
        self._cert(n).update(values)
        return True

    def _on_cert_issuer(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        return self._set_cert(n, issuer=v["issuer"])

    def _on_cert_not_before(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        return self._set_cert(n, not_before=v["time"])

    def _on_cert_not_after(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        return self._set_cert(n, not_after=v["time"], status=v["status"])

    def _on_cert_serial(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        return self._set_cert(n, serial=v["serial"])

    def _on_cert_flags(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        return self._set_cert(n, flags=v["flags"])

    def _on_cert_pubkey(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        return self._set_cert(
            n, pubkey=v["pubkey"], key_bits=v["bits"], has_private_key=v["private"]
        )

    def _on_cert_field(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if not self._set_cert(n):
            return False
        assert self.cert is not None
        self.cert["fields"].append((v["key"], v["value"]))
        self.last_cert_field = v["key"]
        return True

    def continuation(self, text: str) -> bool:
        """A deeper line the grammar does not know: more of the cert field
        above it (another CRL URI, a policy ...)."""
        if self.cert is None or self.last_cert_field is None:
            return False
        self.cert["fields"].append((self.last_cert_field, text))
        return True

    # list-pools and statusall pools

    def _on_pool_header(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        self.close_all()
        self.pool = dict(v, line=n, leases=[])
        if v["base"] is None:  # statusall: one line per pool, no leases
            self.close_pool()
        return True

    def _on_pool_lease(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.pool is None:
            return False
        self.pool["leases"].append(Lease(v["address"], v["online"], v["identity"], n))
        return True

    # statusall SAs

    def _on_status_ike(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        self.close_all()
        self.ike = dict(v, line=n, children=[], tasks=[], version=2, text=self.written)
        self.ike.update(spi_i="", spi_r="")
        return True

    def _on_status_ike_more(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.ike is None:
            return False
        self.ike.update(v)
        return True

    def _on_status_child(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.ike is None:
            return False
        self.close_child()
        self.child = dict(v, line=n, text=self.written)
        return True

    def _on_status_child_more(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        if self.child is None:
            return False
        self.child.update(v)
        return True

    def _on_status_header(self, n: int, indent: int, v: dict[str, Any]) -> bool:
        self.close_all()
        return True

    _on_status_section = _on_status_header


def read_transcript(
    lines: Iterable[str], *, source: str = "<lines>", start: int = 1
) -> Transcript:
    """Read one paste of swanctl/statusall listings (the sans-IO entry point).

    Line numbers in the records count from ``start`` (a listing found inside
    a longer text keeps that text's numbers), blank lines included.
    """
    kinds: list[str] = []
    kind: str | None = None
    asm = _Assembler()
    total = 0
    for total, raw in enumerate(lines, 1):
        number = start + total - 1
        line = raw.rstrip("\r\n")
        text = line.strip()
        if not text:
            if kind == "list-certs":
                asm.close_cert()
            continue
        indent = len(line) - len(line.lstrip())

        # a prompt line names the listing that follows
        rec = parse_line(text, "command_line")
        if rec is not None:
            asm.close_all()
            kind = rec.values.get("kind")
            if kind and kind not in kinds:
                kinds.append(kind)
            continue

        asm.written = line
        # the current listing first, then the others (a new one began)
        order = [kind] if kind else []
        order += [k for k in KINDS if k != kind]
        for candidate in order:
            rec = parse_line(text, candidate)
            if rec is not None and asm.feed(number, indent, text, rec):
                if candidate != kind:
                    kind = candidate
                    if kind not in kinds:
                        kinds.append(kind)
                break
        else:
            if not (indent > 2 and asm.continuation(text)):
                asm.unknown.append((number, text))
    asm.close_all()
    return Transcript(
        source=source,
        kinds=tuple(kinds),
        ike_sas=tuple(asm.ike_sas),
        connections=tuple(asm.connections),
        certificates=tuple(asm.certificates),
        pools=tuple(asm.pools),
        unknown=tuple(asm.unknown),
        lines=total,
    )


# -- the CLI's shell ------------------------------------------------------------------


def load_inputs(paths: Iterable[str]) -> tuple[list[str], list[Transcript]]:
    """Sort files into charon logs and transcripts by their content.

    Returns the paths of the logs (left for :func:`ikelog.load`) and the
    transcripts read. ``-`` (stdin) is always a log. A blank file is an
    empty transcript when other files are given (a ``--list-sas`` of a
    daemon with no SAs), else a log, so the CLI reports empty input.
    """
    from .sources import open_text

    paths = list(paths)
    logs: list[str] = []
    transcripts: list[Transcript] = []
    for path in paths:
        if path == "-":
            logs.append(path)
            continue
        lines = list(open_text(path))
        kind = transcript_kind(lines)
        blank = not any(line.strip() for line in lines)
        if kind is not None and kind != "vici-raw":
            transcripts.append(read_transcript(lines, source=path))
        elif kind == "vici-raw" or (blank and len(paths) > 1):
            transcripts.append(Transcript(source=path, kinds=(), lines=len(lines)))
        else:
            logs.append(path)
    return logs, transcripts
