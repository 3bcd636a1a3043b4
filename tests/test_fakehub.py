"""The fake Hub speaks shapes the real huggingface_hub client accepts, and its faults fire as configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx2
import pytest

from hubcommunity.fakehub import FakeHub, FaultRule, Faults, FixedWindowLimiter, generate_fixture

# HF_ENDPOINT is read when huggingface_hub is imported, so the real client's
# defaults are exercised in a fresh interpreter with HF_ENDPOINT set.
CLIENT_SCRIPT = r"""
import json, sys
from huggingface_hub import HfApi
api = HfApi(token=sys.argv[1])
out = {}
ms = list(api.list_models(expand=["author", "likes", "downloads", "downloadsAllTime", "createdAt", "lastModified",
                                  "tags", "pipeline_tag", "library_name", "gated", "private", "sha"]))
out["models"] = [[m.id, m.likes, m.downloads, m.sha, m.created_at.isoformat()] for m in ms]
out["spaces"] = [[s.id, s.sdk, s.models] for s in api.list_spaces(expand=["sdk", "models", "author"])]
out["datasets"] = len(list(api.list_datasets(author=ms[0].id.split("/")[0])))
out["commits"] = [[c.commit_id, c.authors] for c in api.list_repo_commits(ms[0].id)]
for m in ms:
    try:
        threads = list(api.get_repo_discussions(m.id))
    except Exception:
        continue
    if threads:
        d = api.get_discussion_details(m.id, threads[0].num)
        out["thread"] = [m.id, d.num, d.author, [e.type for e in d.events]]
        break
out["whoami"] = api.whoami()["name"]
print(json.dumps(out))
"""


def test_real_client_reads_every_endpoint_of_the_fake_hub():
    fx = generate_fixture(seed=5, n_models=30, n_datasets=10, n_spaces=12)
    with FakeHub(fx, commit_page_size=2, max_listing_page=7) as hub:
        env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_TELEMETRY": "1"}
        r = subprocess.run([sys.executable, "-c", CLIENT_SCRIPT, "hf_clientcheck"], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr[-2000:]
        out = json.loads(r.stdout)
        # the client followed Link pagination across 5 pages of 7 models
        assert hub.requests["/api/models"] == 5
    assert [m[0] for m in out["models"]] == [m["id"] for m in fx.repos["model"]]
    assert [m[3] for m in out["models"]] == [m["sha"] for m in fx.repos["model"]]
    assert [s[2] for s in out["spaces"]] == [s["models"] for s in fx.repos["space"]]
    owner = fx.repos["model"][0]["id"].split("/")[0]
    assert out["datasets"] == sum(1 for d in fx.repos["dataset"] if d["id"].startswith(owner + "/"))
    first = fx.commits[("model", fx.repos["model"][0]["id"])]
    assert out["commits"] == [[c["id"], [a["user"] for a in c["authors"]]] for c in first]
    repo_id, num = out["thread"][0], out["thread"][1]
    thread = next(t for t in fx.discussions[("model", repo_id)] if t["num"] == num)
    assert out["thread"][2] == thread["author"]["name"]
    assert out["thread"][3] == [e["type"] for e in thread["events"]]
    assert out["whoami"] == "fake-user"
    assert "Bearer hf_clientcheck" in hub.tokens_seen


def test_fixture_is_deterministic_and_realistic():
    a, b, c = generate_fixture(seed=1), generate_fixture(seed=1), generate_fixture(seed=2)
    assert a.repos == b.repos and a.commits == b.commits and a.discussions == b.discussions
    assert a.repos != c.repos
    models = a.repos["model"]
    assert sum(m["downloads"] == 0 for m in models) / len(models) > 0.5  # most models have no downloads
    assert any(t.startswith("base_model:") for m in models for t in m["tags"])
    assert any(t.startswith("license:") for m in models for t in m["tags"])
    assert a.space_model_links() and all(m in {x["id"] for x in models} for _, m in a.space_model_links())
    openers = [t["author"]["name"] for ts in a.discussions.values() for t in ts]
    assert {"SFconvertbot", "librarian-bot"} <= set(openers)
    assert any(len({x["user"] for c in cs for x in c["authors"]}) > 1 for cs in a.commits.values())
    assert any(len({x["user"] for c in cs for x in c["authors"]}) == 1 for cs in a.commits.values())
    assert a.gated_commits and a.discussions_disabled and a.missing_threads


def test_faults_fire_as_configured():
    fx = generate_fixture(seed=1, n_models=5, n_datasets=1, n_spaces=1)
    rid = fx.repos["model"][0]["id"]
    faults = Faults(rules=[FaultRule(path=r"/commits/", status=503, times=2),
                           FaultRule(path=r"^/api/datasets$", status=429, retry_after=7),
                           FaultRule(path=r"^/api/spaces$", kind="truncate")],
                    deleted_after_listing={rid})
    with FakeHub(fx, faults) as hub, httpx2.Client() as client:
        codes = [client.get(f"{hub.url}/api/models/{fx.repos['model'][1]['id']}/commits/main").status_code
                 for _ in range(3)]
        assert codes == [503, 503, 200]
        r = client.get(f"{hub.url}/api/datasets")
        assert r.status_code == 429 and r.headers["Retry-After"] == "7"
        assert r.headers["RateLimit"] == '"api";r=0;t=7'
        with pytest.raises(httpx2.RemoteProtocolError):
            client.get(f"{hub.url}/api/spaces")
        assert client.get(f"{hub.url}/api/models").status_code == 200  # listed...
        r = client.get(f"{hub.url}/api/models/{rid}/commits/main")  # ...but gone in detail
        assert r.status_code == 404 and r.headers["X-Error-Code"] == "RepoNotFound"


def test_fixed_window_limiter_counts_and_sends_the_hubs_headers():
    lim = FixedWindowLimiter(quota=3, window=1)
    answers = [lim.admit() for _ in range(4)]
    assert [a for a, _ in answers] == [True, True, True, False]
    assert answers[0][1]["RateLimit"] == '"api";r=2;t=1'
    assert answers[0][1]["RateLimit-Policy"] == '"fixed window";"api";q=3;w=1'
    assert answers[3][1]["Retry-After"] == "1"
    time.sleep(1.05)
    assert lim.admit()[0]  # a new window
