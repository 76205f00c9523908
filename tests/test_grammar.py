"""The grammar on real charon messages, and the line layouts around them.

Every message text below is copied from a file of the shared corpus (the
comment above each group names it); only the line prefix (time, thread,
group, ``<name|uid>`` tag) was taken off, since that is what
:func:`ikelog.grammar.parse_message` receives.  The expected bodies spell out
what the text says, field by field.

The second half reads whole lab logs with :class:`ikelog.sources.EventReader`
and checks the prefix fields of chosen lines in each layout.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import pytest

from ikelog import events as ev
from ikelog.grammar import parse_message
from ikelog.sources import EventReader, InputError

from .conftest import SAMPLES, corpus

E = ev.Endpoint
P = ev.Peer


class Msg(NamedTuple):
    """The fields a message summary states (``parsed|generating EXCHANGE
    request|response MID [ payloads ]``); the derived ones are checked in
    their own tests."""

    inbound: bool
    exchange: str
    is_request: bool
    message_id: int
    payloads: tuple[str, ...]


# (id, message text, expected body). A body is compared by full dataclass
# equality, so the class and every field count; a Msg by its fields.
CASES: list[tuple[str, str, ev.Body | Msg]] = [
    # -- lab/a-seed-like/gw/charon.log (strongSwan 5.9.8) ------------------
    (
        "packet-received-v4",
        "received packet: from 10.99.0.11[500] to 10.99.0.1[500] (464 bytes)",
        ev.Packet(True, E("10.99.0.11", 500), E("10.99.0.1", 500), 464),
    ),
    (
        "ike-sa-init-request",
        "parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) "
        "N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
        Msg(
            True,
            "IKE_SA_INIT",
            True,
            0,
            (
                "SA",
                "KE",
                "No",
                "N(NATD_S_IP)",
                "N(NATD_D_IP)",
                "N(FRAG_SUP)",
                "N(HASH_ALG)",
                "N(REDIR_SUP)",
            ),
        ),
    ),
    (
        "ike-auth-request-cprq",
        "parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) CERTREQ IDr "
        "CPRQ(ADDR ADDR6) SA TSi TSr N(MOBIKE_SUP) N(ADD_6_ADDR) N(MULT_AUTH) "
        "N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]",
        Msg(
            True,
            "IKE_AUTH",
            True,
            1,
            (
                "IDi",
                "N(INIT_CONTACT)",
                "CERTREQ",
                "IDr",
                "CPRQ(ADDR ADDR6)",
                "SA",
                "TSi",
                "TSr",
                "N(MOBIKE_SUP)",
                "N(ADD_6_ADDR)",
                "N(MULT_AUTH)",
                "N(EAP_ONLY)",
                "N(MSG_ID_SYN_SUP)",
            ),
        ),
    ),
    (
        "ike-auth-response-fragment",
        "generating IKE_AUTH response 1 [ EF(2/3) ]",
        Msg(False, "IKE_AUTH", False, 1, ("EF(2/3)",)),
    ),
    (
        "eap-success-payload",
        "generating IKE_AUTH response 4 [ EAP/SUCC ]",
        Msg(False, "IKE_AUTH", False, 4, ("EAP/SUCC",)),
    ),
    (
        "dpd-empty-informational",
        "parsed INFORMATIONAL request 6 [ ]",
        Msg(True, "INFORMATIONAL", True, 6, ()),
    ),
    (
        "delete-informational",
        "parsed INFORMATIONAL request 9 [ D ]",
        Msg(True, "INFORMATIONAL", True, 9, ("D",)),
    ),
    (
        "fragment-waiting",
        "received fragment #1 of 4, waiting for complete IKE message",
        ev.FragmentReceived(1, 4, False, None),
    ),
    (
        "fragment-reassembled",
        "received fragment #4 of 4, reassembled fragmented IKE message (1280 bytes)",
        ev.FragmentReceived(4, 4, True, 1280),
    ),
    (
        "fragment-split",
        "splitting IKE message (992 bytes) into 3 fragments",
        ev.FragmentSplit(992, 3),
    ),
    (
        "peer-initiating-5x",
        "10.99.0.11 is initiating an IKE_SA",
        ev.PeerInitiating("10.99.0.11"),
    ),
    (
        "selected-ike-proposal",
        "selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/"
        "MODP_2048",
        ev.ProposalSelected(
            "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"
        ),
    ),
    (
        "nat-remote",
        "remote host is behind NAT",
        ev.NatDetected(local=False, behind=True),
    ),
    (
        "certreq-sent",
        'sending cert request for "C=CH, O=Example Lab, CN=Example Lab Root CA"',
        ev.CertRequest(False, "C=CH, O=Example Lab, CN=Example Lab Root CA"),
    ),
    (
        "end-entity-cert-received",
        'received end entity cert "C=CH, O=Example Lab, CN=win1.example.org"',
        ev.CertExchanged(
            True, "end entity", "C=CH, O=Example Lab, CN=win1.example.org"
        ),
    ),
    (
        "peercfg-lookup",
        "looking for peer configs matching "
        "10.99.0.1[vpn.example.org]...10.99.0.11[10.99.0.11]",
        ev.PeerCfgLookup("10.99.0.1[vpn.example.org]...10.99.0.11[10.99.0.11]", None),
    ),
    (
        "peercfg-selected",
        "selected peer config 'win'",
        ev.PeerCfgSelected("win"),
    ),
    (
        "peercfg-refused",
        "peer requested EAP, config unacceptable",
        ev.PeerCfgProblem("peer requested EAP, config unacceptable", missing=False),
    ),
    (
        "peercfg-switched",
        "switching to peer config 'eap'",
        ev.PeerCfgSelected("eap", switched=True),
    ),
    (
        "eap-initiate-mschapv2",
        "initiating EAP_MSCHAPV2 method (id 0x12)",
        ev.EapStep("initiate", "EAP_MSCHAPV2", text="0x12"),
    ),
    (
        "eap-identity",
        "received EAP identity 'user1'",
        ev.EapStep("identity", identity="user1"),
    ),
    (
        "eap-success",
        "EAP method EAP_MSCHAPV2 succeeded, MSK established",
        ev.EapStep(
            "success",
            "EAP_MSCHAPV2",
            text="EAP method EAP_MSCHAPV2 succeeded, MSK established",
        ),
    ),
    (
        "auth-myself-ecdsa",
        "authentication of 'vpn.example.org' (myself) with ECDSA_WITH_SHA256_DER "
        "successful",
        ev.AuthResult("vpn.example.org", True, "ECDSA_WITH_SHA256_DER", True),
    ),
    (
        "auth-peer-eap",
        "authentication of '10.99.0.11' with EAP successful",
        ev.AuthResult("10.99.0.11", False, "EAP", True),
    ),
    (
        "vip-requested-any6",
        "peer requested virtual IP %any6",
        ev.VirtualIp("requested", "%any6"),
    ),
    (
        "lease-new",
        "assigning new lease to 'user1'",
        ev.Lease(True, "user1"),
    ),
    (
        "vip-assigned-v6",
        "assigning virtual IP fd99:1::1 to peer 'user1'",
        ev.VirtualIp("assigned", "fd99:1::1", "user1"),
    ),
    (
        "ike-established",
        "IKE_SA eap[1] established between "
        "10.99.0.1[vpn.example.org]...10.99.0.11[10.99.0.11]",
        ev.IkeSaLine(
            "established",
            "eap",
            1,
            P("10.99.0.1", "vpn.example.org"),
            P("10.99.0.11", "10.99.0.11"),
        ),
    ),
    (
        "schedule-reauth",
        "scheduling reauthentication in 10569s",
        ev.IkeSchedule("reauthentication", 10569),
    ),
    (
        "max-lifetime",
        "maximum IKE_SA lifetime 11649s",
        ev.IkeSchedule("lifetime", 11649),
    ),
    (
        "child-established-v4v6",
        "CHILD_SA eap{1} established with SPIs d1536322_i 3b70ea87_o and TS "
        "0.0.0.0/0 ::/0 === 10.99.1.65/32 fd99:1::1/128",
        ev.ChildSaLine(
            "established",
            "eap",
            1,
            "d1536322",
            "3b70ea87",
            ("0.0.0.0/0", "::/0"),
            ("10.99.1.65/32", "fd99:1::1/128"),
        ),
    ),
    (
        "ike-delete-received",
        "received DELETE for IKE_SA eap[1]",
        ev.DeleteNotice(True, "IKE", "eap", 1),
    ),
    (
        "ike-deleting",
        "deleting IKE_SA win[2] between "
        "10.99.0.1[vpn.example.org]...10.99.0.12[win1.example.org]",
        ev.IkeSaLine(
            "deleting",
            "win",
            2,
            P("10.99.0.1", "vpn.example.org"),
            P("10.99.0.12", "win1.example.org"),
        ),
    ),
    ("ike-deleted", "IKE_SA deleted", ev.IkeDeleted()),
    (
        "lease-offline",
        "lease 10.99.1.65 by 'user1' went offline",
        ev.Lease(False, "user1", "10.99.1.65"),
    ),
    (
        "daemon-start-598",
        "Starting IKE charon daemon (strongSwan 5.9.8, Linux 6.18.44-fc-v1147, x86_64)",
        ev.DaemonStart(
            "Starting IKE charon daemon (strongSwan 5.9.8, Linux 6.18.44-fc-v1147, "
            "x86_64)",
            "5.9.8",
        ),
    ),
    (
        "pool-added-v6",
        "added vici pool pool6: fd99:1::, 254 entries",
        ev.PoolAdded("pool6", "fd99:1::", 254),
    ),
    (
        "eap-secret-loaded",
        "loaded EAP shared key with id 'eap-user1' for: 'user1'",
        ev.SecretLoaded("EAP", "eap-user1", ("user1",)),
    ),
    ("sigterm", "SIGTERM received, shutting down", ev.DaemonStop("SIGTERM")),
    # -- samples/windows-eap-mschapv2.log (the seed) ------------------------
    (
        "vendor-id-windows",
        "received MS NT5 ISAKMPOAKLEY v9 vendor ID",
        ev.VendorId("MS NT5 ISAKMPOAKLEY v9"),
    ),
    (
        "vendor-id-unknown",
        "received unknown vendor ID: "
        "01:52:8b:bb:c0:06:96:12:18:49:ab:9a:1c:5b:2a:51:00:00:00:02",
        ev.VendorId(
            None, "01:52:8b:bb:c0:06:96:12:18:49:ab:9a:1c:5b:2a:51:00:00:00:02"
        ),
    ),
    (
        "nat-local-keepalives",
        "local host is behind NAT, sending keep alives",
        ev.NatDetected(local=True, behind=True),
    ),
    (
        "certreq-unknown-ca",
        "received 52 cert requests for an unknown ca",
        ev.CertRequest(True, None, 52),
    ),
    (
        "eap-tls-selected",
        "EAP_TLS method selected",
        ev.EapStep("selected", "EAP_TLS"),
    ),
    (
        "eap-nak-received",
        "received EAP_NAK, selecting a different EAP method",
        ev.EapStep("nak", text="received EAP_NAK, selecting a different EAP method"),
    ),
    (
        "closing-child-bytes",
        "closing CHILD_SA eap{3} with SPIs c2713224_i (45329 bytes) 36ce686c_o "
        "(72297 bytes) and TS 0.0.0.0/0 ::/0 === 10.10.1.67/32 "
        "2a02:168:4407:1::3/128",
        ev.ChildSaLine(
            "closing",
            "eap",
            3,
            "c2713224",
            "36ce686c",
            ("0.0.0.0/0", "::/0"),
            ("10.10.1.67/32", "2a02:168:4407:1::3/128"),
            bytes_in=45329,
            bytes_out=72297,
        ),
    ),
    (
        "child-delete-sent",
        "sending DELETE for ESP CHILD_SA with SPI c2713224",
        ev.DeleteNotice(False, "ESP", spi="c2713224"),
    ),
    ("child-closed-bare", "CHILD_SA closed", ev.ChildClosed(None, None)),
    # -- lab/a2-eap-tls-nak, lab/d-eap-wrong-password ------------------------
    (
        "eap-requested-identity",
        "server requested EAP_IDENTITY (id 0x00), sending 'user1'",
        ev.EapStep("requested", "EAP_IDENTITY", identity="user1"),
    ),
    (
        "eap-requested-tls",
        "server requested EAP_TLS authentication (id 0x85)",
        ev.EapStep("requested", "EAP_TLS"),
    ),
    (
        "eap-nak-sent",
        "EAP method not supported, sending EAP_NAK",
        ev.EapStep("nak_sent", text="EAP method not supported, sending EAP_NAK"),
    ),
    (
        "eap-nak-failure",
        "received EAP_NAK, sending EAP_FAILURE",
        ev.EapStep("nak_failure", text="received EAP_NAK, sending EAP_FAILURE"),
    ),
    (
        "eap-failure-client",
        "received EAP_FAILURE, EAP authentication failed",
        ev.EapStep(
            "failure",
            "EAP_FAILURE",
            text="received EAP_FAILURE, EAP authentication failed",
        ),
    ),
    (
        "mschapv2-retry",
        "EAP-MS-CHAPv2 verification failed, retry (1)",
        ev.EapStep(
            "verify_failed", text="EAP-MS-CHAPv2 verification failed, retry (1)"
        ),
    ),
    (
        "mschapv2-client-error",
        "EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE: '(null)'",
        ev.EapStep(
            "verify_failed",
            text="EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE: "
            "'(null)'",
        ),
    ),
    (
        "eap-method-failed",
        "EAP_MSCHAPV2 method failed",
        ev.EapStep("failure", "EAP_MSCHAPV2", text="EAP_MSCHAPV2 method failed"),
    ),
    (
        "destroyed-connecting",
        "destroying IKE_SA in state CONNECTING without notification",
        ev.IkeFailure(
            "destroyed", "destroying IKE_SA in state CONNECTING without notification"
        ),
    ),
    (
        "initiating-local",
        "initiating IKE_SA home[1] to 10.99.0.1",
        ev.LocalInitiating("home", 1, "10.99.0.1"),
    ),
    (
        "vici-initiate",
        "vici initiate CHILD_SA 'home'",
        ev.ConfigInitiating("home"),
    ),
    # -- lab/b-psk-site-rekey (5.9.8 rekeys) -----------------------------------
    (
        "auth-psk-myself",
        "authentication of 'hq.example.org' (myself) with pre-shared key",
        ev.AuthResult("hq.example.org", True, "pre-shared key", None),
    ),
    (
        "ike-rekeyed",
        "IKE_SA site-hq[2] rekeyed between "
        "10.99.0.1[hq.example.org]...10.99.0.11[branch1.example.org]",
        ev.IkeSaLine(
            "rekeyed",
            "site-hq",
            2,
            P("10.99.0.1", "hq.example.org"),
            P("10.99.0.11", "branch1.example.org"),
        ),
    ),
    (
        "child-establishing-reqid",
        "establishing CHILD_SA branch{2} reqid 1",
        ev.ChildEstablishing("branch", 2, 1),
    ),
    (
        "child-rekey-job",
        "creating rekey job for CHILD_SA ESP/0x16ac5f4b/10.99.0.11",
        ev.ChildNote(
            "note", "creating rekey job for CHILD_SA ESP/0x16ac5f4b/10.99.0.11"
        ),
    ),
    # -- lab/c, f, g, k: failures --------------------------------------------
    (
        "received-proposals",
        "received proposals: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, "
        "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
        ev.ProposalList(
            True,
            (
                "IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
                "IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
            ),
        ),
    ),
    (
        "configured-proposals",
        "configured proposals: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384",
        ev.ProposalList(False, ("IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384",)),
    ),
    (
        "proposals-unacceptable",
        "received proposals unacceptable",
        ev.ProposalNone("received proposals unacceptable"),
    ),
    (
        "notify-no-proposal",
        "received NO_PROPOSAL_CHOSEN notify error",
        ev.NotifyError("NO_PROPOSAL_CHOSEN", child=False),
    ),
    (
        "ts-unacceptable",
        "traffic selectors 10.99.30.0/24 === 10.99.20.0/24 unacceptable",
        ev.ChildProblem(
            "ts_unacceptable",
            "traffic selectors 10.99.30.0/24 === 10.99.20.0/24 unacceptable",
            ("10.99.30.0/24",),
            ("10.99.20.0/24",),
        ),
    ),
    (
        "notify-ts-unacceptable-child",
        "received TS_UNACCEPTABLE notify, no CHILD_SA built",
        ev.NotifyError("TS_UNACCEPTABLE", child=True),
    ),
    (
        "child-failed-keep-ike",
        "failed to establish CHILD_SA, keeping IKE_SA",
        ev.ChildProblem("child_failed", "failed to establish CHILD_SA, keeping IKE_SA"),
    ),
    (
        "retransmit-3",
        "retransmit 3 of request with message ID 0",
        ev.Retransmit(3, True, 0),
    ),
    (
        "give-up-3",
        "giving up after 3 retransmits",
        ev.GiveUp(3, "giving up after 3 retransmits"),
    ),
    (
        "peer-not-responding",
        "establishing IKE_SA failed, peer not responding",
        ev.IkeFailure(
            "peer_not_responding", "establishing IKE_SA failed, peer not responding"
        ),
    ),
    (
        "sad-entry-failed",
        "unable to add SAD entry with SPI c26c8d12 (FAILED)",
        ev.ChildProblem(
            "install_failed", "unable to add SAD entry with SPI c26c8d12 (FAILED)"
        ),
    ),
    (
        "netlink-error",
        "received netlink error: Function not implemented (38)",
        ev.ChildProblem(
            "kernel", "received netlink error: Function not implemented (38)"
        ),
    ),
    (
        "policy-delete-failed",
        "deleting policy 10.99.20.0/24 === 10.99.10.0/24 fwd failed, not found",
        ev.ChildProblem(
            "kernel",
            "deleting policy 10.99.20.0/24 === 10.99.10.0/24 fwd failed, not found",
            ("10.99.20.0/24",),
            ("10.99.10.0/24",),
        ),
    ),
    # -- lab/j-many-clients/gw: DoS protection -------------------------------
    (
        "cookie-response",
        "generating IKE_SA_INIT response 0 [ N(COOKIE) ]",
        Msg(False, "IKE_SA_INIT", False, 0, ("N(COOKIE)",)),
    ),
    (
        "setup-ignored",
        "ignoring IKE_SA setup from 10.99.0.15, per-IP half-open IKE_SA limit of "
        "5 reached",
        ev.SetupIgnored("10.99.0.15", "per-IP half-open IKE_SA limit of 5 reached"),
    ),
    (
        "half-open-timeout",
        "deleting half open IKE_SA with 10.99.0.15 after timeout",
        ev.IkeFailure(
            "half_open_timeout",
            "deleting half open IKE_SA with 10.99.0.15 after timeout",
            "10.99.0.15",
        ),
    ),
    (
        "peer-retransmit",
        "received retransmit of request with ID 0, retransmitting response",
        ev.IkeNote(
            "peer_retransmit",
            "received retransmit of request with ID 0, retransmitting response",
            0,
        ),
    ),
    (
        "auth-failed-informational",
        "parsed INFORMATIONAL request 4 [ N(AUTH_FAILED) ]",
        Msg(True, "INFORMATIONAL", True, 4, ("N(AUTH_FAILED)",)),
    ),
    # -- lab/l-ikev1-main-psk, lab/m-ikev1-aggressive-xauth: IKEv1 -----------
    (
        "ikev1-main-mode-peer",
        "10.99.0.11 is initiating a Main Mode IKE_SA",
        ev.PeerInitiating("10.99.0.11", "Main"),
    ),
    (
        "ikev1-aggressive-local",
        "initiating Aggressive Mode IKE_SA home[1] to 10.99.0.1",
        ev.LocalInitiating("home", 1, "10.99.0.1", "Aggressive"),
    ),
    (
        "ikev1-id-prot",
        "parsed ID_PROT request 0 [ SA V V V V V ]",
        Msg(True, "ID_PROT", True, 0, ("SA", "V", "V", "V", "V", "V")),
    ),
    (
        "ikev1-quick-mode-32bit-mid",
        "generating QUICK_MODE response 3590134259 [ HASH SA No KE ID ID ]",
        Msg(
            False,
            "QUICK_MODE",
            False,
            3590134259,
            ("HASH", "SA", "No", "KE", "ID", "ID"),
        ),
    ),
    (
        "ikev1-informational-delete",
        "parsed INFORMATIONAL_V1 request 3108550592 [ HASH D ]",
        Msg(True, "INFORMATIONAL_V1", True, 3108550592, ("HASH", "D")),
    ),
    (
        "ikev1-transaction-xauth",
        "generating TRANSACTION response 213053533 [ HASH CPRP(X_USER X_PWD) ]",
        Msg(False, "TRANSACTION", False, 213053533, ("HASH", "CPRP(X_USER X_PWD)")),
    ),
    (
        "ikev1-aggressive-natd",
        "generating AGGRESSIVE request 0 [ HASH NAT-D NAT-D ]",
        Msg(False, "AGGRESSIVE", True, 0, ("HASH", "NAT-D", "NAT-D")),
    ),
    (
        "ikev1-psk-lookup",
        "looking for pre-shared key peer configs matching "
        "10.99.0.1...10.99.0.11[branch1.example.org]",
        ev.PeerCfgLookup(
            "10.99.0.1...10.99.0.11[branch1.example.org]", "pre-shared key"
        ),
    ),
    (
        "ikev1-xauth-lookup",
        "looking for XAuthInitPSK peer configs matching "
        "10.99.0.1...10.99.0.11[rw1@example.org]",
        ev.PeerCfgLookup("10.99.0.1...10.99.0.11[rw1@example.org]", "XAuthInitPSK"),
    ),
    (
        "ikev1-peercfg-double-quotes",
        'selected peer config "site-hq"',
        ev.PeerCfgSelected("site-hq"),
    ),
    (
        "ikev1-xauth-server",
        "XAuth authentication of 'user1' successful",
        ev.AuthResult("user1", False, "XAuth", True, xauth=True),
    ),
    (
        "ikev1-xauth-client",
        "XAuth authentication of 'user1' (myself) successful",
        ev.AuthResult("user1", True, "XAuth", True, xauth=True),
    ),
    (
        "ikev1-nat-t-vendor",
        "received NAT-T (RFC 3947) vendor ID",
        ev.VendorId("NAT-T (RFC 3947)"),
    ),
    (
        "ikev1-psk-secret-two-owners",
        "loaded IKE shared key with id 'ike-s' for: 'hq.example.org', "
        "'branch1.example.org'",
        ev.SecretLoaded("IKE", "ike-s", ("hq.example.org", "branch1.example.org")),
    ),
    (
        "ikev1-vip-installed",
        "installing new virtual IP 10.99.1.65",
        ev.VirtualIp("installed", "10.99.1.65"),
    ),
    # -- lab/q, r, p: strongSwan 6.0.6 wordings ------------------------------
    (
        "ss6-peer-initiating-unnamed",
        "10.99.0.11 is initiating IKE_SA (unnamed)[1]",
        ev.PeerInitiating("10.99.0.11", None, "(unnamed)", 1),
    ),
    (
        "ss6-ke-unacceptable",
        "key exchange method ECP_256 unacceptable, requesting MODP_3072",
        ev.KeMethodRejected(True, "ECP_256", "MODP_3072"),
    ),
    (
        "ss6-ke-retry",
        "peer didn't accept key exchange method ECP_256, it requested MODP_3072",
        ev.KeMethodRejected(False, "ECP_256", "MODP_3072"),
    ),
    (
        "ss6-daemon-start",
        "Starting charon-systemd IKE daemon (strongSwan 6.0.6, "
        "Linux 6.18.44-fc-v1147, x86_64)",
        ev.DaemonStart(
            "Starting charon-systemd IKE daemon (strongSwan 6.0.6, "
            "Linux 6.18.44-fc-v1147, x86_64)",
            "6.0.6",
        ),
    ),
    (
        "ss6-inbound-child",
        "inbound CHILD_SA site-hq{2} established with SPIs d1fab34c_i 565a5a44_o "
        "and TS 10.99.10.0/24 === 10.99.20.0/24",
        ev.ChildSaLine(
            "established",
            "site-hq",
            2,
            "d1fab34c",
            "565a5a44",
            ("10.99.10.0/24",),
            ("10.99.20.0/24",),
            variant="inbound",
        ),
    ),
    (
        "ss6-outbound-child",
        "outbound CHILD_SA site-hq{2} established with SPIs d1fab34c_i 565a5a44_o "
        "and TS 10.99.10.0/24 === 10.99.20.0/24",
        ev.ChildSaLine(
            "established",
            "site-hq",
            2,
            "d1fab34c",
            "565a5a44",
            ("10.99.10.0/24",),
            ("10.99.20.0/24",),
            variant="outbound",
        ),
    ),
    (
        "ss6-rekeyed-child",
        "rekeyed CHILD_SA site-hq{1} with SPIs 0a5136d1_i b7f328d3_o with "
        "site-hq{2} with SPIs d1fab34c_i 565a5a44_o",
        ev.ChildRekeyed(
            "site-hq",
            1,
            "site-hq",
            2,
            ("0a5136d1", "b7f328d3"),
            ("d1fab34c", "565a5a44"),
        ),
    ),
    (
        "ss6-child-closed-named",
        "CHILD_SA site-hq{1} closed",
        ev.ChildClosed("site-hq", 1),
    ),
    (
        "ss6-delay-closing",
        "delay closing of inbound CHILD_SA site-hq{1} for 5s",
        ev.ChildNote(
            "note",
            "delay closing of inbound CHILD_SA site-hq{1} for 5s",
            "site-hq",
            1,
        ),
    ),
    # -- public/ excerpts ------------------------------------------------------
    (
        "public-16-packet-v6",
        "received packet: from 2001:db8:5::7261[4500] to "
        "2001:db8:c1:0:1593:567e:4018:1f47[59764] (374 bytes)",
        ev.Packet(
            True,
            E("2001:db8:5::7261", 4500),
            E("2001:db8:c1:0:1593:567e:4018:1f47", 59764),
            374,
        ),
    ),
    (
        "public-16-established-v6-ids",
        "IKE_SA android[96] established between "
        "2001:db8:c1:0:1593:567e:4018:1f47[user1:droid]...2001:db8:5::7261[server]",
        ev.IkeSaLine(
            "established",
            "android",
            96,
            P("2001:db8:c1:0:1593:567e:4018:1f47", "user1:droid"),
            P("2001:db8:5::7261", "server"),
        ),
    ),
    (
        "public-17-child-ts-protocol",
        "CHILD_SA child-1{1} established with SPIs c1ff9c22_i b9585000_o and TS "
        "fe80::a8bb:ccff:fe00:1/128[udp] === fe80::a8bb:ccff:fe00:2/128[udp]",
        ev.ChildSaLine(
            "established",
            "child-1",
            1,
            "c1ff9c22",
            "b9585000",
            ("fe80::a8bb:ccff:fe00:1/128[udp]",),
            ("fe80::a8bb:ccff:fe00:2/128[udp]",),
        ),
    ),
    (
        "public-04-dh-group-5x",
        "peer didn't accept DH group ECP_256, it requested ECP_521",
        ev.KeMethodRejected(False, "ECP_256", "ECP_521"),
    ),
    (
        "public-10-ke-modp2048-256",
        "key exchange method MODP_2048_256 unacceptable, requesting MODP_2048",
        ev.KeMethodRejected(True, "MODP_2048_256", "MODP_2048"),
    ),
    (
        "public-06-no-trusted-key",
        "no trusted ECDSA public key found for '203.0.113.95'",
        ev.AuthProblem(
            "pubkey_missing", "no trusted ECDSA public key found for '203.0.113.95'"
        ),
    ),
    (
        "public-06-no-issuer",
        'no issuer certificate found for "CN=203.0.113.95"',
        ev.AuthProblem("cert", 'no issuer certificate found for "CN=203.0.113.95"'),
    ),
    (
        "public-01-notify-no-prop",
        "parsed IKE_SA_INIT response 0 [ N(NO_PROP) ]",
        Msg(True, "IKE_SA_INIT", False, 0, ("N(NO_PROP)",)),
    ),
    (
        "public-03-auth-failed-notify",
        "received AUTHENTICATION_FAILED notify error",
        ev.NotifyError("AUTHENTICATION_FAILED", child=False),
    ),
    (
        "public-09-no-peer-config-trailing-blanks",
        "no matching peer config found                   ",
        ev.PeerCfgProblem("no matching peer config found                   ", True),
    ),
    (
        "public-14-quick-mode-nat-oa",
        "generating QUICK_MODE request 2270805260 [ HASH SA No ID ID NAT-OA NAT-OA ]",
        Msg(
            False,
            "QUICK_MODE",
            True,
            2270805260,
            ("HASH", "SA", "No", "ID", "ID", "NAT-OA", "NAT-OA"),
        ),
    ),
    # public/03 (swanctl --initiate of a recent 5.9/6.0 charon): the PSK line
    # names both identities.
    (
        "public-03-auth-psk-both-ids",
        "authentication of '10.80.139.194' (myself) - '10.80.139.183' (remote) "
        "with pre-shared key",
        ev.AuthResult("10.80.139.194", True, "pre-shared key", None),
    ),
]


def test_cases_are_many_and_distinct() -> None:
    texts = [text for _, text, _ in CASES]
    ids = [name for name, _, _ in CASES]
    assert len(set(texts)) == len(texts) >= 40
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, body, id=name) for name, text, body in CASES],
)
def test_message(text: str, expected: ev.Body | Msg) -> None:
    check(parse_message(text), expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, body, id=name) for name, text, body in CASES],
)
def test_message_from_shape_cache(text: str, expected: ev.Body | Msg) -> None:
    """With the text cache cleared, the body comes from the cached shape of
    the first parse and must be the same."""
    parse_message(text)
    parse_message.cache_clear()
    check(parse_message(text), expected)


def check(body: ev.Body, expected: ev.Body | Msg) -> None:
    if isinstance(expected, Msg):
        assert isinstance(body, ev.Message), body
        fields = (body.inbound, body.exchange, body.is_request, body.message_id)
        assert (*fields, body.payloads) == tuple(expected)
        assert body.truncated is False
    else:
        assert type(body) is type(expected), body
        assert body == expected


# -- properties of message summaries ------------------------------------------


def test_fragment_property() -> None:
    body = parse_message("parsed IKE_AUTH request 1 [ EF(1/4) ]")
    assert isinstance(body, ev.Message)
    assert body.fragment == (1, 4)
    assert body.notifies == ()
    assert body.truncated is False


def test_notifies_and_eap_properties() -> None:
    # seed: the response that carries the first EAP request
    body = parse_message("generating IKE_AUTH response 1 [ IDr CERT AUTH EAP/REQ/ID ]")
    assert isinstance(body, ev.Message)
    assert body.eap == "EAP/REQ/ID"
    assert body.fragment is None
    body = parse_message(
        "parsed IKE_AUTH response 5 [ AUTH CPRP(ADDR ADDR6 DNS DNS6) SA TSi TSr "
        "N(MOBIKE_SUP) N(ADD_4_ADDR) ]"
    )
    assert isinstance(body, ev.Message)
    assert body.notifies == ("MOBIKE_SUP", "ADD_4_ADDR")
    assert body.eap is None


def test_same_shape_other_values() -> None:
    """Two messages of one shape (a-seed-like gw, lines 18 and 104) share the
    cached shape but keep their own values."""
    a = parse_message("10.99.0.11 is initiating an IKE_SA")
    b = parse_message("10.99.0.12 is initiating an IKE_SA")
    assert a == ev.PeerInitiating("10.99.0.11")
    assert b == ev.PeerInitiating("10.99.0.12")
    a = parse_message("lease fd99:1::2 by 'win1.example.org' went offline")
    b = parse_message("lease 10.99.1.66 by 'win1.example.org' went offline")
    assert a == ev.Lease(False, "win1.example.org", "fd99:1::2")
    assert b == ev.Lease(False, "win1.example.org", "10.99.1.66")


def test_child_not_found_for_delete() -> None:
    # lab/b-psk-site-rekey/gw: a CHILD_SA reference without a name
    body = parse_message("CHILD_SA {5} not found for delete")
    assert isinstance(body, ev.ChildNote)
    assert body.sa_uid == 5
    assert body.text == "CHILD_SA {5} not found for delete"


def test_unknown_text_is_unrecognized() -> None:
    # lab/a-seed-like/c1/initiate.txt, the header line the harness wrote
    text = "### swanctl --initiate --child home (16:42:01)"
    assert parse_message(text) == ev.Unrecognized(text)


def test_overlong_message_is_unrecognized() -> None:
    text = "received packet: from " + "x" * 10_000
    assert parse_message(text) == ev.Unrecognized(text)


# -- line layouts ---------------------------------------------------------------

SEED_LAB = ("lab", "a-seed-like")
DEC3 = datetime(2025, 12, 3, 16, 42, 1)


def read(path: Path, *, year: int = 2025) -> tuple[str, dict[int, ev.Event]]:
    with path.open(encoding="utf-8") as f:
        reader = EventReader(f, year=year)
        events = {e.line: e for e in reader}
    assert reader.counts.total == len(events)
    return reader.layout, events


def prefix(e: ev.Event) -> tuple[object, ...]:
    return (e.ts, e.thread, e.group, e.level, e.sa_name, e.sa_uid)


def test_layout_filelog() -> None:
    layout, events = read(corpus(*SEED_LAB, "gw", "charon.log"))
    assert layout == "filelog"
    # Dec  3 16:42:01 00[DMN] Starting IKE charon daemon (...)
    assert prefix(events[1]) == (DEC3, 0, "DMN", None, None, None)
    assert isinstance(events[1].body, ev.DaemonStart)
    # Dec  3 16:42:01 09[ENC] <1> parsed IKE_SA_INIT request 0 [ ... ]
    assert prefix(events[17]) == (DEC3, 9, "ENC", None, None, 1)
    assert isinstance(events[17].body, ev.Message)
    # Dec  3 16:42:01 14[IKE] <win|1> peer requested EAP, config unacceptable
    assert prefix(events[29]) == (DEC3, 14, "IKE", None, "win", 1)
    assert isinstance(events[29].body, ev.PeerCfgProblem)
    # Dec  3 16:42:23 12[CFG] <win|2> lease 10.99.1.66 by '...' went offline
    assert prefix(events[157]) == (
        datetime(2025, 12, 3, 16, 42, 23),
        12,
        "CFG",
        None,
        "win",
        2,
    )
    assert events[157].body == ev.Lease(False, "win1.example.org", "10.99.1.66")


def test_layout_filelog_milliseconds_and_level() -> None:
    layout, events = read(corpus(*SEED_LAB, "gw", "charon-ms-level.log"))
    assert layout == "filelog"
    # Dec  3 16:42:01.331 00[DMN1] Starting IKE charon daemon (...)
    assert prefix(events[1]) == (
        datetime(2025, 12, 3, 16, 42, 1, 331000),
        0,
        "DMN",
        1,
        None,
        None,
    )
    # Dec  3 16:42:01.750 09[IKE0] <1> 10.99.0.11 is initiating an IKE_SA
    assert prefix(events[18]) == (
        datetime(2025, 12, 3, 16, 42, 1, 750000),
        9,
        "IKE",
        0,
        None,
        1,
    )
    assert events[18].body == ev.PeerInitiating("10.99.0.11")
    # Dec  3 16:42:01.763 14[CFG1] <win|1> switching to peer config 'eap'
    assert prefix(events[30]) == (
        datetime(2025, 12, 3, 16, 42, 1, 763000),
        14,
        "CFG",
        1,
        "win",
        1,
    )
    assert events[30].body == ev.PeerCfgSelected("eap", switched=True)


def test_layout_syslog() -> None:
    layout, events = read(corpus(*SEED_LAB, "gw", "syslog.log"))
    assert layout == "syslog"
    # Dec  3 16:42:01 vm syslog.info syslogd started: BusyBox v1.35.0
    assert isinstance(events[1].body, ev.Foreign)
    # Dec  3 16:42:01 vm daemon.info charon: 00[DMN] Starting IKE charon ...
    assert prefix(events[2]) == (DEC3, 0, "DMN", None, None, None)
    assert isinstance(events[2].body, ev.DaemonStart)
    # ... charon: 09[ENC] <1> parsed IKE_SA_INIT request 0 [ ... ]
    assert prefix(events[18]) == (DEC3, 9, "ENC", None, None, 1)
    # ... charon: 14[IKE] <win|1> peer requested EAP, config unacceptable
    assert prefix(events[30]) == (DEC3, 14, "IKE", None, "win", 1)
    assert isinstance(events[30].body, ev.PeerCfgProblem)


@pytest.mark.parametrize("name", ["charon-plain.log", "charon-stderr.log"])
def test_layout_plain(name: str) -> None:
    layout, events = read(corpus(*SEED_LAB, "gw", name))
    assert layout == "plain"
    # 09[ENC] parsed IKE_SA_INIT request 0 [ ... ]
    assert prefix(events[17]) == (None, 9, "ENC", None, None, None)
    assert isinstance(events[17].body, ev.Message)
    # 14[IKE] peer requested EAP, config unacceptable
    assert prefix(events[29]) == (None, 14, "IKE", None, None, None)
    assert isinstance(events[29].body, ev.PeerCfgProblem)


def test_layout_swanctl_log_stream() -> None:
    """``swanctl --log``: thread and group, no tags, no time."""
    layout, events = read(corpus(*SEED_LAB, "gw", "swanctl-log.txt"))
    assert layout == "plain"
    # 14[CFG] loaded certificate 'C=CH, O=Example Lab, CN=vpn.example.org'
    assert prefix(events[1]) == (None, 14, "CFG", None, None, None)
    assert events[1].body == ev.CertLoaded("C=CH, O=Example Lab, CN=vpn.example.org")
    # 14[IKE] sending end entity cert "C=CH, O=Example Lab, CN=vpn.example.org"
    assert prefix(events[28]) == (None, 14, "IKE", None, None, None)
    assert events[28].body == ev.CertExchanged(
        False, "end entity", "C=CH, O=Example Lab, CN=vpn.example.org"
    )


def test_layout_swanctl_initiate() -> None:
    """``swanctl --initiate`` output: ``[GRP] msg``, no thread."""
    layout, events = read(corpus(*SEED_LAB, "c1", "initiate.txt"))
    assert layout == "swanctl"
    assert isinstance(events[1].body, ev.Foreign)  # "### swanctl ..." header
    # [IKE] initiating IKE_SA home[1] to 10.99.0.1
    assert prefix(events[2]) == (None, None, "IKE", None, None, None)
    assert events[2].body == ev.LocalInitiating("home", 1, "10.99.0.1")
    # [CFG]   reached self-signed root ca with a path length of 0
    assert prefix(events[28]) == (None, None, "CFG", None, None, None)
    assert isinstance(events[28].body, ev.Note)


def test_layout_bare_seed() -> None:
    layout, events = read(SAMPLES / "windows-eap-mschapv2.log")
    assert layout == "bare"
    # Starting strongSwan IPsec IKEv1/IKEv2 daemon using swanctl...
    assert prefix(events[1]) == (None, None, None, None, None, None)
    # 09:58:20: received packet: from 212.51.148.80[63771] to ... (80 bytes)
    assert prefix(events[87]) == (
        datetime(1900, 1, 1, 9, 58, 20),
        None,
        None,
        None,
        None,
        None,
    )
    assert events[87].body == ev.Packet(
        True, E("212.51.148.80", 63771), E("10.10.0.150", 4500), 80
    )
    # ...  (an elision in the post)
    assert isinstance(events[95].body, ev.Foreign)
    # lease 10.10.1.67 by 'andi' went offline (last line, no prefix)
    assert events[116].body == ev.Lease(False, "andi", "10.10.1.67")
    assert events[116].ts is None


def test_year_completes_bsd_timestamps() -> None:
    path = corpus(*SEED_LAB, "gw", "charon.log")
    _, events = read(path, year=2019)
    assert events[1].ts == datetime(2019, 12, 3, 16, 42, 1)


def test_forced_layout() -> None:
    lines = ["09[IKE] <eap|1> received EAP identity 'user1'\n"]
    reader = EventReader(lines, layout="plain")
    (event,) = list(reader)
    assert reader.layout == "plain"
    assert prefix(event) == (None, 9, "IKE", None, "eap", 1)
    assert event.body == ev.EapStep("identity", identity="user1")


def test_unknown_layout_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown layout"):
        EventReader([], layout="journal")


def test_a_quoted_identity_may_hold_an_apostrophe() -> None:
    # charon quotes identities without escaping: o'brien's e-mail address
    body = parse_message("received EAP identity 'o'brien@example.com'")
    assert body == ev.EapStep("identity", identity="o'brien@example.com")
