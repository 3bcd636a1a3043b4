"""The benchmarks' latest figures, from ``benchmarks/latest/summary.json``, for the book and the README.

``make bench`` runs every benchmark in full (``benchmarks/suite.py``) and
refreshes ``benchmarks/latest/summary.json`` (committed, since ``_build/`` is
not and CI runs the benchmarks in smoke mode only). The reproducibility
appendix quotes speed and memory from that file, never from prose, saying
when, on which machine and at which revision they were measured.

- :func:`load_summary`: the summary, checked (clear errors naming the file).
- :func:`targets_table`: one row per target: benchmark, figure, measured, target, met.
- :func:`figure`: one benchmark's figure.
- :func:`quoted_figures`: the figures the appendix quotes (:data:`QUOTED`), ready for ``res.number``.
- :func:`measured_on`: date, machine, revision and load of the run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths

__all__ = ["QUOTED", "SummaryError", "figure", "load_summary", "measured_on", "quoted_figures", "summary_path",
           "targets_table"]

#: The figures the reproducibility appendix quotes: (benchmark, figure) -> (glue key, unit, format, description).
QUOTED = {
    ("build", "cold_seconds"): ("bench_book_cold", "s", "{:,.0f}", "Whole book, cold build"),
    ("build", "warm_seconds"): ("bench_book_warm", "s", "{:,.1f}", "Whole book, warm build"),
    ("tables", "cold_seconds"): ("bench_tables_cold", "s", "{:,.0f}", "Tidy tables, cold build"),
    ("tables", "warm_seconds"): ("bench_tables_warm", "s", "{:,.2f}", "Tidy tables, warm load"),
    ("fits", "all_fits_seconds"): ("bench_fits", "s", "{:,.0f}", "All RQ1 fits"),
    ("collect", "rate_share"): ("bench_rate_share", "share", "{:.1%}", "Collector: share of the allowed rate"),
    ("collect", "heavy_wall_over_ideal"): ("bench_heavy_ratio", "ratio", "{:.2f}",
                                           "Collector, 3,000-thread repository: wall time over requests/rate"),
    ("incremental", "collector_peak_rss_mb"): ("bench_incremental_mb", "MB", "{:,.0f}",
                                               "Incremental collection, 1 million earlier threads: peak memory"),
    ("incremental", "in_memory_extrapolated_mb"): ("bench_in_memory_mb", "MB", "{:,.0f}",
                                                   "Holding those threads in memory instead (extrapolated)"),
}


class SummaryError(ValueError):
    """The benchmark summary is missing or not what ``benchmarks/suite.py`` writes."""


def summary_path() -> Path:
    """``benchmarks/latest/summary.json`` of the project."""
    return paths.project_root() / "benchmarks" / "latest" / "summary.json"


def load_summary(path: str | Path | None = None) -> dict[str, Any]:
    """Read a full-run summary (default :func:`summary_path`).

    Raises:
        SummaryError: the file is missing, not JSON, a smoke run's, or lacks
            ``benchmarks``/``machine``/``generated`` (the message names the file and how to refresh it).
    """
    path = Path(path) if path is not None else summary_path()
    how = "run `make bench` to measure and write it"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SummaryError(f"{path}: no benchmark summary; {how}") from None
    except ValueError as exc:
        raise SummaryError(f"{path}: not valid JSON ({exc}); {how}") from None
    missing = [k for k in ("generated", "machine", "benchmarks", "targets") if k not in summary]
    if missing:
        raise SummaryError(f"{path}: lacks {', '.join(missing)}; {how}")
    if summary.get("smoke"):
        raise SummaryError(f"{path}: a smoke run's summary (small inputs, no verdicts); {how}")
    return summary


def figure(summary: dict[str, Any], benchmark: str, name: str) -> Any:
    """The figure ``name`` of ``benchmark`` in ``summary``.

    Raises:
        SummaryError: no such benchmark or figure.
    """
    for row in summary["benchmarks"]:
        if row["benchmark"] == benchmark:
            figures = row.get("figures") or {}
            if name not in figures:
                raise SummaryError(f"benchmark {benchmark!r} has no figure {name!r} (has {sorted(figures)})")
            return figures[name]
    raise SummaryError(f"no benchmark {benchmark!r} in the summary")


def quoted_figures(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The :data:`QUOTED` figures of ``summary`` as keyword arguments of ``ChapterResults.number``
    (``key``, ``value``, ``unit``, ``fmt``, ``description``). Raises :class:`SummaryError` if one is missing."""
    return [{"key": key, "value": figure(summary, name, fig), "unit": unit, "fmt": fmt, "description": description}
            for (name, fig), (key, unit, fmt, description) in QUOTED.items()]


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return str(value)


def targets_table(summary: dict[str, Any]) -> pd.DataFrame:
    """One row per target: ``benchmark``, ``description``, ``measured``, ``target``, ``met``, ``started``.

    ``measured`` and ``target`` are display text (the units are in the
    description); ``met`` is ``yes``/``no``/``not measured``.
    """
    started = {row["benchmark"]: row.get("started") for row in summary["benchmarks"]}
    rows = []
    for t in summary["targets"]:
        met = {True: "yes", False: "no", None: "not measured"}[t.get("passed")]
        rows.append({"benchmark": t["benchmark"], "description": t.get("description") or t["figure"],
                     "figure": t["figure"], "measured": _number_text(t.get("measured")),
                     "target": f"{t['op']} {_number_text(t['value'])}", "met": met,
                     "started": started.get(t["benchmark"])})
    return pd.DataFrame(rows, columns=["benchmark", "description", "figure", "measured", "target", "met", "started"])


def measured_on(summary: dict[str, Any]) -> dict[str, str]:
    """``date`` (of the summary), ``machine`` (platform, CPUs), ``revision`` (each benchmark's, distinct,
    comma-separated: one when the run was at one commit), ``load`` (highest 1-minute load average seen)."""
    m = summary["machine"]
    loads = [x for row in summary["benchmarks"] for k in ("before", "after")
             for x in ((row.get("load_average") or {}).get(k) or [])[:1]]
    revisions = sorted({str(row.get("revision")) for row in summary["benchmarks"] if row.get("revision")})
    return {"date": str(summary["generated"])[:10],
            "machine": f"{m.get('machine', '')} Linux, {m.get('cpus')} CPUs, Python {m.get('python')}",
            "revision": ", ".join(revisions) or str(summary.get("revision") or "unknown"),
            "load": f"{max(loads):.1f}" if loads else "unknown"}
