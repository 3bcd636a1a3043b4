"""Time the RQ2 network pipeline on the reference captures, and its expensive parts.

Loads the tidy tables (cached parquet; run ``hubcommunity link-reference``
first), then times, per network (pull requests, discussions, derivation; bots
excluded): building the graph, the descriptive statistics, the k-core/onion
decomposition, and the Borgatti-Everett null test (100 null samples, 200
refinement moves), with the cost of one null sample. Also times identity
merging with exact length blocking against the approximate affix blocking, and
its recall, on all discussion and listing account names (at most 100,000).
``--smoke``: a small snapshot collected from the fake Hub, 2 null samples.
The machine is shared, so compare ratios within one run.

Run: ``.venv/bin/python benchmarks/bench_network.py [--smoke] [--out DIR]``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import harness

FULL = {"null": 100, "moves": 200, "names": 100_000}
SMOKE = {"null": 2, "moves": 20, "names": 2_000}


def timed(fn):
    """Run ``fn`` once; return (seconds, result)."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run(smoke: bool) -> dict:
    from hubcommunity.analysis import bots as botlist
    from hubcommunity.analysis import network as net
    from hubcommunity.analysis.coreperiphery import core_periphery_test, cp_graph, kcore_onion
    from hubcommunity.analysis.identities import similar_name_pairs
    from hubcommunity.tables import load_tables

    cfg = SMOKE if smoke else FULL
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        if smoke:
            from hubcommunity.fakehub.testing import collected_snapshot

            secs, t = timed(lambda: load_tables([collected_snapshot(Path(tmp), seed=6, n_models=120)]))
        else:
            secs, t = timed(load_tables)
    figures["load_tables_seconds"] = round(secs, 2)
    bots = botlist.bot_accounts()
    builders = {
        "pull_requests": lambda: net.pull_request_network(t.discussions, exclude=bots),
        "discussions": lambda: net.discussion_network(t.discussions, t.discussion_events, exclude=bots),
        "derivation": lambda: net.derivation_network(t.base_models, exclude=bots),
    }
    total = 0.0
    for name, build in builders.items():
        b, G = timed(build)
        s, _ = timed(lambda: net.network_statistics(G))
        o, _ = timed(lambda: kcore_onion(cp_graph(G)))
        c, _ = timed(lambda: core_periphery_test(G, n_null=cfg["null"], max_moves=cfg["moves"]))
        c0, _ = timed(lambda: core_periphery_test(G, n_null=0, max_moves=cfg["moves"]))
        total += b + s + o + c
        figures.update({f"{name}_nodes": G.number_of_nodes(), f"{name}_edges": G.number_of_edges(),
                        f"{name}_build_seconds": round(b, 3), f"{name}_stats_seconds": round(s, 3),
                        f"{name}_onion_seconds": round(o, 3), f"{name}_null_test_seconds": round(c, 3),
                        f"{name}_seconds_per_null": round((c - c0) / max(cfg["null"], 1), 4)})
    figures["three_networks_seconds"] = round(total, 2)
    names = sorted(set(t.discussions["opener"].dropna()) | set(t.discussion_events["author"].dropna())
                   | set(t.repos["owner"].dropna()))[: cfg["names"]]
    ex, exact = timed(lambda: similar_name_pairs(names, blocking="length"))
    af, approx = timed(lambda: similar_name_pairs(names, blocking="affix"))
    found = set(zip(approx["name_1"], approx["name_2"])) & set(zip(exact["name_1"], exact["name_2"]))
    figures.update({"identity_names": len(names), "identity_exact_seconds": round(ex, 2),
                    "identity_exact_pairs": len(exact), "identity_affix_seconds": round(af, 2),
                    "identity_affix_recall": round(len(found) / len(exact), 4) if len(exact) else None,
                    "identity_affix_speedup": round(ex / af, 2) if af else None,
                    "null_samples": cfg["null"], "refinement_moves": cfg["moves"]})
    return figures


if __name__ == "__main__":
    raise SystemExit(harness.main("network", run))
