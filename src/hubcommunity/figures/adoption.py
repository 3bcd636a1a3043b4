"""Altair chart builders for the adoption chapter (RQ3).

Each function takes a small tidy DataFrame (already aggregated by
:mod:`hubcommunity.analysis.adoption` / :mod:`hubcommunity.analysis.owners`)
and returns an Altair chart; none computes statistics. Charts are drawn
offline by :mod:`hubcommunity.figures.render` through
:meth:`hubcommunity.results.ChapterResults.figure`.

- :func:`ccdf_chart` -- complementary CDFs on log-log axes, one line per series
  (space vs derivation adoption, or one per relation);
- :func:`kind_share_chart` -- share of adoption by kind of owner (bars);
- :func:`subfield_share_chart` -- share of adoption by subfield (bars);
- :func:`adoption_vs_downloads_chart` -- scatter of adoption against
  downloads on log axes, with chosen models labelled.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from hubcommunity.analysis.owners import OWNER_KINDS, UNCLASSIFIED

__all__ = [
    "ccdf_chart",
    "kind_share_chart",
    "subfield_share_chart",
    "adoption_vs_downloads_chart",
    "scatter_sample",
    "label_heights",
]

#: Colours of owner kinds (colour-blind-safe Tableau 10 subset; grey = unclassified).
KIND_COLOURS = {
    "company": "#4e79a7",
    "academic": "#f28e2b",
    "non-profit": "#59a14f",
    "individual": "#e15759",
    UNCLASSIFIED: "#bab0ac",
}

_WIDTH, _HEIGHT = 520, 320


def _require(frame: pd.DataFrame, columns, who: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{who}: data lacks column(s) {missing}")


def ccdf_chart(curves: pd.DataFrame, *, x_title: str = "adoption (x)", series_title: str = "measure",
               title: str | None = None) -> alt.Chart:
    """Log-log CCDF lines: ``P(X >= x)`` against ``x``, one colour per ``series``.

    ``curves``: long DataFrame with ``series`` (str), ``x`` (> 0) and
    ``ccdf`` (in (0, 1]), e.g. from
    :func:`hubcommunity.analysis.adoption.adoption_ccdfs`. Points are drawn on
    the lines so that sparse tails stay visible.
    """
    _require(curves, ("series", "x", "ccdf"), "ccdf_chart")
    chart = (
        alt.Chart(curves, title=title or "")
        .mark_line(point=alt.OverlayMarkDef(size=12), interpolate="step-after")
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(type="log"), title=x_title),
            y=alt.Y("ccdf:Q", scale=alt.Scale(type="log"), title="P(X ≥ x)"),
            # Series names such as "derivation: quantized" are long: legend below, untruncated.
            color=alt.Color("series:N", title=series_title,
                            legend=alt.Legend(orient="bottom", columns=3, labelLimit=0)),
            tooltip=[alt.Tooltip("series:N"), alt.Tooltip("x:Q", format=","), alt.Tooltip("ccdf:Q", format=".3g")],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )
    return chart


def kind_share_chart(shares: pd.DataFrame, *, title: str | None = None) -> alt.Chart:
    """Horizontal bars: share of adoption held by each kind of owner.

    ``shares``: rows of :func:`hubcommunity.analysis.owners.share_by_kind`
    (``kind``, ``share``, ``adoption``, ``owners``), optionally with a
    ``measure`` column (e.g. "spaces", "derivation") to draw one row of bars
    per measure.
    """
    _require(shares, ("kind", "share", "adoption", "owners"), "kind_share_chart")
    order = [*OWNER_KINDS, UNCLASSIFIED]
    base = alt.Chart(shares, title=title or "").encode(
        x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of all adoption"),
        y=alt.Y("kind:N", sort=order, title="kind of owner"),
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=list(KIND_COLOURS), range=list(KIND_COLOURS.values())),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("kind:N"),
            alt.Tooltip("share:Q", format=".1%"),
            alt.Tooltip("adoption:Q", format=","),
            alt.Tooltip("owners:Q", format=","),
        ],
    )
    bars = base.mark_bar()
    labels = base.mark_text(align="left", dx=3, color="black").encode(
        text=alt.Text("share:Q", format=".1%"), color=alt.value("black")
    )
    layered = alt.layer(bars, labels).properties(width=_WIDTH - 120, height=150)
    if "measure" in shares.columns:
        return layered.facet(row=alt.Row("measure:N", title=None))
    return layered


def subfield_share_chart(subfields: pd.DataFrame, *, title: str | None = None) -> alt.Chart:
    """Bars: share of adoption going to models of each subfield, with the top-10% share as a label.

    ``subfields``: rows of
    :func:`hubcommunity.analysis.adoption.subfield_concentration`
    (``subfield``, ``share_of_adoption``, ``adoption``, ``top10_share``,
    ``gini``), optionally with a ``measure`` column to colour bars by measure.
    """
    _require(subfields, ("subfield", "share_of_adoption", "adoption", "top10_share", "gini"), "subfield_share_chart")
    order = ["cv", "nlp", "multimodal", "other"]
    enc = {
        "x": alt.X("subfield:N", sort=order, title="subfield of the adopted model"),
        "y": alt.Y("share_of_adoption:Q", axis=alt.Axis(format="%"), title="share of all adoption"),
        "tooltip": [
            alt.Tooltip("subfield:N"),
            alt.Tooltip("share_of_adoption:Q", format=".1%"),
            alt.Tooltip("adoption:Q", format=","),
            alt.Tooltip("top10_share:Q", format=".1%", title="top 10% of adopted models hold"),
            alt.Tooltip("gini:Q", format=".2f"),
        ],
    }
    if "measure" in subfields.columns:
        enc["color"] = alt.Color("measure:N", title="measure")
        enc["xOffset"] = alt.XOffset("measure:N")
    return alt.Chart(subfields, title=title or "").mark_bar().encode(**enc).properties(width=_WIDTH - 160, height=_HEIGHT - 60)


def scatter_sample(frame: pd.DataFrame, n: int, keep: pd.Series | None = None, seed: int = 0) -> pd.DataFrame:
    """Downsample rows for a scatter plot: ``n`` random rows plus every row where ``keep`` is True.

    Deterministic for a given ``seed``. Returns the rows in their original order.
    """
    keep = pd.Series(False, index=frame.index) if keep is None else keep.reindex(frame.index, fill_value=False)
    rest = frame.index[~keep.to_numpy(bool)]
    rng = np.random.default_rng(seed)
    chosen = rng.choice(rest, size=min(n, len(rest)), replace=False) if len(rest) else []
    index = frame.index[keep.to_numpy(bool)].union(pd.Index(chosen))
    return frame.loc[frame.index.isin(index)]


def label_heights(y: pd.Series, labelled: pd.Series, gap: float = 0.18) -> pd.Series:
    """Heights for labels on a log axis, stacked so that none is within ``gap`` decades of another.

    Labelled points are taken from the lowest up; each label goes at its
    point's height or, if that is closer than ``gap`` (log10 units) to the
    label below it, ``gap`` above that label. Unlabelled rows keep their ``y``.
    """
    out = y.astype(float).copy()
    last = -np.inf
    for idx in y[labelled.astype(bool)].astype(float).sort_values(kind="stable").index:
        level = max(np.log10(out[idx]), last + gap)
        out[idx] = 10.0**level
        last = level
    return out


def adoption_vs_downloads_chart(points: pd.DataFrame, *, y_title: str = "adoption", title: str | None = None) -> alt.LayerChart:
    """Scatter of adoption against downloads on log axes, with labelled models.

    ``points``: one row per model with ``model_id``, ``downloads``,
    ``adoption`` (both >= 0; drawn as value + 1 so zeros fit a log axis) and
    ``label`` (str; empty for unlabelled points). Optional ``predicted``
    (the fitted line, adoption units) is drawn as a line. Labels are drawn
    to the left of their point; labels of points at nearly the same height
    are stacked upwards (:func:`label_heights`) so they do not overprint.
    """
    _require(points, ("model_id", "downloads", "adoption", "label"), "adoption_vs_downloads_chart")
    data = points.assign(
        downloads_1=points["downloads"].astype(float) + 1.0,
        adoption_1=points["adoption"].astype(float) + 1.0,
        labelled=points["label"].fillna("").astype(str) != "",
    )
    data["label_y"] = label_heights(data["adoption_1"], data["labelled"])
    if "predicted" in data.columns:
        data["predicted_1"] = data["predicted"].astype(float) + 1.0
    x = alt.X("downloads_1:Q", scale=alt.Scale(type="log"), title="downloads, 30 days (+1)")
    y = alt.Y("adoption_1:Q", scale=alt.Scale(type="log"), title=f"{y_title} (+1)")
    base = alt.Chart(data)
    dots = base.mark_circle(size=14, opacity=0.35).encode(
        x=x,
        y=y,
        color=alt.condition("datum.labelled", alt.value("#e15759"), alt.value("#4e79a7")),
        tooltip=[
            alt.Tooltip("model_id:N"),
            alt.Tooltip("downloads:Q", format=","),
            alt.Tooltip("adoption:Q", format=",", title=y_title),
        ],
    )
    labels = base.transform_filter("datum.labelled").mark_text(align="right", dx=-5, fontSize=10).encode(
        x=x, y=alt.Y("label_y:Q", scale=alt.Scale(type="log")), text="label:N"
    )
    layers = [dots, labels]
    if "predicted_1" in data.columns:
        line = base.mark_line(color="black", strokeDash=[4, 3]).encode(x=x, y=alt.Y("predicted_1:Q"))
        layers.insert(1, line)
    return alt.layer(*layers, title=title or "").properties(width=_WIDTH, height=_HEIGHT + 60)
