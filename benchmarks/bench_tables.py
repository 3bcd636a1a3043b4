"""Benchmark: build every tidy table from the reference captures, cold and warm.

Targets (issue 3): cold <= 60 s, warm load <= 3 s, peak memory <= 4 GB on a
2-core machine. Snapshots are linked into a temporary directory, so
``data/snapshots`` is untouched. Peak RSS is the maximum resident set of this
process and, separately, of its worker processes (``ru_maxrss``; the workers
run concurrently, so main + workers x largest worker is an upper bound of the
whole build's peak). ``--smoke``: a small snapshot collected from the fake Hub.

Run: ``.venv/bin/python benchmarks/bench_tables.py [--smoke] [--out DIR]``
"""

from __future__ import annotations

import resource
import tempfile
import time
import warnings
from pathlib import Path

import harness

WORKERS = 2
WARM_RUNS = 3


def _mb(kb: int) -> float:
    """ru_maxrss (KiB on Linux) to MB."""
    return kb * 1024 / 1e6


def snapshots(tmp: Path, smoke: bool) -> list[Path]:
    """The snapshots to build: the reference captures (linked), or a small fake-Hub collection."""
    from hubcommunity import paths, snapshot

    if smoke:
        from hubcommunity.fakehub.testing import collected_snapshot

        return [collected_snapshot(tmp, seed=2, n_models=60, n_datasets=20, n_spaces=20)]
    source = paths.shared_reference_dir()
    if not (source / "hub-lists-2024-07").is_dir():
        raise SystemExit(f"bench_tables: the reference captures are not at {source} (see README)")
    return snapshot.link_reference(source, tmp)


def run(smoke: bool) -> dict:
    from hubcommunity.tables import load_tables

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        dirs = snapshots(Path(tmp), smoke)
        prepare = time.perf_counter() - t0
        t0 = time.perf_counter()
        t = load_tables(dirs, rebuild=True, workers=WORKERS)
        cold = time.perf_counter() - t0
        rows = {str(k): int(v) for k, v in t.row_counts().items()}
        del t
        warm = []
        for _ in range(WARM_RUNS):
            t0 = time.perf_counter()
            t = load_tables(dirs, workers=WORKERS)
            warm.append(time.perf_counter() - t0)
            del t
    self_peak = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    child_peak = _mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"snapshots": [Path(d).name for d in dirs], "prepare_seconds": round(prepare, 1),
            "rows": rows, "cold_seconds": round(cold, 2), "warm_seconds": round(min(warm), 3),
            "warm_runs_seconds": [round(w, 3) for w in warm], "main_peak_mb": round(self_peak),
            "worker_peak_mb": round(child_peak), "peak_mb": round(self_peak + WORKERS * child_peak),
            "workers": WORKERS}


if __name__ == "__main__":
    raise SystemExit(harness.main("tables", run, targets=[
        harness.Target("cold_seconds", "<=", 60, "tidy tables from the reference captures, cold build (s)"),
        harness.Target("warm_seconds", "<=", 3, "tidy tables, warm load from the parquet cache (s, best of 3)"),
        harness.Target("peak_mb", "<=", 4000, "tidy tables, cold build: peak memory, upper bound (MB)"),
    ]))
