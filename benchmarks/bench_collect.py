"""Benchmark the collector against a rate-limited fake Hub; prints its figures.

1. Pacing: the fake Hub allows QUOTA requests per WINDOW seconds (fixed
   window, the Hub's RateLimit headers). The collector gathers listings,
   commits and discussions of a fixture Hub; we report the achieved request
   rate (requests received by the server / time from first to last request)
   as a share of the allowed rate (target >= 95%) and the share of requests
   answered 429 (target <= 1%).
2. Against the paper's approach (``ccosborne/hf-hub-mining``: list, then per
   repository ``list_repo_commits`` + ``get_repo_discussions`` and
   ``time.sleep(1)``, sequentially), re-created with the real ``HfApi`` in a
   subprocess with ``HF_ENDPOINT`` set. It runs on a SUBSET of the same
   repositories with the real 1 s sleep; its per-repository time is
   extrapolated to the full set (printed as such). The collector does more
   work per repository (every thread's details, for participants).

Run: ``.venv/bin/python benchmarks/bench_collect.py [--quota 200 --window 2 --subset 12]``
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import huggingface_hub

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quota", type=int, default=200, help="requests per window allowed by the fake Hub")
    ap.add_argument("--window", type=int, default=2, help="window length (s)")
    ap.add_argument("--models", type=int, default=300)
    ap.add_argument("--subset", type=int, default=12, help="repositories the 1 s-sleep baseline really runs")
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus, python {platform.python_version()}, "
          f"huggingface_hub {huggingface_hub.__version__}")
    fx = generate_fixture(seed=0, n_models=args.models, n_datasets=0, n_spaces=0)
    n_repos = fx.n_repos("model")
    allowed = args.quota / args.window

    with tempfile.TemporaryDirectory() as tmp:
        with FakeHub(fx, Faults(rate_limit=(args.quota, args.window))) as hub:
            t0 = time.monotonic()
            summary = collect(Path(tmp) / "snap", repo_types=["model"], endpoint=hub.url, token=None,
                              progress=False, max_concurrency=args.concurrency)
            wall = time.monotonic() - t0
            times = sorted(t for t, _, _ in hub.log)
            n_req = len(times)
            n429 = hub.statuses[429]
        span = times[-1] - times[0]
        achieved = (n_req - 1) / span
        print(f"\n1. pacing: fake Hub allows {args.quota} requests / {args.window} s = {allowed:.1f} req/s")
        print(f"   collector: {n_repos} models, {n_req} requests in {span:.2f} s (first to last request), "
              f"wall {wall:.2f} s, {args.concurrency} workers")
        print(f"   achieved rate {achieved:.1f} req/s = {achieved / allowed:.1%} of allowed (target >= 95%)")
        print(f"   answered 429: {n429} = {n429 / n_req:.2%} of requests (target <= 1%)")
        print(f"   records: {summary.records}")

        with FakeHub(fx, Faults(rate_limit=(args.quota, args.window))) as hub:
            env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_TELEMETRY": "1"}
            env.pop("HF_TOKEN", None)
            r = subprocess.run([sys.executable, "-c", BASELINE, str(args.subset)], env=env, capture_output=True,
                               text=True, check=True)
        t_list, t_repos, rows = map(float, r.stdout.split())
        per_repo = t_repos / rows
        extrapolated = t_list + per_repo * n_repos
        print(f"\n2. paper's sequential approach (HfApi, list then per repo list_repo_commits + "
              f"get_repo_discussions + time.sleep(1)):")
        print(f"   measured: listing {t_list:.2f} s, {int(rows)} repositories in {t_repos:.2f} s "
              f"({per_repo:.3f} s per repository, real 1 s sleep)")
        print(f"   extrapolated to all {n_repos} repositories: {extrapolated:.1f} s")
        print(f"   collector wall time for the same {n_repos} repositories (plus every thread's details): "
              f"{wall:.1f} s")
        print(f"   speed-up: {extrapolated / wall:.1f}x (bounded here by the fake Hub's {allowed:.0f} req/s limit; "
              f"on the real Hub by its quota)")


if __name__ == "__main__":
    main()
