"""Run every benchmark and write one summary: what ``make bench`` runs.

    .venv/bin/python benchmarks/suite.py [--smoke] [--only NAME ...] [--out DIR] [--no-latest]

Each ``benchmarks/bench_<name>.py`` runs in a process of its own, one after the
other (never in parallel: they time themselves), writing ``DIR/<name>.json``
(default ``_build/benchmarks``, see :mod:`harness`). Then ``DIR/summary.json``
and ``DIR/summary.md`` gather them: machine, versions, revision, every figure,
every target with pass/fail, and the load average before and after each
benchmark (the machine may be shared: a high load makes timings slower).

``--only`` runs a few benchmarks and merges their reports with the other
reports already in ``DIR`` (each keeps its own date). When ``DIR`` then holds
a full report of every benchmark, the summary is also copied to
``benchmarks/latest/summary.json``, which is committed: the reproducibility
appendix and the README quote their figures from that file, saying when and
on which machine they were measured (``_build/`` is not committed, and CI runs
the benchmarks in smoke mode only).

Exit status: 0 when every benchmark ran and met its targets; 1 when one missed
a target; 2 when one failed to run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

LATEST = HERE / "latest" / "summary.json"


def benchmark_scripts() -> dict[str, Path]:
    """``{name: path}`` of every ``bench_<name>.py`` in this folder."""
    return {p.stem[len("bench_"):]: p for p in sorted(HERE.glob("bench_*.py"))}


def run_one(path: Path, out: Path, smoke: bool) -> tuple[int, float, str]:
    """Run one benchmark script; return (exit code, seconds, the tail of its output)."""
    cmd = [sys.executable, str(path), "--out", str(out)] + (["--smoke"] if smoke else [])
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(proc.stdout, end="", flush=True)
    return proc.returncode, time.perf_counter() - t0, proc.stdout[-2000:]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, write the summary, return the exit status (see the module docstring)."""
    scripts = benchmark_scripts()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="every benchmark in smoke mode (small inputs)")
    ap.add_argument("--only", nargs="+", choices=sorted(scripts), metavar="NAME",
                    help=f"run only these ({', '.join(sorted(scripts))})")
    ap.add_argument("--out", type=Path, default=harness.ROOT / "_build" / "benchmarks")
    ap.add_argument("--no-latest", action="store_true",
                    help=f"do not refresh {LATEST.relative_to(harness.ROOT)} after a full run")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    names = args.only or sorted(scripts)
    suffix = ".smoke.json" if args.smoke else ".json"
    failed: dict[str, str] = {}
    for name in names:
        report = args.out / f"{name}{suffix}"
        report.unlink(missing_ok=True)
        code, seconds, tail = run_one(scripts[name], args.out, args.smoke)
        if not report.exists():
            failed[name] = f"exit {code} after {seconds:.0f} s, no report: {tail.strip().splitlines()[-1:] or ''}"
            print(f"!! {name} failed (exit {code})", file=sys.stderr)
    reports = []
    for name in sorted(scripts):
        path = args.out / f"{name}{suffix}"
        if path.exists() and name not in failed:
            reports.append(json.loads(path.read_text(encoding="utf-8")))
    summary = harness.summarize(reports, failed=failed)
    stem = "summary.smoke" if args.smoke else "summary"
    (args.out / f"{stem}.json").write_text(json.dumps(summary, indent=1, default=str) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(harness.summary_markdown(summary), encoding="utf-8")
    print(f"\nsummary: {summary['status']} -> {args.out / (stem + '.json')}")
    complete = {r["benchmark"] for r in reports} >= set(scripts)
    if not args.smoke and not args.no_latest and not failed and complete:
        LATEST.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.out / "summary.json", LATEST)
        print(f"refreshed {LATEST.relative_to(harness.ROOT)} (commit it: the book quotes it)")
    return 2 if failed else 1 if summary["status"] == "missed" else 0


if __name__ == "__main__":
    raise SystemExit(main())
