"""Who the peer (or this log's daemon) is, from vendor IDs and habits.

Clients leave fingerprints: Windows sends Microsoft vendor IDs, asks for
NBNS/SRV configuration attributes and proposes 3DES/SHA1/MODP_1024 by
default; Apple's client asks for DHCP and netmask attributes and says it
cannot pad ESP; the strongSwan Android app names itself in the daemon's
start line or loads its own plugins (androidbridge, android-log);
charon-nm (NetworkManager's strongSwan plugin) has a start line of its own
and names SAs after the connection's name; NetworkManager's L2TP plugin
names connections by UUID. A selected proposal alone names no client. A
platform finding is information for the ticket, with the advice that
platform usually needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast

from .. import events as ev
from ..replay.model import IkeSa
from .context import Context, View
from .model import Finding, Kind, Severity

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_WINDOWS_VID = ("MS NT5", "MS-Negotiation", "MS-MamieExists", "IKE CGA")
_WINDOWS_DEFAULT = "3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"


def platform(ctx: Context) -> Iterator[Finding]:
    """One finding per SA whose peer (or this daemon) is recognized."""
    yield from _daemon(ctx)
    for view in ctx.views:
        found = (
            _windows(view)
            or _apple(view)
            or _network_manager(view)
            or _strongswan(view)
        )
        if found is not None:
            yield found


#: Plugins only the strongSwan Android app's daemon loads (its start line
#: names Android only in newer versions).
_ANDROID_PLUGINS = ("androidbridge", "android-log")


def _daemon(ctx: Context) -> Iterator[Finding]:
    """The daemon that wrote this log, where it names itself: the strongSwan
    Android app (its start line or its plugins) or charon-nm, the daemon of
    NetworkManager's strongSwan plugin (its own start line)."""
    android: list[ev.Event] = []
    nm: list[ev.Event] = []
    version: str | None = None
    for d in ctx.events[:50]:
        b = d.body
        if isinstance(b, ev.DaemonStart):
            if "NetworkManager backend" in b.text:
                nm.append(d)
            elif "Android" in b.text:
                android.append(d)
            else:
                continue
            version = version or b.version
        elif isinstance(b, ev.Plugins) and any(p in b.names for p in _ANDROID_PLUGINS):
            android.append(d)
    if android:
        start = next(
            (e for e in ctx.events[:50] if isinstance(e.body, ev.DaemonStart)), None
        )
        version = cast(ev.DaemonStart, start.body).version if start else version
        yield Finding(
            Kind.PLATFORM,
            Severity.INFO,
            None,
            ctx.evidence([*android, *([start] if start else [])]),
            "this log is from the strongSwan Android app"
            + (f" {version}" if version else ""),
            "The app proposes current algorithms only (newer versions "
            "dropped MODP_1024, SHA1 and 3DES from their defaults) and "
            "verifies the server certificate against the CA certificates "
            "installed on the phone or imported into the app.",
            "On the server, offer at least one of the app's default "
            "suites, e.g. proposals = aes256-sha256-modp2048,"
            "aes256gcm16-prfsha256-ecp256 in swanctl.conf (ike= in "
            "ipsec.conf); give the phone the CA certificate, not only the "
            "server's.",
        )
    elif nm:
        asked = ctx.of(ev.ConfigInitiating)[:2]
        names = list(
            dict.fromkeys(cast(ev.ConfigInitiating, e.body).name for e in asked)
        )
        yield Finding(
            Kind.PLATFORM,
            Severity.INFO,
            None,
            ctx.evidence([*nm[:1], *asked]),
            "this log is from charon-nm, NetworkManager's strongSwan plugin"
            + (f" {version}" if version else ""),
            "charon-nm is a client only. It takes its whole configuration "
            "from the NetworkManager connection and reads no swanctl.conf or "
            "ipsec.conf, and it names the IKE and CHILD SAs after the "
            "connection's name as shown in NetworkManager"
            + (f" ({', '.join(repr(n) for n in names)})" if names else "")
            + ", not its UUID. Without a certificate set in the connection, "
            "it trusts the CA certificates of its CA directory "
            "(charon-nm.ca_dir).",
            "Change settings in the NetworkManager connection (nm-connection-"
            "editor or nmcli), not in swanctl.conf or ipsec.conf; see "
            "charon-nm's lines in the journal (journalctl -t charon-nm).",
        )


#: IKE proposals Windows offers by default, as charon logs them (Windows 10
#: and 11, two orders seen): only MODP_1024, 3DES and AES-CBC, each with
#: SHA1, SHA2-256 and SHA2-384, the weak suite first.
_WINDOWS_OFFER = {
    f"IKE:{enc}/{integ}/{prf}/MODP_1024"
    for enc in ("3DES_CBC", "AES_CBC_128", "AES_CBC_192", "AES_CBC_256")
    for integ, prf in (
        ("HMAC_SHA1_96", "PRF_HMAC_SHA1"),
        ("HMAC_SHA2_256_128", "PRF_HMAC_SHA2_256"),
        ("HMAC_SHA2_384_192", "PRF_HMAC_SHA2_384"),
    )
}


def _windows_offer(b: ev.ProposalList) -> bool:
    """Whether received IKE proposals are Windows' default list: the weak
    suite first, then only suites of that list, 3DES with SHA2-384 among
    them (no other client offers that)."""
    ike = [p for p in b.proposals if p.startswith("IKE:")]
    return (
        b.received
        and len(ike) >= 3
        and ike[0] == f"IKE:{_WINDOWS_DEFAULT}"
        and set(ike) <= _WINDOWS_OFFER
        and "IKE:3DES_CBC/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/MODP_1024" in ike
    )


def _windows_hint(b: ev.Body) -> bool:
    """Whether a line shows Windows itself: a Microsoft vendor ID, the NBNS
    or SRV attributes it asks for, or its default proposal list. The
    proposal a responder selected is no such sign: any peer may offer it."""
    if isinstance(b, ev.VendorId):
        return any(v in (b.name or "") for v in _WINDOWS_VID)
    if isinstance(b, ev.Message):
        return b.inbound and any(
            p.startswith("CPRQ(") and (" SRV" in p or "NBNS" in p) for p in b.payloads
        )
    return isinstance(b, ev.ProposalList) and _windows_offer(b)


def _windows(view: View) -> Finding | None:
    sa = view.sa
    if sa is None:
        return None
    hints = [
        e
        for e in view.of(ev.VendorId, ev.Message, ev.ProposalList)
        if _windows_hint(e.body)
    ]
    # charon's own IKE_SA_INIT is stronger evidence than habits another
    # client may share; only a Microsoft vendor ID outweighs it
    if (
        hints
        and _charon_proof(view)
        and not any(isinstance(e.body, ev.VendorId) for e in hints)
    ):
        return None
    if not hints or sa.role == "initiator":
        return None
    eap = bool(sa.eap)
    pairs = sa.pairs_to_establish
    weak = _weak(sa)
    fragmented = [
        x for x in sa.exchanges if x.request_fragments or x.response_fragments
    ]
    explanation = (
        "Windows proposes 3DES/SHA1/MODP_1024 unless told otherwise, sends "
        "no AUTH payload when it wants EAP, and asks for NBNS/SRV "
        "attributes. An EAP-MSCHAPv2 login takes 6 request/response pairs "
        "(IKE_SA_INIT; IKE_AUTH with the IDs, the EAP identity, the "
        "challenge, the success and the AUTH), one more for each EAP method "
        "Windows refuses first; a machine-certificate login takes 2. Large "
        "certificate messages are the usual reason IKE_AUTH never arrives "
        "(error 809)."
    )
    if pairs is not None:
        refused = [r.method for r in sa.eap if r.result == "nak"]
        explanation += f" This login took {pairs}" + (
            f" (Windows refused {', '.join(refused)} first)." if refused else "."
        )
    explanation += " This one uses EAP." if eap else ""
    advice: list[str] = []

    # algorithms: advise only when the log shows the weak defaults in use
    if sa.proposal:
        explanation += f" This session uses {sa.proposal}" + (
            f", with the weak {weak}." if weak else ", not the weak defaults."
        )
    elif weak:
        explanation += f" The client proposed the weak {weak}."
    if weak:
        advice.append(
            "Configure stronger algorithms on the client with PowerShell "
            "(Set-VpnConnectionIPsecConfiguration) and accept them on the "
            "server, then drop the weak proposal."
        )

    # fragmentation: say it worked, or advise it where IKE_AUTH got lost
    worked = False
    if fragmented:
        x = fragmented[0]
        count = x.request_fragments or x.response_fragments
        side = "request" if x.request_fragments else "response"
        worked = x.response is not None
        explanation += (
            f" IKE fragmentation was used ({x.type} {side} in {count} "
            "fragments)" + (" and worked." if worked else ".")
        )
        if not worked and x.request_fragments and x.request is not None:
            # this is the server's log: the request got here whole
            explanation += (
                f" The fragmented {x.type} request arrived and was "
                "reassembled; the log does not show the server's answer "
                "(the excerpt may end here)."
            )
    elif not view.established and not any(
        x.type == "IKE_AUTH" and x.request is not None for x in sa.exchanges
    ):
        advice.append(
            "The client's IKE_AUTH never arrived: check that UDP 4500 passes "
            "between client and server (NAT-T), and that the client's large "
            "IKE_AUTH is not dropped as IP fragments on the way."
        )
    good = [
        said
        for said, on in (
            (
                "the algorithms are not the weak defaults",
                bool(sa.proposal) and not weak,
            ),
            ("IKE fragmentation worked", worked),
        )
        if on
    ]
    fix = " ".join(advice) or "Nothing to fix" + (
        f": {' and '.join(good)}." if good else "."
    )
    return Finding(
        Kind.PLATFORM,
        Severity.INFO,
        view.label,
        view.evidence(hints[:3]),
        "client looks like Windows' built-in IKEv2 client"
        + (f" ({pairs} pairs to establish)" if pairs is not None else ""),
        explanation,
        fix,
        topic="client looks like Windows' built-in IKEv2 client",
    )


#: The start of the IKE_SA_INIT request of Apple's client (macOS, iOS):
#: REDIRECT support announced before the NAT detection notifies.
_APPLE_INIT = ("SA", "KE", "No", "N(REDIR_SUP)", "N(NATD_S_IP)", "N(NATD_D_IP)")


def _apple_hint(b: ev.Body) -> bool:
    """Whether a message is one only Apple's IKEv2 client sends.

    Three habits, each seen in every public gateway log of an iPhone, iPad
    or Mac we know of, and in no Windows, Android or strongSwan log:
    IKE_AUTH says it cannot use TFC padding and supports only first
    fragments (``N(ESP_TFC_PAD_N) N(NON_FIRST_FRAG)``); the configuration
    request asks for DHCP and the netmask (Windows asks for NBNS and SRV,
    strongSwan for addresses and DNS only); IKE_SA_INIT announces REDIRECT
    support right after the nonce, with no vendor ID and no HASH_ALG.
    """
    if not isinstance(b, ev.Message) or not b.inbound or not b.is_request:
        return False
    payloads = b.payloads
    if b.exchange == "IKE_AUTH":
        if "N(ESP_TFC_PAD_N)" in payloads and "N(NON_FIRST_FRAG)" in payloads:
            return True
        return any(
            p.startswith("CPRQ(")
            and {"DHCP", "MASK"} <= set(p[5:-1].split())
            and "NBNS" not in p
            for p in payloads
        )
    return (
        b.exchange == "IKE_SA_INIT"
        and _without_cookie(payloads)[: len(_APPLE_INIT)] == _APPLE_INIT
        and "N(HASH_ALG)" not in payloads
        and "V" not in payloads
    )


def _apple(view: View) -> Finding | None:
    sa = view.sa
    if sa is None or sa.role == "initiator":
        return None
    hints = [e for e in view.of(ev.Message) if _apple_hint(e.body)]
    if not hints:
        return None
    explanation = (
        "Apple's built-in client (macOS, iOS, iPadOS) announces REDIRECT "
        "support first in IKE_SA_INIT, asks for DHCP, netmask and DNS "
        "domain attributes and declines TFC padding. It checks the server's "
        "certificate against the Remote ID set on the device (a "
        "subjectAltName of that certificate) and a CA the device trusts. "
        "Set to 'Username' it sends no AUTH payload and expects EAP "
        "(MSCHAPv2): 'peer requested EAP' is expected. Configured in "
        "Settings it proposes AES-256-CBC/SHA2-256/MODP_2048 first; a "
        "configuration profile (.mobileconfig) sets other proposals."
    )
    advice: list[str] = []
    unknown = [
        e
        for e in view.of(ev.Note)
        if cast(ev.Note, e.body).text.startswith("unknown attribute type")
    ]
    if unknown:
        explanation += (
            " 'unknown attribute type' is benign here: charon does not know "
            "one attribute the device asks for (the DNS domain) and leaves "
            "it unanswered."
        )
    flavour = _apple_flavour(sa.received_proposals)
    if flavour:
        explanation += " " + flavour
    if sa.proposal:
        explanation += f" This session uses {sa.proposal}."
        if sa.proposal.endswith("/MODP_1536"):
            advice.append(
                "Prefer modp2048 or ecp256 on the server: Apple's MODP_1536 "
                "is known to fail with strongSwan."
            )
    elif sa.received_proposals and not view.established:
        advice.append(
            "Offer one of the device's proposals on the server (Settings: "
            "aes256-sha256-modp2048), or install a profile whose "
            "IKESecurityAssociationParameters the server accepts."
        )
    if not view.established and any(
        x.type == "IKE_AUTH" and x.initiator == "remote" for x in sa.exchanges
    ):
        advice.append(
            "If the device reports a failed server authentication, make its "
            "Remote ID a subjectAltName of the server certificate and "
            "install the issuing CA on the device."
        )
    silent = _cert_not_sent(view)
    if silent is not None:
        explanation += (
            " The device sent no certificate request, and this gateway "
            "authenticated with a public key but sent no certificate: "
            "strongSwan sends its certificate only when asked (send_cert = "
            "ifasked), so the device cannot verify the server."
        )
        advice.insert(
            0,
            "Set send_cert = always in the connection (leftsendcert=always "
            "in ipsec.conf), or set ServerCertificateIssuerCommonName in the "
            "device's profile so that it asks for the certificate.",
        )
    fix = " ".join(advice) or "Nothing to fix for this client."
    evidence = (hints + unknown)[:3] + ([silent] if silent is not None else [])
    return Finding(
        Kind.PLATFORM,
        Severity.WARNING if silent is not None else Severity.INFO,
        view.label,
        view.evidence(evidence),
        "client looks like Apple's built-in IKEv2 client (macOS/iOS)",
        explanation,
        fix,
        topic="client looks like Apple's built-in IKEv2 client (macOS/iOS)",
    )


#: The IKE proposals iOS and iPadOS send when set up in Settings (as
#: strongSwan's interoperability notes list them for iOS 16.5); only iOS
#: offers ECP_256 by default, macOS does not.
_IOS_DEFAULT = (
    "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048",
    "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256",
    "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1536",
    "IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
    "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
)


def _apple_flavour(received: list[str]) -> str | None:
    """iOS or macOS, where the offered IKE proposals tell them apart."""
    ike = [p for p in received if p.startswith("IKE:")]
    if not ike:
        return None
    if tuple(ike) == _IOS_DEFAULT:
        return (
            "Its IKE proposals are iOS's defaults, so this is an iPhone or "
            "iPad set up in Settings."
        )
    if any(p.endswith("/ECP_256") for p in ike):
        return "It offers ECP_256, which by default only iOS does, not macOS."
    if ike[0] == _IOS_DEFAULT[0]:
        return (
            "It offers no ECP_256, as macOS does by default (iOS would), "
            "unless a profile sets the proposals."
        )
    return "Its IKE proposals are not the Settings defaults: a profile sets them."


_NOT_SIGNED = re.compile(r"pre-shared|EAP|NULL", re.IGNORECASE)


def _cert_not_sent(view: View) -> ev.Event | None:
    """The gateway's IKE_AUTH response that lacks a certificate the device
    needed: no CERTREQ came, and we signed with a key rather than a PSK."""
    sa = view.sa
    if sa is None:
        return None
    for x in sa.exchanges:
        if x.type != "IKE_AUTH" or x.initiator != "remote":
            continue
        if x.request is None or x.response is None or "CERTREQ" in x.request:
            return None
        if "CERT" in x.response or "AUTH" not in x.response:
            return None
        signed = any(
            b.myself and b.method and not _NOT_SIGNED.search(b.method)
            for b in (cast(ev.AuthResult, e.body) for e in view.of(ev.AuthResult))
        )
        if not signed:
            return None
        return next((e for e in view.of(ev.Message) if e.line == x.response_line), None)
    return None


#: Transforms of Windows' default proposal that are weak today.
_WEAK = ("3DES_CBC", "HMAC_SHA1_96", "PRF_HMAC_SHA1", "MODP_1024")


def _weak(sa: IkeSa) -> str | None:
    """The weak transforms of the SA's proposal ("3DES_CBC, MODP_1024"), or
    of the peer's proposals when none was selected; ``None`` if none."""
    chosen = [sa.proposal] if sa.proposal else sa.received_proposals
    names = {t for p in chosen for t in p.partition(":")[2].split("/")}
    found = [w for w in _WEAK if w in names]
    return ", ".join(found) or None


#: How charon itself orders the first payloads of its IKE_SA_INIT request.
_CHARON_INIT = ("SA", "KE", "No", "N(NATD_S_IP)", "N(NATD_D_IP)", "N(FRAG_SUP)")


def _without_cookie(payloads: tuple[str, ...]) -> tuple[str, ...]:
    """A request sent again with the COOKIE it was asked for comes first
    with it (RFC 7296 2.6); the rest is in the sender's own order."""
    return payloads[1:] if payloads[:1] == ("N(COOKIE)",) else payloads


def _charon_proof(view: View) -> list[ev.Event]:
    """The first line showing the peer is charon: its vendor ID, or its
    IKE_SA_INIT request in charon's payload order with N(HASH_ALG)."""
    return [
        e
        for e in view.of(ev.VendorId, ev.Message)
        if (isinstance(e.body, ev.VendorId) and e.body.name == "strongSwan")
        or (
            isinstance(e.body, ev.Message)
            and e.body.inbound
            and e.body.is_request
            and e.body.exchange == "IKE_SA_INIT"
            and _without_cookie(e.body.payloads)[: len(_CHARON_INIT)] == _CHARON_INIT
            and "N(HASH_ALG)" in e.body.payloads
        )
    ][:1]


def _strongswan(view: View) -> Finding | None:
    """A peer that is itself charon: its vendor ID, or the payload order
    of its IKE_SA_INIT request."""
    if view.sa is None:
        return None
    proof = _charon_proof(view)
    if not proof:
        return None
    return Finding(
        Kind.PLATFORM,
        Severity.INFO,
        view.label,
        view.evidence(proof),
        "the peer runs strongSwan (Linux, the Android app, NetworkManager, "
        "or a phone's built-in client based on it)",
        "Its IKE_SA_INIT carries charon's own payload order (or its vendor "
        "ID); some Android phones' built-in IKEv2 clients (Samsung's) send "
        "the very same. strongSwan clients log on their side too: their "
        "charon log shows the same SA from the other end.",
        "Compare with the client's log (ikelog analyze gateway.log "
        "client.log pairs the SAs and shows both ends side by side).",
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
        view.evidence(proof or view.events[:1]),
        "connection started by NetworkManager's L2TP plugin (connection named by UUID)",
        "NetworkManager's L2TP plugin (NetworkManager-l2tp) names the IPsec "
        "connection it writes for charon after the NetworkManager profile's "
        "UUID; its strongSwan plugin (charon-nm) would use the profile's "
        "name instead. For L2TP/IPsec, the IPsec part ends with the Quick "
        "Mode SA; later failures are in xl2tpd/pppd.",
        "If IPsec is established, look at the xl2tpd/pppd logs next.",
    )
