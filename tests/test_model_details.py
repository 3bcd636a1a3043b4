"""The model_details stream: per-model API answers -> model_details and space_models, no double counting."""

from __future__ import annotations

import gzip
import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from hubcommunity import snapshot
from hubcommunity.snapshot import RawInputError, open_snapshot
from hubcommunity.tables import load_tables

MINI = Path(__file__).parent / "fixtures" / "raw" / "mini"


def _detail(rid, spaces=(), **extra):
    rec = {"_id": "x", "id": rid, "modelId": rid, "author": rid.split("/")[0], "sha": "abc",
           "lastModified": "2024-03-01T00:00:00.000Z", "private": False, "disabled": False, "gated": False,
           "tags": ["license:mit"], "downloads": 5, "likes": 1, "createdAt": "2024-01-01T00:00:00.000Z",
           "siblings": [{"rfilename": "README.md"}, {"rfilename": "config.json"}], "spaces": list(spaces)}
    rec.update(extra)
    return rec


CAPPED = [f"s/space-{i:03d}" for i in range(100)]
DAY1 = [
    _detail("org-a/m1", spaces=CAPPED, safetensors={"parameters": {"BF16": 7}, "total": 7}),
    _detail("0rg/renamed-now", spaces=["s/one", "s/one", "s/two"]),  # a space listed twice counts once
]
DAY2 = [
    _detail("qq/plain"),
    _detail("org-a/m1", spaces=["s/late"]),  # answered again on the second day: the first answer is kept
]


def _write(path: Path, records) -> None:
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))


def _details_snapshot(root: Path, day1=DAY1, day2=DAY2) -> Path:
    raw = root / "details-snap" / "raw"
    raw.mkdir(parents=True)
    _write(raw / "details-2024-07-09.jsonl.gz", day1)
    _write(raw / "details-2024-07-11.jsonl.gz", day2)
    files = ["details-2024-07-09.jsonl.gz", "details-2024-07-11.jsonl.gz"]
    stream = snapshot.describe_stream(raw, "model_details", files)
    snapshot.write_manifest(raw.parent, {"name": "details-snap", "captured_at": {"model_details": "2024-07-11"},
                                         "streams": [stream.to_json()]})
    return raw.parent


def _load(*dirs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_tables(list(dirs), workers=1)


def test_details_rows_fields_and_capture_days(tmp_path):
    t = _load(_details_snapshot(tmp_path))
    d = t.model_details.set_index("repo_id")
    assert list(d.index) == ["org-a/m1", "0rg/renamed-now", "qq/plain"]
    m1 = d.loc["org-a/m1"]
    assert m1["n_parameters"] == 7 and m1["n_files"] == 2 and m1["n_spaces"] == 100 and m1["license"] == "mit"
    assert pd.isna(d.loc["qq/plain", "n_parameters"])  # no safetensors in the answer
    assert d.loc["0rg/renamed-now", "n_spaces"] == 2
    # each row's capture day is the day in its file's name
    assert d["captured_at"].dt.strftime("%Y-%m-%d").to_dict() == {
        "org-a/m1": "2024-07-09", "0rg/renamed-now": "2024-07-09", "qq/plain": "2024-07-11"}
    rep = t.report
    assert rep.loc[rep["stream"] == "model_details", "count"].sum() == 1  # the repeated answer, counted
    # repos, base_models and derivations stay empty: details never add listing rows
    assert t.repos.empty and t.base_models.empty and t.derivations.empty


def test_space_links_carry_their_source_and_the_cap_is_kept(tmp_path):
    t = _load(_details_snapshot(tmp_path))
    sm = t.space_models
    assert set(sm["source"]) == {"model.spaces"}
    per_model = sm.groupby("model_id").size().to_dict()
    assert per_model == {"org-a/m1": 100, "0rg/renamed-now": 2}  # "s/late" from the repeated answer is dropped
    assert not sm.duplicated(["space_id", "model_id"]).any()


def test_listing_plus_details_counts_every_model_once(tmp_path):
    mini = tmp_path / "mini"
    shutil.copytree(MINI, mini)
    both = _load(mini, _details_snapshot(tmp_path))
    alone = _load(mini)
    # the listing's rows are the same with or without the details snapshot: no repository counted twice
    pd.testing.assert_frame_equal(both.repos.reset_index(drop=True), alone.repos.reset_index(drop=True))
    assert not both.repos.duplicated(["repo_type", "repo_id"]).any()
    assert "org-a/m1" in set(both.repos["repo_id"]) and "org-a/m1" in set(both.model_details["repo_id"])
    pd.testing.assert_frame_equal(both.derivations.reset_index(drop=True), alone.derivations.reset_index(drop=True))
    assert set(both.space_models["source"]) == {"space.models", "model.spaces"}


def test_bad_detail_field_names_file_line_and_model(tmp_path):
    bad = [_detail("org/ok"), _detail("org/bad", safetensors=[1, 2])]
    d = _details_snapshot(tmp_path, day1=bad, day2=[])
    with pytest.raises(RawInputError) as exc:
        _load(d)
    msg = str(exc.value)
    assert "details-2024-07-09.jsonl.gz, line 2" in msg and "org/bad" in msg and "safetensors" in msg


def test_spaces_must_be_a_list_of_ids(tmp_path):
    d = _details_snapshot(tmp_path, day1=[_detail("org/x") | {"spaces": "s/one"}], day2=[])
    with pytest.raises(RawInputError, match="'spaces' should be a list of strings"):
        _load(d)


def test_link_reference_links_the_details_capture(tmp_path):
    src = tmp_path / "ref" / "model-details-2024-07"
    src.mkdir(parents=True)
    _write(src / "details-2024-07-09.jsonl.gz", DAY1)
    _write(src / "details-2024-07-11.jsonl.gz", DAY2[:1])
    dirs = snapshot.link_reference(tmp_path / "ref", tmp_path / "snaps")
    assert [p.name for p in dirs] == ["model-details-2024-07"]
    snap = open_snapshot(dirs[0], verify=True)
    assert snap.kinds == ["model_details"] and snap.stream("model_details").records == 3
    assert snap.manifest["source"]["commit"] == "016ca26976c1e2c78778ba11b50697f4ce5d14fc"
    assert "capped at 100" in snap.description and "not a random sample" in snap.description
    t = _load(dirs[0])
    assert len(t.model_details) == 3 and len(t.space_models) == 102
