"""The benchmarks' latest figures, from ``benchmarks/latest/summary.json``, for the book and the README.

``make bench`` runs every benchmark in full (``benchmarks/suite.py``) and
refreshes ``benchmarks/latest/summary.json`` (committed, since ``_build/`` is
not and CI runs the benchmarks in smoke mode only). The reproducibility
appendix quotes speed and memory from that file, never from prose, saying
when, on which machine and at which revision they were measured.

- :func:`load_summary`: the summary, checked (clear errors naming the file).
- :func:`targets_table`: one row per target: benchmark, figure, measured, target, met.
- :func:`figure`: one benchmark's figure.
- :func:`measured_on`: date, machine, revision and load of the run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths

__all__ = ["SummaryError", "figure", "load_summary", "measured_on", "summary_path", "targets_table"]


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
    """``date`` (of the summary), ``machine`` (platform, CPUs), ``revision``, ``load`` (highest load seen)."""
    m = summary["machine"]
    loads = [x for row in summary["benchmarks"] for k in ("before", "after")
             for x in ((row.get("load_average") or {}).get(k) or [])[:1]]
    return {"date": str(summary["generated"])[:10],
            "machine": f"{m.get('machine', '')} Linux, {m.get('cpus')} CPUs, Python {m.get('python')}",
            "revision": str(summary.get("revision") or "unknown"),
            "load": f"{max(loads):.1f}" if loads else "unknown"}
