"""Unit tests for hubcommunity.results: formatting, numpy conversion, files written, glue."""

import json
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest

from hubcommunity import results
from hubcommunity.results import ChapterResults


def test_plain_number_converts_numpy_and_rejects_nan():
    assert results.plain_number(np.int64(7)) == 7 and type(results.plain_number(np.int64(7))) is int
    assert type(results.plain_number(np.float32(0.5))) is float
    assert results.plain_number(np.bool_(True)) == 1
    assert results.plain_number(np.array(3.25)) == 3.25
    with pytest.raises(ValueError, match="'x' is nan"):
        results.plain_number(float("nan"), "x")
    with pytest.raises(ValueError, match="not a number"):
        results.plain_number("12", "y")


def test_default_format():
    assert results.default_format(1234567) == "1,234,567"
    assert results.default_format(0.73125) == "0.731"
    assert results.default_format(12345.6) == "12,346"
    assert results.format_number(0.731, "{:.1%}") == "73.1%"
    with pytest.raises(ValueError, match="format"):
        results.format_number(3, "{:d} {}")


def test_bad_keys_rejected(tmp_path):
    res = ChapterResults("rq1", directory=tmp_path)
    for bad in ["", "has space", "-lead", "a/b"]:
        with pytest.raises(ValueError, match="must start"):
            res.number(bad, 1)
    with pytest.raises(ValueError, match="chapter id"):
        ChapterResults("bad id")


def test_number_table_figure_save(tmp_path):
    res = ChapterResults("demo", directory=tmp_path)
    text = res.number("share", np.float64(0.731), unit="share of models", description="d", fmt="{:.1%}")
    assert text == "73.1%"
    res.number("count", np.int64(348181))
    df = pd.DataFrame({"kind": ["model", "dataset"], "n": [760000, 175000], "share": [0.8125, 0.1875]})
    res.table("tbl-demo", df, description="counts", formats={"share": "{:.0%}"},
              labels={"kind": "Type", "n": "Repositories", "share": "Share (%)"})
    chart = alt.Chart(df).mark_bar().encode(x="kind:N", y="n:Q")
    assert res.figure("fig-demo", chart, description="bars") is chart
    path = res.save()

    record = json.loads(path.read_text())
    assert path == tmp_path / "results" / "demo.json"
    numbers = {n["key"]: n for n in record["numbers"]}
    assert numbers["share"] == {"key": "share", "value": 0.731, "formatted": "73.1%",
                                "unit": "share of models", "description": "d"}
    assert numbers["count"]["value"] == 348181 and numbers["count"]["formatted"] == "348,181"

    shown = json.loads((tmp_path / "cells/demo/tbl-demo.json").read_text())
    assert shown["columns"] == ["Type", "Repositories", "Share (%)"] and shown["numeric"] == [False, True, True]
    assert shown["rows"][0] == ["model", "760,000", "81%"]
    # results JSON paths are the files' paths in the site (generated/data/ is copied to site/data/)
    assert record["tables"][0]["csv"] == "data/demo/tbl-demo.csv"
    assert pd.read_csv(tmp_path / "data/demo/tbl-demo.csv")["n"].tolist() == [760000, 175000]

    fig = record["figures"][0]
    assert fig["svg"] == "data/demo/fig-demo.svg" and "full_csv" not in fig
    svg = (tmp_path / fig["svg"]).read_text()
    assert svg.startswith("<svg") and "<path" in svg  # bars drawn
    spec = json.loads((tmp_path / fig["spec"]).read_text())
    assert spec["mark"]["type"] == "bar" if isinstance(spec["mark"], dict) else spec["mark"] == "bar"
    assert pd.read_csv(tmp_path / fig["csv"]).shape == (2, 3)


def test_figure_needs_data(tmp_path):
    res = ChapterResults("demo", directory=tmp_path)
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q")
    with pytest.raises(ValueError, match="pass data="):
        res.figure("fig-x", chart)


def test_output_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(results.GENERATED_ENV, str(tmp_path / "gen"))
    assert results.output_dir() == tmp_path / "gen"
    assert ChapterResults("c").directory == tmp_path / "gen"


def test_glue_inside_a_kernel_like_shell(tmp_path):
    """Inside IPython, number() publishes a hidden glue output whose text/plain is the formatted text."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    published = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: published.append((data, metadata))
    try:
        ChapterResults("demo", directory=tmp_path).number("big", 760000)
    finally:
        InteractiveShell.clear_instance()
    (data, metadata), = published
    assert data == {"application/papermill.record/text/plain": "'760,000'"}
    assert metadata["strip_text_quotes"] is True and metadata["scrapbook"]["name"] == "big"
    # what {glue:text} does with it: the formatted text, not a tuple
    from myst_nb.core.variables import format_plain_text
    assert format_plain_text(data["application/papermill.record/text/plain"], "s") == "760,000"


def test_load_results_names_bad_file(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="bad.json"):
        results.load_results(tmp_path)


# -- the dependency record (what a chapter executed in a build depended on) -----------------
_CHAPTER_SCRIPT = """
import json, sys
from pathlib import Path
import pandas as pd
from hubcommunity.results import ChapterResults
import hubcommunity.analysis.distributions      # imports the package's analysis code
root = Path(sys.argv[1])
res = ChapterResults("c1", directory=root / "_build" / "generated")
pd.read_csv(root / "data" / "groups.csv")                            # a project data file
(root / "data" / "snapshots" / "s1" / "raw" / "p1.json").read_text()  # a raw snapshot file
open(root / "data" / "snapshots" / "s1" / "tables" / "t.parquet", "rb").read()  # derived cache
(root / "_build" / "other.json").read_text()                        # build output: never an input
(root / "data" / "written.csv").write_text("x")                     # written, not read
print(res.save())
"""


def _book_tree(root):
    snap = root / "data" / "snapshots" / "s1"
    (snap / "raw").mkdir(parents=True)
    (snap / "tables").mkdir()
    (snap / "manifest.json").write_text('{"name": "s1"}')
    (snap / "raw" / "p1.json").write_text("[]")
    (snap / "tables" / "t.parquet").write_bytes(b"PAR1")
    (root / "data" / "groups.csv").write_text("a,b\n1,2\n")
    (root / "data" / "unread.csv").write_text("a\n")
    (root / "_build").mkdir()
    (root / "_build" / "other.json").write_text("{}")


def _run_chapter(root, env_extra):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBCOMMUNITY_")}
    proc = subprocess.run([sys.executable, "-c", _CHAPTER_SCRIPT, str(root)], env={**env, **env_extra},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_save_in_a_build_records_modules_and_files_read(tmp_path):
    from hubcommunity import chapterdeps

    root = tmp_path / "book"
    _book_tree(root)
    _run_chapter(root, {chapterdeps.DOCUMENT_ENV: "book/c1.md", chapterdeps.BOOK_ROOT_ENV: str(root)})
    record = json.loads((root / "_build" / "generated" / "deps" / "c1.json").read_text())
    assert record["format"] == chapterdeps.DEPS_FORMAT
    assert record["chapter"] == "c1" and record["document"] == "book/c1.md"
    paths = {Path(f["path"]).as_posix() for f in record["files"]}
    # files read: the data file as itself; raw file and parquet cache as the snapshot's manifest
    assert {"data/groups.csv", "data/snapshots/s1/manifest.json"} <= paths
    assert not any(p.endswith(("unread.csv", "written.csv", "p1.json", "t.parquet", "other.json")) for p in paths)
    # modules: the ones imported (transitively), not the others
    names = {p.split("src/")[-1] for p in paths if p.endswith(".py")}
    assert {"hubcommunity/results.py", "hubcommunity/analysis/distributions.py"} <= names
    assert "hubcommunity/analysis/adoption.py" not in names and "hubcommunity/build.py" not in names
    digests = {Path(f["path"]).as_posix(): f["sha256"] for f in record["files"]}
    assert digests["data/groups.csv"] == chapterdeps.file_sha256(root / "data" / "groups.csv")
    assert chapterdeps.changed_files(record, root) == []
    (root / "data" / "groups.csv").write_text("a,b\n1,3\n")
    (root / "data" / "snapshots" / "s1" / "manifest.json").write_text('{"name": "s1", "v": 2}')
    assert chapterdeps.changed_files(record, root) == ["data/groups.csv", "data/snapshots/s1/manifest.json"]


def test_save_outside_a_build_writes_no_record(tmp_path):
    root = tmp_path / "book"
    _book_tree(root)
    _run_chapter(root, {})
    assert (root / "_build" / "generated" / "results" / "c1.json").is_file()
    assert not (root / "_build" / "generated" / "deps").exists()


def test_table_labels_and_shown_columns(tmp_path):
    """labels= changes the page's headers only; show= picks displayed columns; the CSV keeps everything."""
    res = ChapterResults("demo", directory=tmp_path)
    df = pd.DataFrame({"repo_type": ["model"], "share_zero": [0.5], "source": ["a long citation"]})
    res.table("tbl-lab", df, labels={"repo_type": "Type", "share_zero": "Zero (%)"},
              show=["repo_type", "share_zero"], formats={"share_zero": "{:.0%}"})
    cells = json.loads((tmp_path / "cells" / "demo" / "tbl-lab.json").read_text())
    assert cells["columns"] == ["Type", "Zero (%)"]
    assert cells["fields"] == ["repo_type", "share_zero"]
    assert cells["rows"] == [["model", "50%"]]
    csv = pd.read_csv(tmp_path / "data" / "demo" / "tbl-lab.csv")
    assert list(csv.columns) == ["repo_type", "share_zero", "source"]
    # one dict of labels may serve several tables: names of absent columns are ignored
    res.table("tbl-shared", df, labels={"repo_type": "Type", "share_zero": "Zero (%)", "source": "Source",
                                        "absent_here": "Absent"})
    with pytest.raises(ValueError, match="show= names columns it does not have"):
        res.table("tbl-bad2", df, show=["nope"])


def test_table_refuses_identifier_headers(tmp_path):
    """A displayed header that is a code identifier (or a pandas index) is an error naming the column."""
    res = ChapterResults("demo", directory=tmp_path)
    df = pd.DataFrame({"repo_type": ["model"], "n_positive": [3], "alpha": [2.1]})
    with pytest.raises(ValueError, match=r"column 'n_positive' would be shown under the identifier 'n_positive'"):
        res.table("tbl-a", df, labels={"repo_type": "Type"})
    with pytest.raises(ValueError, match="'repo_type'"):
        res.table("tbl-b", df, labels={"repo_type": "repo_type", "n_positive": "Positive values"})
    with pytest.raises(ValueError, match="identifier 'index'"):
        res.table("tbl-c", df, labels={"repo_type": "index", "n_positive": "Positive"})
    # leaving the column out with show= is fine; words, single words and units are fine
    res.table("tbl-d", df, labels={"repo_type": "Type"}, show=["repo_type", "alpha"])
    assert not (tmp_path / "cells" / "demo" / "tbl-a.json").exists()
    for ok in ["alpha", "Zero (%)", "p (Holm)", "n", "Top 1% share"]:
        assert not results.is_identifier_header(ok), ok
    for bad in ["index", "n_positive", "p_holm", "a_superiority", "top1_share"]:
        assert results.is_identifier_header(bad), bad


def test_table_index_named_kept_positional_dropped(tmp_path):
    """A filtered frame's leftover integer index (0, 1, 6, 7) is not shown; a named index is a column."""
    res = ChapterResults("demo", directory=tmp_path)
    df = pd.DataFrame({"variable": ["likes", "downloads", "commits"], "alpha": [2.0, 2.5, 3.0]}, index=[0, 6, 7])
    res.table("tbl-pos", df)
    cells = json.loads((tmp_path / "cells/demo/tbl-pos.json").read_text())
    assert cells["fields"] == ["variable", "alpha"]
    assert list(pd.read_csv(tmp_path / "data/demo/tbl-pos.csv").columns) == ["variable", "alpha"]
    res.table("tbl-named", df.set_index("variable"), labels={"alpha": "Alpha"})
    cells = json.loads((tmp_path / "cells/demo/tbl-named.json").read_text())
    assert cells["fields"] == ["variable", "alpha"] and cells["rows"][1] == ["downloads", "2.5"]
    with pytest.raises(ValueError, match="index holds labels but has no name"):
        res.table("tbl-unnamed", df.set_index("variable").rename_axis(None))


def test_table_rows_without_data_become_one_note(tmp_path):
    """Rows whose displayed numbers are all missing, and rows masked out by rows=, are not shown;
    one note says how many and which; the CSV keeps them; notes= and notes_from= add notes."""
    res = ChapterResults("demo", directory=tmp_path)
    df = pd.DataFrame({
        "repo_type": ["model", "model", "space", "dataset"],
        "variable": ["likes", "commits", "likes", "likes"],
        "mean": [1.5, None, None, 0.25],
        "median": [0.0, None, None, 0.0],
        "how": ["from the listing", "", None, "from the listing, too"],
    })
    res.table("tbl-rows", df, labels={"repo_type": "Type", "variable": "Variable", "mean": "Mean",
                                      "median": "Median"},
              show=["repo_type", "variable", "mean", "median"], notes="Means per repository.", notes_from="how")
    cells = json.loads((tmp_path / "cells/demo/tbl-rows.json").read_text())
    assert cells["rows"] == [["model", "likes", "1.5", "0"], ["dataset", "likes", "0.25", "0"]]
    assert cells["n_rows"] == 4 and cells["hidden_rows"] == 2
    assert cells["notes"] == [
        "Means per repository.",
        "model likes: from the listing",
        "dataset likes: from the listing, too",
        "Not shown: 2 rows without data in these captures (model commits and space likes); the CSV has every row.",
    ]
    assert len(pd.read_csv(tmp_path / "data/demo/tbl-rows.csv")) == 4
    res.table("tbl-mask", df, labels={"repo_type": "Type", "variable": "Variable", "mean": "Mean", "median": "Median"},
              show=["repo_type", "variable", "mean", "median"], rows=df["repo_type"] != "dataset",
              rows_note="{n} {rows} left out: {names} ({numref}`tbl-x`).")
    cells = json.loads((tmp_path / "cells/demo/tbl-mask.json").read_text())
    assert [r[:2] for r in cells["rows"]] == [["model", "likes"]]
    assert cells["notes"] == ["3 rows left out: model commits, space likes and dataset likes ({numref}`tbl-x`)."]
    with pytest.raises(ValueError, match="rows= has 2 values for 4 rows"):
        res.table("tbl-bad", df, rows=[True, False], show=["mean"], labels={})


def test_figure_full_data_and_regenerate_recipe(tmp_path):
    """A thinned figure writes its full data beside it and records it (and a recipe) in the results JSON."""
    res = ChapterResults("demo", directory=tmp_path)
    full = pd.DataFrame({"value": np.arange(1, 1001), "count": np.ones(1000, dtype=int)})
    thinned = full.iloc[::100]
    chart = alt.Chart(thinned).mark_line().encode(x="value:Q", y="count:Q")
    res.figure("fig-full", chart, data=thinned, full_data=full, description="thinned")
    res.figure("fig-recipe", chart, data=thinned, regenerate="hubcommunity.analysis.distributions.ccdf(x)")
    record = res.as_dict()
    figs = {f["key"]: f for f in record["figures"]}
    assert figs["fig-full"]["full_csv"] == "data/demo/fig-full.full.csv" and figs["fig-full"]["full_rows"] == 1000
    assert pd.read_csv(tmp_path / figs["fig-full"]["full_csv"]).equals(full)
    assert figs["fig-full"]["rows"] == 10
    assert "full_csv" not in figs["fig-recipe"]
    assert figs["fig-recipe"]["regenerate"] == "hubcommunity.analysis.distributions.ccdf(x)"
    with pytest.raises(ValueError, match="full_data= must be a DataFrame"):
        res.figure("fig-bad", chart, data=thinned, full_data=[1, 2])
