"""Time the RQ2 network pipeline on the reference captures, and its expensive parts.

    .venv/bin/python benchmarks/bench_network.py [--null 100] [--moves 200]

Loads the tidy tables (cached parquet; run ``hubcommunity link-reference``
first), then times, per network (pull requests, discussions, derivation; bots
excluded): building the graph, the descriptive statistics, the k-core/onion
decomposition, and the Borgatti-Everett null test, with the cost of one null
sample. Also times identity merging with exact length blocking against the
approximate affix blocking, and its recall, on all discussion and listing
account names. Prints the machine and versions; the machine is shared, so
compare ratios within one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hubcommunity.analysis import bots as botlist  # noqa: E402
from hubcommunity.analysis import network as net  # noqa: E402
from hubcommunity.analysis.coreperiphery import core_periphery_test, cp_graph, kcore_onion  # noqa: E402
from hubcommunity.analysis.identities import similar_name_pairs  # noqa: E402
from hubcommunity.tables import load_tables  # noqa: E402


def timed(fn):
    """Run ``fn`` once; return (seconds, result)."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--null", type=int, default=100, help="null samples per network (chapter default 100)")
    parser.add_argument("--moves", type=int, default=200, help="refinement moves per fit (chapter default 200)")
    parser.add_argument("--names", type=int, default=100_000, help="account names for the identity benchmark")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}")
    print("versions: " + ", ".join(f"{p} {version(p)}" for p in ("networkx", "numpy", "pandas", "rapidfuzz")))
    secs, t = timed(load_tables)
    print(f"load_tables: {secs:.1f} s")
    bots = botlist.bot_accounts()
    builders = {
        "pull requests": lambda: net.pull_request_network(t.discussions, exclude=bots),
        "discussions": lambda: net.discussion_network(t.discussions, t.discussion_events, exclude=bots),
        "derivation": lambda: net.derivation_network(t.derivations, exclude=bots),
    }
    total = 0.0
    print(f"\n{'network':<14} {'nodes':>7} {'edges':>7} {'build':>7} {'stats':>7} {'onion':>7} "
          f"{'null test':>9} {'per null':>9}  (seconds; null test = fit + {args.null} nulls, {args.moves} moves)")
    for name, build in builders.items():
        b, G = timed(build)
        s, _ = timed(lambda: net.network_statistics(G))
        o, _ = timed(lambda: kcore_onion(cp_graph(G)))
        c, _ = timed(lambda: core_periphery_test(G, n_null=args.null, max_moves=args.moves))
        c0, _ = timed(lambda: core_periphery_test(G, n_null=0, max_moves=args.moves))
        per = (c - c0) / max(args.null, 1)
        total += b + s + o + c
        print(f"{name:<14} {G.number_of_nodes():>7,} {G.number_of_edges():>7,} {b:>7.2f} {s:>7.2f} {o:>7.2f} "
              f"{c:>9.2f} {per:>9.3f}")
    print(f"total for the three networks: {total:.1f} s (the chapter also runs them with bots included)")

    names = sorted(set(t.discussions["opener"].dropna()) | set(t.discussion_events["author"].dropna())
                   | set(t.repos["owner"].dropna()))[: args.names]
    ex, exact = timed(lambda: similar_name_pairs(names, blocking="length"))
    af, approx = timed(lambda: similar_name_pairs(names, blocking="affix"))
    found = set(zip(approx["name_1"], approx["name_2"])) & set(zip(exact["name_1"], exact["name_2"]))
    print(f"\nidentity merging on {len(names):,} names (ratio >= 90):")
    print(f"  exact length blocking: {ex:.1f} s, {len(exact):,} pairs")
    print(f"  affix blocking:        {af:.1f} s, {len(approx):,} pairs, recall {len(found) / max(len(exact), 1):.1%}, "
          f"speed-up {ex / af:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
