"""End to end: collect from the fake Hub, then hubcommunity.tables reads the snapshot into the expected rows."""

from __future__ import annotations

import pytest

from hubcommunity.fakehub.testing import collected_snapshot_and_fixture
from hubcommunity.tables import load_tables


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    snap, fx, _ = collected_snapshot_and_fixture(tmp_path_factory.mktemp("e2e"), seed=7, n_models=25,
                                                 n_datasets=8, n_spaces=12, n_users=12)
    return load_tables([snap]), fx


def test_repos_include_every_type_with_their_fields(collected):
    tables, fx = collected
    repos = tables.repos
    for t in ("model", "dataset", "space"):
        got = repos[repos.repo_type == t]
        assert sorted(got.repo_id) == sorted(r["id"] for r in fx.repos[t])
    by_id = repos.set_index("repo_id")
    for m in fx.repos["model"]:
        assert by_id.loc[m["id"], "likes"] == m["likes"] and by_id.loc[m["id"], "downloads"] == m["downloads"]
        assert by_id.loc[m["id"], "sha"] == m["sha"]
    for s in fx.repos["space"]:
        assert by_id.loc[s["id"], "sdk"] == s["sdk"]


def test_commits_and_commit_authors(collected):
    tables, fx = collected
    readable = {k: v for k, v in fx.commits.items() if k not in fx.gated_commits}
    assert len(tables.commits) == sum(len(v) for v in readable.values())
    want = sorted((rid, c["id"], i, a["user"]) for (t, rid), cs in readable.items() for c in cs
                  for i, a in enumerate(c["authors"]))
    ca = tables.commit_authors
    assert sorted(zip(ca.repo_id, ca.commit_id, ca.position, ca.author)) == want


def test_space_models_and_discussions(collected):
    tables, fx = collected
    sm = tables.space_models
    assert set(zip(sm.space_id, sm.model_id)) == fx.space_model_links()
    d = tables.discussions
    assert int(d.has_details.sum()) == fx.expected_threads()
    stubs = d[~d.has_details.astype(bool)]
    assert sorted(zip(stubs.repo_id, stubs.num)) == sorted(
        (rid, num) for t, rid, num in fx.missing_threads if (t, rid) not in fx.discussions_disabled)
    first = d[d.has_details.astype(bool)].iloc[0]
    thread = next(x for x in fx.discussions[(first.repo_type, first.repo_id)] if x["num"] == first.num)
    assert first.opener == thread["author"]["name"]
    assert first.n_events == len(thread["events"])
