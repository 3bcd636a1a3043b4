"""RQ2 in one place: build a developer network, then describe it the book's way.

The work is split by responsibility:

- :mod:`hubcommunity.analysis.network_build` -- the constructions (the paper's
  commit network, and the pull-request, discussion and derivation networks);
- :mod:`hubcommunity.analysis.network_stats` -- size, isolates, density,
  reciprocity, components, degrees;
- :mod:`hubcommunity.analysis.coreperiphery` -- k-core / onion layers and the
  Borgatti-Everett model with its degree-preserving null test;
- :mod:`hubcommunity.analysis.identities` -- merging near-identical names;
- :mod:`hubcommunity.analysis.bots` -- the bot list and bot signals.

This module composes them (:func:`describe_network`) and lays several
networks side by side (:func:`comparison_table`), so that a chapter cell
stays a few lines long.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from hubcommunity.analysis.coreperiphery import core_periphery_test, cp_graph, kcore_onion, kcore_summary
from hubcommunity.analysis.identities import identity_map, merge_identities, similar_name_pairs
from hubcommunity.analysis.network_build import (  # noqa: F401  (re-exported)
    derivation_network,
    discussion_network,
    paper_collaboration_network,
    paper_edge_list,
    pull_request_network,
    subfield_repo_ids,
)
from hubcommunity.analysis.subfields import SUBFIELDS, subfield_of
from hubcommunity.analysis.network_stats import (  # noqa: F401  (re-exported)
    STAT_LABELS,
    degree_table,
    network_statistics,
    paper_isolates,
    reciprocity,
    reciprocity_by_position,
)

__all__ = [
    # composition (this module)
    "describe_network", "describe_networks", "same_graph", "merge_similar_names", "identity_merge_effect",
    "subfield_networks", "statistics_frame", "comparison_table", "reciprocity_frame", "ROW_LABELS", "CORE_LABELS",
    # re-exported constructions and statistics
    "paper_collaboration_network", "paper_edge_list", "pull_request_network", "discussion_network",
    "derivation_network", "subfield_repo_ids", "network_statistics", "paper_isolates", "reciprocity",
    "reciprocity_by_position", "degree_table", "STAT_LABELS",
]

#: Rows of the core-periphery table (:func:`comparison_table` with ``rows=CORE_ROWS``), with their labels.
CORE_LABELS = {
    "cp_nodes": "Accounts with a tie (non-isolates)",
    "k_max": "Innermost k-core: k",
    "k_max_core_size": "Innermost k-core: accounts",
    "core_size": "Borgatti-Everett core: accounts",
    "core_share": "Core, share of non-isolates",
    "rho": "Fit rho",
    "prefix_rho": "Degree-prefix fit rho (before refinement)",
    "rho_squared": "Fit rho squared (share of variance)",
    "moves": "Refinement moves (search converged)",
    "density_core": "Core pairs tied (share)",
    "density_between": "Core-periphery pairs tied (share)",
    "density_periphery": "Periphery pairs tied (share)",
    "er_mean": "Density null: mean degree-prefix rho",
    "er_p_greater": "Density null: p (degree-prefix rho at least as high)",
    "null_mean": "Degree null: mean rho",
    "null_sd": "Degree null: s.d. of rho",
    "z": "Degree null: z of rho",
    "p_greater": "Degree null: p (rho at least as high)",
    "p_less": "Degree null: p (rho at most as high)",
    "assortativity": "Degree assortativity",
    "assort_null_mean": "Degree null: mean assortativity",
    "assort_z": "Degree null: z of assortativity",
    "n_null": "Degree null: samples (independent chains)",
    "swaps_accepted_per_edge": "Degree null: accepted swaps per edge",
    "swap_acceptance": "Degree null: swap acceptance rate",
    "drift_sd": "Degree null: drift over the last half (null s.d.)",
    "reciprocity_core": "Reciprocity inside the core",
    "reciprocity_between": "Reciprocity core-periphery",
    "reciprocity_periphery": "Reciprocity inside the periphery",
}

#: Every row :func:`describe_network` fills, with its label.
ROW_LABELS = {**STAT_LABELS, **CORE_LABELS}


def describe_network(G: nx.DiGraph, *, core_test: bool = True, n_null: int = 100, n_density_null: int | None = None,
                     max_moves: int = 1000, swaps_per_edge: float = 8.0, max_swaps_per_edge: float = 64.0, seed: int = 0,
                     onion: bool = True) -> dict:
    """Every RQ2 statistic of one network.

    Returns a dict with ``stats`` (:func:`network_statistics`), ``degrees``
    (:func:`degree_table`) and ``row`` (the scalars, keyed as
    :data:`ROW_LABELS`). With ``core_test`` (default) also ``kcore``
    (:func:`kcore_summary` of the undirected simple graph without isolates),
    ``cp`` (:func:`~hubcommunity.analysis.coreperiphery.core_periphery_test`
    with ``n_null`` degree-preserving samples of at least ``swaps_per_edge``
    (at most ``max_swaps_per_edge``) attempted swaps per edge, ``n_density_null`` density samples, at most ``max_moves``
    refinement moves per fit) and ``reciprocity``
    (:func:`reciprocity_by_position` over the non-isolates, core = the
    Borgatti-Everett core); without it the core rows are absent.
    """
    stats = network_statistics(G)
    out = {"stats": stats, "degrees": degree_table(G), "row": dict(stats)}
    if not core_test:
        return out
    H = cp_graph(G)
    kc = kcore_summary(kcore_onion(H, onion=onion))
    cp = core_periphery_test(G, n_null=n_null, n_density_null=n_density_null, max_moves=max_moves,
                             swaps_per_edge=swaps_per_edge, max_swaps_per_edge=max_swaps_per_edge, seed=seed)
    rec = reciprocity_by_position(G.subgraph(list(H)), cp["core"])
    row = out["row"]
    row.update({k: kc.get(k, float("nan")) for k in ("k_max", "k_max_core_size", "onion_layers")})
    row["cp_nodes"] = cp["nodes"]
    row.update({k: v for k, v in cp.items() if k not in ("core", "null_rho", "er_rho", "nodes", "edges")})
    row.update({k: rec[k] for k in ("reciprocity_core", "reciprocity_between", "reciprocity_periphery")})
    out.update({"kcore": kc, "cp": cp, "reciprocity": rec})
    return out


def same_graph(G: nx.DiGraph, H: nx.DiGraph) -> bool:
    """Whether two networks have the same nodes, edges and edge weights."""
    if set(G) != set(H) or G.number_of_edges() != H.number_of_edges():
        return False
    return all(H.has_edge(u, v) and H[u][v].get("weight") == d.get("weight") for u, v, d in G.edges(data=True))


def describe_networks(graphs: dict[str, nx.DiGraph], core_keys=None, **options) -> dict[str, dict]:
    """:func:`describe_network` for each graph, in order, reusing the result of an identical one.

    A graph equal (:func:`same_graph`) to one described before it gets that
    result (the same object), e.g. a network that no bot touched, built with
    and without bots. ``core_keys`` (default: all) are the graphs that get
    the core-periphery test; ``options`` go to :func:`describe_network`.
    """
    out: dict[str, dict] = {}
    for key, G in graphs.items():
        core = core_keys is None or key in core_keys
        twin = next((k for k in out if same_graph(graphs[k], G) and ("cp" in out[k] or not core)), None)
        out[key] = out[twin] if twin is not None else describe_network(G, core_test=core, **options)
    return out


def merge_similar_names(G: nx.DiGraph, threshold: float = 90) -> tuple[nx.DiGraph, dict, pd.DataFrame]:
    """``G`` with near-identical names merged (the authors' rule), the name mapping and the matching pairs.

    Uses :func:`hubcommunity.analysis.identities.identity_map` with each
    account's number of distinct partners as the weight that picks an
    identity's name. Returns ``(merged graph, {name: identity}, pairs)``
    (pairs as :func:`similar_name_pairs` returns them).
    """
    names = [str(v) for v in G]
    H = cp_graph(G)
    weights = {str(v): H.degree(v) if v in H else 0 for v in G}
    pairs = similar_name_pairs(names, threshold)
    mapping = identity_map(names, threshold=threshold, weights=weights, pairs=pairs)
    return merge_identities(G, mapping), mapping, pairs


def identity_merge_effect(G: nx.DiGraph, threshold: float = 90) -> tuple[dict, pd.DataFrame]:
    """Merge ``G``'s near-identical names (:func:`merge_similar_names`) and measure what changes.

    Returns a row (``accounts``, ``identities``, ``accounts merged``, isolate
    share and reciprocity before and after) and the matching name pairs.
    """
    merged, _, pairs = merge_similar_names(G, threshold)
    before, after = network_statistics(G), network_statistics(merged)
    row = {
        "accounts": before["nodes"], "identities": after["nodes"],
        "accounts merged": before["nodes"] - after["nodes"],
        "isolate share before": before["isolate_share"], "isolate share after": after["isolate_share"],
        "reciprocity before": before["reciprocity"], "reciprocity after": after["reciprocity"],
    }
    return row, pairs


def subfield_networks(discussions: pd.DataFrame, discussion_events: pd.DataFrame, base_models: pd.DataFrame,
                      repos: pd.DataFrame, *, exclude=()) -> dict[tuple[str, str], nx.DiGraph]:
    """The pull-request, discussion and derivation networks restricted to each subfield.

    A thread belongs to a subfield when its model's ``pipeline_tag`` (from
    ``repos``) is in that subfield's list; a derivation link when the
    *derived* model's tag is. Keys are ``(subfield, kind)`` with kind
    ``"pr"``, ``"disc"`` or ``"deriv"``; ``exclude`` goes to every builder.
    Models missing from ``repos`` (e.g. deleted before the listing) belong
    to no subfield.
    """
    models = repos[repos["repo_type"] == "model"]
    sub_of = pd.Series(subfield_of(models["pipeline_tag"]).to_numpy(dtype=object),
                       index=models["repo_id"].to_numpy(dtype=object))
    sub_of = sub_of[sub_of.notna() & ~sub_of.index.duplicated()]

    def subfield(ids: pd.Series) -> np.ndarray:
        # a hash join on plain Python strings: far faster than isin() with a set of 10^5 ids
        return sub_of.reindex(ids.to_numpy(dtype=object)).to_numpy()

    thread_sub = subfield(discussions["repo_id"])
    event_sub = subfield(discussion_events["repo_id"])
    link_sub = subfield(base_models["model_id"])
    out = {}
    for sub in SUBFIELDS:
        threads = discussions[thread_sub == sub]
        events = discussion_events[event_sub == sub]
        links = base_models[link_sub == sub]
        out[(sub, "pr")] = pull_request_network(threads, exclude=exclude)
        out[(sub, "disc")] = discussion_network(threads, events, exclude=exclude)
        out[(sub, "deriv")] = derivation_network(links, exclude=exclude)
    return out


def statistics_frame(graphs: dict, keys=("nodes", "edges_no_loops", "isolate_share", "reciprocity",
                                         "giant_wcc_share")) -> pd.DataFrame:
    """:func:`network_statistics` of each graph as one row; the dict key becomes the index."""
    rows = {name: {k: network_statistics(G)[k] for k in keys} for name, G in graphs.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    if len(frame) and isinstance(frame.index, pd.MultiIndex):
        frame.index.names = ["subfield", "network"]
    return frame


def comparison_table(described: dict[str, dict], rows=None) -> pd.DataFrame:
    """Statistics side by side: one row per statistic, one column per network.

    ``described`` maps a network label to :func:`describe_network`'s output.
    ``rows`` (default: all of :data:`ROW_LABELS`) picks and orders the rows.
    The first column, ``statistic``, holds the labels; value columns have
    ``object`` dtype so that counts stay integers next to shares.
    """
    keys = list(rows or ROW_LABELS)
    frame = pd.DataFrame({label: pd.Series([d["row"].get(k, float("nan")) for k in keys], dtype=object)
                          for label, d in described.items()})
    frame.insert(0, "statistic", [ROW_LABELS[k] for k in keys])
    frame.index = keys
    return frame


def reciprocity_frame(described: dict[str, dict]) -> pd.DataFrame:
    """Long table for :func:`hubcommunity.figures.network.reciprocity_chart`."""
    rows = []
    for label, d in described.items():
        for position in ("core", "between", "periphery"):
            rows.append({"network": label, "position": position,
                         "reciprocity": d["reciprocity"][f"reciprocity_{position}"],
                         "edges": d["reciprocity"][f"edges_{position}"]})
    return pd.DataFrame(rows)
