"""Descriptive statistics of a directed developer network.

Conventions (METHODS.md, RQ2), which differ from networkx's defaults on
purpose because the paper's construction adds self-loops:

* an **isolate** is a node with no edge to or from *anyone else*; a node whose
  only edges are self-loops is an isolate (``networkx.isolates`` would not
  count it, since a self-loop gives it degree 2);
* **density** and **reciprocity** are computed without self-loops;
* degrees are counted without self-loops and without weights (number of
  distinct other accounts), unless stated.

Reciprocity is the share of directed edges ``u -> v`` (``u != v``) whose
reverse ``v -> u`` also exists (Newman 2010, *Networks*, sec. 7.10; the same
as :func:`networkx.overall_reciprocity` on a graph without self-loops).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "without_self_loops",
    "paper_isolates",
    "reciprocity",
    "reciprocity_by_position",
    "degree_table",
    "network_statistics",
    "STAT_LABELS",
]


def without_self_loops(G: nx.DiGraph) -> nx.DiGraph:
    """A copy of ``G`` (all nodes and attributes kept) with self-loops removed."""
    H = G.copy()
    H.remove_edges_from(list(nx.selfloop_edges(H)))
    return H


def paper_isolates(G: nx.Graph) -> list:
    """Nodes with no edge to or from any *other* node (self-loops ignored).

    This is the paper's "isolate": a developer who worked only alone. Order
    follows ``G``'s node order.
    """
    if G.is_directed():
        return [v for v in G if not any(u != v for u in G._succ[v]) and not any(u != v for u in G._pred[v])]
    return [v for v in G if not any(u != v for u in G._adj[v])]


def _edge_arrays(G: nx.DiGraph) -> tuple[np.ndarray, np.ndarray, dict]:
    """Integer (source, target) arrays of the non-loop edges and the node index."""
    index = {v: i for i, v in enumerate(G)}
    pairs = [(index[u], index[v]) for u, v in G.edges() if u != v]
    if not pairs:
        return np.empty(0, np.int64), np.empty(0, np.int64), index
    arr = np.asarray(pairs, dtype=np.int64)
    return arr[:, 0], arr[:, 1], index


def _reciprocated_mask(src: np.ndarray, dst: np.ndarray, n: int) -> np.ndarray:
    """For each directed edge, whether its reverse is also an edge."""
    if src.size == 0:
        return np.zeros(0, dtype=bool)
    keys = np.sort(src * n + dst)
    rev = dst * n + src
    pos = np.searchsorted(keys, rev)
    pos = np.minimum(pos, keys.size - 1)
    return keys[pos] == rev


def reciprocity(G: nx.DiGraph) -> float:
    """Share of non-loop directed edges whose reverse exists; NaN with no such edge."""
    src, dst, index = _edge_arrays(G)
    if src.size == 0:
        return float("nan")
    return float(_reciprocated_mask(src, dst, len(index)).mean())


def reciprocity_by_position(G: nx.DiGraph, core: Iterable) -> dict:
    """Reciprocity inside the core, inside the periphery and between them.

    ``core`` is a set of nodes; every other node of ``G`` is periphery
    (callers usually pass ``G`` without isolates). Edge-level: among non-loop
    edges with both ends in the core (``core``), both in the periphery
    (``periphery``), or one in each (``between``), the share reciprocated.
    Node-level: the mean over nodes of each group of the node's share of
    reciprocated incident edges, ``2 |succ & pred| / (out + in)`` (networkx's
    per-node reciprocity, self-loops excluded), over nodes with an edge.
    Returns a dict of floats (NaN when a class is empty) and the counts.
    """
    core = set(core)
    src, dst, index = _edge_arrays(G)
    n = len(index)
    in_core = np.zeros(n, dtype=bool)
    for v in core:
        if v in index:
            in_core[index[v]] = True
    rec = _reciprocated_mask(src, dst, n)
    cs, cd = in_core[src], in_core[dst]
    classes = {"core": cs & cd, "periphery": ~cs & ~cd, "between": cs ^ cd}
    out: dict = {}
    for name, mask in classes.items():
        out[f"edges_{name}"] = int(mask.sum())
        out[f"reciprocity_{name}"] = float(rec[mask].mean()) if mask.any() else float("nan")
    # node level
    touched = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    recd = np.bincount(src[rec], minlength=n) + np.bincount(dst[rec], minlength=n)
    has = touched > 0
    share = np.divide(recd, touched, out=np.zeros(n), where=has)
    for name, mask in (("core", in_core & has), ("periphery", ~in_core & has)):
        out[f"node_reciprocity_{name}"] = float(share[mask].mean()) if mask.any() else float("nan")
        out[f"nodes_{name}"] = int(mask.sum())
    return out


def degree_table(G: nx.DiGraph) -> pd.DataFrame:
    """Per-node degrees without self-loops.

    Columns: ``node``, ``in_degree``, ``out_degree`` (distinct other
    accounts), ``degree`` (distinct neighbours either way),
    ``in_strength``, ``out_strength`` (summed ``weight``, default 1),
    ``self_loop_weight``.
    """
    rows = []
    for v in G:
        succ = {u: d for u, d in G._succ[v].items() if u != v}
        pred = {u: d for u, d in G._pred[v].items() if u != v}
        loop = G._succ[v].get(v)
        rows.append((
            v, len(pred), len(succ), len(succ.keys() | pred.keys()),
            sum(d.get("weight", 1) for d in pred.values()),
            sum(d.get("weight", 1) for d in succ.values()),
            loop.get("weight", 1) if loop is not None else 0,
        ))
    return pd.DataFrame(rows, columns=["node", "in_degree", "out_degree", "degree",
                                       "in_strength", "out_strength", "self_loop_weight"])


#: Human-readable labels of :func:`network_statistics` keys, in display order.
STAT_LABELS = {
    "nodes": "Nodes (accounts)",
    "edges": "Edges (incl. self-loops)",
    "edges_no_loops": "Edges between different accounts",
    "self_loops": "Self-loops",
    "total_weight": "Total edge weight",
    "isolates": "Isolates (no tie to anyone else)",
    "isolate_share": "Isolate share",
    "density": "Density (no self-loops)",
    "reciprocity": "Reciprocity (no self-loops)",
    "wcc": "Weakly connected components",
    "giant_wcc_share": "Giant weak component, share of nodes",
    "giant_wcc_share_non_isolates": "Giant weak component, share of non-isolates",
    "scc_nontrivial": "Strongly connected components (size > 1)",
    "giant_scc_share": "Giant strong component, share of nodes",
    "mean_degree": "Mean degree (distinct neighbours)",
    "max_in_degree": "Max in-degree",
    "max_out_degree": "Max out-degree",
}


def network_statistics(G: nx.DiGraph) -> dict:
    """Size, isolates, density, reciprocity and components of a directed network.

    Keys are those of :data:`STAT_LABELS`. Density is ``m / (n (n - 1))``
    over all ``n`` nodes and the ``m`` non-loop edges. Components are those
    of the graph without self-loops (a self-loop never joins anyone).
    """
    n = G.number_of_nodes()
    loops = nx.number_of_selfloops(G)
    H = without_self_loops(G)
    m = H.number_of_edges()
    isolates = len(paper_isolates(G))
    wccs = [len(c) for c in nx.weakly_connected_components(H)] if n else []
    sccs = [len(c) for c in nx.strongly_connected_components(H)] if n else []
    giant_w = max(wccs, default=0)
    in_deg = [d for _, d in H.in_degree()]
    out_deg = [d for _, d in H.out_degree()]
    und_deg = [d for _, d in H.to_undirected(as_view=True).degree()] if n else []
    return {
        "nodes": n,
        "edges": G.number_of_edges(),
        "edges_no_loops": m,
        "self_loops": loops,
        "total_weight": int(G.size(weight="weight")),
        "isolates": isolates,
        "isolate_share": isolates / n if n else float("nan"),
        "density": m / (n * (n - 1)) if n > 1 else float("nan"),
        "reciprocity": reciprocity(G),
        "wcc": len(wccs),
        "giant_wcc_share": giant_w / n if n else float("nan"),
        "giant_wcc_share_non_isolates": giant_w / (n - isolates) if n - isolates > 0 and giant_w > 1 else float("nan"),
        "scc_nontrivial": sum(1 for s in sccs if s > 1),
        "giant_scc_share": max(sccs, default=0) / n if n else float("nan"),
        "mean_degree": float(np.mean(und_deg)) if und_deg else float("nan"),
        "max_in_degree": max(in_deg, default=0),
        "max_out_degree": max(out_deg, default=0),
    }
