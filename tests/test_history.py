"""The Hub over time: concentration from value counts, the multinomial bootstrap, panels,
transitions and the shift-share decomposition, on inputs with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hubcommunity.analysis import distributions as dist
from hubcommunity.analysis import history as hi

# ----------------------------------------------------------------------------- concentration


def test_weighted_concentration_equals_the_row_formulas_on_expanded_samples():
    rng = np.random.default_rng(3)
    values = np.unique(np.floor(rng.pareto(1.2, 400) * 5))  # distinct, ascending, includes 0
    weights = rng.multinomial(1000, np.full(values.size, 1 / values.size), size=20)
    res = hi.weighted_concentration(values, weights, (0.001, 0.01, 0.1, 0.5))
    for i, w in enumerate(weights):
        sample = np.repeat(values, w)
        assert res["share_zero"][i] == pytest.approx(np.mean(sample == 0))
        for f in (0.001, 0.01, 0.1, 0.5):
            assert res[f"top{100 * f:g}_share"][i] == pytest.approx(dist.top_share(sample, f), rel=1e-12)
        assert res["gini"][i] == pytest.approx(dist.gini(sample), rel=1e-12)


def test_concentration_known_answers():
    x = [0, 0, 0, 0, 0, 0, 0, 0, 0, 10]  # one unit holds everything
    c = hi.concentration(pd.Series(x + [None], dtype="Int64"))
    assert c["n"] == 10 and c["n_missing"] == 1
    assert c["share_zero"] == pytest.approx(0.9)
    assert c["top1_share"] == 1.0 and c["top10_share"] == 1.0  # ceil(0.01 * 10) = 1 unit
    assert c["gini"] == pytest.approx(1 - 1 / 10)  # the maximum for n = 10
    assert c["median"] == 0 and c["total"] == 10
    equal = hi.concentration([4] * 100)
    assert equal["gini"] == pytest.approx(0) and equal["top1_share"] == pytest.approx(0.01)
    assert equal["top0.1_share"] == pytest.approx(0.01)  # top count rounded up: 1 of 100
    assert math.isnan(hi.concentration([]).get("gini"))


def test_all_zero_listing_has_no_top_share_and_gini_zero():
    c = hi.concentration([0, 0, 0])
    assert c["share_zero"] == 1 and math.isnan(c["top1_share"]) and c["gini"] == 0


# ----------------------------------------------------------------------------- bootstrap


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(0)
    x = np.floor(rng.pareto(1.1, 3000) * 2)
    a = hi.bootstrap_concentration(x, n_boot=300, seed=7)
    b = hi.bootstrap_concentration(x, n_boot=300, seed=7, chunk=37)  # chunking does not change the draws' law...
    c = hi.bootstrap_concentration(x, n_boot=300, seed=8)
    assert list(a["measure"]) == list(hi.MEASURES)
    assert a.equals(hi.bootstrap_concentration(x, n_boot=300, seed=7))  # same seed, same intervals
    assert not a[["low", "high"]].equals(c[["low", "high"]])
    assert ((a["low"] <= a["estimate"]) & (a["estimate"] <= a["high"])).all()
    assert (a["n_boot"] == 300).all()
    assert np.allclose(a["estimate"], b["estimate"])


def test_bootstrap_share_zero_matches_the_binomial_standard_error():
    # zeros with probability 0.3: the bootstrap SE of the zero share is sqrt(p (1 - p) / n)
    rng = np.random.default_rng(11)
    n = 20_000
    x = np.where(rng.random(n) < 0.3, 0, rng.integers(1, 50, n))
    p = np.mean(x == 0)
    ci = hi.bootstrap_concentration(x, n_boot=2000, seed=1).set_index("measure")
    se = math.sqrt(p * (1 - p) / n)
    assert ci.loc["share_zero", "se"] == pytest.approx(se, rel=0.1)
    assert ci.loc["share_zero", "high"] - ci.loc["share_zero", "low"] == pytest.approx(2 * 1.96 * se, rel=0.15)


def test_multinomial_bootstrap_has_the_law_of_row_resampling():
    rng = np.random.default_rng(5)
    x = np.floor(rng.lognormal(1, 1.5, 800))
    ours = hi.bootstrap_concentration(x, n_boot=3000, seed=2).set_index("measure")
    naive = {"top1_share": [], "gini": []}
    for _ in range(3000):
        s = rng.choice(x, size=x.size, replace=True)
        naive["top1_share"].append(dist.top_share(s, 0.01))
        naive["gini"].append(dist.gini(s))
    for m, reps in naive.items():
        reps = np.asarray(reps)
        assert np.median(reps) == pytest.approx((ours.loc[m, "low"] + ours.loc[m, "high"]) / 2, abs=3 * ours.loc[m, "se"] / 5)
        assert ours.loc[m, "se"] == pytest.approx(reps.std(ddof=1), rel=0.1)


def test_bootstrap_rejects_bad_input():
    with pytest.raises(ValueError, match="no values"):
        hi.bootstrap_concentration([])
    with pytest.raises(ValueError, match="n_boot"):
        hi.bootstrap_concentration([1, 2], n_boot=1)


def test_interpolate_at():
    dates = ["2022-10-01", "2024-07-01"]
    mid = pd.Timestamp("2022-10-01") + (pd.Timestamp("2024-07-01") - pd.Timestamp("2022-10-01")) / 2
    assert hi.interpolate_at(dates, [0.4, 0.6], mid) == pytest.approx(0.5)
    assert hi.interpolate_at(dates, [0.4, 0.6], "2022-10-01") == pytest.approx(0.4)
    with pytest.raises(ValueError, match="outside"):
        hi.interpolate_at(dates, [0.4, 0.6], "2025-01-01")


# ----------------------------------------------------------------------------- panels

A = pd.Series({"a": 100.0, "b": 50.0, "c": 10.0, "d": 0.0, "e": 0.0, "gone": 5.0})
B = pd.Series({"a": 80.0, "b": 0.0, "c": 70.0, "d": 3.0, "e": 0.0, "new1": 0.0, "new2": 500.0})


def test_attrition():
    att = hi.attrition(A, B)
    assert (att["n_a"], att["n_b"], att["n_both"], att["n_exited"], att["n_entered"]) == (6, 7, 5, 1, 2)
    assert att["share_exited"] == pytest.approx(1 / 6) and att["share_entered"] == pytest.approx(2 / 7)


def test_rank_persistence_known_answers():
    x = pd.Series(np.arange(10.0), index=[f"r{i}" for i in range(10)])
    assert hi.rank_persistence(x, x)["rho"] == pytest.approx(1)
    assert hi.rank_persistence(x, -x + 20)["rho"] == pytest.approx(-1)
    got = hi.rank_persistence(A, B)
    common = ["a", "b", "c", "d", "e"]
    want = stats.spearmanr(A[common], B[common])
    assert got["n"] == 5 and got["rho"] == pytest.approx(want.statistic)
    assert math.isnan(hi.rank_persistence(A, pd.Series({"a": 1.0}))["rho"])


def test_duplicate_ids_are_an_error():
    with pytest.raises(ValueError, match="appears twice"):
        hi.rank_persistence(pd.Series([1.0, 2.0], index=["x", "x"]), B)


def test_top_set_includes_ties_and_never_zeros():
    s = pd.Series([9.0, 5.0, 5.0, 5.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], index=list("abcdefghij"))
    assert sorted(hi.top_set(s, 0.2)) == ["a", "b", "c", "d"]  # k = 2, the second-largest is tied three ways
    assert sorted(hi.top_set(s, 0.1)) == ["a"]
    assert len(hi.top_set(pd.Series([0.0] * 5, index=list("vwxyz")), 0.5)) == 0


def test_top_retention():
    # top 1/3 of A (k = 2): a, b. Top 2/7 of B (k = 2): new2, a.
    r = hi.top_retention(A, B, 1 / 3)
    assert (r["n_top"], r["retained"], r["fell"], r["not_listed"]) == (2, 1, 1, 0)
    assert r["share_retained"] == 0.5
    curve = hi.retention_curve(A, B, [0.1, 1 / 3])
    assert list(curve["fraction"]) == [0.1, 1 / 3] and curve["share_retained"].iloc[1] == 0.5


def test_download_classes_and_transitions():
    cls = hi.download_classes(A, high_fraction=1 / 3)
    assert cls.to_dict() == {"a": "high", "b": "high", "c": "low", "d": "zero", "e": "zero", "gone": "low"}
    tr = hi.transitions(A, B, high_fraction=1 / 3).set_index(["from", "to"])
    # B's top third is ceil(7 / 3) = 3 repositories: new2, a, c high; d low; b, e, new1 zero
    assert tr.loc[("high", "high"), "count"] == 1 and tr.loc[("high", "zero"), "count"] == 1
    assert tr.loc[("low", "high"), "count"] == 1 and tr.loc[("low", "low"), "count"] == 0
    assert tr.loc[("low", "not listed"), "count"] == 1
    assert tr.loc[("zero", "low"), "count"] == 1 and tr.loc[("zero", "zero"), "count"] == 1
    assert tr.loc[("zero", "low"), "share"] == 0.5
    assert tr.loc[("low", "high"), "share_listed"] == 1.0 and math.isnan(tr.loc[("low", "not listed"), "share_listed"])
    assert len(tr) == 12 and tr.groupby("from")["share"].sum().tolist() == [1.0, 1.0, 1.0]


def test_transient_zeros():
    a = pd.Series({"p": 5.0, "q": 3.0, "r": 0.0, "s": 0.0, "t": 1.0, "only_a": 0.0})
    b = pd.Series({"p": 0.0, "q": 0.0, "r": 0.0, "s": 0.0, "t": 2.0})
    c = pd.Series({"p": 9.0, "q": 0.0, "r": 4.0, "s": 0.0, "t": 2.0, "new": 1.0})
    t = hi.transient_zeros(a, b, c)
    assert t["n_panel"] == 5 and t["n_dropped"] == 2 and t["dropped_back"] == 0.5  # p back, q not
    assert t["n_zero_both"] == 2 and t["zero_both_later"] == 0.5  # r gained downloads, s did not


def test_temporary_share_needed():
    assert hi.temporary_share_needed(0.5, 0.9, 0.1) == pytest.approx(0.5)  # 0.5 * 0.9 + 0.5 * 0.1
    assert hi.temporary_share_needed(0.05, 0.9, 0.1) == 0.0  # lasting zeros alone get there
    assert hi.temporary_share_needed(0.95, 0.9, 0.1) == 1.0  # unreachable: clipped
    assert math.isnan(hi.temporary_share_needed(0.5, 0.2, 0.2))


# ----------------------------------------------------------------------------- decomposition


def test_shift_share_zero_share_known_answer():
    a = pd.Series({"x": 0.0, "y": 0.0, "z": 5.0})
    b = pd.Series({"y": 3.0, "z": 5.0, "w": 0.0, "v": 0.0})
    d = hi.shift_share(a, b, "share_zero")
    assert d["value_a"] == pytest.approx(2 / 3) and d["value_b"] == pytest.approx(1 / 2)
    assert d["exit"] == pytest.approx(-1 / 6)  # dropping x (a zero) from A
    assert d["within"] == pytest.approx(-1 / 2)  # y gained downloads
    assert d["entry"] == pytest.approx(1 / 2)  # two new zeros
    assert d["exit"] + d["within"] + d["entry"] == pytest.approx(d["change"])
    assert (d["n_continuing"], d["n_exited"], d["n_entered"]) == (2, 1, 2)
    # the weighted-mean form of the exit and entry terms
    assert d["exit"] == pytest.approx((1 / 3) * (d["continuing_a"] - 1.0))
    assert d["entry"] == pytest.approx((2 / 4) * (1.0 - d["continuing_b"]))


def test_shift_share_sums_for_any_statistic_and_is_zero_without_change():
    rng = np.random.default_rng(4)
    ids = [f"r{i}" for i in range(3000)]
    a = pd.Series(np.floor(rng.pareto(1.1, 3000)), index=ids)
    b = pd.concat([a.iloc[500:] * rng.integers(0, 3, 2500), pd.Series(np.floor(rng.pareto(1.5, 700)),
                                                                     index=[f"n{i}" for i in range(700)])])
    for stat in ("share_zero", "top1_share", "gini", np.mean):
        d = hi.shift_share(a, b, stat)
        assert d["exit"] + d["within"] + d["entry"] == pytest.approx(d["change"], abs=1e-12)
    same = hi.shift_share(a, a, "top1_share")
    assert same["exit"] == same["within"] == same["entry"] == same["change"] == 0
    only_new = hi.shift_share(a, b.iloc[2500:], "share_zero")  # nothing continues
    assert only_new["n_continuing"] == 0 and math.isnan(only_new["within"])
