"""Benchmark: plain ``powerlaw.Fit`` vs. this package's fit, and all the RQ1 chapter's fits.

Target (issue 5): all fits the RQ1 chapter runs together take <= 10% of the
time plain ``powerlaw.Fit(downloads, discrete=True)`` takes on the July 2024
model downloads, with the same xmin and alpha within 0.5%. Both are timed in
this one run (the machine is shared, so compare the ratio, not the seconds).
Run:

    .venv/bin/python benchmarks/bench_fits.py [--skip-plain]

Data come from ``hubcommunity.tables.load_tables()`` (the snapshots under
``data/snapshots/``, e.g. linked with ``hubcommunity link-reference``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-plain", action="store_true", help="do not run plain powerlaw.Fit (minutes)")
    args = ap.parse_args()

    import pandas as pd
    import powerlaw
    import scipy

    from hubcommunity import __version__
    from hubcommunity.analysis import activity, fitting
    from hubcommunity.tables import load_tables

    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"pandas {pd.__version__}, powerlaw {powerlaw.__version__}, hubcommunity {__version__}")

    t0 = time.perf_counter()
    tables = load_tables()
    print(f"load_tables: {time.perf_counter() - t0:.1f} s")
    models = tables.repos[tables.repos["repo_type"] == "model"]
    downloads = models["downloads"].dropna().to_numpy(dtype="float64")
    print(f"model downloads: {downloads.size:,} values, {(downloads > 0).sum():,} non-zero "
          f"({(downloads > 0).mean():.1%}), {np.unique(downloads[downloads > 0]).size:,} distinct positive")

    t0 = time.perf_counter()
    fast = fitting.fit_power_law(downloads)
    t_fast = time.perf_counter() - t0
    print(f"fast fit_power_law:  {t_fast:8.3f} s  xmin={fast.xmin:g} alpha={fast.alpha:.6f} "
          f"n_tail={fast.n_tail} D={fast.D:.6f} (exact D for {fast.n_exact} of {fast.n_candidates} candidates)")

    activity_frame = activity.repo_activity(tables)
    per_model = activity.discussions_per_model(tables, bots=activity.load_bots() or {"SFconvertbot", "librarian-bot"})
    t0 = time.perf_counter()
    table = activity.rq1_fits(activity_frame, per_model)
    t_all = time.perf_counter() - t0
    fitted = table["alpha"].notna().sum()
    print(f"all RQ1 chapter fits (activity.rq1_fits: {fitted} fitted variables x "
          f"{len(fitting.ALTERNATIVES)} comparisons): {t_all:.3f} s")

    if args.skip_plain:
        return 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        plain = powerlaw.Fit(downloads, discrete=True, verbose=0)
        t_plain = time.perf_counter() - t0
    print(f"plain powerlaw.Fit:  {t_plain:8.3f} s  xmin={plain.xmin:g} alpha={plain.alpha:.6f} "
          f"n_tail={int(plain.n_tail)} D={plain.D:.6f}")
    rel = abs(fast.alpha - plain.alpha) / plain.alpha
    same_xmin = fast.xmin == plain.xmin
    print(f"same xmin: {same_xmin}; alpha relative difference: {rel:.2e} (target < 5e-3)")
    print(f"ratio single fit / plain: {t_fast / t_plain:.2%}")
    print(f"ratio all chapter fits / plain: {t_all / t_plain:.2%} (target <= 10%)")
    ok = same_xmin and rel < 5e-3 and t_all <= 0.10 * t_plain
    print("TARGET MET" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
