"""Who the peer (or this log's daemon) is, from vendor IDs and habits.

Clients leave fingerprints: Windows sends Microsoft vendor IDs, asks for
NBNS/SRV configuration attributes and proposes 3DES/SHA1/MODP_1024 by
default; the strongSwan Android app names itself in the daemon's start
line; NetworkManager names connections by UUID. A platform finding is
information for the ticket, with the advice that platform usually needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import events as ev
from .context import Context, View, evidence
from .model import Finding, Kind, Severity

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_WINDOWS_VID = ("MS NT5", "MS-Negotiation", "MS-MamieExists", "IKE CGA")
_WINDOWS_DEFAULT = "3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"


def platform(ctx: Context) -> Iterator[Finding]:
    """One finding per SA whose peer (or this daemon) is recognized."""
    for d in ctx.events[:50]:
        b = d.body
        if isinstance(b, ev.DaemonStart) and "Android" in b.text:
            yield Finding(
                Kind.PLATFORM,
                Severity.INFO,
                None,
                evidence([d]),
                "this log is from the strongSwan Android app"
                + (f" {b.version}" if b.version else ""),
                "The app proposes current algorithms only (newer versions "
                "dropped MODP_1024, SHA1 and 3DES from their defaults) and "
                "verifies the server certificate against the CA certificates "
                "installed on the phone or imported into the app.",
                "On the server, offer at least one of the app's default "
                "suites (e.g. aes256-sha256-modp2048 or ecp256); give the "
                "phone the CA certificate, not only the server's.",
            )
            break
    for view in ctx.views:
        found = _windows(view) or _network_manager(view)
        if found is not None:
            yield found


def _windows(view: View) -> Finding | None:
    sa = view.sa
    if sa is None:
        return None
    hints: list[ev.Event] = []
    for e in view.of(ev.VendorId, ev.Message, ev.ProposalSelected):
        b = e.body
        if (
            (
                isinstance(b, ev.VendorId)
                and any(v in (b.name or "") for v in _WINDOWS_VID)
            )
            or (
                isinstance(b, ev.Message)
                and b.inbound
                and any(
                    p.startswith("CPRQ(") and (" SRV" in p or "NBNS" in p)
                    for p in b.payloads
                )
            )
            or (isinstance(b, ev.ProposalSelected) and _WINDOWS_DEFAULT in b.proposal)
        ):
            hints.append(e)
    if not hints or sa.role == "initiator":
        return None
    eap = bool(sa.eap)
    pairs = sa.pairs_to_establish
    login = (
        f" It took {pairs} request/response pairs to establish."
        if pairs is not None
        else ""
    )
    return Finding(
        Kind.PLATFORM,
        Severity.INFO,
        view.label,
        evidence(hints[:3]),
        "client looks like Windows' built-in IKEv2 client"
        + (f" ({pairs} pairs to establish)" if pairs is not None else ""),
        "Windows proposes 3DES/SHA1/MODP_1024 unless told otherwise, sends "
        "no AUTH payload when it wants EAP, and asks for NBNS/SRV "
        "attributes. An EAP-MSCHAPv2 login needs 7 request/response pairs "
        "(IKE_SA_INIT, then IKE_AUTH with identity, method, success and "
        "AUTH), a machine-certificate login only 2; large certificate "
        "messages are the usual reason IKE_AUTH never arrives (error 809)."
        + login
        + (" This one uses EAP." if eap else ""),
        "Configure stronger algorithms on the client with PowerShell "
        "(Set-VpnConnectionIPsecConfiguration) and on the server accept them; "
        "enable IKE fragmentation on the server.",
    )


def _network_manager(view: View) -> Finding | None:
    sa = view.sa
    if sa is None or not sa.name or not _UUID.match(sa.name):
        return None
    proof = view.of(ev.IkeSaLine, ev.LocalInitiating)[:1]
    return Finding(
        Kind.PLATFORM,
        Severity.INFO,
        view.label,
        evidence(proof or view.events[:1]),
        "connection started by NetworkManager (connection named by UUID)",
        "NetworkManager's strongSwan and L2TP plugins name the connection "
        "after the NetworkManager profile's UUID. For L2TP/IPsec, the IPsec "
        "part ends with the Quick Mode SA; later failures are in xl2tpd/pppd.",
        "If IPsec is established, look at the xl2tpd/pppd logs next.",
    )
