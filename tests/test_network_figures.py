"""The RQ2 chart builders: frames with known content, valid Vega-Lite, SVG renders."""

import networkx as nx
import pandas as pd
import pytest

from hubcommunity.analysis.network_stats import degree_table
from hubcommunity.figures import network as fig
from hubcommunity.figures.render import to_spec, to_svg
from hubcommunity.privacy import pseudonym


def star_plus():
    G = nx.DiGraph()
    G.add_edges_from([("hub", f"l{i}") for i in range(5)] + [("l0", "hub"), ("l1", "l1")])
    return G


def test_degree_ccdf_frame_known_values():
    curves = fig.degree_ccdf_frame({"toy": degree_table(star_plus())})
    out = curves[(curves.direction == "out")]
    # out-degrees: hub 5, l0 1, others 0 (the l1 self-loop does not count) over 6 nodes
    assert out["x"].tolist() == [1, 5] and out["ccdf"].tolist() == pytest.approx([2 / 6, 1 / 6])
    spec = fig.degree_ccdf_chart(curves).to_dict(validate=True)
    assert spec["spec"]["encoding"]["x"]["scale"]["type"] == "log"
    assert to_svg(to_spec(fig.degree_ccdf_chart(curves))).lstrip().startswith("<svg")


def test_reciprocity_chart():
    frame = pd.DataFrame({"network": ["a", "a", "a"], "position": ["core", "between", "periphery"],
                          "reciprocity": [0.5, 0.1, 0.0], "edges": [10, 20, 30]})
    spec = fig.reciprocity_chart(frame).to_dict(validate=True)
    assert spec["encoding"]["y"]["field"] == "reciprocity"
    with pytest.raises(KeyError, match="edges"):
        fig.reciprocity_chart(frame.drop(columns="edges"))


def test_core_drawing_frames_keep_top_k_and_mutual_ties():
    G = nx.DiGraph()
    G.add_edges_from([("a", "b"), ("b", "a"), ("a", "c"), ("b", "c"), ("c", "d"), ("a", "x"), ("b", "y"),
                      ("e", "p1"), ("e", "p2"), ("e", "p3"), ("e", "p4")])
    nodes, edges = fig.core_drawing_frames(G, core={"a", "b", "c", "d", "e"}, top_k=4)
    # top 4 by degree: e (4), a (3), b (3), c (3); d is fifth; e has no tie inside the top
    assert set(nodes["name"]) == {"a", "b", "c"} and nodes.attrs["left_out"] == 1
    pairs = {frozenset((s, t)): m for s, t, m in edges[["source", "target", "mutual"]].itertuples(index=False)}
    assert pairs == {frozenset("ab"): True, frozenset("ac"): False, frozenset("bc"): False}
    assert edges.loc[edges["mutual"], "weight"].tolist() == [2]
    again, _ = fig.core_drawing_frames(G, core={"a", "b", "c", "d", "e"}, top_k=4)
    assert again[["x", "y"]].equals(nodes[["x", "y"]])  # seeded layout: same drawing every build
    shown, shown_edges = fig.core_drawing_frames(G, core={"a", "b", "c", "d", "e"}, top_k=4, named=frozenset({"a"}))
    assert set(shown["name"]) == {"a", pseudonym("b"), pseudonym("c")} and shown.attrs["left_out"] == 1
    assert set(shown_edges["source"]) | set(shown_edges["target"]) <= set(shown["name"])
    assert shown[["x", "y"]].equals(nodes[["x", "y"]])
    chart = fig.core_drawing_chart(nodes, edges, labels=2)
    spec = chart.to_dict(validate=True)
    assert len(spec["layer"]) == 3
    assert "<svg" in to_svg(to_spec(chart))


def test_core_drawing_is_identical_across_hash_seeds():
    """The drawing's positions must not depend on set iteration order (PYTHONHASHSEED)."""
    import os
    import subprocess
    import sys

    script = (
        "import random, networkx as nx\n"
        "from hubcommunity.figures.network import core_drawing_frames\n"
        "rng = random.Random(3)\n"
        "names = [f'user{i}' for i in range(60)]\n"
        "edges = {(rng.choice(names), rng.choice(names)) for _ in range(300)}\n"
        "G = nx.DiGraph(); G.add_edges_from(e for e in edges if e[0] != e[1])\n"
        "nodes, _ = core_drawing_frames(G, set(names[:40]), top_k=20)\n"
        "print(nodes.round(6).to_csv())\n"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in (1, 2, 3)
    }
    assert len(outputs) == 1
