"""Unit tests for hubcommunity.results: formatting, numpy conversion, files written, glue."""

import json

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
