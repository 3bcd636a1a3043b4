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

Two comparisons make these numbers fair (METHODS.md, RQ2):

* **isolates on a given node set** (:func:`isolates_on`): the share of a set
  of accounts chosen independently of the network (e.g. every owner of a
  listed model, the paper's kind of node set) that has no tie to anyone else,
  in one network or in the :func:`union_network` of several;
* **reciprocity against baselines** (:func:`reciprocity_test`): among the
  accounts able to reciprocate, the observed reciprocity against (a) the
  density, which is the reciprocity expected if ties were placed at random
  (Garlaschelli & Loffredo 2004, *Phys. Rev. Lett.* 93: 268701), and (b)
  random digraphs that keep every account's in- and out-degree
  (:mod:`hubcommunity.analysis.nullmodels`).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from hubcommunity.analysis.nullmodels import (
    configuration_reciprocity,
    directed_havel_hakimi_start,
    independent_chains,
)

__all__ = [
    "without_self_loops",
    "paper_isolates",
    "tied_nodes",
    "union_network",
    "isolates_on",
    "reciprocity_test",
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


def _edge_arrays(G: nx.DiGraph, keep: set | None = None) -> tuple[np.ndarray, np.ndarray, dict]:
    """Integer (source, target) arrays of the non-loop edges and the node index.

    ``keep``: only these nodes (and the edges among them), in ``G``'s node order.
    """
    index = {v: i for i, v in enumerate(v for v in G if keep is None or v in keep)}
    pairs = [(index[u], index[v]) for u, v in G.edges() if u != v and u in index and v in index]
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


def tied_nodes(G: nx.Graph) -> set:
    """Nodes with an edge to or from another node (the complement of :func:`paper_isolates`)."""
    return {v for e in G.edges() if e[0] != e[1] for v in e}


def union_network(graphs: Iterable[nx.DiGraph]) -> nx.DiGraph:
    """One directed network with every node and every tie of ``graphs`` (unweighted, self-loops kept).

    A tie ``u -> v`` exists in the union when it exists in any of the graphs;
    used to ask whether an account has a tie of *any* kind.
    """
    U = nx.DiGraph()
    for G in graphs:
        U.add_nodes_from(G)
        U.add_edges_from(G.edges())
    return U


def isolates_on(G: nx.Graph, nodes: Iterable) -> dict:
    """Isolates of ``G`` counted over a given node set instead of ``G``'s own nodes.

    Parameters
    ----------
    G : graph
        A developer network (self-loops are ignored, as in :func:`paper_isolates`).
    nodes : iterable
        The accounts to count, e.g. every owner of a listed model. Accounts
        absent from ``G`` are isolates; ties to accounts outside ``nodes``
        count (an owner answered by a non-owner is not isolated).

    Returns
    -------
    dict with ``nodes`` (size of the set), ``in_network`` (of them, nodes of
    ``G``), ``tied`` (with a tie to someone else), ``isolates`` and
    ``isolate_share`` (``isolates / nodes``, NaN for an empty set).
    """
    nodes = set(nodes)
    tied = len(nodes & tied_nodes(G))
    n = len(nodes)
    return {"nodes": n, "in_network": sum(1 for v in nodes if v in G), "tied": tied, "isolates": n - tied,
            "isolate_share": (n - tied) / n if n else float("nan")}


def _reciprocity_of(src: np.ndarray, dst: np.ndarray, n: int) -> float:
    return float(_reciprocated_mask(src, dst, n).mean()) if src.size else float("nan")


def reciprocity_test(G: nx.DiGraph, eligible: Iterable | None = None, *, n_null: int = 100,
                     swaps_per_edge: float = 2.0, max_swaps_per_edge: float = 64.0, seed: int = 0) -> dict:
    """Reciprocity among the accounts able to reciprocate, against density and a degree-preserving null.

    Parameters
    ----------
    G : DiGraph
        A developer network; self-loops are ignored.
    eligible : iterable, optional
        The accounts that could send *and* receive this kind of tie; the test
        runs on the subgraph of ``G`` they induce (default: every node). A tie
        to an account that cannot act (an organisation, a deleted account)
        could never be returned, so it would lower reciprocity by construction.
    n_null : int
        Samples of the null (independent chains of directed swaps,
        :func:`~hubcommunity.analysis.nullmodels.independent_chains`).
    swaps_per_edge, max_swaps_per_edge : float
        Attempted swaps per edge of each chain before the convergence check,
        and the most it may reach by doubling.
    seed : int

    Returns
    -------
    dict of scalars: ``ties_all`` (non-loop ties of ``G``), ``reciprocity_all``;
    ``nodes`` (eligible accounts in ``G``), ``ties`` (non-loop ties among them),
    ``tie_share`` (``ties / ties_all``), ``reciprocity`` (among them);
    ``density`` (``ties / (nodes (nodes - 1))``, the reciprocity expected when
    ties are placed at random), ``ratio_density`` (observed / density),
    ``rho_gl`` (Garlaschelli & Loffredo's ``(r - density) / (1 - density)``);
    the null's ``null_mean``, ``null_sd``, ``z``, ``p_greater``, ``p_less``,
    ``n_null``, ``swaps_attempted_per_edge``, ``swaps_accepted_per_edge``,
    ``swap_acceptance``, ``drift_sd``, ``start_gap_sd`` (chains from the
    directed Havel-Hakimi graph of the degrees against the others),
    ``converged``; ``ratio_null``
    (observed / null mean) and ``configuration`` (the large-graph expectation
    of :func:`~hubcommunity.analysis.nullmodels.configuration_reciprocity`, a
    check on the null's mean where no pair of hubs dominates).
    """
    src_all, _, _ = _edge_arrays(G)
    out = {"ties_all": int(src_all.size), "reciprocity_all": reciprocity(G)}
    src, dst, index = _edge_arrays(G, None if eligible is None else set(eligible))
    n, m = len(index), int(src.size)
    r = _reciprocity_of(src, dst, n)
    density = m / (n * (n - 1)) if n > 1 else float("nan")
    out.update({"nodes": n, "ties": m, "tie_share": m / out["ties_all"] if out["ties_all"] else float("nan"),
                "reciprocity": r, "density": density,
                "ratio_density": r / density if density else float("nan"),
                "rho_gl": (r - density) / (1 - density) if m and density < 1 else float("nan")})
    kout, kin = np.bincount(src, minlength=n), np.bincount(dst, minlength=n)
    second = directed_havel_hakimi_start(kout, kin) if n_null and m >= 2 else None
    run = independent_chains(src, dst, n, lambda x, y: _reciprocity_of(x, y, n), directed=True,
                             n_samples=n_null if m >= 2 else 0, swaps_per_edge=swaps_per_edge,
                             max_swaps_per_edge=max_swaps_per_edge, second_start=second, seed=seed)
    out.update(run.summary(r))
    mean = out["null_mean"]
    out["ratio_null"] = r / mean if mean and mean > 0 else float("nan")
    out["configuration"] = configuration_reciprocity(kout, kin)
    return out


def _arrays_with_weights(G: nx.DiGraph):
    """Node list, non-loop (src, dst, weight) arrays, and per-node self-loop weight."""
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    n = len(nodes)
    src, dst, w, loops = [], [], [], np.zeros(n, dtype=np.int64)
    for u, v, d in G.edges(data=True):
        if u == v:
            loops[index[u]] = d.get("weight", 1)
        else:
            src.append(index[u])
            dst.append(index[v])
            w.append(d.get("weight", 1))
    return (nodes, np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64),
            np.asarray(w, dtype=np.int64), loops)


def _distinct_neighbours(src: np.ndarray, dst: np.ndarray, n: int) -> np.ndarray:
    """Per node, the number of distinct other nodes tied to it either way."""
    if src.size == 0:
        return np.zeros(n, dtype=np.int64)
    a, b = np.minimum(src, dst), np.maximum(src, dst)
    pairs = np.unique(a * n + b)
    return np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)


def degree_table(G: nx.DiGraph) -> pd.DataFrame:
    """Per-node degrees without self-loops.

    Columns: ``node``, ``in_degree``, ``out_degree`` (distinct other
    accounts), ``degree`` (distinct neighbours either way),
    ``in_strength``, ``out_strength`` (summed ``weight``, default 1),
    ``self_loop_weight``.
    """
    nodes, src, dst, w, loops = _arrays_with_weights(G)
    n = len(nodes)
    return pd.DataFrame({
        "node": nodes,
        "in_degree": np.bincount(dst, minlength=n),
        "out_degree": np.bincount(src, minlength=n),
        "degree": _distinct_neighbours(src, dst, n),
        "in_strength": np.bincount(dst, weights=w, minlength=n).astype(np.int64),
        "out_strength": np.bincount(src, weights=w, minlength=n).astype(np.int64),
        "self_loop_weight": loops,
    })


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
    of the graph without self-loops (a self-loop never joins anyone), found
    with :func:`scipy.sparse.csgraph.connected_components`.
    """
    nodes, src, dst, w, loops = _arrays_with_weights(G)
    n, m = len(nodes), int(src.size)
    n_loops = int(np.count_nonzero([G.has_edge(v, v) for v in nodes])) if n else 0
    und = _distinct_neighbours(src, dst, n)
    isolates = int(np.sum(und == 0))
    if n:
        adj = sparse.csr_matrix((np.ones(m), (src, dst)), shape=(n, n))
        n_w, lab_w = csgraph.connected_components(adj, directed=True, connection="weak")
        n_s, lab_s = csgraph.connected_components(adj, directed=True, connection="strong")
        wsizes, ssizes = np.bincount(lab_w), np.bincount(lab_s)
    else:
        n_w, wsizes, ssizes = 0, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    giant_w = int(wsizes.max()) if wsizes.size else 0
    in_deg, out_deg = np.bincount(dst, minlength=n), np.bincount(src, minlength=n)
    return {
        "nodes": n,
        "edges": m + n_loops,
        "edges_no_loops": m,
        "self_loops": n_loops,
        "total_weight": int(w.sum() + loops.sum()),
        "isolates": isolates,
        "isolate_share": isolates / n if n else float("nan"),
        "density": m / (n * (n - 1)) if n > 1 else float("nan"),
        "reciprocity": _reciprocity_of(src, dst, n),
        "wcc": int(n_w),
        "giant_wcc_share": giant_w / n if n else float("nan"),
        "giant_wcc_share_non_isolates": giant_w / (n - isolates) if n - isolates > 0 and giant_w > 1 else float("nan"),
        "scc_nontrivial": int(np.sum(ssizes > 1)),
        "giant_scc_share": int(ssizes.max()) / n if ssizes.size else float("nan"),
        "mean_degree": float(und.mean()) if n else float("nan"),
        "max_in_degree": int(in_deg.max()) if n else 0,
        "max_out_degree": int(out_deg.max()) if n else 0,
    }
