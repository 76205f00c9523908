"""Every level-0/1 template of the charon log format reference is recognised.

``../shared/reference/charon-log-format.md`` (section 2) lists the messages
charon emits at level 0 (AUDIT) and 1 (CTRL), the levels every logger uses by
default. Below is one concrete message per template, its placeholders filled
with plausible values, grouped by the reference's section numbers. Each must
parse to something other than :class:`ikelog.events.Unrecognized`; for the
important families the body class and a few fields are checked as well.
"""

from __future__ import annotations

from typing import Any

import pytest

from ikelog import events as ev
from ikelog.grammar import parse_message

ROOT_CA = "C=CH, O=strongSwan Project, CN=strongSwan Root CA"
MOON = "C=CH, O=strongSwan Project, CN=moon.strongswan.org"
TIME = "Mar 05 10:00:00 2025"
TIME2 = "Mar 05 10:00:00 UTC 2026"

EXAMPLES: list[str] = [
    # -- 2.1 packets ------------------------------------------------------
    "sending packet: from 192.0.2.1[500] to 198.51.100.2[500] (464 bytes)",
    "received packet: from 198.51.100.2[4500] to 192.0.2.1[4500] (240 bytes)",
    "received packet: from 2001:db8::2[500] to 2001:db8::1[500] (1232 bytes)",
    "received invalid IKE header from 198.51.100.2 - ignored",
    "received unsupported IKE version 3.0 from 198.51.100.2, "
    "sending INVALID_MAJOR_VERSION",
    "ignoring IKE_SA setup from 198.51.100.2, half-open IKE_SA limit of 100 reached",
    "ignoring IKE_SA setup from 198.51.100.2, per-IP half-open IKE_SA limit "
    "of 5 reached",
    "ignoring IKE_SA setup from 198.51.100.2, job load of 2000 exceeds limit of 1000",
    "generating new cookie secret after 120s since first use",
    "error writing to socket: Network is unreachable",
    "error reading socket: Bad file descriptor",
    "no socket found to send IPv4 packet from port 4500",
    "no socket found to send IPv6 packet from port 500",
    "ignoring request with ID 3, already processing",
    "ignoring IKE_SA_INIT, hitting IKE_SA limit (1000)",
    # -- 2.2 message summaries and related lines --------------------------
    "generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) "
    "N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
    "parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) CERTREQ "
    "N(FRAG_SUP) N(HASH_ALG) N(CHDLESS_SUP) N(MULT_AUTH) ]",
    "generating IKE_AUTH request 1 [ IDi CERT N(INIT_CONTACT) CERTREQ IDr AUTH "
    "CPRQ(ADDR DNS) SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) N(MULT_AUTH) "
    "N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]",
    "parsed IKE_AUTH response 1 [ IDr AUTH CPRP(ADDR) SA TSi TSr N(AUTH_LFT) ]",
    "parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]",
    "parsed CREATE_CHILD_SA response 2 [ N(NO_PROP) ]",
    "generating INFORMATIONAL request 3 [ D ]",
    "generating IKE_AUTH response 2 [ EAP/REQ/MSCHAPV2 ]",
    "parsed IKE_AUTH request 3 [ EAP/RES/(99) ]",
    "parsed IKE_INTERMEDIATE request 1 [ KE ]",
    "parsed IKE_AUTH request 1 [ N((12345)) N(MS_STATUS(1)) UNKN(99) ]",
    "generating ID_PROT request 0 [ SA V V V V V ]",
    "parsed ID_PROT response 0 [ KE No NAT-D NAT-D ]",
    "generating ID_PROT request 0 [ ID HASH N(INITIAL_CONTACT) ]",
    "parsed AGGRESSIVE response 0 [ SA KE No ID HASH V V V NAT-D NAT-D ]",
    "generating TRANSACTION request 2891035462 [ HASH CPS(X_USER X_PWD) ]",
    "generating QUICK_MODE request 3417895744 [ HASH SA No ID ID ]",
    "parsed INFORMATIONAL_V1 request 1987654321 [ HASH N(DPD) ]",
    "generating INFORMATIONAL_V1 request 2222222222 [ HASH D ]",
    "parsed ID_PROT request 0 [ FRAG(1) ]",
    "parsed ID_PROT request 0 [ FRAG(2/2) ]",
    "payload NOTIFY has no ordering rule in IKE_AUTH request",
    "could not decrypt payloads",
    "ignoring unprotected INFORMATIONAL from 198.51.100.2",
    "expected HASH payload as first payload",
    "received HASH payload does not match",
    "NOTIFY payload verification failed",
    "payload of type NOTIFY more than 64 times (65) occurred in current message",
    "no message rules specified for a IKE_AUTH request",
    "message parsing failed",
    "message verification failed",
    "integrity check failed",
    "found encrypted message, but no keys available",
    "IKE_AUTH request with message ID 1 processing failed",
    "critical unknown payloads found",
    "payload type UNKNOWN is not supported, but payload is critical!",
    "received retransmit of request with ID 2, retransmitting response",
    "received message ID 5, expected 3, ignored",
    "received IKE_AUTH response, but expected IKE_SA_INIT",
    "no IKE config found for 192.0.2.1...198.51.100.2, sending NO_PROPOSAL_CHOSEN",
    "ignoring INFORMATIONAL in IKE_SA state CONNECTING",
    "received CREATE_CHILD_SA request for unestablished IKE_SA, rejected",
    "received retransmit of response with ID 0, resending last request",
    "received retransmit of DPD request, retransmitting response",
    "ignoring fourth Quick Mode message",
    "queueing QUICK_MODE request as tasks still active",
    # -- 2.3 fragmentation --------------------------------------------------
    "splitting IKE message (3000 bytes) into 3 fragments",
    "splitting IKE message with length of 3000 bytes into 3 fragments",
    "generating IKE_AUTH request 1 [ EF(1/3) ]",
    "parsed IKE_AUTH response 1 [ EF(2/3) ]",
    "received fragment #1 of 3, waiting for complete IKE message",
    "received fragment #3 of 3, reassembled fragmented IKE message (2876 bytes)",
    "received fragment #3 of 3, reassembling fragmented IKE message",
    "received duplicate fragment #2",
    "fragmented IKE message is too large",
    "maximum fragment count exceeded",
    "failed to generate IKE fragment",
    "received fragment #1, waiting for complete IKE message",
    "received fragment #2, reassembled fragmented IKE message (1800 bytes)",
    # -- 2.4 NAT detection, keepalives, MOBIKE ------------------------------
    "local host is behind NAT, sending keep alives",
    "remote host is behind NAT",
    "faking NAT situation to enforce UDP encapsulation",
    "local host is not behind NAT anymore",
    "remote host is not behind NAT anymore",
    "sending keep alive to 198.51.100.2[4500]",
    "sending DPD instead of keep alive 20s after last outbound message",
    "unable to build NATD payloads, SHA1 not supported",
    "unable to determine source address, faking NAT situation",
    "unable to determine source address, disabling NAT-D",
    "no hasher available to build NAT-D payload",
    "peer supports MOBIKE",
    "peer supports MOBIKE, but disabled in config",
    "local endpoint changed from 192.0.2.1[4500] to 192.0.2.7[4500]",
    "remote endpoint changed from 198.51.100.2[4500] to 198.51.100.9[4500]",
    "remote address changed from 198.51.100.2 to 198.51.100.9",
    "sending address list update using MOBIKE",
    "requesting address change using MOBIKE",
    "checking if current path still works using DPD",
    "no route found to reach 198.51.100.2, MOBIKE update deferred",
    "checking path 192.0.2.1[4500] - 198.51.100.2[4500]",
    "detected changes in NAT mappings, initiating MOBIKE update",
    "looking for a route to 198.51.100.2 ...",
    "old path is not available anymore, try to find another",
    "reauthenticating IKE_SA due to address change",
    "path probing attempt 3",
    "giving up after 5 path probings",
    # -- 2.5 vendor IDs -------------------------------------------------------
    "received strongSwan vendor ID",
    "received Cisco Copyright (c) 2009 vendor ID",
    "received MS NT5 ISAKMPOAKLEY v9 vendor ID",
    "received NAT-T (RFC 3947) vendor ID",
    "received draft-ietf-ipsec-nat-t-ike-02\\n vendor ID",
    "received FRAGMENTATION vendor ID",
    "received unknown vendor ID: 4a:13:1c:81:07:95:83:21",
    # -- 2.6 proposals and key exchange ------------------------------------
    "selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048",
    "selected proposal: ESP:AES_GCM_16_256/NO_EXT_SEQ",
    "received proposals: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, "
    "IKE:3DES_CBC/HMAC_MD5_96/PRF_HMAC_MD5/MODP_1024",
    "configured proposals: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519",
    "no acceptable proposal found",
    "received proposals unacceptable",
    "received proposals inacceptable",
    "no matching proposal found, trying alternative config",
    "no proposal found",
    "no matching proposal found, sending NO_PROPOSAL_CHOSEN",
    "no matching proposal found",
    "algorithm 'aes999' not recognized",
    "a DH group is mandatory in IKE proposals",
    "a PRF algorithm is mandatory in IKE proposals",
    "key exchange method MODP_1024 unacceptable, requesting CURVE_25519",
    "DH group MODP_1024 inacceptable, requesting MODP_2048",
    "peer didn't accept key exchange method ECP_256, it requested MODP_2048",
    "already retried with key exchange method ECP_256, ignore requested MODP_2048",
    "configured key exchange method ML_KEM_768 not supported",
    "applying KE public value failed",
    "key exchange method in received payload ECP_256 doesn't match negotiated "
    "MODP_2048",
    # -- 2.7 IKE_SA start, peer config selection ----------------------------
    "initiating IKE_SA home[1] to 198.51.100.2",
    "198.51.100.2 is initiating IKE_SA (unnamed)[3]",
    "198.51.100.2 is initiating an IKE_SA",
    "initiating Main Mode IKE_SA home[1] to 198.51.100.2",
    "initiating Aggressive Mode IKE_SA home[2] to 198.51.100.2",
    "198.51.100.2 is initiating a Main Mode IKE_SA",
    "198.51.100.2 is initiating a Aggressive Mode IKE_SA",
    "looking for peer configs matching 192.0.2.1[moon.strongswan.org]..."
    "198.51.100.2[carol@strongswan.org]",
    "selected peer config 'rw'",
    "no matching peer config found",
    "selected peer config 'rw' unacceptable: non-matching authentication done",
    "selected peer config 'rw' inacceptable: insufficient authentication rounds",
    "switching to peer config 'rw-eap'",
    "no alternative config found",
    "peer requested EAP, config unacceptable",
    "received IDr moon.strongswan.org, but require sun.strongswan.org",
    "looking for pre-shared key peer configs matching 192.168.0.1...192.168.0.2[%any]",
    'selected peer config "rw"',
    "no peer config found",
    "found 2 matching configs, but none allows pre-shared key authentication "
    "using Main Mode",
    "found 1 matching config, but none allows RSA signature authentication "
    "using Aggressive Mode",
    f"no IDi configured, default to cert subject '{MOON}'",
    "no IDr configured, default to IP address 192.0.2.1",
    "no IDi configured, fall back on IP address",
    # -- 2.8 authentication ---------------------------------------------------
    "authentication of 'moon.strongswan.org' (myself) with "
    "RSA_EMSA_PKCS1_SHA2_256 successful",
    "authentication of 'moon.strongswan.org' (myself) with "
    "RSA_EMSA_PSS_SHA2_256_SALT_32 successful",
    "authentication of 'moon.strongswan.org' (myself) with RSA signature successful",
    "authentication of 'moon.strongswan.org' (myself) with ECDSA-256 signature failed",
    "authentication of 'moon.strongswan.org' (myself) failed",
    "no private key found for 'moon.strongswan.org'",
    "authentication of 'carol@strongswan.org' with ED25519 successful",
    f"authentication of '{MOON}' with ECDSA_WITH_SHA256_DER successful",
    "signature validation failed, looking for another key",
    "no trusted RSA public key found for 'carol@strongswan.org'",
    "no trusted ANY public key found for 'carol@strongswan.org'",
    "RSA signature authentication failed",
    "rejecting certificate without digitalSignature or nonRepudiation keyUsage flags",
    "authentication of 'carol@strongswan.org' (myself) with pre-shared key",
    "authentication of 'moon.strongswan.org' with pre-shared key successful",
    "no shared key found for 'moon.strongswan.org' - 'carol@strongswan.org'",
    "tried 2 shared keys for 'moon.strongswan.org' - 'carol@strongswan.org', "
    "but MAC mismatched",
    "tried 1 shared key for 'moon.strongswan.org' - 'carol@strongswan.org', "
    "but MAC mismatched",
    "initiating EAP_IDENTITY method (id 0x00)",
    "initiating EAP_MSCHAPV2 method (id 0x8E)",
    "initiating EAP vendor type 12-1234 method (id 0x01)",
    "received EAP identity 'carol'",
    "client did not send an EAP identity, assume IKE identity 'carol@strongswan.org'",
    "EAP method EAP_MSCHAPV2 succeeded, MSK established",
    "EAP method EAP_MD5 succeeded, no MSK established",
    "EAP vendor specific method 12-1234 succeeded, MSK established",
    "EAP vendor specific method 12-1234 succeeded, no MSK established",
    "EAP method EAP_MD5 failed for peer carol@strongswan.org",
    "received EAP_NAK, sending EAP_FAILURE",
    "received EAP_RESPONSE, sending EAP_FAILURE",
    "received invalid EAP response, sending EAP_FAILURE",
    "loading EAP_TLS method failed",
    "initiating EAP_TLS method failed",
    "EAP-Identity request configured, but not supported",
    "failed to establish MSK",
    "server requested EAP_IDENTITY (id 0x00), sending 'carol'",
    "server requested EAP_MSCHAPV2 authentication (id 0x01)",
    "server requested vendor specific EAP method 12-1234 (id 0x02)",
    "EAP_TLS not supported, sending EAP_NAK",
    "requesting EAP_MSCHAPV2 authentication, sending EAP_NAK",
    "EAP method not supported, sending EAP_NAK",
    "EAP_MSCHAPV2 method failed",
    "received EAP_FAILURE, EAP authentication failed",
    "authentication of 'carol' (myself) with EAP",
    "authentication of 'carol' with EAP successful",
    "verification of AUTH payload with EAP MSK failed",
    "verification of AUTH payload without EAP MSK failed",
    "EAP_TLS method selected",
    "received EAP_NAK, selecting a different EAP method",
    "no supported EAP method found",
    "peer does not support any other EAP methods",
    "EAP-MS-CHAPv2 username: 'carol'",
    "EAP-MS-CHAPv2 verification failed",
    "EAP-MS-CHAPv2 verification failed, retry (2)",
    "EAP-MS-CHAPv2 verification failed: maximum number of retries reached",
    "EAP-MS-CHAPv2 succeeded: 'Welcome2strongSwan'",
    "EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE: "
    "'E=691 R=1 C=00 V=3 M=Login failed'",
    "no EAP key found for hosts 'moon.strongswan.org' - 'carol'",
    "EAP-MD5 verification failed",
    "RADIUS authentication of 'carol' successful",
    "RADIUS authentication of 'carol' failed",
    "received group membership 'sales' from RADIUS",
    "phase2 method EAP_MD5 selected",
    "received tunneled EAP-TTLS AVP [EAP/EAP_RESPONSE/EAP_MD5]",
    "sending tunneled EAP-PEAP AVP [EAP/EAP_REQUEST/EAP_MSCHAPV2]",
    "EAP_PEAP phase2 authentication of 'carol' with EAP_MSCHAPV2 successful",
    "XAuth authentication of 'carol' successful",
    "XAuth authentication of 'carol' (myself) failed",
    "destroying IKE_SA after failed XAuth authentication",
    "no XAuth secret found for 'moon.strongswan.org' - 'carol'",
    "none of 2 found XAuth secrets for 'moon.strongswan.org' - 'carol' matched",
    "calculated HASH does not match HASH payload",
    "authentication of 'carol@strongswan.org' with RSA signature successful",
    "no shared key found for 'moon.strongswan.org'[192.0.2.1] - "
    "'carol@strongswan.org'[198.51.100.2]",
    "received AUTHENTICATION_FAILED notify error",
    "authorization hook forbids IKE_SA, canceling",
    "final authorization hook forbids IKE_SA, canceling",
    "canceling IKE_SA setup due to uniqueness policy",
    "cancelling IKE_SA setup due to uniqueness policy",
    "using PPK for PPK_ID 'ppk-carol'",
    "PPK required but no PPK found for 'ppk-carol'",
    "peer didn't use PPK for PPK_ID 'ppk-carol'",
    # -- 2.9 IKE_SA lifecycle ---------------------------------------------------
    "IKE_SA home[1] established between 192.0.2.1[moon.strongswan.org]..."
    "198.51.100.2[carol@strongswan.org]",
    f"IKE_SA rw[4] established between 192.0.2.1[{MOON}]...198.51.100.2[carol]",
    "scheduling rekeying in 14061s",
    "scheduling reauthentication in 3300s",
    "reauthentication already scheduled in 3000s",
    "maximum IKE_SA lifetime 15000s",
    "DPD not supported by peer, disabled",
    "received AUTH_LIFETIME of 3600s, scheduling reauthentication in 3300s",
    "received AUTH_LIFETIME of 3600s, starting reauthentication",
    "received AUTH_LIFETIME of 3600s, reauthentication already scheduled in 3000s",
    "rescheduling reauthentication in 3000s after rekeying, lifetime reduced to 3300s",
    "IKE_SA home[1] rekeyed between 192.0.2.1[moon.strongswan.org]..."
    "198.51.100.2[carol@strongswan.org]",
    "IKE_SA rekeying failed, trying again in 30 seconds",
    "detected IKE_REKEY collision with IKE_REKEY",
    "IKE_SA rekey collision won, waiting for delete for redundant IKE_SA home[2]",
    "IKE_SA rekey collision lost, deleting redundant IKE_SA home[3]",
    "peer initiated rekeying, but we are deleting",
    "peer seems to not support IKE rekeying, starting reauthentication",
    "reauthenticating IKE_SA home[1]",
    "reinitiating IKE_SA home[1]",
    "reauthenticating IKE_SA home[1] actively",
    "initiator did not reauthenticate as requested, IKE_SA home[1] will timeout "
    "in 30 seconds",
    "restarting CHILD_SA net",
    "reauthenticating IKE_SA failed",
    "unable to reauthenticate IKE_SA, no CHILD_SA to recreate",
    "detected reauth of existing IKE_SA, adopting 1 children, 0 child tasks, "
    "and 1 virtual IPs",
    "detected reauth of existing IKE_SA, adopting 2 children and 1 virtual IPs",
    "deleting duplicate IKE_SA for peer 'carol@strongswan.org' due to "
    "uniqueness policy",
    "destroying duplicate IKE_SA for peer 'carol@strongswan.org', received "
    "INITIAL_CONTACT",
    "schedule delete of duplicate IKE_SA for peer 'carol@strongswan.org' due to "
    "uniqueness policy and suspected reauthentication",
    "deleting IKE_SA home[1] between 192.0.2.1[moon.strongswan.org]..."
    "198.51.100.2[carol@strongswan.org]",
    "sending DELETE for IKE_SA home[1]",
    "received DELETE for IKE_SA home[1]",
    "IKE_SA deleted",
    "deleting unestablished IKE_SA",
    "destroying IKE_SA in state CONNECTING without notification",
    "deleting half open IKE_SA (unnamed)[4] with 198.51.100.2 after timeout",
    "deleting half open IKE_SA with 198.51.100.2 after timeout",
    "peer did not initiate expected exchange, reestablishing IKE_SA",
    "deleting IKE_SA after 300 seconds of CHILD_SA inactivity",
    "deleting CHILD_SA after 300 seconds of inactivity",
    "abort IKE_SA initiation, half open IKE_SA count of 30 exceeds limit of 30",
    "unable to terminate IKE_SA: ID 7 not found",
    # -- 2.10 CHILD_SA lifecycle --------------------------------------------
    "establishing CHILD_SA net{1}",
    "establishing CHILD_SA net{2} reqid 1",
    "CHILD_SA net{1} established with SPIs c1a2b3c4_i c5d6e7f8_o and TS "
    "10.1.0.0/16 === 10.3.0.1/32",
    "inbound CHILD_SA net{2} established with SPIs c1a2b3c5_i c5d6e7f9_o and TS "
    "10.1.0.0/16 192.168.0.0/24 === 10.3.0.1/32",
    "outbound CHILD_SA net{2} established with SPIs c1a2b3c5_i c5d6e7f9_o and TS "
    "dynamic === 0.0.0.0/0[udp/isakmp]",
    "rekeyed CHILD_SA net{1} with SPIs c1a2b3c4_i c5d6e7f8_o with net{2} with "
    "SPIs c1a2b3c5_i c5d6e7f9_o",
    "closing CHILD_SA net{1} with SPIs c1a2b3c4_i (84 bytes) c5d6e7f8_o "
    "(168 bytes) and TS 10.1.0.0/16 === 10.3.0.1/32",
    "closing expired CHILD_SA net{1} with SPIs c1a2b3c4_i c5d6e7f8_o and TS "
    "10.1.0.0/16 === 10.3.0.1/32",
    "sending DELETE for ESP CHILD_SA with SPI c1a2b3c4",
    "received DELETE for AH CHILD_SA with SPI c5d6e7f8",
    "received DELETE for unknown ESP CHILD_SA with SPI 0a0b0c0d",
    "CHILD_SA net{1} closed",
    "CHILD_SA closed",
    "CHILD_SA not found, ignored",
    "no acceptable traffic selectors found",
    "traffic selectors 10.1.0.0/16 === 10.9.0.0/16 unacceptable",
    "traffic selectors 10.1.0.0/16 === 10.9.0.0/16 inacceptable",
    "received TS_UNACCEPTABLE notify, no CHILD_SA built",
    "failed to establish CHILD_SA, keeping IKE_SA",
    "closing IKE_SA due CHILD_SA setup failure",
    "unable to install IPsec policies (SPD) in kernel",
    "unable to install inbound and outbound IPsec SA (SAD) in kernel",
    "creating CHILD_SA failed, trying again in 30 seconds",
    "configuration payload negotiation failed, no CHILD_SA built",
    "not using transport mode, not host-to-host",
    "unable to allocate SPI from kernel",
    "unable to allocate SPIs from kernel",
    "no matching CHILD_SA config found for 10.1.0.0/16 === 10.3.0.0/24",
    "peer selected invalid traffic selectors: 10.1.0.0/16 for 10.1.0.0/24, "
    "10.3.0.1/32 for 10.3.0.1/32",
    "received 1200s lifetime, configured 3600s",
    "detected rekeying of CHILD_SA net{1}",
    "detected redundant CHILD_SA net{2}",
    "CHILD_SA rekeying failed, trying again in 30 seconds",
    "detected rekey collision for CHILD_SA net{1}",
    "CHILD_SA rekey collision won, deleting old child net{1}",
    "CHILD_SA rekey collision lost, deleting redundant child net{2}",
    "peer seems to not support CHILD_SA rekeying, starting reauthentication",
    "unable to rekey, ESP CHILD_SA with SPI c1a2b3c4 not found",
    "installing trap failed",
    "ignoring acquire for reqid 1, connection attempt pending",
    "start action: initiate 'net'",
    "start action: route 'net'",
    "CHILD_SA ESP/0xc1a2b3c4/192.0.2.1 not found for rekey",
    "CHILD_SA ESP/0xc1a2b3c4/192.0.2.1 not found for delete",
    # -- 2.11 virtual IPs, attributes, pools --------------------------------
    "peer requested virtual IP %any",
    "peer requested virtual IP %any6",
    "assigning virtual IP 10.3.0.1 to peer 'carol@strongswan.org'",
    "no virtual IP found for %any requested by 'carol@strongswan.org'",
    "no virtual IP found, sending INTERNAL_ADDRESS_FAILURE",
    "expected a virtual IP request, sending FAILED_CP_REQUIRED",
    "installing new virtual IP 10.3.0.1",
    "installing virtual IP 10.3.0.1 failed",
    "handling INTERNAL_IP4_DNS attribute failed",
    "assigning new lease to 'carol@strongswan.org'",
    "reassigning offline lease to 'carol@strongswan.org'",
    "reassigning online lease to 'carol@strongswan.org'",
    "reassigning existing offline lease by 'carol@strongswan.org' to "
    "'dave@strongswan.org'",
    "pool 'rw_pool' is full, unable to assign address",
    "lease 10.3.0.1 by 'carol@strongswan.org' went offline",
    "virtual IP pool too large, limiting to 10.0.0.0/8",
    "virtual IP pool 10.3.0.0/32 is empty",
    "added vici pool rw_pool: 10.3.0.0, 254 entries",
    "updated vici pool rw_pool: 10.3.0.0, 254 entries",
    "replaced vici pool rw_pool: 10.3.0.0, 126 entries",
    "vici pool rw_pool has 2 online leases, unable to replace",
    "vici pool rw_pool has 1 online leases, unable to unload",
    "unloaded vici pool rw_pool",
    "acquired existing lease for address 10.3.0.1 in pool 'bigpool'",
    "acquired new lease for address 10.3.0.2 in pool 'bigpool'",
    "no available address found in pool 'bigpool'",
    "loaded 3 entries for attr plugin configuration",
    "loaded 1 entry for attr plugin configuration",
    "installing DNS server 10.3.0.53 via resolvconf",
    "installing DNS server 10.3.0.53 to /etc/resolv.conf",
    "removing DNS server 10.3.0.53 via resolvconf",
    "sending DHCP DISCOVER for 7a:a7:8f:12:34:56 to 10.1.0.255",
    "received DHCP OFFER 10.1.0.50 from 10.1.0.1",
    "sending DHCP REQUEST for 10.1.0.50 to 10.1.0.1",
    "received DHCP ACK for 10.1.0.50",
    "DHCP DISCOVER timed out",
    # -- 2.12 DPD, liveness, INFORMATIONAL ----------------------------------
    "sending DPD request",
    "generating INFORMATIONAL request 2 [ ]",
    "parsed INFORMATIONAL response 2 [ ]",
    "parsed INFORMATIONAL_V1 request 3561234511 [ HASH N(DPD_ACK) ]",
    "received invalid DPD sequence number 5 (expected 4), ignored",
    "DPD check timed out, enforcing DPD action",
    "received INVALID_ID_INFORMATION error notify",
    "received INITIAL_CONTACT notify",
    "received UNITY_LOAD_BALANCE notify, redirected to 192.0.2.9",
    # -- 2.13 retransmissions and timeouts ----------------------------------
    "retransmit 1 of request with message ID 0",
    "giving up after 5 retransmits",
    "sending retransmit 1 of request message ID 0, seq 1",
    "sending retransmit 2 of response message ID 3417895744, seq 3",
    "peer not responding, trying again (2/3)",
    "establishing IKE_SA failed, peer not responding",
    "reauthentication failed, trying to reestablish IKE_SA",
    "proper IKE_SA delete failed, peer not responding",
    "delete during reauthentication failed, trying to reestablish IKE_SA anyway",
    "rekeying IKE_SA failed, peer not responding",
    "no route found to reach peer, MOBIKE update deferred",
    "no route found to reach peer, path probing deferred",
    "giving up after 5 retries",
    "unable to resolve moon.strongswan.org, initiate aborted",
    "unable to resolve moon.strongswan.org, retrying in 30s",
    # -- 2.14 notify errors -------------------------------------------------
    "received NO_PROPOSAL_CHOSEN notify error",
    "received INVALID_SYNTAX notify error",
    "received INTERNAL_ADDRESS_FAILURE notify error",
    "received FAILED_CP_REQUIRED notify error",
    "received TEMPORARY_FAILURE notify error",
    "received (12345) notify error",
    "received SECURE PASSWORD_METHOD notify error",
    "received INVALID_SYNTAX notify error, destroying IKE_SA",
    "received ADDITIONAL_TS_POSSIBLE notify",
    "received COOKIE notify during rekeying, ignored",
    "ignore response with duplicate COOKIE notify",
    "client got redirected from 192.0.2.1",
    "redirected to 192.0.2.9",
    "redirected to vpn2.strongswan.org",
    "redirecting peer to 192.0.2.9",
    "received invalid REDIRECT notify",
    "received NO_PROPOSAL_CHOSEN error notify",
    # -- 2.15 certificates and revocation -----------------------------------
    f'sending cert request for "{ROOT_CA}"',
    f'received cert request for "{ROOT_CA}"',
    f"received cert request for '{ROOT_CA}'",
    "received 2 cert requests for an unknown ca",
    f'received end entity cert "{MOON}"',
    f'received issuer cert "{ROOT_CA}"',
    f'sending end entity cert "{MOON}"',
    f'sending issuer cert "{ROOT_CA}"',
    f'received CRL "{ROOT_CA}"',
    'received hash-and-url for end entity cert "http://certs.strongswan.org/moon.der"',
    'sending hash-and-url "http://certs.strongswan.org/moon.der"',
    f'received OCSP response issued by "{ROOT_CA}"',
    f'received attribute certificate issued by "{ROOT_CA}"',
    f'  using certificate "{MOON}"',
    f'  using trusted certificate "{MOON}"',
    f'  using trusted ca certificate "{ROOT_CA}"',
    f'  using trusted intermediate ca certificate "{ROOT_CA}"',
    f'  using untrusted intermediate certificate "{ROOT_CA}"',
    "  reached self-signed root ca with a path length of 0",
    f'  self-signed certificate "{ROOT_CA}" is not trusted',
    f'no issuer certificate found for "{MOON}"',
    f'  issuer is "{ROOT_CA}"',
    "maximum path length of 7 exceeded",
    f"subject certificate invalid (valid from {TIME} to {TIME2})",
    f"issuer certificate invalid (valid from {TIME} to {TIME2})",
    f'  rejecting trusted certificate "{MOON}"',
    f'checking certificate status of "{MOON}"',
    "  requesting ocsp status from 'http://ocsp.strongswan.org:8880' ...",
    f'  ocsp response correctly signed by "{ROOT_CA}"',
    f"  ocsp response is valid: until {TIME2}",
    f"  ocsp response is stale: since {TIME}",
    "ocsp check failed, fallback to crl",
    "  fetching crl from 'http://crl.strongswan.org/strongswan.crl' ...",
    "  using cached crl",
    f'  crl correctly signed by "{ROOT_CA}"',
    f"  crl is valid: until {TIME2}",
    f"  crl is stale: since {TIME}",
    f"certificate was revoked on {TIME2}, reason: key compromise",
    "certificate status is good",
    "certificate status is not available",
    "certificate status is unknown, crl is stale",
    "crl fetching failed",
    f"constraint check failed: peer not authenticated by CA '{ROOT_CA}'",
    "constraint check failed: identity 'carol@strongswan.org' required",
    "constraint requires public key authentication, but pre-shared key was used",
    f"peer certificate invalid (valid from {TIME} to {TIME2})",
    "peer certificate successfully verified",
    "peer certificate verification failed, deleting SA",
    f"loaded certificate '{MOON}'",
    "loaded RSA private key",
    "loaded IKE shared key for: 'moon.strongswan.org', 'carol@strongswan.org'",
    "loaded EAP shared key with id 'eap-carol' for: 'carol'",
    "unloaded private key with id 3a7f09c1d2e4",
    # -- 2.16 kernel, SA install failures, updown ---------------------------
    "unable to add SAD entry with SPI c1a2b3c4 (FAILED)",
    "unable to delete SAD entry with SPI c1a2b3c4",
    "unable to update SAD entry with SPI c1a2b3c4",
    "unable to add policy 10.1.0.0/16 === 10.3.0.1/32 out",
    "unable to update policy 10.1.0.0/16 === 10.3.0.1/32 in",
    "unable to delete policy 10.1.0.0/16 === 10.3.0.1/32 fwd",
    "deleting policy 10.1.0.0/16 === 10.3.0.1/32 in failed, not found",
    "policy already exists, try to update it",
    "unable to get SPI",
    "unable to install source route for 10.3.0.1",
    "received netlink error: No such process (3)",
    "updown: iptables: No chain/target/match by that name.",
    "error reading from updown script",
    # -- 2.17 vici / control plane -------------------------------------------
    "vici initiate CHILD_SA 'net'",
    "vici initiate IKE_SA 'home'",
    "vici terminate IKE_SA 'home'",
    "vici terminate IKE_SA #3",
    "vici terminate IKE_SA 'home' #3",
    "vici terminate CHILD_SA 'net' of IKE_SA 'home'",
    "vici rekey CHILD_SA #5",
    "vici install 'net'",
    "vici uninstall 'net'",
    "vici redirect IKE_SA 'home' to 'moon2.strongswan.org'",
    "added vici connection: home",
    "updated vici connection: home",
    "replaced vici connection: home",
    "removed vici connection: home",
    "vici initiating 'net'",
    "vici installing 'net'",
    "vici uninstalling 'net'",
    "vici closing IKE_SA 'home' #1",
    "vici closing CHILD_SA 'net' #2",
    "initiating 'net'",
    "installing 'net'",
    "closing 'net' #2",
    "closing IKE_SA #1",
    # -- 2.18 daemon start-up ------------------------------------------------
    "Starting IKE charon daemon (strongSwan 6.0.6, Linux 6.1.0-18-amd64, x86_64)",
    "Starting charon-systemd IKE daemon (strongSwan 5.9.11, Linux 6.1.0, x86_64)",
    "loaded plugins: charon aes des rc2 sha2 sha1 md5 random nonce x509 openssl",
    "spawning 16 worker threads",
    "signal of type SIGHUP received. Reloading configuration",
    "SIGTERM received, shutting down",
    "SIGINT received, shutting down",
]


@pytest.mark.parametrize("text", EXAMPLES)
def test_template_is_recognised(text: str) -> None:
    body = parse_message(text)
    assert not isinstance(body, ev.Unrecognized), text


def test_examples_are_unique() -> None:
    assert len(EXAMPLES) == len(set(EXAMPLES))


# (message text, expected body class, some expected field values) for the
# families the replay and the findings build on.
TYPED: list[tuple[str, type[ev.Body], dict[str, Any]]] = [
    # 2.1 packets
    (
        "sending packet: from 192.0.2.1[500] to 198.51.100.2[500] (464 bytes)",
        ev.Packet,
        {"inbound": False, "src": ev.Endpoint("192.0.2.1", 500), "size": 464},
    ),
    (
        "received packet: from 2001:db8::2[500] to 2001:db8::1[500] (1232 bytes)",
        ev.Packet,
        {"inbound": True, "src": ev.Endpoint("2001:db8::2", 500)},
    ),
    (
        "ignoring IKE_SA setup from 198.51.100.2, half-open IKE_SA limit of 100 "
        "reached",
        ev.SetupIgnored,
        {"host": "198.51.100.2"},
    ),
    # 2.2 summaries
    (
        "parsed IKE_AUTH response 1 [ IDr AUTH CPRP(ADDR) SA TSi TSr N(AUTH_LFT) ]",
        ev.Message,
        {"inbound": True, "exchange": "IKE_AUTH", "is_request": False},
    ),
    (
        "generating QUICK_MODE request 3417895744 [ HASH SA No ID ID ]",
        ev.Message,
        {"message_id": 3417895744, "payloads": ("HASH", "SA", "No", "ID", "ID")},
    ),
    (
        "generating INFORMATIONAL request 2 [ ]",
        ev.Message,
        {"exchange": "INFORMATIONAL", "payloads": ()},
    ),
    # 2.3 fragments
    (
        "splitting IKE message (3000 bytes) into 3 fragments",
        ev.FragmentSplit,
        {"size": 3000, "count": 3},
    ),
    (
        "received fragment #3 of 3, reassembled fragmented IKE message (2876 bytes)",
        ev.FragmentReceived,
        {"number": 3, "total": 3, "reassembled": True, "size": 2876},
    ),
    (
        "received fragment #1, waiting for complete IKE message",
        ev.FragmentReceived,
        {"number": 1, "total": None, "reassembled": False},
    ),
    # 2.4 NAT, MOBIKE
    (
        "local host is behind NAT, sending keep alives",
        ev.NatDetected,
        {"local": True, "behind": True},
    ),
    (
        "remote host is not behind NAT anymore",
        ev.NatDetected,
        {"local": False, "behind": False},
    ),
    (
        "faking NAT situation to enforce UDP encapsulation",
        ev.NatDetected,
        {"faked": True},
    ),
    (
        "remote endpoint changed from 198.51.100.2[4500] to 198.51.100.9[4500]",
        ev.EndpointChanged,
        {"local": False, "old": "198.51.100.2[4500]", "new": "198.51.100.9[4500]"},
    ),
    # 2.5 vendor IDs
    (
        "received Cisco Copyright (c) 2009 vendor ID",
        ev.VendorId,
        {"name": "Cisco Copyright (c) 2009"},
    ),
    (
        "received draft-ietf-ipsec-nat-t-ike-02\\n vendor ID",
        ev.VendorId,
        {"name": "draft-ietf-ipsec-nat-t-ike-02\\n"},
    ),
    (
        "received unknown vendor ID: 4a:13:1c:81:07:95:83:21",
        ev.VendorId,
        {"name": None, "hex": "4a:13:1c:81:07:95:83:21"},
    ),
    # 2.6 proposals
    (
        "selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/"
        "MODP_2048",
        ev.ProposalSelected,
        {"proposal": "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"},
    ),
    (
        "received proposals: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, "
        "IKE:3DES_CBC/HMAC_MD5_96/PRF_HMAC_MD5/MODP_1024",
        ev.ProposalList,
        {"received": True},
    ),
    ("no acceptable proposal found", ev.ProposalNone, {}),
    (
        "no matching proposal found, sending NO_PROPOSAL_CHOSEN",
        ev.ProposalNone,
        {},
    ),
    (
        "key exchange method MODP_1024 unacceptable, requesting CURVE_25519",
        ev.KeMethodRejected,
        {"local_rejects": True, "offered": "MODP_1024", "requested": "CURVE_25519"},
    ),
    (
        "peer didn't accept key exchange method ECP_256, it requested MODP_2048",
        ev.KeMethodRejected,
        {"local_rejects": False, "offered": "ECP_256", "requested": "MODP_2048"},
    ),
    # 2.7 initiation, peer configs
    (
        "initiating Main Mode IKE_SA home[1] to 198.51.100.2",
        ev.LocalInitiating,
        {"sa_name": "home", "sa_uid": 1, "host": "198.51.100.2", "mode": "Main"},
    ),
    (
        "198.51.100.2 is initiating IKE_SA (unnamed)[3]",
        ev.PeerInitiating,
        {"host": "198.51.100.2", "sa_name": "(unnamed)", "sa_uid": 3},
    ),
    (
        "198.51.100.2 is initiating a Aggressive Mode IKE_SA",
        ev.PeerInitiating,
        {"mode": "Aggressive"},
    ),
    ("selected peer config 'rw'", ev.PeerCfgSelected, {"name": "rw"}),
    ('selected peer config "rw"', ev.PeerCfgSelected, {"name": "rw"}),
    ("no matching peer config found", ev.PeerCfgProblem, {"missing": True}),
    # 2.8 authentication, EAP
    (
        "authentication of 'moon.strongswan.org' (myself) with "
        "RSA_EMSA_PKCS1_SHA2_256 successful",
        ev.AuthResult,
        {
            "identity": "moon.strongswan.org",
            "myself": True,
            "method": "RSA_EMSA_PKCS1_SHA2_256",
            "success": True,
        },
    ),
    (
        "authentication of 'moon.strongswan.org' (myself) with ECDSA-256 "
        "signature failed",
        ev.AuthResult,
        {"method": "ECDSA-256 signature", "success": False},
    ),
    (
        "authentication of 'carol@strongswan.org' (myself) with pre-shared key",
        ev.AuthResult,
        {"myself": True, "method": "pre-shared key", "success": None},
    ),
    (
        "XAuth authentication of 'carol' (myself) failed",
        ev.AuthResult,
        {"identity": "carol", "myself": True, "success": False, "xauth": True},
    ),
    (
        "tried 2 shared keys for 'moon.strongswan.org' - 'carol@strongswan.org', "
        "but MAC mismatched",
        ev.AuthProblem,
        {"what": "psk_mismatch"},
    ),
    (
        "initiating EAP_MSCHAPV2 method (id 0x8E)",
        ev.EapStep,
        {"step": "initiate", "method": "EAP_MSCHAPV2"},
    ),
    (
        "received EAP identity 'carol'",
        ev.EapStep,
        {"step": "identity", "identity": "carol"},
    ),
    (
        "server requested EAP_IDENTITY (id 0x00), sending 'carol'",
        ev.EapStep,
        {"step": "requested", "method": "EAP_IDENTITY", "identity": "carol"},
    ),
    (
        "EAP method EAP_MSCHAPV2 succeeded, MSK established",
        ev.EapStep,
        {"step": "success", "method": "EAP_MSCHAPV2"},
    ),
    (
        "received EAP_FAILURE, EAP authentication failed",
        ev.EapStep,
        {"step": "failure", "method": "EAP_FAILURE"},
    ),
    # 2.9 IKE_SA lifecycle
    (
        f"IKE_SA rw[4] established between 192.0.2.1[{MOON}]...198.51.100.2[carol]",
        ev.IkeSaLine,
        {
            "event": "established",
            "sa_name": "rw",
            "sa_uid": 4,
            "local": ev.Peer("192.0.2.1", MOON),
            "remote": ev.Peer("198.51.100.2", "carol"),
        },
    ),
    (
        "deleting IKE_SA home[1] between 192.0.2.1[moon.strongswan.org]..."
        "198.51.100.2[carol@strongswan.org]",
        ev.IkeSaLine,
        {"event": "deleting", "sa_uid": 1},
    ),
    ("IKE_SA deleted", ev.IkeDeleted, {}),
    (
        "scheduling rekeying in 14061s",
        ev.IkeSchedule,
        {"what": "rekeying", "seconds": 14061},
    ),
    (
        "received DELETE for IKE_SA home[1]",
        ev.DeleteNotice,
        {"inbound": True, "protocol": "IKE", "sa_name": "home", "sa_uid": 1},
    ),
    (
        "deleting half open IKE_SA with 198.51.100.2 after timeout",
        ev.IkeFailure,
        {"what": "half_open_timeout", "host": "198.51.100.2"},
    ),
    # 2.10 CHILD_SA lifecycle
    (
        "establishing CHILD_SA net{2} reqid 1",
        ev.ChildEstablishing,
        {"sa_name": "net", "sa_uid": 2, "reqid": 1},
    ),
    (
        "inbound CHILD_SA net{2} established with SPIs c1a2b3c5_i c5d6e7f9_o and TS "
        "10.1.0.0/16 192.168.0.0/24 === 10.3.0.1/32",
        ev.ChildSaLine,
        {
            "event": "established",
            "spi_in": "c1a2b3c5",
            "spi_out": "c5d6e7f9",
            "ts_local": ("10.1.0.0/16", "192.168.0.0/24"),
            "ts_remote": ("10.3.0.1/32",),
            "variant": "inbound",
        },
    ),
    (
        "closing CHILD_SA net{1} with SPIs c1a2b3c4_i (84 bytes) c5d6e7f8_o "
        "(168 bytes) and TS 10.1.0.0/16 === 10.3.0.1/32",
        ev.ChildSaLine,
        {"event": "closing", "bytes_in": 84, "bytes_out": 168},
    ),
    (
        "rekeyed CHILD_SA net{1} with SPIs c1a2b3c4_i c5d6e7f8_o with net{2} with "
        "SPIs c1a2b3c5_i c5d6e7f9_o",
        ev.ChildRekeyed,
        {"old_uid": 1, "new_uid": 2, "new_spis": ("c1a2b3c5", "c5d6e7f9")},
    ),
    (
        "sending DELETE for ESP CHILD_SA with SPI c1a2b3c4",
        ev.DeleteNotice,
        {"inbound": False, "protocol": "ESP", "spi": "c1a2b3c4"},
    ),
    ("CHILD_SA net{1} closed", ev.ChildClosed, {"sa_name": "net", "sa_uid": 1}),
    (
        "traffic selectors 10.1.0.0/16 === 10.9.0.0/16 unacceptable",
        ev.ChildProblem,
        {"what": "ts_unacceptable", "ts_local": ("10.1.0.0/16",)},
    ),
    (
        "unable to install inbound and outbound IPsec SA (SAD) in kernel",
        ev.ChildProblem,
        {"what": "install_failed"},
    ),
    # 2.11 virtual IPs, leases
    (
        "peer requested virtual IP %any",
        ev.VirtualIp,
        {"what": "requested", "address": "%any"},
    ),
    (
        "assigning virtual IP 10.3.0.1 to peer 'carol@strongswan.org'",
        ev.VirtualIp,
        {"what": "assigned", "address": "10.3.0.1"},
    ),
    (
        "reassigning online lease to 'carol@strongswan.org'",
        ev.Lease,
        {"online": True, "identity": "carol@strongswan.org"},
    ),
    (
        "lease 10.3.0.1 by 'carol@strongswan.org' went offline",
        ev.Lease,
        {"online": False, "identity": "carol@strongswan.org"},
    ),
    (
        "no virtual IP found, sending INTERNAL_ADDRESS_FAILURE",
        ev.VipProblem,
        {},
    ),
    # 2.13 retransmissions
    (
        "retransmit 1 of request with message ID 0",
        ev.Retransmit,
        {"count": 1, "is_request": True, "message_id": 0},
    ),
    (
        "sending retransmit 2 of response message ID 3417895744, seq 3",
        ev.Retransmit,
        {"count": 2, "is_request": False, "message_id": 3417895744},
    ),
    ("giving up after 5 retransmits", ev.GiveUp, {}),
    # 2.14 notify errors
    (
        "received NO_PROPOSAL_CHOSEN notify error",
        ev.NotifyError,
        {"child": False},
    ),
    (
        "received TS_UNACCEPTABLE notify, no CHILD_SA built",
        ev.NotifyError,
        {"child": True},
    ),
    (
        "received AUTHENTICATION_FAILED notify error",
        ev.NotifyError,
        {},
    ),
    (
        "received NO_PROPOSAL_CHOSEN error notify",
        ev.NotifyError,
        {"notify": "NO_PROPOSAL_CHOSEN", "error": True},
    ),
    (
        "received SECURE PASSWORD_METHOD notify error",
        ev.NotifyError,
        {"notify": "SECURE PASSWORD_METHOD"},
    ),
    (
        "received (12345) notify error",
        ev.NotifyError,
        {"notify": "(12345)"},
    ),
    (
        "received INVALID_SYNTAX notify error, destroying IKE_SA",
        ev.NotifyError,
        {"notify": "INVALID_SYNTAX", "error": True},
    ),
    (
        "received ADDITIONAL_TS_POSSIBLE notify",
        ev.NotifyError,
        {"notify": "ADDITIONAL_TS_POSSIBLE", "error": False},
    ),
    # 2.15 certificates
    (
        f"received cert request for '{ROOT_CA}'",
        ev.CertRequest,
        {"inbound": True, "subject": ROOT_CA},
    ),
    # 2.8 EAP failures that were free text before
    (
        "loading EAP_TLS method failed",
        ev.EapStep,
        {"step": "failure", "method": "EAP_TLS"},
    ),
    (
        "initiating EAP_TLS method failed",
        ev.EapStep,
        {"step": "failure", "method": "EAP_TLS"},
    ),
    # 2.13 IKE_SA give-ups
    (
        "rekeying IKE_SA failed, peer not responding",
        ev.IkeFailure,
        {"what": "peer_not_responding"},
    ),
    (
        "received invalid IKE header from 198.51.100.2 - ignored",
        ev.IkeFailure,
        {"what": "message_failed", "host": "198.51.100.2"},
    ),
]


@pytest.mark.parametrize(("text", "cls", "fields"), TYPED)
def test_typed_body(text: str, cls: type[ev.Body], fields: dict[str, Any]) -> None:
    body = parse_message(text)
    assert isinstance(body, cls), (text, body)
    for name, value in fields.items():
        assert getattr(body, name) == value, (text, name, body)


def test_typed_examples_are_listed() -> None:
    listed = set(EXAMPLES)
    missing = [text for text, _, _ in TYPED if text not in listed]
    assert not missing
