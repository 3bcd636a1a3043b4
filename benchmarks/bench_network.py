"""Benchmark: the RQ2 network pipeline and its expensive parts, with the null models' mixing.

    .venv/bin/python benchmarks/bench_network.py [--smoke] [--out DIR]

Full run: loads the tidy tables (``data/snapshots/``; run ``hubcommunity
link-reference`` first) and runs, per network (pull requests, discussions,
derivation; bots excluded), with the chapter's settings: building the graph,
the descriptive statistics, the k-core/onion decomposition, the core-periphery
test (density null and degree-preserving null), and the reciprocity test among
the accounts able to reciprocate; then identity merging with exact length
blocking against approximate affix blocking (time and recall). Prints the
CPU seconds of each step (the machine is shared: CPU time is steadier than
wall time; compare ratios within one run), the nulls' swaps, acceptance and
convergence checks, and the CPU total of these steps, which is most of what
the RQ2 chapter spends.

``--smoke``: the same code paths on small synthetic tables, in a few seconds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import harness  # noqa: E402

#: The chapter's settings (book/rq2_network.md).
FULL = {"n_null": 30, "n_density_null": 100, "swaps_core": 8, "max_moves": 1000, "n_null_rec": 30, "swaps_rec": 4}
SMOKE = {"n_null": 5, "n_density_null": 5, "swaps_core": 2, "max_moves": 50, "n_null_rec": 5, "swaps_rec": 2}


def timed(fn):
    """Run ``fn`` once; return (CPU seconds of this process, result)."""
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def synthetic_tables(seed: int = 0, n_threads: int = 3000):
    """Small discussions, events, base-model and repos tables with the tidy columns (for --smoke)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    users = [f"user{i}" for i in range(600)]
    owners = [f"owner{i}" for i in range(300)]
    weights = 1 / np.arange(1, 301) ** 1.2
    weights /= weights.sum()
    repo_ids = [f"{rng.choice(owners, p=weights)}/m{i}" for i in range(1500)]
    threads = pd.DataFrame({
        "repo_type": "model", "repo_id": rng.choice(repo_ids, n_threads), "num": np.arange(n_threads),
        "is_pull_request": rng.random(n_threads) < 0.5, "status": rng.choice(["open", "merged", "closed"], n_threads),
        "opener": rng.choice(users + owners, n_threads), "title": "t",
        "captured_at": pd.Timestamp("2024-01-25", tz="UTC"),
    })
    picks = rng.integers(0, n_threads, 2 * n_threads)
    events = pd.DataFrame({
        "repo_type": "model", "repo_id": threads["repo_id"].to_numpy()[picks], "num": picks, "type": "comment",
        "author": rng.choice(users + owners, picks.size), "author_type": "user", "is_owner": False,
        "is_org_member": rng.random(picks.size) < 0.02,
    })
    base = pd.DataFrame({"model_id": rng.choice(repo_ids, 2000), "base_model_id": rng.choice(repo_ids[:200], 2000)})
    repos = pd.DataFrame({
        "repo_type": "model", "repo_id": repo_ids, "owner": [r.split("/")[0] for r in repo_ids],
        "created_at": pd.Timestamp("2023-06-01", tz="UTC"),
        "pipeline_tag": rng.choice(["text-generation", "image-classification", "text-to-image", None], 1500),
    })
    return threads, events, base, repos


def run(smoke: bool) -> dict:
    """Time every expensive RQ2 step; return the figures."""
    from hubcommunity.analysis import bots as botlist
    from hubcommunity.analysis import network as net
    from hubcommunity.analysis import network_report as nr
    from hubcommunity.analysis.coreperiphery import core_periphery_test, cp_graph, kcore_onion
    from hubcommunity.analysis.identities import similar_name_pairs
    from hubcommunity.analysis.owners import load_owner_kinds

    settings = SMOKE if smoke else FULL
    figures: dict = {"settings": " ".join(f"{k}={v}" for k, v in settings.items())}
    if smoke:
        threads, events, base, repos = synthetic_tables()
        bots, kinds = frozenset({"user0"}), None
    else:
        from hubcommunity.tables import load_tables

        secs, t = timed(load_tables)
        figures["load_tables_cpu_s"] = round(secs, 2)
        threads, events, base, repos = t.discussions, t.discussion_events, t.derivations, t.repos
        bots, kinds = botlist.bot_accounts(), load_owner_kinds()
    secs, sets = timed(lambda: nr.account_sets(threads, events, repos, kinds))
    total = secs
    builders = {
        "pr": lambda: net.pull_request_network(threads, exclude=bots),
        "disc": lambda: net.discussion_network(threads, events, exclude=bots),
        "deriv": lambda: net.derivation_network(base, exclude=bots),
    }
    for key, build in builders.items():
        b, G = timed(build)
        s, _ = timed(lambda: (net.network_statistics(G), net.degree_table(G)))
        o, _ = timed(lambda: kcore_onion(cp_graph(G)))
        c, cp = timed(lambda: core_periphery_test(G, n_null=settings["n_null"],
                                                  n_density_null=settings["n_density_null"],
                                                  swaps_per_edge=settings["swaps_core"],
                                                  max_moves=settings["max_moves"]))
        r, rec = timed(lambda: nr.reciprocity_tests({key: G}, [key], sets, n_null=settings["n_null_rec"],
                                                    swaps_per_edge=settings["swaps_rec"])[key])
        total += b + s + o + c + r
        figures.update({
            f"{key}_nodes": G.number_of_nodes(), f"{key}_edges": G.number_of_edges(),
            f"{key}_build_cpu_s": round(b, 2), f"{key}_stats_cpu_s": round(s, 2), f"{key}_onion_cpu_s": round(o, 2),
            f"{key}_core_test_cpu_s": round(c, 2), f"{key}_reciprocity_test_cpu_s": round(r, 2),
            f"{key}_core_swaps_per_edge": round(cp["swaps_attempted_per_edge"], 1),
            f"{key}_core_acceptance": round(cp["swap_acceptance"], 3),
            f"{key}_core_drift_sd": round(cp["drift_sd"], 3), f"{key}_core_start_gap_sd": round(cp["start_gap_sd"], 3),
            f"{key}_core_converged": int(cp["converged"]),
            f"{key}_rec_swaps_per_edge": round(rec["swaps_attempted_per_edge"], 1),
            f"{key}_rec_drift_sd": round(rec["drift_sd"], 3), f"{key}_rec_start_gap_sd": round(rec["start_gap_sd"], 3),
            f"{key}_rec_converged": int(rec["converged"]),
        })
    figures["analysis_cpu_s"] = round(total, 1)
    figures["all_nulls_converged"] = int(all(figures[f"{k}_{t}_converged"] for k in builders for t in ("core", "rec")))

    names = sorted(set(threads["opener"].dropna()) | set(events["author"].dropna()) | set(repos["owner"].dropna()))
    names = names[: (2000 if smoke else 40_000)]
    ex, exact = timed(lambda: similar_name_pairs(names, blocking="length"))
    af, approx = timed(lambda: similar_name_pairs(names, blocking="affix"))
    found = set(zip(approx["name_1"], approx["name_2"])) & set(zip(exact["name_1"], exact["name_2"]))
    figures.update({"names": len(names), "names_exact_cpu_s": round(ex, 2), "names_affix_cpu_s": round(af, 2),
                    "names_affix_recall": round(len(found) / max(len(exact), 1), 4),
                    "names_affix_speedup": round(ex / af, 2) if af else None})
    return figures


if __name__ == "__main__":
    raise SystemExit(harness.main("network", run, targets=[
        harness.Target("analysis_cpu_s", "<=", 60, "CPU seconds of the chapter's network analyses (build, "
                       "statistics, onion, both core-periphery nulls, reciprocity null) for the three networks"),
        harness.Target("all_nulls_converged", "==", 1, "every null model passed its convergence checks"),
    ]))
