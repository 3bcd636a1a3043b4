"""The RQ3 chart builders produce valid Vega-Lite with the intended encodings."""

import altair as alt
import numpy as np
import pandas as pd
import pytest

from hubcommunity.analysis import adoption as ad
from hubcommunity.analysis import owners as ow
from hubcommunity.figures import adoption as fig
from hubcommunity.figures.render import to_spec, to_svg


def _validate(chart):
    spec = chart.to_dict(validate=True)  # raises on schema violations
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    return spec


def _values(spec):
    return spec["datasets"][next(iter(spec["datasets"]))]


def test_adoption_ccdfs_and_chart():
    curves = ad.adoption_ccdfs({"spaces": pd.Series([0, 0, 1, 2, 5]), "derivation": pd.Series([0, 3, 3]), "empty": pd.Series([0, 0])})
    spaces = curves[curves["series"] == "spaces"]
    assert spaces["x"].tolist() == [1, 2, 5]
    assert spaces["ccdf"].tolist() == pytest.approx([3 / 5, 2 / 5, 1 / 5])
    assert set(curves["series"]) == {"spaces", "derivation"}
    assert spaces["n"].iloc[0] == 5
    spec = _validate(fig.ccdf_chart(curves, x_title="spaces using the model"))
    enc = spec["encoding"]
    assert enc["x"]["scale"]["type"] == "log" and enc["y"]["scale"]["type"] == "log"
    assert enc["color"]["field"] == "series"
    assert len(_values(spec)) == len(curves)


def test_kind_share_chart_single_and_faceted():
    adoption = pd.DataFrame({"owner": pd.array(["a", "b", "c"], dtype="string"), "adoption": [6, 3, 1]})
    kinds = pd.DataFrame({"owner": ["a", "b"], "kind": pd.array(["company", "academic"], dtype="string"), "source": ["x", "y"]})
    shares = ow.share_by_kind(adoption, kinds)
    spec = _validate(fig.kind_share_chart(shares))
    bar = spec["layer"][0]
    assert bar["mark"]["type"] == "bar"
    assert bar["encoding"]["y"]["field"] == "kind" and bar["encoding"]["x"]["field"] == "share"
    assert bar["encoding"]["y"]["sort"] == [*ow.OWNER_KINDS, ow.UNCLASSIFIED]
    rows = {r["kind"]: r["share"] for r in _values(spec)}
    assert rows["company"] == pytest.approx(0.6) and rows["unclassified"] == pytest.approx(0.1)
    both = pd.concat([shares.assign(measure="spaces"), shares.assign(measure="derivation")])
    spec2 = _validate(fig.kind_share_chart(both))
    assert spec2["facet"]["row"]["field"] == "measure"


def test_subfield_share_chart():
    sub = pd.DataFrame(
        {"subfield": ["cv", "nlp", "multimodal", "other"], "share_of_adoption": [0.1, 0.6, 0.2, 0.1],
         "adoption": [1, 6, 2, 1], "top10_share": [0.5] * 4, "gini": [0.3] * 4}
    )
    spec = _validate(fig.subfield_share_chart(sub))
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["sort"] == ["cv", "nlp", "multimodal", "other"]
    spec2 = _validate(fig.subfield_share_chart(pd.concat([sub.assign(measure="a"), sub.assign(measure="b")])))
    assert spec2["encoding"]["xOffset"]["field"] == "measure"


def test_scatter_sample_keeps_labelled_rows():
    frame = pd.DataFrame({"v": np.arange(1000)})
    keep = frame["v"].isin([3, 999])
    out = fig.scatter_sample(frame, 50, keep, seed=1)
    assert len(out) == 52 and {3, 999} <= set(out["v"])
    assert out.equals(fig.scatter_sample(frame, 50, keep, seed=1))  # deterministic
    assert len(fig.scatter_sample(frame, 5000)) == 1000


def test_scatter_chart_labels_colours_and_renders():
    pts = pd.DataFrame({"model": ["a/x", "b/y", "c/z"], "spaces": [0, 10, 1000], "adopters": [1, 0, 50],
                        "leader": ["neither", "by Spaces", "both"], "label": ["", "", "z"]})
    colours = {"both": "#e15759", "by Spaces": "#4e79a7", "neither": "#bab0ac"}
    chart = fig.scatter_chart(pts, x="spaces", y="adopters", x_title="Spaces", y_title="adopting owners",
                              color="leader", color_title="leads", colors=colours)
    spec = _validate(chart)
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["circle", "text"]
    dots = spec["layer"][0]["encoding"]
    assert dots["x"]["field"] == "x_1" and dots["x"]["scale"]["type"] == "log"
    assert dots["color"]["scale"]["domain"] == list(colours) and dots["color"]["scale"]["range"] == list(colours.values())
    rows = _values(spec)
    assert [r["labelled"] for r in rows] == [False, False, True]
    assert rows[0]["x_1"] == 1.0 and rows[1]["y_1"] == 1.0  # zeros shifted onto the log axis
    svg = to_svg(to_spec(chart))
    assert svg.lstrip().startswith("<svg") and ">z<" in svg
    with pytest.raises(KeyError, match="leader"):
        fig.scatter_chart(pts.drop(columns="leader"), x="spaces", y="adopters", x_title="", y_title="", color="leader")


def test_adoption_rate_chart_keeps_bin_order():
    bins = pd.DataFrame({"bin": ["0", "1–9", "10–99"], "models": [10, 5, 2], "adopted": [0, 1, 2],
                         "share_adopted": [0.0, 0.2, 1.0]})
    spec = _validate(fig.adoption_rate_chart(bins, x_title="downloads", y_title="share"))
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["x"]["sort"] == ["0", "1–9", "10–99"]
    assert spec["encoding"]["y"]["field"] == "share_adopted"


def test_ccdf_chart_marks_a_cap():
    curves = ad.adoption_ccdfs({"Spaces": pd.Series([0, 1, 100, 100])})
    spec = _validate(fig.ccdf_chart(curves, cap=100, cap_label="API cap"))
    rule = [layer for layer in spec["layer"] if (layer["mark"]["type"] if isinstance(layer["mark"], dict)
                                                  else layer["mark"]) == "rule"]
    assert len(rule) == 1
    assert "API cap" in to_svg(to_spec(fig.ccdf_chart(curves, cap=100, cap_label="API cap")))


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match=r"ccdf_chart: data lacks column\(s\) \['series'\]"):
        fig.ccdf_chart(pd.DataFrame({"x": [1], "ccdf": [1.0]}))


def test_label_heights_stack_close_labels_on_log_axis():
    y = pd.Series([2.0, 2.0, 2.1, 1000.0, 5.0])
    labelled = pd.Series([True, True, True, True, False])
    out = fig.label_heights(y, labelled, gap=0.2)
    logs = np.log10(out[[0, 1, 2]].to_numpy())
    assert logs == pytest.approx([np.log10(2), np.log10(2) + 0.2, np.log10(2) + 0.4])
    assert out[3] == 1000.0  # far from the others: unchanged
    assert out[4] == 5.0  # unlabelled: unchanged
    # with x positions, labels far apart horizontally keep their heights
    x = pd.Series([1.0, 1000.0, 1.2, 1.0, 1.0])
    side = fig.label_heights(y, labelled, gap=0.2, x=x, x_gap=0.5)
    assert side[1] == 2.0  # 3 decades to the right of the first label
    assert np.log10(side[2]) == pytest.approx(np.log10(2) + 0.2)  # stacked above the first one
