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
