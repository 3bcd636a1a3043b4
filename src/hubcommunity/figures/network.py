"""Altair chart builders for the network chapter (RQ2).

Chart functions take small tidy DataFrames and return Altair charts; the two
``*_frame(s)`` helpers prepare those frames from graphs (thinned CCDFs, a
force-directed layout of the core), so that no chart inlines a hairball.

- :func:`degree_ccdf_frame` / :func:`degree_ccdf_chart` -- in- and out-degree
  CCDFs on log-log axes, one colour per network;
- :func:`reciprocity_chart` -- reciprocity inside the core, between core and
  periphery, and inside the periphery, per network (bars);
- :func:`core_drawing_frames` / :func:`core_drawing_chart` -- a node-link
  drawing of the top of the core (positions from
  :func:`networkx.spring_layout`, fixed seed), with tooltips, pan and zoom.
"""

from __future__ import annotations

import altair as alt
import networkx as nx
import pandas as pd

from hubcommunity.analysis.distributions import ccdf
from hubcommunity.privacy import display_accounts

__all__ = [
    "degree_ccdf_frame",
    "degree_ccdf_chart",
    "reciprocity_chart",
    "core_drawing_frames",
    "core_drawing_chart",
]

_WIDTH, _HEIGHT = 300, 260
POSITION_ORDER = ["core", "between", "periphery"]


def _require(frame: pd.DataFrame, columns, who: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{who}: data lacks column(s) {missing}")


def degree_ccdf_frame(degrees: dict[str, pd.DataFrame], max_points: int = 60) -> pd.DataFrame:
    """Long CCDF table of in- and out-degree per network.

    ``degrees`` maps a network label to its
    :func:`hubcommunity.analysis.network_stats.degree_table`. Returns columns
    ``network``, ``direction`` (``in``/``out``), ``x``, ``ccdf`` (``P(X >=
    x)`` over all nodes of the network, zeros included in the denominator),
    each curve thinned to at most ``max_points`` exact points on a log grid.
    """
    parts = []
    for label, table in degrees.items():
        for direction in ("in", "out"):
            curve = ccdf(table[f"{direction}_degree"], max_points=max_points)
            parts.append(curve.assign(network=label, direction=direction))
    if not parts:
        return pd.DataFrame(columns=["network", "direction", "x", "ccdf"])
    return pd.concat(parts, ignore_index=True)[["network", "direction", "x", "ccdf"]]


def degree_ccdf_chart(curves: pd.DataFrame, *, title: str = "") -> alt.FacetChart:
    """Log-log CCDFs of degree, faceted by direction, one colour per network."""
    _require(curves, ("network", "direction", "x", "ccdf"), "degree_ccdf_chart")
    base = (
        alt.Chart(curves)
        .mark_line(point=alt.OverlayMarkDef(size=10), interpolate="step-after")
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(type="log"), title="degree (distinct other accounts)"),
            y=alt.Y("ccdf:Q", scale=alt.Scale(type="log"), title="P(X ≥ x)"),
            color=alt.Color("network:N", title="network"),
            tooltip=[alt.Tooltip("network:N"), alt.Tooltip("direction:N"), alt.Tooltip("x:Q", format=","),
                     alt.Tooltip("ccdf:Q", format=".3g")],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )
    return base.facet(column=alt.Column("direction:N", title="degree", header=alt.Header(labelExpr="datum.value + '-degree'")),
                      title=title)


def reciprocity_chart(frame: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """Grouped bars: share of reciprocated ties by position, per network.

    ``frame``: columns ``network``, ``position`` (``core``, ``between``,
    ``periphery``), ``reciprocity`` (share in [0, 1]) and ``edges`` (ties in
    that class, shown in the tooltip).
    """
    _require(frame, ("network", "position", "reciprocity", "edges"), "reciprocity_chart")
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("position:N", sort=POSITION_ORDER, title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("network:N"),
            y=alt.Y("reciprocity:Q", axis=alt.Axis(format="%"), title="reciprocated ties"),
            color=alt.Color("network:N", title="network"),
            tooltip=[alt.Tooltip("network:N"), alt.Tooltip("position:N"),
                     alt.Tooltip("reciprocity:Q", format=".2%"), alt.Tooltip("edges:Q", format=",")],
        )
        .properties(width=2 * _WIDTH, height=_HEIGHT)
    )


def core_drawing_frames(G: nx.DiGraph, core, top_k: int = 40, seed: int = 0,
                        named: frozenset[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges of a drawing of the ``top_k`` highest-degree core members.

    ``G`` is a developer network, ``core`` the set of its core nodes (e.g. the
    Borgatti-Everett core). Takes the ``top_k`` core nodes with the most
    distinct neighbours (self-loops ignored) and the ties among them, and
    draws those with at least one such tie (a member tied only to the
    periphery would float away from the drawing; ``nodes.attrs["left_out"]``
    counts them). Positions come from :func:`networkx.kamada_kawai_layout`
    started from a seeded :func:`networkx.spring_layout`, so the drawing is the
    same on every build. Returns ``nodes`` (``name``, ``x``, ``y``,
    ``degree``, ``ties_shown``) and ``edges`` (``source``, ``target``, ``x``,
    ``y``, ``x2``, ``y2``, ``weight``, ``mutual``); a mutual pair is one row.
    ``named`` (lower-cased names that may be shown, :func:`hubcommunity.privacy.named_accounts`):
    every other account appears under its pseudonym in ``name``, ``source`` and
    ``target``; ``None`` shows names as they are (for hand-made graphs).
    """
    H = nx.Graph()
    H.add_edges_from((u, v) for u, v in G.edges() if u != v)
    members = [v for v in core if v in H]
    members.sort(key=lambda v: (-H.degree(v), str(v)))
    top = members[:top_k]
    S = G.subgraph(top)
    # The layout depends on node and edge order; G's order can follow set iteration
    # (which changes with Python's hash seed), so impose one: the drawing is then
    # identical on every build.
    U = nx.Graph()
    U.add_nodes_from(v for v in top if any(u != v for u in nx.all_neighbors(S, v)))
    U.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in S.edges() if u != v))
    keep = [v for v in top if v in U]
    if keep:
        start = nx.spring_layout(U, seed=seed)
        pos = nx.kamada_kawai_layout(U, pos=start)
    else:
        pos = {}
    nodes = pd.DataFrame({
        "name": [str(v) for v in keep],
        "x": [float(pos[v][0]) for v in keep],
        "y": [float(pos[v][1]) for v in keep],
        "degree": [H.degree(v) for v in keep],
        "ties_shown": [U.degree(v) for v in keep],
    })
    nodes.attrs["left_out"] = len(top) - len(keep)
    rows = []
    for u, v in U.edges():
        w = sum(G[a][b].get("weight", 1) for a, b in ((u, v), (v, u)) if G.has_edge(a, b))
        rows.append({"source": str(u), "target": str(v), "x": float(pos[u][0]), "y": float(pos[u][1]),
                     "x2": float(pos[v][0]), "y2": float(pos[v][1]), "weight": int(w),
                     "mutual": bool(G.has_edge(u, v) and G.has_edge(v, u))})
    edges = pd.DataFrame(rows, columns=["source", "target", "x", "y", "x2", "y2", "weight", "mutual"])
    if named is not None:
        left_out = nodes.attrs["left_out"]
        nodes["name"] = display_accounts(nodes["name"], named)
        nodes.attrs["left_out"] = left_out
        for col in ("source", "target"):
            edges[col] = display_accounts(edges[col], named)
    return nodes, edges


def core_drawing_chart(nodes: pd.DataFrame, edges: pd.DataFrame, *, title: str = "", labels: int = 12) -> alt.LayerChart:
    """Node-link drawing: ties as lines (dark when mutual), accounts as circles sized by degree.

    The ``labels`` highest-degree nodes are named; every node and tie has a
    tooltip; drag to pan, scroll to zoom.
    """
    _require(nodes, ("name", "x", "y", "degree", "ties_shown"), "core_drawing_chart (nodes)")
    _require(edges, ("source", "target", "x", "y", "x2", "y2", "weight", "mutual"), "core_drawing_chart (edges)")
    axis = dict(axis=None)
    zoom = alt.selection_interval(bind="scales")
    lines = (
        alt.Chart(edges)
        .mark_rule()
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(zero=False), **axis), y=alt.Y("y:Q", scale=alt.Scale(zero=False), **axis),
            x2="x2:Q", y2="y2:Q",
            color=alt.Color("mutual:N", scale=alt.Scale(domain=[True, False], range=["#4e79a7", "#c9c9c9"]),
                            title="tie both ways"),
            strokeWidth=alt.StrokeWidth("weight:Q", scale=alt.Scale(type="log", range=[0.6, 4]), legend=None),
            tooltip=[alt.Tooltip("source:N"), alt.Tooltip("target:N"), alt.Tooltip("weight:Q", format=","),
                     alt.Tooltip("mutual:N", title="both ways")],
        )
        .add_params(zoom)
    )
    points = (
        alt.Chart(nodes)
        .mark_circle(color="#e15759", opacity=0.9, stroke="white", strokeWidth=0.8)
        .encode(
            x="x:Q", y="y:Q",
            size=alt.Size("degree:Q", scale=alt.Scale(type="sqrt", range=[30, 600]), title="degree"),
            tooltip=[alt.Tooltip("name:N", title="account"), alt.Tooltip("degree:Q", format=",", title="degree (whole network)"),
                     alt.Tooltip("ties_shown:Q", title="ties drawn")],
        )
    )
    top = nodes.nlargest(labels, "degree")
    text = alt.Chart(top).mark_text(dy=-10, fontSize=10).encode(x="x:Q", y="y:Q", text="name:N")
    return alt.layer(lines, points, text, title=title).properties(width=560, height=460)
