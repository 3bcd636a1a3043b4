"""Bad raw input: each case raises an error naming file, line/record and record id, or is a counted skip."""

from __future__ import annotations

import gzip
import json
import shutil
import warnings
from pathlib import Path

import pytest

from hubcommunity.snapshot import RawInputError
from hubcommunity.tables import load_tables

FIXTURE = Path(__file__).parent / "fixtures" / "raw" / "mini"


def _snapshot(tmp_path: Path, models_files: dict[str, bytes] | None = None,
              threads: bytes | None = None) -> Path:
    """The mini snapshot with its models pages (or threads file) replaced by ``models_files``."""
    d = tmp_path / "mini"
    shutil.copytree(FIXTURE, d)
    m = json.loads((d / "manifest.json").read_text())
    if models_files is not None:
        shutil.rmtree(d / "raw" / "models")
        (d / "raw" / "models").mkdir()
        for name, data in models_files.items():
            (d / "raw" / "models" / name).write_bytes(data)
        for s in m["streams"]:
            if s["kind"] == "models":
                s["files"] = [f"models/{n}" for n in models_files]
    if threads is not None:
        (d / "raw" / "discussions" / "threads.jsonl").write_bytes(threads)
    (d / "manifest.json").write_text(json.dumps(m))
    return d


def _load(d: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_tables([d], workers=1)


def _page(*records) -> bytes:
    return json.dumps(list(records)).encode()


GOOD = {"id": "org/a", "likes": 1, "downloads": 2, "tags": [], "createdAt": "2024-01-01T00:00:00.000Z"}


def test_truncated_gzip(tmp_path):
    data = gzip.compress(_page(GOOD, {**GOOD, "id": "org/b"}))
    d = _snapshot(tmp_path, {"models-p0001.json.gz": data[: len(data) // 2]})
    with pytest.raises(RawInputError, match="truncated gzip") as e:
        _load(d)
    assert e.value.path == "mini/raw/models/models-p0001.json.gz"


def test_gzip_pages_read(tmp_path):
    d = _snapshot(tmp_path, {"models-p0001.json.gz": gzip.compress(_page(GOOD)),
                             "models-p0002.jsonl.gz": gzip.compress(json.dumps({**GOOD, "id": "org/b"}).encode())})
    assert sorted(_load(d).repos.query("repo_type == 'model'")["repo_id"]) == ["org/a", "org/b"]


def test_invalid_json_in_a_page(tmp_path):
    d = _snapshot(tmp_path, {"models-p0001.json": b'[{"id": "org/a", "likes": 1},'})
    with pytest.raises(RawInputError, match="invalid JSON") as e:
        _load(d)
    assert e.value.path.endswith("models/models-p0001.json")


def test_invalid_json_on_a_line(tmp_path):
    lines = (FIXTURE / "raw" / "discussions" / "threads.jsonl").read_bytes().split(b"\n")
    lines[1] = lines[1][:40]
    d = _snapshot(tmp_path, threads=b"\n".join(lines))
    with pytest.raises(RawInputError, match="invalid JSON") as e:
        _load(d)
    assert e.value.line == 2 and e.value.path == "mini/raw/discussions/threads.jsonl"
    assert "line 2" in str(e.value)


def test_page_not_an_array(tmp_path):
    d = _snapshot(tmp_path, {"models-p0001.json": json.dumps({"error": "rate limited"}).encode()})
    with pytest.raises(RawInputError, match="must be a JSON array") as e:
        _load(d)
    assert e.value.path.endswith("models-p0001.json")


def test_record_not_an_object(tmp_path):
    d = _snapshot(tmp_path, {"models-p0001.json": _page(GOOD, "org/b")})
    with pytest.raises(RawInputError, match="not an object") as e:
        _load(d)
    assert e.value.index == 1


def test_missing_id(tmp_path):
    d = _snapshot(tmp_path, {"models-p0001.json": _page(GOOD, {"likes": 3, "tags": []})})
    with pytest.raises(RawInputError, match="required field 'id' is missing") as e:
        _load(d)
    assert (e.value.path, e.value.index) == ("mini/raw/models/models-p0001.json", 1)
    assert '"likes": 3' in e.value.record  # the record is quoted when it has no id


def test_missing_thread_num(tmp_path):
    line = json.dumps({"repo": {"name": "org/a", "type": "model"}, "events": []}).encode()
    d = _snapshot(tmp_path, threads=line + b"\n")
    with pytest.raises(RawInputError, match="'num' is missing") as e:
        _load(d)
    assert e.value.line == 1 and e.value.record == "org/a"


def test_wrong_type_likes(tmp_path):
    d = _snapshot(tmp_path, {"models-p0001.json": _page(GOOD), "models-p0002.json": _page({**GOOD, "id": "org/b", "likes": "abc"})})
    with pytest.raises(RawInputError, match="'likes' should be an integer, found str 'abc'") as e:
        _load(d)
    assert (e.value.path, e.value.index, e.value.record) == ("mini/raw/models/models-p0002.json", 0, "org/b")
    assert str(e.value).startswith("mini/raw/models/models-p0002.json, record 0 of the page (record org/b)")


def test_wrong_type_tags(tmp_path):
    d = _snapshot(tmp_path, {"models-p0001.json": _page({**GOOD, "tags": "license:mit"})})
    with pytest.raises(RawInputError, match="'tags' should be a list of strings"):
        _load(d)


def test_unreadable_timestamp(tmp_path):
    d = _snapshot(tmp_path, {"models-p0001.json": _page(GOOD, {**GOOD, "id": "org/b", "createdAt": "yesterday"})})
    with pytest.raises(RawInputError, match="'createdAt'|'created_at'") as e:
        _load(d)
    assert (e.value.index, e.value.record) == (1, "org/b")


def test_wrong_type_raised_from_a_worker_process(tmp_path):
    """Errors cross the process boundary with their attributes (the parallel path)."""
    d = _snapshot(tmp_path, {"models-p0001.json": _page(GOOD), "models-p0002.json": _page({**GOOD, "id": "org/b", "likes": "abc"})})
    with pytest.raises(RawInputError) as e, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_tables([d], workers=2)
    assert (e.value.path, e.value.index, e.value.record) == ("mini/raw/models/models-p0002.json", 0, "org/b")


def test_repeated_id_across_pages_is_a_counted_skip(tmp_path):
    d = _snapshot(tmp_path, {"models-p0001.json": _page(GOOD, {**GOOD, "id": "org/b"}),
                             "models-p0002.json": _page({**GOOD, "likes": 99}, {**GOOD, "id": "org/b"}, {**GOOD, "id": "org/c"})})
    t = _load(d)
    models = t.repos[t.repos.repo_type == "model"].set_index("repo_id")
    assert sorted(models.index) == ["org/a", "org/b", "org/c"] and models.loc["org/a", "likes"] == 1
    dup = t.report[t.report.reason.str.startswith("duplicate id")]
    assert dup["count"].tolist() == [2]
    assert dup["example"].iloc[0] == "org/a at mini/raw/models/models-p0002.json, record 0"
    meta = json.loads((d / "tables" / "_cache.json").read_text())
    assert any(r["reason"].startswith("duplicate id") and r["count"] == 2 for r in meta["report"])


def test_repeated_thread_is_a_counted_skip(tmp_path):
    lines = (FIXTURE / "raw" / "discussions" / "threads.jsonl").read_bytes().strip().split(b"\n")
    d = _snapshot(tmp_path, threads=b"\n".join(lines + [lines[0]]) + b"\n")
    t = _load(d)
    assert len(t.discussions) == 4 and len(t.discussion_events) == 5  # the repeat's events are not counted twice
    dup = t.report[t.report.reason.str.startswith("duplicate thread")].iloc[0]
    assert dup["count"] == 1 and dup["example"].endswith("threads.jsonl, line 4")
