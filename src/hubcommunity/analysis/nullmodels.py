"""Random graphs that keep what a statistic should not be judged on: the null models of RQ2.

A statistic of an observed network (reciprocity, a core-periphery fit, degree
assortativity) means little on its own: part of it follows from the network's
size, density or degrees. Each null model here keeps one of these and
randomises the rest, and :func:`independent_chains` draws *independent*
samples from it with a mixing check.

Graphs are integer edge arrays on nodes ``0..n-1`` (no self-loops, no
multi-edges): undirected edges as ``(u, v)`` with ``u < v``, directed edges as
``(src, dst)``.

Models
------
* **Density** (Erdős-Rényi ``G(n, m)``): :func:`gnm_undirected`, a uniform
  simple graph with the same numbers of nodes and edges. Samples are exactly
  independent.
* **Degrees, undirected** (Maslov & Sneppen 2002, *Science* 296: 910):
  :func:`swap_undirected`, double-edge swaps ``(a-b, c-d) -> (a-d, c-b)`` or
  ``(a-c, b-d)`` that keep every degree and keep the graph simple.
* **In- and out-degrees, directed**: :func:`swap_directed`, swaps
  ``(a->b, c->d) -> (a->d, c->b)`` that keep every node's in- and out-degree.
  Directed swaps alone cannot reverse a directed 3-cycle, so on some small
  dense digraphs they do not reach every graph with the given degrees (Rao,
  Jana & Bandyopadhyay 1996, *Sankhya A* 58: 225; Berger & Müller-Hannemann
  2010, *WG 2010*, LNCS 6410: 220, characterise when). The enumeration test
  reaches every digraph of its small example; on the Hub's large sparse
  networks the convergence checks below stand in for a proof. The sampled
  graphs are "random digraphs with these in- and out-degrees", the model of
  Newman, Strogatz & Watts (2001, *Phys. Rev. E* 64: 026118) conditioned on
  simplicity, and :func:`configuration_reciprocity` gives its large-graph
  expectation of reciprocity as an independent check.

Swaps are applied in vectorised *rounds*: a round pairs the edges at random
into ``m // 2`` disjoint pairs and proposes one swap per pair. Proposals that
could interfere (their node sets share two nodes) are thinned so that the
kept ones are independent (:func:`_independent`), and a kept proposal is
rejected when it would create a self-loop or an edge that already exists.
The round is then a product of independent reversible moves, so the chain
samples uniformly from the simple graphs with the given degrees; a naive
round that accepts every non-conflicting proposal against the current graph
does not (its samples are measurably non-uniform on small graphs). One round
is about ``1/2`` attempted swap per edge.

Sampling and mixing
-------------------
:func:`independent_chains` starts ``n_samples`` chains at the observed graph,
each with its own random stream, runs each for ``swaps_per_edge`` attempted
swaps per edge (doubled until the chains pass the check below, up to a cap),
and keeps the final graph's statistic: the samples are independent by
construction (no autocorrelation between them, unlike samples thinned from
one chain). Two convergence checks decide whether the chains ran long
enough. (1) *Drift*: a cheap trace statistic is recorded halfway and at the
end of every chain; if the chains had not yet forgotten the observed graph,
it would still drift between the two. The drift is measured in units of the
null's own spread, ``|mean_i (x_i(end) - x_i(half))| / sd_i(x_i(end))``: the
amount by which a z-score against the null could still move with longer
chains, below :data:`DRIFT_SD_LIMIT` to pass. (2) *Two starts*: a few extra
chains start from a very different graph with the same degrees (the
Havel-Hakimi graph, hubs tied to hubs) and must end within
:data:`START_GAP_SD_LIMIT` null standard deviations of the main chains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

__all__ = [
    "swap_undirected",
    "swap_directed",
    "gnm_undirected",
    "configuration_reciprocity",
    "NullRun",
    "independent_chains",
    "empirical_p",
    "DRIFT_SD_LIMIT",
    "START_GAP_SD_LIMIT",
    "havel_hakimi_start",
    "directed_havel_hakimi_start",
]

#: Largest drift of a trace statistic between the last two checkpoints, in null standard
#: deviations, that counts as converged (z-scores against the null would move by less).
DRIFT_SD_LIMIT = 0.5

#: Largest gap, in null standard deviations, between the mean trace of chains from a second
#: start and that of the main chains (with 4 second-start chains, 3 standard errors).
START_GAP_SD_LIMIT = 1.5


def _exists(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in ``sorted_keys`` (a sorted int64 array)."""
    if sorted_keys.size == 0 or keys.size == 0:
        return np.zeros(keys.shape, dtype=bool)
    order = np.argsort(keys)  # sorted queries: searchsorted is several times faster
    q = keys[order]
    pos = np.minimum(np.searchsorted(sorted_keys, q), sorted_keys.size - 1)
    out = np.empty(keys.shape, dtype=bool)
    out[order] = sorted_keys[pos] == q
    return out


_PAIR_I = np.array([0, 0, 0, 1, 1, 2])
_PAIR_J = np.array([1, 2, 3, 2, 3, 3])


def _independent(a, b, c, d, n: int) -> np.ndarray:
    """Which proposals of a round can be applied together without breaking detailed balance.

    A proposal swaps the edges of a pair among its four nodes ``a, b, c, d``.
    Two proposals can only interfere (one creating or removing an edge that
    the other checks or creates) when their node sets share two nodes. In
    pair order (random, from the round's permutation), a proposal is kept
    when it is the first to claim every pair of its nodes; proposals with a
    repeated node never change the graph and are dropped. The rule depends
    only on the pairs' node sets and order, which a swap does not change, so
    the reverse round keeps the same proposals: the round is a product of
    independent reversible swaps, and the chain's stationary distribution is
    uniform over the simple graphs with the given degrees (tested by exact
    enumeration in ``tests/test_nullmodels.py``).
    """
    keep = (a != c) & (a != d) & (b != c) & (b != d)
    idx = np.flatnonzero(keep)
    if idx.size < 2:
        return keep
    nodes = np.stack([a[idx], b[idx], c[idx], d[idx]], axis=1)
    x, y = nodes[:, _PAIR_I].ravel(), nodes[:, _PAIR_J].ravel()
    owner = np.repeat(np.arange(idx.size, dtype=np.int64), 6)
    # a node pair can be shared only if both nodes lie in two or more proposals
    shared = np.bincount(nodes.ravel(), minlength=n) >= 2
    both = shared[x] & shared[y]
    if not both.any():
        return keep
    x, y, owner = x[both], y[both], owner[both]
    key = np.minimum(x, y) * n + np.maximum(x, y)
    if float(n) * n * idx.size < 2.0 ** 62:
        s = np.sort(key * idx.size + owner)
        k_sorted, o_sorted = s // idx.size, s % idx.size
    else:  # very large graphs: sort two keys instead of one combined key
        order = np.lexsort((owner, key))
        k_sorted, o_sorted = key[order], owner[order]
    later = np.zeros(k_sorted.size, dtype=bool)
    later[1:] = k_sorted[1:] == k_sorted[:-1]
    ok = np.ones(idx.size, dtype=bool)
    ok[o_sorted[later]] = False
    keep[idx[~ok]] = False
    return keep


def swap_undirected(u: np.ndarray, v: np.ndarray, n: int, rounds: int, rng: np.random.Generator):
    """Degree-preserving double-edge swaps of a simple undirected graph, in vectorised rounds.

    Each round pairs the edges at random, flips a coin per pair for the swap
    ``(a-b, c-d) -> (a-d, c-b)`` or ``(a-c, b-d)``, keeps the proposals that
    cannot interfere (:func:`_independent`) and applies those that create no
    self-loop and no existing edge.

    Parameters
    ----------
    u, v : int arrays, ``u < v``
        The edges of a simple undirected graph on nodes ``0..n-1``.
    n : int
        Number of nodes.
    rounds : int
        Rounds to run; each attempts ``m // 2`` swaps (about 1/2 per edge).
    rng : numpy Generator

    Returns
    -------
    (u, v, accepted) : new edge arrays (``u < v``) and the number of accepted swaps.
    """
    u, v = u.astype(np.int64, copy=True), v.astype(np.int64, copy=True)
    m = u.size
    accepted = 0
    if m < 2:
        return u, v, 0
    half = m // 2
    for _ in range(rounds):
        perm = rng.permutation(m)
        ia, ib = perm[:half], perm[half:2 * half]
        a, b, c, d = u[ia], v[ia], u[ib], v[ib]
        flip = rng.random(half) < 0.5
        ok = _independent(a, b, c, d, n)
        x1, y1 = a, np.where(flip, c, d)
        x2, y2 = np.where(flip, b, c), np.where(flip, d, b)
        p1u, p1v = np.minimum(x1, y1), np.maximum(x1, y1)
        p2u, p2v = np.minimum(x2, y2), np.maximum(x2, y2)
        k1, k2 = p1u * n + p1v, p2u * n + p2v
        keys = np.sort(u * n + v)
        sel = np.flatnonzero(ok)
        ok[sel] = ~_exists(keys, np.concatenate([k1[sel], k2[sel]])).reshape(2, -1).any(axis=0)
        u[ia[ok]], v[ia[ok]] = p1u[ok], p1v[ok]
        u[ib[ok]], v[ib[ok]] = p2u[ok], p2v[ok]
        accepted += int(ok.sum())
    return u, v, accepted


def swap_directed(src: np.ndarray, dst: np.ndarray, n: int, rounds: int, rng: np.random.Generator):
    """In- and out-degree-preserving swaps ``(a->b, c->d) -> (a->d, c->b)`` of a simple digraph.

    Each round pairs the edges at random, keeps the proposals that cannot
    interfere (:func:`_independent`) and applies those that create no
    self-loop and no existing edge.

    Parameters
    ----------
    src, dst : int arrays
        The edges ``src[i] -> dst[i]`` of a digraph on ``0..n-1`` without
        self-loops or repeated edges.
    n : int
        Number of nodes.
    rounds : int
        Rounds to run; each attempts ``m // 2`` swaps.
    rng : numpy Generator

    Returns
    -------
    (src, dst, accepted) : new edge arrays and the number of accepted swaps.
    """
    src, dst = src.astype(np.int64, copy=True), dst.astype(np.int64, copy=True)
    m = src.size
    accepted = 0
    if m < 2:
        return src, dst, 0
    half = m // 2
    for _ in range(rounds):
        perm = rng.permutation(m)
        ia, ib = perm[:half], perm[half:2 * half]
        a, b, c, d = src[ia], dst[ia], src[ib], dst[ib]
        ok = _independent(a, b, c, d, n)
        k1, k2 = a * n + d, c * n + b
        keys = np.sort(src * n + dst)
        sel = np.flatnonzero(ok)
        ok[sel] = ~_exists(keys, np.concatenate([k1[sel], k2[sel]])).reshape(2, -1).any(axis=0)
        dst[ia[ok]] = d[ok]
        dst[ib[ok]] = b[ok]
        accepted += int(ok.sum())
    return src, dst, accepted


def gnm_undirected(n: int, m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A uniform random simple graph with ``n`` nodes and ``m`` edges (Erdős-Rényi ``G(n, m)``).

    Draws node pairs uniformly, drops self-pairs and repeats, and draws again
    until ``m`` distinct pairs are left; returns ``(u, v)`` with ``u < v``,
    sorted by ``(u, v)``. Raises ``ValueError`` when ``m`` exceeds the number
    of pairs.
    """
    pairs = n * (n - 1) // 2
    if m > pairs:
        raise ValueError(f"G(n={n}, m={m}): more edges than the {pairs} node pairs")
    keys = np.empty(0, dtype=np.int64)
    while keys.size < m:
        need = m - keys.size
        draw = max(16, int(need * 1.1) + 16)
        a = rng.integers(0, n, draw)
        b = rng.integers(0, n, draw)
        a, b = a[a != b], b[a != b]
        new = np.minimum(a, b) * n + np.maximum(a, b)
        # keep the first occurrence of each new pair, in draw order, so the result is uniform
        _, first = np.unique(new, return_index=True)
        new = new[np.sort(first)]
        new = new[~np.isin(new, keys)][:need]
        keys = np.concatenate([keys, new])
    keys = np.sort(keys)
    return keys // n, keys % n


def configuration_reciprocity(out_degree: np.ndarray, in_degree: np.ndarray) -> float:
    """Expected reciprocity of a large sparse random digraph with these in- and out-degrees.

    With ``m`` edges and ``P(i -> j) = k_i^out k_j^in / m`` (directed
    configuration model; Newman, Strogatz & Watts 2001), the expected number of
    reciprocated edges is ``sum_{i != j} P(i -> j) P(j -> i) = ((sum_i x_i)^2 -
    sum_i x_i^2) / m^2`` with ``x_i = k_i^out k_i^in``, and reciprocity is that
    divided by ``m``. Valid while every ``P(i -> j)`` is well below 1 (no hub
    pairs); the edge-swap null is exact where it is not. NaN with no edge.
    """
    kout = np.asarray(out_degree, dtype=np.float64)
    kin = np.asarray(in_degree, dtype=np.float64)
    m = kout.sum()
    if m == 0:
        return float("nan")
    x = kout * kin
    return float((x.sum() ** 2 - (x ** 2).sum()) / m ** 3)


def empirical_p(null: np.ndarray, observed: float, tail: str = "greater") -> float:
    """Monte Carlo p-value ``(1 + #{null at least as extreme}) / (1 + n)`` (Davison & Hinkley 1997, eq. 4.11).

    ``tail``: ``"greater"`` (null >= observed) or ``"less"`` (null <= observed).
    NaN values in ``null`` are ignored; NaN when nothing is left or ``observed`` is NaN.
    """
    null = np.asarray(null, dtype=np.float64)
    null = null[~np.isnan(null)]
    if null.size == 0 or np.isnan(observed):
        return float("nan")
    if tail == "greater":
        hits = np.sum(null >= observed - 1e-12)
    elif tail == "less":
        hits = np.sum(null <= observed + 1e-12)
    else:
        raise ValueError(f"unknown tail {tail!r}; expected 'greater' or 'less'")
    return float((1 + hits) / (1 + null.size))


@dataclass
class NullRun:
    """Samples of a null model and how well its chains mixed.

    ``values``: the statistic(s) of each independent sample, shape ``(n_samples,
    n_statistics)`` (one column per value the statistic returns). ``trace``: the trace
    statistics at each checkpoint, shape ``(n_samples, n_checkpoints,
    n_traces)``; ``checkpoints``: attempted swaps per edge at each.
    ``attempted_per_edge`` / ``accepted_per_edge``: swaps per edge of one chain
    (attempted; accepted on average); ``acceptance``: accepted / attempted.
    ``drift_sd``: drift of each trace statistic between the last two
    checkpoints in null standard deviations; ``start_gap_sd``: for each trace
    statistic, the gap between the chains from the second start and the main
    chains (empty without a second start); ``converged``: every drift below
    :data:`DRIFT_SD_LIMIT` and every gap below :data:`START_GAP_SD_LIMIT`.
    """

    values: np.ndarray
    trace: np.ndarray
    checkpoints: np.ndarray
    attempted_per_edge: float
    accepted_per_edge: float
    acceptance: float
    drift_sd: np.ndarray
    start_gap_sd: np.ndarray
    converged: bool

    def summary(self, observed: float, column: int = 0) -> dict:
        """Mean, s.d., z, empirical p both ways (of statistic ``column``) and the mixing figures, as a flat dict."""
        vals = self.values[:, column]
        vals = vals[~np.isnan(vals)]
        mean = float(vals.mean()) if vals.size else float("nan")
        sd = float(vals.std(ddof=1)) if vals.size > 1 else float("nan")
        z = (observed - mean) / sd if sd and sd > 0 and not np.isnan(observed) else float("nan")
        return {
            "null_mean": mean, "null_sd": sd, "z": z,
            "p_greater": empirical_p(vals, observed, "greater"), "p_less": empirical_p(vals, observed, "less"),
            "n_null": int(vals.size), "swaps_attempted_per_edge": self.attempted_per_edge,
            "swaps_accepted_per_edge": self.accepted_per_edge, "swap_acceptance": self.acceptance,
            "drift_sd": float(np.nanmax(self.drift_sd)) if np.any(~np.isnan(self.drift_sd)) else float("nan"),
            "start_gap_sd": (float(np.nanmax(self.start_gap_sd)) if np.any(~np.isnan(self.start_gap_sd))
                             else float("nan")),
            "converged": bool(self.converged),
        }


def _drift_in_sd(before: np.ndarray, after: np.ndarray) -> float:
    """``|mean(after - before)| / sd(after)``; 0 when nothing varies, NaN with fewer than 2 values."""
    ok = ~np.isnan(before) & ~np.isnan(after)
    before, after = before[ok], after[ok]
    if after.size < 2:
        return float("nan")
    drift = abs(float((after - before).mean()))
    sd = float(after.std(ddof=1))
    if sd == 0:
        return 0.0 if drift == 0 else float("inf")
    return drift / sd


def havel_hakimi_start(degree: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A simple graph with these degrees, hubs tied to hubs first (Havel-Hakimi; ``u < v``).

    An overdispersed start for the convergence check of
    :func:`independent_chains`: the highest-degree nodes are tied to each other
    first, where an observed social network is usually disassortative.
    """
    H = nx.havel_hakimi_graph([int(k) for k in degree])
    e = np.asarray(list(H.edges()), dtype=np.int64).reshape(-1, 2)
    return np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1])


def directed_havel_hakimi_start(out_degree: np.ndarray, in_degree: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A simple digraph with these out- and in-degrees (Kleitman-Wang / directed Havel-Hakimi)."""
    H = nx.directed_havel_hakimi_graph([int(k) for k in in_degree], [int(k) for k in out_degree])
    e = np.asarray(list(H.edges()), dtype=np.int64).reshape(-1, 2)
    return e[:, 0], e[:, 1]


def _gap_in_sd(main: np.ndarray, other: np.ndarray) -> float:
    """``|mean(other) - mean(main)| / sd(main)``; 0 when nothing varies."""
    main, other = main[~np.isnan(main)], other[~np.isnan(other)]
    if main.size < 2 or other.size == 0:
        return float("nan")
    gap = abs(float(other.mean() - main.mean()))
    sd = float(main.std(ddof=1))
    if sd == 0:
        return 0.0 if gap == 0 else float("inf")
    return gap / sd


def independent_chains(
    a: np.ndarray,
    b: np.ndarray,
    n: int,
    statistic: Callable[[np.ndarray, np.ndarray], float],
    *,
    directed: bool,
    n_samples: int = 100,
    swaps_per_edge: float = 4.0,
    max_swaps_per_edge: float | None = 64.0,
    trace: Callable[[np.ndarray, np.ndarray], Sequence[float]] | None = None,
    second_start: tuple[np.ndarray, np.ndarray] | None = None,
    n_second: int = 4,
    seed: int = 0,
) -> NullRun:
    """Independent samples of a degree-preserving null, each from its own chain, run until they mix.

    Every chain starts at the observed graph and runs ``swaps_per_edge``
    attempted swaps per edge, with the trace recorded halfway and at the end.
    Two checks follow: the *drift* between the two checkpoints must be below
    :data:`DRIFT_SD_LIMIT` null standard deviations, and, when
    ``second_start`` is given (another graph with the same degrees, e.g.
    :func:`havel_hakimi_start`), ``n_second`` chains started there must end
    with a mean trace within :data:`START_GAP_SD_LIMIT` null standard
    deviations of the main chains' (chains from two different starts meeting
    is the classic evidence that both have forgotten their start). If a check
    fails, every chain runs on to twice as many swaps and both checks are
    repeated, up to ``max_swaps_per_edge`` (``None``: never double). The
    statistic is evaluated once, on each main chain's final graph.

    Parameters
    ----------
    a, b : int arrays
        The observed edges (undirected: ``a < b``; directed: ``a -> b``).
    n : int
        Number of nodes.
    statistic : callable ``(a, b) -> float or tuple of floats``
        Evaluated on each chain's final graph: the sample (several values give
        several columns of ``NullRun.values``).
    directed : bool
        Directed swaps (keep in- and out-degrees) or undirected ones (keep degrees).
    n_samples : int
        Chains, hence samples.
    swaps_per_edge : float
        Attempted swaps per edge of each chain before the first check
        (rounds = ``ceil(2 * swaps_per_edge)``, at least 2).
    max_swaps_per_edge : float or None
        Most attempted swaps per edge a chain may reach by doubling.
    trace : callable ``(a, b) -> sequence of floats``, optional
        Cheap statistics recorded at each checkpoint (default: ``statistic``).
    second_start : (int array, int array), optional
        The edges of another graph with the same degrees.
    n_second : int
        Chains from ``second_start``.
    seed : int
        Seed of the parent random stream; chain ``i`` uses child stream ``i``.

    Returns
    -------
    NullRun
    """
    trace = trace or (lambda x, y: tuple(np.atleast_1d(np.asarray(statistic(x, y), dtype=np.float64))))
    swap = swap_directed if directed else swap_undirected
    m = a.size
    rounds = max(2, int(np.ceil(2 * swaps_per_edge)))
    limit = rounds if max_swaps_per_edge is None else max(rounds, int(np.ceil(2 * max_swaps_per_edge)))
    n_alt = n_second if second_start is not None and n_samples else 0
    rngs = np.random.default_rng(seed).spawn(n_samples + n_alt) if n_samples else []
    states = [(a, b)] * n_samples + [second_start] * n_alt
    accepted = np.zeros(n_samples + n_alt, dtype=np.int64)
    marks: list[int] = []
    traces: list[list] = []  # per checkpoint: one trace row per chain (main chains first)

    def advance(to_round: int) -> None:
        done = marks[-1] if marks else 0
        rows = []
        for i, rng in enumerate(rngs):
            x, y, acc = swap(*states[i], n, to_round - done, rng)
            states[i] = (x, y)
            accepted[i] += acc
            rows.append(list(trace(x, y)))
        marks.append(to_round)
        traces.append(rows)

    advance(rounds // 2)
    advance(rounds)
    while True:
        full = (np.asarray(traces, dtype=np.float64).transpose(1, 0, 2) if n_samples
                else np.empty((0, len(marks), 0)))
        tr, alt = full[:n_samples], full[n_samples:]
        drift = (np.array([_drift_in_sd(tr[:, -2, j], tr[:, -1, j]) for j in range(tr.shape[2])])
                 if n_samples else np.empty(0))
        gap = (np.array([_gap_in_sd(tr[:, -1, j], alt[:, -1, j]) for j in range(tr.shape[2])])
               if n_alt else np.empty(0))
        converged = bool(np.all(np.nan_to_num(drift, nan=0.0) < DRIFT_SD_LIMIT)
                         and np.all(np.nan_to_num(gap, nan=0.0) < START_GAP_SD_LIMIT))
        if converged or 2 * marks[-1] > limit:
            break
        advance(2 * marks[-1])
    values = [np.atleast_1d(np.asarray(statistic(x, y), dtype=np.float64)) for x, y in states[:n_samples]]
    vals = np.vstack(values) if values else np.empty((0, 1))
    attempted = marks[-1] * (m // 2)
    main_acc = accepted[:n_samples]
    return NullRun(
        values=vals,
        trace=tr,
        checkpoints=np.asarray(marks, dtype=np.float64) * (m // 2) / max(m, 1),
        attempted_per_edge=attempted / m if m else float("nan"),
        accepted_per_edge=float(main_acc.mean()) / m if m and n_samples else float("nan"),
        acceptance=float(main_acc.mean()) / attempted if attempted and n_samples else float("nan"),
        drift_sd=drift,
        start_gap_sd=gap,
        converged=converged,
    )
