"""Benchmark: all the RQ1 chapter's fits, and plain ``powerlaw.Fit`` against this package's fit.

Target: all fits the RQ1 chapter runs (``activity.rq1_fits``) take <= 4 min.
Also compared in this one run (issue 5): plain ``powerlaw.Fit(downloads,
discrete=True)`` on the July 2024 model downloads against ``fitting.fit_power_law``
(same xmin, alpha within 0.5%; the ratio of their times). The machine is shared:
compare the ratio, not the seconds. ``--smoke``: the same code paths on a small
snapshot collected from the fake Hub (plain ``powerlaw.Fit`` included).

Data come from ``hubcommunity.tables.load_tables()`` (the snapshots under
``data/snapshots/``, e.g. linked with ``hubcommunity link-reference``).

Run: ``.venv/bin/python benchmarks/bench_fits.py [--smoke] [--out DIR]``
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import harness


def tables_for(smoke: bool, tmp: Path):
    from hubcommunity.tables import load_tables

    if smoke:
        from hubcommunity.fakehub.testing import collected_snapshot

        return load_tables([collected_snapshot(tmp, seed=4, n_models=150, n_datasets=20, n_spaces=20)])
    return load_tables()


def run(smoke: bool) -> dict:
    import powerlaw

    from hubcommunity.analysis import activity, bots, fitting

    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        tables = tables_for(smoke, Path(tmp))
        figures["load_tables_seconds"] = round(time.perf_counter() - t0, 2)
    models = tables.repos[tables.repos["repo_type"] == "model"]
    downloads = models["downloads"].dropna().to_numpy(dtype="float64")
    figures["model_downloads"] = int(downloads.size)

    t0 = time.perf_counter()
    fast = fitting.fit_power_law(downloads)
    t_fast = time.perf_counter() - t0
    figures.update({"fit_power_law_seconds": round(t_fast, 3), "fast_xmin": float(fast.xmin),
                    "fast_alpha": round(float(fast.alpha), 6)})

    activity_frame = activity.repo_activity(tables)
    per_model = activity.discussions_per_model(tables, bots=bots.bot_accounts())
    t0 = time.perf_counter()
    table = activity.rq1_fits(activity_frame, per_model)
    figures["all_fits_seconds"] = round(time.perf_counter() - t0, 2)
    figures["fitted_variables"] = int(table["alpha"].notna().sum())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        plain = powerlaw.Fit(downloads, discrete=True, verbose=0)
        t_plain = time.perf_counter() - t0
    figures.update({"plain_powerlaw_seconds": round(t_plain, 2), "plain_xmin": float(plain.xmin),
                    "plain_alpha": round(float(plain.alpha), 6),
                    "same_xmin": bool(fast.xmin == plain.xmin),
                    "alpha_relative_difference": float(abs(fast.alpha - plain.alpha) / plain.alpha),
                    "all_fits_over_plain": round(figures["all_fits_seconds"] / t_plain, 4)})
    return figures


if __name__ == "__main__":
    raise SystemExit(harness.main("fits", run, targets=[
        harness.Target("all_fits_seconds", "<=", 240, "all RQ1 fits (s)"),
        harness.Target("alpha_relative_difference", "<", 5e-3,
                       "fit_power_law vs. plain powerlaw.Fit: relative difference of alpha"),
    ]))
