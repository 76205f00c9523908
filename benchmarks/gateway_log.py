"""Build a large interleaved gateway log from the lab's many-clients run.

The lab's ``j-many-clients/gw/charon.log`` holds 200 concurrent EAP logins
(17,100 lines). Each copy written here shifts the unique ids, SPIs, client
addresses and clock, so the copies look like later waves of other clients
rather than repeats, and the parser cannot simply reuse earlier lines.

    python benchmarks/gateway_log.py OUT.log --copies 40 [--untagged]
"""

from __future__ import annotations

import argparse
import gzip
import re
from datetime import datetime, timedelta
from pathlib import Path

_HERE = Path(__file__).resolve().parents[1]
_CORPUS_LOG = _HERE.parent / "shared/corpus/lab/j-many-clients/gw/charon.log"
#: the lab's gateway log; the copy bundled in samples/ when ../shared is absent
LAB_LOG = (
    _CORPUS_LOG
    if _CORPUS_LOG.exists()
    else _HERE / "samples/lab-many-clients-gateway.log.gz"
)

_REF = re.compile(r"([<|\[{])(\d+)([>\]}])")
_SPI = re.compile(r"\b([0-9a-f]{8})_([io])\b")
_CLIENT = re.compile(r"\b10\.99\.0\.1(\d)\b")
_USER = re.compile(r"'user(\d+)-(\d+)'")
_START = "[DMN] Starting IKE charon daemon"
_STOP = "[DMN] SIGTERM received"
_STAMP = re.compile(r"^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)")


def shifted(line: str, copy: int) -> str:
    """One line of copy number ``copy`` (0 leaves the line as it was)."""
    if copy == 0:
        return line
    offset = copy * 1000

    def ref(m: re.Match[str]) -> str:
        value = int(m.group(2))
        if m.group(1) == "[" and value in (500, 4500):
            return m.group(0)  # a port, not a unique id
        return f"{m.group(1)}{value + offset}{m.group(3)}"

    line = _REF.sub(ref, line)
    mask = (copy * 2654435761) & 0xFFFFFFFF
    line = _SPI.sub(lambda m: f"{int(m.group(1), 16) ^ mask:08x}_{m.group(2)}", line)
    line = _CLIENT.sub(lambda m: f"10.99.{copy % 200 + 1}.1{m.group(1)}", line)
    line = _USER.sub(lambda m: f"'user{m.group(1)}-{m.group(2)}-{copy}'", line)
    stamp = _STAMP.match(line)
    if stamp:
        when = datetime.strptime("2026 " + stamp.group(1), "%Y %b %d %H:%M:%S")
        when += timedelta(minutes=2 * copy)
        line = when.strftime("%b %e %H:%M:%S") + line[stamp.end() :]
    return line


#: the ``<name|id> `` tag a file logger writes with ``ike_name = yes``
_TAG = re.compile(r"(\[[A-Z]{3}\d?\] )<[^>]*> ")


def build(
    out: Path,
    copies: int,
    source: Path = LAB_LOG,
    *,
    untagged: bool = False,
    one_run: bool = False,
) -> int:
    """Write ``copies`` shifted copies of ``source`` to ``out``; return bytes.

    ``untagged`` drops the ``<name|id>`` tags, as charon's default
    ``ike_name = no`` writes the log: then every line's SA must be inferred.
    ``one_run`` drops the daemon's start and stop lines between copies, so
    the log is one long run of one daemon (no restart forgets its SAs).
    """
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt") as f:
        lines = f.read().splitlines()
    if untagged:
        lines = [_TAG.sub(r"\1", line, count=1) for line in lines]
    with out.open("w") as f:
        for copy in range(copies):
            for line in lines:
                if one_run and (
                    (copy > 0 and _START in line)
                    or (copy < copies - 1 and _STOP in line)
                ):
                    continue
                f.write(shifted(line, copy) + "\n")
    return out.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--copies", type=int, default=40)
    ap.add_argument("--untagged", action="store_true", help="drop <name|id> tags")
    args = ap.parse_args()
    size = build(args.out, args.copies, untagged=args.untagged)
    print(f"{args.out}: {size / 1e6:.1f} MB, {args.copies} copies")


if __name__ == "__main__":
    main()
