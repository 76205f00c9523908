"""Redaction: copies of logs that can be shared but still analyzed.

Public IP addresses, host names, identities, EAP user names, certificate
subjects and key material are replaced by pseudonyms. The same value
gets the same pseudonym everywhere (in one file and across the files of
one :class:`Redactor`), so the replay still pairs requests with
responses, finds the same SAs and makes the same findings.

How it works, in two passes over the lines:

1. :meth:`Redactor.learn` reads every line as ikelog does (events) and
   collects the identifying values the messages carry: identities,
   subjects, EAP names, lease owners, secret ids. Addresses and host
   names are found by pattern, so they need no learning.
2. :meth:`Redactor.redact` replaces learned values (longest first), then
   addresses, host names in syslog prefixes and hex dumps.

Pseudonyms keep what analysis needs: an IPv4 address stays IPv4, an
IPv6 address IPv6; private, loopback and link-local addresses stay in
their class (private ones are kept as they are: they identify nobody);
a host name stays a host name and an e-mail identity an e-mail identity.
Public IPv4 addresses become addresses of the documentation networks
(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), then of 198.18.0.0/15;
public IPv6 ones addresses of 2001:db8::/32. A name holding a public
address (``conn-198.51.100.14``) gets a neutral tag instead
(``conn-addr1``). Journal fields naming the machine (``_MACHINE_ID``,
``_BOOT_ID``, ``_STREAM_ID``, ``_HOSTNAME``) get pseudonyms of the same
form; unit and slice names (``strongswan.service``) are kept.
Pseudonyms never equal a value seen in the input (an address in any
spelling).

This module is sans-IO except for :func:`redact_files`, the thin shell
the ``ikelog redact`` command uses.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from . import events as ev
from .sources import EventReader, InputError, open_text

_IPV4 = re.compile(r"(?<![\w:])(?<!\w\.)(?:\d{1,3}\.){3}\d{1,3}(?!\.?\w)")
_IPV6 = re.compile(
    r"(?<![\w:])(?<!\w\.)[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:]|\.\d)"
)
#: An IPv6 address ending in a dotted quad (``::ffff:198.51.100.7``).
_IPV6_V4 = re.compile(
    r"(?<![\w:])(?<!\w\.)(?P<head>(?:[0-9A-Fa-f]{0,4}:){2,6})"
    r"(?P<v4>(?:\d{1,3}\.){3}\d{1,3})(?!\.?\w)"
)
#: Colon-separated byte pairs (serials, key ids): hex, never an address.
_HEX_PAIRS = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){3,}")
_HOSTNAME = re.compile(
    r"(?<![\w@-])(?<!\w\.)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?P<tld>[A-Za-z]{2,24})(?![\w-])"
)
_EMAIL = re.compile(
    r"(?<![\w.+'-])[\w.+-](?:[\w.+'-]*[\w.+-])?@[A-Za-z0-9.-]+\.[A-Za-z]{2,24}"
)
#: The time stamps a syslog or journalctl line starts with: BSD
#: (``Dec  3 16:23:27``, short-precise ``Dec 03 16:23:27.123456``), ISO
#: (short-iso, short-iso-precise), short-full (``Thu 2026-12-03 17:06:23
#: UTC``), short-monotonic and short-delta (``[ 3243.124755]``,
#: ``[ 3243.124755 <    0.005>]``) and short-unix (``1796317583.445275``).
_SYSLOG_HOST = re.compile(
    r"^(?P<ts>(?:\w{3} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?"
    r"|\d{4}-\d\d-\d\dT\S+"
    r"|\w{3},? \d{4}-\d\d-\d\d,?(?: \d\d:\d\d:\d\d(?:\.\d+)?)?"
    r"(?: [A-Z][A-Za-z]{1,5}| [+-]\d\d:?\d\d)?"
    r"|\[\s*\d+\.\d+(?:\s*<\s*\d+\.\d+>)?\]"
    r"|\d{9,}\.\d+)) (?P<host>[A-Za-z][\w.-]*)"
    r"(?= \w+\.\w+ | [\w./@-]+(?:\[\d+\])?: )"
)
_HEX_RUN = re.compile(r"(?<![\w:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){4,}(?![\w:])")
#: A row of a charon hex dump (``%B``): offset, up to 16 bytes, padding and
#: the bytes as ASCII (``  16: 4B 21 61 6C ...  K!al...``).
_HEX_DUMP = re.compile(
    r"^(?P<head>(?:.*?\s)?\d+: )(?P<bytes>[0-9A-F]{2}(?: [0-9A-F]{2}){0,15})"
    r"(?P<rest>(?: {2,}.*)?)$"
)
_ID_VALUE = re.compile(r"\((?:ID_\w+|\w+_ID): (?P<v>[^)]+)\)")
_DN_VALUE = r"(?:[^=,\\]|\\.)+"
_DN = re.compile(rf"[A-Za-z][\w.]*={_DN_VALUE}(?:, ?[A-Za-z][\w.]*={_DN_VALUE})*")
_QUOTED = re.compile(r"'([^']{1,200})'|\"([^\"]{1,200})\"")
#: The message of a JSON line (journal ``MESSAGE``, strongSwan 6 ``msg``).
_JSON_MESSAGE = re.compile(r'"(?:MESSAGE|msg|message)"\s*:\s*"(?P<v>(?:[^"\\]|\\.)*)"')
#: Syslog facilities: ``daemon.info`` is a facility and a priority.
_FACILITIES = frozenset(
    [
        "kern",
        "user",
        "mail",
        "daemon",
        "auth",
        "syslog",
        "lpr",
        "news",
        "uucp",
        "cron",
        "authpriv",
        "ftp",
    ]
    + [f"local{n}" for n in range(8)]
)

#: Name endings that are files or software, not hosts.
_NOT_TLD = frozenset(
    [
        "conf",
        "log",
        "so",
        "pem",
        "der",
        "crt",
        "key",
        "txt",
        "gz",
        "xz",
        "bz2",
        "zst",
        "json",
        "py",
        "c",
        "h",
        "ko",
        "d",
        "service",
        "slice",
        "scope",
        "path",
        "swap",
        "device",
        "automount",
        "socket",
        "timer",
        "target",
        "mount",
        "secrets",
        "db",
        "sqlite",
        "lark",
        "toml",
        "yaml",
        "yml",
        "cfg",
        "ini",
        "debug",
        "err",
        "warn",
        "notice",
        "crit",
        "alert",
        "emerg",
        "auth",
        "daemon",
        "kern",
        "user",
        "strongswan",
        "charon",
        "swanctl",
    ]
)

#: Quoted values in these messages are names of configuration, not people.
#: Journal fields that identify the machine, its boot or its host name
#: (JSON ``"_BOOT_ID":"…"``, pretty JSON ``"_BOOT_ID" : "…"``, export and
#: verbose ``_BOOT_ID=…``).
_JOURNAL_ID = re.compile(
    r"(?P<key>\b(?:_MACHINE_ID|_BOOT_ID|_STREAM_ID|_SYSTEMD_INVOCATION_ID|"
    r'INVOCATION_ID|_HOSTNAME))(?P<sep>"?\s*[:=]\s*"?)(?P<v>[^"\s,}]+)'
)
#: A configuration name made of a word and an address (``conn-198.51.100.14``).
_NAMED_ADDR = re.compile(
    r"(?<![\w.-])(?P<prefix>[A-Za-z]\w*?(?:-\w+?)*?[-_])"
    r"(?P<addr>(?:\d{1,3}\.){3}\d{1,3})(?!\.?\w)"
)

#: Message templates that carry identities (``%Y``), after the strongSwan
#: sources (see the charon log format reference): groups ``a`` and ``b``
#: hold one identity each, ``list`` a list ``'<id>', '<id>', ...``.
#: Identities may hold quotes, so a quoted one runs to the template's end.
_ID_TEMPLATES = tuple(
    re.compile(t)
    for t in (
        # authentication (IKEv2, IKEv1, XAuth, RADIUS, EAP phase 2)
        r"authentication of '(?P<a>.+?)' (?:\(myself\) )?"
        r"(?:with .+|failed|successful)$",
        r"no private key found for '(?P<a>.+)'$",
        r"no trusted \w+ public key found for '(?P<a>.+)'$",
        r"no shared key found for '(?P<a>.+?)'(?:\[[^\]]*\])?"
        r"(?: - '(?P<b>.+)'(?:\[[^\]]*\])?)?$",
        r"tried \d+ shared keys? for '(?P<a>.+?)' - '(?P<b>.+)', but MAC mismatched",
        r"no XAuth secret found for '(?P<a>.+?)' - '(?P<b>.+)'$",
        r"found XAuth secrets for '(?P<a>.+?)' - '(?P<b>.+)' matched",
        r"(?:PPK_ID|PPK found for) '(?P<a>.+)'$",
        # EAP
        r"received EAP identity '(?P<a>.+)'$",
        r"assume IKE identity '(?P<a>.+)'$",
        r"EAP method \S+ failed for peer (?P<a>.+)$",
        r"\(id 0x[0-9A-Fa-f]+\), sending '(?P<a>.+)'$",
        r"EAP-MS-CHAPv2 username: '(?P<a>.+)'$",
        r"no EAP key found for hosts '(?P<a>.+?)' - '(?P<b>.+)'$",
        r"received group membership '(?P<a>.+)' from RADIUS",
        # configs, uniqueness, redirects, virtual IPs and leases
        r"peer configs matching [^\s\[]+(?:\[(?P<a>.+?)\])?\.\.\."
        r"[^\s\[]+\[(?P<b>.+)\]$",
        r"IKE_SA \S+ (?:established|rekeyed) between [^\s\[]+\[(?P<a>.+?)\]"
        r"\.\.\.[^\s\[]+\[(?P<b>.+)\]$",
        r"deleting IKE_SA \S+ between [^\s\[]+\[(?P<a>.+?)\]"
        r"\.\.\.[^\s\[]+\[(?P<b>.+)\]$",
        r"received IDr (?P<a>.+), but require (?P<b>.+)$",
        r"default to cert subject '(?P<a>.+)'$",
        r"duplicate IKE_SA for peer '(?P<a>.+?)'(?:, received| due to)",
        r"(?:client got redirected from|redirecting peer to) (?P<a>.+)$",
        r"vici redirect IKE_SA '.*' to '(?P<a>.+)'$",
        r"to peer '(?P<a>.+)'$",
        r"requested by '(?P<a>.+)'$",
        r"lease (?:\S+ )?to '(?P<a>.+)'$",
        r"lease by '(?P<a>.+?)' to '(?P<b>.+)'$",
        r"lease \S+ by '(?P<a>.+)' went offline$",
        r"hostname '(?P<a>.+)'$",
        # certificates
        r"cert(?:ificate)? requests? for [\"'](?P<a>.+)[\"']$",
        r"(?:end entity|issuer) cert \"(?P<a>.+)\"$",
        r"received CRL \"(?P<a>.+)\"$",
        r"issued by \"(?P<a>.+)\"$",
        r"using (?:trusted |untrusted )?(?:intermediate )?(?:ca )?"
        r"certificate \"(?P<a>.+)\"$",
        r"self-signed certificate \"(?P<a>.+)\" is not trusted",
        r"no issuer certificate found for \"(?P<a>.+)\"$",
        r"issuer is \"(?P<a>.+)\"$",
        r"rejecting trusted certificate \"(?P<a>.+)\"$",
        r"certificate status of \"(?P<a>.+)\"$",
        r"correctly signed by \"(?P<a>.+)\"$",
        r"authenticated by CA '(?P<a>.+)'$",
        r"constraint check failed: identity '(?P<a>.+)' required",
        r"loaded certificate (?:[\"'](?P<a>.+)[\"']|(?P<b>[^\"'].*))$",
        r"certificate \"(?P<a>.+)\" key: ",
        r"shared key (?:with id '.+?' )?for: (?P<list>'.*')$",
        # swanctl listings
        r"^\s*(?:local|remote)\s+'(?P<a>.*?)' @ ",
        r" EAP: '(?P<a>.+?)'(?: XAuth:| \[|$)",
        r" XAuth: '(?P<a>.+?)'(?: \[|$)",
        r"^\s+(?:id|ca_id|eap_id|xauth_id|aaa_id|groups|certs|cacerts): "
        r"(?P<a>.+)$",
        r"^\s+(?:subject|issuer|hissuer):\s+\"(?P<a>.+)\"$",
        r"^\s+altNames:\s+(?P<list>.+)$",
        r"^\s+\S+\s+(?:online|offline)\s+'(?P<a>.+)'$",
    )
)
_LIST_ITEM = re.compile(r"'(?P<q>[^']*)'|(?P<u>[^\s,'][^,]*)")


def _template_ids(text: str) -> list[tuple[int, int]]:
    """Spans of the identities message templates put in ``text``."""
    spans: list[tuple[int, int]] = []
    text = text.rstrip("\r\n")
    for t in _ID_TEMPLATES:
        m = t.search(text)
        if m is None:
            continue
        for g in ("a", "b"):
            if g in t.groupindex and m[g]:
                spans.append(m.span(g))
        if "list" in t.groupindex and m["list"]:
            base = m.start("list")
            for item in _LIST_ITEM.finditer(m["list"]):
                g = "q" if item["q"] is not None else "u"
                start, end = item.span(g)
                spans.append((base + start, base + end))
    return spans


#: Public IPv4 pseudonyms: the documentation networks (RFC 5737) first, then
#: the benchmarking network 198.18.0.0/15 (RFC 2544); none is routed.
_V4_POOLS = (
    ipaddress.ip_network("192.0.2.0/24"),
    ipaddress.ip_network("198.51.100.0/24"),
    ipaddress.ip_network("203.0.113.0/24"),
    ipaddress.ip_network("198.18.0.0/15"),
)


_ADDRESS_KINDS = frozenset(["v4", "v4ll", "v6", "v6ll"])


def _v4_pseudonym(n: int) -> str:
    """The n-th (from 1) usable host address of :data:`_V4_POOLS`."""
    for net in _V4_POOLS:
        hosts = net.num_addresses - 2
        if n <= hosts:
            return str(net.network_address + n)
        n -= hosts
    raise ValueError("out of IPv4 pseudonyms")


_CONFIG_QUOTES = re.compile(
    r"(peer config|CHILD_SA|child config|connection|pool|plugin|vici \w+|"
    r"IKE_SA|config)\s*$"
)


def _is_private(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.is_loopback or ip.is_unspecified or ip.is_multicast:
        return True
    if ip.version == 4:
        nets = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
        return any(ip in ipaddress.ip_network(n) for n in nets)
    return ip in ipaddress.ip_network("fc00::/7")


class Redactor:
    """Stable pseudonyms for one set of files (sans-IO)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self._seen: set[str] = set()
        self._learned: set[str] = set()
        self._counters: dict[str, int] = {}
        self._pattern: re.Pattern[str] | None = None
        self._addresses: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
        self._ids: set[str] = set()
        self._ids_pattern: re.Pattern[str] | None = None

    # -- pass 1 -------------------------------------------------------------

    def learn(self, lines: Iterable[str]) -> list[str]:
        """Collect identifying values from lines; returns them as a list
        (keeps the lines for the second pass)."""
        kept = list(lines)
        for e in EventReader(kept):
            for value in _identities(e.body):
                self._add(value)
        for line in kept:
            self._seen.update(_IPV4.findall(line))
            for m in (*_IPV4.finditer(line), *_IPV6.finditer(line)):
                if _is_address(m.group(0)):
                    self._addresses.add(ipaddress.ip_address(m.group(0)))
            for m in _JOURNAL_ID.finditer(line):
                if m["key"] != "_HOSTNAME" and len(m["v"]) >= 8:
                    self._ids.add(m["v"].lower())
            for text in (line, *_message_rows(line)):
                self._learn_text(text)
            for word in re.findall(r"[\w.@:=-]+", line):
                self._seen.add(word)
        self._pattern = None
        self._ids_pattern = None
        return kept

    def _learn_text(self, line: str) -> None:
        for start, end in _template_ids(line):
            self._add(line[start:end])
        for m in _ID_VALUE.finditer(line):
            self._add(m["v"].strip())
        for m in _EMAIL.finditer(line):
            self._add(m.group(0))
        for m in _QUOTED.finditer(line):
            value = (m.group(1) or m.group(2) or "").strip("\\")
            if "'" in value or '"' in value or value != value.strip():
                continue  # a JSON field holding a whole message
            if _looks_identifying(value) and not _CONFIG_QUOTES.search(
                line[: m.start()]
            ):
                self._add(value)

    def _add(self, value: str) -> None:
        value = value.strip()
        if len(value) < 2 or value in ("%any", "%any6", "(null)"):
            return
        if _is_address(value):
            return  # addresses have their own mapping
        self._learned.add(value)

    # -- pass 2 -------------------------------------------------------------

    def redact(self, lines: Iterable[str]) -> Iterator[str]:
        """The lines with every identifying value replaced."""
        for line in lines:
            yield self.redact_line(line)

    def redact_line(self, line: str) -> str:
        """One line with every identifying value replaced."""
        if self._pattern is None and self._learned:
            alts = sorted(self._learned, key=len, reverse=True)
            self._pattern = re.compile(
                "|".join(r"(?<![\w.@-])" + re.escape(a) + r"(?![\w@-])" for a in alts)
            )
        if self._ids_pattern is None and self._ids:
            alts = sorted(self._ids, key=len, reverse=True)
            self._ids_pattern = re.compile(
                "(?i)(?<![0-9a-z])(?:"
                + "|".join(map(re.escape, alts))
                + ")(?![0-9a-z])"
            )
        m = _JSON_MESSAGE.search(line)
        if m is None:
            return self._redact_text(line)
        # a JSON message: its rows (a hex dump is one message) are redacted
        # one by one, as the lines of a log file
        try:
            message = json.loads(f'"{m["v"]}"')
        except ValueError:
            return self._redact_text(line)
        rows = message.split("\n")
        new = "\n".join(self._redact_text(r) for r in rows)
        text = m["v"] if new == message else json.dumps(new, ensure_ascii=False)[1:-1]
        return (
            self._redact_text(line[: m.start("v")])
            + text
            + self._redact_text(line[m.end("v") :])
        )

    def _redact_text(self, line: str) -> str:
        d = _HEX_DUMP.match(line.rstrip("\r\n"))
        if d:
            eol = line[len(line.rstrip("\r\n")) :]
            n = len(d["bytes"].split())
            rest = d["rest"]
            if rest.strip():
                rest = " " * (3 * (16 - n) + 2) + "." * n
            return (
                self._redact_text(d["head"])
                + re.sub(r"[0-9A-F]{2}", "XX", d["bytes"])
                + rest
                + eol
            )
        spans = _template_ids(line)
        if spans:
            out: list[str] = []
            pos = 0
            for start, end in sorted(spans):
                if start < pos:
                    continue  # two templates found one identity
                value = line[start:end]
                out.append(line[pos:start])
                out.append(self._template_identity(value))
                pos = end
            line = "".join(out) + line[pos:]
        line = _JOURNAL_ID.sub(self._journal_field, line)
        if self._ids_pattern is not None:
            line = self._ids_pattern.sub(lambda x: self._hex_id(x.group(0)), line)
        m = _SYSLOG_HOST.match(line)
        if m and not _is_address(m["host"]):
            line = (
                line[: m.start("host")] + self._host(m["host"]) + line[m.end("host") :]
            )
        if self._pattern is not None:
            line = self._pattern.sub(lambda x: self._identity(x.group(0)), line)
        line = _EMAIL.sub(lambda x: self._identity(x.group(0)), line)
        line = _NAMED_ADDR.sub(self._named_address, line)
        line = _IPV6_V4.sub(self._v4_in_v6, line)
        line = _IPV4.sub(lambda x: self._address(x.group(0)), line)
        line = _IPV6.sub(lambda x: self._address(x.group(0)), line)
        line = _HOSTNAME.sub(self._hostname_match, line)
        line = _HEX_RUN.sub(lambda x: self._hex(x.group(0)), line)
        return line

    def _template_identity(self, value: str) -> str:
        """An identity a message template holds (any length: a one-letter
        identity is replaced here, not everywhere)."""
        stripped = value.strip()
        if (
            not stripped
            or stripped in ("%any", "%any6", "(null)")
            or _is_address(stripped)
            or re.fullmatch(r"[\d.]+/\d+|[\d.]+-[\d.]+", stripped)
        ):
            return value
        return self._identity(value)

    def _v4_in_v6(self, m: re.Match[str]) -> str:
        """``::ffff:198.51.100.7``: an IPv4-mapped address keeps its form,
        its IPv4 address is mapped like any; another IPv6 address written
        with a dotted quad is mapped as IPv6."""
        text = m.group(0)
        try:
            ip = ipaddress.IPv6Address(text)
        except ValueError:
            return text
        if ip.ipv4_mapped is not None:
            return m["head"] + self._address(m["v4"])
        return self._address(text)

    # -- pseudonyms ---------------------------------------------------------

    def _fresh(self, kind: str, make: Callable[[int], str]) -> str:
        while True:
            n = self._counters.get(kind, 0) + 1
            self._counters[kind] = n
            value = make(n)
            if value in self._seen or value in self.values:
                continue
            if (
                kind in _ADDRESS_KINDS
                and ipaddress.ip_address(value) in self._addresses
            ):
                continue  # an address of the input, written another way
            return value

    def _map(self, value: str, kind: str, make: Callable[[int], str]) -> str:
        found = self.values.get(value)
        if found is None:
            found = self._fresh(kind, make)
            self.values[value] = found
        return found

    def _address(self, text: str) -> str:
        if not _is_address(text):
            return text
        ip = ipaddress.ip_address(text)
        if text in self.values.values():
            return text  # already a pseudonym
        if _is_private(ip) and not ip.is_link_local:
            return text
        if ip.version == 4:
            if ip.is_link_local:
                return self._map(
                    str(ip), "v4ll", lambda n: f"169.254.{n // 250}.{n % 250 + 1}"
                )
            return self._map(str(ip), "v4", _v4_pseudonym)
        if ip.is_link_local:
            return self._map(str(ip), "v6ll", lambda n: f"fe80::ffff:{n:x}")
        return self._map(str(ip), "v6", lambda n: f"2001:db8:ffff::{n:x}")

    def _named_address(self, m: re.Match[str]) -> str:
        """A name holding a public address gets a neutral tag for it
        (``conn-198.51.100.14`` -> ``conn-addr1``), the same for every
        name with that address, so it does not read as an address."""
        text = m["addr"]
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            return m.group(0)
        if text in self.values.values() or (_is_private(ip) and not ip.is_link_local):
            return m.group(0)
        tag = self._map(f"name-address {ip}", "nameaddr", lambda n: f"addr{n}")
        return m["prefix"] + tag

    def _journal_field(self, m: re.Match[str]) -> str:
        value = m["v"]
        if m["key"] == "_HOSTNAME":
            new = value if _is_address(value) else self._host(value)
        else:
            new = self._hex_id(value)
        return m["key"] + m["sep"] + new

    def _hex_id(self, text: str) -> str:
        """A machine, boot or stream id: a pseudonym of the same length,
        hex where the id is hex."""
        size = len(text)
        if re.fullmatch(r"[0-9A-Fa-f]+", text):
            return self._map(
                text.lower(), "jid", lambda n: f"{n:0{size}x}".rjust(size, "0")
            )
        return self._map(text, "jidx", lambda n: f"rdct{n}".ljust(size, "x"))

    def _host(self, name: str) -> str:
        return self._map(name.lower(), "host", lambda n: f"rdct-host{n}")

    def _hostname_match(self, m: re.Match[str]) -> str:
        text = m.group(0)
        if not _is_host_name(m) or text in self.values.values():
            return text
        if re.fullmatch(r"[\d.]+[A-Za-z]*", text):
            return text  # a version number such as 5.9.8 or 5.6.1dr3
        return self._map(text.lower(), "fqdn", lambda n: f"rdct-host{n}.example.net")

    def _identity(self, value: str) -> str:
        if value in self.values.values():
            return value
        if "@" in value:
            return self._map(value, "email", lambda n: f"rdct-user{n}@example.net")
        if "=" in value:
            return self._map(value, "dn", lambda n: f"CN=rdct-subject{n}")
        if re.fullmatch(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+", value):
            return self._hex(value)
        if _HOSTNAME.fullmatch(value):
            return self._map(
                value.lower(), "fqdn", lambda n: f"rdct-host{n}.example.net"
            )
        return self._map(value, "id", lambda n: f"rdct-id{n}")

    def _hex(self, text: str) -> str:
        size = len(text.split(":"))
        return self._map(
            text.lower(),
            "hex",
            lambda n: ":".join(
                f"{x:02x}" for x in (n | 0xFE << 8 * (size - 1)).to_bytes(size)
            ),
        )


def _is_address(text: str) -> bool:
    """An IP address; eight colon-separated byte pairs (a certificate
    serial, a key id) are hex, not an IPv6 address."""
    if _HEX_PAIRS.fullmatch(text):
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _message_rows(line: str) -> list[str]:
    """The rows of a JSON line's message (none for other lines)."""
    m = _JSON_MESSAGE.search(line)
    if m is None:
        return []
    try:
        message = json.loads(f'"{m["v"]}"')
    except ValueError:
        return []
    return str(message).split("\n")


def _looks_identifying(value: str) -> bool:
    """Quoted text that names a person, host or certificate."""
    if _DN.fullmatch(value) or _EMAIL.fullmatch(value):
        return True
    m = _HOSTNAME.fullmatch(value)
    return m is not None and _is_host_name(m)


def _is_host_name(m: re.Match[str]) -> bool:
    """A :data:`_HOSTNAME` match that names a host, not a file, a path,
    software or a syslog priority: ``bobs-macbook.local``, ``vpn.acme.info``
    and ``vpn.acme.sh`` are hosts; ``daemon.info`` (a facility and a
    priority), ``lib.sh`` and ``/usr/local/lib/lab/lib.sh`` are not."""
    text, tld = m.group(0), m["tld"].lower()
    if tld in _NOT_TLD:
        return False
    s = m.string
    before = s[max(0, m.start() - 2) : m.start()]
    if before.endswith("/") and before != "//":
        return False  # a path, not the host of a URL
    labels = text.lower().split(".")
    if tld == "info" and len(labels) == 2 and labels[0] in _FACILITIES:
        return False
    return tld != "sh" or len(labels) > 2


def _identities(body: ev.Body) -> Iterator[str]:
    """The identifying values an event's fields hold."""
    values: list[str | None] = []
    if isinstance(body, ev.AuthResult | ev.EapStep | ev.Lease | ev.VirtualIp):
        values.append(body.identity)
    elif isinstance(body, ev.IkeSaLine):
        values += [body.local.identity, body.remote.identity]
    elif isinstance(body, ev.PeerCfgLookup):
        for side in body.spec.split("..."):
            values.append(side.partition("[")[2].rpartition("]")[0])
    elif isinstance(body, ev.CertLoaded | ev.CertExchanged | ev.CertRequest):
        values.append(body.subject)
    elif isinstance(body, ev.SecretLoaded):
        values += [body.secret_id, *body.owners]
    yield from (v for v in values if v)


# -- the file shell -------------------------------------------------------------


def redact_files(
    paths: list[str],
    out: str | None = None,
    texts: list[list[str]] | None = None,
) -> list[Path]:
    """Redact files together (shared pseudonyms) and write the copies.

    One file without ``out`` is written to stdout; otherwise ``out`` is
    the output file (one input) or directory (several), and without it
    each copy is written next to its input as ``<name>.redacted``. Inputs
    of the same name written into one directory are told apart by
    their folder (``gw/charon.log`` and ``c1/charon.log`` become
    ``gw-charon.log.redacted`` and ``c1-charon.log.redacted``). ``texts``
    are the files' lines when already read (a pipe cannot be read twice).
    Returns the paths written.
    """
    import sys

    if not paths:
        raise InputError("no log file given")
    if texts is None:
        texts = [list(open_text(p)) for p in paths]
    redactor = Redactor()
    learned = [redactor.learn(lines) for lines in texts]
    written: list[Path] = []
    taken: set[str] = set()
    names = [Path(p).name for p in paths]
    for path, lines in zip(paths, learned, strict=True):
        text = "".join(_eol(x) for x in redactor.redact(lines))
        if out is None and len(paths) == 1:
            sys.stdout.write(text)
            continue
        if out is None:
            target = Path(f"{path}.redacted")
        elif len(paths) == 1:
            target = Path(out)
        else:
            Path(out).mkdir(parents=True, exist_ok=True)
            name = Path(path).name
            if names.count(name) > 1 and Path(path).parent.name:
                name = f"{Path(path).parent.name}-{name}"  # gw/ and c1/ charon.log
            n = 1
            while (label := name if n == 1 else f"{name}.{n}") in taken:
                n += 1
            taken.add(label)
            target = Path(out) / f"{label}.redacted"
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def _eol(line: str) -> str:
    return line if line.endswith("\n") else line + "\n"
