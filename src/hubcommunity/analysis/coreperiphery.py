"""Core-periphery structure: k-core / onion decomposition and the Borgatti-Everett model.

All functions work on the **undirected simple graph without self-loops**
derived from a developer network (:func:`cp_graph`): a tie either way is one
undirected edge, self-loops are dropped, and so are nodes left without any
edge (the paper's isolates), because the paper looks at core and periphery
"after removing isolates".

Borgatti-Everett discrete model
-------------------------------
Borgatti & Everett (2000), "Models of core/periphery structures", *Social
Networks* 21(4): 375-395, fit a partition of the nodes into a core ``C`` and
a periphery by maximising the Pearson correlation ``rho`` between the
observed adjacency (over unordered pairs of distinct nodes) and an ideal
pattern ``delta``. Two ideal patterns are offered (``pattern``):

* ``"missing"`` (default; BE 2000 sec. 3.1 with the core-periphery block
  treated as missing data): ``delta = 1`` for core-core pairs, ``0`` for
  periphery-periphery pairs, core-periphery pairs left out;
* ``"or"``: ``delta = 1`` when at least one end is in the core (core-periphery
  ties expected present).

Given the core size ``k`` and the numbers of core-core (``m_cc``) and
periphery-periphery (``m_pp``) edges, ``rho`` is a closed form (see
:func:`be_correlation`), so a candidate partition is scored in O(1).

Search. Exhaustive search is NP-hard; we use two fast steps: (1) the
degree-prefix scan of Lip (2011), "A fast algorithm for the discrete
core/periphery bipartitioning problem", arXiv:1102.5511 -- candidate cores are
the ``k`` highest-degree nodes, and every ``k`` is scored in one O(n + m)
pass; (2) an optional greedy refinement that repeatedly moves the single node
whose move (core <-> periphery) raises ``rho`` most, until no move helps or
``max_moves`` is reached (a best-improvement local search in the spirit of
Kernighan & Lin 1970). Both are deterministic.

Reading rho. ``rho`` is a Pearson correlation over node pairs, so ``rho**2``
is the share of the variance of the ties (over the pairs compared) that the
ideal pattern accounts for: a rho of 0.1 leaves 99% of it unexplained. The
block densities of the partition (:func:`block_densities`) say the same in
counts: the share of core pairs that are tied, against the share of periphery
pairs.

Significance. Two nulls, two questions (:func:`core_periphery_test`): a
density null (Erdős-Rényi ``G(n, m)``, exactly independent samples) asks
whether there is a core-periphery shape at all, and a planted core-periphery
graph passes it; a degree-preserving null (double-edge swaps, Maslov &
Sneppen 2002, *Science* 296: 910; independent chains with a convergence
check, :mod:`hubcommunity.analysis.nullmodels`) asks whether the core is
denser than the degrees alone make it, which is a question about degree
mixing: it cannot be passed by a perfect split graph, whose structure its
degrees determine. Degree assortativity (Newman 2002) is reported with its own
null distribution from the same samples. P-values are ``(1 + #{null at least
as extreme}) / (1 + n_null)`` (Davison & Hinkley 1997, eq. 4.11).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from hubcommunity.analysis.nullmodels import (
    empirical_p,
    gnm_undirected,
    havel_hakimi_start,
    independent_chains,
    swap_undirected,
)

__all__ = [
    "cp_graph",
    "kcore_onion",
    "kcore_summary",
    "be_correlation",
    "CoreFit",
    "borgatti_everett",
    "block_densities",
    "degree_assortativity",
    "rewire",
    "core_periphery_test",
]


def cp_graph(G: nx.Graph) -> nx.Graph:
    """Undirected simple graph of ``G``: no self-loops, no weights, no edgeless nodes."""
    H = nx.Graph()
    H.add_edges_from((u, v) for u, v in G.edges() if u != v)
    return H


# --------------------------------------------------------------------------
# k-core and onion decomposition
# --------------------------------------------------------------------------


def kcore_onion(H: nx.Graph, onion: bool = True) -> pd.DataFrame:
    """Core number and onion layer of every node of an undirected simple graph.

    ``core_number`` is the largest ``k`` such that the node belongs to the
    k-core (Seidman 1983; Batagelj & Zaversnik 2003, via
    :func:`networkx.core_number`); ``onion_layer`` refines it (Hébert-Dufresne,
    Grochow & Allard 2016, *Sci. Rep.* 6: 31708, via
    :func:`networkx.onion_layers`). Set ``onion=False`` to skip the slower
    onion layers (the column is then absent).
    """
    if nx.number_of_selfloops(H):
        raise ValueError("kcore_onion needs a graph without self-loops (use cp_graph)")
    core = nx.core_number(H)
    frame = pd.DataFrame({"node": list(core), "core_number": list(core.values())})
    if onion:
        layers = nx.onion_layers(H)
        frame["onion_layer"] = frame["node"].map(layers)
    return frame


def kcore_summary(frame: pd.DataFrame) -> dict:
    """Max core number, the size of the innermost k-core, and the number of shells/layers."""
    if frame.empty:
        return {"k_max": 0, "k_max_core_size": 0, "k_shells": 0, "onion_layers": 0}
    k_max = int(frame["core_number"].max())
    out = {
        "k_max": k_max,
        "k_max_core_size": int((frame["core_number"] == k_max).sum()),
        "k_shells": int(frame["core_number"].nunique()),
    }
    if "onion_layer" in frame:
        out["onion_layers"] = int(frame["onion_layer"].max())
    return out


# --------------------------------------------------------------------------
# Borgatti-Everett correlation
# --------------------------------------------------------------------------


def be_correlation(n, m, k, m_cc, m_pp, pattern: str = "missing"):
    """Borgatti-Everett ``rho`` of a partition, from counts (vectorised).

    ``n`` nodes, ``m`` edges, core size ``k``, ``m_cc`` edges inside the core
    and ``m_pp`` inside the periphery (array-likes broadcast). With ``N``
    pairs in the comparison, ``A`` of them edges, ``D`` of them ideal ties and
    ``S`` both, ``rho = (N S - A D) / sqrt(A (N - A) D (N - D))`` (Pearson's
    correlation of two 0/1 vectors). NaN where undefined (a constant vector).
    """
    n = np.asarray(n, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    m_cc = np.asarray(m_cc, dtype=np.float64)
    m_pp = np.asarray(m_pp, dtype=np.float64)
    core_pairs = k * (k - 1) / 2
    per_pairs = (n - k) * (n - k - 1) / 2
    if pattern == "missing":
        N = core_pairs + per_pairs
        A = m_cc + m_pp
        D = core_pairs
        S = m_cc
    elif pattern == "or":
        N = n * (n - 1) / 2 + 0 * k
        A = np.asarray(m, dtype=np.float64) + 0 * k
        D = N - per_pairs
        S = A - m_pp
    else:
        raise ValueError(f"unknown pattern {pattern!r}; expected 'missing' or 'or'")
    den = A * (N - A) * D * (N - D)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (N * S - A * D) / np.sqrt(den)
    return np.where(den > 0, rho, np.nan)


@dataclass
class CoreFit:
    """A fitted Borgatti-Everett partition.

    ``core`` holds node labels; ``rho`` is the correlation; ``prefix_k`` and
    ``prefix_rho`` the best degree-prefix before refinement; ``moves`` the
    number of refinement moves made.
    """

    core: set
    rho: float
    n: int
    m: int
    pattern: str
    prefix_k: int
    prefix_rho: float
    moves: int = 0
    core_size: int = field(init=False)

    def __post_init__(self):
        self.core_size = len(self.core)


class _Arrays:
    """Integer form of an undirected simple graph: edges, degrees, CSR adjacency."""

    def __init__(self, H: nx.Graph):
        self.nodes = list(H)
        index = {v: i for i, v in enumerate(self.nodes)}
        self.n = len(self.nodes)
        if H.number_of_edges():
            e = np.asarray([(index[u], index[v]) for u, v in H.edges() if u != v], dtype=np.int64)
        else:
            e = np.empty((0, 2), dtype=np.int64)
        self.u = np.minimum(e[:, 0], e[:, 1])
        self.v = np.maximum(e[:, 0], e[:, 1])
        self.m = int(self.u.size)
        self.deg = np.bincount(np.concatenate([self.u, self.v]), minlength=self.n)
        # degree order: highest first, ties by node order (stable)
        self.order = np.argsort(-self.deg, kind="stable")
        self.rank = np.empty(self.n, dtype=np.int64)
        self.rank[self.order] = np.arange(self.n)


def _csr(n: int, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.concatenate([u, v])
    b = np.concatenate([v, u])
    idx = np.argsort(a, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(a, minlength=n))])
    return indptr, b[idx]


def _pairs(x):
    return x * (x - 1) / 2.0


def _best_move(n, m, k, mcc, mpp, in_core, to_core, degf, pattern):
    """The single move (core <-> periphery) that raises rho most: ``(node, rho)``, node -1 if none.

    For one direction every candidate gives the same new core size, so the
    pair counts ``N`` and ``D`` are scalars and only ``S`` and ``A`` vary by node.
    """
    best_i, best_val = -1, -np.inf
    for into in (True, False):
        kk = k + 1 if into else k - 1
        if kk < 1 or kk > n - 1:
            continue
        idx = np.flatnonzero(~in_core if into else in_core)
        if idx.size == 0:
            continue
        c = to_core[idx]
        p = degf[idx] - c
        cc, pp = (mcc + c, mpp - p) if into else (mcc - c, mpp + p)
        if pattern == "missing":
            N, D = _pairs(kk) + _pairs(n - kk), _pairs(kk)
            A, S = cc + pp, cc
        else:
            N = _pairs(n)
            D = N - _pairs(n - kk)
            A, S = float(m), m - pp
        den = A * (N - A) * D * (N - D)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(den > 0, (N * S - A * D) / np.sqrt(np.where(den > 0, den, 1.0)), -np.inf)
        j = int(np.argmax(r))
        if r[j] > best_val:
            best_i, best_val = int(idx[j]), float(r[j])
    return best_i, best_val


def _fit_arrays(n, u, v, deg, rank, pattern, max_moves):
    """Core indicator, rho, prefix k, prefix rho and moves for edge arrays."""
    m = u.size
    if n < 4 or m == 0:
        return np.zeros(n, dtype=bool), float("nan"), 0, float("nan"), 0
    ru, rv = rank[u], rank[v]
    rmin, rmax = np.minimum(ru, rv), np.maximum(ru, rv)
    ks = np.arange(n + 1)
    cnt_min = np.bincount(rmin, minlength=n)
    cnt_max = np.bincount(rmax, minlength=n)
    m_pp = np.concatenate([np.cumsum(cnt_min[::-1])[::-1], [0]])  # edges with rmin >= k
    m_cc = np.concatenate([[0], np.cumsum(cnt_max)])  # edges with rmax < k
    rho = be_correlation(n, m, ks, m_cc, m_pp, pattern)
    rho[[0, n]] = np.nan
    if np.all(np.isnan(rho)):
        return np.zeros(n, dtype=bool), float("nan"), 0, float("nan"), 0
    k = int(np.nanargmax(rho))
    best = float(rho[k])
    in_core = rank < k
    prefix_k, prefix_rho = k, best
    moves = 0
    if max_moves:
        indptr, nbr = _csr(n, u, v)
        to_core = (np.bincount(u[in_core[v]], minlength=n) + np.bincount(v[in_core[u]], minlength=n)).astype(float)
        degf = deg.astype(float)
        mcc, mpp = float(m_cc[k]), float(m_pp[k])
        while moves < max_moves:
            i, val = _best_move(n, m, k, mcc, mpp, in_core, to_core, degf, pattern)
            if i < 0 or not val > best + 1e-12:
                break
            c, p = to_core[i], degf[i] - to_core[i]
            if in_core[i]:
                k, mcc, mpp = k - 1, mcc - c, mpp + p
            else:
                k, mcc, mpp = k + 1, mcc + c, mpp - p
            best = val
            to_core[nbr[indptr[i]:indptr[i + 1]]] += -1 if in_core[i] else 1
            in_core[i] = not in_core[i]
            moves += 1
    return in_core, best, prefix_k, prefix_rho, moves


def borgatti_everett(H: nx.Graph, pattern: str = "missing", max_moves: int = 1000) -> CoreFit:
    """Fit the Borgatti-Everett discrete core-periphery model to ``H``.

    ``H`` is an undirected simple graph (use :func:`cp_graph`). Degree-prefix
    scan, then at most ``max_moves`` greedy single-node moves (0 disables the
    refinement). See the module docstring for the model and the search.
    """
    a = _Arrays(H)
    in_core, rho, pk, prho, moves = _fit_arrays(a.n, a.u, a.v, a.deg, a.rank, pattern, max_moves)
    core = {a.nodes[i] for i in np.flatnonzero(in_core)}
    return CoreFit(core=core, rho=rho, n=a.n, m=a.m, pattern=pattern, prefix_k=pk, prefix_rho=prho, moves=moves)


# --------------------------------------------------------------------------
# Descriptions of a partition: block densities, degree assortativity
# --------------------------------------------------------------------------


def block_densities(n: int, m: int, k: int, m_cc: int, m_pp: int) -> dict:
    """Share of node pairs tied inside the core, between core and periphery, inside the periphery.

    ``n`` nodes, ``m`` edges, core size ``k``, ``m_cc`` / ``m_pp`` edges inside
    the core / periphery. These are the block densities of the two-block
    stochastic block model fitted to the partition (Zhang, Martin & Newman 2015,
    *Phys. Rev. E* 91: 032803): a core-periphery structure in their sense has
    ``density_core > density_between > density_periphery``. NaN for an empty block.
    """
    pc, pb, pp = k * (k - 1) / 2, k * (n - k), (n - k) * (n - k - 1) / 2
    m_cp = m - m_cc - m_pp
    return {
        "density_core": m_cc / pc if pc else float("nan"),
        "density_between": m_cp / pb if pb else float("nan"),
        "density_periphery": m_pp / pp if pp else float("nan"),
        "density": m / (n * (n - 1) / 2) if n > 1 else float("nan"),
    }


def _assortativity(u: np.ndarray, v: np.ndarray, deg: np.ndarray) -> float:
    """Pearson correlation of the degrees at the two ends of each edge, both orientations."""
    if u.size == 0:
        return float("nan")
    x = np.concatenate([deg[u], deg[v]]).astype(np.float64)
    y = np.concatenate([deg[v], deg[u]]).astype(np.float64)
    sx = x.std()
    if sx == 0:
        return float("nan")
    return float(((x - x.mean()) * (y - y.mean())).mean() / (sx * y.std()))


def degree_assortativity(H: nx.Graph) -> float:
    """Degree assortativity of an undirected simple graph (Newman 2002, *Phys. Rev. Lett.* 89: 208701).

    The Pearson correlation between the degrees at the two ends of an edge,
    each edge counted in both orientations; equal to
    :func:`networkx.degree_assortativity_coefficient`. Negative values
    (disassortative mixing) mean that well-connected accounts are tied mostly
    to poorly connected ones: hubs and spokes rather than a core of hubs.
    NaN with no edge or when every node has the same degree.
    """
    a = _Arrays(H)
    return _assortativity(a.u, a.v, a.deg)


# --------------------------------------------------------------------------
# Significance: density null and degree-preserving null
# --------------------------------------------------------------------------

#: Kept for callers of the earlier name: degree-preserving double-edge swaps.
rewire = swap_undirected


def _counts(u, v, in_core):
    return int(np.sum(in_core[u] & in_core[v])), int(np.sum(~in_core[u] & ~in_core[v]))


def _er_prefix_rho(n, m, pattern, rng):
    """Degree-prefix rho (:func:`borgatti_everett` without refinement) of one ``G(n, m)`` graph."""
    x, y = gnm_undirected(n, m, rng)
    deg = np.bincount(np.concatenate([x, y]), minlength=n)
    order = np.argsort(-deg, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return _fit_arrays(n, x, y, deg, rank, pattern, 0)[1]


def core_periphery_test(
    G: nx.Graph,
    n_null: int = 100,
    *,
    pattern: str = "missing",
    max_moves: int = 1000,
    swaps_per_edge: float = 8.0,
    max_swaps_per_edge: float = 64.0,
    n_density_null: int | None = None,
    seed: int = 0,
) -> dict:
    """Fit the Borgatti-Everett model and test it against two nulls.

    ``G`` is any developer network; it is reduced with :func:`cp_graph`.

    * **Density null** (``n_density_null`` samples, default ``n_null``;
      0 skips it): ``G(n, m)`` graphs with the same numbers of nodes and
      edges. It asks whether the network has a denser core and a sparser
      periphery than a random graph of its density; a planted core-periphery
      graph passes it, and so does any network with very unequal degrees.
      Its statistic is the degree-prefix rho (the search without refinement,
      ``prefix_rho``) of the observed and of every null graph: the same
      search on both sides, at a fraction of the cost (a refined search on a
      random graph makes many tiny moves).
    * **Degree-preserving null** (``n_null`` samples): simple graphs with every
      node's degree kept, each from its own edge-swap chain of
      ``swaps_per_edge`` attempted swaps per edge, doubled until the chains
      pass the convergence check or reach ``max_swaps_per_edge``
      (:func:`~hubcommunity.analysis.nullmodels.independent_chains`; the trace
      for the check is the degree-prefix rho and the degree assortativity, and
      four extra chains start from the Havel-Hakimi graph of the degrees, in
      which hubs are tied to hubs, and must end where the others end). It asks
      whether the core is denser than the degrees alone make it. Degrees fix most of a core-periphery fit, so what it detects is
      how accounts of high degree are tied to *each other*: an assortative or
      rich-club mixing raises rho above the null, a disassortative (hub and
      spoke) mixing lowers it. A perfect core-periphery graph (a clique core
      and a periphery tied only to it) is a split graph, fixed by its degree
      sequence (Hammer & Simeone 1981), so it cannot pass this null.

    Every null graph is fitted with the same search as the observed one (same
    ``pattern`` and ``max_moves``). Returns a dict of scalars: ``nodes``,
    ``edges`` (reduced graph), ``core_size``, ``core_share``, ``rho``,
    ``rho_squared`` (share of the variance of the ties over the compared pairs
    that the ideal pattern accounts for), ``prefix_rho``, ``moves``,
    ``moves_capped`` (the search stopped at ``max_moves``), the
    :func:`block_densities` of the fitted partition, ``assortativity``;
    the degree-preserving null's ``null_mean``, ``null_sd``, ``z``,
    ``p_greater``, ``p_less``, ``p_value`` (= ``p_greater``), ``n_null``,
    ``swaps_attempted_per_edge``, ``swaps_accepted_per_edge``,
    ``swap_acceptance``, ``drift_sd``, ``start_gap_sd``, ``converged``, ``null_moves_capped``
    (share of null fits that stopped at ``max_moves``), ``assort_null_mean``,
    ``assort_null_sd``, ``assort_z``; the density null's ``er_mean``,
    ``er_sd``, ``er_z``, ``er_p_greater``, ``n_density_null``; and the
    arrays/sets ``core``, ``null_rho``, ``er_rho``.
    """
    H = cp_graph(G)
    a = _Arrays(H)
    in_core, rho, pk, prho, moves = _fit_arrays(a.n, a.u, a.v, a.deg, a.rank, pattern, max_moves)
    m_cc, m_pp = _counts(a.u, a.v, in_core)
    out = {"nodes": a.n, "edges": a.m, "core_size": int(in_core.sum()),
           "core_share": float(in_core.mean()) if a.n else float("nan"),
           "rho": rho, "rho_squared": rho ** 2, "prefix_rho": prho, "moves": moves,
           "moves_capped": bool(max_moves and moves >= max_moves),
           **block_densities(a.n, a.m, int(in_core.sum()), m_cc, m_pp),
           "assortativity": _assortativity(a.u, a.v, a.deg)}

    def fitted(x, y):
        r = _fit_arrays(a.n, x, y, a.deg, a.rank, pattern, max_moves)
        return r[1], _assortativity(x, y, a.deg), float(bool(max_moves) and r[4] >= max_moves)

    def cheap(x, y):
        return _fit_arrays(a.n, x, y, a.deg, a.rank, pattern, 0)[1], _assortativity(x, y, a.deg)

    second = havel_hakimi_start(a.deg) if n_null and a.m >= 2 else None
    run = independent_chains(a.u, a.v, a.n, fitted, directed=False, n_samples=n_null,
                             swaps_per_edge=swaps_per_edge, max_swaps_per_edge=max_swaps_per_edge, trace=cheap,
                             second_start=second, seed=seed)
    deg_null = run.summary(rho, 0)
    assort = run.summary(out["assortativity"], 1)
    out.update(deg_null)
    out["p_value"] = deg_null["p_greater"]
    out["null_moves_capped"] = float(np.nanmean(run.values[:, 2])) if n_null else float("nan")
    out.update({"assort_null_mean": assort["null_mean"], "assort_null_sd": assort["null_sd"],
                "assort_z": assort["z"]})
    n_er = n_null if n_density_null is None else n_density_null
    er_rng = np.random.default_rng([seed, 1])
    er = np.array([_er_prefix_rho(a.n, a.m, pattern, er_rng) for _ in range(n_er)]) if a.m else np.empty(0)
    valid = er[~np.isnan(er)]
    er_mean = float(valid.mean()) if valid.size else float("nan")
    er_sd = float(valid.std(ddof=1)) if valid.size > 1 else float("nan")
    out.update({"er_mean": er_mean, "er_sd": er_sd,
                "er_z": (prho - er_mean) / er_sd if er_sd and er_sd > 0 else float("nan"),
                "er_p_greater": empirical_p(valid, prho, "greater"), "n_density_null": int(valid.size)})
    out.update({"core": {a.nodes[i] for i in np.flatnonzero(in_core)}, "null_rho": run.values[:, 0], "er_rho": er})
    return out
