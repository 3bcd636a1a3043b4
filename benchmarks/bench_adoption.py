"""Time the RQ3 derivation-adoption pipeline on the July 2024 listing (760,000 models).

Loads the tidy tables of ``data/snapshots/hub-lists-2024-07`` (cached parquet;
run ``hubcommunity link-reference`` first), then times each step the RQ3
chapter runs: base-id resolution and relation inference (``derivation_edges``),
counting (``derivation_adoption``), concentration, owner shares, the power-law
fit and the popularity residual fit; the best of 3 runs per step and each
step's share of the total. ``--smoke``: a small snapshot collected from the
fake Hub, one run per step. The machine is shared: compare ratios within a run.

Run: ``.venv/bin/python benchmarks/bench_adoption.py [--smoke] [--out DIR]``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import harness


def best_of(repeat: int, fn):
    """Run ``fn`` ``repeat`` times; return (best seconds, last result)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run(smoke: bool) -> dict:
    from hubcommunity import paths
    from hubcommunity.analysis import adoption as ad
    from hubcommunity.analysis import fitting
    from hubcommunity.analysis import owners as ow
    from hubcommunity.tables import load_tables

    repeat = 1 if smoke else 3
    with tempfile.TemporaryDirectory() as tmp:
        if smoke:
            from hubcommunity.fakehub.testing import collected_snapshot

            snap = collected_snapshot(Path(tmp), seed=8, n_models=300, n_datasets=5, n_spaces=20)
        else:
            snap = paths.snapshots_dir() / "hub-lists-2024-07"
            if not (snap / "manifest.json").is_file():
                raise SystemExit(f"bench_adoption: no snapshot at {snap}; run `hubcommunity link-reference` first")
        t_load, tables = best_of(1, lambda: load_tables([snap]))
    kinds = ow.load_owner_kinds()
    steps = {}
    steps["derivation_edges"], edges = best_of(repeat, lambda: ad.derivation_edges(tables.base_models, tables.repos))
    steps["derivation_adoption"], deriv = best_of(repeat, lambda: ad.derivation_adoption(edges, tables.repos))
    steps["concentration_table"], _ = best_of(
        repeat, lambda: ad.concentration_table(deriv, ["adoption", *ad.DECLARED_RELATIONS]))
    steps["owner_shares"], _ = best_of(repeat, lambda: (ow.share_by_kind(deriv, kinds), ow.top_owner_shares(deriv)))
    steps["fit_variable"], _ = best_of(repeat, lambda: fitting.fit_variable(deriv["adoption"]))
    steps["popularity_correlations_residuals"], _ = best_of(
        repeat, lambda: (ad.popularity_correlations(deriv), ad.adoption_residuals(deriv)))
    total = sum(steps.values())
    figures = {"load_tables_seconds": round(t_load, 2), "repositories": len(tables.repos),
               "base_model_links": len(tables.base_models), "runs_per_step": repeat}
    for name, seconds in steps.items():
        figures[f"{name}_seconds"] = round(seconds, 3)
        figures[f"{name}_share"] = round(seconds / total, 4) if total else None
    figures["total_seconds"] = round(total, 2)
    return figures


if __name__ == "__main__":
    raise SystemExit(harness.main("adoption", run))
