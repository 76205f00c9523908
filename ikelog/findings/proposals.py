"""Rules about algorithms: proposal mismatches and key exchange retries.

A proposal is a protocol and a list of transforms separated by slashes
(``IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024``). Charon accepts
a received proposal when one configured proposal shares an algorithm of
every transform type with it, so two lists fail to meet when every pair
of proposals lacks some type; naming the type each pair lacks (``key
exchange``) is most of the answer in a ticket. Whether a list is for the
IKE SA or a CHILD SA is its protocol (``IKE:`` or ``ESP:``/``AH:``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .. import events as ev
from ..replay.model import IkeSa
from .context import Context, View
from .model import Finding, Kind, Severity

#: Transform types in the order charon prints them.
TYPES = ("encryption", "integrity", "PRF", "key exchange", "ESN")

_KE_PREFIXES = ("MODP_", "ECP_", "CURVE_", "ECP", "MLKEM", "ML_KEM", "KE", "NTRU")


def transform_type(name: str) -> str:
    """The type of one transform name as strongSwan spells it.

    strongSwan 6 prints the additional key exchanges of RFC 9370 as
    ``KE1_ML_KEM_768``: each is a transform type of its own.
    """
    if len(name) > 3 and name.startswith("KE") and name[2].isdigit() and name[3] == "_":
        return f"additional key exchange {name[2]}"
    if name.startswith("PRF_"):
        return "PRF"
    if name.startswith(_KE_PREFIXES) or name in ("NO_DH",):
        return "key exchange"
    if name in ("NO_EXT_SEQ", "EXT_SEQ"):
        return "ESN"
    if name.startswith(("HMAC_", "AES_XCBC", "AES_CMAC", "AES_128_GMAC", "UNDEFINED")):
        return "integrity"
    return "encryption"


def split(proposal: str) -> dict[str, set[str]]:
    """``IKE:A/B/C`` -> transforms per type."""
    _, _, body = proposal.partition(":")
    out: dict[str, set[str]] = {}
    for name in body.split("/"):
        if name:
            out.setdefault(transform_type(name), set()).add(name)
    return out


def protocol(proposals: list[str]) -> str | None:
    """``IKE``, ``ESP`` or ``AH``: the protocol the proposals are for."""
    for p in proposals:
        proto, sep, _ = p.partition(":")
        if sep and proto:
            return proto.upper()
    return None


_AEAD = ("_GCM_", "_CCM_", "CHACHA20_POLY1305")
_NO_KE = {"NO_DH", "MODP_NONE", "KE_NONE"}


def _aead(encryption: set[str]) -> bool:
    return bool(encryption) and all(any(a in e for a in _AEAD) for e in encryption)


@dataclass(frozen=True, slots=True)
class Gap:
    """One transform type a pair of proposals has no algorithm in common for."""

    type: str
    theirs: tuple[str, ...]
    ours: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"no common {self.type}: peer offers {', '.join(self.theirs) or 'none'}"
            f"; configured {', '.join(self.ours) or 'none'}"
        )


def pair_gaps(
    theirs: dict[str, set[str]],
    ours: dict[str, set[str]],
    *,
    child: bool = False,
    skip_ke: bool = False,
) -> list[Gap]:
    """What keeps one received proposal from one configured proposal.

    As charon selects: every transform type must share an algorithm; a
    type neither side lists is no gap; AEAD encryption needs no integrity
    algorithm; for ESP/AH a key exchange (PFS) only one side lists is a gap
    unless that side also allows none, and ``skip_ke`` (the CHILD SA of
    IKE_AUTH, which negotiates no key exchange) ignores it.
    """
    gaps = []
    types = [t for t in TYPES if t in theirs or t in ours]
    types += sorted(t for t in {*theirs, *ours} if t not in TYPES)
    for t in types:
        a, b = theirs.get(t, set()), ours.get(t, set())
        if a & b or (not a and not b):
            continue
        if t == "integrity" and (
            (not a and _aead(theirs.get("encryption", set())))
            or (not b and _aead(ours.get("encryption", set())))
        ):
            continue
        if (t == "key exchange" and child) and (
            skip_ke or (not a and b & _NO_KE) or (not b and a & _NO_KE)
        ):
            continue
        gaps.append(Gap(t, tuple(sorted(a)), tuple(sorted(b))))
    return gaps


def pairs(
    received: list[str], configured: list[str], *, skip_ke: bool = False
) -> list[tuple[int, int, list[Gap]]]:
    """Every (received, configured) pair, numbered from 1, with its gaps."""
    child = protocol(received + configured) in ("ESP", "AH")
    theirs = [split(p) for p in received]
    ours = [split(p) for p in configured]
    return [
        (i, j, pair_gaps(t, o, child=child, skip_ke=skip_ke))
        for i, t in enumerate(theirs, 1)
        for j, o in enumerate(ours, 1)
    ]


def compare(
    received: list[str], configured: list[str], *, skip_ke: bool = False
) -> list[str]:
    """What keeps two proposal lists apart, proposal by proposal.

    Charon accepts a received proposal only when one configured proposal
    shares an algorithm of every transform type with it, so every pair is
    compared on its own. With one proposal on each side this is one
    sentence per type that has no common algorithm; with more, one line per
    pair (``peer #1 / configured #2: ...``). Empty when a pair matches.
    """
    found = pairs(received, configured, skip_ke=skip_ke)
    if not found or any(not gaps for _, _, gaps in found):
        return []
    if len(found) == 1:
        return [str(g) for g in found[0][2]]
    return [
        f"peer #{i} / configured #{j}: "
        + "; ".join(
            f"no common {g.type} ({', '.join(g.theirs) or 'none'} vs "
            f"{', '.join(g.ours) or 'none'})"
            for g in gaps
        )
        for i, j, gaps in found
    ]


def lacking(
    received: list[str], configured: list[str], *, skip_ke: bool = False
) -> list[str]:
    """The transform types that every pair of proposals lacks."""
    found = pairs(received, configured, skip_ke=skip_ke)
    if not found or any(not gaps for _, _, gaps in found):
        return []
    each = [{g.type for g in gaps} for _, _, gaps in found]
    common = set.intersection(*each)
    order = [*TYPES, *sorted({g.type for _, _, gaps in found for g in gaps})]
    return [t for t in dict.fromkeys(order) if t in common]


def side_by_side(
    received: list[str], configured: list[str], *, skip_ke: bool = False
) -> str:
    """The two lists per transform type, peer left, ours right, for a ticket.

    Rows of a type that no pair of proposals has in common end in
    ``<- no match``; a ``-`` is a type the side does not list.
    """
    theirs = [split(p) for p in received]
    ours = [split(p) for p in configured]
    missing = set(lacking(received, configured, skip_ke=skip_ke))
    rows = [("", "peer proposed", "configured here", "")]
    kinds = [*TYPES, *sorted({t for p in theirs + ours for t in p} - set(TYPES))]
    for t in kinds:
        left = sorted(set().union(*(p.get(t, set()) for p in theirs)))
        right = sorted(set().union(*(p.get(t, set()) for p in ours)))
        if not left and not right:
            continue
        rows.append(
            (t, ", ".join(left) or "-", ", ".join(right) or "-",
             "<- no match" * (t in missing))
        )  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(
        f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}".rstrip()
        for a, b, c, d in rows
    )


_IKE_STAGES = ("IKE_SA_INIT", "ID_PROT", "AGGRESSIVE")


def _stage_of(view: View, e: ev.Event) -> str | None:
    """The exchange a line belongs to: the last message before it."""
    stage = None
    for other in view.events:
        if other is e:
            break
        if isinstance(other.body, ev.Message):
            stage = other.body.exchange
    return stage


def proposal_mismatch(ctx: Context) -> Iterator[Finding]:
    """No proposal chosen, for IKE and for CHILD SAs, on either side."""
    for view in ctx.all_views():
        yield from _no_ike_config(view)
        yield from _mismatch(view)


def _no_ike_config(view: View) -> Iterator[Finding]:
    for e in view.of(ev.PeerCfgProblem):
        text = e.body.text  # type: ignore[attr-defined]
        if not text.startswith("no IKE config found"):
            continue
        hosts = text.removeprefix("no IKE config found for ").partition(",")[0]
        yield Finding(
            Kind.NO_IKE_CONFIG,
            Severity.ERROR,
            view.label,
            view.evidence([e, *_sent_no_prop(view, e)]),
            f"no IKE config for the addresses {hosts}",
            "No connection here accepts IKE from this peer's address to this "
            "local address, so charon answered NO_PROPOSAL_CHOSEN before it "
            "ever compared algorithms. This is not a cipher mismatch.",
            "Check the connection's local_addrs/remote_addrs (left/right in "
            "ipsec.conf) and that the configuration is loaded (swanctl "
            "--load-all); the peer may also be reaching an unexpected address "
            "(NAT, a second interface).",
        )


def _sent_no_prop(view: View, after: ev.Event) -> list[ev.Event]:
    for e in view.of(ev.Message):
        m = e.body
        assert isinstance(m, ev.Message)
        if e.line > after.line and not m.inbound and "NO_PROP" in m.notifies:
            return [e]
    return []


def _mismatch(view: View) -> Iterator[Finding]:
    # what this side refused
    refused = view.of(ev.ProposalNone)
    received_no_prop = [
        e
        for e in view.of(ev.Message)
        if e.body.inbound and "NO_PROP" in e.body.notifies  # type: ignore[attr-defined]
    ]
    notify = [
        e
        for e in view.of(ev.NotifyError)
        if e.body.notify == "NO_PROPOSAL_CHOSEN"  # type: ignore[attr-defined]
    ]
    lists = view.of(ev.ProposalList)
    for e in refused:
        stage = _stage_of(view, e)
        received = _last_list(lists, e, received=True)
        configured = _last_list(lists, e, received=False)
        # the proposals' own protocol says IKE or CHILD SA (an IKE rekey
        # is a CREATE_CHILD_SA too); the exchange only where none is logged
        proto = protocol(received + configured)
        ike = proto == "IKE" if proto else (stage is None or stage in _IKE_STAGES)
        proof = [x for x in lists if x.line <= e.line][-2:]
        yield _local_refusal(view, ike, e, proof, received, configured, stage)
    if refused:
        return
    # what the peer refused
    if received_no_prop or notify:
        first = (received_no_prop or notify)[0]
        stage = _stage_of(view, first)
        ours = _last_list(lists, first, received=False)
        proto = protocol(ours)
        ike = proto == "IKE" if proto else (stage is None or stage in _IKE_STAGES)
        yield _peer_refusal(view, ike, [*received_no_prop, *notify], stage, ours)


def _last_list(lists: list[ev.Event], before: ev.Event, *, received: bool) -> list[str]:
    found: list[str] = []
    for e in lists:
        b = e.body
        assert isinstance(b, ev.ProposalList)
        if e.line <= before.line and b.received == received:
            found = list(b.proposals)
    return found


#: strongSwan's proposal keywords for the transform names it logs
_KEYWORDS = {
    "3DES_CBC": "3des",
    "CHACHA20_POLY1305": "chacha20poly1305",
    "HMAC_MD5_96": "md5",
    "HMAC_SHA1_96": "sha1",
    "HMAC_SHA2_256_128": "sha256",
    "HMAC_SHA2_384_192": "sha384",
    "HMAC_SHA2_512_256": "sha512",
    "AES_XCBC_96": "aesxcbc",
    "AES_CMAC_96": "aescmac",
    "PRF_HMAC_MD5": "prfmd5",
    "PRF_HMAC_SHA1": "prfsha1",
    "PRF_HMAC_SHA2_256": "prfsha256",
    "PRF_HMAC_SHA2_384": "prfsha384",
    "PRF_HMAC_SHA2_512": "prfsha512",
    "PRF_AES128_XCBC": "prfaesxcbc",
    "PRF_AES128_CMAC": "prfaescmac",
    "CURVE_25519": "curve25519",
    "CURVE_448": "curve448",
    "MODP_1024_160": "modp1024s160",
    "MODP_2048_224": "modp2048s224",
    "MODP_2048_256": "modp2048s256",
    "NO_EXT_SEQ": "",
    "EXT_SEQ": "esn",
}
_WEAK = ("3DES", "_MD5", "SHA1", "MODP_768", "MODP_1024", "MODP_1536", "DES_CBC")


def _keyword(name: str) -> str | None:
    """One transform as a proposal keyword (``AES_GCM_16_256`` -> ``aes256gcm16``)."""
    if name in _KEYWORDS:
        return _KEYWORDS[name]
    parts = name.split("_")
    if name.startswith("AES_CBC_") and len(parts) == 3:
        return f"aes{parts[2]}"
    if name.startswith(("AES_GCM_", "AES_CCM_")) and len(parts) == 4:
        return f"aes{parts[3]}{parts[1].lower()}{parts[2]}"
    if name.startswith("MODP_") and len(parts) == 2 and parts[1].isdigit():
        return f"modp{parts[1]}"
    if name.startswith("ECP_") and len(parts) in (2, 3):
        return "ecp" + "".join(parts[1:]).lower()
    if name.startswith("ML_KEM_") and len(parts) == 3:
        return f"mlkem{parts[2]}"
    if name.startswith("KE") and name[2:3].isdigit() and name[3:4] == "_":
        rest = _keyword(name[4:])
        return f"ke{name[2]}_{rest}" if rest else None
    return None


def keywords(proposal: str) -> str | None:
    """A logged proposal as a proposal string for swanctl.conf or ipsec.conf
    (``IKE:AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256`` ->
    ``aes256gcm16-prfsha256-ecp256``), ``None`` where a transform has no
    keyword we know."""
    words = []
    for name in proposal.partition(":")[2].split("/"):
        if not name:
            continue
        word = _keyword(name)
        if word is None:
            return None
        if word:
            words.append(word)
    # a PRF that charon would derive from the integrity algorithm anyway
    words = [w for w in words if not (w.startswith("prf") and w[3:] in words)]
    return "-".join(words) or None


def _weak(proposal: str) -> bool:
    return any(w in proposal for w in _WEAK)


#: what to suggest where the peer's own proposals give nothing usable
_IKE_EXAMPLE = "aes256gcm16-prfsha384-ecp384, aes256-sha256-modp2048"
_ESP_EXAMPLE = "aes256gcm16, aes256-sha256"


def _ke_gap(
    received: list[str], configured: list[str], skip_ke: bool
) -> tuple[str, str] | None:
    """(theirs, ours) key exchange of a CHILD SA mismatch that is about PFS
    alone: in every pair the key exchange is a gap and one side lists none."""
    found = pairs(received, configured, skip_ke=skip_ke)
    if not found or "key exchange" not in lacking(received, configured):
        return None
    gaps = [g for _, _, gs in found for g in gs if g.type == "key exchange"]
    theirs = sorted({x for g in gaps for x in g.theirs})
    ours = sorted({x for g in gaps for x in g.ours})
    if theirs and ours:
        return None
    return ", ".join(theirs), ", ".join(ours)


def _local_refusal(
    view: View,
    ike: bool,
    e: ev.Event,
    proof: list[ev.Event],
    received: list[str],
    configured: list[str],
    stage: str | None = None,
) -> Finding:
    kind = Kind.PROPOSAL_MISMATCH_IKE if ike else Kind.PROPOSAL_MISMATCH_CHILD
    what = "IKE" if ike else "CHILD SA (ESP/AH)"
    skip_ke = not ike and stage == "IKE_AUTH"
    gaps = compare(received, configured, skip_ke=skip_ke)
    missing = lacking(received, configured, skip_ke=skip_ke)
    pfs = None if ike else _ke_gap(received, configured, skip_ke)
    summary = f"no {what} proposal acceptable: we refused the peer's proposals"
    if pfs is not None and not pfs[0]:
        summary += (
            f" (the peer proposes no DH group, i.e. no PFS; ours require {pfs[1]})"
        )
    elif pfs is not None:
        summary += f" (the peer requires PFS with {pfs[0]}; ours have no DH group)"
    elif missing:
        summary += f" (no common {', '.join(missing)})"
    elif gaps:
        found = pairs(received, configured, skip_ke=skip_ke)
        each = [
            f"peer #{i} vs ours #{j} lacks {' and '.join(g.type for g in gs)}"
            for i, j, gs in found
        ]
        more = f"; {len(each) - 4} more pairs" if len(each) > 4 else ""
        summary += f" (no proposal matches as a whole: {'; '.join(each[:4])}{more})"
    explanation = (
        f"The peer proposed {what} algorithms and none of them matches a "
        "configured proposal, so charon answered NO_PROPOSAL_CHOSEN. A "
        "received proposal is accepted only when one configured proposal "
        "shares an algorithm of every transform type with it."
    )
    if received and configured:
        explanation += "\n\n" + side_by_side(received, configured, skip_ke=skip_ke)
        if len(received) * len(configured) > 1 and gaps:
            listed = gaps[:12]
            if len(gaps) > 12:
                listed.append(f"... and {len(gaps) - 12} more pairs")
            explanation += "\n\nProposal by proposal:\n" + "\n".join(listed)
    if not received:
        explanation += (
            " The proposal lists are not in this log (they are logged at "
            "level 1 by the responder only; raise cfg to 1 or 2 to see them)."
        )
    if not ike:
        if skip_ke:
            explanation += (
                "\n\nKey exchange is not compared here: the CHILD SA created "
                "with IKE_AUTH negotiates no DH group (its keys come from the "
                "IKE SA); a DH group in esp_proposals counts only when a "
                "CHILD SA is rekeyed or created with CREATE_CHILD_SA."
            )
        elif pfs is not None:
            explanation += (
                "\n\nA DH group in esp_proposals is what enables PFS; charon "
                "compares it only for a CHILD SA rekeyed or created with "
                "CREATE_CHILD_SA (the CHILD SA of IKE_AUTH negotiates none), "
                "so a PFS mismatch first shows at the first rekey."
            )
    fix = _local_fix(ike, received, pfs)
    return Finding(
        kind, Severity.ERROR, view.label, view.evidence([*proof, e]), summary,
        explanation, fix,
    )  # fmt: skip


def _local_fix(ike: bool, received: list[str], pfs: tuple[str, str] | None) -> str:
    offered = [k for p in received if (k := keywords(p))]
    good = [k for p in received if not _weak(p) and (k := keywords(p))]
    if ike:
        where = (
            "the connection's IKE proposals (swanctl.conf: proposals in "
            "connections.<name>; ipsec.conf: ike=)"
        )
        example = good[0] if good else None
        fallback = _IKE_EXAMPLE
    else:
        where = (
            "the CHILD SA's proposals (swanctl.conf: esp_proposals in "
            "connections.<name>.children.<child>; ipsec.conf: esp=)"
        )
        example = good[0] if good else None
        fallback = _ESP_EXAMPLE
    option = "proposals" if ike else "esp_proposals"
    legacy = "ike" if ike else "esp"
    if pfs is not None:
        theirs, ours = pfs
        base = good[0] if good else "aes256gcm16"
        group = (keywords(f"X:{ours.split(', ')[0]}") or "ecp256") if ours else ""
        if not theirs:
            return (
                f"The peer proposes no DH group (no PFS) while our "
                f"esp_proposals require {ours}. Either enable PFS on the peer: "
                f"add the group to its esp_proposals ({option} = "
                f"{base}-{group}; ipsec.conf: {legacy}={base}-{group}); or "
                "accept CHILD SAs without PFS here by listing a proposal "
                f"without a group as well ({option} = {base}-{group}, {base}). "
                "Adding a DH group to esp_proposals enables PFS; leaving it "
                "out disables it."
            )
        return (
            f"The peer requires PFS with {theirs} and our esp_proposals have "
            "no DH group. Enable PFS here by adding the group "
            f"({option} = {good[0] if good else base}; ipsec.conf: "
            f"{legacy}={good[0] if good else base}), or remove it from the "
            "peer's esp_proposals. A DH group in esp_proposals is what "
            "enables PFS."
        )
    if example is not None:
        return (
            f"Add a proposal the peer offers to {where}, e.g. "
            f"{option} = {example}, default ({legacy}={example} in ipsec.conf), "
            "or make the peer propose one configured here."
        )
    weak = (
        " The peer offers only weak algorithms "
        f"({', '.join(offered) or 'see the table'}): configure a current "
        "suite on the peer rather than accepting them here."
        if received and offered and not good
        else ""
    )
    return (
        f"Configure a proposal both sides have in {where} and on the peer, "
        f"e.g. {option} = {fallback} ({legacy}="
        f"{fallback.replace(', ', ',')} in ipsec.conf)." + weak
    )


def _peer_refusal(
    view: View,
    ike: bool,
    events: list[ev.Event],
    stage: str | None,
    ours: list[str] | None = None,
) -> Finding:
    kind = Kind.PROPOSAL_MISMATCH_IKE if ike else Kind.PROPOSAL_MISMATCH_CHILD
    what = "IKE" if ike else "CHILD SA (ESP/AH)"
    explanation = (
        f"The peer answered {stage or 'the request'} with NO_PROPOSAL_CHOSEN: "
        f"none of the {what} proposals we sent is configured on its side. "
        "Which algorithm is missing shows only in the peer's log (its "
        "'received proposals' and 'configured proposals' lines)."
    )
    sent = f" (here: {', '.join(ours)})" if ours else ""
    if ike:
        fix = (
            f"Compare our IKE proposals{sent} with the peer's and configure a "
            "common one on one side: swanctl.conf proposals (in "
            "connections.<name>) or ipsec.conf ike=, e.g. proposals = "
            f"{_IKE_EXAMPLE} (ike={_IKE_EXAMPLE.replace(', ', ',')}). "
            "Current clients (the strongSwan app among them) no longer "
            "propose MODP_1024, SHA1 or 3DES by default, so an older server "
            "often needs such a suite added."
        )
    else:
        explanation += (
            " A responder also answers NO_PROPOSAL_CHOSEN for a CHILD SA it "
            "accepted but could not install in its kernel, so check the "
            "peer's log for 'unable to install' before changing algorithms."
        )
        fix = (
            f"Compare our esp_proposals{sent} (swanctl.conf, in "
            "connections.<name>.children.<child>; ipsec.conf esp=) with the "
            "peer's and configure a common one, e.g. esp_proposals = "
            f"{_ESP_EXAMPLE} (esp={_ESP_EXAMPLE.replace(', ', ',')}). "
        )
        if stage == "IKE_AUTH":
            fix += (
                "The CHILD SA of IKE_AUTH negotiates no DH group, so only "
                "encryption, integrity and ESN can differ here; a DH group "
                "in esp_proposals (PFS) counts from the first rekey."
            )
        else:
            fix += (
                "A DH group in esp_proposals enables PFS for CREATE_CHILD_SA; "
                "both sides must list the same group, or both none."
            )
    return Finding(
        kind,
        Severity.ERROR,
        view.label,
        view.evidence(events),
        f"peer refused our {what} proposals (NO_PROPOSAL_CHOSEN)",
        explanation,
        fix.rstrip(),
    )


def invalid_ke(ctx: Context) -> Iterator[Finding]:
    """INVALID_KE_PAYLOAD round trips: benign once, a loop when repeated.

    A responder keeps no state for an INVALID_KE_PAYLOAD answer: its IKE SA
    ends there and the initiator's retry arrives as a new IKE SA from the
    same address and port. The same refusal twice within one SA, or again
    on the retry, is a loop; one refusal is the normal first half of a
    retry.
    """
    position = {id(v): n for n, v in enumerate(ctx.views)}
    # (retrying view, offered, requested) refused once already
    repeated: set[tuple[int, str, str]] = set()
    for view in ctx.all_views():
        rejects = view.of(ev.KeMethodRejected)
        for e in rejects:
            k = e.body
            assert isinstance(k, ev.KeMethodRejected)
            again = (id(view), k.offered, k.requested) in repeated or (
                sum(1 for x in rejects if x.body == k) > 1
            )
            retry = None
            if k.local_rejects and view.role == "responder" and id(view) in position:
                retry = _retry(ctx, position[id(view)])
            if retry is not None and any(
                x.body == k for x in retry.of(ev.KeMethodRejected)
            ):
                repeated.add((id(retry), k.offered, k.requested))
            yield _ke_finding(view, e, k, again, _name(retry))


#: How soon (in seconds) after a refusal the initiator's retry must come.
RETRY_WITHIN = 60


def _first_remote(sa: IkeSa) -> str | None:
    """The peer's endpoint when the SA began (before NAT-T or MOBIKE moves)."""
    if sa.endpoint_changes:
        return sa.endpoint_changes[0][1]
    return sa.remote


def _name(view: View | None) -> str | None:
    """How a finding names another IKE SA: its label, or where it starts
    when the log never shows its unique id."""
    sa = view.sa if view is not None else None
    if sa is None:
        return None
    if sa.unique_id is None and sa.first_line is not None:
        return f"the IKE SA of line {sa.first_line}"
    return sa.label


def _retry(ctx: Context, n: int) -> View | None:
    """The IKE SA that retried the refused one, ``ctx.views[n]``: the next
    one started with us from the same endpoint, soon after."""
    first = ctx.views[n].sa
    endpoint = _first_remote(first) if first is not None else None
    if first is None or endpoint is None:
        return None
    for view in ctx.views[n + 1 :]:
        sa = view.sa
        if sa is None:
            continue
        gap = (
            (sa.first_ts - first.last_ts).total_seconds()
            if first.last_ts and sa.first_ts
            else 0.0
        )
        if gap > RETRY_WITHIN:
            return None
        if view.role == "responder" and _first_remote(sa) == endpoint:
            return view
    return None


def _ke_finding(
    view: View,
    e: ev.Event,
    k: ev.KeMethodRejected,
    loop: bool,
    retry: str | None = None,
) -> Finding:
    related = [e]
    for x in view.of(ev.Message, ev.Note):
        b = x.body
        if isinstance(b, ev.Message) and b.exchange == "IKE_SA_INIT":
            if "INVAL_KE" in b.notifies or (
                x.line > e.line and b.is_request and not b.inbound
            ):
                related.append(x)
        elif (
            isinstance(b, ev.Note)
            and b.what == "proposal"
            and "doesn't match" in (b.text)
        ):
            related.append(x)
    related = [x for x in related if abs(x.line - e.line) <= 6]
    who = "we" if k.local_rejects else "the peer"
    if loop:
        return Finding(
            Kind.INVALID_KE_LOOP,
            Severity.ERROR,
            view.label,
            view.evidence(related),
            f"INVALID_KE_PAYLOAD loop: {k.requested} requested again "
            f"instead of {k.offered}",
            f"{who.capitalize()} asked for key exchange method {k.requested} "
            "more than once for the same offer. The initiator keeps sending a "
            f"KE payload for {k.offered}, or the group it retries with is not "
            "in its own proposals, so the SA never gets past IKE_SA_INIT.",
            f"Put {k.requested} first in the initiator's proposals (or remove "
            f"{k.offered} from it), or allow {k.offered} on the responder.",
        )
    topic = (
        f"key exchange retried: {who} refused {k.offered} and asked for "
        f"{k.requested} (benign once)"
    )
    explanation = (
        "The initiator guesses a key exchange method for its first KE payload; "
        "when the responder selected a different one from the proposals, it "
        "answers INVALID_KE_PAYLOAD naming the method it wants and the "
        "initiator restarts IKE_SA_INIT with it. It costs one round trip."
    )
    responder = k.local_rejects and view.role == "responder"
    if responder:
        explanation += (
            " This IKE SA is the first half of such a retry: a responder "
            "keeps no state for its INVALID_KE_PAYLOAD answer, so the SA "
            "ends there (that is why it shows as failed), and the "
            f"initiator's second IKE_SA_INIT, with {k.requested}, starts a "
            "new IKE SA."
        )
        if retry is None:
            explanation += (
                " That retry is not in these lines: the excerpt ends first, "
                "or the initiator gave up."
            )
    return Finding(
        Kind.INVALID_KE,
        Severity.INFO,
        view.label,
        view.evidence(related),
        topic + (f"; the retry is {retry}" if retry is not None else ""),
        explanation,
        f"Nothing to fix. To save the round trip, list {k.requested} first in "
        "the initiator's proposals.",
        topic=topic,
    )
