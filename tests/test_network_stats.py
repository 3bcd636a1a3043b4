"""Network statistics on small hand-made digraphs with known answers."""

import math

import networkx as nx
import numpy as np
import pytest

from hubcommunity.analysis.network_stats import (
    STAT_LABELS,
    degree_table,
    isolates_on,
    network_statistics,
    paper_isolates,
    reciprocity,
    reciprocity_by_position,
    reciprocity_test,
    tied_nodes,
    union_network,
    without_self_loops,
)


def toy():
    """a<->b, b->c, c->a, d (self-loop only), e (no edge at all), f->g."""
    G = nx.DiGraph()
    G.add_edges_from([("a", "b"), ("b", "a"), ("b", "c"), ("c", "a"), ("d", "d"), ("f", "g")], weight=1)
    G["a"]["b"]["weight"] = 5
    G.add_node("e")
    return G


def test_isolates_count_self_loop_only_nodes():
    G = toy()
    assert sorted(paper_isolates(G)) == ["d", "e"]
    assert list(nx.isolates(G)) == ["e"]  # networkx misses d
    assert paper_isolates(G.to_undirected()) == ["d", "e"]


def test_reciprocity_ignores_self_loops():
    G = toy()
    # non-loop edges: ab, ba, bc, ca, fg -> 2 reciprocated of 5
    assert reciprocity(G) == pytest.approx(2 / 5)
    assert reciprocity(without_self_loops(G)) == pytest.approx(nx.overall_reciprocity(without_self_loops(G)))
    assert math.isnan(reciprocity(nx.DiGraph([("x", "x")])))


def test_reciprocity_by_position():
    G = toy()
    out = reciprocity_by_position(G, core={"a", "b"})
    assert out["edges_core"] == 2 and out["reciprocity_core"] == 1.0
    assert out["edges_between"] == 2 and out["reciprocity_between"] == 0.0  # b->c, c->a
    assert out["edges_periphery"] == 1 and out["reciprocity_periphery"] == 0.0  # f->g
    # node level: a has 3 incident non-loop edges, 2 reciprocated; b 3 and 2; c, f, g: 0
    assert out["node_reciprocity_core"] == pytest.approx(2 / 3)
    assert out["node_reciprocity_periphery"] == 0.0 and out["nodes_periphery"] == 3


def test_network_statistics_known_values():
    s = network_statistics(toy())
    assert list(s) == list(STAT_LABELS)
    assert s["nodes"] == 7 and s["edges"] == 6 and s["edges_no_loops"] == 5 and s["self_loops"] == 1
    assert s["total_weight"] == 10
    assert s["isolates"] == 2 and s["isolate_share"] == pytest.approx(2 / 7)
    assert s["density"] == pytest.approx(5 / (7 * 6))
    assert s["reciprocity"] == pytest.approx(0.4)
    assert s["wcc"] == 4  # {a,b,c}, {f,g}, {d}, {e}
    assert s["giant_wcc_share"] == pytest.approx(3 / 7)
    assert s["giant_wcc_share_non_isolates"] == pytest.approx(3 / 5)
    assert s["scc_nontrivial"] == 1 and s["giant_scc_share"] == pytest.approx(3 / 7)
    assert s["max_in_degree"] == 2 and s["max_out_degree"] == 2  # a <- b, c ; b -> a, c


def test_degree_table():
    d = degree_table(toy()).set_index("node")
    assert d.loc["a", ["in_degree", "out_degree", "degree"]].tolist() == [2, 1, 2]
    assert d.loc["a", "out_strength"] == 5 and d.loc["b", "in_strength"] == 5
    assert d.loc["d", ["degree", "self_loop_weight"]].tolist() == [0, 1]


def test_isolates_on_a_node_set_chosen_independently_of_the_ties():
    G = toy()
    # owners: a (tied), d (self-loop only), e (no edge), z (not in the network)
    got = isolates_on(G, {"a", "d", "e", "z"})
    assert got == {"nodes": 4, "in_network": 3, "tied": 1, "isolates": 3, "isolate_share": 0.75}
    assert tied_nodes(G) == {"a", "b", "c", "f", "g"}
    H = nx.DiGraph([("z", "d")])
    U = union_network([G, H])
    assert isolates_on(U, {"a", "d", "e", "z"})["tied"] == 3 and U.has_edge("d", "d")
    assert np.isnan(isolates_on(G, set())["isolate_share"])


def known_reciprocity(n_mutual=10, n_one_way=80, extra_org_ties=30):
    """10 mutual pairs and 80 one-way ties among accounts 0..199, plus ties to an organisation."""
    G = nx.DiGraph()
    G.add_nodes_from(range(200))
    for i in range(n_mutual):
        G.add_edges_from([(2 * i, 2 * i + 1), (2 * i + 1, 2 * i)])
    for i in range(n_one_way):
        G.add_edge(20 + i, 100 + i)
    G.add_edges_from((120 + i, "org") for i in range(extra_org_ties))
    G.add_edge(5, 5)  # self-loops never count
    return G


def test_reciprocity_test_among_eligible_accounts_has_known_values():
    G = known_reciprocity()
    r = reciprocity_test(G, eligible=set(range(200)), n_null=19, seed=1)
    assert r["ties_all"] == 130 and r["reciprocity_all"] == pytest.approx(20 / 130)
    assert r["nodes"] == 200 and r["ties"] == 100 and r["tie_share"] == pytest.approx(100 / 130)
    assert r["reciprocity"] == pytest.approx(20 / 100)
    assert r["density"] == pytest.approx(100 / (200 * 199))
    assert r["rho_gl"] == pytest.approx((0.2 - r["density"]) / (1 - r["density"]))
    # 20 of the 200 accounts have in- and out-degree 1 and the others one or none: a random
    # digraph with these degrees rarely closes a pair, so the observed 20% is far above the null
    assert r["null_mean"] < 0.02 and r["p_greater"] == pytest.approx(1 / 20)
    assert r["z"] > 5 or (r["null_sd"] == 0 and np.isnan(r["z"]))
    assert r["converged"] and r["n_null"] == 19
    everyone = reciprocity_test(G, n_null=5, seed=1)
    assert everyone["nodes"] == 201 and everyone["reciprocity"] == pytest.approx(20 / 130)


def test_reciprocity_test_on_a_random_digraph_finds_nothing():
    D = nx.gnm_random_graph(400, 2400, directed=True, seed=7)
    r = reciprocity_test(D, n_null=39, seed=2)
    assert abs(r["z"]) < 3 and r["p_greater"] > 0.01 and r["p_less"] > 0.01
    assert r["ratio_null"] == pytest.approx(1, abs=0.5)
    assert r["configuration"] == pytest.approx(r["null_mean"], rel=0.3)
