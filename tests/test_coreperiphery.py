"""Core-periphery: closed-form correlation, known cores, null-model tests."""

import itertools

import networkx as nx
import numpy as np
import pytest

from hubcommunity.analysis.coreperiphery import (
    be_correlation,
    block_densities,
    borgatti_everett,
    core_periphery_test,
    cp_graph,
    degree_assortativity,
    kcore_onion,
    kcore_summary,
    rewire,
)


def brute_rho(H, core, pattern):
    """Pearson correlation over unordered pairs, computed directly."""
    nodes = list(H)
    a, d = [], []
    for u, v in itertools.combinations(nodes, 2):
        cu, cv = u in core, v in core
        if pattern == "missing" and cu != cv:
            continue
        a.append(H.has_edge(u, v))
        d.append(cu or cv if pattern == "or" else cu and cv)
    return np.corrcoef(np.asarray(a, float), np.asarray(d, float))[0, 1]


def perfect_cp(k=8, p=30, attach=3, seed=1):
    """Clique core 0..k-1; each periphery node tied to `attach` core nodes only."""
    rng = np.random.default_rng(seed)
    G = nx.complete_graph(k)
    for i in range(k, k + p):
        for c in rng.choice(k, attach, replace=False):
            G.add_edge(i, int(c))
    return G


def planted_core(k=12, p=80, seed=2):
    """A clique core whose members each have one periphery tie, in a ring-lattice periphery.

    Core and periphery degrees are not far apart (12 vs 4-5), so the dense core
    is *not* implied by the degree sequence: a degree-preserving null destroys it.
    """
    G = nx.complete_graph(k)
    ring = nx.circulant_graph(p, [1, 2])
    G.add_edges_from((u + k, v + k) for u, v in ring.edges())
    for c in range(k):
        G.add_edge(c, k + c * (p // k))
    return G


@pytest.mark.parametrize("pattern", ["missing", "or"])
def test_closed_form_matches_brute_force(pattern):
    H = nx.gnp_random_graph(14, 0.3, seed=5)
    rng = np.random.default_rng(0)
    for _ in range(20):
        core = set(np.flatnonzero(rng.random(14) < 0.4).tolist())
        if len(core) < 2 or len(core) > 11:
            continue
        m_cc = H.subgraph(core).number_of_edges()
        m_pp = H.subgraph(set(H) - core).number_of_edges()
        got = be_correlation(14, H.number_of_edges(), len(core), m_cc, m_pp, pattern)
        assert got == pytest.approx(brute_rho(H, core, pattern))


def test_perfect_core_periphery_is_found():
    G = perfect_cp()
    fit = borgatti_everett(G)
    assert fit.core == set(range(8)) and fit.rho == pytest.approx(1.0)


def test_perfect_core_periphery_passes_the_density_null_and_not_the_degree_null():
    # A clique core plus an independent periphery is a split graph, and split graphs are
    # determined by their degree sequence (Hammer & Simeone 1981): every degree-preserving
    # rewiring is again perfectly core-periphery, so that null reproduces rho = 1 and cannot
    # flag the structure. Random graphs of the same density have no such core: it passes.
    r = core_periphery_test(perfect_cp(), n_null=30, n_density_null=49, seed=1)
    assert r["core"] == set(range(8)) and r["rho"] == pytest.approx(1.0)
    assert r["null_mean"] == pytest.approx(1.0) and r["p_greater"] == 1.0 and r["p_less"] == 1.0
    assert r["prefix_rho"] == pytest.approx(1.0) and r["er_mean"] < 0.5
    assert r["er_p_greater"] == pytest.approx(1 / 50)
    assert r["density_core"] == 1.0 and r["density_between"] == pytest.approx(90 / 240)
    assert r["density_periphery"] == 0.0
    assert r["converged"] and r["swaps_attempted_per_edge"] >= 8 and r["n_null"] == 30


def test_planted_core_passes_both_nulls():
    r = core_periphery_test(planted_core(), n_null=39, n_density_null=39, seed=3)
    assert r["core"] == set(range(12)) and not r["moves_capped"]
    assert r["p_greater"] == pytest.approx(1 / 40) and r["z"] > 5
    assert r["er_p_greater"] == pytest.approx(1 / 40)
    assert r["density_core"] == 1.0 and r["density_between"] == pytest.approx(12 / (12 * 80))
    assert r["rho_squared"] == pytest.approx(r["rho"] ** 2)
    assert r["converged"] and 0 < r["swap_acceptance"] <= 1 and r["start_gap_sd"] < 1.5


def test_hub_and_spoke_scores_below_its_degree_null():
    # Stars joined only through their leaves: the hubs are never tied to each other, far less
    # than their degrees allow, so the fit falls below the degree-preserving null and the
    # assortativity is lower than the null's.
    G = nx.Graph()
    for h in range(6):
        G.add_edges_from((f"h{h}", f"l{h}-{i}") for i in range(25))
    for h in range(6):
        for i in range(25):
            G.add_edge(f"l{h}-{i}", f"l{(h + 1) % 6}-{i}")
    r = core_periphery_test(G, n_null=29, n_density_null=29, seed=4)
    assert r["p_less"] == pytest.approx(1 / 30) and r["z"] < -3
    assert r["assortativity"] < r["assort_null_mean"] and r["assort_z"] < -3


def test_block_densities_and_assortativity_known_values():
    assert block_densities(6, 5, 2, 1, 1) == {"density_core": 1.0, "density_between": 3 / 8,
                                               "density_periphery": 1 / 6, "density": 5 / 15}
    for H in (nx.barabasi_albert_graph(200, 2, seed=1), nx.gnp_random_graph(100, 0.1, seed=2), perfect_cp()):
        assert degree_assortativity(H) == pytest.approx(nx.degree_assortativity_coefficient(H))
    assert np.isnan(degree_assortativity(nx.cycle_graph(5)))  # every degree equal


def test_erdos_renyi_is_not_significant():
    # An ER graph given its degrees is a uniform draw from the null, so its
    # p-values are uniform: about 1 in 20 at p <= 0.05, and a mean near 1/2.
    pvals = np.array([core_periphery_test(nx.gnp_random_graph(80, 0.08, seed=s), n_null=19, n_density_null=0,
                                          seed=s)["p_greater"] for s in range(20)])
    assert np.sum(pvals <= 0.05) <= 3
    assert 0.3 < pvals.mean() < 0.7


def test_refinement_never_lowers_the_fit():
    H = nx.gnp_random_graph(60, 0.1, seed=7)
    plain = borgatti_everett(H, max_moves=0)
    refined = borgatti_everett(H, max_moves=100)
    assert plain.moves == 0 and refined.rho >= plain.rho
    assert refined.rho == pytest.approx(brute_rho(H, refined.core, "missing"))


def test_rewire_keeps_degrees_and_simplicity():
    H = nx.barabasi_albert_graph(300, 3, seed=1)
    e = np.asarray(list(H.edges()))
    u, v = np.minimum(e[:, 0], e[:, 1]), np.maximum(e[:, 0], e[:, 1])
    nu, nv, acc = rewire(u, v, 300, 10, np.random.default_rng(0))
    assert acc > 0
    assert np.all(nu != nv) and np.all(nu < nv)
    assert len(set(zip(nu.tolist(), nv.tolist()))) == len(nu)  # no multi-edges
    before = np.bincount(np.concatenate([u, v]), minlength=300)
    after = np.bincount(np.concatenate([nu, nv]), minlength=300)
    assert np.array_equal(before, after)
    assert set(zip(nu.tolist(), nv.tolist())) != set(zip(u.tolist(), v.tolist()))


def test_cp_graph_and_kcore_onion():
    D = nx.DiGraph([(0, 1), (1, 0), (1, 2), (2, 0), (3, 3), (2, 4)])
    H = cp_graph(D)
    assert set(H) == {0, 1, 2, 4} and H.number_of_edges() == 4 and nx.number_of_selfloops(H) == 0
    frame = kcore_onion(H).set_index("node")
    assert frame["core_number"].to_dict() == {0: 2, 1: 2, 2: 2, 4: 1}
    assert frame.loc[4, "onion_layer"] == 1 and frame.loc[0, "onion_layer"] == 2
    assert kcore_summary(frame.reset_index()) == {"k_max": 2, "k_max_core_size": 3, "k_shells": 2, "onion_layers": 2}
    with pytest.raises(ValueError, match="self-loops"):
        kcore_onion(nx.Graph([(1, 1)]))
