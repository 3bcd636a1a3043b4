"""Altair chart builders for the chapter on the Hub over time (``book/history.md``).

Each function takes a small tidy frame from
:mod:`hubcommunity.analysis.history_report` and returns an Altair chart; none
computes statistics.

- :func:`trajectories_chart` -- each measure over time, one panel per measure:
  measured listings as dots joined by lines with bootstrap intervals, the
  paper's values as hollow diamonds (a "more than" value with a dashed rule
  up from it);
- :func:`ccdf_chart` -- complementary CDFs of downloads per listing, log-log,
  one panel per repository type;
- :func:`lorenz_chart` -- Lorenz curves per listing, and the same curves as
  "share held by the top x%" on a log axis, one row per repository type;
- :func:`retention_chart` -- rank persistence: share of a listing's top x%
  still in the top x% of a later listing.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from hubcommunity.figures.distributions import REPO_TYPE_COLOURS

__all__ = ["SOURCE_SHAPES", "listing_colours", "trajectories_chart", "ccdf_chart", "lorenz_chart",
           "retention_chart"]

#: Marks of measured listings and of the paper's values.
SOURCE_SHAPES = {"measured listing": "circle", "paper": "diamond"}

#: Colours for listings, oldest first (Tableau 10, colour-blind-safe order).
_LISTING_PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f"]


def _require(frame: pd.DataFrame, columns, who: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{who}: data lacks column(s) {missing}")


def listing_colours(listings) -> alt.Scale:
    """A colour scale giving each listing (in the given order, oldest first) its own colour."""
    names = list(dict.fromkeys(listings))
    return alt.Scale(domain=names, range=[_LISTING_PALETTE[i % len(_LISTING_PALETTE)] for i in range(len(names))])


def _type_colour(types) -> alt.Color:
    present = [t for t in REPO_TYPE_COLOURS if t in set(types)]
    return alt.Color("repo_type:N", title="repository type",
                     scale=alt.Scale(domain=present, range=[REPO_TYPE_COLOURS[t] for t in present]))


def _shape() -> alt.Shape:
    return alt.Shape("source:N", title=None,
                     scale=alt.Scale(domain=list(SOURCE_SHAPES), range=list(SOURCE_SHAPES.values())))


def trajectories_chart(traj: pd.DataFrame, *, measures=None, columns: int = 2, width: int = 230,
                       height: int = 150) -> alt.ConcatChart:
    """Measures over time: one panel per measure, one colour per repository type.

    ``traj``: :func:`~hubcommunity.analysis.history_report.trajectory_frame`
    (``repo_type, measure, label, date, value, low, high, source,
    comparison``). Measured listings: filled dots joined by lines, vertical
    bars for the bootstrap interval. The paper's values: hollow diamonds,
    not joined; a value the paper states as "more than" gets a dashed rule
    from it to the top of the panel. ``n`` is drawn on a log axis, the
    shares and the Gini coefficient on 0-100%.
    """
    _require(traj, ("repo_type", "measure", "label", "date", "value", "low", "high", "source", "comparison"),
             "trajectories_chart")
    measures = list(dict.fromkeys(traj["measure"])) if measures is None else list(measures)
    colour = _type_colour(traj["repo_type"])
    tooltip = [alt.Tooltip("listing:N"), alt.Tooltip("label:N", title="measure"),
               alt.Tooltip("value:Q", format=",.4~r"), alt.Tooltip("low:Q", format=".4~r"),
               alt.Tooltip("high:Q", format=".4~r"), alt.Tooltip("comparison:N")]
    panels = []
    for m in measures:
        sub = traj[traj["measure"] == m].copy()
        if sub.empty:
            continue
        is_count = m == "n"
        if is_count:
            y_scale = alt.Scale(type="log")
            axis = alt.Axis(format="~s", title="repositories")
        else:
            lo = min(sub["value"].min(), sub["low"].min(skipna=True) if sub["low"].notna().any() else 1.0)
            y_scale = alt.Scale(domain=[max(0.0, round(lo - 0.1, 1)), 1.0], clamp=True)
            axis = alt.Axis(format=".2f" if m == "gini" else "%", title=None)
        sub["upper"] = 1.0 if not is_count else sub["value"]
        base = alt.Chart(sub).encode(x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=-30)),
                                     color=colour)
        measured = base.transform_filter(alt.datum.source == "measured listing")
        paper = base.transform_filter(alt.datum.source == "paper")
        layers = [
            measured.mark_line().encode(y=alt.Y("value:Q", scale=y_scale, axis=axis)),
            measured.mark_rule(strokeWidth=2).encode(y="low:Q", y2="high:Q"),
            measured.mark_point(filled=True, size=45).encode(y="value:Q", shape=_shape(), tooltip=tooltip),
            paper.mark_point(filled=False, size=120, strokeWidth=2).encode(y="value:Q", shape=_shape(),
                                                                         tooltip=tooltip),
        ]
        if not is_count and (sub["comparison"] == "more than").any():
            layers.insert(0, paper.transform_filter(alt.datum.comparison == "more than").mark_rule(
                strokeDash=[4, 3], strokeWidth=1.5).encode(y="value:Q", y2="upper:Q"))
        panels.append(alt.layer(*layers).properties(width=width, height=height, title=sub["label"].iloc[0]))
    return alt.concat(*panels, columns=columns).resolve_scale(y="independent").configure_legend(
        orient="bottom", direction="horizontal", labelLimit=0)


def ccdf_chart(ccdf: pd.DataFrame, *, order=None, width: int = 250, height: int = 220) -> alt.FacetChart:
    """Complementary CDFs ``P(X >= x)`` of downloads per listing, log-log, one panel per repository type.

    ``ccdf``: ``repo_type, listing, x, ccdf, n``. ``order``: listings oldest
    first (colours); default their order in the frame.
    """
    _require(ccdf, ("repo_type", "listing", "x", "ccdf"), "ccdf_chart")
    order = list(dict.fromkeys(ccdf["listing"])) if order is None else list(order)
    return alt.Chart(ccdf).mark_line(interpolate="step-after").encode(
        x=alt.X("x:Q", scale=alt.Scale(type="log"), title="downloads (30 days)", axis=alt.Axis(format="~s")),
        y=alt.Y("ccdf:Q", scale=alt.Scale(type="log"), title="P(X ≥ x)"),
        color=alt.Color("listing:N", scale=listing_colours(order), sort=order, title="listing"),
        tooltip=[alt.Tooltip("listing:N"), alt.Tooltip("x:Q", format=","), alt.Tooltip("ccdf:Q", format=".3g")],
    ).properties(width=width, height=height).facet(
        facet=alt.Facet("repo_type:N", title=None, sort=["model", "dataset"],
                        header=alt.Header(labelExpr="datum.value + 's'", labelFontSize=12)), columns=2
    ).configure_legend(orient="bottom", direction="horizontal", labelLimit=0, columns=3)


def lorenz_chart(lorenz: pd.DataFrame, *, order=None, width: int = 240, height: int = 190) -> alt.VConcatChart:
    """Lorenz curves per listing (left) and the share of downloads held by the top x% (right, log x).

    ``lorenz``: ``repo_type, listing, population_share, value_share,
    top_share, gini``. One row of panels per repository type; the dashed
    diagonal of the left panels is perfect equality.
    """
    _require(lorenz, ("repo_type", "listing", "population_share", "value_share", "top_share"), "lorenz_chart")
    order = list(dict.fromkeys(lorenz["listing"])) if order is None else list(order)
    colour = alt.Color("listing:N", scale=listing_colours(order), sort=order, title="listing")
    data = lorenz.assign(held=1 - lorenz["value_share"])
    rows = []
    for repo_type in [t for t in ("model", "dataset") if t in set(data["repo_type"])]:
        sub = data[data["repo_type"] == repo_type]
        tip = [alt.Tooltip("listing:N"), alt.Tooltip("population_share:Q", format=".3%"),
               alt.Tooltip("value_share:Q", format=".3%"), alt.Tooltip("gini:Q", format=".4f")]
        diag = alt.Chart(pd.DataFrame({"population_share": [0.0, 1.0], "value_share": [0.0, 1.0]})).mark_line(
            strokeDash=[4, 4], color="#888888").encode(x="population_share:Q", y="value_share:Q")
        curve = alt.Chart(sub).mark_line().encode(
            x=alt.X("population_share:Q", title=f"share of {repo_type}s (least downloaded first)",
                    axis=alt.Axis(format="%")),
            y=alt.Y("value_share:Q", title="share of downloads", axis=alt.Axis(format="%")),
            color=colour, tooltip=tip)
        top = alt.Chart(sub[sub["top_share"] > 0]).mark_line().encode(
            x=alt.X("top_share:Q", scale=alt.Scale(type="log", domain=[1e-5, 1]),
                    title=f"top share of {repo_type}s (log)", axis=alt.Axis(format="~%")),
            y=alt.Y("held:Q", title="share of downloads they hold", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            color=colour, tooltip=tip)
        rows.append(alt.hconcat(alt.layer(diag, curve).properties(width=width, height=height,
                                                                  title=f"{repo_type}s: Lorenz curves"),
                                top.properties(width=width, height=height,
                                               title=f"{repo_type}s: share held by the top")))
    return alt.vconcat(*rows).configure_legend(orient="bottom", direction="horizontal", labelLimit=0, columns=3)


def retention_chart(retention: pd.DataFrame, *, width: int = 520, height: int = 240) -> alt.Chart:
    """Share of a listing's top x% of repositories still in the top x% of a later listing, per pair.

    ``retention``: rows of :func:`~hubcommunity.analysis.history_report.retention_frame`
    (``pair, fraction, share_retained, n_top, retained, not_listed``).
    """
    _require(retention, ("pair", "fraction", "share_retained", "n_top"), "retention_chart")
    order = list(dict.fromkeys(retention["pair"]))
    return alt.Chart(retention).mark_line(point=alt.OverlayMarkDef(size=40)).encode(
        x=alt.X("fraction:Q", scale=alt.Scale(type="log", domain=[retention["fraction"].min(), retention["fraction"].max()]),
                title="top share of the earlier listing (log)",
                axis=alt.Axis(format="~%")),
        y=alt.Y("share_retained:Q", title="still in the top share of the later listing", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("pair:N", scale=listing_colours(order), sort=order, title="listings"),
        tooltip=[alt.Tooltip("pair:N"), alt.Tooltip("fraction:Q", format=".2~%"), alt.Tooltip("n_top:Q", format=","),
                 alt.Tooltip("share_retained:Q", format=".1%"), alt.Tooltip("not_listed:Q", format=",")],
    ).properties(width=width, height=height).configure_legend(orient="bottom", direction="horizontal",
                                                              labelLimit=0, columns=2)
