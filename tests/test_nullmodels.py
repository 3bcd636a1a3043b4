"""Null models with known answers: exact uniformity, kept degrees, G(n, m), mixing checks."""

import collections
import itertools

import networkx as nx
import numpy as np
import pytest
from scipy.stats import chisquare

from hubcommunity.analysis.nullmodels import (
    DRIFT_SD_LIMIT,
    configuration_reciprocity,
    directed_havel_hakimi_start,
    empirical_p,
    gnm_undirected,
    havel_hakimi_start,
    independent_chains,
    swap_directed,
    swap_undirected,
)


def _thinned_chain(swap, a, b, n, samples, rounds_between, seed):
    """Graphs visited by one long chain, every ``rounds_between`` rounds (as frozensets of edges)."""
    rng = np.random.default_rng(seed)
    x, y = a, b
    seen = collections.Counter()
    x, y, _ = swap(x, y, n, 20, rng)  # burn-in
    for _ in range(samples):
        x, y, _ = swap(x, y, n, rounds_between, rng)
        seen[frozenset(zip(x.tolist(), y.tolist()))] += 1
    return seen


def test_undirected_swaps_sample_uniformly_from_all_graphs_with_the_degrees():
    # Every simple graph with this degree sequence, by enumeration: the chain must visit each
    # equally often. (A round that accepts every non-conflicting proposal fails this test.)
    n = 6
    edges = [(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (4, 5), (1, 5)]
    deg = np.bincount(np.ravel(edges), minlength=n)
    graphs = [frozenset(c) for c in itertools.combinations(itertools.combinations(range(n), 2), len(edges))
              if np.array_equal(np.bincount(np.ravel(c), minlength=n), deg)]
    assert len(graphs) == 54
    u, v = np.array([e[0] for e in edges]), np.array([e[1] for e in edges])
    seen = _thinned_chain(swap_undirected, u, v, n, samples=2000, rounds_between=10, seed=1)
    assert set(seen) == set(graphs)
    assert chisquare([seen[g] for g in graphs]).pvalue > 1e-3


def test_directed_swaps_sample_uniformly_from_all_digraphs_with_the_degrees():
    n = 5
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 1), (3, 4), (4, 0)]
    kout = np.bincount([e[0] for e in edges], minlength=n)
    kin = np.bincount([e[1] for e in edges], minlength=n)
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    graphs = [frozenset(c) for c in itertools.combinations(pairs, len(edges))
              if np.array_equal(np.bincount([e[0] for e in c], minlength=n), kout)
              and np.array_equal(np.bincount([e[1] for e in c], minlength=n), kin)]
    assert len(graphs) == 64
    s, d = np.array([e[0] for e in edges]), np.array([e[1] for e in edges])
    seen = _thinned_chain(swap_directed, s, d, n, samples=2400, rounds_between=10, seed=2)
    assert set(seen) == set(graphs)
    assert chisquare([seen[g] for g in graphs]).pvalue > 1e-3


def test_swaps_keep_degrees_and_simplicity_on_a_hub_heavy_graph():
    H = nx.barabasi_albert_graph(400, 2, seed=1)
    e = np.asarray(list(H.edges()))
    u, v = np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1])
    nu, nv, acc = swap_undirected(u, v, 400, 10, np.random.default_rng(0))
    assert acc > 0 and np.all(nu < nv) and len(set(zip(nu.tolist(), nv.tolist()))) == len(nu)
    assert np.array_equal(np.bincount(np.r_[u, v], minlength=400), np.bincount(np.r_[nu, nv], minlength=400))
    D = nx.gnm_random_graph(300, 1500, directed=True, seed=3)
    e = np.asarray(list(D.edges()))
    s, d, acc = swap_directed(e[:, 0], e[:, 1], 300, 10, np.random.default_rng(0))
    assert acc > 0 and np.all(s != d) and len(set(zip(s.tolist(), d.tolist()))) == len(s)
    assert np.array_equal(np.bincount(e[:, 0], minlength=300), np.bincount(s, minlength=300))
    assert np.array_equal(np.bincount(e[:, 1], minlength=300), np.bincount(d, minlength=300))


def test_gnm_draws_m_distinct_pairs_uniformly():
    n, m = 8, 10
    counts = np.zeros((n, n))
    rng = np.random.default_rng(4)
    for _ in range(3000):
        u, v = gnm_undirected(n, m, rng)
        assert u.size == m and np.all(u < v) and len(set(zip(u.tolist(), v.tolist()))) == m
        counts[u, v] += 1
    inclusion = counts[np.triu_indices(n, 1)]
    assert chisquare(inclusion).pvalue > 1e-3  # every pair equally likely: 3000 * 10 / 28 each
    with pytest.raises(ValueError, match="more edges"):
        gnm_undirected(4, 7, rng)


def test_configuration_reciprocity_matches_the_swap_null_on_a_sparse_random_digraph():
    D = nx.gnm_random_graph(2000, 8000, directed=True, seed=5)
    e = np.asarray(list(D.edges()))
    n = 2000

    def rec(x, y):
        keys = set((x * n + y).tolist())
        return np.mean([k in keys for k in (y * n + x).tolist()])

    run = independent_chains(e[:, 0], e[:, 1], n, rec, directed=True, n_samples=30, swaps_per_edge=2, seed=0)
    expected = configuration_reciprocity(np.bincount(e[:, 0], minlength=n), np.bincount(e[:, 1], minlength=n))
    mean, se = run.values[:, 0].mean(), run.values[:, 0].std(ddof=1) / np.sqrt(30)
    assert abs(mean - expected) < 4 * se + 0.1 * expected  # about 8000 / 2000^2 = 0.002


def _ba_and_havel_hakimi(n=500, k=3, seed=2):
    H = nx.barabasi_albert_graph(n, k, seed=seed)
    e = np.asarray(list(H.edges()))
    u, v = np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1])
    deg = np.bincount(np.r_[u, v], minlength=n)
    hu, hv = havel_hakimi_start(deg)

    def assortativity(x, y):
        return (np.corrcoef(np.r_[deg[x], deg[y]], np.r_[deg[y], deg[x]])[0, 1],)

    return u, v, hu, hv, deg, assortativity


def test_chains_that_have_not_mixed_fail_the_check_and_doubling_fixes_it():
    # Started from the Havel-Hakimi graph (hubs tied to hubs), degree assortativity falls
    # for several swaps per edge: one swap per edge has not mixed, and the check says so;
    # doubling runs the chains on until it passes.
    u, v, hu, hv, deg, assortativity = _ba_and_havel_hakimi()
    short = independent_chains(hu, hv, 500, assortativity, directed=False, n_samples=12, swaps_per_edge=0.5,
                               max_swaps_per_edge=None, seed=1)
    assert not short.converged and short.drift_sd.max() >= DRIFT_SD_LIMIT
    assert short.attempted_per_edge == pytest.approx(1.0, rel=0.02)  # at least two rounds: 1 swap per edge
    long = independent_chains(hu, hv, 500, assortativity, directed=False, n_samples=12, swaps_per_edge=0.5,
                              max_swaps_per_edge=64, seed=1)
    assert long.converged and long.attempted_per_edge > 2 and long.checkpoints[-1] == pytest.approx(
        long.attempted_per_edge, rel=0.02)
    assert 0 < long.acceptance <= 1 and long.accepted_per_edge <= long.attempted_per_edge
    # where the mixed chains end does not depend on the start: chains from the BA graph agree
    other = independent_chains(u, v, 500, assortativity, directed=False, n_samples=12, swaps_per_edge=8, seed=2)
    sd = long.values[:, 0].std(ddof=1)
    assert abs(long.values[:, 0].mean() - other.values[:, 0].mean()) < 3 * sd
    summary = long.summary(observed=assortativity(hu, hv)[0])
    assert summary["z"] > 5 and summary["p_greater"] == pytest.approx(1 / 13) and summary["converged"]


def test_chains_from_a_second_start_must_meet_the_others():
    u, v, hu, hv, deg, assortativity = _ba_and_havel_hakimi()
    assert np.array_equal(np.bincount(np.r_[hu, hv], minlength=500), deg)
    early = independent_chains(u, v, 500, assortativity, directed=False, n_samples=12, swaps_per_edge=0.5,
                               max_swaps_per_edge=None, second_start=(hu, hv), seed=3)
    assert early.start_gap_sd.max() > 1.5 and not early.converged  # Havel-Hakimi starts far more assortative
    late = independent_chains(u, v, 500, assortativity, directed=False, n_samples=12, swaps_per_edge=0.5,
                              second_start=(hu, hv), seed=3)
    assert late.converged and late.start_gap_sd.max() < 1.5
    s, d = directed_havel_hakimi_start(np.array([2, 1, 1, 0]), np.array([0, 1, 1, 2]))
    assert sorted(np.bincount(s, minlength=4)) == [0, 1, 1, 2] and np.all(s != d)


def test_empirical_p_counts_the_observed_value_as_one_sample():
    null = np.array([0.1, 0.2, 0.3, np.nan])
    assert empirical_p(null, 0.25, "greater") == pytest.approx(2 / 4)
    assert empirical_p(null, 0.25, "less") == pytest.approx(3 / 4)
    assert empirical_p(null, 0.5, "greater") == pytest.approx(1 / 4)
    assert np.isnan(empirical_p(np.array([]), 0.1))
