"""The shadow state machine: replay events into IKE SAs and CHILD SAs.

Theory of operation
-------------------

:class:`Replay` is fed events in log order. Each event is first routed to
its IKE SA (see :mod:`ikelog.replay.attribution`), then handed to the
handler named after its kind (``_on_<kind>``). Handlers only ever touch
the SA they are given, the trace-wide lease table and the daemon facts.

Sub-machines kept per IKE SA:

* **exchange window**: our requests are numbered from 0 by us, the peer's
  by the peer. A request and its response share a message ID and a
  requester, so an exchange is keyed by ``(initiator, message_id)``. A
  retransmit repeats a message ID; a COOKIE or INVALID_KE_PAYLOAD answer
  does not complete IKE_SA_INIT, the retried request does.
* **fragments**: ``EF(i/n)`` lines count fragments of the exchange's
  request or response; the reassembled message carries the payloads.
* **IKE SA state**: connecting -> established -> (rekeyed | deleting) ->
  deleted, or connecting -> failed. The first fatal problem logged while
  connecting is the failure's reason; the exchange then in progress is its
  stage.
* **CHILD SAs**: installing -> installed -> closed, keyed by unique id;
  SPIs are indexed so DELETE notices find their CHILD SA.
* **EAP**: one round per method tried, ending in success, failure or NAK.
* **leases**: online when a virtual IP is assigned, offline when the pool
  says so; they outlive their IKE SA and are kept trace-wide.

Nothing here opens files, prints or reads the clock: timestamps come from
the events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from .. import events as ev
from .attribution import (
    GLOBAL_KINDS,
    AliveSas,
    Job,
    MergeGroups,
    host_of,
    match_endpoints,
    match_message,
    match_outstanding,
)
from .model import (
    IKEV1_EXCHANGES,
    AmbiguousJob,
    ChildSa,
    EapRound,
    Exchange,
    IkeSa,
    LeaseRecord,
    Message,
    Problem,
)

log = logging.getLogger("ikelog.replay")

#: In streaming mode, how often (in lines) ended SAs are swept out, and how
#: long (in lines) an ended SA is kept for late lines that mention it.
SWEEP_EVERY = 4096
SWEEP_GRACE = 20000
#: log seconds after which an unnamed setup in a merge family counts as
#: over (charon's half_open_timeout is 30 s; four times that for margin)
HALF_OPEN_SECONDS = 120

#: How many events :meth:`Replay.feed_all` reads before replaying them.
FEED_BATCH = 1024
#: A job still undecided after this many lines is closed as it stands: no
#: worker job of charon's logs that many, and memory must stay bounded.
MAX_PENDING = 5000

#: The exchange a problem belongs to when the log shows none of it.
_STAGE_OF = {
    "no-peer-config": "IKE_AUTH",
    "peer-auth-failed": "IKE_AUTH",
    "local-auth-failed": "IKE_AUTH",
    "eap-failure": "IKE_AUTH",
    "cert-untrusted": "IKE_AUTH",
    "proposal-mismatch-ike": "IKE_SA_INIT",
    "invalid-ke": "IKE_SA_INIT",
    "half-open-timeout": "IKE_AUTH",
}

#: Failure kinds for notify errors, named after strongSwan's own.
_NOTIFY_KIND = {
    "NO_PROPOSAL_CHOSEN": "proposal-mismatch",
    "AUTHENTICATION_FAILED": "local-auth-failed",  # the peer refused us
    "TS_UNACCEPTABLE": "ts-mismatch",
    "INVALID_KE_PAYLOAD": "invalid-ke",
    "INTERNAL_ADDRESS_FAILURE": "vip-failure",
    "FAILED_CP_REQUIRED": "vip-failure",
    "SINGLE_PAIR_REQUIRED": "ts-mismatch",
}


@dataclass
class DaemonFacts:
    """What the daemon said about itself: versions, plugins, config."""

    starts: list[tuple[int, str]] = field(default_factory=list)
    version: str | None = None
    plugins: tuple[str, ...] = ()
    connections: list[str] = field(default_factory=list)
    pools: list[tuple[str, str, int]] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    stop_lines: list[int] = field(default_factory=list)


@dataclass
class Stateless:
    """Messages handled without any IKE SA (DoS protection)."""

    cookie_challenges: int = 0
    ignored_setups: int = 0
    ignored_lines: list[int] = field(default_factory=list)

    def ignore(self, line: int) -> None:
        if len(self.ignored_lines) < 1000:  # evidence, not a full index
            self.ignored_lines.append(line)


class Replay:
    """Consume events in order; read the reconstruction when done."""

    def __init__(
        self,
        *,
        retain: bool = True,
        on_close: Callable[[IkeSa], None] | None = None,
    ) -> None:
        """``retain=False`` streams: SAs that ended some lines ago are handed
        to ``on_close`` and forgotten, so memory follows the SAs open at
        once, not the length of the log."""
        self.retain = retain
        self.on_close = on_close
        self.closed_outcomes: dict[str, int] = {}
        self._since_sweep = 0
        self.sas: list[IkeSa] = []
        self.leases: list[LeaseRecord] = []
        self.ambiguous: list[AmbiguousJob] = []
        self.daemon = DaemonFacts()
        self.stateless = Stateless()
        self.first_ts: datetime | None = None
        self.last_ts: datetime | None = None
        self.tagged = False
        self._by_uid: dict[int, IkeSa] = {}
        self._alive = AliveSas()
        self._child_owner: dict[int, IkeSa] = {}
        self._spi_owner: dict[str, IkeSa] = {}
        self._jobs: dict[int | None, Job] = {}
        #: id(SA first seen by name) -> (that SA, unnamed SAs it may be)
        self._merge_candidates = MergeGroups()
        self._current: dict[int, Exchange] = {}
        self._last_esp: dict[int, str] = {}
        self._last_in: dict[int, int | None] = {}
        self._endpoints: dict[int, tuple[ev.Endpoint, ev.Endpoint]] = {}
        self._handover: dict[int | None, tuple[IkeSa, IkeSa, bool]] = {}
        self._online_leases: dict[str, LeaseRecord] = {}
        self._stop_ts: datetime | None = None
        #: the daemon logged its stop and no new run since
        self._stopped = False
        self._finished = False
        self._handlers: dict[str, Callable[[IkeSa | None, ev.Event, Any], None]] = {}
        for name in dir(self):
            if name.startswith("_on_"):
                self._handlers[name[4:]] = getattr(self, name)

    # -- feeding --------------------------------------------------------------

    def feed_all(self, events: Iterable[ev.Event]) -> Replay:
        # events are taken a batch at a time: reading a thousand lines, then
        # replaying them, runs faster than switching at every line (and
        # memory still does not grow with the log)
        it = iter(events)
        while batch := list(islice(it, FEED_BATCH)):
            self.feed_batch(batch)
        self.finish()
        return self

    def feed(self, e: ev.Event) -> None:
        self.feed_batch((e,))

    def feed_batch(self, events: Sequence[ev.Event]) -> None:
        """Replay events in order (the hot loop: what it uses is local)."""
        if not events:
            return
        if not self.retain:
            self._since_sweep += len(events)
            if self._since_sweep >= SWEEP_EVERY:
                self._since_sweep = 0
                self._sweep(events[0].line)
        handlers = self._handlers
        by_uid = self._by_uid
        global_kinds = GLOBAL_KINDS
        first_ts = self.first_ts
        last_ts = self.last_ts
        try:
            for e in events:
                line, body, ts, thread, _, _, sa_name, sa_uid, source, _ = e
                if ts is not None:
                    if first_ts is None:
                        first_ts = ts
                    last_ts = ts
                kind = body.kind
                if kind in global_kinds or (
                    kind == "note" and body.what == "daemon"  # type: ignore[attr-defined]
                ):
                    self._dispatch(None, e)
                    continue
                if sa_uid is None:
                    if self.tagged:
                        self._dispatch(self._named(e), e)
                    else:
                        self._route(e)
                    continue
                # a tagged line: _dispatch, inlined
                if not self.tagged:
                    self._enter_tagged_mode()
                sa = by_uid.get(sa_uid)
                if sa is None or (sa_name is not None and sa_name != sa.name):
                    sa = self._sa_for_uid(sa_uid, sa_name, line)
                if self._handover and thread in self._handover:
                    sa = self._handed_over(sa, e)
                sa.lines += 1
                sa.last_line, sa.last_source = line, source
                if sa.first_line is None:
                    sa.first_line, sa.first_source = line, source
                if ts is not None:
                    sa.last_ts = ts
                    if sa.first_ts is None:
                        sa.first_ts = ts
                handler = handlers.get(kind)
                if handler is not None:
                    handler(sa, e, body)
        finally:
            self.first_ts = first_ts
            self.last_ts = last_ts

    def _sweep(self, line: int) -> None:
        """Hand over and forget SAs that ended more than SWEEP_GRACE lines ago.

        Without tags an ended SA may still wait to be merged with the SA it
        turned out to be (see :meth:`_settle_merges`): such merges are
        settled first when every SA they involve has ended, and an SA in a
        merge still open is kept.
        """

        def ended(sa: IkeSa) -> bool:
            return not sa.alive and (sa.last_line or 0) <= line - SWEEP_GRACE

        now = self.last_ts

        def over(sa: IkeSa) -> bool:
            # an unnamed setup never ends by a line of its own: the lines of
            # its end are the named SA's, or ambiguous. Charon drops an SA
            # still half open after half_open_timeout (30 s by default)
            if ended(sa):
                return True
            if sa.unique_id is not None or sa.established or sa.first_ts is None:
                return False
            return (
                now is not None
                and (now - sa.first_ts).total_seconds() > HALF_OPEN_SECONDS
                and (sa.last_line or 0) <= line - SWEEP_GRACE
            )

        merges = self._merge_candidates
        if merges:
            for ready in merges.ready(over):
                self._settle_merges(ready)
        keep = []
        for sa in self.sas:
            if not ended(sa) or sa in merges:
                keep.append(sa)
                continue
            self._forget(sa)
        self.sas = keep
        for amb in self.ambiguous:
            amb.sas = []  # streamed: no SA is kept alive by what it might own
        self.ambiguous.clear()
        self.leases = [x for x in self.leases if x.online]

    def _forget(self, sa: IkeSa) -> None:
        from ..trace import outcome  # the trace module builds on this one

        key = outcome(sa)
        self.closed_outcomes[key] = self.closed_outcomes.get(key, 0) + 1
        if self.on_close is not None:
            self.on_close(sa)
        if sa.unique_id is not None and self._by_uid.get(sa.unique_id) is sa:
            del self._by_uid[sa.unique_id]
        for child in sa.child_sas:
            self._child_owner.pop(child.unique_id, None)
            for spi in (child.spi_in, child.spi_out):
                if spi is not None:
                    self._spi_owner.pop(spi, None)
        self._unfile(sa)

    def _unfile(self, sa: IkeSa) -> None:
        """Forget what is filed under ``id(sa)`` (the id of an SA that is
        gone may be reused by a new one)."""
        self._alive.remove(sa)
        for filed in (self._current, self._last_esp, self._last_in, self._endpoints):
            filed.pop(id(sa), None)

    def _handed_over(self, sa: IkeSa, e: ev.Event) -> IkeSa:
        """The SA a tagged line of a restart really concerns.

        When charon gives up on an SA and starts it anew, or rekeys it,
        ``initiating IKE_SA name[new]`` and the first request are logged
        with the *old* SA's tag. An IKE_SA_INIT (or Main/Aggressive Mode)
        request there, and the packets that carry it, belong to the new SA.
        """
        old, new, active = self._handover[e.thread]
        if sa is not old:
            return sa
        body = e.body
        if isinstance(body, ev.Message) and not body.inbound and body.is_request:
            if body.exchange in ("IKE_SA_INIT", "ID_PROT", "AGGRESSIVE"):
                self._handover[e.thread] = (old, new, True)
                new.rekeyed_from = None
                new.role = "initiator"
                return new
            del self._handover[e.thread]  # an IKE rekey: the old SA asks
            return sa
        if active and isinstance(body, ev.Packet | ev.FragmentSplit):
            return new
        if active or isinstance(body, ev.Packet):
            del self._handover[e.thread]
        return sa

    def _enter_tagged_mode(self) -> None:
        """The log carries tags: untagged lines so far concerned no SA."""
        self.tagged = True
        for job in self._jobs.values():
            if job.owner is None:
                for e in job.pending:
                    self.stateless.ignore(e.line)
        self._jobs.clear()
        self.ambiguous.clear()
        for sa in self.sas:
            sa.window_known = True

    def finish(self) -> None:
        """Close open jobs and settle SAs only known by elimination."""
        if self._finished:
            return
        self._finished = True
        for job in list(self._jobs.values()):
            self._close(job)
        self._jobs.clear()
        self._settle_merges(self._merge_candidates.take_all())
        stop = self.daemon.stop_lines[-1] if self.daemon.stop_lines else None
        for sa in self.sas:
            self._conclude(sa, stop)

    def _conclude(self, sa: IkeSa, stop: int | None) -> None:
        """The final state of an SA the log says no more of; ``stop`` is the
        line where its daemon stopped, if it did."""
        if not (sa.established or sa.established_via):
            for child in sa.child_sas:
                if child.state == "installing":
                    child.state = "not installed"
        if not sa.alive or sa.established or sa.established_via:
            return
        if sa.state not in ("connecting", "open"):
            return
        if sa.failure is not None:
            sa.state = "failed"  # what went wrong is in the log
            return
        if stop is not None and (sa.last_line or 0) < stop:
            sa.problems.append(
                Problem(
                    stop,
                    "not-established",
                    "never established before the daemon stopped",
                    None,
                )
            )
            sa.state = "failed"
        else:
            sa.state = "open"

    # -- SA lookup ------------------------------------------------------------

    def _new_sa(self, uid: int | None, name: str | None, line: int | None) -> IkeSa:
        sa = IkeSa(unique_id=uid, name=name)
        if uid is None and not self.tagged:
            sa.events = []  # kept while it may turn out to be another SA
        if name:
            sa.names.append(name)
        sa.first_line = line
        self.sas.append(sa)
        self._alive.add(sa)
        if uid is not None:
            self._by_uid[uid] = sa
        return sa

    def _sa_for_uid(self, uid: int, name: str | None, line: int = 0) -> IkeSa:
        sa = self._by_uid.get(uid)
        if sa is None:
            sa = self._new_sa(uid, name, line or None)
            sa.attribution = "partial"  # until the log shows how it began
        elif name and name != "(unnamed)" and sa.name != name:
            sa.name = name
            sa.names.append(name)
        return sa

    def _named(self, e: ev.Event) -> IkeSa | None:
        """The SA a line names by its unique id, if it names one."""
        uid = _named_uid(e.body)
        if uid is not None:
            return self._sa_for_uid(uid, None, e.line)
        child = _named_child(e.body)
        if child is not None:
            return self._child_owner.get(child)
        return None

    # -- routing untagged lines -----------------------------------------------

    def _route(self, e: ev.Event) -> None:
        body = e.body
        job = self._jobs.get(e.thread)
        if job is None:
            job = self._jobs[e.thread] = Job(e.line)
        elif len(job.pending) >= MAX_PENDING or (
            body.inbound
            if type(body) is ev.Packet
            else type(body) in _MAY_START and self._starts_job(job, body)
        ):
            self._close(job)
            job = self._jobs[e.thread] = Job(e.line)
        self._gather(job, e)
        if job.owner is not None:
            self._dispatch(job.owner, e)
        else:
            job.pending.append(e)
            if type(body) is ev.Message and job.candidates and not job.unsure:
                # while the job is undecided, the message may be any of
                # theirs: their message windows are no longer known (once:
                # later candidates are fewer of the same)
                job.unsure = True
                for sa in job.candidates:
                    sa.window_known = False
        if type(body) is ev.Packet and not body.inbound:
            job.sent = True

    def _starts_job(self, job: Job | None, body: ev.Body) -> bool:
        """Whether ``body`` begins another job on the thread of ``job``
        (only lines of the kinds in ``_MAY_START`` can)."""
        if job is None:
            return False
        if isinstance(body, ev.Packet):
            return body.inbound
        if isinstance(body, ev.Retransmit | ev.LocalInitiating):
            return True
        if isinstance(body, ev.IkeNote):
            return body.what == "dpd"  # a DPD is a job of its own
        if isinstance(body, ev.IkeFailure):
            return body.what == "half_open_timeout"  # a timer's job of its own
        if isinstance(body, ev.IkeDeleted):
            # an SA is deleted once: not the ended owner's line
            return job.owner is not None and not job.owner.alive
        if isinstance(body, ev.ChildEstablishing):
            # a CHILD_SA we start after a packet went out: another job
            return job.sent or (job.owner is not None and not job.owner.alive)
        if isinstance(body, ev.Message):
            if _is_cookie_reply(body):
                # the receiver thread answers each COOKIE-less setup on
                # its own, before any SA exists: one job per answer
                return bool(job.pending)
            # a new request of ours after one went out: more work for the
            # same SA if it fits its window, else another job
            if not (job.sent and not body.inbound and body.is_request):
                return False
            owner = job.owner
            if owner is None:
                return True
            if body.exchange in IKEV1_EXCHANGES:
                return owner.version != 1
            if body.message_id != owner.next_local_mid:
                return True
            # the owner's next request, or another SA's between the same
            # hosts: only the owner's when no other SA could send it
            return any(
                sa is not owner
                and (not sa.window_known or sa.next_local_mid == body.message_id)
                for sa in self._alive.with_peer(host_of(owner.remote) or "")
            )
        uid = _named_uid(body)
        if uid is None or isinstance(body, ev.PeerInitiating):
            return False
        if job.owner is not None:
            if job.owner.unique_id is None:
                return False  # the owner learns its id from this line
            return uid != job.owner.unique_id
        if not job.pending or (job.candidates is not None and len(job.candidates) < 2):
            return False
        # an undecided job: the line names its SA only where it can only
        # be the next step of what the job did; a delete we start, say, may
        # as well be the next job of the thread (taking it for this job's
        # would hand this job's lines to whichever SA it names)
        return not _continues(job.pending, body)

    def _gather(self, job: Job, e: ev.Event) -> None:
        """Narrow down the owner of ``job`` with the evidence of ``e``."""
        body = e.body
        if job.owner is not None and job.maybe_rekey_of is None:
            return
        if type(body) not in _EVIDENCE:
            # most lines of a job tell nothing of its SA: what follows,
            # for a line that names no SA, no endpoints and no message
            if job.maybe_rekey_of is not None:
                return
            if job.candidates is None and not job.new_sa and len(self._alive) == 1:
                alive = self._alive.all()
                if alive[0].attribution != "partial" and not isinstance(body, ev.Note):
                    job.candidates = alive
            if (
                job.candidates is not None
                and len(job.candidates) == 1
                and not job.new_sa
            ):
                self._resolve(job, job.candidates[0])
            return

        if type(body) is ev.Packet:  # the commonest evidence: endpoints
            if job.maybe_rekey_of is not None:
                return
            local, remote = (
                (body.dst, body.src) if body.inbound else (body.src, body.dst)
            )
            job.remote_host = job.remote_host or remote.host
            narrowed = (local.host, remote.host, self._alive.changes)
            if job.candidates is None:
                job.candidates = match_endpoints(self._alive, local, remote)
            elif job.narrowed != narrowed:  # else nothing left to take out
                job.candidates = self._alive.keep_between(
                    job.candidates, local.host, remote.host
                )
            job.narrowed = narrowed
            if body.inbound:
                return  # the message that follows may still start a new SA
            if len(job.candidates) == 1 and not job.new_sa:
                self._resolve(job, job.candidates[0])
            return

        # a line naming its SA decides at once
        uid = _named_uid(body)
        if isinstance(body, ev.LocalInitiating):
            new = self._sa_for_uid(body.sa_uid, body.sa_name, e.line)
            job.owner = new
            job.maybe_rekey_of = new
            return
        if isinstance(body, ev.PeerInitiating):
            if not job.new_sa and job.owner is None and job.candidates:
                return  # a peer's IKE rekey inside another SA's exchange
            if uid is not None:
                created = self._sa_for_uid(uid, None, e.line)
            else:
                created = self._new_sa(None, None, e.line)
            self._resolve(job, created)
            return
        if uid is not None and job.maybe_rekey_of is None:
            sa = self._by_uid.get(uid)
            if sa is None:
                sa = self._new_sa(uid, None, e.line)
                peer = job.remote_host
                if peer is None and isinstance(body, ev.IkeSaLine):
                    peer = body.remote.host  # the line begins its job
                loose = [
                    c for c in self._alive.with_peer(peer or "") if c.unique_id is None
                ]
                if loose:
                    sa.attribution = "inferred"
                    self._merge_candidates.add(sa, loose)
                else:
                    sa.attribution = "partial"  # the log shows no start of it
            self._resolve(job, sa)
            return
        child = _named_child(body)
        if child is not None and child in self._child_owner:
            self._resolve(job, self._child_owner[child])
            return

        # a rekey announced by "initiating IKE_SA x[n]": whose job is it?
        if job.maybe_rekey_of is not None:
            if isinstance(body, ev.Message) and not body.inbound:
                if body.exchange in ("IKE_SA_INIT", "ID_PROT", "AGGRESSIVE"):
                    job.maybe_rekey_of = None
                    return
                job.owner = None
                job.candidates = [
                    s for s in self._alive.all() if s is not job.maybe_rekey_of
                ]
                job.unsure = False
                job.narrowed = None
                job.maybe_rekey_of = None
            else:
                return

        # endpoints and message IDs
        if isinstance(body, ev.Packet):
            local, remote = (
                (body.dst, body.src) if body.inbound else (body.src, body.dst)
            )
            job.remote_host = job.remote_host or remote.host
            found = match_endpoints(self._alive, local, remote)
            job.candidates = _narrow(job.candidates, found)
        elif isinstance(body, ev.Message):
            if _is_cookie_reply(body):
                # the receiver thread answers with a COOKIE before any SA
                # exists (RFC 7296 2.6): nobody's line
                job.new_sa = True
                job.candidates = []
                return
            if (
                body.inbound
                and body.is_request
                and body.exchange in ("IKE_SA_INIT", "ID_PROT", "AGGRESSIVE")
                and body.message_id == 0
                and "SA" in body.payloads[:2]  # the first message offers SAs
            ):
                job.new_sa = True
                job.candidates = []
                return
            if job.candidates is None:
                job.candidates = self._alive.all()
            if not job.candidates and not self._alive:
                # the log starts inside an SA it never introduces
                orphan = self._new_sa(None, None, job.first_line)
                orphan.attribution = "partial"
                self._resolve(job, orphan)
                return
            # an ambiguous past leaves windows behind: then keep the hosts' SAs
            job.candidates = match_message(job.candidates, body) or job.candidates
        elif isinstance(body, ev.ChildSaLine) and job.owner is None and not self._alive:
            # a CHILD SA of an IKE SA the log never introduces
            orphan = self._new_sa(None, None, job.first_line)
            orphan.attribution = "partial"
            self._resolve(job, orphan)
            return
        elif isinstance(body, ev.IkeFailure) and body.host is not None:
            # "deleting half open IKE_SA with <host> after timeout"
            job.remote_host = job.remote_host or body.host
            job.candidates = _narrow(job.candidates, self._alive.with_peer(body.host))
        elif isinstance(body, ev.Retransmit):
            if job.candidates is None:
                job.candidates = self._alive.all()
            job.candidates = match_outstanding(job.candidates, body.message_id)
        elif job.candidates is None and not job.new_sa and len(self._alive) == 1:
            # one SA alive: it is the owner, unless the log is an excerpt
            # that started inside it (others may then be alive unseen)
            alive = self._alive.all()
            if alive[0].attribution != "partial" and not isinstance(body, ev.Note):
                job.candidates = alive
        if isinstance(body, ev.Packet) and body.inbound:
            return  # the message that follows may still start a new SA
        if job.candidates is not None and len(job.candidates) == 1 and not job.new_sa:
            self._resolve(job, job.candidates[0])

    def _resolve(self, job: Job, sa: IkeSa) -> None:
        job.owner = sa
        job.new_sa = False
        pending, job.pending = job.pending, []
        for e in pending:
            self._dispatch(sa, e)

    def _close(self, job: Job) -> None:
        if not job.pending:
            return
        if not job.candidates and all(isinstance(e.body, ev.Note) for e in job.pending):
            job.pending = []  # daemon chatter outside any SA
            return
        if (
            job.new_sa
            and not any(
                isinstance(e.body, ev.Message) and not e.body.inbound
                for e in job.pending
            )
            and any(isinstance(e.body, ev.Message) for e in job.pending)
        ):
            # a new peer's IKE_SA_INIT whose answer the log does not show yet
            self._resolve(job, self._new_sa(None, None, job.first_line))
            return
        if job.new_sa:
            # stateless: a COOKIE challenge, or a setup that was refused
            for e in job.pending:
                body = e.body
                if (
                    isinstance(body, ev.Message)
                    and "N(COOKIE)" in body.payloads
                    and not body.inbound
                ):
                    self.stateless.cookie_challenges += 1
                self.stateless.ignore(e.line)
            job.pending = []
            return
        amb = AmbiguousJob(job.first_line, job.pending, job.candidates or [])
        for sa in amb.sas:
            sa.window_known = False
            sa.maybe_jobs.append(amb)
        self.ambiguous.append(amb)
        job.pending = []

    def _settle_merges(self, groups: dict[int, tuple[IkeSa, list[IkeSa]]]) -> None:
        """Fold SAs first seen by name into the unnamed SA they must be.

        Without tags a responder's SA is born unnamed (``<host> is
        initiating an IKE_SA``) and its unique id shows up later in a line
        of another job. A named SA left with one unnamed candidate is that
        one (merged, marked inferred); taking one out may leave another
        with one. What stays undecided is not guessed: see
        :meth:`_undecided`.
        """
        todo = dict(groups)
        changed = True
        while todo and changed:
            changed = False
            for key, (named, cands) in list(todo.items()):
                left = [c for c in cands if c.unique_id is None]  # not merged yet
                if len(left) <= 1:
                    if left:
                        self._merge(named, left[0])
                    del todo[key]
                    changed = True
        if todo:
            self._undecided(list(todo.values()))

    def _undecided(self, groups: list[tuple[IkeSa, list[IkeSa]]]) -> None:
        """Named SAs that several unnamed ones may have begun as.

        In a family (groups sharing candidates) of ``k`` named SAs and ``n``
        unnamed ones, ``k`` of the unnamed are the named SAs' beginnings
        and ``n - k`` are SAs the log never names, so never established.
        Which are which the log does not say: the unnamed SAs' lines become
        ambiguous jobs of the family, and ``n - k`` SAs known only by
        elimination stand for the never-named ones.
        """
        parent: dict[int, int] = {}

        def root(x: int) -> int:
            while (up := parent.setdefault(x, x)) != x:
                parent[x] = parent[up]  # halve the path
                x = up
            return x

        for named, cands in groups:
            for c in cands:
                if c.unique_id is None:
                    parent[root(id(c))] = root(id(named))
        families: dict[int, tuple[list[IkeSa], dict[int, IkeSa]]] = {}
        for named, cands in groups:
            fam = families.setdefault(root(id(named)), ([], {}))
            fam[0].append(named)
            for c in cands:
                if c.unique_id is None:
                    fam[1][id(c)] = c
        for named_sas, loose in families.values():
            self._stand_in(named_sas, sorted(loose.values(), key=_first_line))
        self.sas = [sa for sa in self.sas if sa.may_be is None]

    def _stand_in(self, named_sas: list[IkeSa], loose: list[IkeSa]) -> None:
        """Replace the unnamed SAs ``loose`` by ambiguous jobs of the named
        SAs and of stand-ins for the ones never named (see _undecided)."""
        first = loose[0]
        host = host_of(first.remote) or "?"
        left: list[IkeSa] = []
        for n in range(len(loose) - len(named_sas)):
            sa = IkeSa(version=first.version, role=first.role)
            sa.local, sa.remote = first.local, first.remote
            sa.alias = f"(unnamed)@{host}#{first.first_line}.{n + 1}"
            sa.attribution = "undecided"
            sa.first_line, sa.first_ts = first.first_line, first.first_ts
            sa.last_line = max((u.last_line or 0) for u in loose)
            sa.last_ts = max((u.last_ts for u in loose if u.last_ts), default=None)
            sa.alive = False
            sa.state = "failed"
            sa.problems.append(
                Problem(
                    first.first_line or 0,
                    "not-established",
                    f"one of {len(loose)} setups from {host} that this log "
                    "(without <name|id> tags) cannot tell apart, never named "
                    "and so never established",
                    None,
                )
            )
            left.append(sa)
            self.sas.append(sa)
        family = named_sas + left
        jobs: dict[int, AmbiguousJob] = {}
        for u in loose:
            if u.events:
                amb = AmbiguousJob(u.first_line or 0, u.events, [u])
                self.ambiguous.append(amb)
                jobs[id(amb)] = amb
            for amb in u.maybe_jobs:
                jobs[id(amb)] = amb
            u.events = None
            u.may_be = family
            self._unfile(u)
        if left:
            self._eliminate(list(jobs.values()), left)
        shared = [j for j in jobs.values() if j.sas]
        for sa in family:
            if not sa.maybe_jobs:
                sa.maybe_jobs = shared.copy()
                continue
            known = set(map(id, sa.maybe_jobs))
            sa.maybe_jobs += [j for j in shared if id(j) not in known]

    def _eliminate(self, jobs: list[AmbiguousJob], left: list[IkeSa]) -> None:
        """Jobs that end an SA before it is established (charon drops it as
        half open, the client gives up with AUTHENTICATION_FAILED, we send
        EAP_FAILURE) cannot be an established SA's: where that leaves one
        never-named SA, the job is its."""
        for amb in jobs:
            if not any(_ends_unestablished(e.body) for e in amb.events):
                continue
            owners = [sa for sa in amb.owners() if not sa.established]
            if len(owners) != 1 or owners[0] not in left:
                continue
            (sa,) = owners
            generic = sa.problems[:]
            sa.problems.clear()
            for e in amb.events:
                self._dispatch(sa, e)
            sa.problems.sort(key=lambda p: p.line)
            sa.problems += generic  # what the log says first, the stand-in note last
            amb.sas = []
            self.ambiguous.remove(amb)

    def _merge(self, named: IkeSa, early: IkeSa) -> None:
        """Move what ``early`` (unnamed) knows into ``named``."""
        named.exchanges[:0] = early.exchanges
        named.reindex()
        named.problems[:0] = early.problems
        named.vendor_ids[:0] = early.vendor_ids
        named.timeline[:0] = early.timeline
        named.role = named.role or early.role
        named.local = named.local or early.local
        named.remote = named.remote or early.remote
        named.proposal = named.proposal or early.proposal
        named.local_nat = named.local_nat or early.local_nat
        named.remote_nat = named.remote_nat or early.remote_nat
        named.first_line = early.first_line
        named.first_ts = early.first_ts
        named.lines += early.lines
        named.owned |= early.owned
        named.maybe_jobs += early.maybe_jobs
        named.attribution = "inferred"
        early.unique_id = named.unique_id  # no longer free for another merge
        early.merged_into = named
        early.events = None
        self._unfile(early)
        self.sas.remove(early)
        self._alive.moved(named)

    # -- dispatch -------------------------------------------------------------

    def _dispatch(self, sa: IkeSa | None, e: ev.Event) -> None:
        body = e.body
        if sa is not None:
            if sa.events is not None:
                sa.events.append(e)
            sa.owned.add((e.source, e.line))
            sa.lines += 1
            sa.last_line, sa.last_source = e.line, e.source
            if sa.first_line is None or (
                sa.first_line > e.line and sa.first_source == e.source
            ):
                sa.first_line, sa.first_source = e.line, e.source
            if e.ts is not None:
                sa.last_ts = e.ts
                if sa.first_ts is None:
                    sa.first_ts = e.ts
        handler = self._handlers.get(body.kind)
        if handler is not None:
            handler(sa, e, body)

    def _problem(self, sa: IkeSa | None, e: ev.Event, what: str, text: str) -> None:
        if sa is None:
            return
        cur = self._current.get(id(sa))
        stage = cur.type if cur else _STAGE_OF.get(what)
        text = text.strip()
        last = sa.problems[-1] if sa.problems else None
        if last is not None and (last.what, last.stage) == (what, stage):
            return  # the same problem told twice (notify, then its log line)
        sa.problems.append(Problem(e.line, what, text, stage))

    def _end(self, sa: IkeSa) -> None:
        """The SA is gone: no later line can be its."""
        sa.alive = False
        self._alive.remove(sa)

    def _state(self, sa: IkeSa, e: ev.Event, state: str) -> None:
        sa.state = state
        if state == "failed":
            for child in sa.child_sas:
                if child.state == "installing":
                    child.state = "failed"
        sa.timeline.append((e.line, e.ts, state))

    # -- packets and messages -------------------------------------------------

    def _on_packet(self, sa: IkeSa | None, e: ev.Event, p: ev.Packet) -> None:
        if sa is None:
            return
        local, remote = (p.dst, p.src) if p.inbound else (p.src, p.dst)
        if self._endpoints.get(id(sa)) != (local, remote):
            self._endpoints[id(sa)] = (local, remote)
            if sa.remote not in (None, str(remote), remote.host):
                # (a host without port was named by a line, not moved from)
                sa.endpoint_changes.append((e.line, sa.remote, str(remote)))
            sa.local, sa.remote = str(local), str(remote)
            self._alive.moved(sa)
        if p.inbound:
            self._last_in[id(sa)] = p.size
            return
        cur = self._current.get(id(sa))
        if cur is not None and p.size is not None:
            if (
                cur.retries
                and cur.retries[-1].size is None
                and cur.initiator == "local"
            ):
                cur.retries[-1].size = p.size
            elif (
                cur.challenges
                and cur.challenges[-1].size is None
                and cur.initiator == "remote"
                and cur.response is None
            ):
                cur.challenges[-1].size = p.size  # our COOKIE or INVALID_KE
            elif cur.response is None and cur.initiator == "local":
                cur.request_size = cur.request_size or p.size
            elif cur.response is not None and cur.initiator == "remote":
                cur.response_size = cur.response_size or p.size

    def _on_message(self, sa: IkeSa | None, e: ev.Event, m: ev.Message) -> None:
        if sa is None:
            if (
                not m.inbound
                and m.exchange == "IKE_SA_INIT"
                and "N(COOKIE)" in m.payloads
            ):
                self.stateless.cookie_challenges += 1  # answered without an SA
            return
        if m.exchange in IKEV1_EXCHANGES:
            sa.version = 1
            self._on_message_v1(sa, e, m)
            return
        initiator = "local" if m.inbound != m.is_request else "remote"
        if (
            sa.attribution == "partial"
            and not sa.exchanges
            and m.exchange == "IKE_SA_INIT"
        ):
            sa.attribution = "exact"  # the log shows the SA from its start
        if sa.role is None and m.exchange in ("IKE_SA_INIT", "IKE_AUTH"):
            # only the original initiator sends these requests
            sa.role = "initiator" if initiator == "local" else "responder"
        frag = m.fragment
        x = sa.find_exchange(initiator, m.message_id)

        if m.is_request:
            if (
                x is None
                or (x.response is not None and frag is None)
                or (x.type != m.exchange)
            ):
                x = Exchange(m.exchange, m.message_id, initiator)
                sa.add_exchange(x)
            if initiator == "local":
                sa.next_local_mid = max(sa.next_local_mid, m.message_id + 1)
            else:
                sa.last_remote_mid = max(sa.last_remote_mid, m.message_id)
            if frag is not None:
                x.request_fragments = max(x.request_fragments, frag[1])
            else:
                if x.request is not None and len(x.retries) < len(x.challenges):
                    x.retries.append(Message(e.line, m.payloads))  # asked again
                if x.request is None and m.inbound and "N(COOKIE)" in m.payloads[:1]:
                    # the peer's first request here already carries a COOKIE:
                    # it was challenged by a reply that concerned no SA
                    x.cookie_challenges += 1
                x.request = m.payloads
            if x.request_ts is None:
                x.request_ts, x.request_line = e.ts, e.line
                x.request_source = e.source
        else:
            if x is None:
                x = Exchange(m.exchange, m.message_id, initiator)
                sa.add_exchange(x)
            if frag is not None:
                x.response_fragments = max(x.response_fragments, frag[1])
            elif m.payloads == ("N(COOKIE)",):
                x.cookie_challenges += 1
                x.challenges.append(Message(e.line, m.payloads))
            elif m.payloads == ("N(INVAL_KE)",) and x.response is None:
                x.invalid_ke += 1
                x.challenges.append(Message(e.line, m.payloads))
            else:
                x.response = m.payloads
                x.response_ts, x.response_line = e.ts, e.line
                x.response_source = e.source
            we_retry = m.inbound and "N(INVAL_KE)" in m.payloads
            if _refuses_sa(m) and not sa.established and not we_retry:
                # a refused IKE_SA_INIT or IKE_AUTH ends the SA on both
                # sides (RFC 7296 2.21)
                self._end(sa)
                self._state(sa, e, "failed")
                for child in sa.child_sas:
                    if child.state == "installing":
                        child.state = "failed"
            if m.inbound:
                for n in m.notifies:
                    self._notify_problem(sa, e, n, x)
        if m.inbound and m.is_request:
            for n in m.notifies:
                if n == "AUTH_FAILED":  # the peer refused our authentication
                    self._problem(
                        sa,
                        e,
                        "local-auth-failed",
                        "peer reported AUTHENTICATION_FAILED",
                    )
        if m.inbound and frag is None:
            size = self._last_in.pop(id(sa), None)
            if m.is_request and x.retries and x.retries[-1].line == e.line:
                x.retries[-1].size = size
            elif m.is_request and x.request_size is None:
                x.request_size = size
            elif x.challenges and x.challenges[-1].line == e.line:
                x.challenges[-1].size = size
            elif not m.is_request and x.response_size is None:
                x.response_size = size
        self._current[id(sa)] = x

    def _on_message_v1(self, sa: IkeSa, e: ev.Event, m: ev.Message) -> None:
        """IKEv1: an exchange is every message under one message ID.

        Main and Aggressive Mode use ID 0, Quick Mode, TRANSACTION and
        INFORMATIONAL_V1 a random 32-bit ID each; "request" and "response"
        in the log follow the direction, so the exchange's first message
        decides who started it.
        """
        if sa.role is None and m.exchange in ("ID_PROT", "AGGRESSIVE"):
            sa.role = "responder" if m.inbound else "initiator"
            if sa.attribution == "partial" and not sa.exchanges and "SA" in m.payloads:
                sa.attribution = "exact"
        if m.fragment is not None:
            return  # FIXME: count IKEv1 FRAG(n) fragments of the exchange
        x = sa.v1_exchange(m.exchange, m.message_id)
        if x is None or (x.complete and m.exchange != "INFORMATIONAL_V1"):
            x = Exchange(m.exchange, m.message_id, "remote" if m.inbound else "local")
            x.version = 1
            sa.add_exchange(x)
        x.messages += 1
        size = self._last_in.pop(id(sa), None) if m.inbound else None
        if x.request is None:
            x.request = m.payloads
            x.request_ts, x.request_line = e.ts, e.line
            x.request_source = e.source
            x.request_size = size
        elif x.response is None:
            x.response = m.payloads
            x.response_ts, x.response_line = e.ts, e.line
            x.response_source = e.source
            x.response_size = size
        else:
            x.more.append((m.inbound, m.payloads))
        if m.inbound:
            for n in m.notifies:
                if n in (
                    "NO_PROPOSAL_CHOSEN",
                    "AUTHENTICATION_FAILED",
                    "INVALID_ID_INFORMATION",
                ):
                    self._problem(
                        sa, e, _NOTIFY_KIND.get(n, "notify-error"), f"peer sent N({n})"
                    )
        self._current[id(sa)] = x

    def _notify_problem(self, sa: IkeSa, e: ev.Event, n: str, x: Exchange) -> None:
        kinds = {
            "NO_PROP": "proposal-mismatch",
            "AUTH_FAILED": "local-auth-failed",
            "TS_UNACCEPT": "ts-mismatch",
            "INT_ADDR_FAIL": "vip-failure",
            "FAIL_CP_REQ": "vip-failure",
        }
        if n in kinds:
            self._problem(sa, e, kinds[n], f"peer answered {x.type} with N({n})")

    def _on_fragment_received(
        self, sa: IkeSa | None, e: ev.Event, f: ev.FragmentReceived
    ) -> None:
        x = self._current.get(id(sa)) if sa else None
        if x is None or not f.reassembled or f.size is None:
            return
        if x.response is None and x.response_fragments:
            x.response_size = f.size
        else:
            x.request_size = f.size

    def _on_fragment_split(
        self, sa: IkeSa | None, e: ev.Event, f: ev.FragmentSplit
    ) -> None:
        x = self._current.get(id(sa)) if sa else None
        if x is None:
            return
        if x.initiator == "local" and x.response is None:
            x.request_size = f.size
        else:
            x.response_size = f.size

    def _on_retransmit(self, sa: IkeSa | None, e: ev.Event, r: ev.Retransmit) -> None:
        if sa is None:
            return
        x = sa.find_exchange("local", r.message_id)
        if x is not None:
            x.retransmits += 1  # counters restart after a COOKIE
            self._current[id(sa)] = x

    def _on_give_up(self, sa: IkeSa | None, e: ev.Event, g: ev.GiveUp) -> None:
        self._problem(sa, e, "retransmit-send-timeout", g.text)
        if sa is not None and "path probings" not in g.text:
            # charon deletes an SA whose peer stopped answering
            self._end(sa)
            self._state(sa, e, "deleted" if sa.established else "failed")

    def _on_ike_note(self, sa: IkeSa | None, e: ev.Event, n: ev.IkeNote) -> None:
        if sa is None:
            return
        if n.what == "peer_retransmit" and n.message_id is not None:
            initiator = "remote" if "of request" in n.text else "local"
            x = sa.find_exchange(initiator, n.message_id)
            if x is not None:
                x.retransmits += 1
        elif n.what == "reauth":
            sa.timeline.append((e.line, e.ts, "reauthenticating"))

    # -- initiation and proposals ---------------------------------------------

    def _on_peer_initiating(
        self, sa: IkeSa | None, e: ev.Event, p: ev.PeerInitiating
    ) -> None:
        if sa is None:
            return
        if p.sa_uid is not None and sa.unique_id not in (None, p.sa_uid):
            # strongSwan 6 names the SA a peer's IKE rekey creates
            new = self._sa_for_uid(p.sa_uid, p.sa_name, e.line)
            new.role = "responder"
            new.rekeyed_from = sa.unique_id
            return
        if sa.established:
            return  # strongSwan 5 announces a peer's IKE rekey this way
        sa.attribution = "exact" if sa.attribution == "partial" else sa.attribution
        sa.role = "responder"
        if p.mode:
            sa.version = 1
        self._state(sa, e, "connecting")

    def _on_local_initiating(
        self, sa: IkeSa | None, e: ev.Event, p: ev.LocalInitiating
    ) -> None:
        target = self._sa_for_uid(p.sa_uid, p.sa_name, e.line)
        if sa is not None and target is not sa:
            # an IKE rekey, or a restart: the old SA starts its successor
            target.rekeyed_from = sa.unique_id
            target.role = "initiator"
            if self.tagged:
                self._handover[e.thread] = (sa, target, False)
            return
        if target.attribution == "partial":
            target.attribution = "exact"
        if target.role is None:
            target.role = "initiator"
        if p.mode:
            target.version = 1
        self._state(target, e, "connecting")

    def _on_proposal_selected(
        self, sa: IkeSa | None, e: ev.Event, p: ev.ProposalSelected
    ) -> None:
        if sa is None:
            return
        if p.protocol == "IKE":
            if sa.proposal is None:
                sa.proposal = p.proposal
        else:
            self._last_esp[id(sa)] = p.proposal

    def _on_proposal_list(
        self, sa: IkeSa | None, e: ev.Event, p: ev.ProposalList
    ) -> None:
        if sa is None:
            return
        target = sa.received_proposals if p.received else sa.configured_proposals
        target[:] = list(p.proposals)  # the latest negotiation's lists

    def _on_proposal_none(
        self, sa: IkeSa | None, e: ev.Event, p: ev.ProposalNone
    ) -> None:
        cur = self._current.get(id(sa)) if sa else None
        what = "proposal-mismatch"
        if cur is not None:
            what += (
                "-ike"
                if cur.type in ("IKE_SA_INIT", "ID_PROT", "AGGRESSIVE")
                else ("-child")
            )
        self._problem(sa, e, what, p.text)

    def _on_ke_rejected(
        self, sa: IkeSa | None, e: ev.Event, k: ev.KeMethodRejected
    ) -> None:
        self._problem(
            sa,
            e,
            "invalid-ke",
            f"key exchange {k.offered} refused, {k.requested} requested",
        )

    # -- NAT, vendors, configs ------------------------------------------------

    def _on_nat(self, sa: IkeSa | None, e: ev.Event, n: ev.NatDetected) -> None:
        if sa is None:
            return
        if n.local:
            sa.local_nat = n.behind
        else:
            sa.remote_nat = n.behind

    def _on_vendor_id(self, sa: IkeSa | None, e: ev.Event, v: ev.VendorId) -> None:
        if sa is not None:
            sa.vendor_ids.append(v.name or f"unknown: {v.hex}")

    def _on_peercfg_candidate(
        self, sa: IkeSa | None, e: ev.Event, p: ev.PeerCfgCandidate
    ) -> None:
        if sa is not None:
            sa.peer_config_candidates.append({"name": p.name, "ike_match": p.ike_match})

    def _on_id_match(self, sa: IkeSa | None, e: ev.Event, m: ev.IdMatch) -> None:
        if sa is None or not sa.peer_config_candidates:
            return
        side = "local" if m.local else "remote"
        sa.peer_config_candidates[-1][f"{side}_id_match"] = m.score
        sa.peer_config_candidates[-1][f"{side}_id_type"] = m.id_type

    def _on_peercfg_lookup(
        self, sa: IkeSa | None, e: ev.Event, p: ev.PeerCfgLookup
    ) -> None:
        if sa is None:
            return
        if sa.role is None and sa.version == 2:
            sa.role = "responder"  # only a responder looks configs up by ID
        left, _, right = p.spec.partition("...")
        lid = left.partition("[")[2][:-1]
        rid = right.partition("[")[2][:-1]
        if lid and lid != "%any" and sa.local_id is None:
            sa.local_id = lid
        if rid and rid != "%any" and sa.remote_id is None:
            sa.remote_id = rid

    def _on_peercfg_selected(
        self, sa: IkeSa | None, e: ev.Event, p: ev.PeerCfgSelected
    ) -> None:
        if sa is None:
            return
        sa.peer_configs.append(p.name)
        if sa.name != p.name:
            sa.name = p.name
            sa.names.append(p.name)

    def _on_peercfg_problem(
        self, sa: IkeSa | None, e: ev.Event, p: ev.PeerCfgProblem
    ) -> None:
        what = "no-peer-config" if p.missing else "peer-config-switch"
        self._problem(sa, e, what, p.text)

    # -- EAP and authentication -----------------------------------------------

    def _on_eap(self, sa: IkeSa | None, e: ev.Event, s: ev.EapStep) -> None:
        if sa is None:
            return
        last = sa.eap[-1] if sa.eap else None
        step = s.step
        if step in ("initiate", "selected", "requested"):
            assert s.method is not None
            if last is None or last.method != s.method or last.result != "started":
                last = EapRound(s.method, line=e.line)
                sa.eap.append(last)
            if step == "requested" and s.method == "EAP_IDENTITY":
                last.result = "success"
                last.identity = s.identity
                sa.eap_identity = sa.eap_identity or s.identity
        elif step == "identity":
            sa.eap_identity = s.identity
            if last is not None and last.method == "EAP_IDENTITY":
                last.result = "success"
                last.identity = s.identity
        elif step in ("nak", "nak_sent"):
            if last is not None and last.result == "started":
                last.result = "nak"
            elif s.method:
                sa.eap.append(EapRound(s.method, "nak", line=e.line))
        elif step == "success":
            if last is None or last.method != s.method:
                last = EapRound(s.method or "?", line=e.line)
                sa.eap.append(last)
            last.result = "success"
        elif step == "nak_failure":
            # the peer refused our method and no other is left
            if last is not None and last.result == "started":
                last.result = "nak"
            self._problem(sa, e, "eap-failure", s.text or "EAP failed")
        elif step in ("failure", "verify_failed"):
            if last is not None and last.result == "started":
                last.result = "failure"
            self._problem(sa, e, "eap-failure", s.text or "EAP failed")

    def _on_auth(self, sa: IkeSa | None, e: ev.Event, a: ev.AuthResult) -> None:
        if sa is None:
            return
        if a.success is False:
            what = "local-auth-failed" if a.myself else "peer-auth-failed"
            self._problem(sa, e, what, f"authentication of '{a.identity}' failed")
            return
        if a.xauth:
            return
        if a.myself:
            sa.local_id = sa.local_id or a.identity
        else:
            sa.remote_id = a.identity

    def _on_auth_problem(
        self, sa: IkeSa | None, e: ev.Event, a: ev.AuthProblem
    ) -> None:
        kind = "cert-untrusted" if a.what == "cert" else "peer-auth-failed"
        if a.what in ("key_missing", "psk_missing"):
            kind = "local-auth-failed"
        self._problem(sa, e, kind, a.text)

    # -- IKE SA lifecycle -----------------------------------------------------

    def _on_ike_sa(self, sa: IkeSa | None, e: ev.Event, line: ev.IkeSaLine) -> None:
        if line.event == "rekeyed":
            new = self._sa_for_uid(line.sa_uid, line.sa_name, e.line)
            new.established_via = "rekey"
            new.attribution = "exact"
            new.rekeyed_from = sa.unique_id if sa else new.rekeyed_from
            new.local = new.local or (sa.local if sa else None)
            new.remote = new.remote or (sa.remote if sa else None)
            self._alive.moved(new)
            new.local_id, new.remote_id = line.local.identity, line.remote.identity
            new.role = new.role or "responder"
            new.proposal = new.proposal or (sa.proposal if sa else None)
            new.first_line = new.first_line or e.line
            self._state(new, e, "established")
            if sa is not None and sa is not new:
                sa.rekeyed_to = line.sa_uid
                self._state(sa, e, "rekeyed")
                # the CHILD SAs move over to the new IKE SA (RFC 7296 2.8)
                for child in list(sa.child_sas):
                    if child.state in ("installed", "inbound"):
                        sa.child_sas.remove(child)
                        new.child_sas.append(child)
                        self._child_owner[child.unique_id] = new
            return
        if sa is None:
            return
        if sa.unique_id is None:
            sa.unique_id = line.sa_uid
            sa.events = None
            self._by_uid[line.sa_uid] = sa
        if sa.name != line.sa_name:
            sa.name = line.sa_name
            sa.names.append(line.sa_name)
        sa.local_id, sa.remote_id = line.local.identity, line.remote.identity
        if sa.local is None and sa.remote is None:
            # no packet of it in the log: the hosts this line names (no port)
            sa.local, sa.remote = line.local.host, line.remote.host
            self._alive.moved(sa)
        if line.event == "established":
            sa.established = True
            sa.establishing_exchange = self._current.get(id(sa))
            self._state(sa, e, "established")
        elif line.event == "deleting":
            if not sa.established and sa.attribution == "partial":
                # only an established SA is deleted with its identities
                sa.established_via = "before the log"
            self._state(sa, e, "deleting")
            if sa.version == 1:
                # IKEv1 has no delete exchange to wait for: the SA is gone
                self._state(sa, e, "deleted")
                self._end(sa)

    def _on_ike_deleted(self, sa: IkeSa | None, e: ev.Event, d: ev.IkeDeleted) -> None:
        if sa is not None:
            self._state(sa, e, "deleted")
            self._end(sa)
            for child in sa.child_sas:
                if child.state == "installing":
                    child.state = "not installed"
                elif child.state in ("installed", "inbound", "deleting"):
                    child.state = "closed with IKE SA"
                    child.closed_line, child.closed_ts = e.line, e.ts

    def _on_ike_state(
        self, sa: IkeSa | None, e: ev.Event, s: ev.IkeStateChange
    ) -> None:
        if sa is not None:
            sa.timeline.append((e.line, e.ts, f"{s.old} => {s.new}"))

    def _on_delete(self, sa: IkeSa | None, e: ev.Event, d: ev.DeleteNotice) -> None:
        if sa is None or d.spi is None:
            return
        for child in sa.child_sas:
            if d.spi in (child.spi_in, child.spi_out) and child.state == "installed":
                child.state = "deleting"

    def _on_ike_failure(self, sa: IkeSa | None, e: ev.Event, f: ev.IkeFailure) -> None:
        if sa is None:
            return
        kinds = {
            "half_open_timeout": "half-open-timeout",
            "peer_not_responding": "retransmit-send-timeout",
            "message_failed": "message-failed",
            "destroyed": "destroyed",
        }
        self._problem(sa, e, kinds[f.what], f.text)
        if f.what == "message_failed":
            return
        self._end(sa)
        if not sa.established and not sa.established_via:
            self._state(sa, e, "failed")
        elif sa.state not in ("deleted", "rekeyed"):
            self._state(sa, e, "deleted")

    def _on_ike_schedule(
        self, sa: IkeSa | None, e: ev.Event, s: ev.IkeSchedule
    ) -> None:
        if sa is not None:
            sa.timeline.append((e.line, e.ts, f"{s.what} in {s.seconds}s"))

    def _on_setup_ignored(
        self, sa: IkeSa | None, e: ev.Event, s: ev.SetupIgnored
    ) -> None:
        self.stateless.ignored_setups += 1
        self.stateless.ignore(e.line)

    # -- CHILD SAs ------------------------------------------------------------

    def _child(self, sa: IkeSa, name: str, uid: int) -> ChildSa:
        child = sa.child(uid)
        if child is None:
            child = ChildSa(name, uid)
            sa.child_sas.append(child)
            self._child_owner[uid] = sa
        return child

    def _on_child_establishing(
        self, sa: IkeSa | None, e: ev.Event, c: ev.ChildEstablishing
    ) -> None:
        if sa is not None:
            self._child(sa, c.sa_name, c.sa_uid).reqid = c.reqid

    def _on_child_sa(self, sa: IkeSa | None, e: ev.Event, c: ev.ChildSaLine) -> None:
        if sa is None:
            return
        child = self._child(sa, c.sa_name, c.sa_uid)
        child.spi_in, child.spi_out = c.spi_in, c.spi_out
        child.ts_local, child.ts_remote = c.ts_local, c.ts_remote
        self._spi_owner[c.spi_in] = sa
        self._spi_owner[c.spi_out] = sa
        if c.event == "established":
            if sa.role == "initiator" and not sa.virtual_ips and _asked_vip(sa):
                # some clients (the Android app) never log the address
                # they install: it is the CHILD SA's single-host local TS
                for ts in c.ts_local:
                    if ts.endswith(("/32", "/128")) and "[" not in ts:
                        sa.virtual_ips.append(ts.rsplit("/", 1)[0])
            if child.established_line is None:
                child.established_line, child.established_ts = e.line, e.ts
            child.proposal = child.proposal or self._last_esp.get(id(sa))
            child.state = "installed" if c.variant != "inbound" else "inbound"
            if c.variant == "outbound":
                child.state = "installed"
        else:
            child.bytes_in, child.bytes_out = c.bytes_in, c.bytes_out
            child.closed_line, child.closed_ts = e.line, e.ts
            child.state = "closed" if c.variant != "expired" else "expired"

    def _on_child_rekeyed(
        self, sa: IkeSa | None, e: ev.Event, c: ev.ChildRekeyed
    ) -> None:
        if sa is None:
            return
        old = sa.child(c.old_uid)
        if old is not None:
            old.rekeyed_by = c.new_uid

    def _on_child_closed(
        self, sa: IkeSa | None, e: ev.Event, c: ev.ChildClosed
    ) -> None:
        if sa is None:
            return
        for child in sa.child_sas:
            if (c.sa_uid is None or child.unique_id == c.sa_uid) and (
                child.state in ("deleting", "closed")
            ):
                child.state = "closed"

    def _on_child_note(self, sa: IkeSa | None, e: ev.Event, c: ev.ChildNote) -> None:
        # charon re-creates the CHILD SAs of an SA it gave up on (ike_sa.c
        # reestablish): only an SA that got established has any
        if (
            c.what == "restarting"
            and sa is not None
            and not sa.established
            and sa.attribution == "partial"
        ):
            sa.established_via = "before the log"

    def _on_child_problem(
        self, sa: IkeSa | None, e: ev.Event, c: ev.ChildProblem
    ) -> None:
        kinds = {
            "ts_unacceptable": "ts-mismatch",
            "install_failed": "install-child-sa-failed",
            "child_failed": "child-failed",
            "kernel": "kernel",
        }
        self._problem(sa, e, kinds[c.what], c.text)

    def _on_notify_error(
        self, sa: IkeSa | None, e: ev.Event, n: ev.NotifyError
    ) -> None:
        if n.error:
            kind = _NOTIFY_KIND.get(n.notify, "notify-error")
            self._problem(sa, e, kind, f"received {n.notify} notify")
        if n.child and sa is not None:
            # "..., no CHILD_SA built": the one being set up never was
            for child in sa.child_sas:
                if child.state == "installing":
                    child.state = "not installed"

    # -- virtual IPs and leases -----------------------------------------------

    def _on_vip(self, sa: IkeSa | None, e: ev.Event, v: ev.VirtualIp) -> None:
        if v.what == "requested":
            return
        if sa is not None and v.address not in sa.virtual_ips:
            sa.virtual_ips.append(v.address)
        if v.what == "assigned" and v.identity is not None:
            rec = LeaseRecord(
                v.address,
                v.identity,
                online_ts=e.ts,
                online_line=e.line,
                ike_sa=sa.unique_id if sa else None,
                ike_sa_label=sa.label if sa else None,
            )
            self.leases.append(rec)
            self._online_leases[v.address] = rec

    def _on_lease(self, sa: IkeSa | None, e: ev.Event, le: ev.Lease) -> None:
        if le.online:
            return
        rec = self._online_leases.pop(le.address or "", None)
        if rec is not None:
            rec.offline_ts, rec.offline_line = e.ts, e.line
            rec.offline_reason = "released"
            return
        self.leases.append(
            LeaseRecord(
                le.address or "?",
                le.identity,
                offline_ts=e.ts,
                offline_line=e.line,
                offline_reason="released",
            )
        )

    def _on_vip_problem(self, sa: IkeSa | None, e: ev.Event, v: ev.VipProblem) -> None:
        self._problem(sa, e, "vip-failure", v.text)

    # -- daemon ---------------------------------------------------------------

    def _on_daemon_start(
        self, sa: IkeSa | None, e: ev.Event, d: ev.DaemonStart
    ) -> None:
        self.daemon.starts.append((e.line, d.text))
        self.daemon.version = d.version or self.daemon.version
        if d.version is not None:
            self._new_run(e)

    def _new_run(self, e: ev.Event) -> None:
        """A new daemon run: the SAs of the last one are gone, and unique
        ids count from 1 again."""
        self._stopped = False
        stops = self.daemon.stop_lines
        for old in self._alive.all() + list(self._by_uid.values()):
            # where it stopped: its "stopping" line, or this one (a crash)
            stop = stops[-1] if stops and stops[-1] > (old.first_line or 0) else e.line
            self._conclude(old, stop)
            self._end(old)
        self._by_uid.clear()
        self._child_owner.clear()
        # and so are its in-memory pools' leases
        for lease in self._online_leases.values():
            after = stops and stops[-1] > (lease.online_line or 0)
            lease.offline_line = stops[-1] if after else e.line
            lease.offline_ts = self._stop_ts if after else e.ts
            lease.offline_reason = "daemon restarted"
        self._online_leases.clear()

    def _on_daemon_stop(self, sa: IkeSa | None, e: ev.Event, d: ev.DaemonStop) -> None:
        self.daemon.stop_lines.append(e.line)
        self._stop_ts = e.ts
        self._stopped = True

    def _on_plugins(self, sa: IkeSa | None, e: ev.Event, p: ev.Plugins) -> None:
        self.daemon.plugins = p.names
        if self._stopped:
            # a daemon that stopped loads its plugins again: a new run whose
            # "Starting IKE charon daemon" line the log lacks (charon-systemd)
            self._new_run(e)

    def _on_conn_added(self, sa: IkeSa | None, e: ev.Event, c: ev.ConnAdded) -> None:
        self.daemon.connections.append(c.name)

    def _on_pool_added(self, sa: IkeSa | None, e: ev.Event, p: ev.PoolAdded) -> None:
        self.daemon.pools.append((p.name, p.base, p.size))

    def _on_cert_loaded(self, sa: IkeSa | None, e: ev.Event, c: ev.CertLoaded) -> None:
        self.daemon.certificates.append(c.subject)


_REFUSALS = frozenset(
    {"N(NO_PROP)", "N(INVAL_KE)", "N(AUTH_FAILED)", "N(INVAL_SYN)", "N(INVAL_MAJOR)"}
)


def _refuses_sa(m: ev.Message) -> bool:
    """A response that ends a half-open SA on the responder."""
    return (
        m.exchange in ("IKE_SA_INIT", "IKE_AUTH")
        and bool(m.payloads)
        and all(p in _REFUSALS for p in m.payloads)
    )


def _asked_vip(sa: IkeSa) -> bool:
    """Whether the IKE_AUTH exchange carried a configuration reply."""
    return any(
        x.type == "IKE_AUTH"
        and x.response is not None
        and any(p.startswith("CPRP") for p in x.response)
        for x in sa.exchanges
    )


#: The kinds of line that may tell a job's SA: by naming it, by their
#: endpoints or message ID, or by starting a new one. Others only wait.
_EVIDENCE = frozenset(
    {
        ev.Packet,
        ev.Message,
        ev.PeerInitiating,
        ev.LocalInitiating,
        ev.IkeSaLine,
        ev.IkeStateChange,
        ev.DeleteNotice,
        ev.ChildSaLine,
        ev.ChildClosed,
        ev.ChildNote,
        ev.Retransmit,
        ev.IkeFailure,
    }
)


def _is_cookie_reply(m: ev.Message) -> bool:
    """Our IKE_SA_INIT response that only asks for a COOKIE (RFC 7296 2.6)."""
    return (
        not m.inbound
        and not m.is_request
        and m.exchange == "IKE_SA_INIT"
        and m.payloads == ("N(COOKIE)",)
    )


#: The kinds of line that may begin a new job on a thread.
_MAY_START = frozenset(
    {
        ev.Packet,
        ev.Retransmit,
        ev.LocalInitiating,
        ev.Message,
        ev.IkeSaLine,
        ev.IkeStateChange,
        ev.DeleteNotice,
        ev.IkeNote,
        ev.ChildEstablishing,
        ev.IkeDeleted,
        ev.IkeFailure,
    }
)


def _ends_unestablished(body: ev.Body) -> bool:
    """A line that ends an IKE SA that never got established."""
    if isinstance(body, ev.IkeFailure):
        return body.what == "half_open_timeout"
    if isinstance(body, ev.Message):
        if body.inbound and body.is_request:
            return "N(AUTH_FAILED)" in body.payloads
        return not body.inbound and not body.is_request and "EAP/FAIL" in body.payloads
    return False


def _first_line(sa: IkeSa) -> int:
    return sa.first_line or 0


def _narrow(current: list[IkeSa] | None, found: list[IkeSa]) -> list[IkeSa]:
    if current is None:
        return found
    kept = set(map(id, found))
    return [sa for sa in current if id(sa) in kept]


#: exchanges whose last message charon follows with ``IKE_SA ... established``
_ESTABLISHING = frozenset({"IKE_AUTH", "ID_PROT", "AGGRESSIVE"})


def _continues(pending: Sequence[ev.Event], body: ev.Body) -> bool:
    """Whether a line naming an SA can only be the next step of the job
    whose lines so far are ``pending``: ``established`` after an IKE_AUTH
    message, ``received DELETE`` after a DELETE request, ``deleting`` or
    ``DELETING`` after a received DELETE."""
    last: ev.Body | None = None
    for e in reversed(pending):
        if isinstance(e.body, ev.Message | ev.DeleteNotice):
            last = e.body
            break
    if last is None:
        return False
    if isinstance(body, ev.IkeSaLine):
        if body.event == "established":
            return isinstance(last, ev.Message) and last.exchange in _ESTABLISHING
        return isinstance(last, ev.DeleteNotice) and last.inbound
    if isinstance(body, ev.DeleteNotice):
        return (
            body.inbound
            and isinstance(last, ev.Message)
            and last.inbound
            and last.is_request
            and "D" in last.payloads
        )
    if isinstance(body, ev.IkeStateChange):
        if body.new == "ESTABLISHED":
            return isinstance(last, ev.Message) and last.exchange in _ESTABLISHING
        return isinstance(last, ev.DeleteNotice) and last.inbound
    return False


def _named_uid(body: ev.Body) -> int | None:
    """The IKE SA unique id a message names, if any."""
    if isinstance(body, ev.IkeSaLine):
        return body.sa_uid if body.event != "rekeyed" else None
    if isinstance(body, ev.IkeStateChange):
        return body.sa_uid
    if isinstance(body, ev.DeleteNotice):
        return body.sa_uid
    if isinstance(body, ev.PeerInitiating):
        return body.sa_uid
    return None


def _named_child(body: ev.Body) -> int | None:
    if isinstance(body, ev.ChildSaLine) and body.event == "closing":
        return body.sa_uid
    if isinstance(body, ev.ChildClosed | ev.ChildNote):
        return body.sa_uid
    return None
