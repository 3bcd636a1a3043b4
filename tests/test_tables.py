"""Tidy tables from the hand-made snapshot tests/fixtures/raw/mini (known answers)."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from hubcommunity import tables
from hubcommunity.snapshot import open_snapshot
from hubcommunity.tables import COLUMNS, TABLE_NAMES, load_tables

FIXTURE = Path(__file__).parent / "fixtures" / "raw" / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A private copy of the mini snapshot (its tables/ cache is written during tests)."""
    dest = tmp_path / "mini"
    shutil.copytree(FIXTURE, dest)
    return dest


def _load(*dirs: Path, **kw) -> tables.Tables:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_tables(list(dirs), workers=kw.pop("workers", 1), **kw)


def test_row_counts(mini):
    t = _load(mini)
    assert t.row_counts().to_dict() == {
        "repos": 8, "base_models": 4, "discussions": 4, "discussion_events": 5,
        "commits": 3, "commit_authors": 3, "space_models": 2, "fetch_errors": 2,
        "model_details": 0, "derivations": 4,
    }


def test_columns_and_dtypes_follow_the_contract(mini):
    t = _load(mini)
    for name in TABLE_NAMES:
        df = getattr(t, name)
        assert list(df.columns) == [c for c, _, _ in COLUMNS[name]] + ["snapshot", "captured_at"]
        assert str(df["captured_at"].dtype) == "datetime64[ns, UTC]"
    r = t.repos
    assert str(r["likes"].dtype) == "Int64" and str(r["private"].dtype) == "boolean"
    assert str(r["created_at"].dtype) == "datetime64[ns, UTC]"
    assert r.set_index("repo_id").loc["org-a/m2", "licenses"] == ["llama2", "mit"]
    assert str(t.discussions["n_events"].dtype) == "Int64"


def test_repos_fields(mini):
    r = _load(mini).repos.set_index("repo_id")
    m1 = r.loc["org-a/m1"]
    # first occurrence of the duplicated id is kept (likes 5, not 7 from page 2)
    assert m1["likes"] == 5 and m1["downloads"] == 100
    assert m1["owner"] == "org-a" and m1["repo_type"] == "model"
    assert m1["created_at"] == pd.Timestamp("2023-01-01", tz="UTC")
    assert m1["pipeline_tag"] == "text-generation" and m1["library"] == "transformers"
    assert m1["captured_at"] == pd.Timestamp("2024-07-11", tz="UTC")
    assert r.loc["org-a/m2", "likes"] == 0  # zero stays zero, not missing
    assert r.loc["org-a/m2", "license"] == "llama2"  # the first license tag
    assert pd.isna(r.loc["legacy", "owner"])
    assert r.loc["user/m3", "downloads_all_time"] == 42
    assert pd.isna(r.loc["org-a/m1", "downloads_all_time"])
    d1 = r.loc["ds-owner/d1"]
    assert d1["repo_type"] == "dataset" and d1["gated"] == "manual" and d1["sha"] == "abc123"
    assert d1["last_modified"] == pd.Timestamp("2024-02-02 10:00", tz="UTC")
    assert d1["captured_at"] == pd.Timestamp("2024-07-09", tz="UTC")
    assert r.loc["ds-owner/d2", "gated"] == "false"
    assert r.loc["sp/s1", "sdk"] == "gradio" and r.loc["sp/s1", "repo_type"] == "space"


def test_license_groups(mini):
    r = _load(mini).repos.set_index("repo_id")["license_group"].to_dict()
    assert r == {
        "org-a/m1": "permissive", "org-a/m2": "restrictive", "legacy": "none", "user/m3": "unmapped",
        "ds-owner/d1": "restrictive", "ds-owner/d2": "none", "sp/s1": "permissive", "sp/s2": "none",
    }


def test_unmapped_license_is_warned_and_reported(mini):
    with pytest.warns(UserWarning, match="weird-license-9"):
        t = load_tables([mini], workers=1)
    rep = t.report[t.report["reason"].str.startswith("unmapped license")]
    assert rep[["stream", "detail", "count", "example"]].values.tolist() == [["models", "weird-license-9", 1, "user/m3"]]


def test_base_models(mini):
    bm = _load(mini).base_models
    got = sorted(map(tuple, bm[["model_id", "base_model_id", "relation", "source"]].values.tolist()))
    assert got == [
        ("org-a/m1", "org-b/base", "unspecified", "tag"),
        ("org-a/m2", "org-b/base", "finetune", "tag"),  # specific tag beats the bare tag and the card
        ("org-a/m2", "org-c/x", "adapter", "tag"),
        ("org-a/m2", "org-d/y", "merge", "card"),
    ]  # and nothing from the skipped duplicate of org-a/m1 (org-z/other)


@pytest.mark.parametrize("tag, expected", [
    ("base_model:org/name", ("org/name", "unspecified")),
    ("base_model:finetune:org/name", ("org/name", "finetune")),
    ("base_model:adapter:org/name", ("org/name", "adapter")),
    ("base_model:quantized:org/name", ("org/name", "quantized")),
    ("base_model:merge:org/name", ("org/name", "merge")),
    ("base_model:legacy-name", ("legacy-name", "unspecified")),
    ("base_model:", None),
    ("license:mit", None),
])
def test_parse_base_model_tag(tag, expected):
    assert tables.parse_base_model_tag(tag) == expected


def test_discussions_and_events(mini):
    t = _load(mini)
    d = t.discussions.set_index(["repo_id", "num"])
    pr = d.loc[("org-a/m1", 1)]
    assert bool(pr["is_pull_request"]) and pr["status"] == "merged" and pr["opener"] == "alice"
    assert (pr["n_events"], pr["n_comments"], pr["n_commits"], pr["n_participants"]) == (3, 1, 1, 2)
    assert list(pr["participants"]) == ["alice", "bob"]
    q = d.loc[("org-a/m1", 2)]
    assert pd.isna(q["opener"]) and list(q["participants"]) == ["carol"]  # deleted account left out
    assert d.loc[("org-a/m2", 1), "n_events"] == 0
    stub = d.loc[("org-a/m2", 2)]  # known only from a thread-scope fetch error
    assert not stub["has_details"] and stub["opener"] == "valhalla" and bool(stub["is_pull_request"])
    assert pd.isna(stub["n_events"]) and stub["created_at"] == pd.Timestamp("2023-01-27 11:43:07", tz="UTC")
    ev = t.discussion_events.set_index("event_id")
    assert ev.loc["e3", "author"] == "bob" and bool(ev.loc["e3", "is_owner"]) and bool(ev.loc["e3", "is_org_member"])
    assert bool(ev.loc["e5", "is_hf"]) and pd.isna(ev.loc["e4", "author"])
    assert ev["type"].value_counts().to_dict() == {"comment": 3, "commit": 1, "status-change": 1}


def test_commits_space_models_fetch_errors(mini):
    t = _load(mini)
    c = t.commits.set_index("commit_id")
    assert c.loc["c1", "n_authors"] == 2 and c.loc["c3", "repo_type"] == "dataset"
    assert c.loc["c2", "created_at"] == pd.Timestamp("2023-01-02", tz="UTC")
    a = t.commit_authors
    assert a[a.commit_id == "c1"].sort_values("position")["author"].tolist() == ["alice", "bob"]
    assert t.space_models.values[:, :2].tolist() == [["sp/s1", "org-a/m1"], ["sp/s1", "org-a/m2"]]
    assert set(t.space_models["source"]) == {"space.models"}  # read from the Spaces listing
    fe = t.fetch_errors.set_index("scope")
    assert fe.loc["repository", "repo_id"] == "org-x/gated" and fe.loc["repository", "http_status"] == 401
    assert (t.fetch_errors["repo_type"] == "model").all()  # from the stream's defaults


def test_duplicate_id_is_counted_with_its_position(mini):
    rep = _load(mini).report
    dup = rep[rep["reason"].str.startswith("duplicate id")].iloc[0]
    assert dup["count"] == 1 and dup["stream"] == "models"
    assert dup["example"] == "org-a/m1 at mini/raw/models/models-p0002.json, record 0"


def test_parallel_build_matches_serial(mini, tmp_path):
    other = tmp_path / "copy"
    shutil.copytree(FIXTURE, other)
    a, b = _load(mini, workers=1), _load(other, workers=2)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_cache_is_reused_then_rebuilt_on_touch(mini):
    _load(mini)
    meta = mini / "tables" / tables.CACHE_META
    first = json.loads(meta.read_text())["built_at"]
    assert json.loads(meta.read_text())["rows"]["repos"] == 8
    t2 = _load(mini)
    assert json.loads(meta.read_text())["built_at"] == first  # warm: not rebuilt
    assert len(t2.repos) == 8 and len(t2.report) == 2  # report comes back from the cache
    f = mini / "raw" / "datasets" / "datasets-p0001.json"
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    _load(mini)
    assert json.loads(meta.read_text())["built_at"] != first


def test_changed_input_changes_the_tables(mini):
    assert len(_load(mini).repos) == 8
    f = mini / "raw" / "datasets" / "datasets-p0001.json"
    recs = json.loads(f.read_text())
    f.write_text(json.dumps(recs[:1]))
    # the hand-written manifest records no sizes, so the snapshot still opens; the cache must not hide the edit
    t = _load(mini)
    assert len(t.repos) == 7 and "ds-owner/d2" not in set(t.repos["repo_id"])


def test_code_change_rebuilds(mini, tmp_path, monkeypatch):
    code = tmp_path / "parser.py"
    code.write_text("version = 1\n")
    monkeypatch.setattr(tables, "_code_files", lambda: [code])
    _load(mini)
    meta = mini / "tables" / tables.CACHE_META
    k1 = json.loads(meta.read_text())["key"]
    _load(mini)
    assert json.loads(meta.read_text())["key"] == k1
    code.write_text("version = 2\n")
    _load(mini)
    assert json.loads(meta.read_text())["key"] != k1


def test_cache_key_covers_real_code_files(mini):
    snap = open_snapshot(mini)
    names = {p.name for p in tables._code_files()}
    assert names == {"snapshot.py", "tables.py", "licenses.py", "derivations.py", "license_groups.csv"}
    assert tables.cache_key(snap) == tables.cache_key(snap)


def test_snapshots_compose(mini, tmp_path):
    second = tmp_path / "mini-2"
    shutil.copytree(FIXTURE, second)
    m = json.loads((second / "manifest.json").read_text())
    m["name"] = "mini-2"
    m["captured_at"]["models"] = "2024-08-01"
    (second / "manifest.json").write_text(json.dumps(m))
    t = _load(mini, second)
    assert len(t.repos) == 16
    counts = t.repos.groupby("snapshot").size().to_dict()
    assert counts == {"mini": 8, "mini-2": 8}
    caps = t.repos[t.repos.repo_type == "model"].groupby("snapshot")["captured_at"].first()
    assert caps["mini-2"] == pd.Timestamp("2024-08-01", tz="UTC")
    assert set(t.snapshots["snapshot"]) == {"mini", "mini-2"} and len(t.snapshots) == 12
    assert len(t.report) == 4


def test_missing_streams_give_empty_typed_tables(mini):
    m = json.loads((mini / "manifest.json").read_text())
    m["streams"] = [s for s in m["streams"] if s["kind"] == "datasets"]
    (mini / "manifest.json").write_text(json.dumps(m))
    t = _load(mini)
    assert len(t.repos) == 2 and len(t.discussions) == 0 and len(t.commits) == 0
    assert str(t.discussions["n_events"].dtype) == "Int64"
    assert str(t.commits["created_at"].dtype) == "datetime64[ns, UTC]"
    assert list(t.space_models.columns) == ["space_id", "model_id", "source", "snapshot", "captured_at"]


def test_env_var_selects_snapshots(mini, monkeypatch):
    monkeypatch.setenv("HUBCOMMUNITY_SNAPSHOTS", str(mini.parent))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = load_tables(workers=1)
    assert t.snapshots["snapshot"].unique().tolist() == ["mini"]


def test_column_docs_cover_every_column():
    docs = tables.column_docs()
    for name in TABLE_NAMES:
        assert docs[docs.table == name]["column"].tolist() == [c for c, _, _ in COLUMNS[name]] + ["snapshot", "captured_at"]
    assert docs["description"].str.len().min() > 5


def test_cli_tables(mini, capsys):
    from hubcommunity.cli import main

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["tables", "--snapshots-dir", str(mini), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "repos" in out and "8" in out and "duplicate id" in out
