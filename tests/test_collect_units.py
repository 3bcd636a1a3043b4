"""Work units below the repository, every rate-limit bucket, exact resume, and --plan.

Against the fake Hub (127.0.0.1 only): a repository with 3,000 threads among
ordinary ones keeps every worker busy (wall time within 1.15x of requests /
allowed rate); SIGKILL at random points then --resume gives the uninterrupted
run's snapshot; a plan's estimate is within 20% of the run it plans.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hubcommunity.collect import collect, parse_quota, plan_collection
from hubcommunity.collect.details import RepoWork, Reuse, Unit
from hubcommunity.collect.http import FetchError, Page
from hubcommunity.collect.incremental import PreviousIndex
from hubcommunity.collect.plan import Plan, RequestCosts, about_count, about_duration, costs_from_snapshots
from hubcommunity.collect.ratelimit import (Policy, Remaining, bucket_of, format_policies, format_rate_limits,
                                            parse_policies, parse_rate_limits, route_of)
from hubcommunity.collect.scheduler import RateScheduler
from hubcommunity.fakehub import FakeHub, Faults, generate_fixture
from hubcommunity.fakehub.testing import FAKE_TOKEN, FAST_COLLECT
from hubcommunity.snapshot import open_snapshot, write_manifest
from hubcommunity.collect.checkpoint import encode_records

STREAMS = ("models", "datasets", "spaces", "commits", "discussions", "fetch_errors")


def records(snapshot: Path) -> dict[str, list[str]]:
    """Every record of every stream as canonical JSON, sorted (order-free comparison)."""
    snap = open_snapshot(snapshot, verify=True)
    return {k: sorted(json.dumps(r, sort_keys=True) for r, _ in snap.iter_records(k)) for k in STREAMS}


# ----------------------------------------------------------------------------- headers and buckets


def test_rate_limit_headers_are_read_per_bucket():
    hub = {"ratelimit": '"api";r=489;t=189', "ratelimit-policy": '"fixed window";"api";q=500;w=300'}
    assert parse_rate_limits(hub) == {"api": Remaining(489, 189.0)}
    assert parse_policies(hub) == {"api": Policy(500, 300.0)}
    both = {"RateLimit": '"api";r=3;t=20, "resolvers";r=0;t=7',
            "RateLimit-Policy": '"fixed window";"api";q=1000;w=300, "fixed window";"resolvers";q=5000;w=300'}
    assert parse_rate_limits(both) == {"api": Remaining(3, 20.0), "resolvers": Remaining(0, 7.0)}
    assert parse_policies(both) == {"api": Policy(1000, 300.0), "resolvers": Policy(5000, 300.0)}
    draft = {"RateLimit-Policy": '"burst";q=100;w=60'}  # the draft's own form
    assert parse_policies(draft) == {"burst": Policy(100, 60.0)}
    assert parse_rate_limits({"RateLimit": "nonsense"}) == {} and parse_policies({}) == {}
    # the fake Hub writes what the parser reads
    items = {"api": Remaining(9, 1), "threads": Remaining(0, 2)}
    assert parse_rate_limits({"RateLimit": format_rate_limits(items)}) == items
    assert parse_policies({"RateLimit-Policy": format_policies({"pages": Policy(200, 300)})}) == \
        {"pages": Policy(200, 300.0)}


def test_requests_are_routed_to_their_documented_bucket():
    assert bucket_of("/api/models/org/name/discussions/3") == "api"
    assert bucket_of("https://huggingface.co/api/models?limit=1000") == "api"
    assert bucket_of("https://huggingface.co/org/name/resolve/main/config.json") == "resolvers"
    assert bucket_of("/org/name") == "pages"
    # routes: the bucket and the kind of endpoint (paced apart if a server buckets them apart)
    assert [route_of(p) for p in ("/api/models", "/api/datasets/o/n", "/api/spaces/o/n/commits/main",
                                  "/api/models/o/n/discussions", "http://h/api/models/o/n/discussions/7?x=1",
                                  "/o/n/resolve/main/f", "/o/n")] == \
        ["api:list", "api:repo", "api:commits", "api:discussions", "api:discussion", "resolvers:file", "pages:page"]


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, s):
        self.now += s


def test_scheduler_waits_for_every_bucket_a_route_counts_against():
    clock = FakeClock()
    s = RateScheduler(safety=1.0, clock=clock, sleep=clock.sleep)
    t = s.acquire("api:discussion")
    # the answer says thread details also count against a slow "threads" bucket
    s.observe(t, 200, {"RateLimit": '"api";r=99;t=1, "threads";r=9;t=1',
                       "RateLimit-Policy": '"fixed window";"api";q=100;w=1, "fixed window";"threads";q=10;w=1'})
    assert s.routes["api:discussion"] == {"api", "threads"}
    start = clock.now
    for _ in range(10):
        s.acquire("api:discussion")
    # paced by the slower bucket: 10 per second, not 100
    assert clock.now - start == pytest.approx(0.9, abs=0.11)
    t = s.acquire("api:commits")  # another route of the api bucket: the api pace only
    s.observe(t, 200, {"RateLimit": '"api";r=80;t=1', "RateLimit-Policy": '"fixed window";"api";q=100;w=1'})
    start = clock.now
    for _ in range(10):
        s.acquire("api:commits")
    assert clock.now - start == pytest.approx(0.1, abs=0.02)
    # a 429 naming one bucket pauses that bucket only
    t = s.acquire("pages:page")
    s.observe(t, 429, {"RateLimit": '"pages";r=0;t=30'})
    paused = clock.now
    s.acquire("api:commits")
    assert clock.now - paused < 1
    s.acquire("pages:page")
    assert clock.now - paused >= 30


def test_collector_respects_every_bucket_the_hub_announces(tmp_path):
    fx = generate_fixture(seed=5, n_models=12, n_datasets=2, n_spaces=2, n_users=10)
    fx.add_threads("model", fx.repos["model"][0]["id"], 250)
    # windows holding well over a hundred requests, as the Hub's do: paced at 95% of the quota, with
    # a late request catching up a few slots, any window then holds at most 0.95 q + 4 requests
    quotas = {"api": (900, 3), "threads": (150, 3)}
    faults = Faults(rate_limits=quotas, bucket_rules=[(r"/discussions/\d+$", ("api", "threads"))])
    with FakeHub(fx, faults) as hub:
        summary = collect(tmp_path / "s", endpoint=hub.url,
                          **{**FAST_COLLECT, "max_concurrency": 8, "rate_safety": 0.95})
    assert hub.statuses[429] == 0 and summary.rate_limited == 0
    log = sorted((t, p) for t, p, _ in hub.log)
    for bucket, (quota, window) in quotas.items():
        times = [t for t, p in log if bucket == "api" or p.rsplit("/", 1)[-1].isdigit()]
        worst = max(sum(1 for u in times[i:] if u < t + window) for i, t in enumerate(times))
        assert worst <= quota, bucket
    threads = [t for t, p in log if p.rsplit("/", 1)[-1].isdigit()]
    # thread details went at (about) the slow bucket's pace, not the api's
    assert 0.85 * 50 < (len(threads) - 1) / (threads[-1] - threads[0]) <= 50 < 300
    assert summary.records["discussions"] == fx.expected_threads()


# ----------------------------------------------------------------------------- units of one repository (pure)


def _page(body, next_url=None, **headers):
    return Page(body, next_url, headers)


def _commit(i):
    return {"id": f"c{i}", "title": f"t{i}", "authors": [], "date": "2024-01-01T00:00:00.000Z"}


def test_commit_pages_fan_out_from_the_total_and_keep_their_order():
    w = RepoWork("model", "org/r", discussions=False)
    out = w.start()
    assert [u.key for u in out.units] == ["cp:model:org/r:0"]
    first = out.units[0]
    assert dict(first.params) == {"limit": "1000"}
    nxt = "http://hub/api/models/org/r/commits/main?limit=4&p=1"
    out = w.handle(first, _page([_commit(i) for i in range(4)], nxt, **{"X-Total-Count": "10"}))
    pages = {u.part: u for u in out.units}
    assert sorted(pages) == [1, 2] and pages[2].url.endswith("limit=4&p=2")
    assert out.records["progress"][0]["unit"] == "cp:model:org/r:0" and not w.finished
    out2 = w.handle(pages[2], _page([_commit(8), _commit(9)]))  # the last page comes back first
    assert "commits" not in out2.records
    out1 = w.handle(pages[1], _page([_commit(i) for i in range(4, 8)], nxt.replace("p=1", "p=2")))
    assert [c["id"] for c in out1.records["commits"][0]["commits"]] == [f"c{i}" for i in range(10)]
    assert out1.finished and "repo:model:org/r" in out1.done and "c:model:org/r" in out1.done


def test_commit_pages_follow_the_link_chain_without_a_total():
    w = RepoWork("model", "org/r", discussions=False)
    unit = w.start().units[0]
    out = w.handle(unit, _page([_commit(0)], "http://hub/next-1"))
    assert [(u.part, u.url) for u in out.units] == [(1, "http://hub/next-1")]
    out = w.handle(out.units[0], _page([_commit(1)], "http://hub/next-2"))
    out = w.handle(out.units[0], _page([_commit(2)]))
    assert [c["id"] for c in out.records["commits"][0]["commits"]] == ["c0", "c1", "c2"] and out.finished


def test_a_failing_commit_page_fails_the_history_and_late_pages_are_ignored():
    w = RepoWork("model", "org/r", discussions=False)
    unit = w.start().units[0]
    out = w.handle(unit, _page([_commit(i) for i in range(2)], "http://h/x?p=1", **{"x-total-count": "6"}))
    p1, p2 = out.units
    out = w.handle(p1, FetchError(404, "Revision not found", "RevisionNotFound"))
    assert out.records["fetch_errors"][0]["scope"] == "commits" and "commits" not in out.records
    assert out.finished
    assert w.handle(p2, _page([_commit(5)])).records == {}


def _thread_items(nums):
    return [{"num": n, "status": "open", "title": f"T{n}", "isPullRequest": False, "author": {"name": "u"},
             "createdAt": "2024-01-01T00:00:00.000Z", "numComments": 1} for n in nums]


def test_thread_list_pages_fan_out_then_every_thread_is_a_unit():
    w = RepoWork("model", "org/r", commits=False)
    unit = w.start().units[0]
    out = w.handle(unit, _page({"discussions": _thread_items(range(120, 70, -1)), "count": 120, "start": 0}))
    assert sorted(u.part for u in out.units) == [1, 2] and all(u.kind == "threads" for u in out.units)
    p1, p2 = out.units
    w.handle(p2, _page({"discussions": _thread_items(range(20, 0, -1)), "count": 120, "start": 100}))
    out = w.handle(p1, _page({"discussions": _thread_items(range(70, 20, -1)), "count": 120, "start": 50}))
    assert sorted(u.part for u in out.units) == list(range(1, 121))
    assert {u.kind for u in out.units} == {"thread"} and "l:model:org/r" in out.done
    units = out.units
    for u in units[:-1]:
        assert not w.handle(u, _page({"num": u.part, "events": []})).finished
    last = w.handle(units[-1], FetchError(404, "gone"))
    assert last.records["fetch_errors"][0] == {"repo_id": "org/r", "repo_type": "model", "scope": "thread",
                                               "http_status": 404, "reason": "gone", "error_code": None,
                                               **{k: v for k, v in _thread_items([units[-1].part])[0].items()
                                                  if k != "numComments"}}
    assert last.finished


def test_restore_redoes_exactly_the_unfinished_units():
    """Stop a repository half-way, keep what was 'committed', restore: same units left, same records."""
    def run(w: RepoWork, first: list[Unit], stop_after: int | None):
        done, progress, recs, queue, n = set(), [], [], list(first), 0
        while queue and (stop_after is None or n < stop_after):
            u = queue.pop(0)
            body = ([_commit(u.part * 3 + i) for i in range(3)] if u.kind == "commits" else
                    {"discussions": _thread_items(range(7 - 3 * u.part, max(0, 7 - 3 * u.part - 3), -1)),
                     "count": 7, "start": 3 * u.part} if u.kind == "threads" else {"num": u.part, "events": []})
            nxt = "http://h/c?p=1" if u.kind == "commits" and u.part == 0 else None
            out = w.handle(u, _page(body, nxt, **{"X-Total-Count": "8"}))
            queue += out.units
            done.update(out.done)
            progress += out.records.get("progress", [])
            recs += [json.dumps(r, sort_keys=True) for s, rs in out.records.items() if s != "progress" for r in rs]
            n += 1
        return done, progress, recs, queue

    whole = RepoWork("model", "o/r")
    _, _, want, _ = run(whole, whole.start().units, None)
    assert whole.finished
    for stop in range(1, 12):
        w = RepoWork("model", "o/r")
        done, progress, got, _ = run(w, w.start().units, stop)
        again = RepoWork("model", "o/r")
        out = again.restore(done, progress)
        keys = {u.key for u in out.units}
        assert not keys & done  # nothing done is redone
        _, _, rest, _ = run(again, out.units, None)
        assert sorted(got + rest) == sorted(want), stop  # nothing lost, nothing twice
        assert again.finished


def test_a_page_returning_after_its_history_failed_is_dropped(tmp_path):
    """Commit pages in flight when another page fails for good: the late one is ignored, the run goes on."""
    from hubcommunity.fakehub import FaultRule

    fx = generate_fixture(seed=21, n_models=10, n_datasets=1, n_spaces=1, n_users=10)
    rid = next(r["id"] for r in fx.repos["model"] if len(fx.commits[("model", r["id"])]) >= 5
               and ("model", r["id"]) not in fx.gated_commits)
    path = rf"/api/models/{rid}/commits/"
    faults = Faults(rules=[FaultRule(path=path, status=404, every=2, times=1),  # the second page asked fails
                           FaultRule(path=path, kind="slow", delay=0.5, times=None)])  # the others are slow
    with FakeHub(fx, faults, commit_page_size=2) as hub:
        summary = collect(tmp_path / "s", endpoint=hub.url, **FAST_COLLECT)
        assert hub.requests_matching(path) >= 3  # pages after the first went out together
    recs = records(tmp_path / "s")
    assert rid not in {json.loads(c)["repo"]["name"] for c in recs["commits"]}
    errors = [json.loads(e) for e in recs["fetch_errors"]]
    assert [(e["scope"], e["http_status"]) for e in errors if e["repo_id"] == rid] == [("commits", 404)]
    assert summary.records["commits"] == fx.expected_commit_records() - 1


# ----------------------------------------------------------------------------- a repository with 3,000 threads

HEAVY = {"seed": 7, "n_models": 40, "n_datasets": 5, "n_spaces": 5, "n_users": 20}
HEAVY_THREADS = 3000
HEAVY_RATE = (2500, 10)  # 250 requests/s, in windows holding hundreds of requests like the Hub's


def heavy_fixture():
    fx = generate_fixture(**HEAVY)
    fx.add_threads("model", fx.repos["model"][5]["id"], HEAVY_THREADS)
    return fx


def collect_cmd(dest: Path, url: str, *extra: str) -> list[str]:
    """The collector as a process of its own (``python -m hubcommunity.collect``)."""
    return [sys.executable, "-m", "hubcommunity.collect", str(dest), "--endpoint", url, "--no-progress", *extra]


@pytest.fixture(scope="module")
def heavy_run(tmp_path_factory):
    """The uninterrupted collection of the heavy fixture: (snapshot, records, requests, 429s, manifest)."""
    dest = tmp_path_factory.mktemp("heavy") / "s"
    with FakeHub(heavy_fixture(), Faults(rate_limit=HEAVY_RATE)) as hub:
        r = subprocess.run(collect_cmd(dest, hub.url, "--max-concurrency", "16"), capture_output=True, text=True,
                           env={**os.environ, "HF_TOKEN": FAKE_TOKEN}, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
    manifest = json.loads((dest / "manifest.json").read_text())
    return dest, records(dest), hub.total_requests(), hub.statuses[429], manifest, dict(hub.requests)


def test_a_repository_with_3000_threads_keeps_every_worker_busy(heavy_run):
    dest, recs, requests, n429, manifest, _ = heavy_run
    fx = heavy_fixture()
    assert len(recs["discussions"]) == fx.expected_threads() > HEAVY_THREADS
    assert len(recs["commits"]) == fx.expected_commit_records()
    allowed = HEAVY_RATE[0] / HEAVY_RATE[1]
    wall = manifest["summary"]["elapsed_seconds"]
    assert n429 == 0 and manifest["summary"]["requests"] == requests
    assert wall <= 1.15 * requests / allowed, f"{requests} requests in {wall:.1f} s at {allowed:.0f}/s"


def test_sigkill_at_random_points_then_resume_equals_the_uninterrupted_run(heavy_run, tmp_path):
    _, want, uninterrupted_requests, _, _, _ = heavy_run
    dest = tmp_path / "s"
    rng = random.Random(20240125)
    batch, workers = 50, 8
    kills = 0
    with FakeHub(heavy_fixture(), Faults(rate_limit=(1200, 2))) as hub:
        cmd = collect_cmd(dest, hub.url, "--max-concurrency", str(workers), "--batch-size", str(batch))
        env = {**os.environ, "HF_TOKEN": FAKE_TOKEN}
        for attempt in range(3):
            proc = subprocess.Popen(cmd + (["--resume"] if attempt else []), env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(rng.uniform(0.4, 3.0))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait()
            assert not (dest / "manifest.json").exists() or proc.returncode == 0
        r = subprocess.run(cmd + ["--resume"], env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
    assert kills >= 2, "the runs finished before they could be killed"
    got = records(dest)
    assert got == want
    for stream, recs in got.items():
        assert len(recs) == len(set(recs)), stream
    # resumes redo only unfinished units: at most a few batches (handed over, not yet committed) and the
    # requests in flight per kill, besides the listing asked again until it was committed
    extra = hub.total_requests() - uninterrupted_requests
    assert 0 <= extra <= kills * (3 * batch + 2 * workers + 3)
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["summary"]["resumed"] is True and not (dest / ".collect").exists()


# ----------------------------------------------------------------------------- --plan


def test_parse_quota():
    assert parse_quota("1000/300") == Policy(1000, 300.0)
    assert parse_quota("2,500/300") == Policy(2500, 300.0)
    with pytest.raises(ValueError, match="Q/W"):
        parse_quota("1000")


def test_plan_text_rounds_like_a_person():
    assert about_count(4_100_000) == "about 4.1 M" and about_count(12_345) == "about 12,000"
    assert about_count(830) == "about 830" and about_count(14_600_000) == "about 15 M"
    assert about_duration(14.5 * 86400) == "about 14 days" and about_duration(5.7 * 86400) == "about 5.7 days"
    assert about_duration(3 * 3600 + 720) == "about 3.2 hours" and about_duration(42) == "about 42 s"
    costs = {"model": RequestCosts("model", 10, 1.0, 1.0, 2.1, "test")}
    plan = Plan(repos={"model": 1_000_000}, listing_requests=1000, costs=costs, details=("commits", "discussions"),
                policy=Policy(1000, 300), policy_source="given")
    assert plan.requests == 1000 + 1_000_000 * 4.1
    assert plan.seconds() == pytest.approx(plan.requests / (1000 / 300 * 0.985))
    assert plan.headline() == ("about 4.1 M requests, about 14 days at 1,000 per 5 min; "
                               "about 5.8 days at 2,500 per 5 min; about 4.8 days at 3,000 per 5 min")
    assert "models: 1,000,000 in scope x 4.10 requests" in plan.text()


def _write_snapshot(root: Path, name: str, streams: dict[str, list[dict]], captured: dict[str, str],
                    defaults: dict[str, dict] | None = None) -> Path:
    from hubcommunity.snapshot import Stream
    import hashlib

    snap = root / name
    out = []
    for kind, recs in streams.items():
        data = encode_records(recs)
        (snap / "raw" / kind).mkdir(parents=True, exist_ok=True)
        (snap / "raw" / kind / "part-0.jsonl.gz").write_bytes(data)
        rel = f"{kind}/part-0.jsonl.gz"
        out.append(Stream(kind=kind, files=[rel], format="records", records=len(recs),
                          sha256={rel: hashlib.sha256(data).hexdigest()}, sizes={rel: len(data)},
                          defaults=(defaults or {}).get(kind, {})).to_json())
    write_manifest(snap, {"name": name, "captured_at": captured, "streams": out})
    return snap


def test_plan_means_from_snapshots_are_counted_exactly(tmp_path):
    """Hand-made captures: a July listing and January discussions, joined on models created by January."""
    models = [{"id": f"o/m{i}", "createdAt": "2023-06-01T00:00:00.000Z"} for i in range(4)]
    models.append({"id": "o/new", "createdAt": "2024-03-01T00:00:00.000Z"})  # after the discussions capture
    datasets = [{"id": f"o/d{i}", "createdAt": "2023-06-01T00:00:00.000Z"} for i in range(3)]
    listing = _write_snapshot(tmp_path, "lists", {"models": models, "datasets": datasets},
                              {"models": "2024-07-11", "datasets": "2024-07-09"})
    threads = [{"repo": {"name": "o/m0", "type": "model"}, "num": n} for n in range(1, 121)]  # 3 list pages
    threads += [{"repo": {"name": "o/m1", "type": "model"}, "num": 1},
                {"repo": {"name": "o/new", "type": "model"}, "num": 1}]  # not counted: created later
    errors = [{"repo_id": "o/m2", "scope": "repository", "http_status": 403, "reason": "disabled"},
              {"repo_id": "o/m1", "scope": "thread", "http_status": 404, "reason": "gone", "num": 2}]
    disc = _write_snapshot(tmp_path, "disc", {"discussions": threads, "fetch_errors": errors},
                           {"discussions": "2024-01-25", "fetch_errors": "2024-01-25"},
                           defaults={"fetch_errors": {"repo_type": "model"}})
    costs = costs_from_snapshots([listing, disc], ("model", "dataset"))
    m = costs["model"]
    assert m.repos == 4
    assert m.threads == (120 + 1 + 1) / 4  # threads and failed thread details of models m0..m3
    assert m.list_pages == (3 + 1 + 1 + 1) / 4
    assert m.commit_pages == 1.0 and any("one page per model" in n for n in m.notes)
    d = costs["dataset"]  # no discussions of datasets: the models' means, said so
    assert d.repos == 3 and d.threads == m.threads and any("models' means" in n for n in d.notes)
    # the command prints the same, offline
    r = subprocess.run([sys.executable, "-m", "hubcommunity.collect", "--plan", "--types", "model", "dataset",
                        "--listing-from", str(listing), "--plan-from", str(listing), str(disc),
                        "--quota", "1000/300"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    n_requests = 2 + 5 * m.per_repo(("commits", "discussions")) + 3 * d.per_repo(("commits", "discussions"))
    assert r.stdout.startswith(f"plan: {about_count(n_requests)} requests")
    assert "models: 5 in scope" in r.stdout and "datasets: 3 in scope" in r.stdout


def test_plan_from_a_pilot_is_within_20_percent_of_the_run(tmp_path):
    fx = generate_fixture(seed=11, n_models=80, n_datasets=30, n_spaces=30, n_users=20)
    with FakeHub(fx, Faults(rate_limit=(200, 2))) as hub:
        plan = plan_collection(endpoint=hub.url, pilot=30, max_concurrency=8)
        assert plan.policy == Policy(200, 2.0) and "RateLimit-Policy" in plan.policy_source
        assert plan.spent_requests == hub.total_requests()
        before = hub.total_requests()
        summary = collect(tmp_path / "s", endpoint=hub.url, progress=False)
        assert summary.requests == hub.total_requests() - before
    assert plan.repos == {"model": 80, "dataset": 30, "space": 30}
    assert abs(plan.requests / summary.requests - 1) <= 0.20
    assert abs(plan.seconds() / summary.elapsed_seconds - 1) <= 0.20


def test_plan_from_an_earlier_snapshot_is_within_20_percent_of_the_run(tmp_path):
    fx = generate_fixture(seed=12, n_models=60, n_datasets=20, n_spaces=20, n_users=20)
    with FakeHub(fx) as hub:
        collect(tmp_path / "earlier", endpoint=hub.url, **FAST_COLLECT)
    later = generate_fixture(seed=12, n_models=60, n_datasets=20, n_spaces=20, n_users=20)
    for r in later.repos["model"][:6]:  # the Hub moved on a little
        later.touch("model", r["id"])
        later.add_threads("model", r["id"], 2)
    with FakeHub(later, Faults(rate_limit=(200, 2))) as hub:
        plan = plan_collection(endpoint=hub.url, plan_from=[str(tmp_path / "earlier")])
        assert plan.spent_requests == 3  # the listing only: no pilot
        summary = collect(tmp_path / "now", endpoint=hub.url, progress=False)
    assert abs(plan.requests / summary.requests - 1) <= 0.20
    assert abs(plan.seconds() / summary.elapsed_seconds - 1) <= 0.20


# ----------------------------------------------------------------------------- incremental index


def test_previous_index_answers_like_the_snapshot_one_repository_at_a_time(tmp_path):
    models = [{"id": "o/a", "sha": "1", "lastModified": "x"}, {"id": "o/b", "sha": "2", "lastModified": "y"},
              {"id": "o/c", "sha": None, "lastModified": "z"}]
    commits = [{"repo": {"name": n, "type": "model"}, "commits": [{"id": n}]} for n in ("o/a", "o/b", "o/c")]
    threads = [{"repo": {"name": "o/a", "type": "model"}, "num": 1, "v": 1},
               {"repo": {"name": "o/a", "type": "model"}, "num": 2, "v": 1},
               {"repo": {"name": "o/a", "type": "model"}, "num": 1, "v": 2}]  # twice: the later counts
    snap = _write_snapshot(tmp_path, "old", {"models": models, "commits": commits, "discussions": threads},
                           {"models": "2024-01-01"})
    index = PreviousIndex.build(snap, tmp_path / "idx.sqlite")
    assert index.counts == {"versions": 3, "commits": 3, "threads": 3}
    a = index.reuse_for("model", {"id": "o/a", "sha": "1", "lastModified": "x"})
    assert a.commits == commits[0] and a.threads == {1: threads[2], 2: threads[1]}
    assert index.reuse_for("model", {"id": "o/b", "sha": "3", "lastModified": "y"}).commits is None  # changed
    assert index.reuse_for("model", {"id": "o/c", "sha": None, "lastModified": "z"}).commits is None  # unknown
    assert index.reuse_for("model", {"id": "o/new"}) == Reuse()
    assert PreviousIndex.open_or_build(snap, tmp_path / "idx.sqlite").path == index.path
