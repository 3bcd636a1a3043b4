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
    res.table("tbl-demo", df, description="counts", formats={"share": "{:.0%}"})
    chart = alt.Chart(df).mark_bar().encode(x="kind:N", y="n:Q")
    assert res.figure("fig-demo", chart, description="bars") is chart
    path = res.save()

    record = json.loads(path.read_text())
    assert path == tmp_path / "results" / "demo.json"
    numbers = {n["key"]: n for n in record["numbers"]}
    assert numbers["share"] == {"key": "share", "value": 0.731, "formatted": "73.1%",
                                "unit": "share of models", "description": "d"}
    assert numbers["count"]["value"] == 348181 and numbers["count"]["formatted"] == "348,181"

    shown = json.loads((tmp_path / "tables/demo/tbl-demo.json").read_text())
    assert shown["columns"] == ["kind", "n", "share"]
    assert shown["rows"][0] == ["model", "760,000", "81%"]
    assert pd.read_csv(tmp_path / "tables/demo/tbl-demo.csv")["n"].tolist() == [760000, 175000]

    fig = record["figures"][0]
    assert fig["svg"] == "figures/demo/fig-demo.svg"
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
    cells = json.loads((tmp_path / "tables" / "demo" / "tbl-lab.json").read_text())
    assert cells["columns"] == ["Type", "Zero (%)"]
    assert cells["fields"] == ["repo_type", "share_zero"]
    assert cells["rows"] == [["model", "50%"]]
    csv = pd.read_csv(tmp_path / "tables" / "demo" / "tbl-lab.csv")
    assert list(csv.columns) == ["repo_type", "share_zero", "source"]
    with pytest.raises(ValueError, match="labels= names columns it does not have"):
        res.table("tbl-bad", df, labels={"nope": "x"})
    with pytest.raises(ValueError, match="show= names columns it does not have"):
        res.table("tbl-bad2", df, show=["nope"])
