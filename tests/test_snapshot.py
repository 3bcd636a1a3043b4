"""Snapshots: opening, validating, reading records with positions, linking the reference captures."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from hubcommunity import snapshot
from hubcommunity.cli import main
from hubcommunity.snapshot import Position, RawInputError, SnapshotError, open_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "raw" / "mini"


def test_open_fixture():
    snap = open_snapshot(FIXTURE)
    assert snap.name == "mini"
    assert snap.kinds == ["models", "datasets", "spaces", "discussions", "commits", "fetch_errors"]
    assert snap.captured_at["datasets"] == "2024-07-09"
    assert snap.stream("fetch_errors").defaults == {"repo_type": "model"}
    assert snap.stream("spaces") is not None and snap.stream("nothing") is None


def test_iter_records_positions():
    snap = open_snapshot(FIXTURE)
    models = list(snap.iter_records("models"))
    assert [r["id"] for r, _ in models] == ["org-a/m1", "org-a/m2", "legacy", "org-a/m1", "user/m3"]
    assert models[3][1] == Position("mini/raw/models/models-p0002.json", index=0)
    threads = list(snap.iter_records("discussions"))
    assert [p.line for _, p in threads] == [1, 2, 3]


def test_file_format():
    assert snapshot.file_format("a/b.json.gz") == "pages"
    assert snapshot.file_format("a/b.jsonl") == "records"
    with pytest.raises(SnapshotError):
        snapshot.file_format("a/b.csv")


def _make_reference(root: Path) -> Path:
    """A tiny directory shaped like ../shared/reference-data (two pages, threads, errors)."""
    lists = root / "hub-lists-2024-07"
    (lists / "models").mkdir(parents=True)
    (lists / "datasets").mkdir()
    for i, ids in enumerate((["o/a", "o/b"], ["o/c"]), start=1):
        page = [{"id": x, "likes": 0, "downloads": 0, "tags": ["license:mit"], "createdAt": "2023-01-01T00:00:00.000Z"} for x in ids]
        (lists / "models" / f"models-p{i:04d}.json.gz").write_bytes(gzip.compress(json.dumps(page).encode()))
    (lists / "datasets" / "datasets-p0001.json.gz").write_bytes(gzip.compress(
        json.dumps([{"id": "o/d", "author": "o", "likes": 1, "downloads": 1, "tags": []}]).encode()))
    disc = root / "model-discussions-2024-01"
    disc.mkdir()
    thread = {"repo": {"name": "o/a", "type": "model"}, "num": 1, "title": "t", "status": "open",
              "author": {"name": "u"}, "createdAt": "2023-02-01T00:00:00.000Z", "isPullRequest": False, "events": []}
    (disc / "threads-000.jsonl.gz").write_bytes(gzip.compress((json.dumps(thread) + "\n").encode()))
    (disc / "errors.jsonl.gz").write_bytes(gzip.compress(
        (json.dumps({"repo_id": "o/z", "scope": "repository", "http_status": 403, "reason": "disabled"}) + "\n").encode()))
    return root


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_link_reference(tmp_path):
    src = _make_reference(tmp_path / "ref")
    before = _tree(src)
    dirs = snapshot.link_reference(src, tmp_path / "snaps")
    assert [d.name for d in dirs] == ["hub-lists-2024-07", "model-discussions-2024-01"]
    lists = open_snapshot(dirs[0], verify=True)
    assert (dirs[0] / "raw").is_symlink() and os.readlink(dirs[0] / "raw") == str(src.resolve() / "hub-lists-2024-07")
    assert {s.kind: s.records for s in lists.streams} == {"models": 3, "datasets": 1}
    assert lists.stream("models").files == ["models/models-p0001.json.gz", "models/models-p0002.json.gz"]
    m = lists.manifest
    assert m["source"]["commit"] == "016ca26976c1e2c78778ba11b50697f4ce5d14fc" and "GPL-3.0" in m["license"]
    assert m["captured_at"] == {"models": "2024-07-11", "datasets": "2024-07-09"}
    disc = open_snapshot(dirs[1], verify=True)
    assert disc.manifest["source"]["commit"] == "9e22cfaca5dc522d356eeb5acdc79199bd9a7bed"
    assert disc.stream("fetch_errors").defaults == {"repo_type": "model"}
    assert "token" not in json.dumps(m).lower()
    assert _tree(src) == before  # nothing written into the source


def test_link_reference_is_idempotent(tmp_path):
    src = _make_reference(tmp_path / "ref")
    snap_dir = snapshot.link_reference(src, tmp_path / "snaps")[0]
    mtime = (snap_dir / "manifest.json").stat().st_mtime_ns
    snapshot.link_reference(src, tmp_path / "snaps")
    assert (snap_dir / "manifest.json").stat().st_mtime_ns == mtime
    # a new page in the source is noticed and the manifest rewritten
    (src / "hub-lists-2024-07" / "models" / "models-p0003.json.gz").write_bytes(gzip.compress(b"[]"))
    snapshot.link_reference(src, tmp_path / "snaps")
    assert len(open_snapshot(snap_dir).stream("models").files) == 3


def test_validate_size_and_checksum(tmp_path):
    src = _make_reference(tmp_path / "ref")
    snap_dir = snapshot.link_reference(src, tmp_path / "snaps")[1]
    m = json.loads((snap_dir / "manifest.json").read_text())
    errors_stream = next(s for s in m["streams"] if s["kind"] == "fetch_errors")
    errors_stream["sizes"]["errors.jsonl.gz"] += 1
    (snap_dir / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(SnapshotError, match="errors.jsonl.gz: .* bytes, manifest says"):
        open_snapshot(snap_dir)
    errors_stream["sizes"]["errors.jsonl.gz"] -= 1
    errors_stream["sha256"]["errors.jsonl.gz"] = "0" * 64
    (snap_dir / "manifest.json").write_text(json.dumps(m))
    open_snapshot(snap_dir)  # the cheap check does not hash
    with pytest.raises(SnapshotError, match="sha256 differs"):
        open_snapshot(snap_dir, verify=True)


def test_missing_file_is_reported(tmp_path):
    d = tmp_path / "mini"
    shutil.copytree(FIXTURE, d)
    (d / "raw" / "spaces" / "spaces.jsonl").unlink()
    with pytest.raises(SnapshotError, match="spaces/spaces.jsonl: listed in the manifest but missing"):
        open_snapshot(d)


def test_not_a_snapshot(tmp_path):
    with pytest.raises(SnapshotError, match="no manifest.json"):
        open_snapshot(tmp_path)


def test_cli_link_reference_missing_source(tmp_path, capsys):
    rc = main(["link-reference", "--source", str(tmp_path / "nowhere"), "--snapshots-dir", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "hubcommunity link-reference --source DIR" in err and "hubcommunity collect" in err
    assert "Traceback" not in err and not (tmp_path / "s").exists()


def test_cli_link_reference_and_snapshots(tmp_path, capsys):
    src = _make_reference(tmp_path / "ref")
    assert main(["link-reference", "--source", str(src), "--snapshots-dir", str(tmp_path / "s")]) == 0
    assert main(["snapshots", "--snapshots-dir", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "hub-lists-2024-07" in out and "captured 2024-07-11" in out and "discussions" in out


def test_raw_input_error_pickles():
    import pickle

    e = RawInputError("bad", path="f.json", index=3, record="o/a")
    e2 = pickle.loads(pickle.dumps(e))
    assert (e2.path, e2.index, e2.record, str(e2)) == ("f.json", 3, "o/a", str(e))
