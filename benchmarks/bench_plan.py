"""What collecting the whole Hub would take: ``collect --plan`` on the reference captures.

Runs the collector's planner offline (no network) exactly as

    hubcommunity collect --plan --types model dataset \\
        --listing-from data/snapshots/hub-lists-2024-07 \\
        --plan-from data/snapshots/hub-lists-2024-07 data/snapshots/model-discussions-2024-01 \\
        --quota 1000/300

does: the repositories in scope are the July 2024 listings (models and
datasets; the captures hold no Spaces listing), and the requests per
repository are counted from the real records: one commit page per repository
(the captures hold no commit histories: a lower bound), the discussion-list
pages and every thread's details of the January 2024 discussions capture,
joined on models created before it; datasets, which have no discussions
capture, get the models' means. Reports the estimate at a free account's
quota (1,000 requests per 5 minutes) and a PRO account's (2,500), and how
long planning took. The README quotes these figures (from
``benchmarks/latest/summary.json``). ``--smoke``: a small fake-Hub snapshot
as both listing and earlier capture.

Run: ``.venv/bin/python benchmarks/bench_plan.py [--smoke] [--out DIR]``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import harness

TYPES = ("model", "dataset")


def run(smoke: bool) -> dict:
    from hubcommunity import paths
    from hubcommunity.collect.plan import plan_collection
    from hubcommunity.collect.ratelimit import API_TIERS, TIER_WINDOW_SECONDS, Policy

    free = Policy(API_TIERS["free"], TIER_WINDOW_SECONDS)
    pro = Policy(API_TIERS["PRO"], TIER_WINDOW_SECONDS)
    with tempfile.TemporaryDirectory() as tmp:
        if smoke:
            from hubcommunity.fakehub.testing import collected_snapshot

            listing = collected_snapshot(Path(tmp), seed=9, n_models=60, n_datasets=20, n_spaces=0)
            earlier = [listing]
        else:
            snaps = paths.snapshots_dir()
            listing = snaps / "hub-lists-2024-07"
            earlier = [listing, snaps / "model-discussions-2024-01"]
            missing = [p for p in earlier if not (p / "manifest.json").is_file()]
            if missing:
                raise SystemExit(f"bench_plan: no snapshot at {missing}; run `hubcommunity link-reference` first")
        t0 = time.perf_counter()
        plan = plan_collection(repo_types=TYPES, listing_from=str(listing), plan_from=[str(p) for p in earlier],
                               quota=free)
        seconds = time.perf_counter() - t0
    m = plan.costs["model"]
    return {"snapshots": [Path(p).name for p in earlier], "plan_seconds": round(seconds, 1),
            "models": plan.repos.get("model", 0), "datasets": plan.repos.get("dataset", 0),
            "listing_requests": plan.listing_requests,
            "requests_per_model": round(m.per_repo(plan.details), 4),
            "threads_per_model": round(m.threads, 4), "discussion_pages_per_model": round(m.list_pages, 4),
            "means_over_models": m.repos,
            "whole_hub_requests": round(plan.requests),
            "whole_hub_days_free": round(plan.seconds(free) / 86400, 2),
            "whole_hub_days_pro": round(plan.seconds(pro) / 86400, 2),
            "collector_safety": plan.safety,
            "headline": plan.headline(),
            "notes": sorted({n for c in plan.costs.values() for n in c.notes})}


if __name__ == "__main__":
    raise SystemExit(harness.main("plan", run))
