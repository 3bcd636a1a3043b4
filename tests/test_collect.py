"""The collector against the fake Hub: exact records, every fault, rate limits, kill -9 and resume,
incremental mode, sampling, and no token in any written file. No network: 127.0.0.1 only."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hubcommunity.collect import collect
from hubcommunity.collect.checkpoint import Journal
from hubcommunity.collect.listing import in_sample
from hubcommunity.fakehub import FakeHub, FaultRule, Faults, generate_fixture
from hubcommunity.fakehub.testing import FAKE_TOKEN, FAST_COLLECT, collected_snapshot_and_fixture
from hubcommunity.snapshot import open_snapshot

SMALL = {"n_models": 30, "n_datasets": 10, "n_spaces": 15, "n_users": 15}
STREAMS = ("models", "datasets", "spaces", "commits", "discussions", "fetch_errors")


def records(snapshot: Path) -> dict[str, list[str]]:
    """Every record of every stream as canonical JSON, sorted (order-free comparison)."""
    snap = open_snapshot(snapshot, verify=True)
    return {k: sorted(json.dumps(r, sort_keys=True) for r, _ in snap.iter_records(k)) for k in STREAMS}


def run(dest: Path, fixture, faults=None, server_options=None, **options):
    with FakeHub(fixture, faults, **(server_options or {})) as hub:
        summary = collect(dest, endpoint=hub.url, **{**FAST_COLLECT, "token": FAKE_TOKEN, **options})
    return summary, hub


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A fault-free collection of the SMALL fixture: (snapshot, fixture, hub, records)."""
    snap, fx, hub = collected_snapshot_and_fixture(tmp_path_factory.mktemp("clean"), seed=3, **SMALL,
                                                   server_options={"commit_page_size": 4})
    return snap, fx, hub, records(snap)


def test_clean_collection_has_exactly_the_fixtures_records(clean):
    snap, fx, hub, recs = clean
    for t, stream in (("model", "models"), ("dataset", "datasets"), ("space", "spaces")):
        got = [json.loads(r) for r in recs[stream]]
        assert sorted(r["id"] for r in got) == sorted(r["id"] for r in fx.repos[t])
    by_id = {json.loads(r)["id"]: json.loads(r) for r in recs["spaces"]}
    assert {(s, m) for s, r in by_id.items() for m in r["models"]} == fx.space_model_links()
    commits = {(c["repo"]["type"], c["repo"]["name"]): c["commits"] for c in map(json.loads, recs["commits"])}
    assert len(commits) == fx.expected_commit_records()
    for key, cs in commits.items():  # full history across Link pages of 4, as sent
        assert cs == fx.commits[key]
    threads = [json.loads(r) for r in recs["discussions"]]
    assert len(threads) == fx.expected_threads()
    for t in threads:
        want = next(x for x in fx.discussions[(t["repo"]["type"], t["repo"]["name"])] if x["num"] == t["num"])
        assert t == want
    errors = [json.loads(r) for r in recs["fetch_errors"]]
    assert sorted((e["repo_id"], e["scope"], e["http_status"]) for e in errors if e["scope"] == "commits") == \
        sorted((rid, "commits", 401) for _, rid in fx.gated_commits)
    assert sorted(e["repo_id"] for e in errors if e["scope"] == "repository") == \
        sorted(rid for _, rid in fx.discussions_disabled)
    assert sorted((e["repo_id"], e["num"]) for e in errors if e["scope"] == "thread") == \
        sorted((rid, num) for t, rid, num in fx.missing_threads if (t, rid) not in fx.discussions_disabled)
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["summary"]["requests"] == hub.total_requests()
    assert manifest["summary"]["rate_limited_429"] == 0 and manifest["summary"]["retries"] == 0
    assert manifest["requested"]["expand"]["space"][-3:] == ["sdk", "models", "disabled"]
    assert not (snap / ".collect").exists()


def test_token_is_sent_but_never_written(clean):
    snap, _, hub, _ = clean
    assert hub.tokens_seen == {f"Bearer {FAKE_TOKEN}"}
    for path in snap.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            assert FAKE_TOKEN.encode() not in data, path


TRANSIENT = {
    "429 on a listing page": FaultRule(path=r"^/api/models$", status=429, retry_after=1, times=1),
    "429 on details": FaultRule(path=r"/discussions$", status=429, retry_after=1, times=2),
    "500": FaultRule(path=r"/commits/", status=500, times=3),
    "502": FaultRule(path=r"/discussions/\d+$", status=502, times=3),
    "503 every 7th request": FaultRule(path=r"/api/", status=503, every=7, times=None),
    "slow beyond the timeout": FaultRule(path=r"/commits/", kind="slow", delay=0.8, times=2),
    "truncated body": FaultRule(path=r"/discussions/\d+$", kind="truncate", times=3),
    "truncated listing": FaultRule(path=r"^/api/spaces$", kind="truncate", times=1),
}


@pytest.mark.parametrize("name", list(TRANSIENT))
def test_transient_faults_are_retried_and_lose_nothing(clean, tmp_path, name):
    rule = TRANSIENT[name]
    rule = FaultRule(**{k: getattr(rule, k) for k in ("path", "kind", "status", "times", "every", "retry_after",
                                                      "delay")})
    faults = Faults(rules=[rule])
    summary, hub = run(tmp_path / "s", generate_fixture(seed=3, **SMALL), faults,
                       server_options={"commit_page_size": 4}, timeout=0.4)
    assert rule.fired >= 1
    assert records(tmp_path / "s") == clean[3]
    assert summary.requests == hub.total_requests()
    assert summary.retries == rule.fired
    if rule.status == 429 and rule.kind == "status":
        assert summary.rate_limited == rule.fired
    if rule.kind == "slow":
        assert summary.wire["timeouts"] == rule.fired


def test_permanent_errors_become_fetch_errors(clean, tmp_path):
    fx = generate_fixture(seed=3, **SMALL)
    ok = [r["id"] for r in fx.repos["model"] if ("model", r["id"]) not in fx.gated_commits
          and ("model", r["id"]) not in fx.discussions_disabled]
    gone, forbidden, private = ok[0], ok[1], ok[2]
    faults = Faults(rules=[FaultRule(path=rf"/api/models/{forbidden}/commits/", status=403, times=None),
                           FaultRule(path=rf"/api/models/{private}/discussions$", status=401, times=None)],
                    deleted_after_listing={gone})
    summary, _ = run(tmp_path / "s", fx, faults, server_options={"commit_page_size": 4})
    recs = records(tmp_path / "s")
    assert recs["models"] == clean[3]["models"]  # still listed
    errors = {(e["repo_id"], e["scope"]): e for e in map(json.loads, recs["fetch_errors"])}
    assert errors[(gone, "commits")]["http_status"] == 404
    assert errors[(gone, "repository")]["http_status"] == 404
    assert errors[(forbidden, "commits")]["http_status"] == 403
    assert errors[(private, "repository")]["http_status"] == 401
    names = {json.loads(c)["repo"]["name"] for c in recs["commits"]}
    assert gone not in names and forbidden not in names and private in names
    assert summary.retries == 0  # 4xx are not retried
    assert summary.errors_by_kind["commits:404"] == 1 and summary.errors_by_kind["commits:403"] == 1


def test_rate_limited_hub_is_paced_without_429s(clean, tmp_path):
    fx = generate_fixture(seed=3, n_models=12, n_datasets=3, n_spaces=4, n_users=10)
    quota, window = 100, 1
    summary, hub = run(tmp_path / "s", fx, Faults(rate_limit=(quota, window)), max_concurrency=6)
    assert hub.statuses[429] == 0 and summary.rate_limited == 0
    times = sorted(t for t, _, _ in hub.log)
    # never more than the quota in any window of `window` seconds, wherever it starts
    assert max(sum(1 for u in times[i:] if u < t + window) for i, t in enumerate(times)) <= quota
    # and close to the allowed rate once the listing (journaled page by page, fsync-bound) is done
    details = sorted(t for t, p, _ in hub.log if p.count("/") > 2)
    assert (len(details) - 1) / (details[-1] - details[0]) > 0.8 * quota / window


def test_a_429_pauses_every_worker_for_retry_after(tmp_path):
    fx = generate_fixture(seed=3, n_models=8, n_datasets=2, n_spaces=2, n_users=10)
    rule = FaultRule(path=r"/discussions$", status=429, retry_after=1, times=1)
    summary, hub = run(tmp_path / "s", fx, Faults(rules=[rule]), max_concurrency=4)
    t429 = next(t for t, p, _ in hub.log if p.endswith("/discussions"))
    after = sorted(t - t429 for t, _, _ in hub.log if t > t429)
    # only requests already on their way when the 429 came back arrive during Retry-After
    # (a few ms of them); nothing is sent from then until Retry-After has passed
    assert not [a for a in after if 0.25 <= a < 0.9]
    assert [a for a in after if a >= 0.9]
    assert summary.rate_limited == 1


def _journal_lines(dest: Path) -> int:
    p = dest / ".collect" / "journal.jsonl"
    return p.read_bytes().count(b"\n") if p.exists() else 0


@pytest.mark.parametrize("kill_after_batches", [1, 4])
def test_kill_9_then_resume_gives_the_uninterrupted_records(clean, tmp_path, kill_after_batches):
    fx = generate_fixture(seed=3, **SMALL)
    dest = tmp_path / "s"
    # a rate-limited hub keeps the run slow enough to be killed mid-way
    with FakeHub(fx, Faults(rate_limit=(150, 1)), commit_page_size=4) as hub:
        args = [str(dest), "--endpoint", hub.url, "--no-progress", "--max-concurrency", "4", "--batch-size", "5"]
        # the collector alone (python -m hubcommunity.collect starts in a fraction of the time of the
        # whole `hubcommunity` command, which the refusal below goes through)
        cmd = [sys.executable, "-m", "hubcommunity.collect", *args]
        env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_TOKEN": FAKE_TOKEN}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while _journal_lines(dest) < kill_after_batches + 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        committed = _journal_lines(dest)
        assert 0 < committed and not (dest / "manifest.json").exists()
        # resuming without --resume is refused; with it, the run completes
        r = subprocess.run([sys.executable, "-m", "hubcommunity.cli", "collect", *args], env=env,
                           capture_output=True, text=True)
        assert r.returncode == 2 and "--resume" in r.stderr
        r = subprocess.run(cmd + ["--resume"], env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
    got = records(dest)
    assert got == clean[3]
    for stream, recs in got.items():  # no duplicates (records are unique in the fixture)
        assert len(recs) == len(set(recs)), stream
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["summary"]["resumed"] is True
    for path in dest.rglob("*"):
        if path.is_file():
            data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            assert FAKE_TOKEN.encode() not in data


def test_journal_drops_a_torn_line_and_orphan_parts(tmp_path):
    j = Journal(tmp_path).open()
    j.commit(["a"], {"models": [{"id": "x/1"}]})
    j.commit(["b"], {"models": [{"id": "x/2"}], "commits": [{"repo": {"name": "x/2", "type": "model"},
                                                               "commits": []}]})
    orphan = tmp_path / "raw" / "models" / "models-0000002.jsonl.gz"
    orphan.write_bytes(b"not committed")
    (tmp_path / "raw" / "models" / "models-0000003.jsonl.gz.tmp").write_bytes(b"half")
    with open(j.path, "ab") as fh:
        fh.write(b'{"seq": 2, "units": ["c"], "par')  # a crash mid-append
    k = Journal(tmp_path).open()
    assert k.done == {"a", "b"} and k.next_seq == 2
    assert [r["id"] for r in k.iter_records("models")] == ["x/1", "x/2"]
    assert sorted(p.name for p in (tmp_path / "raw" / "models").iterdir()) == \
        ["models-0000000.jsonl.gz", "models-0000001.jsonl.gz"]
    assert j.path.read_bytes().endswith(b"\n") and j.path.read_bytes().count(b"\n") == 2


def test_incremental_makes_only_the_requests_it_must(clean, tmp_path):
    old_snap, _, _, _ = clean
    fx = generate_fixture(seed=3, **SMALL)
    readable = [r["id"] for r in fx.repos["model"] if ("model", r["id"]) not in fx.gated_commits]
    touched = readable[:3]
    for rid in touched:
        fx.touch("model", rid)
    summary, hub = run(tmp_path / "new", fx, server_options={"commit_page_size": 4},
                       incremental_from=str(old_snap))
    # commit histories: only the changed repositories and those that failed before
    asked = {p.split("/api/models/")[1].split("/commits/")[0] for p in hub.requests if "/commits/" in p}
    assert asked == set(touched) | {rid for t, rid in fx.gated_commits}
    assert summary.reused["commits"] == fx.expected_commit_records() - len(touched)
    # discussions: one list request per repository; thread details only for threads not readable before
    n_repos = sum(fx.n_repos(t) for t in ("model", "dataset", "space"))
    assert hub.requests_matching(r"/discussions$") == n_repos
    retried = {(t, rid, num) for t, rid, num in fx.missing_threads if (t, rid) not in fx.discussions_disabled}
    assert hub.requests_matching(r"/discussions/\d+$") == len(retried)
    # and the new snapshot is complete and self-contained: same records as a full collection
    _, _ = run(tmp_path / "full", fx, server_options={"commit_page_size": 4})
    assert records(tmp_path / "new") == records(tmp_path / "full")


def test_sample_is_reproducible_and_hash_based(tmp_path):
    fx = generate_fixture(seed=4, n_models=80, n_datasets=5, n_spaces=5, n_users=10)
    s1, _ = run(tmp_path / "a", fx, repo_types=["model"], sample=0.3, seed=11, details=())
    s2, _ = run(tmp_path / "b", fx, repo_types=["model"], sample=0.3, seed=11, details=(), page_size=9)
    s3, _ = run(tmp_path / "c", fx, repo_types=["model"], sample=0.3, seed=12, details=())
    a, b, c = (records(tmp_path / x)["models"] for x in "abc")
    assert a == b and a != c  # same seed, same repositories, whatever the page size
    want = sorted(r["id"] for r in fx.repos["model"] if in_sample(r["id"], 0.3, 11))
    assert sorted(json.loads(r)["id"] for r in a) == want
    assert 10 <= len(want) <= 40
    assert records(tmp_path / "a")["commits"] == []


def test_author_filter_limit_and_types(tmp_path):
    fx = generate_fixture(seed=4, n_models=60, n_datasets=20, n_spaces=20, n_users=10)
    owner = "google"
    summary, hub = run(tmp_path / "a", fx, author=owner, repo_types=["model", "space"], details=("commits",))
    recs = records(tmp_path / "a")
    assert sorted(json.loads(r)["id"] for r in recs["models"]) == \
        sorted(r["id"] for r in fx.repos["model"] if r["id"].startswith(owner + "/"))
    assert recs["datasets"] == [] and recs["discussions"] == []
    assert hub.requests_matching("/discussions") == 0
    run(tmp_path / "b", fx, limit=7, repo_types=["model"], details=(), page_size=5)
    assert sorted(json.loads(r)["id"] for r in records(tmp_path / "b")["models"]) == \
        sorted(r["id"] for r in fx.repos["model"][:7])


def test_resume_with_other_options_is_refused(tmp_path):
    fx = generate_fixture(seed=4, n_models=5, n_datasets=1, n_spaces=1, n_users=5)
    dest = tmp_path / "s"
    dest.mkdir()
    (dest / ".collect").mkdir()
    (dest / ".collect" / "run.json").write_text(json.dumps({"requested": {"repo_types": ["model"]},
                                                             "started_at": "x"}))
    with FakeHub(fx) as hub:
        with pytest.raises(ValueError, match="different options"):
            collect(dest, endpoint=hub.url, resume=True, **FAST_COLLECT)
        with pytest.raises(FileExistsError):
            collect(dest, endpoint=hub.url, **FAST_COLLECT)
