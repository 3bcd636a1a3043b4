"""The one way every benchmark reports: figures printed, targets checked, a JSON file written.

A benchmark script defines ``run(smoke: bool) -> dict`` (figure name -> number or
short text) and ends with::

    if __name__ == "__main__":
        raise SystemExit(harness.main("fits", run, targets=[
            harness.Target("all_fits_seconds", "<=", 240, "all RQ1 fits with GoF tests, seconds"),
        ]))

``--smoke`` runs the same code paths on small inputs in a few seconds (the test
suite runs every benchmark this way, so a changed API breaks CI, not a reader's
rerun); targets are reported but not judged in smoke mode. ``--out DIR`` (default
``_build/benchmarks``) receives ``<name>.json`` (``<name>.smoke.json`` in smoke mode):
machine, versions, the load average before and after (the machine may be shared),
figures, targets with pass/fail. The exit status is 1 when a full run misses a
target, else 0.

``benchmarks/suite.py`` (``make bench``) runs every ``bench_*.py`` and gathers
their reports with :func:`summarize` into ``summary.json`` and ``summary.md``.
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq,
}


@dataclass(frozen=True)
class Target:
    """A figure's target: ``figure op value`` (e.g. ``cold_seconds <= 60``)."""

    figure: str
    op: str
    value: float
    description: str = ""

    def check(self, figures: dict[str, Any]) -> dict[str, Any]:
        """Return this target as a JSON record with the measured value and ``passed``."""
        measured = figures.get(self.figure)
        passed = None
        if isinstance(measured, (int, float)) and not isinstance(measured, bool):
            passed = bool(_OPS[self.op](measured, self.value))
        return {"figure": self.figure, "op": self.op, "value": self.value,
                "description": self.description, "measured": measured, "passed": passed}


def machine() -> dict[str, Any]:
    """Return the machine and the versions of the main libraries."""
    import importlib.metadata as md

    versions = {}
    for pkg in ("hubcommunity", "numpy", "pandas", "pyarrow", "scipy", "powerlaw", "networkx",
                "huggingface_hub", "jupyter-book"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    return {"platform": platform.platform(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "python": sys.version.split()[0], "versions": versions}


def load_average() -> list[float]:
    """The 1, 5 and 15-minute load averages (runnable processes; compare with ``cpus``)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def git_revision() -> str | None:
    """The checkout's commit (with ``+changes`` if it has uncommitted changes), or None."""
    import subprocess

    try:
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        # benchmarks/latest/ holds the suite's own output, not code: its changes do not count
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)benchmarks/latest"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return rev + ("+changes" if dirty else "")


def main(name: str, run: Callable[[bool], dict[str, Any]], *, targets: list[Target] = (),
         argv: list[str] | None = None) -> int:
    """Parse ``--smoke``/``--out``, call ``run(smoke)``, print and write the report; return the exit code."""
    ap = argparse.ArgumentParser(description=f"benchmark {name}")
    ap.add_argument("--smoke", action="store_true", help="small inputs, same code paths, a few seconds")
    ap.add_argument("--out", default=str(ROOT / "_build" / "benchmarks"), help="directory for the JSON report")
    args = ap.parse_args(argv)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    load_before = load_average()
    t0 = time.perf_counter()
    figures = run(args.smoke)
    seconds = time.perf_counter() - t0
    checks = [t.check(figures) for t in targets]
    full_run_missed = (not args.smoke) and any(c["passed"] is False for c in checks)
    report = {"benchmark": name, "smoke": args.smoke, "started": started, "seconds": round(seconds, 3),
              "machine": machine(), "revision": git_revision(),
              "load_average": {"before": load_before, "after": load_average()},
              "figures": figures, "targets": checks,
              "status": "smoke" if args.smoke else ("missed" if full_run_missed else "met")}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}{'.smoke' if args.smoke else ''}.json"
    path.write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"\n== {name}{' (smoke)' if args.smoke else ''}: {seconds:.1f} s -> {path}")
    for key, value in figures.items():
        print(f"  {key:<40} {value}")
    for c in checks:
        verdict = "n/a (smoke)" if args.smoke else {True: "MET", False: "MISSED", None: "not measured"}[c["passed"]]
        print(f"  target {c['figure']} {c['op']} {c['value']}: measured {c['measured']} -> {verdict}")
    return 1 if full_run_missed else 0


# ----------------------------------------------------------------------------- the suite's summary


def summarize(reports: list[dict[str, Any]], *, failed: dict[str, str] | None = None) -> dict[str, Any]:
    """One summary of several benchmark reports (the JSON :func:`main` writes).

    Args:
        reports: the reports, one per benchmark.
        failed: ``{benchmark: reason}`` for benchmarks that crashed (no report).

    Returns:
        ``{"generated", "machine", "revision", "smoke", "benchmarks": [{"benchmark", "status",
        "started", "seconds", "load_average", "figures", "targets"}], "targets": [every target with
        its benchmark], "status"}``; ``status`` is ``met`` when every benchmark met its targets,
        ``missed`` when one missed a target, ``failed`` when one crashed.
    """
    failed = dict(failed or {})
    rows, targets = [], []
    for r in sorted(reports, key=lambda r: r["benchmark"]):
        rows.append({k: r.get(k) for k in ("benchmark", "status", "started", "seconds", "load_average",
                                           "figures", "targets", "revision")})
        targets += [{"benchmark": r["benchmark"], **t} for t in r.get("targets", [])]
    for name, reason in sorted(failed.items()):
        rows.append({"benchmark": name, "status": "failed", "reason": reason})
    statuses = {row["status"] for row in rows}
    status = "failed" if "failed" in statuses else "missed" if "missed" in statuses else \
        "smoke" if statuses == {"smoke"} else "met"
    first = reports[0] if reports else {}
    return {"generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": first.get("machine") or machine(), "revision": first.get("revision") or git_revision(),
            "smoke": bool(reports) and all(r.get("smoke") for r in reports),
            "benchmarks": rows, "targets": targets, "status": status}


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def summary_markdown(summary: dict[str, Any]) -> str:
    """The summary as a Markdown page: machine, then one table of every target."""
    m = summary["machine"]
    lines = [f"# Benchmarks ({'smoke' if summary['smoke'] else 'full'} run): {summary['status']}", "",
             f"Generated {summary['generated']} at revision {summary['revision']}, on {m['platform']} "
             f"({m['cpus']} CPUs, Python {m['python']}).", "",
             "| benchmark | figure | measured | target | verdict | load before / after |",
             "|---|---|---|---|---|---|"]
    for row in summary["benchmarks"]:
        load = row.get("load_average") or {}
        noise = f"{_cell((load.get('before') or ['?'])[0])} / {_cell((load.get('after') or ['?'])[0])}"
        checks = row.get("targets") or []
        if row["status"] == "failed":
            lines.append(f"| {row['benchmark']} | - | - | - | FAILED: {row.get('reason', '')} | - |")
        for c in checks:
            verdict = {True: "met", False: "MISSED", None: "not measured"}[c["passed"]]
            if summary["smoke"]:
                verdict = "n/a (smoke)"
            lines.append(f"| {row['benchmark']} | {c['description'] or c['figure']} | {_cell(c['measured'])} | "
                         f"{c['op']} {_cell(c['value'])} | {verdict} | {noise} |")
        if not checks and row["status"] != "failed":
            lines.append(f"| {row['benchmark']} | (figures only, no target) | - | - | - | {noise} |")
    return "\n".join(lines) + "\n"
