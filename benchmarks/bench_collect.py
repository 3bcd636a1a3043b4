"""Benchmark the collector against a rate-limited fake Hub: pacing, a 3,000-thread repository, the paper's way.

1. Pacing: the fake Hub allows QUOTA requests per WINDOW seconds (fixed
   window, the Hub's RateLimit headers). The collector gathers listings,
   commits and discussions of a fixture Hub; the achieved request rate
   (requests received / time from first to last request) as a share of the
   allowed rate (target >= 95%) and the share answered 429 (target <= 1%).
2. One repository with 3,000 threads among ordinary ones (a real model had
   3,006 in January 2024), the collector in a process of its own: its wall time
   over requests / allowed rate (target <= 1.15) and its rate share (>= 95%).
3. Against the paper's approach (``ccosborne/hf-hub-mining``: list, then per
   repository ``list_repo_commits`` + ``get_repo_discussions`` and
   ``time.sleep(1)``, sequentially), re-created with the real ``HfApi`` in a
   subprocess with ``HF_ENDPOINT`` set. It runs on a SUBSET of the same
   repositories with the real 1 s sleep; its per-repository time is
   extrapolated to the full set (reported as such). The collector does more
   work per repository (every thread's details, for participants).

Run: ``.venv/bin/python benchmarks/bench_collect.py [--smoke] [--out DIR]``
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness

from hubcommunity.collect import collect
from hubcommunity.fakehub import FakeHub, Faults, generate_fixture

BASELINE = r"""
import sys, time
from huggingface_hub import HfApi
api = HfApi()
subset = int(sys.argv[1])
t0 = time.monotonic()
models = list(api.list_models(expand=["likes", "downloads", "tags", "createdAt"]))
t_list = time.monotonic() - t0
rows = 0
t1 = time.monotonic()
for m in models[:subset]:
    try:
        commits = len(api.list_repo_commits(m.id))
    except Exception:
        commits = None
    try:
        discussions = len(list(api.get_repo_discussions(m.id)))
    except Exception:
        discussions = None
    rows += 1
    time.sleep(1)
t_repos = time.monotonic() - t1
print(t_list, t_repos, rows)
"""

# Fake quotas: the Hub's windows are 5 minutes long (1,000 requests for a free account); these keep its
# shape (a window holding hundreds of requests) at rates that make a run take seconds.
FULL = {"models": 300, "quota": 1000, "window": 10, "heavy_threads": 3000, "heavy_quota": 2500, "heavy_window": 10,
        "subset": 12}
SMOKE = {"models": 20, "quota": 200, "window": 1, "heavy_threads": 150, "heavy_quota": 400, "heavy_window": 2,
         "subset": 1}


def pacing(cfg: dict, tmp: Path) -> dict:
    """Scenario 1: an ordinary fixture Hub at the fake quota."""
    fx = generate_fixture(seed=0, n_models=cfg["models"], n_datasets=0, n_spaces=0)
    allowed = cfg["quota"] / cfg["window"]
    with FakeHub(fx, Faults(rate_limit=(cfg["quota"], cfg["window"]))) as hub:
        t0 = time.monotonic()
        summary = collect(tmp / "snap", repo_types=["model"], endpoint=hub.url, token=None, progress=False,
                          max_concurrency=8)
        wall = time.monotonic() - t0
        times = sorted(t for t, _, _ in hub.log)
        n429 = hub.statuses[429]
    span = times[-1] - times[0]
    return {"repositories": fx.n_repos("model"), "allowed_rate_per_s": allowed, "requests": len(times),
            "span_seconds": round(span, 2), "wall_seconds": round(wall, 2),
            "rate_share": round((len(times) - 1) / span / allowed, 4), "share_429": round(n429 / len(times), 4),
            "records": summary.records}


def heavy(cfg: dict, tmp: Path) -> dict:
    """Scenario 2: one repository with thousands of threads, the collector as its own process."""
    fx = generate_fixture(seed=7, n_models=40, n_datasets=5, n_spaces=5, n_users=20)
    fx.add_threads("model", fx.repos["model"][5]["id"], cfg["heavy_threads"])
    quota, window = cfg["heavy_quota"], cfg["heavy_window"]
    allowed = quota / window
    dest = tmp / "heavy"
    with FakeHub(fx, Faults(rate_limit=(quota, window))) as hub:
        r = subprocess.run([sys.executable, "-m", "hubcommunity.collect", str(dest), "--endpoint", hub.url,
                            "--no-progress", "--max-concurrency", "16"], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"collector failed: {r.stderr[-2000:]}")
        times = sorted(t for t, _, _ in hub.log)
        n429 = hub.statuses[429]
    wall = json.loads((dest / "manifest.json").read_text())["summary"]["elapsed_seconds"]
    n = len(times)
    return {"heavy_threads": cfg["heavy_threads"], "heavy_requests": n, "heavy_wall_seconds": wall,
            "heavy_wall_over_ideal": round(wall / (n / allowed), 4),
            "heavy_rate_share": round((n - 1) / (times[-1] - times[0]) / allowed, 4),
            "heavy_share_429": round(n429 / n, 4)}


def baseline(cfg: dict, n_repos: int, collector_wall: float) -> dict:
    """Scenario 3: the paper's sequential scripts with a 1 s sleep, on a subset, extrapolated."""
    fx = generate_fixture(seed=0, n_models=cfg["models"], n_datasets=0, n_spaces=0)
    with FakeHub(fx, Faults(rate_limit=(cfg["quota"], cfg["window"]))) as hub:
        env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_TELEMETRY": "1"}
        env.pop("HF_TOKEN", None)
        r = subprocess.run([sys.executable, "-c", BASELINE, str(cfg["subset"])], env=env, capture_output=True,
                           text=True, check=True)
    t_list, t_repos, rows = map(float, r.stdout.split())
    extrapolated = t_list + t_repos / rows * n_repos
    return {"paper_seconds_per_repository": round(t_repos / rows, 3), "paper_measured_repositories": int(rows),
            "paper_extrapolated_seconds": round(extrapolated, 1),
            "speedup_over_paper_scripts": round(extrapolated / collector_wall, 1)}


def run(smoke: bool) -> dict:
    cfg = SMOKE if smoke else FULL
    with tempfile.TemporaryDirectory() as tmp:
        figures = pacing(cfg, Path(tmp))
        figures.update(heavy(cfg, Path(tmp)))
        figures.update(baseline(cfg, figures["repositories"], figures["wall_seconds"]))
    return figures


if __name__ == "__main__":
    raise SystemExit(harness.main("collect", run, targets=[
        harness.Target("rate_share", ">=", 0.95, "collector: share of the allowed request rate used"),
        harness.Target("share_429", "<=", 0.01, "collector: share of requests answered 429"),
        harness.Target("heavy_rate_share", ">=", 0.95,
                       "collector, one repository with 3,000 threads: share of the allowed rate used"),
        harness.Target("heavy_wall_over_ideal", "<=", 1.15,
                       "collector, one repository with 3,000 threads: wall time / (requests / allowed rate)"),
    ]))
