"""Time the RQ3 derivation-adoption pipeline on the July 2024 listing (760,000 models).

    .venv/bin/python benchmarks/bench_adoption.py [--repeat N]

Loads the tidy tables of ``data/snapshots/hub-lists-2024-07`` (cached parquet;
run ``hubcommunity link-reference`` first), then times each step the RQ3
chapter runs: base-id resolution and relation inference (``derivation_edges``),
counting (``derivation_adoption``), concentration, owner shares, the power-law
fit and the popularity residual fit. Prints the machine, the versions, the
best of ``--repeat`` runs per step and each step's share of the total. The
machine is shared: compare ratios within a run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hubcommunity import paths  # noqa: E402
from hubcommunity.analysis import adoption as ad  # noqa: E402
from hubcommunity.analysis import fitting  # noqa: E402
from hubcommunity.analysis import owners as ow  # noqa: E402
from hubcommunity.tables import load_tables  # noqa: E402


def best_of(repeat: int, fn):
    """Run ``fn`` ``repeat`` times; return (best seconds, last result)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    snap = paths.snapshots_dir() / "hub-lists-2024-07"
    if not (snap / "manifest.json").is_file():
        print(f"no snapshot at {snap}; run `hubcommunity link-reference` first", file=sys.stderr)
        return 2
    print(f"machine: {platform.machine()} {platform.processor() or ''} cpus={os.cpu_count()} python {platform.python_version()}")
    print("versions: " + ", ".join(f"{p} {version(p)}" for p in ("pandas", "numpy", "pyarrow", "scipy")))
    t_load, tables = best_of(1, lambda: load_tables([snap]))
    print(f"load_tables (cached): {t_load:.2f} s; {len(tables.repos):,} repos, {len(tables.base_models):,} base-model links")
    kinds = ow.load_owner_kinds()
    steps = {}
    steps["derivation_edges (resolve + infer)"], edges = best_of(
        args.repeat, lambda: ad.derivation_edges(tables.base_models, tables.repos))
    steps["derivation_adoption"], deriv = best_of(args.repeat, lambda: ad.derivation_adoption(edges, tables.repos))
    steps["concentration_table"], _ = best_of(
        args.repeat, lambda: ad.concentration_table(deriv, ["adoption", *ad.DECLARED_RELATIONS]))
    steps["share_by_kind + top owners"], _ = best_of(
        args.repeat, lambda: (ow.share_by_kind(deriv, kinds), ow.top_owner_shares(deriv)))
    steps["fit_variable (power law + alternatives)"], _ = best_of(args.repeat, lambda: fitting.fit_variable(deriv["adoption"]))
    steps["popularity_correlations + residuals"], _ = best_of(
        args.repeat, lambda: (ad.popularity_correlations(deriv), ad.adoption_residuals(deriv)))
    total = sum(steps.values())
    for name, seconds in steps.items():
        print(f"{name:45s} {seconds:7.2f} s  {seconds / total:6.1%}")
    print(f"{'total (best of ' + str(args.repeat) + ' per step)':45s} {total:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
