"""Time and peak memory of loading a log and building every table.

By default the largest log of the lab corpus (``../shared/corpus/lab``);
``--copies N`` builds a gateway log of N shifted copies of the lab's
many-clients run instead (see gateway_log.py), e.g. 60 copies for about a
million lines. Each measurement runs in a fresh process; figures are
printed, never asserted.

    python benchmarks/tables.py [LOG] [--copies N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAB = HERE.parents[0].parent / "shared" / "corpus" / "lab"
sys.path.insert(0, str(HERE))

from gateway_log import build  # noqa: E402


def measure(path: str) -> dict[str, object]:
    """Run in a child process: load ``path``, then build each table."""
    import ikelog
    from ikelog.frames import TABLES

    def peak_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    start = time.perf_counter()
    trace = ikelog.load(path, year=2026)
    loaded = time.perf_counter() - start
    after_load = peak_mb()
    began = time.perf_counter()
    import pandas  # noqa: F401 - timed on its own, not as the first table

    imported = time.perf_counter() - began
    tables: dict[str, list[float]] = {}
    for name in TABLES:
        began = time.perf_counter()
        frame = getattr(trace.tables, name)
        tables[name] = [len(frame), time.perf_counter() - began]
    return {
        "lines": trace.counts.total,
        "load_s": loaded,
        "load_peak_mb": after_load,
        "pandas_s": imported,
        "tables": tables,
        "tables_s": sum(t for _, t in tables.values()),
        "peak_mb": peak_mb(),
    }


def largest_lab_log() -> Path:
    logs = sorted(LAB.glob("*/*/*.log"), key=lambda p: p.stat().st_size)
    if not logs:
        # without ../shared: the many-clients gateway log bundled in samples/
        return HERE.parent / "samples" / "lab-many-clients-gateway.log.gz"
    return logs[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log", nargs="?", type=Path, help="log file (default: largest)")
    ap.add_argument("--copies", type=int, help="build a gateway log of N copies")
    ap.add_argument("--keep", type=Path, help="keep a built log in this folder")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return

    if args.copies:
        folder = args.keep or Path(tempfile.mkdtemp(prefix="ikelog-bench-"))
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / f"gateway-{args.copies}.log"
        if not log.exists():
            build(log, args.copies)
    else:
        log = args.log or largest_lab_log()
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(log)],
        check=True,
        capture_output=True,
        text=True,
    )
    r = json.loads(out.stdout)
    size_mb = log.stat().st_size / 1e6
    print(f"{log} ({size_mb:.1f} MB, {r['lines']} lines)")
    print(f"  load           {r['load_s']:7.2f} s   peak {r['load_peak_mb']:6.0f} MB")
    print(f"  import pandas  {r['pandas_s']:7.2f} s")
    for name, (rows, seconds) in r["tables"].items():
        print(f"  {name:14} {seconds:7.2f} s   {rows:>9} rows")
    print(f"  every table    {r['tables_s']:7.2f} s   peak {r['peak_mb']:6.0f} MB")


if __name__ == "__main__":
    main()
