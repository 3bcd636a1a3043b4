"""License-group tests on synthetic groups with and without a real difference."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hubcommunity.analysis import groups as gr


def _frame(shift):
    rng = np.random.default_rng(2024)
    parts = []
    for name, n, extra in (("permissive", 400, shift), ("restrictive", 300, 0.0), ("none", 500, 0.0)):
        values = rng.poisson(2.0 + extra, size=n)
        parts.append(pd.DataFrame({"license_group": name, "commits": values}))
    return pd.concat(parts, ignore_index=True)


def test_no_difference_is_not_significant():
    test, pairs = gr.compare_groups(_frame(0.0), "commits")
    assert test["p"] > 0.05
    assert test["df"] == 2 and test["n"] == 1200
    assert (pairs["p_holm"] > 0.05).all()
    assert test["epsilon_squared"] < 0.01


def test_shift_in_one_group_is_found_by_dunn():
    test, pairs = gr.compare_groups(_frame(1.5), "commits")
    assert test["p"] < 1e-6
    assert test["epsilon_squared"] == pytest.approx(test["H"] / (test["n"] - 1))
    significant = pairs[pairs["p_holm"] < 0.05]
    assert set(map(frozenset, significant[["group_a", "group_b"]].values.tolist())) == {
        frozenset({"permissive", "restrictive"}), frozenset({"permissive", "none"})
    }
    perm_vs_none = pairs[(pairs["group_a"] == "permissive") & (pairs["group_b"] == "none")].iloc[0]
    assert perm_vs_none["a_superiority"] > 0.6


def test_epsilon_squared_formula_and_scipy_h():
    samples = {"a": np.array([1, 2, 3, 4.0]), "b": np.array([5, 6, 7, 8.0])}
    out = gr.kruskal_wallis(samples)
    H = stats.kruskal(samples["a"], samples["b"]).statistic
    assert out["H"] == pytest.approx(H)
    assert out["epsilon_squared"] == pytest.approx(H / ((8**2 - 1) / (8 + 1)))
    assert gr.kruskal_wallis({"a": np.zeros(3), "b": np.zeros(4)})["p"] == 1.0


def test_group_shares_and_order():
    frame = pd.DataFrame({"repo_type": ["model"] * 4 + ["dataset"],
                          "license_group": ["none", "permissive", "none", "other", "none"]})
    out = gr.group_shares(frame)
    models = out[out["repo_type"] == "model"]
    assert models["license_group"].tolist() == ["permissive", "other", "none"]
    assert models["share"].tolist() == pytest.approx([0.25, 0.25, 0.5])
    summary = gr.group_summary(_frame(0.0), "commits")
    assert summary["group"].tolist() == ["permissive", "restrictive", "none"]
    assert summary["n"].tolist() == [400, 300, 500]


def test_spearman_matrix_pairwise_complete():
    frame = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2, 4, 6, 8, 10], "z": [5, 4, None, 2, 1]})
    out = gr.spearman_matrix(frame, ["x", "y", "z"]).set_index(["var_a", "var_b"])
    assert out.loc[("x", "y"), "rho"] == pytest.approx(1.0)
    assert out.loc[("x", "z"), "rho"] == pytest.approx(-1.0)
    assert out.loc[("x", "z"), "n"] == 4
    assert out.loc[("z", "z"), "rho"] == 1.0
    assert len(out) == 9


def test_group_quantiles():
    frame = pd.DataFrame({"repo_type": "model", "license_group": ["none"] * 5 + ["permissive"] * 2,
                          "likes": [0, 0, 1, 2, 100, 3, 3]})
    out = gr.group_quantiles(frame, ["likes"])
    assert out["group"].tolist() == ["permissive", "none"]
    none = out.iloc[1]
    assert none["median"] == 1 and none["share_zero"] == pytest.approx(0.4) and none["n"] == 5


# --------------------------------------------------------------------------- count-table rank tests


def _tied_samples():
    rng = np.random.default_rng(3)
    return {"permissive": rng.poisson(2.0, 400), "restrictive": rng.poisson(2.4, 300),
            "other": rng.poisson(2.0, 120), "none": rng.poisson(1.9, 500)}


def test_kruskal_counts_match_scipy_with_ties():
    samples = _tied_samples()
    _, _, counts = gr.count_table(samples)
    ours = gr.kruskal_counts(counts)
    ref = stats.kruskal(*samples.values())
    assert ours["H"] == pytest.approx(ref.statistic, rel=1e-10)
    assert ours["p"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert ours["log10_p"] == pytest.approx(np.log10(ref.pvalue), rel=1e-8)
    assert ours["df"] == 3 and ours["n"] == 1320


def test_dunn_counts_match_scikit_posthocs():
    import scikit_posthocs as sp

    samples = _tied_samples()
    names, _, counts = gr.count_table(samples)
    ours = gr.dunn_counts(counts, names)
    long = pd.DataFrame({"v": np.concatenate(list(samples.values())),
                         "g": np.repeat(list(samples), [len(v) for v in samples.values()])})
    ref = sp.posthoc_dunn(long, val_col="v", group_col="g", p_adjust="holm")
    for row in ours.itertuples():
        assert row.p_holm == pytest.approx(ref.loc[row.group_a, row.group_b], rel=1e-8)
    restrictive_first = ours[(ours.group_a == "permissive") & (ours.group_b == "restrictive")].iloc[0]
    assert restrictive_first.z < 0  # restrictive has the higher mean rank


def test_superiority_counts_equal_mann_whitney():
    samples = _tied_samples()
    names, _, counts = gr.count_table(samples)
    a, b = samples["restrictive"], samples["permissive"]
    u = stats.mannwhitneyu(a, b).statistic
    assert gr.superiority_counts(counts[names.index("restrictive")], counts[names.index("permissive")]) == \
        pytest.approx(u / (a.size * b.size))


def test_underflowing_p_values_are_not_zero():
    samples = {"a": np.arange(5000.0), "b": np.arange(5000.0) + 10_000}
    _, _, counts = gr.count_table(samples)
    test = gr.kruskal_counts(counts)
    assert test["p"] == 0.0 and test["log10_p"] < -300  # the float underflows, its logarithm does not
    pairs = gr.dunn_counts(counts, ["a", "b"])
    assert pairs.loc[0, "log10_p_holm"] < -300
    assert gr.format_p(test["p"], test["log10_p"]) == "< 1e-300"
    assert gr.format_p(0.0) == "< 1e-300"
    assert gr.format_p(0.0342) == "0.034" and gr.format_p(2.1e-12) == "2.1e-12" and gr.format_p(0.5) == "0.5"


def test_rank_tests_give_directions_and_intervals_that_cover_the_truth():
    # two Poisson groups: P(X > Y) + P(X = Y)/2 computed exactly
    lam_x, lam_y = 3.0, 2.5
    k = np.arange(60)
    px, py = stats.poisson.pmf(k, lam_x), stats.poisson.pmf(k, lam_y)
    truth = float(np.sum(px * (np.cumsum(py) - py + 0.5 * py)))
    rng = np.random.default_rng(11)
    test, pairs = gr.rank_tests({"y": rng.poisson(lam_y, 3000), "x": rng.poisson(lam_x, 3000)}, n_boot=400, seed=1)
    row = pairs.iloc[0]
    assert (row.group_a, row.group_b) == ("y", "x")
    assert row.higher == "x" and row.a_superiority < 0.5  # the direction is stated, not implied
    assert row.a_low <= 1 - truth <= row.a_high and row.ci_excludes_half
    assert test["eps2_low"] <= test["epsilon_squared"] <= test["eps2_high"]
    assert row.effect == gr.effect_label(row.a_superiority) == "small"
    assert [gr.effect_label(a) for a in (0.5, 0.55, 0.6, 0.66, 0.75, 0.3)] == \
        ["negligible", "negligible", "small", "medium", "large", "medium"]
    same = gr.rank_tests({"y": rng.poisson(2, 3000), "x": rng.poisson(2, 3000)}, n_boot=200, seed=1)[1].iloc[0]
    assert same.a_low < 0.5 < same.a_high and not same.ci_excludes_half
