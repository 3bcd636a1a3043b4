"""Benchmark: build every tidy table from both reference captures, cold and warm.

Targets (issue 3): cold <= 60 s, warm load <= 3 s, peak memory <= 4 GB on a
2-core machine. Prints the figures, the machine and the versions. Run:

    .venv/bin/python benchmarks/bench_tables.py [--source DIR] [--workers 2]

Snapshots are linked into a temporary directory, so data/snapshots is untouched.
Peak RSS is the maximum resident set of this process and, separately, of
its worker processes (ru_maxrss; the workers run concurrently, so the sum is
an upper bound of the whole build's peak).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
import warnings

import pandas as pd
import pyarrow as pa

from hubcommunity import __version__, paths, snapshot
from hubcommunity.tables import load_tables


def _mb(kb: int) -> float:
    """ru_maxrss (KiB on Linux) to MB."""
    return kb * 1024 / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=None, help="reference captures (default ../shared/reference-data)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warm-runs", type=int, default=3)
    args = ap.parse_args()
    try:
        import orjson
        orjson_version = orjson.__version__
    except ImportError:
        orjson_version = "not installed"
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} (shared machine: timings are noisy)")
    print(f"python {platform.python_version()}, pandas {pd.__version__}, pyarrow {pa.__version__}, "
          f"orjson {orjson_version}, hubcommunity {__version__}, workers {args.workers}")
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        dirs = snapshot.link_reference(args.source or paths.shared_reference_dir(), tmp)
        print(f"link-reference (manifests, counts, sha256): {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        t = load_tables(dirs, rebuild=True, workers=args.workers)
        cold = time.perf_counter() - t0
        rows = t.row_counts()
        del t
        warm = []
        for _ in range(args.warm_runs):
            t0 = time.perf_counter()
            t = load_tables(dirs, workers=args.workers)
            warm.append(time.perf_counter() - t0)
            del t
    self_peak = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    child_peak = _mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    print(f"cold build (parse + write parquet): {cold:.1f} s   target <= 60 s   {'OK' if cold <= 60 else 'MISSED'}")
    print(f"warm load (cached parquet), best of {len(warm)}: {min(warm):.2f} s (runs: "
          f"{', '.join(f'{w:.2f}' for w in warm)})   target <= 3 s   {'OK' if min(warm) <= 3 else 'MISSED'}")
    total = self_peak + args.workers * child_peak
    print(f"peak RSS: main process {self_peak:,.0f} MB, largest worker {child_peak:,.0f} MB, "
          f"upper bound main + {args.workers} workers {total:,.0f} MB   target <= 4000 MB   "
          f"{'OK' if total <= 4000 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
