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
machine, versions, figures, targets with pass/fail. The exit status is 1 when a
full run misses a target, else 0.
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


def main(name: str, run: Callable[[bool], dict[str, Any]], *, targets: list[Target] = (),
         argv: list[str] | None = None) -> int:
    """Parse ``--smoke``/``--out``, call ``run(smoke)``, print and write the report; return the exit code."""
    ap = argparse.ArgumentParser(description=f"benchmark {name}")
    ap.add_argument("--smoke", action="store_true", help="small inputs, same code paths, a few seconds")
    ap.add_argument("--out", default=str(ROOT / "_build" / "benchmarks"), help="directory for the JSON report")
    args = ap.parse_args(argv)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    figures = run(args.smoke)
    seconds = time.perf_counter() - t0
    checks = [t.check(figures) for t in targets]
    full_run_missed = (not args.smoke) and any(c["passed"] is False for c in checks)
    report = {"benchmark": name, "smoke": args.smoke, "started": started, "seconds": round(seconds, 3),
              "machine": machine(), "figures": figures, "targets": checks,
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
