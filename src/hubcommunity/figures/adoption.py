"""Altair chart builders for the adoption chapter (RQ3).

Each function takes a small tidy DataFrame (already aggregated by
:mod:`hubcommunity.analysis.adoption` / :mod:`hubcommunity.analysis.owners`)
and returns an Altair chart; none computes statistics. Charts are drawn
offline by :mod:`hubcommunity.figures.render` through
:meth:`hubcommunity.results.ChapterResults.figure`.

- :func:`ccdf_chart` -- complementary CDFs on log-log axes, one line per series
  (Spaces and the derivation measures), optionally with a rule at a cap;
- :func:`kind_share_chart` -- share of adoption by kind of owner (bars);
- :func:`subfield_share_chart` -- share of adoption by subfield (bars);
- :func:`scatter_chart` -- one count against another on log(1 + x) axes,
  coloured by group, with chosen models labelled;
- :func:`adoption_rate_chart` -- share of models adopted per bin of popularity.
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
    "scatter_chart",
    "adoption_rate_chart",
    "scatter_sample",
    "label_heights",
]

#: Colours of owner kinds (colour-blind-safe Tableau 10 subset; grey = unclassified).
KIND_COLOURS = {
    "company": "#4e79a7",
    "academic": "#f28e2b",
    "non-profit": "#59a14f",
    "individual": "#e15759",
    "automated": "#b07aa1",
    UNCLASSIFIED: "#bab0ac",
}

_WIDTH, _HEIGHT = 520, 320


def _require(frame: pd.DataFrame, columns, who: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{who}: data lacks column(s) {missing}")


def ccdf_chart(curves: pd.DataFrame, *, x_title: str = "adoption (x)", series_title: str = "measure",
               title: str | None = None, cap: float | None = None, cap_label: str = "cap") -> alt.Chart:
    """Log-log CCDF lines: ``P(X >= x)`` against ``x``, one colour per ``series``.

    ``curves``: long DataFrame with ``series`` (str), ``x`` (> 0) and
    ``ccdf`` (in (0, 1]), e.g. from
    :func:`hubcommunity.analysis.adoption.adoption_ccdfs`. Points are drawn on
    the lines so that sparse tails stay visible. ``cap``: draw a dashed
    vertical rule at that x, labelled ``cap_label`` (e.g. where counts are
    censored).
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
    if cap is None:
        return chart
    rule_data = pd.DataFrame({"x": [float(cap)], "label": [cap_label]})
    rule = alt.Chart(rule_data).mark_rule(color="grey", strokeDash=[4, 3]).encode(x="x:Q")
    text = alt.Chart(rule_data).mark_text(align="right", dx=-4, dy=-6, color="grey", baseline="top").encode(
        x="x:Q", y=alt.value(0), text="label:N")
    return alt.layer(chart, rule, text)


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


def label_heights(y: pd.Series, labelled: pd.Series, gap: float = 0.18, x: pd.Series | None = None,
                  x_gap: float = 0.3) -> pd.Series:
    """Heights for labels on a log axis, stacked so that no two nearby labels are within ``gap`` decades.

    Labelled points are taken from the lowest up; each label goes at its
    point's height or, if that is closer than ``gap`` (log10 units) to a label
    already placed, ``gap`` above it. With ``x`` (positive values on a log
    axis), only labels within ``x_gap`` decades horizontally count as nearby,
    so labels far apart in x keep their points' heights. Unlabelled rows keep
    their ``y``.
    """
    out = y.astype(float).copy()
    placed: list[tuple[float, float]] = []  # (log10 x, log10 label height)
    for idx in y[labelled.astype(bool)].astype(float).sort_values(kind="stable").index:
        lx = float(np.log10(x[idx])) if x is not None else 0.0
        level = float(np.log10(out[idx]))
        moved = True
        while moved:
            moved = False
            for px, pl in placed:
                if abs(px - lx) < (x_gap if x is not None else np.inf) and abs(pl - level) < gap - 1e-12:
                    level = pl + gap
                    moved = True
        out[idx] = 10.0**level
        placed.append((lx, level))
    return out


def scatter_chart(points: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str,
                  color: str | None = None, color_title: str = "", colors: dict[str, str] | None = None,
                  title: str | None = None) -> alt.LayerChart:
    """Scatter of two counts on log(1 + value) axes, with labelled models.

    ``points``: one row per model with a ``model`` (display id) column, the
    count columns ``x`` and ``y`` (>= 0; drawn as value + 1 so zeros fit a log
    axis), ``label`` (str; empty for unlabelled points) and optionally the
    group column ``color`` (``colors``: group -> colour, in legend order).
    Labels are drawn to the left of their point, stacked upwards when close
    (:func:`label_heights`).
    """
    cols = ("model", x, y, "label") + ((color,) if color else ())
    _require(points, cols, "scatter_chart")
    data = points.assign(
        x_1=points[x].astype(float) + 1.0,
        y_1=points[y].astype(float) + 1.0,
        labelled=points["label"].fillna("").astype(str) != "",
    )
    data["label_y"] = label_heights(data["y_1"], data["labelled"], gap=0.13, x=data["x_1"])
    xs = alt.X("x_1:Q", scale=alt.Scale(type="log"), title=f"{x_title} (+1)")
    ys = alt.Y("y_1:Q", scale=alt.Scale(type="log"), title=f"{y_title} (+1)")
    base = alt.Chart(data)
    scale = alt.Scale(domain=list(colors), range=list(colors.values())) if colors else alt.Undefined
    colour = (alt.Color(f"{color}:N", title=color_title, scale=scale,
                        legend=alt.Legend(orient="bottom", labelLimit=0))
              if color else alt.value("#4e79a7"))
    dots = base.mark_circle(size=22, opacity=0.55).encode(
        x=xs, y=ys, color=colour,
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip(f"{x}:Q", format=",", title=x_title),
                 alt.Tooltip(f"{y}:Q", format=",", title=y_title)],
    )
    labels = base.transform_filter("datum.labelled").mark_text(align="right", dx=-5, fontSize=10).encode(
        x=xs, y=alt.Y("label_y:Q", scale=alt.Scale(type="log")), text="label:N"
    )
    return alt.layer(dots, labels, title=title or "").properties(width=_WIDTH, height=_HEIGHT + 60)


def adoption_rate_chart(bins: pd.DataFrame, *, x_title: str, y_title: str, title: str | None = None) -> alt.Chart:
    """Bars: the share of models adopted in each bin of a popularity variable, bins in their given order.

    ``bins``: rows of :func:`hubcommunity.analysis.adoption.adoption_by_bin`
    (``bin``, ``models``, ``adopted``, ``share_adopted``), optionally with a
    ``measure`` column (bars side by side per measure).
    """
    _require(bins, ("bin", "models", "adopted", "share_adopted"), "adoption_rate_chart")
    order = list(dict.fromkeys(bins["bin"]))
    enc = {
        "x": alt.X("bin:N", sort=order, title=x_title, axis=alt.Axis(labelAngle=-40)),
        "y": alt.Y("share_adopted:Q", axis=alt.Axis(format="%"), title=y_title),
        "tooltip": [alt.Tooltip("bin:N", title=x_title), alt.Tooltip("models:Q", format=","),
                    alt.Tooltip("adopted:Q", format=","), alt.Tooltip("share_adopted:Q", format=".2%")],
    }
    if "measure" in bins.columns:
        enc["color"] = alt.Color("measure:N", title="measure", legend=alt.Legend(orient="bottom", labelLimit=0))
        enc["xOffset"] = alt.XOffset("measure:N")
    return alt.Chart(bins, title=title or "").mark_bar().encode(**enc).properties(width=_WIDTH, height=_HEIGHT - 40)
