"""describe_network / comparison_table compose the statistics consistently."""

import networkx as nx
import pytest

from hubcommunity.analysis.network import ROW_LABELS, comparison_table, describe_network, reciprocity_frame


def planted():
    """A mutual clique core of 10 with a one-way ring periphery and 3 self-loop-only accounts."""
    G = nx.DiGraph()
    core = range(10)
    G.add_edges_from((u, v) for u in core for v in core if u != v)
    ring = [f"p{i}" for i in range(60)]
    G.add_edges_from((ring[i], ring[(i + 1) % 60]) for i in range(60))
    G.add_edges_from((ring[i], ring[(i + 2) % 60]) for i in range(60))
    G.add_edges_from((c, ring[6 * c]) for c in core)
    G.add_edges_from(("solo1", "solo1") for _ in range(1))
    G.add_edges_from([("solo2", "solo2"), ("solo3", "solo3")])
    return G


def test_describe_network_row_is_consistent():
    d = describe_network(planted(), n_null=39, seed=1)
    row = d["row"]
    assert set(row) == set(ROW_LABELS)
    assert row["isolates"] == 3 and row["cp_nodes"] == row["nodes"] - 3
    assert d["cp"]["core"] == set(range(10)) and row["p_value"] == pytest.approx(1 / 40)
    assert row["reciprocity_core"] == 1.0 and row["reciprocity_periphery"] == 0.0
    assert row["k_max"] == 9 and row["k_max_core_size"] == 10  # the clique: 9 neighbours each inside it


def test_comparison_table_and_reciprocity_frame():
    d = {"a": describe_network(planted(), n_null=5), "b": describe_network(nx.DiGraph([(1, 2), (2, 1), (3, 3)]), n_null=5)}
    table = comparison_table(d, rows=["nodes", "isolates", "reciprocity"])
    assert list(table.columns) == ["statistic", "a", "b"]
    assert table.loc["nodes", "b"] == 3 and table.loc["isolates", "b"] == 1 and table.loc["reciprocity", "b"] == 1.0
    frame = reciprocity_frame(d)
    assert len(frame) == 6 and set(frame["position"]) == {"core", "between", "periphery"}
