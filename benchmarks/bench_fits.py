"""Benchmark: every power-law fit of the RQ1 chapter with its goodness-of-fit test, beside plain ``powerlaw``.

Target (issue 16): all RQ1 fits with their goodness-of-fit tests (``activity.rq1_fits`` with the
chapter's settings, ``activity_report.RQ1_ALPHA_RANGE`` and ``RQ1_GOF``) take <= 240 s on the
2-core build machine. Beside it, for one variable (model likes), the same goodness-of-fit test
done with plain ``powerlaw``: ``powerlaw.Fit`` on the data and on synthetic data sets, timed on
a few synthetic sets and scaled to the number of sets this package's test used (plain
``powerlaw`` on all of them would take hours). Also checks that the fast fit of model downloads
finds ``powerlaw.Fit``'s xmin and alpha (the slow reference fit is skipped with
``--skip-plain-downloads``). Run (the machine is shared: compare ratios within one run)::

    /work/heavy .venv/bin/python benchmarks/bench_fits.py [--smoke] [--skip-plain-downloads]

``--smoke`` runs the same code paths on small samples from known distributions (no snapshots
needed) in a few seconds. Data of the full run come from ``hubcommunity.tables.load_tables()``
(the snapshots under ``data/snapshots/``).
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd

import harness

PLAIN_SETS = 3  # synthetic sets timed with plain powerlaw (each a full powerlaw.Fit)


def _plain_powerlaw_gof(values, fit, sets: int, seed: int, alpha_range) -> tuple[float, np.ndarray]:
    """Seconds per synthetic set of the goodness-of-fit test done with plain ``powerlaw.Fit``,
    and the synthetic D it finds (the same synthetic sets as this package's test)."""
    import powerlaw

    from hubcommunity.analysis import fitting

    x = np.asarray(values, dtype="float64")
    body = x[(x > 0) & (x < fit.xmin)]
    distances = []
    t0 = time.perf_counter()
    for i in range(sets):
        uniq, counts = fitting.synthetic_data(fit, body, np.random.default_rng([seed, i]))
        data = np.repeat(uniq, counts.astype(int))
        with warnings.catch_warnings():  # powerlaw warns for every xmin candidate near a bound
            warnings.simplefilter("ignore")
            ref = powerlaw.Fit(data, discrete=True, verbose=0, parameter_ranges={"alpha": list(alpha_range)})
        distances.append(float(ref.D))
    return (time.perf_counter() - t0) / sets, np.asarray(distances)


def _smoke_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small activity frame and per-model frame drawn from known distributions."""
    from hubcommunity.analysis import activity, fitting

    rng = np.random.default_rng(7)
    n = 3000
    frame = pd.DataFrame({"repo_type": ["model"] * n})
    frame["likes"] = fitting.sample_discrete_power_law(2.2, 1, n, rng) * (rng.random(n) < 0.3)
    frame["downloads"] = np.round(rng.lognormal(2.0, 1.5, n)).astype(int)
    for var in activity.ACTIVITY_VARIABLES:
        if var not in frame:
            frame[var] = pd.array([pd.NA] * n, dtype="Int64")
    per_model = pd.DataFrame({v: fitting.sample_discrete_power_law(2.5, 1, 500, rng) - 1
                              for v in activity.DISCUSSION_FIT_VARIABLES})
    return frame, per_model


def run(smoke: bool) -> dict:
    from hubcommunity.analysis import activity, fitting
    from hubcommunity.analysis import activity_report as ar

    gof = dict(ar.RQ1_GOF, max_replicates=19 if smoke else ar.RQ1_GOF["max_replicates"])
    figures: dict = {}
    t0 = time.perf_counter()
    if smoke:
        frame, per_model = _smoke_data()
        compare = frame["likes"].to_numpy(dtype="float64")
    else:
        from hubcommunity.tables import load_tables

        tables = load_tables()
        frame = activity.repo_activity(tables)
        bots, _ = ar.bot_list()
        per_model = activity.discussions_per_model(tables, bots=bots)
        compare = frame.loc[frame["repo_type"] == "model", "likes"].dropna().to_numpy(dtype="float64")
    figures["load_seconds"] = round(time.perf_counter() - t0, 2)

    t0, c0 = time.perf_counter(), time.process_time()
    fits = activity.rq1_fits(frame, per_model, alpha_range=ar.RQ1_ALPHA_RANGE, gof=gof)
    figures["all_fits_seconds"] = round(time.perf_counter() - t0, 1)
    figures["all_fits_cpu_seconds"] = round(time.process_time() - c0, 1)
    fitted = fits[fits["alpha"].notna()]
    figures["variables_fitted"] = int(len(fitted))
    figures["synthetic_sets_total"] = int(fitted["gof_replicates"].sum())
    for row in fitted.itertuples():
        name = f"{row.repo_type} {row.variable}".replace(" (discussions capture)", "")
        figures[f"sets: {name}"] = f"{int(row.gof_replicates)} (p = {row.p_gof:.3f}, {row.support})"

    # one variable, the same test with plain powerlaw (a few sets, scaled)
    fit = fitting.fit_power_law(compare, alpha_range=ar.RQ1_ALPHA_RANGE)
    t0 = time.perf_counter()
    ours = fitting.goodness_of_fit(compare, fit, **gof)
    ours_seconds = time.perf_counter() - t0
    sets = 2 if smoke else PLAIN_SETS
    per_set, plain_d = _plain_powerlaw_gof(compare, fit, sets, gof["seed"], ar.RQ1_ALPHA_RANGE)
    figures["compare_variable"] = "likes (smoke sample)" if smoke else "model likes"
    figures["compare_sets"] = ours.replicates
    figures["compare_gof_seconds"] = round(ours_seconds, 2)
    figures["compare_plain_powerlaw_seconds_per_set"] = round(per_set, 2)
    figures["compare_plain_powerlaw_seconds_estimated"] = round(per_set * ours.replicates, 1)
    figures["compare_speedup"] = round(per_set * ours.replicates / ours_seconds, 1)
    figures["compare_same_synthetic_D"] = bool(np.allclose(ours.D_synthetic[:sets], plain_d, atol=1e-4))

    if not smoke and "--skip-plain-downloads" not in sys.argv:
        import powerlaw

        downloads = frame.loc[frame["repo_type"] == "model", "downloads"].dropna().to_numpy(dtype="float64")
        t0 = time.perf_counter()
        fast = fitting.fit_power_law(downloads)
        t_fast = time.perf_counter() - t0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            plain = powerlaw.Fit(downloads, discrete=True, verbose=0)
            t_plain = time.perf_counter() - t0
        figures["downloads_fit_seconds"] = round(t_fast, 2)
        figures["downloads_plain_powerlaw_seconds"] = round(t_plain, 1)
        figures["downloads_same_xmin"] = bool(fast.xmin == plain.xmin)
        figures["downloads_alpha_rel_diff"] = float(f"{abs(fast.alpha - plain.alpha) / plain.alpha:.2e}")
    return figures


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--skip-plain-downloads"]
    raise SystemExit(harness.main("fits", run, argv=argv, targets=[
        harness.Target("all_fits_seconds", "<=", 240, "all RQ1 fits with their goodness-of-fit tests, seconds"),
    ]))
