"""benchmarks/bench_adoption.py runs in smoke mode and reports every step (so an API change breaks CI, not a reader's rerun)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_adoption_smoke(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_adoption.py"), "--smoke", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "adoption.smoke.json").read_text())
    figures = report["figures"]
    assert report["smoke"] and report["status"] == "smoke"
    assert figures["models"] == 20_000 and figures["derivation_pairs"] > 3_000
    for step in ("resolve_derivations", "derivation_roots", "derivation_adoption", "censored_sensitivity"):
        assert figures[f"{step} seconds"] >= 0
    assert {t["figure"] for t in report["targets"]} == {"analysis_seconds", "derivation_roots seconds"}
