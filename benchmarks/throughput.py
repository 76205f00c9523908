"""Throughput and peak memory of parse + replay on a large gateway log.

Prints lines/s, MB/s and peak resident memory for the streaming replay
(ended SAs are handed over and forgotten) at several log lengths, each in a
fresh process, then the same for ``ikelog.load`` which keeps every SA for
the report. Figures are printed, never asserted.

Each log is one long run of one daemon (the copies' start and stop lines
are left out, so no restart clears the SAs). Logs are measured with
``<name|id>`` tags (``ike_name = yes``) and without
(charon's default), where every line's SA must be inferred. Each
measurement runs ``--repeat`` times; the table shows the best run and the
median MB/s (a shared machine's neighbours slow single runs down by a
quarter and more).

    python benchmarks/throughput.py [--copies 10 40] [--repeat 3]
        [--tags tagged untagged] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gateway_log import LAB_LOG, build  # noqa: E402


def measure(path: str, mode: str) -> dict[str, float]:
    """Run in a child process: parse and replay ``path`` once."""
    import gc

    import ikelog
    from ikelog.replay.machine import Replay
    from ikelog.sources import EventReader, open_text

    start = time.perf_counter()
    if mode == "stream":
        reader = EventReader(open_text(path), year=2026)
        closed = 0

        def count(sa: object) -> None:
            nonlocal closed
            closed += 1

        gc.disable()
        replay = Replay(retain=False, on_close=count)
        replay.feed_all(reader)
        lines = reader.counts.total
        sas = closed + len(replay.sas)
    else:
        trace = ikelog.load(path, year=2026)
        lines = trace.counts.total
        sas = len(trace.ike_sas)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"lines": lines, "seconds": seconds, "peak_mb": peak_kb / 1024, "sas": sas}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, nargs="+", default=[10, 40])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    ap.add_argument("--keep", type=Path, help="keep generated logs in this folder")
    ap.add_argument(
        "--tags",
        nargs="+",
        choices=("tagged", "untagged"),
        default=["tagged", "untagged"],
        help="logs with <name|id> tags (ike_name = yes), without (the default)",
    )
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    if not LAB_LOG.exists():
        sys.exit(f"the lab's gateway log is missing: {LAB_LOG}")

    folder = args.keep or Path(tempfile.mkdtemp(prefix="ikelog-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(
        f"{'log':8} {'mode':6} {'copies':>6} {'MB':>7} {'lines':>9} {'IKE SAs':>8} "
        f"{'s':>6} {'lines/s':>9} {'MB/s':>6} {'median':>6} {'peak MB':>8}"
    )
    for tags, copies, mode in (
        (t, c, m) for t in args.tags for c in args.copies for m in ("stream", "load")
    ):
        log = folder / f"gateway-{tags}-{copies}.log"
        if not log.exists():
            build(log, copies, untagged=tags == "untagged", one_run=True)
        size_mb = log.stat().st_size / 1e6
        runs = []
        for _ in range(max(1, args.repeat)):
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(log), mode],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(out.stdout))
        r = min(runs, key=lambda x: x["seconds"])
        median = statistics.median(size_mb / x["seconds"] for x in runs)
        print(
            f"{tags:8} {mode:6} {copies:>6} {size_mb:>7.1f} {r['lines']:>9} "
            f"{r['sas']:>8} {r['seconds']:>6.2f} "
            f"{r['lines'] / r['seconds']:>9.0f} "
            f"{size_mb / r['seconds']:>6.1f} {median:>6.1f} "
            f"{max(x['peak_mb'] for x in runs):>8.0f}"
        )


if __name__ == "__main__":
    main()
