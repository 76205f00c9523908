"""Turn the message text of one charon line into a typed event body.

grammars/charon.lark is the only definition of what a message means. It is
compiled once into a LALR parser with the transformer below passed in, so
parsing a message builds the body object directly and never a tree.

Message texts repeat a lot in real logs (every DPD exchange, every
``parsed IKE_AUTH request 2 [ EAP/RES/ID ]``), and bodies are immutable and
carry no line number, so :func:`parse_message` caches bodies by text.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import lark
from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from . import events as ev

#: Messages longer than this are not handed to the parser (a 100 MB line of
#: garbage would only waste time); they become Unrecognized.
MAX_MESSAGE = 8192


class _Later:
    """A body that needs the whole message text, built after parsing."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[str], ev.Body]) -> None:
        self.make = make


def _note(what: str) -> _Later:
    return _Later(lambda text: ev.Note(what, text))


def _noting(what: str) -> Callable[[Any, list[Any]], _Later]:
    """A callback for rules whose lines are kept as ``Note(what, text)``."""

    def build(self: Any, c: list[Any]) -> _Later:
        return _note(what)

    return build


def _sq(tok: Token) -> str:
    """Strip the quotes of a 'quoted' or "quoted" token."""
    return str(tok)[1:-1]


def _ref(tok: Token, open_: str = "[") -> tuple[str, int]:
    """Split ``name[3]`` (or ``name{3}``) into ``("name", 3)``."""
    name, _, rest = str(tok).rpartition(open_)
    return name, int(rest[:-1])


def _endpoint(tok: Token) -> ev.Endpoint:
    host, _, port = str(tok).rpartition("[")
    return ev.Endpoint(host, int(port[:-1]))


def _peer(text: str) -> ev.Peer:
    host, _, ident = text.partition("[")
    return ev.Peer(host, ident[:-1])


def _peers(tok: Token) -> tuple[ev.Peer, ev.Peer]:
    text = str(tok)
    left, _, right = text.partition("]...")
    return _peer(left + "]"), _peer(right)


def _tokens(children: list[Any], type_: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type == type_]


def _first(children: list[Any], type_: str) -> Token | None:
    for c in children:
        if isinstance(c, Token) and c.type == type_:
            return c
    return None


def _ints(children: list[Any]) -> list[int]:
    return [int(c) for c in children if isinstance(c, Token) and c.type == "INT"]


def _kept(children: list[Any], cls: type) -> list[Any]:
    return [c for c in children if isinstance(c, cls)]


class _Word(str):
    """The word kept by a ``!rule`` (direction, role, side ...)."""


class _Builder(Transformer[Token, Any]):
    """Callbacks named after the grammar's rule aliases."""

    # -- keep-token helper rules ---------------------------------------------

    def _word(self, children: list[Token]) -> _Word:
        return _Word(" ".join(str(c) for c in children))

    verb = role = dir = mode = psource = side = result = _word
    msk_kind = reauth_verb = sched = child_prefix = job_kind = _word
    policy_dir = lease_state = attr_verb = _word

    def size(self, children: list[Token]) -> int:
        return int(children[0])

    split_size = byte_count = size

    def ts_list(self, children: list[Token]) -> tuple[str, ...]:
        return tuple(str(c) for c in children)

    # -- packets and messages ------------------------------------------------

    def packet(self, c: list[Any]) -> ev.Packet:
        size = c[3] if len(c) > 3 else None
        return ev.Packet(c[0] == "received", _endpoint(c[1]), _endpoint(c[2]), size)

    def summary(self, c: list[Any]) -> _Later:
        inbound = c[0] == "parsed"
        exchange = str(c[1])
        is_request = c[2] == "request"
        mid = int(c[3])
        payloads = tuple(str(p) for p in c[4:])

        def make(text: str) -> ev.Body:
            truncated = not text.rstrip().endswith("]")
            return ev.Message.build(
                inbound, exchange, is_request, mid, payloads, truncated
            )

        return _Later(make)

    def frag_received(self, c: list[Any]) -> ev.FragmentReceived:
        nums = [x for x in c if isinstance(x, Token)]
        state = c[-1]
        total = int(nums[1]) if len(nums) > 1 else None
        done, size = state
        return ev.FragmentReceived(int(nums[0]), total, done, size)

    def frag_waiting(self, c: list[Any]) -> tuple[bool, int | None]:
        return False, None

    def frag_done(self, c: list[Any]) -> tuple[bool, int | None]:
        return True, (int(c[0]) if c else None)

    def frag_split(self, c: list[Any]) -> ev.FragmentSplit:
        return ev.FragmentSplit(c[0], int(c[1]))

    frag_duplicate = _noting("fragment")

    def vendor_unknown(self, c: list[Token]) -> ev.VendorId:
        return ev.VendorId(None, str(c[0]))

    def vendor_known(self, c: list[Token]) -> ev.VendorId:
        return ev.VendorId(str(c[0]))

    # -- initiation ----------------------------------------------------------

    def peer_initiating(self, c: list[Any]) -> ev.PeerInitiating:
        host = str(c[0])
        mode = next((str(x) for x in c if isinstance(x, _Word)), None)
        ref = _first(c, "IKE_REF")
        if ref is None:
            return ev.PeerInitiating(host, mode)
        name, uid = _ref(ref)
        return ev.PeerInitiating(host, mode, name, uid)

    def local_initiating(self, c: list[Any]) -> ev.LocalInitiating:
        mode = next((str(x) for x in c if isinstance(x, _Word)), None)
        ref = _first(c, "IKE_REF")
        addr = _first(c, "ADDR")
        assert ref is not None and addr is not None
        name, uid = _ref(ref)
        return ev.LocalInitiating(name, uid, str(addr), mode)

    def config_initiating(self, c: list[Token]) -> ev.ConfigInitiating:
        return ev.ConfigInitiating(_sq(_tokens(c, "SQ")[0]))

    def nm_initiating(self, c: list[Token]) -> ev.ConfigInitiating:
        """charon-nm asked to connect: the connection's name, as the IKE
        and CHILD SAs it initiates are named (spaces and all)."""
        return ev.ConfigInitiating(str(c[0]))

    # -- proposals -----------------------------------------------------------

    def proposal_selected(self, c: list[Token]) -> ev.ProposalSelected:
        return ev.ProposalSelected(str(c[0]))

    def proposal_list(self, c: list[Any]) -> ev.ProposalList:
        items = tuple(p.strip() for p in str(c[1]).split(", ") if p.strip())
        return ev.ProposalList(c[0] == "received", items)

    def proposal_none(self, c: list[Any]) -> _Later:
        return _Later(lambda text: ev.ProposalNone(text))

    def ke_rejected(self, c: list[Token]) -> ev.KeMethodRejected:
        methods = _tokens(c, "KE_METHOD")
        return ev.KeMethodRejected(True, str(methods[0]), str(methods[1]))

    def ke_retry(self, c: list[Token]) -> ev.KeMethodRejected:
        methods = _tokens(c, "KE_METHOD")
        return ev.KeMethodRejected(False, str(methods[0]), str(methods[1]))

    def ke_mismatch(self, c: list[Token]) -> _Later:
        return _note("proposal")

    proposal_diag = ke_mismatch

    # -- NAT, keepalives, MOBIKE ---------------------------------------------

    def nat_behind(self, c: list[Any]) -> ev.NatDetected:
        return ev.NatDetected(c[0] == "local", True)

    def nat_gone(self, c: list[Any]) -> ev.NatDetected:
        return ev.NatDetected(c[0] == "local", False)

    def nat_faked(self, c: list[Any]) -> ev.NatDetected:
        return ev.NatDetected(True, True, faked=True)

    def endpoint_changed(self, c: list[Any]) -> ev.EndpointChanged:
        words = _kept(c, _Word)
        local = bool(words) and words[0] == "local"
        values = [str(x) for x in c if isinstance(x, Token)]
        return ev.EndpointChanged(local, values[0], values[1])

    keepalive = _noting("keepalive")

    mobike = _noting("mobike")

    mobike_address = mobike_update = mobike

    # -- certificates ----------------------------------------------------------

    def certreq_sent(self, c: list[Token]) -> ev.CertRequest:
        return ev.CertRequest(False, _sq(c[0]))

    def certreq_received(self, c: list[Token]) -> ev.CertRequest:
        return ev.CertRequest(True, _sq(c[0]))

    def certreq_unknown(self, c: list[Token]) -> ev.CertRequest:
        return ev.CertRequest(True, None, int(c[0]) if c else 0)

    def cert_exchanged(self, c: list[Any]) -> ev.CertExchanged:
        return ev.CertExchanged(c[0] == "received", str(c[1]), _sq(c[2]))

    def cert_loaded(self, c: list[Token]) -> ev.CertLoaded:
        return ev.CertLoaded(_sq(c[0]))

    def key_loaded(self, c: list[Token]) -> ev.KeyLoaded:
        return ev.KeyLoaded(str(c[0]))

    def secret_loaded(self, c: list[Token]) -> ev.SecretLoaded:
        quoted = [_sq(x) for x in _tokens(c, "SQ")]
        return ev.SecretLoaded(str(c[0]), quoted[0], tuple(quoted[1:]))

    cert_chain = _noting("cert")

    cert_status = cert_chain

    def cert_problem(self, c: list[Any]) -> _Later:
        return _Later(lambda text: ev.AuthProblem("cert", text))

    # -- peer configs --------------------------------------------------------

    def peercfg_lookup(self, c: list[Token]) -> ev.PeerCfgLookup:
        cls = _first(c, "AUTH_CLASS")
        spec = _first(c, "MATCH_SPEC")
        return ev.PeerCfgLookup(str(spec), str(cls) if cls else None)

    def peercfg_selected(self, c: list[Token]) -> ev.PeerCfgSelected:
        return ev.PeerCfgSelected(_sq(c[0]))

    def peercfg_switched(self, c: list[Token]) -> ev.PeerCfgSelected:
        return ev.PeerCfgSelected(_sq(c[0]), switched=True)

    def peercfg_candidate(self, c: list[Token]) -> ev.PeerCfgCandidate:
        return ev.PeerCfgCandidate(_sq(c[0]), int(c[1]))

    def id_match(self, c: list[Token]) -> ev.IdMatch:
        id_type, _, identity = str(c[2])[1:-1].partition(":")
        return ev.IdMatch(str(c[0]) == "local", int(c[1]), id_type, identity.strip())

    def peercfg_rejected(self, c: list[Any]) -> _Later:
        return _Later(lambda text: ev.PeerCfgProblem(text, missing=False))

    def peercfg_missing(self, c: list[Any]) -> _Later:
        return _Later(lambda text: ev.PeerCfgProblem(text, missing=True))

    ikecfg_missing = peercfg_missing

    default_id = _noting("config")

    peercfg_diag = default_id

    # -- EAP -------------------------------------------------------------------

    def eap_initiate(self, c: list[Token]) -> ev.EapStep:
        return ev.EapStep("initiate", str(c[0]), text=str(c[1]))

    def eap_identity(self, c: list[Token]) -> ev.EapStep:
        return ev.EapStep("identity", identity=_sq(c[0]))

    def eap_selected(self, c: list[Token]) -> ev.EapStep:
        return ev.EapStep("selected", str(c[0]))

    def eap_nak(self, c: list[Token]) -> _Later:
        return _Later(lambda text: ev.EapStep("nak", text=text))

    def eap_nak_failure(self, c: list[Token]) -> _Later:
        return _Later(lambda text: ev.EapStep("nak_failure", text=text))

    def eap_nak_sent(self, c: list[Token]) -> _Later:
        method = str(c[0]) if c else None
        return _Later(lambda text: ev.EapStep("nak_sent", method, text=text))

    def eap_success(self, c: list[Token]) -> _Later:
        method = str(c[0])
        return _Later(lambda text: ev.EapStep("success", method, text=text))

    def eap_failure(self, c: list[Token]) -> _Later:
        method = _first(c, "EAP_TYPE") or _first(c, "EAP_CODE")
        m = str(method) if method else None
        return _Later(lambda text: ev.EapStep("failure", m, text=text))

    def eap_requested(self, c: list[Token]) -> ev.EapStep:
        ident = _first(c, "SQ")
        return ev.EapStep(
            "requested", str(c[0]), identity=_sq(ident) if ident else None
        )

    def eap_detail(self, c: list[Token]) -> _Later:
        return _Later(lambda text: ev.EapStep("detail", text=text))

    def mschap_failed(self, c: list[Token]) -> _Later:
        return _Later(lambda text: ev.EapStep("verify_failed", text=text))

    def eap_key_missing(self, c: list[Token]) -> _Later:
        return _Later(lambda text: ev.AuthProblem("eap_key", text))

    def radius_result(self, c: list[Any]) -> ev.AuthResult:
        return ev.AuthResult(_sq(c[0]), False, "RADIUS", c[1] == "successful")

    # -- authentication --------------------------------------------------------

    def auth_done(self, c: list[Any]) -> ev.AuthResult:
        ident = _sq(c[0])
        myself = _first(c, "MYSELF") is not None
        method = _first(c, "AUTH_METHOD")
        words = _kept(c, _Word)
        success: bool | None = None
        if words:
            success = words[0] == "successful"
        elif method is None:
            success = False
        return ev.AuthResult(ident, myself, str(method) if method else None, success)

    def auth_pair(self, c: list[Any]) -> ev.AuthResult:
        """``authentication of 'A' (myself) - 'B' (remote) with <method>``:
        the PSK lookup of a swanctl --initiate transcript."""
        method = _first(c, "AUTH_METHOD")
        return ev.AuthResult(_sq(c[0]), True, str(method) if method else None, None)

    def xauth_done(self, c: list[Any]) -> ev.AuthResult:
        myself = _first(c, "MYSELF") is not None
        ok = _kept(c, _Word)[0] == "successful"
        return ev.AuthResult(_sq(c[0]), myself, "XAuth", ok, xauth=True)

    def _problem(what: str) -> Callable[[Any, list[Any]], _Later]:  # type: ignore[misc]
        def build(self: Any, c: list[Any]) -> _Later:
            return _Later(lambda text: ev.AuthProblem(what, text))

        return build

    psk_mismatch = _problem("psk_mismatch")
    psk_missing = _problem("psk_missing")
    key_missing = _problem("key_missing")
    pubkey_missing = _problem("pubkey_missing")
    sig_failed = _problem("signature")
    msk_failed = _problem("msk")
    psk_mismatch_v1 = _problem("psk_mismatch")
    xauth_destroy = _problem("xauth")
    auth_forbidden = _problem("forbidden")

    # -- IKE_SA lifecycle --------------------------------------------------------

    def _sa_line(event: str) -> Callable[[Any, list[Any]], ev.IkeSaLine]:  # type: ignore[misc]
        def build(self: Any, c: list[Any]) -> ev.IkeSaLine:
            name, uid = _ref(c[0])
            local, remote = _peers(c[1])
            return ev.IkeSaLine(event, name, uid, local, remote)

        return build

    ike_established = _sa_line("established")
    ike_rekeyed = _sa_line("rekeyed")
    ike_deleting = _sa_line("deleting")

    def ike_deleted(self, c: list[Any]) -> ev.IkeDeleted:
        return ev.IkeDeleted()

    def ike_state(self, c: list[Token]) -> ev.IkeStateChange:
        name, uid = _ref(c[0])
        return ev.IkeStateChange(name, uid, str(c[1]), str(c[2]))

    def ike_delete_msg(self, c: list[Any]) -> ev.DeleteNotice:
        name, uid = _ref(c[1])
        return ev.DeleteNotice(c[0] == "received", "IKE", name, uid)

    def _failure(what: str) -> Callable[[Any, list[Any]], _Later]:  # type: ignore[misc]
        def build(self: Any, c: list[Any]) -> _Later:
            addr = _first(c, "ADDR")
            host = str(addr) if addr else None
            return _Later(lambda text: ev.IkeFailure(what, text, host))

        return build

    ike_half_open_timeout = _failure("half_open_timeout")
    ike_destroyed = _failure("destroyed")
    ike_peer_dead = _failure("peer_not_responding")
    ike_parse_failed = _failure("message_failed")

    def ike_schedule(self, c: list[Any]) -> ev.IkeSchedule:
        words = _kept(c, _Word)
        what = str(words[0]) if words else "reauthentication"
        return ev.IkeSchedule(what, _ints(c)[0])

    def ike_lifetime(self, c: list[Any]) -> ev.IkeSchedule:
        return ev.IkeSchedule("lifetime", _ints(c)[0])

    def ike_auth_lifetime(self, c: list[Any]) -> ev.IkeSchedule:
        return ev.IkeSchedule("auth_lifetime", _ints(c)[0])

    def _ike_note(what: str) -> Callable[[Any, list[Any]], _Later]:  # type: ignore[misc]
        def build(self: Any, c: list[Any]) -> _Later:
            ints = _ints(c)
            mid = ints[0] if ints else None
            return _Later(lambda text: ev.IkeNote(what, text, mid))

        return build

    ike_reauth = _ike_note("reauth")
    ike_rekey_failed = _ike_note("rekey_failed")
    ike_reauth_detected = _ike_note("reauth_detected")
    ike_duplicate = _ike_note("duplicate")
    ike_note = _ike_note("note")
    ike_dpd = _ike_note("dpd")
    ike_ignored_request = _ike_note("ignored_request")
    ike_peer_retransmit = _ike_note("peer_retransmit")
    ike_unexpected_mid = _ike_note("unexpected_message_id")

    def ike_setup_ignored(self, c: list[Any]) -> ev.SetupIgnored:
        return ev.SetupIgnored(str(c[0]), str(c[1]))

    def daemon_stop(self, c: list[Any]) -> _Later:
        return _Later(lambda text: ev.DaemonStop(text.split()[0]))

    # -- CHILD_SA lifecycle ------------------------------------------------------

    def child_establishing(self, c: list[Any]) -> ev.ChildEstablishing:
        name, uid = _ref(c[0], "{")
        ints = _ints(c)
        return ev.ChildEstablishing(name, uid, ints[0] if ints else None)

    def child_established(self, c: list[Any]) -> ev.ChildSaLine:
        variant = str(c[0]) if isinstance(c[0], _Word) else None
        if variant:
            c = c[1:]
        name, uid = _ref(c[0], "{")
        return ev.ChildSaLine(
            "established",
            name,
            uid,
            str(c[1])[:-2],
            str(c[2])[:-2],
            c[3],
            c[4],
            variant=variant,
        )

    def child_closing(self, c: list[Any]) -> ev.ChildSaLine:
        name, uid = _ref(c[0], "{")
        return ev.ChildSaLine(
            "closing",
            name,
            uid,
            str(c[1])[:-2],
            str(c[3])[:-2],
            c[5],
            c[6],
            bytes_in=c[2],
            bytes_out=c[4],
        )

    def child_closing_expired(self, c: list[Any]) -> ev.ChildSaLine:
        name, uid = _ref(c[0], "{")
        return ev.ChildSaLine(
            "closing",
            name,
            uid,
            str(c[1])[:-2],
            str(c[2])[:-2],
            c[3],
            c[4],
            variant="expired",
        )

    def child_rekeyed(self, c: list[Any]) -> ev.ChildRekeyed:
        old_name, old_uid = _ref(c[0], "{")
        new_name, new_uid = _ref(c[3], "{")
        return ev.ChildRekeyed(
            old_name,
            old_uid,
            new_name,
            new_uid,
            (str(c[1])[:-2], str(c[2])[:-2]),
            (str(c[4])[:-2], str(c[5])[:-2]),
        )

    def child_delete_msg(self, c: list[Any]) -> ev.DeleteNotice:
        proto = _first(c, "IPSEC_PROTO")
        spi = _first(c, "SPI_HEX")
        return ev.DeleteNotice(c[0] == "received", str(proto), spi=str(spi))

    def child_closed(self, c: list[Any]) -> ev.ChildClosed:
        if c:
            name, uid = _ref(c[0], "{")
            return ev.ChildClosed(name, uid)
        return ev.ChildClosed(None, None)

    def _child_note(what: str) -> Callable[[Any, list[Any]], _Later]:  # type: ignore[misc]
        def build(self: Any, c: list[Any]) -> _Later:
            ref = _first(c, "CHILD_REF")
            name, uid = _ref(ref, "{") if ref else (None, None)
            return _Later(lambda text: ev.ChildNote(what, text, name, uid))

        return build

    child_note = _child_note("note")
    child_restarting = _child_note("restarting")
    child_rekey_detected = _child_note("rekey_detected")
    child_state = _child_note("state")

    def _child_problem(what: str) -> Callable[[Any, list[Any]], _Later]:  # type: ignore[misc]
        def build(self: Any, c: list[Any]) -> _Later:
            lists = [x for x in c if isinstance(x, tuple)]
            local, remote = (lists[0], lists[1]) if len(lists) >= 2 else ((), ())
            return _Later(lambda text: ev.ChildProblem(what, text, local, remote))

        return build

    ts_unacceptable = _child_problem("ts_unacceptable")
    child_failed = _child_problem("child_failed")
    child_install_failed = _child_problem("install_failed")
    kernel_error = _child_problem("kernel")

    # -- virtual IPs and leases ------------------------------------------------

    def vip_requested(self, c: list[Token]) -> ev.VirtualIp:
        return ev.VirtualIp("requested", str(c[0]))

    def vip_assigned(self, c: list[Token]) -> ev.VirtualIp:
        return ev.VirtualIp("assigned", str(c[0]), _sq(c[1]))

    def vip_installed(self, c: list[Token]) -> ev.VirtualIp:
        return ev.VirtualIp("installed", str(c[0]))

    def lease_assigned(self, c: list[Any]) -> ev.Lease:
        words = _kept(c, _Word)
        how = f"reassigned {words[0]}" if words else "new"
        quoted = _tokens(c, "SQ")
        return ev.Lease(True, _sq(quoted[-1]), how=how)

    def lease_offline(self, c: list[Token]) -> ev.Lease:
        return ev.Lease(False, _sq(c[1]), str(c[0]))

    def vip_failed(self, c: list[Any]) -> _Later:
        return _Later(lambda text: ev.VipProblem(text))

    attribute = _noting("attribute")

    # -- retransmissions and notifies ------------------------------------------

    def retransmit(self, c: list[Any]) -> ev.Retransmit:
        return ev.Retransmit(int(c[0]), c[1] == "request", int(c[2]))

    def give_up(self, c: list[Any]) -> _Later:
        count = int(c[0])
        return _Later(lambda text: ev.GiveUp(count, text))

    retransmit_probe = _noting("mobike")

    def notify_error(self, c: list[Token]) -> ev.NotifyError:
        return ev.NotifyError(str(c[0]), child=False)

    def notify_child_error(self, c: list[Token]) -> ev.NotifyError:
        return ev.NotifyError(str(c[0]), child=True)

    def notify_seen(self, c: list[Token]) -> ev.NotifyError:
        return ev.NotifyError(str(c[0]), child=False, error=False)

    # -- daemon --------------------------------------------------------------------

    def daemon_start(self, c: list[Token]) -> ev.Body:
        text = str(c[0])
        if text.startswith("Started"):
            return ev.Note("daemon", text)
        version = None
        if "(strongSwan " in text:
            version = text.split("(strongSwan ", 1)[1].split(",", 1)[0].rstrip(")")
        return ev.DaemonStart(text, version)

    def plugins(self, c: list[Token]) -> ev.Plugins:
        return ev.Plugins(tuple(str(c[0]).split()))

    def pool_added(self, c: list[Token]) -> ev.PoolAdded:
        return ev.PoolAdded(str(c[0])[:-1], str(c[1]), int(c[2]))

    def conn_added(self, c: list[Token]) -> ev.ConnAdded:
        return ev.ConnAdded(str(c[0]).strip())

    daemon_note = _noting("daemon")

    cookie_sent = _noting("cookie")

    diag = _noting("diag")

    swanctl_note = _noting("swanctl")

    # -- the rest of the reference's level 0/1 templates -------------------------

    net_note = _noting("network")

    nat_note = _noting("nat")

    ppk_note = _noting("ppk")

    pool_note = _noting("pool")

    updown_note = _noting("updown")

    vici_note = _noting("vici")


def load_grammar(name: str = "charon.lark") -> str:
    """The text of a grammar: shipped as ``ikelog.grammars`` when installed,
    read from the repository's ``grammars/`` when run from a checkout."""
    try:
        return (resources.files("ikelog.grammars") / name).read_text("utf-8")
    except ModuleNotFoundError:
        source = Path(__file__).resolve().parents[1] / "grammars" / name
        return source.read_text("utf-8")


def compile_grammar(name: str, **options: Any) -> Lark:
    """A LALR parser for a grammar of ``grammars/``.

    Building the parse tables takes most of a second; lark keeps them in a
    cache file (in ``$XDG_CACHE_HOME/ikelog``, else ``~/.cache/ikelog``)
    that it checks against the grammar's hash, so later runs start at
    once. Where no cache folder can be written, the tables are built each
    time.
    """
    text = load_grammar(name)
    return Lark(text, parser="lalr", cache=_cache_file(name, text), **options)


def _cache_file(name: str, text: str) -> str | bool:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    folder = Path(base) / "ikelog"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK):
        return False
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return str(folder / f"{Path(name).stem}-{digest}-lark{lark.__version__}.cache")


# -- caching by shape ---------------------------------------------------------
#
# Most messages differ from an earlier one only in their values: another
# SPI, message ID, address or identity. The first message of each shape is
# parsed by lark with a *recording* transformer, which returns the tree of
# callbacks the parse made instead of calling them. From its tokens we
# build a regex (the literal text between the tokens, each token as its own
# terminal's pattern); a later message matching that regex has the same
# token types in the same places, so the same callbacks, fed its values,
# give its body. The grammar stays the only definition of meaning.


class _Node:
    __slots__ = ("children", "rule")

    def __init__(self, rule: str, children: list[Any]) -> None:
        self.rule = rule
        self.children = children


class _Recorder(Transformer[Token, Any]):
    def __default__(self, data: str, children: list[Any], meta: Any) -> _Node:
        return _Node(data, children)


#: A compiled shape: the regex, the group of each token, the token types
#: and the callback plan (method, [token index | sub-plan]).
_Plan = tuple[Callable[[list[Any]], Any], list[Any]]


class _Shape:
    """A message shape: its regex and the function that builds a body from
    a match, written out from the recorded plan so a message of a known
    shape costs one regex match and the callbacks themselves."""

    __slots__ = ("build", "groups", "plan", "regex", "types")

    def __init__(
        self, regex: re.Pattern[str], groups: list[int], types: list[str], plan: _Plan
    ) -> None:
        self.regex = regex
        self.groups = groups
        self.types = types
        self.plan = plan
        self.build: Callable[[re.Match[str]], Any] = _write_builder(groups, types, plan)


def _write_builder(
    groups: list[int], types: list[str], plan: _Plan
) -> Callable[[re.Match[str]], Any]:
    """The callbacks of ``plan`` written out as one function of a match:
    each token built from its group (without Token's constructor, whose
    positions are not needed), each callback called on its children."""
    names: dict[str, Any] = {"new": str.__new__, "Token": Token}
    body = ["def build(m):"]
    if groups:
        values = ", ".join(f"v{i}" for i in range(len(groups)))
        wanted = ", ".join(str(g) for g in groups)
        trailing = "," if len(groups) == 1 else ""
        body.append(f"    {values}{trailing} = m.group({wanted}){trailing}")
        for i, type_ in enumerate(types):
            body.append(f"    t{i} = new(Token, v{i}); t{i}.type = {type_!r}")

    def call(step: _Plan) -> str:
        method, kids = step
        name = f"f{len(names)}"
        names[name] = method
        args = ", ".join(f"t{k}" if isinstance(k, int) else call(k) for k in kids)
        return f"{name}([{args}])"

    body.append(f"    return {call(plan)}")
    exec("\n".join(body), names)  # source written above from our own plan
    return cast(Callable[[re.Match[str]], Any], names["build"])


_BUILDER = _Builder()
_PARSER = compile_grammar(
    "charon.lark",
    lexer="contextual",
    transformer=_Recorder(),
    maybe_placeholders=False,
)
_PATTERNS = {t.name: t.pattern.to_regexp() for t in _PARSER.terminals}
_SHAPES: dict[tuple[str, str, int], list[_Shape]] = {}

#: How many shapes one bucket may hold before new ones are not kept.
_BUCKET_LIMIT = 64


_KEYWORD = re.compile(r"[A-Za-z_:,.-]+\Z")


def _shape_key(text: str) -> tuple[str, str, int]:
    """Messages that may share a shape share this key: their first two
    words where they are keyword-like (values such as ``eap[3]`` or the
    address of ``<host> is initiating an IKE_SA`` are left out) and the
    number of spaces."""
    first, _, rest = text.partition(" ")
    second = rest[: rest.find(" ")] if " " in rest else rest
    if not _KEYWORD.match(first):
        first = "*"
    if not _KEYWORD.match(second):
        second = "*"
    return first, second, text.count(" ")


def _leaves(node: Any, out: list[Token]) -> None:
    if isinstance(node, _Node):
        for c in node.children:
            _leaves(c, out)
    elif isinstance(node, Token):
        out.append(node)


def _compile(text: str, root: _Node) -> _Shape | None:
    tokens: list[Token] = []
    _leaves(root, tokens)
    tokens.sort(key=lambda t: t.start_pos or 0)
    index = {id(t): i for i, t in enumerate(tokens)}
    parts: list[str] = []
    groups: list[int] = []
    group = 1
    pos = 0
    for tok in tokens:
        start, end = tok.start_pos, tok.end_pos
        if start is None or end is None or start < pos:
            return None
        pattern = _PATTERNS.get(tok.type, re.escape(str(tok)))
        parts.append(re.escape(text[pos:start]))
        parts.append(f"({pattern})")
        groups.append(group)
        group += 1 + re.compile(pattern).groups
        pos = end
    parts.append(re.escape(text[pos:]))

    def plan(node: _Node) -> _Plan:
        method = getattr(_BUILDER, node.rule)
        kids = [
            plan(c) if isinstance(c, _Node) else index[id(c)] for c in node.children
        ]
        return method, kids

    return _Shape(
        re.compile("".join(parts)), groups, [t.type for t in tokens], plan(root)
    )


def _finish(result: Any, text: str) -> ev.Body:
    if isinstance(result, _Later):
        return result.make(text)
    if not isinstance(result, ev.Body):  # a helper rule reached the top
        return ev.Unrecognized(text)
    return result


@lru_cache(maxsize=1 << 14)
def parse_message(text: str) -> ev.Body:
    """Return the body for one message text (without the line's prefix)."""
    if not text or len(text) > MAX_MESSAGE:
        return ev.Unrecognized(text)

    # a known shape: match its regex and replay its callbacks
    key = _shape_key(text)
    bucket = _SHAPES.get(key)
    if bucket:
        for shape in bucket:
            m = shape.regex.fullmatch(text)
            if m is not None:
                return _finish(shape.build(m), text)

    # a new shape: parse, remember, build
    try:
        root = _PARSER.parse(text)
    except LarkError:
        return ev.Unrecognized(text)
    if not isinstance(root, _Node):
        return ev.Unrecognized(text)
    compiled = _compile(text, root)
    if compiled is None:
        return ev.Unrecognized(text)
    bucket = _SHAPES.setdefault(key, [])
    if len(bucket) < _BUCKET_LIMIT:
        bucket.append(compiled)
    return parse_message_with(compiled, text)


def parse_message_with(shape: _Shape, text: str) -> ev.Body:
    m = shape.regex.fullmatch(text)
    if m is None:  # FIXME: cannot happen unless a terminal regex is context-bound
        return ev.Unrecognized(text)
    return _finish(shape.build(m), text)
