"""Network statistics on small hand-made digraphs with known answers."""

import math

import networkx as nx
import pytest

from hubcommunity.analysis.network_stats import (
    STAT_LABELS,
    degree_table,
    network_statistics,
    paper_isolates,
    reciprocity,
    reciprocity_by_position,
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
