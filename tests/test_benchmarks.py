"""Benchmarks cannot rot: every benchmarks/bench_*.py runs here in smoke mode (small inputs, same code
paths), the suite's summary is right, and the committed latest summary covers every benchmark."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hubcommunity import benchsummary

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
SCRIPTS = sorted(BENCH.glob("bench_*.py"))
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402
import suite  # noqa: E402


def test_every_benchmark_is_found():
    assert {p.stem for p in SCRIPTS} >= {"bench_build", "bench_collect", "bench_fits", "bench_incremental",
                                         "bench_network", "bench_plan", "bench_tables", "bench_adoption"}


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_benchmark_runs_in_smoke_mode(script, tmp_path):
    name = script.stem[len("bench_"):]
    r = subprocess.run([sys.executable, str(script), "--smoke", "--out", str(tmp_path)], capture_output=True,
                       text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    report = json.loads((tmp_path / f"{name}.smoke.json").read_text())
    assert report["benchmark"] == name and report["smoke"] is True and report["status"] == "smoke"
    assert report["figures"] and report["machine"]["cpus"] and report["load_average"]["before"]
    # every target names a figure the benchmark really measured (a renamed figure breaks here, not in the book)
    for target in report["targets"]:
        assert isinstance(target["measured"], (int, float)), target
    assert f"== {name} (smoke)" in r.stdout


def _report(name, passed, smoke=False):
    return {"benchmark": name, "smoke": smoke, "started": "2025-01-01T00:00:00+00:00", "seconds": 1.0,
            "machine": harness.machine(), "revision": "abc", "load_average": {"before": [1.0], "after": [2.5]},
            "figures": {"x": 1.5}, "targets": [{"figure": "x", "op": "<=", "value": 2, "description": "x (s)",
                                                 "measured": 1.5, "passed": passed}],
            "status": "smoke" if smoke else "met" if passed else "missed"}


def test_summary_status_and_table():
    ok = harness.summarize([_report("b", True), _report("a", True)])
    assert ok["status"] == "met" and [r["benchmark"] for r in ok["benchmarks"]] == ["a", "b"]
    assert [t["benchmark"] for t in ok["targets"]] == ["a", "b"]
    assert harness.summarize([_report("a", True), _report("b", False)])["status"] == "missed"
    crashed = harness.summarize([_report("a", True)], failed={"c": "exit 1"})
    assert crashed["status"] == "failed" and crashed["benchmarks"][-1] == {"benchmark": "c", "status": "failed",
                                                                             "reason": "exit 1"}
    md = harness.summary_markdown(crashed)
    assert "| a | x (s) | 1.5 | <= 2 | met | 1 / 2.5 |" in md and "FAILED: exit 1" in md
    table = benchsummary.targets_table(ok)
    assert list(table["met"]) == ["yes", "yes"] and list(table["target"]) == ["<= 2", "<= 2"]
    assert benchsummary.measured_on(ok)["load"] == "2.5" and benchsummary.measured_on(ok)["revision"] == "abc"
    with pytest.raises(benchsummary.SummaryError, match="no benchmark 'build'"):
        benchsummary.quoted_figures(ok)


def test_suite_writes_a_summary_and_leaves_latest_alone_in_smoke_mode(tmp_path):
    before = suite.LATEST.read_bytes() if suite.LATEST.exists() else None
    code = suite.main(["--smoke", "--only", "plan", "--out", str(tmp_path)])
    assert code == 0
    summary = json.loads((tmp_path / "summary.smoke.json").read_text())
    assert summary["smoke"] is True and [b["benchmark"] for b in summary["benchmarks"]] == ["plan"]
    assert (tmp_path / "summary.smoke.md").read_text().startswith("# Benchmarks (smoke run)")
    assert (suite.LATEST.read_bytes() if suite.LATEST.exists() else None) == before
    with pytest.raises(benchsummary.SummaryError, match="smoke"):
        benchsummary.load_summary(tmp_path / "summary.smoke.json")
    with pytest.raises(benchsummary.SummaryError, match="make bench"):
        benchsummary.load_summary(tmp_path / "absent.json")


def test_latest_summary_is_a_full_run_of_every_benchmark():
    summary = benchsummary.load_summary()  # raises unless a full run's summary is committed
    ran = {b["benchmark"] for b in summary["benchmarks"]}
    assert ran == {p.stem[len("bench_"):] for p in SCRIPTS}, "run `make bench` after adding a benchmark"
    assert all(b["status"] in ("met", "missed") for b in summary["benchmarks"])
    targets = {(t["benchmark"], t["figure"]) for t in summary["targets"]}
    assert {("build", "cold_seconds"), ("build", "warm_seconds"), ("tables", "cold_seconds"),
            ("tables", "warm_seconds"), ("tables", "peak_mb"), ("fits", "all_fits_seconds"),
            ("collect", "rate_share"), ("collect", "share_429")} <= targets


def test_readme_whole_hub_figures_come_from_the_latest_plan():
    """The README's whole-Hub crawl figures are the ones bench_plan measured (no typed-in drift)."""
    from hubcommunity.collect.plan import about_count

    summary = benchsummary.load_summary()
    readme = (ROOT / "README.md").read_text()
    requests = benchsummary.figure(summary, "plan", "whole_hub_requests")
    free = benchsummary.figure(summary, "plan", "whole_hub_days_free")
    pro = benchsummary.figure(summary, "plan", "whole_hub_days_pro")
    section = " ".join(readme[readme.index("## Collecting the whole Hub"):].split())  # one line
    assert f"{about_count(requests)} requests" in section
    assert re.search(rf"about {free:.1f} days\b", section) and re.search(rf"about {pro:.1f} days\b", section)
    assert f"{benchsummary.figure(summary, 'plan', 'models'):,} models" in section
    assert f"{benchsummary.figure(summary, 'plan', 'datasets'):,} datasets" in section
    assert f"listing takes {benchsummary.figure(summary, 'plan', 'listing_requests'):,} requests" in section
    assert f"{benchsummary.figure(summary, 'plan', 'requests_per_model'):.2f} requests on average" in section
    assert f"over the {benchsummary.figure(summary, 'plan', 'means_over_models'):,} models" in section
    assert f"{benchsummary.figure(summary, 'plan', 'threads_per_model'):.2f} threads per model" in section
    assert f"uses {benchsummary.figure(summary, 'plan', 'collector_safety'):.1%} of the quota" in section
