"""RQ2's networks, tables and headline numbers, composed from :mod:`~hubcommunity.analysis.network`.

Pure functions behind ``book/rq2_network.md`` (Osborne, Ding & Kirk 2024, RQ2:
the social network of the Hub's developers). The chapter builds the three real
networks of the reference captures (pull requests, discussions, derivation;
with and without bots), describes them with
:func:`~hubcommunity.analysis.network.describe_networks`, and quotes the
results; this module holds every step between: which networks to build and
show, and the headline numbers of each section as records
(:mod:`hubcommunity.analysis.records`). Shares are fractions in [0, 1]; counts
are accounts, ties or pull requests. No I/O.

Network keys: ``pr``, ``prm`` (merged pull requests only), ``disc``, ``deriv``;
``"<key> (with bots)"`` is the same network built with bots included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx
import pandas as pd

from hubcommunity.analysis import network as net
from hubcommunity.analysis import records as rec
from hubcommunity.analysis.fitting import fit_table

__all__ = [
    "LABELS",
    "WITH_BOTS",
    "MAIN",
    "label",
    "paper_isolates_record",
    "example_records",
    "paper_networks",
    "BOT_COLUMNS",
    "bot_table",
    "scripted_accounts",
    "bot_records",
    "scripted_records",
    "real_networks",
    "bots_matter",
    "shown_networks",
    "size_records",
    "verdict",
    "core_records",
    "subfield_records",
    "subfield_table",
    "degree_fits",
    "identity_merges",
]

#: Names of the real networks as the chapter shows them.
LABELS = {"pr": "pull requests", "prm": "merged pull requests", "disc": "discussions", "deriv": "derivation"}

#: Suffix of the key of a network built with bots included.
WITH_BOTS = " (with bots)"

#: The three real networks, bots excluded.
MAIN = ("pr", "disc", "deriv")


def label(key: str) -> str:
    """Display name of a network key: ``"pr (with bots)"`` -> ``"pull requests (with bots)"``."""
    base = key.replace(WITH_BOTS, "")
    return LABELS.get(base, base) + (WITH_BOTS if base != key else "")


def _share(key, value, description, fmt="{:.1%}"):
    return rec.share(key, value, description, fmt)


def paper_isolates_record(claims: pd.DataFrame) -> dict:
    """The paper's share of isolates in its network, from ``claims`` (:func:`hubcommunity.paper.load_paper_claims`)."""
    row = claims.set_index("key").loc["network_isolates_share"]
    return rec.number("paper_isolates_share", row["value"], "share of developers", "The paper: " + row["claim"],
                      "{:.0%}")


def example_records(stats: Mapping) -> list[dict]:
    """Reciprocity (no self-loops) and isolates of the worked example (``stats``: ``network_statistics``)."""
    return [_share("example_reciprocity", stats["reciprocity"], "Worked example: reciprocity without self-loops",
                   "{:.0%}"),
            rec.count("example_isolates", stats["isolates"], "developers",
                      "Worked example: developers with only self-loops")]


def paper_networks(commit_authors: pd.DataFrame, repos: pd.DataFrame,
                   subfields=("cv", "nlp", "multimodal")) -> dict[str, nx.DiGraph]:
    """The paper's commit network and its subfield versions; empty when there are no commit-author rows."""
    if not len(commit_authors):
        return {}
    out = {"commits (paper)": net.paper_collaboration_network(commit_authors, repos)}
    for sub in subfields:
        out[f"commits, {sub}"] = net.paper_collaboration_network(commit_authors, repos, subfield=sub)
    return out


#: Columns of the bot table as shown.
BOT_COLUMNS = ("account", "threads_opened", "prs_opened", "prs_merged", "comments", "share_of_threads",
               "top_title_share", "evidence")


def bot_table(activity: pd.DataFrame, bot_list: pd.DataFrame) -> pd.DataFrame:
    """What each listed bot did (``activity``: :func:`~hubcommunity.analysis.bots.bot_activity`), most
    threads first, with the evidence of ``bot_list`` (:func:`~hubcommunity.analysis.bots.load_bots`)."""
    ranked = activity.sort_values("threads_opened", ascending=False, ignore_index=True)
    return ranked.merge(bot_list[["account", "evidence"]], on="account")[list(BOT_COLUMNS)]


def scripted_accounts(candidates: pd.DataFrame) -> pd.DataFrame:
    """Accounts with a scripted thread pattern that are not listed bots (``candidates``:
    :func:`~hubcommunity.analysis.bots.bot_candidates`): ``account, threads_opened, top_title, top_title_share``."""
    kept = candidates[candidates["scripted_signal"] & ~candidates["listed"]]
    return kept[["account", "threads_opened", "top_title", "top_title_share"]].reset_index(drop=True)


def bot_records(activity: pd.DataFrame, discussions: pd.DataFrame, n_bots: int) -> list[dict]:
    """Size of the bot list and the bots' share of threads (``activity``:
    :func:`~hubcommunity.analysis.bots.bot_activity`, or :func:`bot_table`: most active first)."""
    return [
        rec.count("n_bots", n_bots, "accounts", "Accounts in the bot list"),
        _share("bot_threads_share", activity["threads_opened"].sum() / discussions["opener"].notna().sum(),
               "Share of threads (with a known opener) opened by listed bots"),
        _share("top2_bot_threads_share", activity["share_of_threads"].head(2).sum(),
               "Share of threads opened by the two most active bots"),
    ]


def scripted_records(scripted_people: pd.DataFrame, min_threads: int, min_title_share: float) -> list[dict]:
    """The scripted-pattern thresholds and how many unlisted accounts meet them (kept as people)."""
    return [
        rec.count("scripted_min_threads", min_threads, "threads", "Scripted pattern: least number of threads opened"),
        _share("scripted_min_title_share", min_title_share, "Scripted pattern: least share of threads with one title",
               "{:.0%}"),
        rec.count("n_scripted_people", len(scripted_people), "accounts",
                  "Accounts with a scripted thread pattern that are not in the bot list (kept)"),
    ]


def real_networks(discussions: pd.DataFrame, discussion_events: pd.DataFrame, derivations: pd.DataFrame,
                  bots: Iterable[str]) -> dict[str, nx.DiGraph]:
    """The three real networks without bots (keys :data:`MAIN`, plus ``prm``: merged pull requests only),
    then with bots (``"<key> (with bots)"``). ``derivations``: the resolved table ``Tables.derivations``."""
    graphs = {}
    for excl, suffix in ((frozenset(bots), ""), ((), WITH_BOTS)):
        graphs["pr" + suffix] = net.pull_request_network(discussions, exclude=excl)
        if excl:
            graphs["prm"] = net.pull_request_network(discussions, exclude=excl, merged_only=True)
        graphs["disc" + suffix] = net.discussion_network(discussions, discussion_events, exclude=excl)
        graphs["deriv" + suffix] = net.derivation_network(derivations, exclude=excl)
    return graphs


def bots_matter(described: Mapping[str, dict]) -> dict[str, bool]:
    """Per main network, whether including bots changed it (``describe_networks`` reuses one result
    for identical graphs, so an unchanged network has the very same description)."""
    return {k: described[k] is not described[k + WITH_BOTS] for k in MAIN}


def shown_networks(described: Mapping[str, dict]) -> dict[str, dict]:
    """Descriptions to show, by label: every network except a with-bots twin that bots did not change."""
    matter = bots_matter(described)
    return {label(k): d for k, d in described.items()
            if not (k.endswith(WITH_BOTS) and not matter[k[:-len(WITH_BOTS)]])}


def _weight(G: nx.DiGraph, attr: str = "weight"):
    return sum(d[attr] for _, _, d in G.edges(data=True))


def size_records(described: Mapping[str, dict], graphs: Mapping[str, nx.DiGraph]) -> list[dict]:
    """Size, isolates, reciprocity and giant component of each network with and without bots, degrees
    and self-loops of the main ones, pull requests counted and the share merged, and whether bots
    change the derivation network (text ``deriv_bots_note``)."""
    matter = bots_matter(described)
    out = [rec.text("deriv_bots_note", "differs when bots are included" if matter["deriv"]
                    else "is the same with or without them", "Whether bots change the derivation network")]
    for key in ("pr", "prm", "disc", "deriv", "pr" + WITH_BOTS, "disc" + WITH_BOTS):
        if key not in described:
            continue
        k, r, name = key.replace(WITH_BOTS, "_bots"), described[key]["row"], label(key)
        out += [
            rec.count(f"{k}_nodes", r["nodes"], "accounts", f"{name}: nodes"),
            rec.count(f"{k}_edges", r["edges_no_loops"], "ties", f"{name}: ties between different accounts"),
            _share(f"{k}_isolate_share", r["isolate_share"], f"{name}: share of accounts with no tie to anyone else"),
            _share(f"{k}_reciprocity", r["reciprocity"], f"{name}: reciprocity without self-loops", "{:.2%}"),
            _share(f"{k}_giant", r["giant_wcc_share"], f"{name}: share of accounts in the giant weak component"),
        ]
    for key in MAIN:
        r, name = described[key]["row"], label(key)
        out += [rec.count(f"{key}_self_loops", r["self_loops"], "accounts", f"{name}: accounts with a self-loop"),
                rec.count(f"{key}_max_in", r["max_in_degree"], "accounts", f"{name}: largest in-degree"),
                rec.count(f"{key}_max_out", r["max_out_degree"], "accounts", f"{name}: largest out-degree")]
    pr_w, pr_m = _weight(graphs["pr"]), _weight(graphs["pr"], "merged")
    return out + [
        _share("pr_merged_share", pr_m / pr_w, "Share of (non-bot) pull requests that were merged"),
        rec.count("pr_count", pr_w, "pull requests", "Pull requests in the network, bots excluded"),
        rec.count("pr_count_bots", _weight(graphs["pr" + WITH_BOTS]), "pull requests",
                  "Pull requests in the network, bots included"),
    ]


def verdict(row: Mapping) -> str:
    """The Borgatti-Everett test in words: denser core than the degrees produce (p <= 0.05, z > 0),
    less core-periphery-like than the null (rho more than 2 null s.d. below its mean), or neither."""
    if row["p_value"] <= 0.05 and row["z"] > 0:
        return "denser in its core than its degrees alone produce"
    if row["rho"] < row["null_mean"] and (row["null_mean"] - row["rho"]) > 2 * row["null_sd"]:
        return "less core-periphery-like than random networks with the same degrees"
    return "no different from random networks with the same degrees"


def core_records(described: Mapping[str, dict], n_null: int, max_moves: int) -> list[dict]:
    """Core-periphery results of the main networks: Borgatti-Everett core size and share, rho against
    the degree-preserving null (mean, z, p, :func:`verdict`), the innermost k-core, and reciprocity
    by position; with the test's settings ``n_null`` and ``max_moves``."""
    out = [rec.count("n_null", n_null, "samples", "Degree-preserving null networks drawn per network"),
           rec.count("max_moves", max_moves, "moves", "Greedy refinement moves allowed per Borgatti-Everett fit")]
    corr = "correlation"
    for key in MAIN:
        r, name = described[key]["row"], label(key)
        out += [
            rec.count(f"{key}_core_size", r["core_size"], "accounts", f"{name}: Borgatti-Everett core size"),
            _share(f"{key}_core_share", r["core_share"], f"{name}: core share of non-isolates", "{:.2%}"),
            rec.number(f"{key}_rho", r["rho"], corr, f"{name}: Borgatti-Everett rho", "{:.3f}"),
            rec.number(f"{key}_null_mean", r["null_mean"], corr, f"{name}: mean rho of the degree-preserving null",
                       "{:.3f}"),
            rec.number(f"{key}_z", r["z"], "standard deviations", f"{name}: (rho - null mean) / null s.d.", "{:.1f}"),
            rec.number(f"{key}_p", r["p_value"], "p-value", f"{name}: empirical p-value of rho against the null",
                       "{:.3f}"),
            rec.text(f"{key}_verdict", verdict(r), f"{name}: core-periphery test in words"),
            rec.count(f"{key}_kmax", r["k_max"], "k", f"{name}: largest k of a non-empty k-core"),
            rec.count(f"{key}_kmax_size", r["k_max_core_size"], "accounts", f"{name}: accounts in the innermost k-core"),
        ]
        out += [_share(f"{key}_rec_{pos}", r[f"reciprocity_{pos}"], f"{name}: reciprocity ({pos})", "{:.2%}")
                for pos in ("core", "between", "periphery")]
    return out


def subfield_table(sub_graphs: Mapping[tuple[str, str], nx.DiGraph]) -> pd.DataFrame:
    """Statistics of each (subfield, network) graph, one row each, networks labelled."""
    table = net.statistics_frame(sub_graphs).reset_index()
    table["network"] = table["network"].map(LABELS)
    return table


def subfield_records(sub_graphs: Mapping[tuple[str, str], nx.DiGraph]) -> list[dict]:
    """Nodes of each (subfield, network) graph and, if it has any, its isolate share."""
    out = []
    for (sub, kind), G in sub_graphs.items():
        st, name = net.network_statistics(G), f"{sub} subfield, {LABELS[kind]}"
        out.append(rec.count(f"sub_{sub}_{kind}_nodes", st["nodes"], "accounts", f"{name}: nodes"))
        if st["nodes"]:
            out.append(_share(f"sub_{sub}_{kind}_isolate_share", st["isolate_share"], f"{name}: isolate share"))
    return out


def degree_fits(described: Mapping[str, dict], keys=MAIN) -> pd.DataFrame:
    """Discrete power-law fits (:func:`~hubcommunity.analysis.fitting.fit_table`) of in- and out-degree
    of each network in ``keys``, the displayed columns only."""
    degrees = pd.concat([described[k]["degrees"].assign(network=label(k)) for k in keys])
    fits = fit_table(degrees, ["in_degree", "out_degree"], by="network")
    return fits[[c for c in ["network", "variable", "xmin", "alpha", "sigma", "n_tail", "verdict"] if c in fits.columns]]


def identity_merges(graphs: Mapping[str, nx.DiGraph], threshold: float = 90, keys=MAIN, n_examples: int = 8
                    ) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Merge near-identical names in each network (:func:`~hubcommunity.analysis.network.identity_merge_effect`).

    Returns ``(merges, examples, records)``: one row per network with what merging
    changes; the ``n_examples`` lowest-scoring distinct name pairs that pass
    ``threshold``; and the records (threshold, accounts merged per network, pairs).
    """
    rows, pairs = [], []
    out = [rec.count("name_threshold", threshold, "score",
                     "Fuzzy-ratio threshold for merging names (the authors' value)")]
    for key in keys:
        row, found = net.identity_merge_effect(graphs[key], threshold)
        rows.append({"network": label(key), **row})
        pairs.append(found)
        out.append(rec.count(f"{key}_merged", row["accounts merged"], "accounts",
                             f"{label(key)}: accounts folded into another identity by name similarity"))
    pairs = pd.concat(pairs, ignore_index=True).drop_duplicates(["name_1", "name_2"])
    out.append(rec.count("n_name_pairs", len(pairs), "pairs", "Distinct pairs of normalised names scoring at least 90"))
    examples = (pairs.sort_values(["score", "name_1"], ascending=[True, True]).head(n_examples)
                [["name_1", "name_2", "score"]].reset_index(drop=True))
    return pd.DataFrame(rows), examples, out
