"""Foreign listings: one reader per source on small hand-made files (good and corrupt), and the
snapshot layer around them (manifest, role, link-reference, load_tables)."""

from __future__ import annotations

import gzip
import json
import os
import pickle
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hubcommunity import foreign, paths, snapshot
from hubcommunity.foreign import ForeignInputError
from hubcommunity.snapshot import RawInputError, SnapshotError, open_snapshot
from hubcommunity.tables import load_tables

MINI = Path(__file__).parent / "fixtures" / "raw" / "mini"

# ----------------------------------------------------------------------------- hand-made files

CSV_2022_07 = (
    "model,downloads,task,sha,private\n"
    "bert-base-uncased,20382194,fill-mask,418430c3,False\n"
    "org/small,0,,abc123,False\n"
    "org/other,17,text-classification,def456,TRUE\n"
)


def _csv_gz(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode()))
    return path


def _liang(path: Path, **override) -> Path:
    cols = {
        "modelId": ["bert-base-uncased", "org/a", "org/b"],
        "author": ["huggingface", "org", "org"],
        "creation_time": pd.to_datetime(["2018-11-14 23:35:08", "2022-09-30 05:46:33", "2021-01-02 03:04:05"],
                                        utc=True),
        "downloads": [31924518.0, 0.0, float("nan")],
        "has_modelcard": [True, False, True],
        "task_category": ["fill-mask", "unknown", "text-generation"],
        "task_domain": ["nlp", "unknown", "nlp"],
    }
    cols.update(override)
    pq.write_table(pa.Table.from_pandas(pd.DataFrame(cols)), path)
    return path


def _yang(path: Path, **override) -> Path:
    cols = {
        "dataset_name": ["glue", "argilla/news", "someone/empty"],
        "author": ["huggingface", "argilla", "someone"],
        "dataset_creation_time": ["Tue Jan 25 16:34:03 2022 +0100", "Wed Dec 7 05:39:38 2022 +0000",
                                  "Thu Mar 16 07:26:04 2023 +0000"],
        "downloads": [1140355.0, 12.0, 0.0],
        "has_card": [True, True, False],
        "task": ["text-classification", "summarization,text-generation", "None"],
        "domain": ["nlp", "nlp", None],
    }
    cols.update(override)
    pq.write_table(pa.Table.from_pandas(pd.DataFrame(cols)), path)
    return path


# ----------------------------------------------------------------------------- readers: good input


def test_huggingfacer_reader_maps_columns(tmp_path):
    f = _csv_gz(tmp_path / "m.csv.gz", CSV_2022_07)
    df = foreign.read_file(f, "huggingfacer-2022")
    assert list(df.columns) == foreign.REPOS_COLUMNS
    assert df["repo_id"].tolist() == ["bert-base-uncased", "org/small", "org/other"]
    assert df["repo_type"].tolist() == ["model"] * 3
    assert df["owner"].tolist()[1:] == ["org", "org"] and pd.isna(df["owner"].iloc[0])  # legacy id: no owner
    assert df["downloads"].tolist() == [20382194, 0, 17] and str(df["downloads"].dtype) == "Int64"
    assert pd.isna(df["pipeline_tag"].iloc[1]) and df["pipeline_tag"].iloc[2] == "text-classification"
    assert df["private"].tolist() == [False, False, True]
    assert df["sha"].iloc[0] == "418430c3"
    # what the listing lacks is null, not zero
    assert df["likes"].isna().all() and df["created_at"].isna().all() and df["license"].isna().all()


def test_liang_reader_maps_columns(tmp_path):
    df = foreign.read_file(_liang(tmp_path / "model_info.parquet"), "liang-2022")
    assert df["repo_id"].tolist() == ["bert-base-uncased", "org/a", "org/b"]
    assert df["owner"].tolist() == ["huggingface", "org", "org"]  # the listing's author, as for API listings
    assert df["downloads"].iloc[0] == 31924518 and df["downloads"].iloc[1] == 0 and pd.isna(df["downloads"].iloc[2])
    assert pd.isna(df["pipeline_tag"].iloc[1])  # "unknown" is the source's word for none
    assert df["pipeline_tag"].iloc[2] == "text-generation"
    assert pd.Timestamp(df["created_at"].iloc[1]) == pd.Timestamp("2022-09-30 05:46:33", tz="UTC")


def test_yang_reader_maps_columns(tmp_path):
    df = foreign.read_file(_yang(tmp_path / "dataset_info.parquet"), "yang-2023")
    assert df["repo_type"].tolist() == ["dataset"] * 3
    assert df["downloads"].tolist() == [1140355, 12, 0]
    # git date text with its offset, converted to UTC
    assert pd.Timestamp(df["created_at"].iloc[0]) == pd.Timestamp("2022-01-25 15:34:03", tz="UTC")
    assert df["tags"].tolist() == [["task_categories:text-classification"],
                                   ["task_categories:summarization", "task_categories:text-generation"], []]


def test_reader_registry_is_consistent():
    assert set(foreign.READERS) == {"huggingfacer-2022", "liang-2022", "yang-2023"}
    assert {r.repo_type for r in foreign.READERS.values()} == set(foreign.FOREIGN_KINDS.values())
    assert set(foreign.FOREIGN_KINDS) == set(snapshot.FOREIGN_KINDS)
    with pytest.raises(ValueError, match="unknown foreign reader"):
        foreign.read_file("x.csv", "nobody-2020")


# ----------------------------------------------------------------------------- readers: bad input


def _raises(path, reader, match) -> ForeignInputError:
    with pytest.raises(ForeignInputError, match=match) as e:
        foreign.read_file(path, reader, label=f"snap/raw/{Path(path).name}")
    assert isinstance(e.value, RawInputError)  # callers catching RawInputError see it too
    assert e.value.path == f"snap/raw/{Path(path).name}"
    return e.value


def test_missing_file(tmp_path):
    _raises(tmp_path / "absent.csv.gz", "huggingfacer-2022", "file not found")


def test_truncated_gzip_csv(tmp_path):
    data = gzip.compress(CSV_2022_07.encode())
    (tmp_path / "m.csv.gz").write_bytes(data[: len(data) // 2])
    _raises(tmp_path / "m.csv.gz", "huggingfacer-2022", "truncated gzip")


def test_csv_missing_column(tmp_path):
    f = _csv_gz(tmp_path / "m.csv.gz", "model,task\nx/y,fill-mask\n")
    e = _raises(f, "huggingfacer-2022", r"missing column\(s\) \['downloads', 'sha', 'private'\]")
    assert e.row is None


def test_csv_ragged_row(tmp_path):
    f = _csv_gz(tmp_path / "m.csv.gz", CSV_2022_07 + "x/y,1,a,b,False,extra,more\n")
    _raises(f, "huggingfacer-2022", "not a readable CSV table")


def test_csv_download_not_a_number(tmp_path):
    f = _csv_gz(tmp_path / "m.csv.gz", CSV_2022_07.replace("org/other,17", "org/other,lots"))
    e = _raises(f, "huggingfacer-2022", "download count must be a whole number >= 0, found 'lots'")
    assert e.row == 3 and e.record == "org/other"
    assert "snap/raw/m.csv.gz, row 3 (record org/other)" in str(e)


def test_csv_bad_private_flag(tmp_path):
    f = _csv_gz(tmp_path / "m.csv.gz", CSV_2022_07.replace("abc123,False", "abc123,maybe"))
    e = _raises(f, "huggingfacer-2022", "expected True or False, found 'maybe'")
    assert e.row == 2


def test_csv_empty_id(tmp_path):
    f = _csv_gz(tmp_path / "m.csv.gz", CSV_2022_07.replace("org/small,0", ",0"))
    assert _raises(f, "huggingfacer-2022", "non-empty string").row == 2


@pytest.mark.parametrize("value, shown", [(-3.0, "-3.0"), (2.5, "2.5"), (float("inf"), "inf")])
def test_parquet_bad_download_count(tmp_path, value, shown):
    f = _liang(tmp_path / "model_info.parquet", downloads=[1.0, value, 2.0])
    e = _raises(f, "liang-2022", f"found {shown}")
    assert e.row == 2 and e.record == "org/a"


def test_parquet_unreadable_time(tmp_path):
    f = _yang(tmp_path / "dataset_info.parquet",
              dataset_creation_time=["Tue Jan 25 16:34:03 2022 +0100", "yesterday", "Thu Mar 16 07:26:04 2023 +0000"])
    e = _raises(f, "yang-2023", "cannot read 'yesterday' as a time")
    assert e.row == 2 and e.record == "argilla/news"


def test_parquet_id_not_text(tmp_path):
    f = _yang(tmp_path / "dataset_info.parquet", dataset_name=["glue", None, "c/d"])
    assert _raises(f, "yang-2023", "a repository id must be a non-empty string").row == 2


def test_parquet_missing_column(tmp_path):
    f = tmp_path / "model_info.parquet"
    pq.write_table(pa.table({"modelId": ["a/b"], "downloads": [1.0]}), f)
    _raises(f, "liang-2022", r"missing column\(s\) \['author', 'creation_time', 'task_category'\]")


def test_truncated_parquet(tmp_path):
    f = _liang(tmp_path / "model_info.parquet")
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 2])
    _raises(f, "liang-2022", "not a readable parquet file")


def test_csv_given_to_a_parquet_reader(tmp_path):
    f = tmp_path / "model_info.parquet"
    f.write_text(CSV_2022_07)
    _raises(f, "liang-2022", "not a readable parquet file")


def test_foreign_error_pickles():
    e = ForeignInputError("bad", path="f.parquet", row=4, record="o/a")
    e2 = pickle.loads(pickle.dumps(e))
    assert (e2.path, e2.row, e2.record, str(e2)) == ("f.parquet", 4, "o/a", str(e))


def test_read_files_in_place_without_modifying_them(tmp_path):
    f = _liang(tmp_path / "model_info.parquet")
    before = (f.read_bytes(), f.stat().st_mtime_ns)
    foreign.read_file(f, "liang-2022")
    assert (f.read_bytes(), f.stat().st_mtime_ns) == before


# ----------------------------------------------------------------------------- the snapshot layer


def _history_snapshot(root: Path, name: str, kind: str, reader: str, files: dict[str, Path],
                      captured: str = "2022-10-01", role: str | None = "history") -> Path:
    """A snapshot directory whose raw/ holds ``files`` (copied) and a manifest for one foreign stream."""
    d = root / name
    (d / "raw").mkdir(parents=True)
    for rel, src in files.items():
        shutil.copy(src, d / "raw" / rel)
    manifest = {"name": name, "description": "hand-made foreign listing", "captured_at": {kind: captured},
                "streams": [{"kind": kind, "format": foreign.READERS[reader].format, "reader": reader,
                             "files": list(files)}]}
    if role:
        manifest["role"] = role
    (d / "manifest.json").write_text(json.dumps(manifest))
    return d


def _quiet_load(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_tables(*args, workers=1, **kw)


def test_load_tables_reads_foreign_snapshot_with_duplicates_counted(tmp_path):
    f = _csv_gz(tmp_path / "a.csv.gz", CSV_2022_07)
    g = _csv_gz(tmp_path / "b.csv.gz", "model,downloads,task,sha,private\norg/small,5,,x,False\nnew/one,1,,y,False\n")
    d = _history_snapshot(tmp_path / "snaps", "hist", "foreign_models", "huggingfacer-2022",
                          {"a.csv.gz": f, "b.csv.gz": g}, captured="2022-07-02")
    t = _quiet_load([d])
    r = t.repos
    assert r["repo_id"].tolist() == ["bert-base-uncased", "org/small", "org/other", "new/one"]
    assert r.loc[r["repo_id"] == "org/small", "downloads"].item() == 0  # the first occurrence is kept
    assert (r["snapshot"] == "hist").all()
    assert (r["captured_at"] == pd.Timestamp("2022-07-02", tz="UTC")).all()
    rep = t.report
    assert rep["count"].tolist() == [1] and rep["stream"].tolist() == ["foreign_models"]
    assert rep["example"].iloc[0] == "org/small at hist/raw/b.csv.gz, row 1"
    assert str(r["downloads"].dtype) == "Int64" and str(r["created_at"].dtype) == "datetime64[ns, UTC]"


def test_bad_row_error_names_the_snapshot_file(tmp_path):
    f = _liang(tmp_path / "model_info.parquet", downloads=[1.0, -1.0, 2.0])
    d = _history_snapshot(tmp_path / "snaps", "hist", "foreign_models", "liang-2022", {"model_info.parquet": f})
    with pytest.raises(RawInputError, match=r"hist/raw/model_info.parquet, row 2 \(record org/a\)"):
        _quiet_load([d])


def test_default_load_skips_history_and_role_loads_it(tmp_path, monkeypatch):
    snaps = tmp_path / "snaps"
    shutil.copytree(MINI, snaps / "mini")
    _history_snapshot(snaps, "hist-models", "foreign_models", "liang-2022",
                      {"model_info.parquet": _liang(tmp_path / "model_info.parquet")})
    _history_snapshot(snaps, "hist-datasets", "foreign_datasets", "yang-2023",
                      {"dataset_info.parquet": _yang(tmp_path / "dataset_info.parquet")}, captured="2023-03-16")
    monkeypatch.setenv("HUBCOMMUNITY_SNAPSHOTS", str(snaps))
    default = _quiet_load()
    assert default.snapshots["snapshot"].unique().tolist() == ["mini"]
    assert set(default.repos["snapshot"]) == {"mini"}
    hist = _quiet_load(role="history")
    assert sorted(hist.snapshots["snapshot"].unique()) == ["hist-datasets", "hist-models"]
    assert hist.repos.groupby("snapshot")["repo_type"].first().to_dict() == {"hist-datasets": "dataset",
                                                                           "hist-models": "model"}
    everything = _quiet_load(role=None)
    assert set(everything.repos["snapshot"]) == {"mini", "hist-models", "hist-datasets"}
    assert snapshot.snapshot_role(snaps / "mini") == "primary"
    assert open_snapshot(snaps / "hist-models").role == "history"


def test_foreign_stream_without_a_known_reader_is_rejected(tmp_path):
    d = _history_snapshot(tmp_path / "snaps", "hist", "foreign_models", "liang-2022",
                          {"model_info.parquet": _liang(tmp_path / "model_info.parquet")})
    m = json.loads((d / "manifest.json").read_text())
    m["streams"][0]["reader"] = "nobody-2020"
    (d / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(SnapshotError, match="needs a 'reader'"):
        open_snapshot(d)


def test_editing_the_reader_invalidates_only_foreign_caches(tmp_path, monkeypatch):
    from hubcommunity import tables

    d = _history_snapshot(tmp_path / "snaps", "hist", "foreign_models", "liang-2022",
                          {"model_info.parquet": _liang(tmp_path / "model_info.parquet")})
    hist = open_snapshot(d)
    mini = open_snapshot(MINI)
    assert [p.name for p in tables._foreign_code_files(hist)] == ["foreign.py"]
    assert tables._foreign_code_files(mini) == []
    code = tmp_path / "parser.py"
    code.write_text("v = 1\n")
    reader_copy = tmp_path / "foreign.py"  # stands in for the module's source
    reader_copy.write_bytes(Path(foreign.__file__).read_bytes())
    monkeypatch.setattr(foreign, "__file__", str(reader_copy))
    k_hist, k_mini = tables.cache_key(hist, [code]), tables.cache_key(mini, [code])
    reader_copy.write_bytes(reader_copy.read_bytes() + b"\n# edited\n")
    # an edited reader gives the history snapshot a new key, and leaves the others alone
    assert tables.cache_key(hist, [code]) != k_hist and tables.cache_key(mini, [code]) == k_mini


def _fake_reference(root: Path) -> Path:
    """A reference-data folder holding only the three history listings (hand-made, small)."""
    h = root / "hub-history"
    for sub in ("models-2022-07", "models-2022-10", "datasets-2023-03"):
        (h / sub).mkdir(parents=True)
    _csv_gz(h / "models-2022-07" / "models_with_downloads.csv.gz", CSV_2022_07)
    _liang(h / "models-2022-10" / "model_info.parquet")
    _yang(h / "datasets-2023-03" / "dataset_info.parquet")
    return root


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_link_reference_links_history_listings(tmp_path):
    src = _fake_reference(tmp_path / "ref")
    before = _tree(src)
    dirs = snapshot.link_reference(src, tmp_path / "snaps")
    assert [d.name for d in dirs] == ["history-models-2022-07", "history-models-2022-10", "history-datasets-2023-03"]
    snaps = [open_snapshot(d, verify=True) for d in dirs]
    assert [s.role for s in snaps] == ["history"] * 3
    assert [s.captured_at for s in snaps] == [{"foreign_models": "2022-07-02"}, {"foreign_models": "2022-10-01"},
                                            {"foreign_datasets": "2023-03-16"}]
    assert [s.streams[0].reader for s in snaps] == ["huggingfacer-2022", "liang-2022", "yang-2023"]
    assert [s.streams[0].records for s in snaps] == [3, 3, 3]
    assert [s.streams[0].format for s in snaps] == ["csv", "parquet", "parquet"]
    for s in snaps:
        m = s.manifest
        assert m["license"] and m["source"]["commit"] and m["captured_at_evidence"] and m["lacks"]
    assert "2023" in snaps[1].manifest["captured_at_evidence"]  # the source README's wrong year is explained
    assert os.readlink(dirs[1] / "raw") == str(src.resolve() / "hub-history" / "models-2022-10")
    assert _tree(src) == before  # nothing written into the source
    t = _quiet_load(dirs)
    assert t.repos.groupby("snapshot").size().to_dict() == {"history-datasets-2023-03": 3,
                                                          "history-models-2022-07": 3,
                                                          "history-models-2022-10": 3}
    # idempotent: a second run rewrites nothing
    mtimes = [(d / "manifest.json").stat().st_mtime_ns for d in dirs]
    snapshot.link_reference(src, tmp_path / "snaps")
    assert [(d / "manifest.json").stat().st_mtime_ns for d in dirs] == mtimes


@pytest.mark.slow
def test_reference_history_listings(tmp_path):
    src = paths.shared_reference_dir()
    if not (src / "hub-history").is_dir():
        pytest.skip(f"reference history listings not found at {src}")
    only_history = tmp_path / "ref"  # link the three listings alone (hashing the 2024 pages takes seconds)
    only_history.mkdir()
    (only_history / "hub-history").symlink_to(src / "hub-history", target_is_directory=True)
    dirs = snapshot.link_reference(only_history, tmp_path / "snaps")
    assert [snapshot.snapshot_role(d) for d in dirs] == ["history"] * 3
    # the default load (what RQ1-RQ3 read) keeps to the July 2024 listings and the discussions
    roles = {name: spec.get("role", snapshot.DEFAULT_ROLE) for name, spec in snapshot.REFERENCE_CAPTURES.items()}
    assert roles["hub-lists-2024-07"] == roles["model-discussions-2024-01"] == snapshot.DEFAULT_ROLE
    assert sorted(n for n, r in roles.items() if r == "history") == sorted(d.name for d in dirs)
    t = load_tables(dirs, workers=1)
    counts = t.repos.groupby(["snapshot", "repo_type"]).size().to_dict()
    assert counts == {("history-datasets-2023-03", "dataset"): 24_065, ("history-models-2022-07", "model"): 55_524,
                      ("history-models-2022-10", "model"): 74_970}
    assert len(t.report) == 0 and t.repos["downloads"].notna().all()
    newest = t.repos.groupby("snapshot")["created_at"].max()
    assert newest["history-models-2022-10"].strftime("%Y-%m-%d") == "2022-09-30"
    assert newest["history-datasets-2023-03"].strftime("%Y-%m-%d") == "2023-03-16"
