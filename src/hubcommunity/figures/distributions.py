"""Altair chart builders for the activity chapter (RQ1).

Each function takes a small tidy DataFrame that the analysis modules have
already computed and returns an Altair chart; none computes statistics.

- :func:`ccdf_small_multiples` -- log-log CCDFs, one panel per variable,
  one colour per repository type (data: :func:`hubcommunity.analysis.distributions.ccdf_long`);
- :func:`lorenz_chart` -- Lorenz curves with the line of equality
  (data: :func:`hubcommunity.analysis.distributions.lorenz_long`);
- :func:`license_group_chart` -- precomputed box plots per license group on a
  symmetric-log axis (data: :func:`hubcommunity.analysis.groups.group_quantiles`);
- :func:`license_share_chart` -- share of repositories per license group
  (data: :func:`hubcommunity.analysis.groups.group_shares`);
- :func:`correlation_heatmap` -- Spearman's rho among variables
  (data: :func:`hubcommunity.analysis.groups.spearman_matrix`);
- :func:`growth_chart` -- repositories created per month
  (data: :func:`hubcommunity.analysis.activity.creations_per_month`);
- :func:`cohort_chart` -- concentration per creation cohort
  (data: :func:`hubcommunity.analysis.activity.cohort_concentration`).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = [
    "REPO_TYPE_COLOURS",
    "GROUP_COLOURS",
    "ccdf_small_multiples",
    "lorenz_chart",
    "license_group_chart",
    "license_share_chart",
    "correlation_heatmap",
    "growth_chart",
    "cohort_chart",
]

#: Colours per repository type (Tableau 10, colour-blind-safe subset).
REPO_TYPE_COLOURS = {"model": "#4e79a7", "dataset": "#f28e2b", "space": "#59a14f"}
#: Colours per license group.
GROUP_COLOURS = {"permissive": "#59a14f", "restrictive": "#e15759", "other": "#b07aa1", "none": "#bab0ac"}


def _require(frame: pd.DataFrame, columns, who: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{who}: data lacks column(s) {missing}")


def _colour(field: str, mapping: dict[str, str], present, title: str) -> alt.Color:
    domain = [k for k in mapping if k in set(present)] + sorted(set(present) - set(mapping))
    range_ = [mapping.get(k, "#9c755f") for k in domain]
    return alt.Color(f"{field}:N", scale=alt.Scale(domain=domain, range=range_), title=title)


def ccdf_small_multiples(curves: pd.DataFrame, *, series: str = "repo_type", columns: int = 3,
                         width: int = 200, height: int = 170) -> alt.FacetChart:
    """Log-log complementary CDFs ``P(X >= x)``, faceted by ``variable``, coloured by ``series``.

    ``curves``: long DataFrame with ``variable``, ``series`` (default
    ``repo_type``), ``x`` (> 0) and ``ccdf``. Each panel has its own x scale.
    """
    _require(curves, ("variable", series, "x", "ccdf"), "ccdf_small_multiples")
    base = alt.Chart(curves).mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=8)).encode(
        x=alt.X("x:Q", scale=alt.Scale(type="log"), title="x", axis=alt.Axis(tickCount=5, format="~s")),
        y=alt.Y("ccdf:Q", scale=alt.Scale(type="log"), title="P(X ≥ x)"),
        color=_colour(series, REPO_TYPE_COLOURS, curves[series].unique(), series.replace("_", " ")),
        tooltip=[alt.Tooltip(f"{series}:N"), alt.Tooltip("variable:N"), alt.Tooltip("x:Q", format=","),
                 alt.Tooltip("ccdf:Q", format=".3g")],
    ).properties(width=width, height=height)
    order = list(dict.fromkeys(curves["variable"]))
    return base.facet(facet=alt.Facet("variable:N", sort=order, title=None), columns=columns).resolve_scale(x="independent")


def lorenz_chart(curves: pd.DataFrame, *, series: str = "series", width: int = 360, height: int = 360) -> alt.LayerChart:
    """Lorenz curves (share of units, poorest first, against their share of the total) and the diagonal.

    ``curves``: long DataFrame with ``series`` (one curve each, e.g. "model
    downloads"), ``population_share`` and ``value_share`` in [0, 1], and
    optionally ``gini`` (shown in the tooltip).
    """
    _require(curves, (series, "population_share", "value_share"), "lorenz_chart")
    tooltip = [alt.Tooltip(f"{series}:N"), alt.Tooltip("population_share:Q", format=".1%"),
               alt.Tooltip("value_share:Q", format=".2%")]
    if "gini" in curves.columns:
        tooltip.append(alt.Tooltip("gini:Q", format=".3f"))
    lines = alt.Chart(curves).mark_line().encode(
        x=alt.X("population_share:Q", title="share of repositories (least active first)", axis=alt.Axis(format="%")),
        y=alt.Y("value_share:Q", title="share of the total", axis=alt.Axis(format="%")),
        color=alt.Color(f"{series}:N", title=None),
        tooltip=tooltip,
    )
    diagonal = alt.Chart(pd.DataFrame({"population_share": [0.0, 1.0], "value_share": [0.0, 1.0]})).mark_line(
        strokeDash=[4, 4], color="#888888"
    ).encode(x="population_share:Q", y="value_share:Q")
    return alt.layer(diagonal, lines).properties(width=width, height=height)


def license_group_chart(quantiles: pd.DataFrame, *, facet: str = "variable", width: int = 160,
                        height: int = 220) -> alt.FacetChart:
    """Precomputed box plots per license group on a symmetric-log axis, one panel per ``facet``.

    ``quantiles``: rows of :func:`hubcommunity.analysis.groups.group_quantiles`
    (``group``, ``q05``, ``q25``, ``median``, ``q75``, ``q95``, ``mean``,
    ``n``, ``share_zero`` and the ``facet`` column). Whiskers span the 5th to
    95th percentiles, the box the quartiles, the white tick the median, the
    black dot the mean. The symlog axis shows 0 (most repositories).
    """
    _require(quantiles, ("group", "q05", "q25", "median", "q75", "q95", "mean", facet), "license_group_chart")
    order = [g for g in GROUP_COLOURS if g in set(quantiles["group"])]
    x = alt.X("group:N", sort=order, title=None)
    y_scale = alt.Scale(type="symlog")
    tooltip = [alt.Tooltip("group:N"), alt.Tooltip("n:Q", format=","), alt.Tooltip("share_zero:Q", format=".1%"),
               alt.Tooltip("median:Q", format=",.3g"), alt.Tooltip("mean:Q", format=",.3g"),
               alt.Tooltip("q95:Q", format=",.3g")]
    base = alt.Chart().encode(x=x)
    whisker = base.mark_rule().encode(y=alt.Y("q05:Q", scale=y_scale, title="value (symmetric log scale)"), y2="q95:Q")
    box = base.mark_bar(size=22).encode(
        y=alt.Y("q25:Q", scale=y_scale), y2="q75:Q",
        color=_colour("group", GROUP_COLOURS, quantiles["group"].unique(), "license group"), tooltip=tooltip,
    )
    median = base.mark_tick(color="white", size=22, thickness=2).encode(y=alt.Y("median:Q", scale=y_scale))
    mean = base.mark_point(color="black", filled=True, size=25).encode(y=alt.Y("mean:Q", scale=y_scale), tooltip=tooltip)
    layered = alt.layer(whisker, box, median, mean, data=quantiles).properties(width=width, height=height)
    panels = list(dict.fromkeys(quantiles[facet]))
    return layered.facet(facet=alt.Facet(f"{facet}:N", sort=panels, title=None), columns=4).resolve_scale(y="independent")


def license_share_chart(shares: pd.DataFrame, *, group: str = "license_group", by: str = "repo_type",
                        width: int = 420) -> alt.Chart:
    """Stacked horizontal bars: share of repositories per license group, one bar per ``by`` value."""
    _require(shares, (group, by, "share", "count"), "license_share_chart")
    order = [g for g in GROUP_COLOURS if g in set(shares[group])]
    return alt.Chart(shares).mark_bar().encode(
        y=alt.Y(f"{by}:N", title=None),
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="share of repositories"),
        color=_colour(group, GROUP_COLOURS, shares[group].unique(), "license group"),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{by}:N"), alt.Tooltip(f"{group}:N"), alt.Tooltip("count:Q", format=","),
                 alt.Tooltip("share:Q", format=".1%")],
    ).transform_calculate(order=f"indexof({order!r}, datum['{group}'])").properties(width=width)


def correlation_heatmap(matrix: pd.DataFrame, *, size: int = 60) -> alt.LayerChart:
    """Heatmap of Spearman's rho (diverging colours, -1 to 1) with the value printed in each cell.

    ``matrix``: long rows ``var_a, var_b, rho, p, n`` (both triangles).
    """
    _require(matrix, ("var_a", "var_b", "rho", "n"), "correlation_heatmap")
    order = list(dict.fromkeys(matrix["var_a"]))
    base = alt.Chart(matrix).encode(
        x=alt.X("var_a:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("var_b:N", sort=order, title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("rho:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1], reverse=True), title="Spearman ρ"),
        tooltip=[alt.Tooltip("var_a:N"), alt.Tooltip("var_b:N"), alt.Tooltip("rho:Q", format=".3f"),
                 alt.Tooltip("p:Q", format=".2g"), alt.Tooltip("n:Q", format=",")],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("rho:Q", format=".2f"),
        color=alt.condition("abs(datum.rho) > 0.6", alt.value("white"), alt.value("black")),
    )
    n = len(order)
    return alt.layer(cells, text).properties(width=size * n, height=size * n)


def growth_chart(monthly: pd.DataFrame, *, value: str = "created", width: int = 560, height: int = 260) -> alt.Chart:
    """Repositories created per month (``value``; or ``cumulative``), one line per repository type."""
    _require(monthly, ("repo_type", "month", value), "growth_chart")
    return alt.Chart(monthly).mark_line(point=alt.OverlayMarkDef(size=10)).encode(
        x=alt.X("month:T", title="month of creation"),
        y=alt.Y(f"{value}:Q", title="repositories created per month" if value == "created" else value),
        color=_colour("repo_type", REPO_TYPE_COLOURS, monthly["repo_type"].unique(), "repository type"),
        tooltip=[alt.Tooltip("repo_type:N"), alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip(f"{value}:Q", format=",")],
    ).properties(width=width, height=height)


def cohort_chart(cohorts: pd.DataFrame, *, measures=("top1_share", "gini", "share_zero"), width: int = 170,
                 height: int = 200) -> alt.FacetChart:
    """Concentration per creation cohort: one panel per measure, one line per (repo type, variable).

    ``cohorts``: rows of :func:`hubcommunity.analysis.activity.cohort_concentration`
    (``repo_type``, ``cohort``, ``variable``, and the ``measures``), cohorts in time order.
    """
    _require(cohorts, ("repo_type", "cohort", "variable", *measures), "cohort_chart")
    long = cohorts.melt(id_vars=["repo_type", "cohort", "variable", "n"], value_vars=list(measures),
                        var_name="measure", value_name="value").dropna(subset=["value"])
    long["series"] = long["repo_type"] + " " + long["variable"]
    order = list(dict.fromkeys(cohorts["cohort"]))  # time order as the analysis gives it (a "≤ day" cohort first)
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("cohort:O", title="creation cohort", sort=order),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", title=None),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("cohort:O"), alt.Tooltip("measure:N"),
                 alt.Tooltip("value:Q", format=".3f"), alt.Tooltip("n:Q", format=",")],
    ).properties(width=width, height=height).facet(
        facet=alt.Facet("measure:N", sort=list(measures), title=None), columns=len(measures)
    )
