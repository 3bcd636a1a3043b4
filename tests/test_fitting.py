"""Power-law fitting: recovers known parameters, picks the generating family,
and agrees with plain ``powerlaw.Fit``."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import zeta

from hubcommunity.analysis import fitting as ft


def _powerlaw_fit(values, **kwargs):
    import powerlaw

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return powerlaw.Fit(values, discrete=True, verbose=0, **kwargs)


def test_sampler_matches_the_discrete_power_law():
    rng = np.random.default_rng(0)
    x = ft.sample_discrete_power_law(2.5, 3, 50_000, rng)
    assert x.min() == 3
    expected = np.array([k ** -2.5 / zeta(2.5, 3) for k in (3, 4, 5)])
    observed = np.array([(x == k).mean() for k in (3, 4, 5)])
    assert np.all(np.abs(observed - expected) < 4 * np.sqrt(expected / x.size))


@pytest.mark.parametrize("alpha,xmin", [(2.5, 1), (2.2, 20)])
def test_fit_recovers_alpha_and_xmin(alpha, xmin):
    rng = np.random.default_rng(42)
    tail = ft.sample_discrete_power_law(alpha, xmin, 5000, rng)
    body = rng.integers(1, xmin, size=2000) if xmin > 1 else np.array([], dtype=int)
    zeros = np.zeros(3000, dtype=int)  # zeros are dropped, not fitted
    fit = ft.fit_power_law(np.concatenate([zeros, body, tail]))
    assert fit.valid
    assert fit.n_positive == tail.size + body.size
    assert abs(fit.alpha - alpha) < 4 * fit.sigma + 0.02
    # xmin "roughly": within a factor of two of the truth
    assert xmin / 2 <= fit.xmin <= 2 * xmin


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_xmin_and_alpha_as_plain_powerlaw_fit(seed):
    rng = np.random.default_rng(seed)
    # a realistic shape: many small counts, a lognormal body, a heavy tail
    x = np.concatenate(
        [
            np.zeros(1500, dtype=int),
            np.round(rng.lognormal(1.5, 1.2, 1500)).astype(int),
            ft.sample_discrete_power_law(1.9, 15, 600, rng),
        ]
    )
    ours, scan = ft.scan_xmin(x)
    ref = _powerlaw_fit(x)
    assert ours.xmin == ref.xmin
    assert ours.alpha == pytest.approx(ref.alpha, rel=5e-3)
    assert ours.n_tail == ref.n_tail
    assert ours.D == pytest.approx(ref.D, abs=1e-4)
    # the whole scan agrees where it was computed exactly
    plain = ref.xmin_fitting_results
    assert np.array_equal(scan["xmin"].to_numpy(), plain["xmins"])
    assert np.array_equal(scan["valid"].to_numpy(), plain["valid_fits"])
    assert scan["alpha"].to_numpy() == pytest.approx(plain["alphas"], rel=1e-3)
    done = scan["D"].notna().to_numpy()
    assert scan["D"].to_numpy()[done] == pytest.approx(plain["distances"][done], abs=1e-4)
    assert (scan["D_lower"].to_numpy() <= plain["distances"] + 1e-4).all()


def test_truncated_power_law_matches_powerlaw():
    rng = np.random.default_rng(7)
    x = ft.sample_discrete_power_law(1.8, 5, 800, rng)
    x = x[rng.random(x.size) < np.exp(-x / 500.0)]  # exponential cut-off
    fit = ft.fit_power_law(x)
    ours = ft.fit_truncated_power_law(fit)
    ref = _powerlaw_fit(fit.tail, xmin=fit.xmin)
    tpl = ref.truncated_power_law
    assert ours["loglikelihoods"].sum() == pytest.approx(tpl.loglikelihoods(ref.data).sum(), abs=1e-2)
    R_ours = ft.compare_alternatives(fit, ["truncated_power_law"])["R"].iloc[0]
    R_ref, _ = ref.distribution_compare("power_law", "truncated_power_law")
    assert R_ours == pytest.approx(R_ref, abs=1e-2)


def test_comparison_picks_the_generating_family():
    rng = np.random.default_rng(11)
    pl = ft.fit_variable(ft.sample_discrete_power_law(2.3, 1, 20_000, rng))
    assert pl["R_exponential"] > 0 and pl["p_exponential"] < 0.1
    assert not (pl["R_lognormal"] < 0 and pl["p_lognormal"] < 0.1)
    assert pl["verdict"].startswith("heavy-tailed")
    assert "better than a power law" not in pl["verdict"]

    logn = ft.fit_variable(np.round(rng.lognormal(3.0, 1.0, 20_000)).astype(int) + 1)
    assert logn["R_lognormal"] < 0 and logn["p_lognormal"] < 0.1
    assert "lognormal" in logn["verdict"].split(" fit")[0]

    expo = ft.fit_variable(rng.geometric(0.02, 20_000))
    assert expo["R_exponential"] < 0 and expo["p_exponential"] < 0.1
    assert not expo["verdict"].startswith("heavy-tailed")


def test_verdict_wording():
    rows = pd.DataFrame(
        {"alternative": ["lognormal", "exponential"], "R": [-5.0, 40.0], "p": [0.01, 0.001]}
    )
    assert ft.verdict(rows) == "heavy-tailed; lognormal fits better than a power law; power law favoured over exponential"
    rows = pd.DataFrame({"alternative": ["lognormal", "exponential"], "R": [0.5, 40.0], "p": [0.6, 0.001]})
    assert ft.verdict(rows) == "heavy-tailed; power law favoured over exponential; inconclusive against lognormal"
    rows = pd.DataFrame({"alternative": ["lognormal"], "R": [3.0], "p": [0.01]})
    assert ft.verdict(rows) == "power law not rejected against lognormal (power law favoured)"


def test_fit_table_marks_unfittable_variables_and_rejects_non_integers():
    frame = pd.DataFrame({"g": ["a"] * 6, "few": [0, 1, 1, 2, 2, 0], "ok": [1, 2, 3, 4, 5, 6]})
    out = ft.fit_table(frame, ["few"], by="g")
    assert out["verdict"].tolist() == ["too few distinct values to fit"]
    with pytest.raises(ValueError, match="integer"):
        ft.fit_power_law([1.5, 2, 3, 4, 5])


@pytest.mark.slow
def test_same_fit_as_plain_powerlaw_on_real_model_likes():
    """On the July 2024 model likes (reference capture): same xmin and alpha as powerlaw.Fit."""
    from hubcommunity.tables import load_tables

    try:
        tables = load_tables()
    except Exception as exc:  # no snapshots linked on this machine
        pytest.skip(f"no reference snapshots: {exc}")
    likes = tables.repos.loc[tables.repos["repo_type"] == "model", "likes"].dropna().to_numpy(dtype=float)
    if likes.size == 0:
        pytest.skip("no model listing in the snapshots")
    ours = ft.fit_power_law(likes)
    ref = _powerlaw_fit(likes)
    assert ours.xmin == ref.xmin
    assert ours.alpha == pytest.approx(ref.alpha, rel=5e-3)
