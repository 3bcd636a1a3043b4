"""Benchmark: the RQ3 adoption pipeline, step by step, on the July 2024 listing (760,000 models).

    .venv/bin/python benchmarks/bench_adoption.py [--smoke] [--out DIR]

Full run: loads the tidy tables of the linked reference snapshots (cached
parquet; run ``hubcommunity link-reference`` first), then times each step the
RQ3 chapter runs -- resolving the base-model ids of one listing (the tables
stage's ``resolve_derivations``, timed here on the cached raw pairs), root
attribution, derivation adoption (derivatives, adopting owners, roots, mass
producers), owner adoption, concentration, the power-law fit, the all-model
popularity comparisons and the Spaces census with its sensitivity bound --
and prints each step's seconds and share of the total. ``--smoke`` runs the
same functions on a synthetic listing of 20,000 models with random derivation
chains (a few seconds). The machine is shared: compare the shares within a run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import harness  # noqa: E402

from hubcommunity.analysis import adoption as ad  # noqa: E402
from hubcommunity.analysis import fitting  # noqa: E402
from hubcommunity.derivations import resolve_derivations  # noqa: E402


def _synthetic(n_models: int = 20_000, seed: int = 0):
    """A listing, raw base-model pairs (chains, legacy and case-variant ids, self-references) and a census."""
    rng = np.random.default_rng(seed)
    owners = [f"owner{i}" for i in range(n_models // 10)]
    ids = [f"{owners[rng.integers(len(owners))]}/m{i}" for i in range(n_models)]
    ids[:3] = ["openai-community/gpt2", "Org/Base", "Qwen/q-chat"]
    repos = pd.DataFrame({
        "repo_type": "model", "repo_id": ids, "owner": [i.split("/")[0] for i in ids],
        "likes": pd.array(rng.integers(0, 50, n_models), dtype="Int64"),
        "downloads": pd.array((10 ** rng.uniform(0, 6, n_models)).astype(int) * (rng.random(n_models) < 0.5),
                              dtype="Int64"),
        "pipeline_tag": rng.choice(["text-generation", "image-classification", None], n_models),
        "library": None, "tags": [["gguf"] if rng.random() < 0.1 else [] for _ in range(n_models)],
        "created_at": pd.to_datetime("2023-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 540, n_models), "D"),
        "snapshot": "synthetic",
    })
    derived = rng.choice(n_models, n_models // 5, replace=False)
    bases = (rng.pareto(1.2, derived.size) * 3).astype(int) % n_models  # a few very popular bases
    raw = [ids[b] for b in bases]
    raw[:4] = ["gpt2", "org/base", ids[derived[4]], "gone/missing"]  # legacy, case, self-reference, unlisted
    pairs = pd.DataFrame({"model_id": [ids[d] for d in derived], "base_model_id": raw, "relation": "unspecified"})
    census_ids = ids[: n_models // 20]
    details = pd.DataFrame({"repo_id": census_ids, "owner": [i.split("/")[0] for i in census_ids], "likes": 0,
                            "downloads": 0, "pipeline_tag": None, "n_parameters": pd.array([None] * len(census_ids),
                                                                                             dtype="Int64"),
                            "n_files": 1, "snapshot": "details"})
    used = rng.choice(len(census_ids), len(census_ids) // 25, replace=False)
    links = [(f"space/{k}-{j}", census_ids[k]) for k in used for j in range(min(100, int(rng.pareto(1.0) * 3) + 1))]
    space_models = pd.DataFrame(links, columns=["space_id", "model_id"]).assign(source=ad.MODEL_SPACES,
                                                                                 snapshot="details")
    return repos, pairs, details, space_models


def _reference():
    """The reference tables (cached), or exit with instructions."""
    from hubcommunity import paths
    from hubcommunity.tables import load_tables

    need = ["hub-lists-2024-07", "model-details-2024-07"]
    dirs = [paths.snapshots_dir() / n for n in need]
    missing = [str(d) for d in dirs if not (d / "manifest.json").is_file()]
    if missing:
        raise SystemExit(f"no snapshot at {missing}; run `hubcommunity link-reference` first")
    t = load_tables(dirs)
    repos = t.repos[t.repos["repo_type"] == "model"]
    return repos, t.base_models, t.model_details, t.space_models


def run(smoke: bool) -> dict:
    t0 = time.perf_counter()
    repos, pairs, details, space_models = _synthetic() if smoke else _reference()
    figures: dict = {"load_seconds": round(time.perf_counter() - t0, 2), "models": int(len(repos)),
                     "base_model_pairs": int(len(pairs))}
    steps: dict[str, float] = {}

    def step(name, fn):
        start = time.perf_counter()
        out = fn()
        steps[name] = time.perf_counter() - start
        return out

    edges = step("resolve_derivations", lambda: resolve_derivations(pairs, repos))
    roots = step("derivation_roots", lambda: ad.derivation_roots(edges))
    mass = ["owner1", "owner2"] if smoke else ["mradermacher", "TheBloke", "MaziyarPanahi"]
    deriv = step("derivation_adoption", lambda: ad.derivation_adoption(edges, repos, mass_producers=mass, roots=roots))
    step("owner_adopters", lambda: ad.owner_adopters(edges, mass))
    step("concentration_table", lambda: ad.concentration_table(deriv, ["adopters", "derivatives", "root_adopters"]))
    step("fit_variable (adopters)", lambda: fitting.fit_variable(deriv.loc[deriv["listed"], "adopters"]))
    step("popularity (correlations, bins, cohorts)", lambda: (
        ad.popularity_correlations(deriv, ["adopters", "derivatives"]), ad.adoption_by_bin(deriv, "adopters"),
        ad.cohort_correlations(deriv, "adopters", min_models=10)))
    census = step("space_census + comparison", lambda: ad.census_comparison(ad.space_census(details, space_models),
                                                                            deriv))
    step("censored_sensitivity", lambda: ad.censored_sensitivity(census["spaces"]))
    total = sum(steps.values())
    for name, seconds in steps.items():
        figures[f"{name} seconds"] = round(seconds, 3)
        figures[f"{name} share"] = f"{seconds / total:.1%}"
    figures["analysis_seconds"] = round(total, 2)
    figures["derivation_pairs"] = int(len(edges))
    figures["root_pairs"] = int(len(roots))
    return figures


if __name__ == "__main__":
    raise SystemExit(harness.main("adoption", run, targets=[
        harness.Target("analysis_seconds", "<=", 60, "every RQ3 analysis step on the July 2024 listing, seconds"),
        harness.Target("derivation_roots seconds", "<=", 15, "root attribution of 126,650 pairs, seconds"),
    ]))
