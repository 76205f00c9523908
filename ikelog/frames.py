"""Tables: a replayed log as pandas DataFrames.

:class:`Tables` (``trace.tables``) turns the records of a
:class:`~ikelog.trace.Trace` into one DataFrame per kind of record:

==================  ========================================================
table               one row per
==================  ========================================================
``events``          log line (needs ``ikelog.load(..., keep_events=True)``,
                    the default)
``ike_sas``         IKE SA, in order of first appearance; the row label
                    (index ``sa``) is the SA's position in ``trace.ike_sas``
``child_sas``       CHILD SA
``exchanges``       request/response pair, with its ``latency``
``leases``          virtual IP lease
``problems``        error line that concerns an SA (the raw material of
                    failures)
``findings``        diagnosis (:mod:`ikelog.findings`), most severe first
``unrecognized``    line the grammar did not know (needs the events)
``ambiguous``       worker job whose IKE SA could not be decided
==================  ========================================================

The facts are those of ``ikelog analyze --json`` (``tests/test_frames.py``
holds the two side by side); the column names are the JSON keys where one
exists. Conventions:

* ``sa`` joins the tables: the position of the IKE SA in ``trace.ike_sas``
  (``unique_id`` is missing in untagged logs); ``sa_label`` is ``eap[3]``.
* Times are ``datetime64[us]``. A log whose stamps carry no date (the seed
  page's ``09:58:20:``) gets 1900-01-01, as :func:`ikelog.trace.stamp`
  does, so times of day and differences are right and the date is not;
  lines without any stamp give ``NaT``. Stamps with a UTC offset (ISO,
  journal) are converted to UTC; the others are the log's local time.
* Durations (``latency``, ``setup_seconds``) are float seconds, as in the
  JSON document.
* States, outcomes, roles, exchange types, groups, problem and finding
  kinds and severities are categoricals. The known values come first, in
  a fixed order, so tables of two logs concatenate without turning into
  ``object`` columns.
* Counts that may be missing are ``Int64``; SPIs, identities, addresses
  and payload lists (charon's own text: ``SA KE No N(NATD_S_IP)``) are
  ``string``.

Every table is built column-wise: one Python list per column, converted
once, with categoricals and timestamps built from their distinct values, so
a million events become a DataFrame in seconds. pandas is imported on the
first table, so a plain ``ikelog analyze`` does not pay for it.

``trace.ike_sas`` and ``trace.leases`` are :class:`RecordList`: the list of
records that the CLI and the report iterate, which also answers table
questions (``trace.ike_sas.query("outcome == 'failed'")``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from .trace import messages_json, outcome

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .events import Event
    from .findings.model import Finding
    from .replay.model import AmbiguousJob, ChildSa, Exchange, IkeSa, LeaseRecord
    from .trace import Trace

#: Table names in the order exports write them.
TABLES = (
    "events",
    "ike_sas",
    "child_sas",
    "exchanges",
    "leases",
    "problems",
    "findings",
    "unrecognized",
    "ambiguous",
)

#: Fixed categories, known values first (others seen are appended).
EXCHANGE_TYPES = (
    "IKE_SA_INIT",
    "IKE_INTERMEDIATE",
    "IKE_AUTH",
    "CREATE_CHILD_SA",
    "INFORMATIONAL",
    "IKE_FOLLOWUP_KE",
    "IKE_SESSION_RESUME",
    "ID_PROT",
    "AGGRESSIVE",
    "QUICK_MODE",
    "TRANSACTION",
    "INFORMATIONAL_V1",
    "AUTH_ONLY",
    "NEW_GROUP_MODE",
)
IKE_STATES = (
    "connecting",
    "established",
    "rekeyed",
    "deleting",
    "deleted",
    "failed",
    "open",
)
CHILD_STATES = ("installing", "installed", "inbound", "deleting", "closed", "expired")
OUTCOMES = ("established", "failed", "open")
ROLES = ("initiator", "responder")
SIDES = ("local", "remote")
GROUPS = (
    "DMN",
    "MGR",
    "IKE",
    "CHD",
    "JOB",
    "CFG",
    "KNL",
    "NET",
    "ASN",
    "ENC",
    "TNC",
    "IMC",
    "IMV",
    "PTS",
    "TLS",
    "APP",
    "ESP",
    "LIB",
)

_R = TypeVar("_R")


class RecordList(list[_R]):
    """A list of replay records that also answers as a DataFrame.

    Iterating, indexing and comparing behave as for the plain list the
    records come from; :attr:`df`, :meth:`query` and the notebook display
    use the matching table of :class:`Tables`.
    """

    __slots__ = ("_frame",)

    def __init__(self, records: Iterable[_R], frame: Callable[[], pd.DataFrame]):
        super().__init__(records)
        self._frame = frame

    @property
    def df(self) -> pd.DataFrame:
        """The records as a table (built once per trace)."""
        return self._frame()

    def query(self, expr: str, **kwargs: Any) -> pd.DataFrame:
        """Rows of :attr:`df` that satisfy ``expr`` (see ``DataFrame.query``)."""
        rows: pd.DataFrame = self.df.query(expr, **kwargs)
        return rows

    def _repr_html_(self) -> str:
        return str(self.df.to_html(notebook=True, max_rows=40, show_dimensions=True))


class Tables:
    """The DataFrames of one trace, each built on first use and then kept."""

    def __init__(self, trace: Trace) -> None:
        self._trace = trace

    def _events(self) -> list[Event]:
        events = self._trace.events
        if events is None:
            raise ValueError(
                "this trace kept no events: load it with ikelog.load(..., "
                "keep_events=True)"
            )
        return events

    @cached_property
    def events(self) -> pd.DataFrame:
        """One row per log line."""
        with _no_gc():
            return events_frame(self._events())

    @cached_property
    def ike_sas(self) -> pd.DataFrame:
        """One row per IKE SA, indexed by ``sa``."""
        with _no_gc():
            return ike_sas_frame(self._trace.replay.sas)

    @cached_property
    def child_sas(self) -> pd.DataFrame:
        """One row per CHILD SA."""
        with _no_gc():
            return child_sas_frame(self._trace.replay.sas)

    @cached_property
    def exchanges(self) -> pd.DataFrame:
        """One row per request/response pair."""
        with _no_gc():
            return exchanges_frame(self._trace.replay.sas, self._trace.replay.ambiguous)

    @cached_property
    def leases(self) -> pd.DataFrame:
        """One row per virtual IP lease."""
        with _no_gc():
            return leases_frame(self._trace.replay.leases)

    @cached_property
    def problems(self) -> pd.DataFrame:
        """One row per problem line of an SA."""
        with _no_gc():
            return problems_frame(self._trace.replay.sas)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """One row per finding, most severe first."""
        found = self._trace.findings()
        with _no_gc():
            return findings_frame(found, self._trace.replay.sas)

    @cached_property
    def unrecognized(self) -> pd.DataFrame:
        """One row per line the grammar did not know."""
        with _no_gc():
            return unrecognized_frame(self._events())

    @cached_property
    def ambiguous(self) -> pd.DataFrame:
        """One row per job whose IKE SA could not be decided."""
        with _no_gc():
            return ambiguous_frame(self._trace.replay.ambiguous)

    def all(self) -> dict[str, pd.DataFrame]:
        """Every table by name (without the two that need events when the
        trace kept none)."""
        names = [n for n in TABLES if self._trace.events is not None or not _needs(n)]
        return {name: getattr(self, name) for name in names}


def _needs(name: str) -> bool:
    return name in ("events", "unrecognized")


# -- the tables -----------------------------------------------------------------


def events_frame(events: Sequence[Event]) -> pd.DataFrame:
    """One row per event: prefix fields, ``kind``, ``text`` and the ``body``.

    ``text`` is the message text where the body keeps one (unrecognized
    and foreign lines, notes, failures); ``body`` is the typed body object.
    """
    import pandas as pd

    bodies = [e.body for e in events]
    return pd.DataFrame(
        {
            "line": _plain_ints([e.line for e in events]),
            "source": _plain_ints([e.source for e in events]),
            "time": _times([e.ts for e in events]),
            "thread": _ints([e.thread for e in events]),
            "group": _categories([e.group for e in events], GROUPS),
            "level": _ints([e.level for e in events]),
            "sa_name": _categories([e.sa_name for e in events]),
            "sa_uid": _ints([e.sa_uid for e in events]),
            "kind": _categories([b.kind for b in bodies]),
            "text": _strings([getattr(b, "text", None) for b in bodies]),
            "body": pd.Series(bodies, dtype=object),
        }
    )


def unrecognized_frame(events: Sequence[Event]) -> pd.DataFrame:
    """The lines the grammar did not know, with their text."""
    lines = [e for e in events if e.body.kind == "unrecognized"]
    return _frame(
        {
            "line": _plain_ints([e.line for e in lines]),
            "time": _times([e.ts for e in lines]),
            "thread": _ints([e.thread for e in lines]),
            "group": _categories([e.group for e in lines], GROUPS),
            "text": _strings([getattr(e.body, "text", None) for e in lines]),
        }
    )


def ike_sas_frame(sas: Sequence[IkeSa]) -> pd.DataFrame:
    """One row per IKE SA; the index ``sa`` is its position in ``sas``."""
    import pandas as pd

    fails = [sa.failure for sa in sas]
    est_times = [_established_at(sa) for sa in sas]
    first = _times([sa.first_ts for sa in sas])
    established = _times(est_times)
    frame = _frame(
        {
            "sa_label": _strings([sa.label for sa in sas]),
            "name": _categories([sa.name for sa in sas]),
            "unique_id": _ints([sa.unique_id for sa in sas]),
            "names": _strings([", ".join(sa.names) for sa in sas]),
            "version": _plain_ints([sa.version for sa in sas]),
            "role": _categories([sa.role for sa in sas], ROLES),
            "local": _strings([sa.local for sa in sas]),
            "remote": _strings([sa.remote for sa in sas]),
            "local_id": _strings([sa.local_id for sa in sas]),
            "remote_id": _strings([sa.remote_id for sa in sas]),
            "eap_identity": _strings([sa.eap_identity for sa in sas]),
            "local_nat": _bools([sa.local_nat for sa in sas]),
            "remote_nat": _bools([sa.remote_nat for sa in sas]),
            "proposal": _strings([sa.proposal for sa in sas]),
            "state": _categories([sa.state for sa in sas], IKE_STATES),
            "outcome": _categories([outcome(sa) for sa in sas], OUTCOMES),
            "established": _bools(
                [sa.established or sa.established_via is not None for sa in sas]
            ),
            "established_via": _categories(
                [
                    sa.established_via or ("exchanges" if sa.established else None)
                    for sa in sas
                ],
                ("exchanges", "rekey"),
            ),
            "rekeyed_from": _ints([sa.rekeyed_from for sa in sas]),
            "rekeyed_to": _ints([sa.rekeyed_to for sa in sas]),
            "failure_stage": _categories(
                [None if f is None else f.stage or "IKE_SA_INIT" for f in fails],
                EXCHANGE_TYPES,
            ),
            "failure_kind": _categories([None if f is None else f.what for f in fails]),
            "failure_reason": _strings([None if f is None else f.text for f in fails]),
            "failure_line": _ints([None if f is None else f.line for f in fails]),
            "pairs_to_establish": _ints([sa.pairs_to_establish for sa in sas]),
            "pairs_total": _plain_ints([sa.pairs_total for sa in sas]),
            "exchanges": _plain_ints([len(sa.exchanges) for sa in sas]),
            "child_sas": _plain_ints([len(sa.child_sas) for sa in sas]),
            "virtual_ips": _strings([", ".join(sa.virtual_ips) for sa in sas]),
            "first_line": _ints([sa.first_line for sa in sas]),
            "last_line": _ints([sa.last_line for sa in sas]),
            "first_source": _plain_ints([sa.first_source for sa in sas]),
            "last_source": _plain_ints([sa.last_source for sa in sas]),
            "first_time": first,
            "last_time": _times([sa.last_ts for sa in sas]),
            "established_time": established,
            "setup_seconds": _seconds(first, established),
            "lines": _plain_ints([sa.lines for sa in sas]),
            "attribution": _categories(
                [sa.attribution for sa in sas], ("exact", "inferred")
            ),
        }
    )
    frame.index = pd.RangeIndex(len(frame), name="sa")
    return frame


def child_sas_frame(sas: Sequence[IkeSa]) -> pd.DataFrame:
    """One row per CHILD SA, with the ``sa`` it belongs to."""
    owners: list[int] = []
    labels: list[str] = []
    kids: list[ChildSa] = []
    for i, sa in enumerate(sas):
        for c in sa.child_sas:
            owners.append(i)
            labels.append(sa.label)
            kids.append(c)
    return _frame(
        {
            "sa": _plain_ints(owners),
            "sa_label": _strings(labels),
            "name": _categories([c.name for c in kids]),
            "unique_id": _plain_ints([c.unique_id for c in kids]),
            "spi_in": _strings([c.spi_in for c in kids]),
            "spi_out": _strings([c.spi_out for c in kids]),
            "ts_local": _strings([" ".join(c.ts_local) for c in kids]),
            "ts_remote": _strings([" ".join(c.ts_remote) for c in kids]),
            "proposal": _strings([c.proposal for c in kids]),
            "state": _categories([c.state for c in kids], CHILD_STATES),
            "bytes_in": _ints([c.bytes_in for c in kids]),
            "bytes_out": _ints([c.bytes_out for c in kids]),
            "reqid": _ints([c.reqid for c in kids]),
            "established_time": _times([c.established_ts for c in kids]),
            "closed_time": _times([c.closed_ts for c in kids]),
            "established_line": _ints([c.established_line for c in kids]),
            "closed_line": _ints([c.closed_line for c in kids]),
            "rekeyed_by": _ints([c.rekeyed_by for c in kids]),
        }
    )


def exchanges_frame(
    sas: Sequence[IkeSa], ambiguous: Sequence[AmbiguousJob] = ()
) -> pd.DataFrame:
    """One row per request/response pair.

    ``n`` counts the exchanges of an SA from 0; ``establishing`` marks the
    one that established it. Exchanges of ambiguous jobs come last, with
    no ``sa``.
    """
    owners: list[int | None] = []
    labels: list[str | None] = []
    order: list[int] = []
    est: list[bool] = []
    xs: list[Exchange] = []
    for i, sa in enumerate(sas):
        for n, x in enumerate(sa.exchanges):
            owners.append(i)
            labels.append(sa.label)
            order.append(n)
            est.append(x is sa.establishing_exchange)
            xs.append(x)
    for job in ambiguous:
        for n, x in enumerate(job.exchanges):
            owners.append(None)
            labels.append(None)
            order.append(n)
            est.append(False)
            xs.append(x)
    request_times = _times([x.request_ts for x in xs])
    response_times = _times([x.response_ts for x in xs])
    return _frame(
        {
            "sa": _ints(owners),
            "sa_label": _strings(labels),
            "n": _plain_ints(order),
            "type": _categories([x.type for x in xs], EXCHANGE_TYPES),
            "message_id": _plain_ints([x.message_id for x in xs]),
            "initiator": _categories([x.initiator for x in xs], SIDES),
            "request": _strings([_payloads(x.request) for x in xs]),
            "response": _strings([_payloads(x.response) for x in xs]),
            "complete": _bools([x.complete for x in xs]),
            "establishing": _bools(est),
            "retransmits": _plain_ints([x.retransmits for x in xs]),
            "request_fragments": _plain_ints([x.request_fragments for x in xs]),
            "response_fragments": _plain_ints([x.response_fragments for x in xs]),
            "request_size": _ints([x.request_size for x in xs]),
            "response_size": _ints([x.response_size for x in xs]),
            "request_time": request_times,
            "response_time": response_times,
            "request_line": _ints([x.request_line for x in xs]),
            "response_line": _ints([x.response_line for x in xs]),
            "request_source": _plain_ints([x.request_source for x in xs]),
            "response_source": _plain_ints([x.response_source for x in xs]),
            "latency": _seconds(request_times, response_times),
            "cookie_challenges": _plain_ints([x.cookie_challenges for x in xs]),
            "invalid_ke": _plain_ints([x.invalid_ke for x in xs]),
            "challenges": [messages_json(x.challenges, "response") for x in xs],
            "retries": [messages_json(x.retries, "request") for x in xs],
            "messages": _plain_ints([_messages(x) for x in xs]),
            # IKEv1: the exchange's later messages, as in the JSON document
            "more": [
                [
                    {"direction": "in" if inbound else "out", "payloads": list(p)}
                    for inbound, p in x.more
                ]
                for x in xs
            ],
        }
    )


def leases_frame(leases: Sequence[LeaseRecord]) -> pd.DataFrame:
    """One row per lease; ``ike_sa`` is the unique id of its IKE SA."""
    return _frame(
        {
            "address": _strings([x.address for x in leases]),
            "identity": _strings([x.identity for x in leases]),
            "pool": _strings([x.pool for x in leases]),
            "online": _bools([x.online for x in leases]),
            "online_time": _times([x.online_ts for x in leases]),
            "offline_time": _times([x.offline_ts for x in leases]),
            "online_line": _ints([x.online_line for x in leases]),
            "offline_line": _ints([x.offline_line for x in leases]),
            "ike_sa": _ints([x.ike_sa for x in leases]),
            "ike_sa_label": _strings([x.ike_sa_label for x in leases]),
            "offline_reason": _categories(
                [x.offline_reason for x in leases], ("released", "daemon restarted")
            ),
        }
    )


def problems_frame(sas: Sequence[IkeSa]) -> pd.DataFrame:
    """One row per problem of an SA; ``fatal`` marks the SA's failure."""
    owners: list[int] = []
    labels: list[str] = []
    fatal: list[bool] = []
    rows = []
    for i, sa in enumerate(sas):
        failure = sa.failure
        for p in sa.problems:
            owners.append(i)
            labels.append(sa.label)
            fatal.append(p is failure)
            rows.append(p)
    return _frame(
        {
            "sa": _plain_ints(owners),
            "sa_label": _strings(labels),
            "line": _plain_ints([p.line for p in rows]),
            "kind": _categories([p.what for p in rows]),
            "text": _strings([p.text for p in rows]),
            "stage": _categories([p.stage for p in rows], EXCHANGE_TYPES),
            "fatal": _bools(fatal),
        }
    )


def findings_frame(
    findings: Sequence[Finding], sas: Sequence[IkeSa] = ()
) -> pd.DataFrame:
    """One row per finding; ``severity`` is ordered (error < warning < info)
    and ``lines`` lists the evidence lines."""
    from .findings.model import Kind, Severity

    position = {sa.label: i for i, sa in enumerate(sas)}
    frame = _frame(
        {
            "sa": _ints([position.get(f.ike_sa or "") for f in findings]),
            "sa_label": _strings([f.ike_sa for f in findings]),
            "kind": _categories([f.kind.value for f in findings], _values(Kind)),
            "severity": _categories(
                [f.severity.value for f in findings], _values(Severity)
            ),
            "first_line": _ints(
                [f.first_line if f.evidence else None for f in findings]
            ),
            "lines": _strings([" ".join(map(str, f.lines)) for f in findings]),
            "summary": _strings([f.summary for f in findings]),
            "explanation": _strings([f.explanation for f in findings]),
            "fix": _strings([f.fix for f in findings]),
        }
    )
    frame["severity"] = frame["severity"].cat.as_ordered()
    return frame


def _values(enum: Iterable[Any]) -> list[str]:
    return [str(member.value) for member in enum]


def ambiguous_frame(jobs: Sequence[AmbiguousJob]) -> pd.DataFrame:
    """One row per ambiguous job: its lines and the SAs it could be."""
    return _frame(
        {
            "first_line": _plain_ints([j.first_line for j in jobs]),
            "lines": _plain_ints([len(j.lines) for j in jobs]),
            "candidates": _strings([", ".join(j.candidates) for j in jobs]),
            "exchanges": _plain_ints([len(j.exchanges) for j in jobs]),
        }
    )


def _established_at(sa: IkeSa) -> datetime | None:
    for _, ts, state in sa.timeline:
        if state == "established":
            return ts
    return None


def _messages(x: Exchange) -> int:
    """Messages of the exchange in the log (IKEv1 exchanges have up to six)."""
    if x.version == 1:
        return x.messages
    return (x.request is not None) + (x.response is not None)


def _payloads(items: tuple[str, ...] | None) -> str | None:
    return None if items is None else " ".join(items)


# -- columns --------------------------------------------------------------------


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic collector: building a million-row column makes
    millions of objects and no cycles, and the collector would walk the
    whole trace again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns)


def _plain_ints(values: Sequence[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
    import numpy as np

    return np.fromiter(values, np.int64, len(values))


def _ints(values: Sequence[int | None]) -> pd.api.extensions.ExtensionArray:
    """A nullable ``Int64`` column."""
    import numpy as np
    import pandas as pd

    data = np.array(values, dtype=object)
    mask = np.array([v is None for v in values], dtype=np.bool_)
    data[mask] = 0
    return pd.arrays.IntegerArray(data.astype(np.int64), mask)


def _bools(values: Sequence[bool]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    import numpy as np

    return np.fromiter(values, np.bool_, len(values))


def _strings(values: Sequence[str | None]) -> pd.api.extensions.ExtensionArray:
    """A ``string`` column; ``None`` becomes ``<NA>``."""
    import pandas as pd

    return pd.array(values, dtype="string")


def _categories(
    values: Sequence[str | None], known: Sequence[str] = ()
) -> pd.Categorical[str]:
    """A categorical column: ``known`` first, then other values sorted.

    Built from codes, so each distinct value is hashed into the category
    list once rather than compared row by row.
    """
    import numpy as np
    import pandas as pd

    seen = set(values)
    seen.discard(None)
    extra = sorted(str(v) for v in seen if v not in known)
    categories = [*known, *extra]
    lookup: dict[str | None, int] = {c: i for i, c in enumerate(categories)}
    lookup[None] = -1
    codes = np.fromiter(map(lookup.__getitem__, values), np.int32, len(values))
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories))


def _times(values: Sequence[datetime | None]) -> np.ndarray[Any, Any]:
    """A ``datetime64[us]`` column; ``None`` becomes ``NaT``.

    Lines of one second share one datetime object, so only the distinct
    values are converted and the column is gathered by index.
    """
    import numpy as np

    distinct = list(set(values))
    lookup = {v: i for i, v in enumerate(distinct)}
    converted = np.array([_naive(v) for v in distinct], dtype="datetime64[us]")
    codes = np.fromiter(map(lookup.__getitem__, values), np.int64, len(values))
    return converted[codes]


def _naive(ts: datetime | None) -> np.datetime64:
    """numpy's value for a stamp; one with a UTC offset is taken to UTC."""
    import numpy as np

    if ts is None:
        return np.datetime64("NaT", "us")
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(ts, "us")


def _seconds(start: np.ndarray[Any, Any], end: np.ndarray[Any, Any]) -> Any:
    """``end - start`` as float seconds (NaN where either is missing)."""
    import numpy as np

    delta = (end - start).astype("timedelta64[us]")
    seconds = delta.astype(np.float64) / 1e6
    seconds[np.isnat(delta)] = np.nan
    return seconds
