"""Which IKE SA does a line belong to?

Theory of operation
-------------------

charon's worker threads take one job at a time: process one received
message, send one DPD, retransmit one request... and while a job runs the
thread has exactly one IKE SA checked out. Every line of a job therefore
belongs to one SA. The evidence that names that SA, strongest first:

1. the ``<name|uid>`` tag (or the journal's ``IKE_SA_UNIQUE_ID``): decisive;
   once a log shows tags, untagged lines are known to be SA-less (daemon,
   configuration, stateless COOKIE replies);
2. a line that names the SA: ``IKE_SA eap[3] established ...``,
   ``deleting IKE_SA ...``, ``initiating IKE_SA home[1] to ...``;
3. the endpoints of the job's packets and the message IDs of its messages,
   matched against the SAs still alive: an SA expects the peer's next
   request ID and has its own requests outstanding.

Without tags (stderr, ``swanctl --log``, the seed page) the attributor
keeps one :class:`Job` per thread. A job starts at an inbound packet, at a
retransmit, at a new local request after a packet went out, or at a line
naming another SA. Until the evidence leaves one candidate, its events wait
in the job; when the job ends undecided they are reported as ambiguous with
their candidates, never handed to a guessed SA.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import events as ev
from .model import IKEV1_EXCHANGES, IkeSa

#: Event kinds that never concern an IKE SA.
GLOBAL_KINDS = frozenset(
    {
        "daemon_start",
        "daemon_stop",
        "plugins",
        "cert_loaded",
        "key_loaded",
        "secret_loaded",
        "pool_added",
        "conn_added",
        "config_initiating",
        "setup_ignored",
        "foreign",
        "unrecognized",
    }
)


@dataclass(slots=True)
class Job:
    """The lines one worker thread logged for one (maybe unknown) SA."""

    first_line: int
    owner: IkeSa | None = None
    pending: list[ev.Event] = field(default_factory=list)
    candidates: list[IkeSa] | None = None
    new_sa: bool = False
    sent: bool = False
    maybe_rekey_of: IkeSa | None = None
    remote_host: str | None = None
    #: (local host, remote host, AliveSas.changes) when the candidates
    #: were last narrowed by endpoints
    narrowed: tuple[str, str, int] | None = None
    #: the candidates' message windows were given up (a message of theirs
    #: waits undecided in this job)
    unsure: bool = False


def host_of(endpoint: str | None) -> str | None:
    if endpoint is None:
        return None
    return endpoint.rpartition("[")[0] or endpoint


class AliveSas:
    """The SAs still alive, filed by the hosts at both ends.

    Attribution asks for "the alive SAs between these two hosts" at every
    undecided packet; scanning every SA of the log there would make an
    untagged log cost O(SAs) per line. SAs are filed when born, re-filed
    when an address changes (:meth:`moved`) and taken out when they end
    (:meth:`remove`). Look-ups return SAs in the order they were born.
    """

    __slots__ = ("_all", "_born", "_by_ends", "_ends", "_locals", "_next", "changes")

    def __init__(self) -> None:
        self._all: dict[int, IkeSa] = {}
        self._born: dict[int, int] = {}
        self._ends: dict[int, tuple[str | None, str]] = {}
        self._by_ends: dict[tuple[str | None, str], dict[int, IkeSa]] = {}
        #: peer host -> our hosts it has SAs with (keys of ``_by_ends``)
        self._locals: dict[str, dict[str | None, None]] = {}
        self._next = 0
        #: counts SAs taken out or moved: while it stands still, the SAs
        #: between two hosts only grow by newborns
        self.changes = 0

    def add(self, sa: IkeSa) -> None:
        self._born[id(sa)] = self._next
        self._next += 1
        self._all[id(sa)] = sa
        self.moved(sa)

    def moved(self, sa: IkeSa) -> None:
        """File ``sa`` under its current ``local`` and ``remote`` hosts."""
        key = id(sa)
        remote = host_of(sa.remote)
        if remote is None or key not in self._all:
            return
        ends = (host_of(sa.local), remote)
        old = self._ends.get(key)
        if old == ends:
            return
        if old is not None:
            self._unfile(key, old)
            self.changes += 1
        self._ends[key] = ends
        self._locals.setdefault(remote, {})[ends[0]] = None
        bucket = self._by_ends.setdefault(ends, {})
        older = bool(bucket) and self._born[key] < self._born[next(reversed(bucket))]
        bucket[key] = sa
        if older:
            # an older SA moved here: keep the bucket in order of birth
            self._by_ends[ends] = dict(
                sorted(bucket.items(), key=lambda kv: self._born[kv[0]])
            )

    def _unfile(self, key: int, ends: tuple[str | None, str]) -> None:
        bucket = self._by_ends.get(ends)
        if bucket is not None:
            bucket.pop(key, None)
            if not bucket:
                del self._by_ends[ends]
                local, remote = ends
                locals_ = self._locals[remote]
                del locals_[local]
                if not locals_:
                    del self._locals[remote]

    def remove(self, sa: IkeSa) -> None:
        """Take out an SA that ended (or was merged into another)."""
        key = id(sa)
        self.changes += 1
        self._all.pop(key, None)
        self._born.pop(key, None)
        ends = self._ends.pop(key, None)
        if ends is not None:
            self._unfile(key, ends)

    def all(self) -> list[IkeSa]:
        """Every alive SA, in order of birth."""
        return list(self._all.values())

    def __bool__(self) -> bool:
        return bool(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def between(self, local: str, remote: str) -> list[IkeSa]:
        """The alive SAs between these hosts (and those with ``remote`` whose
        local address is not known yet)."""
        found = list(self._by_ends.get((local, remote), {}).values())
        unsure = self._by_ends.get((None, remote))
        if unsure:
            found += unsure.values()
            found.sort(key=lambda sa: self._born[id(sa)])
        return found

    def keep_between(
        self, candidates: list[IkeSa], local: str, remote: str
    ) -> list[IkeSa]:
        """Those of ``candidates`` that :meth:`between` would return."""
        here = self._by_ends.get((local, remote), {})
        unsure = self._by_ends.get((None, remote))
        if unsure:
            return [sa for sa in candidates if id(sa) in here or id(sa) in unsure]
        return [sa for sa in candidates if id(sa) in here]

    def with_peer(self, remote: str) -> list[IkeSa]:
        """The alive SAs whose peer is ``remote``, whatever our address."""
        found = [
            sa
            for local in self._locals.get(remote, ())
            for sa in self._by_ends[(local, remote)].values()
        ]
        found.sort(key=lambda sa: self._born[id(sa)])
        return found


class MergeGroups:
    """SAs first seen by name, each with the unnamed SAs it may be.

    Groups that share a candidate, directly or through others, form a
    family: its merges must be decided together (by elimination), and only
    once every SA in it has ended. Families are kept as groups arrive
    (union by size), so a sweep asks each family one question, "has
    everything in it ended?", and a family still busy answers at its
    newest member: a sweep does not cost the length of the log.
    """

    __slots__ = ("_keys", "_members", "_next", "_parent", "_seq", "groups")

    def __init__(self) -> None:
        #: id(named SA) -> (named SA, candidates), in order of arrival
        self.groups: dict[int, tuple[IkeSa, list[IkeSa]]] = {}
        self._seq: dict[int, int] = {}
        self._next = 0
        self._parent: dict[int, int] = {}
        #: family root -> its group keys, and its SAs (id -> (SA, named))
        self._keys: dict[int, list[int]] = {}
        self._members: dict[int, dict[int, tuple[IkeSa, bool]]] = {}

    def __bool__(self) -> bool:
        return bool(self.groups)

    def __contains__(self, sa: IkeSa) -> bool:
        """Whether ``sa`` waits in a merge not settled yet."""
        return id(sa) in self._parent

    def _root(self, x: int) -> int:
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def _file(self, sa: IkeSa, named: bool) -> int:
        key = id(sa)
        if key not in self._parent:
            self._parent[key] = key
            self._keys[key] = []
            self._members[key] = {key: (sa, named)}
            return key
        root = self._root(key)
        if named:
            self._members[root][key] = (sa, True)
        return root

    def _union(self, a: int, b: int) -> int:
        if a == b:
            return a
        if len(self._members[a]) < len(self._members[b]):
            a, b = b, a
        self._parent[b] = a
        self._keys[a] += self._keys.pop(b)
        small = self._members.pop(b)
        members = self._members[a]
        for key, (sa, named) in small.items():
            if named or key not in members:
                members[key] = (sa, named)
        return a

    def add(self, named: IkeSa, candidates: list[IkeSa]) -> None:
        key = id(named)
        self.groups[key] = (named, candidates)
        self._seq[key] = self._next
        self._next += 1
        root = self._file(named, True)
        for c in candidates:
            root = self._union(root, self._file(c, False))
        self._keys[root].append(key)

    def ready(
        self, ended: Callable[[IkeSa], bool]
    ) -> list[dict[int, tuple[IkeSa, list[IkeSa]]]]:
        """Take out the families whose every SA has ended (a candidate
        already merged elsewhere counts as ended), each in arrival order."""
        done = []
        for root, members in self._members.items():
            if all(
                ended(sa) or (not named and sa.unique_id is not None)
                for sa, named in reversed(members.values())
            ):
                done.append(root)
        families = []
        for root in done:
            keys = sorted(self._keys.pop(root), key=self._seq.__getitem__)
            families.append({k: self.groups.pop(k) for k in keys})
            for k in keys:
                del self._seq[k]
            for member in self._members.pop(root):
                del self._parent[member]
        return families

    def take_all(self) -> dict[int, tuple[IkeSa, list[IkeSa]]]:
        """Every group still waiting, in arrival order; forget them."""
        groups = self.groups
        self.groups = {}
        self._seq.clear()
        self._parent.clear()
        self._keys.clear()
        self._members.clear()
        return groups


def match_endpoints(
    alive: AliveSas, local: ev.Endpoint, remote: ev.Endpoint
) -> list[IkeSa]:
    """Alive SAs between the two hosts (ports may float under NAT-T). An SA
    whose peer is not known yet cannot be claimed by its address."""
    return alive.between(local.host, remote.host)


def match_message(candidates: list[IkeSa], msg: ev.Message) -> list[IkeSa]:
    """Candidates for which ``msg`` fits the message ID windows."""
    ours = msg.inbound != msg.is_request  # our request or its response
    if msg.exchange in IKEV1_EXCHANGES:
        # random message IDs: an SA that has this one, else any IKEv1 SA
        known = [
            sa for sa in candidates if sa.v1_exchange(msg.exchange, msg.message_id)
        ]
        return known or [sa for sa in candidates if sa.version == 1]
    mid = msg.message_id
    if msg.is_request and not ours:  # the peer's next request, or a repeat
        before = (mid - 1, mid)
        return [
            sa
            for sa in candidates
            if not sa.window_known or sa.last_remote_mid in before
        ]
    if msg.is_request:  # our next request, or one sent again
        after = (mid, mid + 1)
        return [
            sa for sa in candidates if not sa.window_known or sa.next_local_mid in after
        ]
    key = ("local" if ours else "remote", mid)
    kept = []
    for sa in candidates:  # a response: to a request still unanswered
        if not sa.window_known:
            kept.append(sa)
        else:
            x = sa.exchange_index.get(key)
            if x is not None and x.response is None:
                kept.append(sa)
    return kept


def match_outstanding(candidates: list[IkeSa], message_id: int) -> list[IkeSa]:
    """Candidates with our request ``message_id`` still unanswered."""
    kept = []
    for sa in candidates:
        if not sa.window_known:
            kept.append(sa)
            continue
        x = sa.find_exchange("local", message_id)
        if x is not None and x.response is None:
            kept.append(sa)
    return kept
