"""Inequality measures and summaries on inputs with known answers."""

import math

import numpy as np
import pandas as pd
import pytest

from hubcommunity.analysis import distributions as d


def test_gini_known_values():
    assert d.gini([5, 5, 5, 5]) == 0.0
    assert d.gini([0, 0, 0]) == 0.0
    # One unit holds everything: 1 - 1/n.
    assert d.gini([0, 0, 0, 10]) == pytest.approx(0.75)
    # [1, 2, 3]: sum_i (2i - n - 1) x_i = -2*1 + 0*2 + 2*3 = 4; / (3 * 6) = 2/9.
    assert d.gini([3, 1, 2]) == pytest.approx(2 / 9)
    assert math.isnan(d.gini([]))


def test_gini_matches_mean_absolute_difference_definition():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 50, size=200).astype(float)
    mad = np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())
    assert d.gini(x) == pytest.approx(mad)


def test_gini_is_half_area_between_diagonal_and_lorenz_curve():
    x = np.random.default_rng(2).pareto(1.5, size=1000)
    curve = d.lorenz(x)
    area_under = np.trapezoid(curve["value_share"], curve["population_share"])
    assert d.gini(x) == pytest.approx(1 - 2 * area_under, rel=1e-9)


def test_missing_values_are_dropped_not_zero():
    s = pd.Series([1, None, 3, pd.NA], dtype="Int64")
    assert d.gini(s) == d.gini([1, 3])
    summary = d.summarize(s)
    assert summary["n"] == 2 and summary["n_missing"] == 2
    assert summary["share_zero"] == 0.0


def test_negative_values_raise_with_position():
    with pytest.raises(ValueError, match="position 1"):
        d.gini([1, -2, 3])


def test_top_share_counts_and_ties():
    x = list(range(1, 101))  # total 5050
    assert d.top_share(x, 0.01) == pytest.approx(100 / 5050)
    assert d.top_share(x, 0.10) == pytest.approx(sum(range(91, 101)) / 5050)
    # ceil: top 1% of 50 units is 1 unit; top 10% of 15 is 2 units.
    assert d.top_count(50, 0.01) == 1
    assert d.top_count(15, 0.10) == 2
    assert d.top_count(30, 0.10) == 3  # not 4 from float error
    # ties at the cut: same sum whichever tied unit is counted.
    assert d.top_share([5, 5, 5, 1], 0.25) == pytest.approx(5 / 16)
    assert math.isnan(d.top_share([0, 0], 0.5))
    with pytest.raises(ValueError):
        d.top_share(x, 0)


def test_hhi_bounds():
    assert d.hhi([1, 1, 1, 1]) == pytest.approx(0.25)
    assert d.hhi([0, 0, 7]) == pytest.approx(1.0)
    assert d.hhi([1, 3]) == pytest.approx(0.25**2 + 0.75**2)


def test_ccdf_is_p_x_at_least_x_over_all_values():
    out = d.ccdf([0, 0, 1, 1, 2, 5])
    assert out["x"].tolist() == [1, 2, 5]
    assert out["ccdf"].tolist() == pytest.approx([4 / 6, 2 / 6, 1 / 6])


def test_ccdf_thinning_keeps_exact_points_and_ends():
    x = np.random.default_rng(3).zipf(1.8, size=50_000)
    full = d.ccdf(x)
    thin = d.ccdf(x, max_points=40)
    assert len(thin) <= 42 and len(full) > 200
    assert thin["x"].iloc[0] == full["x"].iloc[0] and thin["x"].iloc[-1] == full["x"].iloc[-1]
    merged = thin.merge(full, on="x", suffixes=("", "_full"))
    assert len(merged) == len(thin)
    assert np.allclose(merged["ccdf"], merged["ccdf_full"])
    # on dense data the kept points are evenly spread in log10(x)
    dense = d.ccdf(np.arange(1, 100_001), max_points=51)
    gaps = np.diff(np.log10(dense["x"]))
    assert 40 <= len(dense) <= 51  # near x = 1 several grid points round to the same integer
    assert gaps[-30:] == pytest.approx(np.full(30, 0.1), abs=0.01)


def test_lorenz_ends_and_thinning():
    curve = d.lorenz([1, 2, 3, 4])
    assert curve.iloc[0].tolist() == [0, 0] and curve.iloc[-1].tolist() == [1, 1]
    assert curve["value_share"].tolist() == pytest.approx([0, 0.1, 0.3, 0.6, 1.0])
    thin = d.lorenz(np.arange(10_000), max_points=101)
    assert len(thin) == 101 and thin["population_share"].iloc[-1] == 1
    assert d.lorenz([0, 0]).empty


def test_summarize_known_sample():
    s = d.summarize([0, 0, 0, 1, 9])
    assert s["n"] == 5 and s["share_zero"] == pytest.approx(0.6)
    assert s["mean"] == 2 and s["median"] == 0 and s["max"] == 9
    assert s["top1_share"] == pytest.approx(0.9)
    assert tuple(s) == d.SUMMARY_FIELDS


def test_summary_table_groups_and_keeps_empty_variables():
    frame = pd.DataFrame(
        {
            "repo_type": ["model", "model", "dataset"],
            "likes": [1, 3, 2],
            "commits": pd.array([None, None, 4], dtype="Int64"),
        }
    )
    table = d.summary_table(frame, ["likes", "commits"], by="repo_type")
    assert table[["repo_type", "variable"]].values.tolist() == [
        ["dataset", "likes"], ["dataset", "commits"], ["model", "likes"], ["model", "commits"]
    ]
    model_commits = table.iloc[3]
    assert model_commits["n"] == 0 and model_commits["n_missing"] == 2
    assert table.iloc[2]["mean"] == 2
    with pytest.raises(KeyError):
        d.summary_table(frame, ["nope"])


def test_ccdf_long_and_lorenz_long_stack_curves():
    frame = pd.DataFrame({"t": ["a"] * 4 + ["b"] * 3, "v": [0, 1, 2, 3, 5, 5, 0], "w": [0] * 7})
    curves = d.ccdf_long(frame, ["v", "w"], by="t")
    assert set(curves["t"]) == {"a", "b"} and set(curves["variable"]) == {"v"}  # w has no positive value
    a = curves[curves["t"] == "a"]
    assert a["ccdf"].tolist() == pytest.approx([0.75, 0.5, 0.25])
    assert a["n"].iloc[0] == 4
    lz = d.lorenz_long(frame, ["v"], by="t")
    assert lz.groupby("t")["value_share"].last().tolist() == [1.0, 1.0]
    assert lz.loc[lz["t"] == "b", "gini"].iloc[0] == pytest.approx(d.gini([5, 5, 0]))


def test_frequency_long_is_lossless_for_curves_and_shares():
    """The full data behind a thinned figure: counts per distinct value rebuild the exact CCDF and Gini."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"kind": rng.choice(["a", "b"], 5000),
                          "x": rng.zipf(2.0, 5000).astype(float)})
    frame.loc[:10, "x"] = np.nan  # missing values are left out
    frame.loc[11:40, "x"] = 0.0   # zeros are kept
    freq = d.frequency_long(frame, ["x"], by="kind")
    assert list(freq.columns) == ["kind", "variable", "value", "count"]
    for kind, group in frame.groupby("kind"):
        sub = freq[freq["kind"] == kind]
        assert sub["count"].sum() == group["x"].notna().sum()
        rebuilt = np.repeat(sub["value"].to_numpy(), sub["count"].to_numpy())
        assert d.gini(rebuilt) == pytest.approx(d.gini(group["x"].dropna()))
        exact = d.ccdf(group["x"].dropna())
        assert d.ccdf(rebuilt).equals(exact)
    assert d.frequency_long(frame.assign(x=np.nan), ["x"]).empty


def test_frequency_of_series_labels_each_curve():
    freq = d.frequency_of_series({"a": pd.Series([0, 1, 1, 5]), "b": pd.Series([2.0, np.nan])}, name="measure")
    assert list(freq.columns) == ["measure", "value", "count"]
    assert freq[freq["measure"] == "a"].set_index("value")["count"].to_dict() == {0: 1, 1: 2, 5: 1}
    assert freq[freq["measure"] == "b"]["count"].tolist() == [1]
