"""Rules about authentication: PSKs, EAP, certificates, peer configs.

Every authentication failure says which side rejected whom: ``we`` are
the daemon that wrote the log. strongSwan's names follow the same view:
``peer-auth-failed`` when we could not verify the peer,
``local-auth-failed`` when the peer did not accept us (it sent
AUTHENTICATION_FAILED in answer to our AUTH).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import events as ev
from .context import Context, View
from .model import Finding, Kind, Severity

_CANDIDATE = re.compile(r'peer config "(?P<name>[^"]*)", ike match: (?P<score>\d+)')
_ID_MATCH = re.compile(
    r"(?P<side>local|remote) id match: (?P<score>\d+) \((?P<type>\w+): ?(?P<v>.*)\)"
)


def _auth_failed_notifies(view: View, *, inbound: bool) -> list[ev.Event]:
    return [
        e
        for e in view.of(ev.Message)
        if e.body.inbound == inbound  # type: ignore[attr-defined]
        and "AUTH_FAILED" in e.body.notifies  # type: ignore[attr-defined]
    ]


def _notify_errors(view: View, name: str) -> list[ev.Event]:
    return [e for e in view.of(ev.NotifyError) if e.body.notify == name]  # type: ignore[attr-defined]


def authentication(ctx: Context) -> Iterator[Finding]:
    """EAP, certificates, PSKs and AUTHENTICATION_FAILED, per SA."""
    for view in ctx.all_views():
        found = list(_eap(view)) or list(_certs(view)) or list(_psk(view))
        yield from found
        if not found:
            yield from _auth_failed(ctx, view)
        yield from _no_peer_config(view)
        yield from _benign(view)


# -- EAP ------------------------------------------------------------------------


#: EAP steps that end a conversation in failure, and those that refuse a method
_FAILED = frozenset({"failure", "verify_failed", "nak_failure"})
_NAKS = frozenset({"nak", "nak_sent", "nak_failure"})


def _eap(view: View) -> Iterator[Finding]:
    steps = [e for e in view.of(ev.EapStep)]
    failures = [
        e
        for e in steps
        if e.body.step in _FAILED  # type: ignore[attr-defined]
    ]
    if not failures:
        return
    naks = [e for e in steps if e.body.step in _NAKS]  # type: ignore[attr-defined]
    notes = [
        e
        for e in view.of(ev.AuthProblem)
        if e.body.what in ("eap_key", "msk")  # type: ignore[attr-defined]
    ]
    proof = [*naks, *failures, *notes]
    proof += _auth_failed_notifies(view, inbound=True)
    proof += _auth_failed_notifies(view, inbound=False)
    texts = " ".join(e.body.text or "" for e in failures)  # type: ignore[attr-defined]
    user = view.sa.eap_identity if view.sa is not None else None
    who = f" for '{user}'" if user else ""
    switched = (
        any(
            e.body.step == "success" and e.line > naks[-1].line  # type: ignore[attr-defined]
            for e in steps
        )
        if naks
        else False
    )
    if any(_is_nak_failure(e) for e in failures) or (naks and not switched):
        yield Finding(
            Kind.EAP_FAILURE,
            Severity.ERROR,
            view.label,
            view.evidence(proof),
            f"EAP failed{who}: the client refused the offered EAP method (NAK) "
            "and no other method was left",
            "The server started an EAP method the client does not support; "
            "the client answered with an EAP NAK. A NAK is normal when the "
            "server can then switch to another method (eap-dynamic), but here "
            "the server had none to offer and sent EAP_FAILURE.",
            "Configure a method both sides support (e.g. auth = eap-mschapv2 "
            "on the server), or load the eap-dynamic plugin with several "
            "methods, or install the missing EAP plugin on the client.",
        )
        return
    wrong = "MS-CHAPv2" in texts or "AUTHENTICATION_FAILURE" in texts
    side = "server" if view.role == "responder" else "client"
    yield Finding(
        Kind.EAP_FAILURE,
        Severity.ERROR,
        view.label,
        view.evidence(proof),
        (
            f"EAP authentication failed{who}: wrong user name or password"
            if wrong
            else f"EAP authentication failed{who}"
        ),
        (
            f"This log is the {side}'s. The EAP-MSCHAPv2 exchange reached the "
            "password check and the server refused the client's response: "
            "the password (or the user name it is stored under) does not "
            "match the EAP secret on the server. The client then reports "
            "AUTHENTICATION_FAILED and the IKE SA is torn down."
            if wrong
            else f"This log is the {side}'s. The EAP method ended in failure, "
            "so the IKE SA could not be authenticated."
        ),
        (
            "Check the EAP secret on the server (secrets { eap-... { id = "
            "<user>, secret = ... } }) against the password entered on the "
            "client; the identity the client sends (EAP identity) must be the "
            "id the secret is stored under."
            if wrong
            else "Check the EAP method and credentials on both sides; the "
            "server's log has the reason."
        ),
    )


def _is_nak_failure(e: ev.Event) -> bool:
    b = e.body
    return isinstance(b, ev.EapStep) and b.method == "EAP_NAK"


# -- certificates ---------------------------------------------------------------


def _certs(view: View) -> Iterator[Finding]:
    problems = view.of(ev.AuthProblem)
    cert = [e for e in problems if e.body.what == "cert"]  # type: ignore[attr-defined]
    pubkey = [e for e in problems if e.body.what == "pubkey_missing"]  # type: ignore[attr-defined]
    if not cert and not pubkey:
        return
    sent = _auth_failed_notifies(view, inbound=False)
    received = view.of(ev.CertExchanged)
    proof = [*cert, *pubkey, *sent]
    texts = " ".join(e.body.text for e in cert)  # type: ignore[attr-defined]
    ident = _quoted(pubkey[0].body.text, "'") if pubkey else None  # type: ignore[attr-defined]
    subject = _quoted(received[0].body.subject, '"') if received else None  # type: ignore[attr-defined]
    if "certificate invalid" in texts or "expired" in texts:
        yield Finding(
            Kind.CERT_EXPIRED,
            Severity.ERROR,
            view.label,
            view.evidence(proof),
            "the peer's certificate is outside its validity period",
            "A certificate in the chain is not yet valid or has expired "
            "(the line gives its validity dates), so the peer's signature "
            "could not be trusted.",
            "Renew the certificate (or fix the clock of the side that checks "
            "it) and reload credentials.",
        )
        return
    if "constraint check failed" in texts:
        yield Finding(
            Kind.CERT_ID_MISMATCH,
            Severity.ERROR,
            view.label,
            view.evidence(proof),
            "the peer's identity does not match its certificate",
            "The identity the peer sent (or the one configured for it) is not "
            "contained in its certificate's subject or subjectAltNames.",
            "Use an identity that appears in the certificate (remote.id / "
            "rightid), or reissue the certificate with a matching "
            "subjectAltName.",
        )
        return
    untrusted = "no issuer certificate found" in texts
    self_signed = False
    for e in cert:
        t = e.body.text  # type: ignore[attr-defined]
        if "issuer is" in t and subject and subject in t:
            self_signed = True
    if untrusted or self_signed:
        issuer = next(
            (
                _quoted(e.body.text, '"')  # type: ignore[attr-defined]
                for e in cert
                if "issuer is" in e.body.text  # type: ignore[attr-defined]
            ),
            None,
        )
        yield Finding(
            Kind.CERT_UNTRUSTED,
            Severity.ERROR,
            view.label,
            view.evidence(proof),
            "we do not trust the peer's certificate: no issuer (CA) "
            "certificate found" + (f" for {issuer}" if issuer else ""),
            "We received the peer's end-entity certificate"
            + (f" ({subject})" if subject else "")
            + " but have no CA certificate that issued it"
            + (f" (issuer {issuer})" if issuer else "")
            + ", so there is no trusted public key for the peer's identity"
            + (f" '{ident}'" if ident else "")
            + " and we rejected it (AUTHENTICATION_FAILED)."
            + (
                " The peer presents a self-signed certificate or one whose "
                "issuer has the same name."
                if self_signed
                else ""
            ),
            "Install the CA certificate that issued the peer's certificate "
            "on this side (for the Android app: import the CA, not only the "
            "server certificate); if an intermediate CA is involved, have "
            "the peer send it or install it here.",
        )
        return
    yield Finding(
        Kind.CERT_ID_MISMATCH if ident else Kind.PEER_AUTH_FAILED,
        Severity.ERROR,
        view.label,
        view.evidence(proof),
        f"no trusted public key found for the peer's identity '{ident}'"
        if ident
        else "we could not verify the peer's authentication",
        "We could not find a trusted certificate whose subject or "
        "subjectAltName equals the identity the peer used, or the "
        "certificate chain to a trusted CA is incomplete (a missing "
        "intermediate CA looks the same).",
        "Make sure the peer's identity is in its certificate and that this "
        "side has the CA (and any intermediate CA) certificates.",
    )


def _quoted(text: str, quote: str) -> str | None:
    parts = text.split(quote)
    return parts[1] if len(parts) >= 3 else None


# -- pre-shared keys and AUTHENTICATION_FAILED -----------------------------------


def _psk(view: View) -> Iterator[Finding]:
    problems = view.of(ev.AuthProblem)
    mismatch = [e for e in problems if e.body.what == "psk_mismatch"]  # type: ignore[attr-defined]
    missing = [
        e
        for e in problems
        if e.body.what in ("psk_missing", "key_missing")  # type: ignore[attr-defined]
    ]
    if mismatch:
        yield Finding(
            Kind.PEER_AUTH_FAILED,
            Severity.ERROR,
            view.label,
            view.evidence([*mismatch, *_auth_failed_notifies(view, inbound=False)]),
            "pre-shared key mismatch: the peer's AUTH does not match our key",
            "We found a pre-shared key for the two identities but the peer's "
            "AUTH payload was computed with a different one.",
            "Set the same PSK on both sides for these identities (check the "
            "ids the secret is stored under: a different id selects a "
            "different key).",
        )
    if missing:
        yield Finding(
            Kind.LOCAL_AUTH_FAILED,
            Severity.ERROR,
            view.label,
            view.evidence(missing),
            "no key or secret to authenticate with",
            "charon found no private key or shared secret for the identities "
            "of this SA, so it could not build its own AUTH payload.",
            "Load the secret/private key for the local identity (swanctl "
            "--load-creds) and check the ids it is stored under.",
        )


def _auth_failed(ctx: Context, view: View) -> Iterator[Finding]:
    got = _auth_failed_notifies(view, inbound=True)
    errors = _notify_errors(view, "AUTHENTICATION_FAILED")
    if not got and not errors:
        return
    responses = [e for e in got if not e.body.is_request]  # type: ignore[attr-defined]
    psk = any(
        "pre-shared key" in (getattr(e.body, "text", "") or "")
        or getattr(e.body, "method", None) == "pre-shared key"
        for e in view.of(ev.Unrecognized, ev.AuthResult)
    )
    if responses or errors:
        siblings = _siblings(ctx, view)
        explanation = (
            "We authenticated and the peer answered IKE_AUTH with "
            "AUTHENTICATION_FAILED: the peer did not accept our "
            "authentication"
            + (" (a pre-shared key)" if psk else "")
            + ". The peer's log says why."
        )
        fix = (
            "Make sure both sides use the same pre-shared key for these identities."
            if psk
            else "Check our credentials and identity against the peer's "
            "configuration for us."
        )
        if psk and siblings:
            explanation += (
                f" This log also starts {', '.join(siblings)} to the same "
                "peer: charon selects a PSK by the pair of identities, so "
                "connections that share identities can pick the wrong key."
            )
            fix += (
                " Give each connection distinct local/remote ids (or one "
                "secret per id pair) so the lookup is unambiguous."
            )
        yield Finding(
            Kind.LOCAL_AUTH_FAILED,
            Severity.ERROR,
            view.label,
            view.evidence([*responses, *errors]),
            "the peer rejected our authentication (AUTHENTICATION_FAILED)"
            + (" with a pre-shared key" if psk else ""),
            explanation,
            fix,
        )
        return
    yield Finding(
        Kind.PEER_AUTH_FAILED,
        Severity.ERROR,
        view.label,
        view.evidence(got),
        "the peer reported AUTHENTICATION_FAILED: it did not accept our authentication",
        "The peer sent an INFORMATIONAL with AUTHENTICATION_FAILED after our "
        "IKE_AUTH response: it could not verify us (certificate not trusted, "
        "identity mismatch, or an EAP result it did not accept).",
        "Check the peer's log and its trust anchors for our certificate and identity.",
    )


def _siblings(ctx: Context, view: View) -> list[str]:
    """Other connections this log starts to the same peer host."""
    mine = view.of(ev.LocalInitiating)
    if not mine:
        return []
    me = mine[0].body
    assert isinstance(me, ev.LocalInitiating)
    found: list[str] = []
    for e in ctx.of(ev.LocalInitiating):
        b = e.body
        if (
            isinstance(b, ev.LocalInitiating)
            and b.host == me.host
            and b.sa_name != me.sa_name
        ):
            label = f"{b.sa_name}[{b.sa_uid}]"
            if label not in found:
                found.append(label)
    return found


# -- peer config lookup -----------------------------------------------------------


def _no_peer_config(view: View) -> Iterator[Finding]:
    missing = [
        e
        for e in view.of(ev.PeerCfgProblem)
        if e.body.missing  # type: ignore[attr-defined]
        and not e.body.text.startswith("no IKE config")  # type: ignore[attr-defined]
    ]
    if not missing:
        return
    lookup = view.of(ev.PeerCfgLookup)
    cands = [
        e
        for e in view.events
        if type(e.body).__name__ in ("PeerCfgCandidate", "IdMatch")
        or (
            isinstance(e.body, ev.Unrecognized)
            and (_CANDIDATE.search(e.body.text) or _ID_MATCH.search(e.body.text))
        )
    ]
    spec = lookup[-1].body.spec if lookup else None  # type: ignore[attr-defined]
    local_id = remote_id = None
    if spec:
        left, _, right = spec.partition("...")
        local_id = left.partition("[")[2].rstrip("]") or None
        remote_id = right.partition("[")[2].rstrip("]") or None
    rejected: list[str] = []
    name = None
    key_id = False
    for e in cands:
        cand = _candidate(e.body)
        if cand is not None:
            name = cand
            continue
        match = _id_match(e.body)
        if match is not None and match[1] == 0:
            side, _, id_type, value = match
            rejected.append(
                f"candidate '{name}' refused on the {side} id ({id_type} {value})"
            )
            key_id = key_id or id_type == "ID_KEY_ID"
    looked = (
        f" for {local_id or '%any'} (local) and {remote_id or '%any'} (remote)"
        if spec
        else ""
    )
    explanation = (
        f"charon looked for a connection{looked} and none matched both the "
        "addresses and the identities, so the IKE_AUTH request is answered "
        "with AUTHENTICATION_FAILED."
    )
    if rejected:
        explanation += " " + "; ".join(rejected) + "."
    fix = (
        "Make a connection's remote.id (rightid) accept the identity the "
        "client sends, or have the client send the configured identity."
    )
    if key_id:
        explanation += (
            " The client sent its identity as a KEY_ID (type 11), which an "
            "id configured as a name or e-mail address never matches; "
            "Android's native client does this for user names that are "
            "not an FQDN or e-mail address."
        )
        fix = (
            "Accept the identity type the client sends: remote.id = "
            f"keyid:{remote_id or '<id>'} (or %any and authenticate the user "
            "with EAP via eap_id), or configure the client with an e-mail "
            "style identity."
        )
    yield Finding(
        Kind.NO_PEER_CONFIG,
        Severity.ERROR,
        view.label,
        view.evidence([*lookup, *cands, *missing]),
        f"no matching peer config{looked}",
        explanation,
        fix,
    )


def _candidate(body: ev.Body) -> str | None:
    """The name of a peer config candidate line, typed or not yet parsed."""
    # FIXME: drop the text fallback once every supported grammar has
    # PeerCfgCandidate (added alongside this module).
    name = getattr(body, "ike_match", None) is not None and getattr(body, "name", None)
    if isinstance(name, str):
        return name
    if isinstance(body, ev.Unrecognized) and (m := _CANDIDATE.search(body.text)):
        return m["name"]
    return None


def _id_match(body: ev.Body) -> tuple[str, int, str, str] | None:
    """(side, score, id type, value) of an id match line."""
    if type(body).__name__ == "IdMatch":
        side = "local" if getattr(body, "local", False) else "remote"
        return (
            side,
            int(getattr(body, "score", -1)),
            str(getattr(body, "id_type", "")),
            str(getattr(body, "identity", "")),
        )
    if isinstance(body, ev.Unrecognized) and (m := _ID_MATCH.search(body.text)):
        return m["side"], int(m["score"]), m["type"], m["v"]
    return None


# -- benign authentication events --------------------------------------------------


def _benign(view: View) -> Iterator[Finding]:
    steps = view.of(ev.EapStep)
    naks = [e for e in steps if e.body.step in _NAKS]  # type: ignore[attr-defined]
    failed = any(
        isinstance(e.body, ev.EapStep) and e.body.step in _FAILED for e in steps
    )
    if naks and not failed:
        after = [
            e
            for e in steps
            if e.line > naks[0].line
            and isinstance(e.body, ev.EapStep)
            and e.body.step in ("initiate", "selected")
            and e.body.method
        ]
        method = after[0].body.method if after else None  # type: ignore[attr-defined]
        yield Finding(
            Kind.EAP_NAK,
            Severity.INFO,
            view.label,
            view.evidence([*naks, *after[:1]]),
            "EAP method refused with a NAK, then "
            + (f"switched to {method} (benign)" if method else "another method"),
            "The server first offered an EAP method the client does not "
            "support; the client answered with a NAK naming the methods it "
            "has and the server switched. This costs one round trip.",
            "Nothing to fix; to save the round trip, offer the client's method first.",
        )
    switched = [
        e
        for e in view.of(ev.PeerCfgProblem, ev.PeerCfgSelected)
        if (isinstance(e.body, ev.PeerCfgProblem) and not e.body.missing)
        or (isinstance(e.body, ev.PeerCfgSelected) and e.body.switched)
    ]
    if switched:
        target = next(
            (e.body.name for e in switched if isinstance(e.body, ev.PeerCfgSelected)),
            None,
        )
        yield Finding(
            Kind.PEER_CONFIG_SWITCH,
            Severity.INFO,
            view.label,
            view.evidence(switched),
            "peer config switched"
            + (f" to '{target}'" if target else "")
            + " during IKE_AUTH (benign)",
            "The first connection matched by addresses and identities did not "
            "fit what the client asked for (e.g. it requested EAP by sending "
            "no AUTH payload), so charon switched to another connection that "
            "does. This is how one server serves certificate and EAP clients.",
            "Nothing to fix.",
        )
