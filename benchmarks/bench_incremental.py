"""Peak memory of an incremental collection whose earlier snapshot has 1 million threads.

Generates an earlier snapshot (100,000 models with 10 discussion threads each,
their listing and commit histories; records shaped like the Hub's), then runs
the real collector as its own process (``python -m hubcommunity.collect
--incremental-from``) against a fake Hub that lists 2,000 of those models,
unchanged: the collector indexes the whole earlier snapshot (streamed into
SQLite) and reuses every commit history and thread, asking only each
model's discussion list. Reports the collector's peak resident memory (its
``ru_maxrss``, read by the parent with ``wait4``), its wall time, and what
it reused.

For comparison, a child process that holds every earlier record in Python
dicts (as the collector did before) is measured on 100,000 threads and its
growth per thread extrapolated to 1 million (reported as an extrapolation).

Run: ``.venv/bin/python benchmarks/bench_incremental.py [--smoke] [--out DIR]``
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness

from hubcommunity.collect.checkpoint import encode_records
from hubcommunity.fakehub import FakeHub, HubFixture
from hubcommunity.fakehub.fixtures import fake_sha, iso
from hubcommunity.snapshot import Stream, write_manifest

FULL = {"repos": 100_000, "threads_per_repo": 10, "listed": 2_000, "dict_threads": 100_000}
SMOKE = {"repos": 1_000, "threads_per_repo": 10, "listed": 100, "dict_threads": 2_000}
PART = 20_000  # records per file of the generated snapshot


def _author(name: str) -> dict:
    return {"name": name, "fullname": name.title(), "type": "user", "isPro": False, "isHf": False,
            "isOwner": False, "isOrgMember": False, "avatarUrl": f"https://cdn.example/{name}.png"}


def repo_records(i: int, threads_per_repo: int) -> tuple[dict, dict, list[dict]]:
    """Listing record, commits record and threads of generated model ``i`` (deterministic)."""
    from datetime import datetime, timedelta, timezone

    rid = f"org{i % 997:03d}/model-{i:06d}"
    created = datetime(2023, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=i)
    sha = fake_sha("bench", rid)
    listing = {"_id": fake_sha("oid", rid)[:24], "id": rid, "author": rid.split("/")[0], "sha": sha,
               "lastModified": iso(created), "createdAt": iso(created), "likes": i % 7, "downloads": i % 101,
               "tags": ["transformers", "license:mit", "region:us"], "private": False}
    commits = {"repo": {"name": rid, "type": "model"},
               "commits": [{"id": sha, "title": "initial commit", "message": "", "date": iso(created),
                            "authors": [{"user": f"user{i % 50}", "avatar": "https://cdn.example/a.png"}]}]}
    threads = []
    for num in range(1, threads_per_repo + 1):
        ts = iso(created + timedelta(hours=num))
        threads.append({
            "repo": {"name": rid, "type": "model"}, "num": num, "title": f"Question {num} about model-{i}",
            "status": "open", "author": _author(f"user{(i + num) % 50}"), "createdAt": ts, "isPullRequest": False,
            "pinned": False, "locked": False,
            "events": [{"id": fake_sha("ev", rid, num)[:24], "type": "comment", "createdAt": ts,
                        "author": _author(f"user{(i + num) % 50}"),
                        "data": {"edited": False, "hidden": False, "numEdits": 0, "isReport": False,
                                 "latest": {"raw": f"How do I use model-{i} for task {num}?", "updatedAt": ts},
                                 "reactions": []}}]})
    return listing, commits, threads


def write_earlier(dest: Path, cfg: dict) -> int:
    """Write the generated earlier snapshot; return its bytes on disk."""
    streams: dict[str, list[str]] = {"models": [], "commits": [], "discussions": []}
    buffers: dict[str, list[dict]] = {k: [] for k in streams}
    counts = {k: 0 for k in streams}
    sums, sizes = {}, {}

    def flush(kind: str) -> None:
        if not buffers[kind]:
            return
        rel = f"{kind}/{kind}-{len(streams[kind]):05d}.jsonl.gz"
        data = encode_records(buffers[kind])
        (dest / "raw" / kind).mkdir(parents=True, exist_ok=True)
        (dest / "raw" / rel).write_bytes(data)
        streams[kind].append(rel)
        sums[rel], sizes[rel] = hashlib.sha256(data).hexdigest(), len(data)
        counts[kind] += len(buffers[kind])
        buffers[kind].clear()

    for i in range(cfg["repos"]):
        listing, commits, threads = repo_records(i, cfg["threads_per_repo"])
        buffers["models"].append(listing)
        buffers["commits"].append(commits)
        buffers["discussions"].extend(threads)
        for kind in streams:
            if len(buffers[kind]) >= PART:
                flush(kind)
    for kind in streams:
        flush(kind)
    write_manifest(dest, {
        "name": dest.name, "description": "generated for bench_incremental", "captured_at": {
            "models": "2024-01-01", "commits": "2024-01-01", "discussions": "2024-01-01"},
        "streams": [Stream(kind=k, files=f, format="records", records=counts[k],
                           sha256={r: sums[r] for r in f}, sizes={r: sizes[r] for r in f}).to_json()
                    for k, f in streams.items()]})
    return sum(sizes.values())


def fixture_for(cfg: dict) -> HubFixture:
    """A fake Hub listing the first ``listed`` generated models, unchanged since the earlier snapshot."""
    fx = HubFixture(seed=0)
    fx.repos = {"model": [], "dataset": [], "space": []}
    for i in range(cfg["listed"]):
        listing, commits, threads = repo_records(i, cfg["threads_per_repo"])
        fx.repos["model"].append(listing)
        fx.commits[("model", listing["id"])] = commits["commits"]
        fx.discussions[("model", listing["id"])] = threads
    return fx


def run_child(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; return (its own peak resident memory in MB, seconds, stdout). Raises if it fails.

    The peak is the child's ``ru_maxrss``, read with ``os.wait4`` on its pid.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:4])} failed ({proc.returncode}): {err.read()[-2000:]}")
        return usage.ru_maxrss / 1024, seconds, out.read()


DICT_CHILD = r"""
import json, os, resource, sys
from hubcommunity.snapshot import open_snapshot

def rss_kb():  # current resident memory (KiB), from /proc
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

snap = open_snapshot(sys.argv[1])
limit = int(sys.argv[2])
base = rss_kb()
threads, commits, versions = {}, {}, {}
for rec, _ in snap.iter_records("models"):
    versions[("model", rec["id"])] = (rec.get("sha"), rec.get("lastModified"))
for rec, _ in snap.iter_records("commits"):
    commits[(rec["repo"]["type"], rec["repo"]["name"])] = rec
n = 0
for rec, _ in snap.iter_records("discussions"):
    threads.setdefault((rec["repo"]["type"], rec["repo"]["name"]), {})[rec["num"]] = rec
    n += 1
    if n >= limit:
        break
print(json.dumps({"threads": n, "base_kb": base, "held_kb": rss_kb(),
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run(smoke: bool) -> dict:
    cfg = SMOKE if smoke else FULL
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        earlier = tmp / "earlier"
        t0 = time.monotonic()
        size = write_earlier(earlier, cfg)
        n_threads = cfg["repos"] * cfg["threads_per_repo"]
        figures.update({"earlier_threads": n_threads, "earlier_repositories": cfg["repos"],
                        "earlier_snapshot_mb": round(size / 1e6, 1),
                        "generate_seconds": round(time.monotonic() - t0, 1)})
        # the collector, incremental from the earlier snapshot, as its own process
        with FakeHub(fixture_for(cfg)) as hub:
            cmd = [sys.executable, "-m", "hubcommunity.collect", str(tmp / "now"), "--types", "model",
                   "--endpoint", hub.url, "--no-progress", "--incremental-from", str(earlier),
                   "--max-concurrency", "8"]
            peak_mb, seconds, out = run_child(cmd)
            requests = hub.total_requests()
        manifest = json.loads((tmp / "now" / "manifest.json").read_text())
        figures.update({"collector_peak_rss_mb": round(peak_mb, 1), "collector_seconds": round(seconds, 1),
                        "listed_repositories": cfg["listed"], "requests": requests,
                        "reused_threads": manifest["summary"]["reused"]["threads"],
                        "reused_commits": manifest["summary"]["reused"]["commits"]})
        # the former approach: every earlier record in dicts (measured on fewer threads, extrapolated)
        _, _, out = run_child([sys.executable, "-c", DICT_CHILD, str(earlier), str(cfg["dict_threads"])])
        d = json.loads(out)
        per_thread_kb = (d["held_kb"] - d["base_kb"]) / d["threads"]
        figures.update({"in_memory_measured_threads": d["threads"],
                        "in_memory_measured_mb": round(d["peak_kb"] / 1024, 1),
                        "in_memory_kb_per_thread": round(per_thread_kb, 3),
                        "in_memory_extrapolated_mb": round((d["base_kb"] + per_thread_kb * n_threads) / 1024),
                        "note": "in_memory_extrapolated_mb: the former approach's growth per thread measured on "
                                f"{d['threads']:,} threads, times {n_threads:,} (an extrapolation)"})
    return figures


if __name__ == "__main__":
    raise SystemExit(harness.main("incremental", run, targets=[
        harness.Target("collector_peak_rss_mb", "<=", 1000,
                       "incremental collection, 1 million earlier threads: collector peak memory (MB)"),
    ]))
