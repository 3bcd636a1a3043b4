"""Time the chapter on the Hub over time: its analysis steps, its bootstrap, and the whole chapter.

    .venv/bin/python benchmarks/bench_history.py [--smoke] [--out DIR]

Full run (needs the reference snapshots linked, ``hubcommunity link-reference``, and their
tables built once, so that loading is warm): loads the default and the history tables, then
times each step ``book/history.md`` runs (stacking the listings, concentration with 1,000
bootstrap replicates per listing, curves, transitions and the paper comparison, panels,
retention, decomposition), compares the multinomial bootstrap with resampling rows for the
largest listing (seconds per replicate, measured on a few replicates), and executes the
chapter's notebook end to end with ``jupytext --execute`` (``chapter_seconds``, target: under a
minute). Smoke run: the same analysis steps on generated listings of a few thousand
repositories, and a one-cell notebook through the same ``jupytext --execute`` call.

The machine is shared: compare ratios within one run, not seconds across runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from hubcommunity.analysis import distributions as dist  # noqa: E402
from hubcommunity.analysis import history as hi  # noqa: E402
from hubcommunity.analysis import history_report as hr  # noqa: E402
from hubcommunity.paper import load_paper_claims  # noqa: E402


def _timed(figures: dict, name: str, fn):
    """Run ``fn``, store its seconds under ``<name>_seconds``, return its result."""
    t0 = time.perf_counter()
    out = fn()
    figures[f"{name}_seconds"] = round(time.perf_counter() - t0, 3)
    return out


def _generated_repos(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three model listings and two dataset listings of a few thousand repositories each."""
    rng = np.random.default_rng(seed)
    parts_hist, parts_cur = [], []
    ids = np.array([f"o{i % 97}/m{i}" for i in range(12_000)], dtype=object)
    for snap, date, lo, hi_, kind in (("h1", "2022-07-02", 0, 3000, "model"), ("h2", "2022-10-01", 200, 4500, "model"),
                                      ("cur", "2024-07-11", 400, 12_000, "model"),
                                      ("h3", "2023-03-16", 0, 2000, "dataset"), ("cur", "2024-07-09", 100, 6000, "dataset")):
        n = hi_ - lo
        downloads = np.where(rng.random(n) < 0.45, 0, np.floor(rng.pareto(1.1, n) * 3))
        frame = pd.DataFrame({
            "repo_type": kind, "snapshot": snap, "captured_at": pd.Timestamp(date, tz="UTC"), "repo_id": ids[lo:hi_],
            "downloads": pd.array(downloads.astype("int64"), dtype="Int64"),
            "created_at": pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(np.arange(n) % 900, unit="D")})
        (parts_cur if snap == "cur" else parts_hist).append(frame)
    return pd.concat(parts_hist, ignore_index=True), pd.concat(parts_cur, ignore_index=True)


def _analysis(figures: dict, history_repos: pd.DataFrame, current_repos: pd.DataFrame, n_boot: int) -> hr.Listings:
    """Time every analysis step of the chapter (``analysis_seconds``: their sum); returns the listings."""
    before = set(figures)
    listings = _timed(figures, "stack_listings", lambda: hr.stack_listings(history_repos, current_repos))
    summary, intervals = _timed(figures, "concentration_bootstrap",
                                lambda: hr.concentration_table(listings, n_boot=n_boot))
    _timed(figures, "curves", lambda: hr.curves(listings))
    paper = hr.paper_points(load_paper_claims())
    _, by_pair = _timed(figures, "transitions", lambda: hr.transitions_table(listings))
    _timed(figures, "paper_comparison", lambda: hr.paper_comparison(summary, paper, listings, by_pair))
    _timed(figures, "panel", lambda: hr.panel_table(listings))
    _timed(figures, "retention", lambda: hr.retention_frame(listings))
    _timed(figures, "decomposition", lambda: hr.decomposition_table(listings))
    steps = [k for k in figures if k.endswith("_seconds") and k not in before]
    figures["analysis_seconds"] = round(sum(figures[k] for k in steps), 3)
    return listings


def _bootstrap_ratio(figures: dict, values: np.ndarray, replicates: int = 3) -> None:
    """Seconds per replicate: multinomial over distinct values vs resampling and sorting rows."""
    x = values[~np.isnan(values)]
    t0 = time.perf_counter()
    hi.bootstrap_concentration(x, n_boot=100, seed=0)
    per_multinomial = (time.perf_counter() - t0) / 100
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(replicates):
        s = rng.choice(x, size=x.size, replace=True)
        dist.top_share(s, 0.01), dist.gini(s)
    per_rows = (time.perf_counter() - t0) / replicates
    figures["bootstrap_ms_per_replicate"] = round(1000 * per_multinomial, 3)
    figures["row_resampling_ms_per_replicate"] = round(1000 * per_rows, 3)
    figures["bootstrap_speedup"] = round(per_rows / per_multinomial, 1)
    figures["bootstrap_n"] = int(x.size)


SMOKE_NOTEBOOK = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {name: python3, display_name: Python 3}
---

```{code-cell} ipython3
from hubcommunity.analysis import history_report as hr
assert hr.N_BOOT > 0
```
"""


def _chapter(figures: dict, notebook: Path | None = None) -> None:
    """Execute ``notebook`` (default: book/history.md, warm tables) end to end and time it.

    The smoke run passes a one-cell notebook, so the same ``jupytext --execute`` path runs in CI.
    """
    notebook = notebook or ROOT / "book" / "history.md"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HUBCOMMUNITY_GENERATED_DIR": tmp,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "jupytext", "--to", "ipynb", "--execute", str(notebook),
                        "-o", str(Path(tmp) / "history.ipynb")], check=True, env=env, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        figures["chapter_seconds"] = round(time.perf_counter() - t0, 1)


def run(smoke: bool) -> dict:
    figures: dict = {}
    if smoke:
        history_repos, current_repos = _generated_repos()
        listings = _analysis(figures, history_repos, current_repos, n_boot=200)
    else:
        from hubcommunity.tables import load_tables

        current = _timed(figures, "load_tables_default", load_tables)
        history = _timed(figures, "load_tables_history", lambda: load_tables(role="history"))
        if history.repos.empty:
            raise SystemExit("no history snapshots: run `hubcommunity link-reference` first")
        listings = _analysis(figures, history.repos, current.repos, n_boot=hr.N_BOOT)
    figures["listings"] = len(listings.meta)
    figures["repositories"] = int(listings.meta["n"].sum())
    largest = listings.meta.sort_values("n").iloc[-1]["listing"]
    _bootstrap_ratio(figures, listings.downloads[largest].to_numpy(), replicates=2 if smoke else 3)
    if smoke:
        with tempfile.TemporaryDirectory() as tmp:
            notebook = Path(tmp) / "smoke.md"
            notebook.write_text(SMOKE_NOTEBOOK)
            _chapter(figures, notebook)
    else:
        _chapter(figures)
    return figures


if __name__ == "__main__":
    raise SystemExit(harness.main("history", run, targets=[
        harness.Target("chapter_seconds", "<", 60, "book/history.md executes in under a minute with warm tables"),
        harness.Target("analysis_seconds", "<=", 30, "every analysis step of the chapter, together"),
        harness.Target("bootstrap_speedup", ">=", 10, "multinomial bootstrap vs resampling rows, per replicate"),
    ]))
