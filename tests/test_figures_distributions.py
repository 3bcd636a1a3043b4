"""RQ1 chart builders give valid Vega-Lite with the expected encodings, and draw."""

import numpy as np
import pandas as pd
import pytest

from hubcommunity.analysis import activity as ac
from hubcommunity.analysis import distributions as d
from hubcommunity.analysis import groups as gr
from hubcommunity.figures import distributions as fd
from hubcommunity.figures.render import to_spec, to_svg


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    n = 600
    return pd.DataFrame({
        "repo_type": rng.choice(["model", "dataset"], n),
        "license_group": rng.choice(["permissive", "restrictive", "none"], n),
        "likes": rng.zipf(2.0, n) - 1,
        "downloads": rng.zipf(1.7, n) - 1,
        "created_at": pd.Timestamp("2022-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
    })


def _spec(chart):
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    return spec


def test_ccdf_small_multiples(frame):
    curves = d.ccdf_long(frame, ["likes", "downloads"], by="repo_type", max_points=50)
    spec = _spec(fd.ccdf_small_multiples(curves))
    assert spec["facet"]["field"] == "variable"
    enc = spec["spec"]["encoding"]
    assert enc["x"]["scale"]["type"] == "log" and enc["y"]["scale"]["type"] == "log"
    assert enc["color"]["field"] == "repo_type"
    assert spec["resolve"]["scale"]["x"] == "independent"
    assert "<svg" in to_svg(to_spec(fd.ccdf_small_multiples(curves)))


def test_lorenz_chart_has_diagonal_and_curves(frame):
    curves = d.lorenz_long(frame, ["downloads"], by="repo_type", max_points=51)
    curves["series"] = curves["repo_type"] + " " + curves["variable"]
    spec = _spec(fd.lorenz_chart(curves))
    assert len(spec["layer"]) == 2
    assert spec["layer"][1]["encoding"]["color"]["field"] == "series"
    with pytest.raises(KeyError, match="series"):
        fd.lorenz_chart(curves.drop(columns="series"))


def test_license_group_and_share_charts(frame):
    q = gr.group_quantiles(frame, ["likes", "downloads"], by=None)
    spec = _spec(fd.license_group_chart(q))
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["spec"]["layer"]]
    assert marks == ["rule", "bar", "tick", "point"]
    assert spec["spec"]["layer"][1]["encoding"]["y"]["scale"]["type"] == "symlog"
    assert "<svg" in to_svg(to_spec(fd.license_group_chart(q)))
    shares = gr.group_shares(frame)
    spec = _spec(fd.license_share_chart(shares))
    assert spec["encoding"]["x"]["stack"] == "normalize"


def test_correlation_heatmap(frame):
    m = gr.spearman_matrix(frame, ["likes", "downloads"])
    spec = _spec(fd.correlation_heatmap(m))
    assert spec["layer"][0]["encoding"]["color"]["field"] == "rho"
    assert spec["layer"][1]["encoding"]["text"]["field"] == "rho"


def test_growth_and_cohort_charts(frame):
    monthly = ac.creations_per_month(frame)
    spec = _spec(fd.growth_chart(monthly))
    assert spec["encoding"]["x"]["type"] == "temporal"
    cohorts = ac.cohort_concentration(frame, "downloads", min_size=10)
    spec = _spec(fd.cohort_chart(cohorts))
    assert spec["facet"]["field"] == "measure"
    assert "<svg" in to_svg(to_spec(fd.cohort_chart(cohorts)))
