"""describe_network / comparison_table compose the statistics consistently."""

import networkx as nx
import pytest

from hubcommunity.analysis import network as net
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
    d = describe_network(planted(), n_null=39, n_density_null=9, seed=1)
    row = d["row"]
    assert set(ROW_LABELS) <= set(row)
    assert row["isolates"] == 3 and row["cp_nodes"] == row["nodes"] - 3
    assert d["cp"]["core"] == set(range(10)) and row["p_greater"] == pytest.approx(1 / 40)
    plain = describe_network(planted(), core_test=False)
    assert "cp" not in plain and "rho" not in plain["row"] and plain["row"]["nodes"] == row["nodes"]
    assert row["reciprocity_core"] == 1.0 and row["reciprocity_periphery"] == 0.0
    assert row["k_max"] == 9 and row["k_max_core_size"] == 10  # the clique: 9 neighbours each inside it


def test_comparison_table_and_reciprocity_frame():
    d = {"a": describe_network(planted(), n_null=5, n_density_null=5),
         "b": describe_network(nx.DiGraph([(1, 2), (2, 1), (3, 3)]), n_null=5, n_density_null=5)}
    table = comparison_table(d, rows=["nodes", "isolates", "reciprocity"])
    assert list(table.columns) == ["statistic", "a", "b"]
    assert table.loc["nodes", "b"] == 3 and table.loc["isolates", "b"] == 1 and table.loc["reciprocity", "b"] == 1.0
    frame = reciprocity_frame(d)
    assert len(frame) == 6 and set(frame["position"]) == {"core", "between", "periphery"}


def test_describe_networks_reuses_identical_graphs():
    G = planted()
    H = planted()
    W = planted()
    W["p0"]["p1"]["weight"] = 7  # same ties, different weight: not the same network
    d = net.describe_networks({"a": G, "b": H, "c": W, "d": nx.DiGraph([(1, 2)])}, n_null=3, n_density_null=3)
    assert d["a"] is d["b"] and d["c"] is not d["a"] and d["d"]["row"]["nodes"] == 2
    assert net.same_graph(G, H) and not net.same_graph(G, W)


def test_identity_merge_effect():
    G = nx.DiGraph()
    G.add_edge("model-maker-1", "alice", weight=1)
    G.add_edge("model_maker_1", "bob", weight=2)  # the same name after normalisation
    G.add_edge("carol", "dave", weight=1)
    G.add_edge("erin", "erin", weight=1)
    row, pairs = net.identity_merge_effect(G)
    assert row["accounts"] == 7 and row["identities"] == 6 and row["accounts merged"] == 1
    assert row["isolate share before"] == pytest.approx(1 / 7) and row["isolate share after"] == pytest.approx(1 / 6)
    assert pairs.empty  # equal normalised names are merged without a fuzzy pair


def test_subfield_networks_and_statistics_frame():
    import pandas as pd

    repos = pd.DataFrame({"repo_type": "model", "repo_id": ["a/cv1", "b/nlp1", "c/none"],
                          "pipeline_tag": ["image-classification", "text-generation", None]})
    disc = pd.DataFrame({"repo_type": "model", "repo_id": ["a/cv1", "b/nlp1", "c/none"], "num": [1, 1, 1],
                         "is_pull_request": [True, True, False], "status": ["merged", "open", "open"],
                         "opener": ["u", "v", "w"]})
    events = pd.DataFrame({"repo_type": "model", "repo_id": ["a/cv1"], "num": [1], "type": ["comment"], "author": ["a"]})
    base = pd.DataFrame({"model_id": ["a/cv1", "c/none"], "base_model_id": ["z/base", "z/base"]})
    g = net.subfield_networks(disc, events, base, repos)
    assert set(g[("cv", "pr")].edges()) == {("u", "a")} and set(g[("nlp", "pr")].edges()) == {("v", "b")}
    assert set(g[("cv", "disc")].edges()) == {("a", "u")} and g[("multimodal", "pr")].number_of_nodes() == 0
    assert set(g[("cv", "deriv")].edges()) == {("a", "z")} and g[("nlp", "deriv")].number_of_edges() == 0
    frame = net.statistics_frame(g)
    assert frame.loc[("cv", "pr"), "nodes"] == 2 and frame.index.names == ["subfield", "network"]
