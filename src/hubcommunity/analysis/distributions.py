"""Summaries and inequality measures of activity distributions.

Every function takes a one-dimensional collection of numbers (list, NumPy
array or pandas Series; pandas ``<NA>``/NaN are treated as *missing* and
dropped, never as zero) and returns plain Python numbers or small pandas
DataFrames. No I/O, no plotting.

The measures are the ones the book reports for every activity variable
(METHODS.md, RQ1 "Decisions") and that the network and adoption chapters
reuse:

- :func:`gini` -- Gini coefficient of a non-negative variable;
- :func:`top_share` -- share of the total held by the top fraction of units;
- :func:`hhi` -- Herfindahl-Hirschman index of shares;
- :func:`ccdf` -- empirical complementary CDF, optionally thinned on a log grid
  for plotting;
- :func:`lorenz` -- Lorenz curve;
- :func:`summarize` / :func:`summary_table` -- the per-variable summary row.

References
----------
Gini, C. (1912). *Variabilità e mutabilità*. The sorted-values formula used
here is the standard one, e.g. Damgaard & Weiner (2000), "Describing
inequality in plant size or fecundity", *Ecology* 81(4):1139-1142, eq. 1;
also Wikipedia, "Gini coefficient", "Alternative expressions".

Herfindahl, O. C. (1950). *Concentration in the Steel Industry*; Hirschman,
A. O. (1964). "The paternity of an index". *American Economic Review* 54(5).

Clauset, A., Shalizi, C. R. & Newman, M. E. J. (2009). "Power-law
distributions in empirical data". *SIAM Review* 51(4):661-703 (CCDF on
log-log axes, section 2).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "as_values",
    "gini",
    "top_share",
    "hhi",
    "ccdf",
    "lorenz",
    "summarize",
    "summary_table",
    "SUMMARY_FIELDS",
    "top_count",
    "ccdf_long",
    "lorenz_long",
    "frequency_long",
    "frequency_of_series",
]

#: Keys of :func:`summarize`, in the order the book's tables show them.
SUMMARY_FIELDS = (
    "n",
    "n_missing",
    "share_zero",
    "mean",
    "median",
    "p90",
    "p99",
    "max",
    "top1_share",
    "top10_share",
    "gini",
)


def _to_series(values) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, np.ndarray):
        return pd.Series(values.ravel())
    return pd.Series(list(values), dtype="object")


def _missing_count(values) -> int:
    return int(_to_series(values).isna().sum())


def as_values(values, *, nonnegative: bool = True) -> np.ndarray:
    """Return the non-missing values as a float64 NumPy array.

    ``values`` may be any 1-d iterable of numbers, a NumPy array or a pandas
    Series (nullable dtypes included). Missing values (``None``, NaN,
    ``pd.NA``) are dropped. With ``nonnegative`` (the default) a negative
    value raises :class:`ValueError` naming its position, because every
    measure in this module is defined for non-negative quantities (counts).
    """
    numeric = pd.to_numeric(_to_series(values), errors="raise")
    mask = numeric.notna().to_numpy()
    arr = numeric.to_numpy(dtype="float64", na_value=np.nan)[mask]
    if np.isinf(arr).any():
        raise ValueError("values contain infinity")
    if nonnegative and arr.size and arr.min() < 0:
        pos = int(np.flatnonzero(numeric.to_numpy(dtype="float64", na_value=np.nan) < 0)[0])
        raise ValueError(f"values must be non-negative; value {arr[arr < 0][0]!r} at position {pos}")
    return arr


def gini(values) -> float:
    """Gini coefficient of non-negative values, in [0, 1 - 1/n].

    With the values sorted ascending, :math:`x_{(1)} \\le \\dots \\le x_{(n)}`,

    .. math:: G = \\frac{\\sum_{i=1}^n (2i - n - 1)\\, x_{(i)}}{n \\sum_i x_i}

    (Damgaard & Weiner 2000, eq. 1; the "sample" Gini without the
    ``n/(n-1)`` small-sample correction). It is 0 when all values are equal
    (including all zero) and ``1 - 1/n`` when one unit holds everything.
    Missing values are dropped. Returns NaN for an empty input.
    """
    x = np.sort(as_values(values))
    n = x.size
    if n == 0:
        return math.nan
    total = x.sum()
    if total == 0:
        return 0.0
    ranks = np.arange(1, n + 1, dtype="float64")
    return float(np.sum((2.0 * ranks - n - 1.0) * x) / (n * total))


def top_count(n: int, fraction: float) -> int:
    """Number of units in the "top ``fraction``" of ``n`` units: ``ceil(fraction * n)``.

    At least one unit when ``n > 0`` (the top 1% of 50 units is its single
    largest). A tiny tolerance absorbs floating-point error so that, e.g.,
    0.1 of 30 is 3, not 4.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    if n <= 0:
        return 0
    return max(1, math.ceil(fraction * n - 1e-9))


def top_share(values, fraction: float) -> float:
    """Share of the total held by the top ``fraction`` of units (e.g. 0.01).

    The top count is ``k = ceil(fraction * n)`` (:func:`top_count`) of the
    ``n`` non-missing values; the result is the sum of the ``k`` largest
    values divided by the sum of all. Ties at the cut are harmless: tied
    values are equal, so whichever of them are counted the sum is the same.
    Returns NaN when the input is empty or sums to zero (no share to hold).
    """
    x = as_values(values)
    n = x.size
    total = x.sum()
    if n == 0 or total == 0:
        return math.nan
    k = top_count(n, fraction)
    top = np.partition(x, n - k)[n - k:] if k < n else x
    return float(top.sum() / total)


def hhi(values) -> float:
    """Herfindahl-Hirschman index: the sum of squared shares, in [1/n, 1].

    Shares are ``x_i / sum(x)`` over the non-missing values (on the 0-1
    scale, not the antitrust 0-10,000 scale). ``1/n`` means equal shares,
    1 means one unit holds everything. NaN when empty or summing to zero.
    """
    x = as_values(values)
    total = x.sum()
    if x.size == 0 or total == 0:
        return math.nan
    shares = x / total
    return float(np.sum(shares * shares))


def ccdf(values, max_points: int | None = None) -> pd.DataFrame:
    """Empirical complementary CDF ``P(X >= x)`` at the positive values of ``x``.

    Returns a DataFrame with columns ``x`` (each distinct positive value,
    ascending) and ``ccdf`` (the fraction of **all** non-missing values,
    zeros included, that are at least ``x``). Zeros are left out of the rows
    because a log-log plot cannot show them; they still count in the
    denominator, so the first row's ``ccdf`` is the share of non-zero values.
    This is the "P(X >= x)" convention of Clauset et al. (2009, sec. 2).

    ``max_points`` thins the rows for plotting: when there are more distinct
    values than that, keep the rows nearest to ``max_points`` points spaced
    evenly in ``log10(x)`` between the smallest and largest value (always
    keeping both ends). The kept rows are exact points of the CCDF, not
    interpolations.
    """
    x = as_values(values)
    n = x.size
    if n == 0:
        return pd.DataFrame({"x": pd.Series(dtype="float64"), "ccdf": pd.Series(dtype="float64")})
    uniq, counts = np.unique(x, return_counts=True)
    # P(X >= u_j) = (number of values >= u_j) / n
    at_least = np.cumsum(counts[::-1])[::-1]
    keep = uniq > 0
    xs, ps = uniq[keep], at_least[keep] / n
    if max_points is not None and xs.size > max_points:
        if max_points < 2:
            raise ValueError("max_points must be at least 2")
        idx = _log_grid_indices(xs, max_points)
        xs, ps = xs[idx], ps[idx]
    return pd.DataFrame({"x": xs, "ccdf": ps})


def _log_grid_indices(xs: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of sorted positive ``xs`` nearest to a log-spaced grid (unique, sorted)."""
    logs = np.log10(xs)
    grid = np.linspace(logs[0], logs[-1], max_points)
    right = np.clip(np.searchsorted(logs, grid), 1, xs.size - 1)
    left = right - 1
    nearest = np.where(np.abs(logs[left] - grid) <= np.abs(logs[right] - grid), left, right)
    return np.unique(np.concatenate([[0], nearest, [xs.size - 1]]))


def lorenz(values, max_points: int | None = None) -> pd.DataFrame:
    """Lorenz curve of non-negative values.

    Returns a DataFrame with ``population_share`` (the poorest ``i/n`` of
    units, ``i = 0..n``) and ``value_share`` (their share of the total),
    starting at (0, 0) and ending at (1, 1). The area between the diagonal
    and this curve is half the Gini coefficient. ``max_points`` keeps about
    that many rows, evenly spaced in population share (both ends kept).
    Empty or all-zero input gives an empty frame (no curve is defined).
    """
    x = np.sort(as_values(values))
    n = x.size
    total = x.sum() if n else 0.0
    if n == 0 or total == 0:
        return pd.DataFrame(
            {"population_share": pd.Series(dtype="float64"), "value_share": pd.Series(dtype="float64")}
        )
    pop = np.arange(n + 1, dtype="float64") / n
    val = np.concatenate([[0.0], np.cumsum(x) / total])
    if max_points is not None and n + 1 > max_points:
        idx = np.unique(np.round(np.linspace(0, n, max_points)).astype(int))
        pop, val = pop[idx], val[idx]
    return pd.DataFrame({"population_share": pop, "value_share": val})


def summarize(values) -> dict:
    """The book's per-variable summary of a non-negative count variable.

    Keys (:data:`SUMMARY_FIELDS`): ``n`` (non-missing values), ``n_missing``,
    ``share_zero`` (share of the ``n`` that are 0), ``mean``, ``median``,
    ``p90``, ``p99`` (linear-interpolation quantiles, NumPy's default),
    ``max``, ``top1_share`` and ``top10_share`` (:func:`top_share` with 0.01
    and 0.1), ``gini`` (:func:`gini`). Statistics of an empty variable are NaN.
    """
    n_missing = _missing_count(values)
    x = as_values(values)
    n = int(x.size)
    if n == 0:
        out = {key: math.nan for key in SUMMARY_FIELDS}
        out.update(n=0, n_missing=n_missing)
        return out
    p50, p90, p99 = np.quantile(x, [0.5, 0.9, 0.99])
    return {
        "n": n,
        "n_missing": n_missing,
        "share_zero": float(np.mean(x == 0)),
        "mean": float(x.mean()),
        "median": float(p50),
        "p90": float(p90),
        "p99": float(p99),
        "max": float(x.max()),
        "top1_share": top_share(x, 0.01),
        "top10_share": top_share(x, 0.10),
        "gini": gini(x),
    }


def summary_table(frame: pd.DataFrame, value_columns: Iterable[str], by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """One :func:`summarize` row per (group, variable).

    ``frame`` is a tidy DataFrame with one row per unit (e.g. repository);
    ``value_columns`` are the variables to summarize; ``by`` is an optional
    column (or list of columns) to group by, e.g. ``"repo_type"``. Returns a
    DataFrame with the ``by`` columns, ``variable`` and the
    :data:`SUMMARY_FIELDS` columns, in the order of the groups (sorted) and
    of ``value_columns``. A column entirely missing in a group still gets a
    row (``n = 0``), so absent data are visible rather than silently dropped.
    """
    value_columns = list(value_columns)
    missing = [c for c in value_columns if c not in frame.columns]
    if missing:
        raise KeyError(f"summary_table: columns not in frame: {missing}")
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    rows = []
    groups = [((), frame)] if not by_cols else frame.groupby(by_cols, sort=True, dropna=False)
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        for column in value_columns:
            row = dict(zip(by_cols, key))
            row["variable"] = column
            row.update(summarize(group[column]))
            rows.append(row)
    out = pd.DataFrame(rows, columns=[*by_cols, "variable", *SUMMARY_FIELDS])
    out["n"] = out["n"].astype("Int64")
    out["n_missing"] = out["n_missing"].astype("Int64")
    return out


def _groups(frame: pd.DataFrame, by):
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if not by_cols:
        return by_cols, [((), frame)]
    return by_cols, [((k if isinstance(k, tuple) else (k,)), g) for k, g in frame.groupby(by_cols, sort=True)]


def ccdf_long(frame: pd.DataFrame, value_columns: Iterable[str], by: str | Sequence[str] | None = None,
              max_points: int | None = 200) -> pd.DataFrame:
    """:func:`ccdf` of several variables (and groups) in one long DataFrame, for plotting.

    Columns: the ``by`` columns, ``variable``, ``x``, ``ccdf``, ``n`` (known
    values behind the curve). Each curve is thinned to about ``max_points``
    points on a log grid, so a chart of several 760,000-value variables
    stays a few thousand rows. Variables with no positive value give no rows.
    """
    return _curves_long(frame, value_columns, by, lambda x: ccdf(x, max_points=max_points),
                        ("x", "ccdf"), "n", lambda x: x.size)


def lorenz_long(frame: pd.DataFrame, value_columns: Iterable[str], by: str | Sequence[str] | None = None,
                max_points: int | None = 201) -> pd.DataFrame:
    """:func:`lorenz` of several variables (and groups) in one long DataFrame.

    Columns: the ``by`` columns, ``variable``, ``population_share``,
    ``value_share``, ``gini`` (of the full data, for labels). Each curve is
    thinned to about ``max_points`` points.
    """
    return _curves_long(frame, value_columns, by, lambda x: lorenz(x, max_points=max_points),
                        ("population_share", "value_share"), "gini", gini)


def frequency_long(frame: pd.DataFrame, value_columns: Iterable[str], by: str | Sequence[str] | None = None
                   ) -> pd.DataFrame:
    """The exact distribution behind thinned curves: one row per group, variable and distinct value.

    Columns: the ``by`` columns, ``variable``, ``value``, ``count`` (repositories,
    accounts, ... with that value). Known values only (missing ones are left out),
    zeros included. Lossless for everything computed from the values alone: the
    CCDF and Lorenz curve at every point, shares, Gini, fits. Small, because
    activity counts repeat: 760,000 downloads take about 30,000 rows.
    """
    by_cols, groups = _groups(frame, by)
    parts = []
    for key, group in groups:
        for column in value_columns:
            x = as_values(group[column])
            if x.size == 0:
                continue
            values, counts = np.unique(x, return_counts=True)
            part = pd.DataFrame({"value": values, "count": counts})
            for col, val in zip(by_cols, key):
                part[col] = val
            part["variable"] = column
            parts.append(part)
    cols = [*by_cols, "variable", "value", "count"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def frequency_of_series(series: Mapping[str, pd.Series], name: str = "series") -> pd.DataFrame:
    """:func:`frequency_long` of several labelled Series: columns ``name``, ``value``, ``count``.

    ``series`` maps a label (a curve of a figure) to its values, e.g.
    ``{"Spaces": census["spaces"], "derivatives": census["derivatives"]}``.
    """
    parts = [pd.DataFrame({name: label, "x": _to_series(values).to_numpy()}) for label, values in series.items()]
    if not parts:
        return pd.DataFrame(columns=[name, "value", "count"])
    freq = frequency_long(pd.concat(parts, ignore_index=True), ["x"], by=name)
    return freq.drop(columns="variable")


def _curves_long(frame, value_columns, by, curve_of, curve_columns, summary_name, summary_of) -> pd.DataFrame:
    """Stack ``curve_of(values)`` for every group of ``by`` and column, tagging each curve
    with its group, ``variable`` and ``summary_name`` = ``summary_of(values)``."""
    by_cols, groups = _groups(frame, by)
    parts = []
    for key, group in groups:
        for column in value_columns:
            x = as_values(group[column])
            curve = curve_of(x)
            if curve.empty:
                continue
            for col, val in zip(by_cols, key):
                curve[col] = val
            curve["variable"] = column
            curve[summary_name] = summary_of(x)
            parts.append(curve)
    cols = [*by_cols, "variable", *curve_columns, summary_name]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
