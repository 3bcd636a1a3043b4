"""The Hub over time: concentration per listing, bootstrap intervals, panels of the same
repositories, and the shift-share decomposition of a change between two listings.

Pure functions on download counts (no I/O, no plotting). A *listing* is one
whole-Hub table of repositories of one type at one date; its downloads are a
1-d collection of non-negative counts (pandas ``<NA>``/NaN are missing and
dropped, as in :mod:`hubcommunity.analysis.distributions`). Panel and
decomposition functions take two listings as pandas Series of downloads
*indexed by repository id* (``a`` the earlier, ``b`` the later); ids are the
only join key, so a renamed repository counts as one that left and one that
arrived.

Concentration (:func:`concentration`, :func:`weighted_concentration`): share
of repositories with 0 downloads, share of all downloads held by the top
0.1%, 1% and 10% of repositories (top count ``ceil(f n)``, as
:func:`~hubcommunity.analysis.distributions.top_share`), Gini coefficient,
median. All are computed from the distinct values and their multiplicities,
which makes the bootstrap cheap.

Bootstrap (:func:`bootstrap_concentration`): the nonparametric bootstrap over
repositories (Efron & Tibshirani 1993, ch. 6 and 13: percentile intervals). A
resample of ``n`` repositories drawn with replacement is, for any statistic of
the value distribution, the same as a multinomial draw of how often each
distinct value occurs, ``Multinomial(n, c_j / n)`` over the distinct values
``v_j`` with counts ``c_j``; the statistics are then computed from the
weights. A listing of 760,000 models has about 9,000 distinct download counts,
so 1,000 replicates take a fraction of a second, and the replicates are
exactly distributed as those of resampling rows.

Shift-share decomposition (:func:`shift_share`): for a statistic ``T`` of a
listing and two listings ``A`` (earlier) and ``B`` (later), split each into
the repositories in both (*continuing*: ``C_A`` their values at A, ``C_B`` at
B), those only in ``A`` (*exited*) and those only in ``B`` (*entered*). Then,
exactly,

.. math::

   T(B) - T(A) = \\underbrace{[T(C_A) - T(A)]}_{\\text{exit}}
               + \\underbrace{[T(C_B) - T(C_A)]}_{\\text{within}}
               + \\underbrace{[T(B) - T(C_B)]}_{\\text{entry}},

the change from dropping the exited repositories, the change among the same
repositories between the dates, and the change from adding the new ones. For
a share of repositories (such as the share with no downloads), where
``T = w s_C + (1 - w) s_X`` is a weighted mean, the exit term is
``w_X (s_{C_A} - s_X)`` and the entry term ``w_N (s_N - s_{C_B})``
(``w_X``: exited share of A, ``w_N``: entered share of B): how far the
leaving and arriving repositories differ from the continuing ones, weighted
by how many they are. This is the sequential form of the dynamic
decompositions of productivity growth into entry, exit and within-firm
components (Foster, Haltiwanger & Krizan 2001; Baily, Hulten & Campbell
1992); the order exit -> within -> entry is one of several, and for
non-linear statistics (top shares, Gini) the terms depend on it.

Panels: rank persistence by Spearman's rho (average ranks for ties; Spearman
1904), the share of a listing's top set still in the later listing's top set
(:func:`top_retention`), and transitions between download classes *zero*,
*low* (at least one download, below the top-10% cut) and *high* (at or above
the cut), with *not listed* for repositories absent from the later listing
(:func:`transitions`).

References
----------
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Foster, L., Haltiwanger, J. & Krizan, C. J. (2001). "Aggregate productivity growth: lessons from
microeconomic evidence". In *New Developments in Productivity Analysis*, NBER, 303-372.
Baily, M. N., Hulten, C. & Campbell, D. (1992). "Productivity dynamics in manufacturing plants".
*Brookings Papers on Economic Activity: Microeconomics* 1992, 187-267.
Spearman, C. (1904). "The proof and measurement of association between two things".
*American Journal of Psychology* 15(1):72-101.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from hubcommunity.analysis.distributions import as_values, top_count

__all__ = [
    "FRACTIONS",
    "MEASURES",
    "CLASSES",
    "STATISTICS",
    "weighted_concentration",
    "concentration",
    "bootstrap_concentration",
    "interpolate_at",
    "attrition",
    "rank_persistence",
    "top_set",
    "top_retention",
    "retention_curve",
    "download_classes",
    "transitions",
    "transient_zeros",
    "temporary_share_needed",
    "shift_share",
]

#: Top fractions whose share of all downloads the chapter reports.
FRACTIONS = (0.001, 0.01, 0.1)

#: Measures of :func:`concentration` that the bootstrap resamples, in display order.
MEASURES = ("share_zero", "top0.1_share", "top1_share", "top10_share", "gini")

#: Download classes of :func:`download_classes`, and the class of a repository absent later.
CLASSES = ("zero", "low", "high")
NOT_LISTED = "not listed"


def _top_key(fraction: float) -> str:
    """``0.001`` -> ``"top0.1_share"``, ``0.01`` -> ``"top1_share"``."""
    return f"top{100 * fraction:g}_share"


# --------------------------------------------------------------------------- concentration


def weighted_concentration(values: np.ndarray, weights: np.ndarray, fractions: Sequence[float] = FRACTIONS
                           ) -> dict[str, np.ndarray]:
    """Concentration measures of samples given as counts of distinct values.

    Parameters
    ----------
    values : array of shape (d,)
        Distinct non-negative values, strictly ascending.
    weights : int array of shape (d,) or (b, d)
        How often each value occurs, for one sample or for each of ``b``
        samples; every row sums to the same ``n``.
    fractions : sequence of float
        Top fractions in (0, 1].

    Returns
    -------
    dict of arrays of shape (b,) (or scalars for 1-d ``weights``): ``n``,
    ``share_zero``, ``top<100 f>_share`` per fraction (the sum of the
    ``ceil(f n)`` largest values over the total; NaN if the total is 0) and
    ``gini`` (sorted-values formula of
    :func:`~hubcommunity.analysis.distributions.gini`; 0 if the total is 0).

    Notes
    -----
    With values ascending and ``a_j`` the number of units below value ``j``,
    the block of ``w_j`` units of value ``v_j`` holds ranks ``a_j + 1 ...
    a_j + w_j``, whose Gini weights ``2i - n - 1`` sum to
    ``w_j (2 a_j + w_j - n)``. The top-``k`` sum takes, from the largest value
    down, ``min(w_j, max(0, k - (units above)))`` units of each value.
    """
    v = np.asarray(values, dtype="float64")
    w = np.asarray(weights, dtype="int64")
    single = w.ndim == 1
    w = np.atleast_2d(w)
    n = int(w[0].sum())
    total = w @ v
    out: dict[str, np.ndarray] = {"n": np.full(w.shape[0], n)}
    out["share_zero"] = (w[:, 0] / n) if (v.size and v[0] == 0) else np.zeros(w.shape[0])
    wd, vd = w[:, ::-1], v[::-1]
    above = np.cumsum(wd, axis=1) - wd
    with np.errstate(invalid="ignore", divide="ignore"):
        for f in fractions:
            k = top_count(n, f)
            taken = np.clip(k - above, 0, wd)
            out[_top_key(f)] = np.where(total > 0, (taken @ vd) / np.where(total > 0, total, 1), np.nan)
        below = np.cumsum(w, axis=1) - w
        g = (w * (2 * below + w - n)) @ v
        out["gini"] = np.where(total > 0, g / (n * np.where(total > 0, total, 1)), 0.0)
    if single:
        return {key: val[0] for key, val in out.items()}
    return out


def concentration(values, fractions: Sequence[float] = FRACTIONS) -> dict[str, float]:
    """Concentration of one listing's downloads.

    Returns ``n`` (known values), ``n_missing``, ``share_zero``, the top
    shares (keys ``top0.1_share``, ``top1_share``, ``top10_share`` for the
    default ``fractions``), ``gini``, ``median`` and ``total`` (sum of all
    values). NaN statistics for an empty input.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    n_missing = int(series.isna().sum())
    x = as_values(series)
    if x.size == 0:
        keys = ["share_zero", *[_top_key(f) for f in fractions], "gini", "median", "total"]
        return {"n": 0, "n_missing": n_missing, **{k: math.nan for k in keys}}
    uniq, counts = np.unique(x, return_counts=True)
    out = {k: float(v) for k, v in weighted_concentration(uniq, counts, fractions).items()}
    out["n"] = int(x.size)
    out["n_missing"] = n_missing
    out["median"] = float(np.median(x))
    out["total"] = float(x.sum())
    return out


def bootstrap_concentration(values, fractions: Sequence[float] = FRACTIONS, *, n_boot: int = 1000,
                            seed: int = 0, level: float = 0.95, chunk: int = 100) -> pd.DataFrame:
    """Percentile bootstrap intervals over repositories for each concentration measure.

    Parameters
    ----------
    values : 1-d collection of non-negative counts (missing dropped)
    fractions : top fractions (see :func:`concentration`)
    n_boot : number of bootstrap replicates (resamples of all ``n`` repositories)
    seed : seed of NumPy's ``default_rng``: the same seed gives the same intervals
    level : coverage of the interval (0.95: the 2.5th and 97.5th percentiles)
    chunk : replicates drawn at once (memory ~ ``chunk x distinct values x 8`` bytes)

    Returns
    -------
    DataFrame with one row per measure (:data:`MEASURES` for the default
    fractions): ``measure``, ``estimate`` (on the data), ``low``, ``high``,
    ``se`` (standard deviation of the replicates), ``n_boot``.
    """
    x = as_values(values)
    if x.size == 0:
        raise ValueError("bootstrap_concentration: no values")
    if n_boot < 2:
        raise ValueError("n_boot must be at least 2")
    uniq, counts = np.unique(x, return_counts=True)
    n = int(x.size)
    p = counts / n
    rng = np.random.default_rng(seed)
    keys = ["share_zero", *[_top_key(f) for f in fractions], "gini"]
    reps: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        w = rng.multinomial(n, p, size=b)
        res = weighted_concentration(uniq, w, fractions)
        for k in keys:
            reps[k].append(res[k])
        done += b
    point = weighted_concentration(uniq, counts, fractions)
    alpha = (1 - level) / 2
    rows = []
    for k in keys:
        r = np.concatenate(reps[k])
        lo, hi = np.nanquantile(r, [alpha, 1 - alpha])
        rows.append({"measure": k, "estimate": float(point[k]), "low": float(lo), "high": float(hi),
                     "se": float(np.nanstd(r, ddof=1)), "n_boot": int(n_boot)})
    return pd.DataFrame(rows)


def interpolate_at(dates: Sequence, values: Sequence[float], when) -> float:
    """Value at ``when`` on the straight line between the two dates that bracket it.

    ``dates`` (anything ``pd.to_datetime`` reads) with their ``values``; time
    is measured in days. Raises ValueError if ``when`` is outside the dates.
    """
    t = pd.to_datetime(pd.Series(list(dates)), utc=True)
    w = pd.to_datetime(pd.Series([when]), utc=True).iloc[0]
    order = np.argsort(t.to_numpy())
    days = ((t - t.min()).dt.total_seconds() / 86400).to_numpy()[order]
    y = np.asarray(values, dtype="float64")[order]
    at = (w - t.min()).total_seconds() / 86400
    if not days[0] <= at <= days[-1]:
        raise ValueError(f"interpolate_at: {w.date()} is outside {t.min().date()}..{t.max().date()}")
    return float(np.interp(at, days, y))


# --------------------------------------------------------------------------- panels


def _clean(s: pd.Series, name: str) -> pd.Series:
    """Downloads indexed by unique repository id, missing values dropped, as float."""
    if not isinstance(s, pd.Series):
        raise TypeError(f"{name} must be a Series of downloads indexed by repository id")
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()][0]
        raise ValueError(f"{name}: repository id {dup!r} appears twice")
    s = s.dropna()
    return pd.Series(as_values(s), index=s.index)


def attrition(a: pd.Series, b: pd.Series) -> dict[str, float]:
    """How two listings overlap, by repository id.

    Returns ``n_a``, ``n_b``, ``n_both`` (continuing), ``n_exited`` (in ``a``
    only: deleted, renamed or made private), ``n_entered`` (in ``b`` only),
    ``share_exited`` (of ``a``), ``share_entered`` (of ``b``).
    """
    ia, ib = a.index, b.index
    both = int(ia.isin(ib).sum())
    return {"n_a": len(ia), "n_b": len(ib), "n_both": both, "n_exited": len(ia) - both,
            "n_entered": len(ib) - both, "share_exited": (len(ia) - both) / len(ia) if len(ia) else math.nan,
            "share_entered": (len(ib) - both) / len(ib) if len(ib) else math.nan}


def rank_persistence(a: pd.Series, b: pd.Series) -> dict[str, float]:
    """Spearman's rho between the downloads of the repositories in both listings.

    Ties get average ranks (many repositories share 0). Returns ``n`` (ids in
    both), ``rho`` and its two-sided ``p`` (NaN for fewer than 3 ids or a
    constant side).
    """
    a, b = _clean(a, "a"), _clean(b, "b")
    common = a.index.intersection(b.index)
    if len(common) < 3:
        return {"n": len(common), "rho": math.nan, "p": math.nan}
    x, y = a.loc[common].to_numpy(), b.loc[common].to_numpy()
    if np.all(x == x[0]) or np.all(y == y[0]):
        return {"n": len(common), "rho": math.nan, "p": math.nan}
    rho, p = stats.spearmanr(x, y)
    return {"n": len(common), "rho": float(rho), "p": float(p)}


def top_set(values: pd.Series, fraction: float) -> pd.Index:
    """Ids of a listing's top ``fraction``: downloads at least the ``ceil(fraction n)``-th largest, and > 0.

    Ties at the cut are all included (no arbitrary tie-breaking), so the set
    can be a little larger than ``ceil(fraction n)``; repositories with no
    downloads are never in it.
    """
    v = _clean(values, "values")
    if v.empty:
        return v.index[:0]
    k = top_count(len(v), fraction)
    cut = np.partition(v.to_numpy(), len(v) - k)[len(v) - k]
    return v.index[(v.to_numpy() >= cut) & (v.to_numpy() > 0)]


def top_retention(a: pd.Series, b: pd.Series, fraction: float) -> dict[str, float]:
    """How many of listing ``a``'s top ``fraction`` are in listing ``b``'s top ``fraction``.

    Each top set is taken within its own whole listing (:func:`top_set`).
    Returns ``fraction``, ``n_top`` (size of a's top set), ``retained`` (also
    in b's top set), ``fell`` (listed in b, below its top set), ``not_listed``
    (absent from b), and ``share_retained`` = retained / n_top.
    """
    a, b = _clean(a, "a"), _clean(b, "b")
    top_a, top_b = top_set(a, fraction), top_set(b, fraction)
    retained = int(top_a.isin(top_b).sum())
    listed = int(top_a.isin(b.index).sum())
    n = len(top_a)
    return {"fraction": float(fraction), "n_top": n, "retained": retained, "fell": listed - retained,
            "not_listed": n - listed, "share_retained": retained / n if n else math.nan}


def retention_curve(a: pd.Series, b: pd.Series, fractions: Sequence[float]) -> pd.DataFrame:
    """:func:`top_retention` for each fraction, one row each."""
    return pd.DataFrame([top_retention(a, b, f) for f in fractions])


def download_classes(values: pd.Series, high_fraction: float = 0.1) -> pd.Series:
    """Class of each repository within its own listing: ``zero``, ``low`` or ``high``.

    ``high``: downloads at or above the cut of the listing's top
    ``high_fraction`` (:func:`top_set`); ``low``: at least one download, below
    it; ``zero``: none. Returns a categorical Series indexed like ``values``.
    """
    v = _clean(values, "values")
    return pd.Series(pd.Categorical.from_codes(_class_codes(v, high_fraction), categories=list(CLASSES)),
                     index=v.index)


def _class_codes(v: pd.Series, high_fraction: float) -> np.ndarray:
    """Positions in :data:`CLASSES` (0 zero, 1 low, 2 high) of cleaned downloads ``v``."""
    x = v.to_numpy()
    if x.size == 0:
        return np.zeros(0, dtype="int8")
    k = top_count(x.size, high_fraction)
    cut = np.partition(x, x.size - k)[x.size - k]
    return np.where(x == 0, 0, np.where((x >= cut) & (x > 0), 2, 1)).astype("int8")


def transitions(a: pd.Series, b: pd.Series, high_fraction: float = 0.1) -> pd.DataFrame:
    """Transitions between download classes from listing ``a`` to listing ``b``.

    Classes are taken within each whole listing (:func:`download_classes`);
    a repository of ``a`` absent from ``b`` goes to ``"not listed"``. Returns
    one row per (``from``, ``to``) pair, every pair present (count 0 where
    none): ``from``, ``to``, ``count``, ``share`` (of the ``from`` class),
    ``share_listed`` (of the ``from`` class's repositories still listed; NaN
    for ``to = "not listed"``).
    """
    a, b = _clean(a, "a"), _clean(b, "b")
    ca = _class_codes(a, high_fraction)
    cb = pd.Series(_class_codes(b, high_fraction), index=b.index)
    pos = b.index.get_indexer(a.index)
    to = np.where(pos >= 0, cb.to_numpy()[np.maximum(pos, 0)], len(CLASSES))  # len(CLASSES): not listed
    counts = np.bincount(ca.astype("int64") * (len(CLASSES) + 1) + to,
                         minlength=len(CLASSES) * (len(CLASSES) + 1)).reshape(len(CLASSES), len(CLASSES) + 1)
    rows = []
    for i, f in enumerate(CLASSES):
        n_from = int(counts[i].sum())
        listed = n_from - int(counts[i, -1])
        for j, t in enumerate((*CLASSES, NOT_LISTED)):
            c = int(counts[i, j])
            rows.append({"from": f, "to": t, "count": c, "share": c / n_from if n_from else math.nan,
                         "share_listed": (c / listed if listed else math.nan) if t != NOT_LISTED else math.nan})
    return pd.DataFrame(rows)


def transient_zeros(a: pd.Series, b: pd.Series, c: pd.Series) -> dict[str, float]:
    """Zeros in the middle of three listings: were they temporary?

    Over the repositories in all three listings (``a`` earliest, ``c``
    latest): ``n_dropped`` had downloads in ``a`` and none in ``b``, and
    ``dropped_back`` is the share of them with downloads again in ``c``;
    ``n_zero_both`` had none in ``a`` nor ``b``, and ``zero_both_later`` is
    the share of them with downloads in ``c``. A ``dropped_back`` far above
    ``zero_both_later`` says that many of ``b``'s zeros were temporary.
    """
    a, b, c = _clean(a, "a"), _clean(b, "b"), _clean(c, "c")
    ids = a.index[a.index.isin(b.index) & a.index.isin(c.index)]
    xa, xb, xc = a.loc[ids].to_numpy(), b.loc[ids].to_numpy(), c.loc[ids].to_numpy()
    dropped = (xa > 0) & (xb == 0)
    zero_both = (xa == 0) & (xb == 0)
    return {"n_panel": len(ids), "n_dropped": int(dropped.sum()),
            "dropped_back": float(np.mean(xc[dropped] > 0)) if dropped.any() else math.nan,
            "n_zero_both": int(zero_both.sum()),
            "zero_both_later": float(np.mean(xc[zero_both] > 0)) if zero_both.any() else math.nan}


def temporary_share_needed(required: float, temporary_back: float, lasting_back: float) -> float:
    """Share of zeros that must be temporary for ``required`` of them to have downloads later.

    If temporary zeros get downloads again at rate ``temporary_back`` and
    lasting ones at ``lasting_back``, a mixture with a share ``f`` of
    temporary zeros gets them at ``f temporary_back + (1 - f) lasting_back``;
    this returns the ``f`` that makes it ``required``, clipped to [0, 1]
    (NaN if the two rates are equal).
    """
    if temporary_back == lasting_back:
        return math.nan
    return float(min(1.0, max(0.0, (required - lasting_back) / (temporary_back - lasting_back))))


# --------------------------------------------------------------------------- decomposition


def _share_zero(x: np.ndarray) -> float:
    return float(np.mean(x == 0)) if x.size else math.nan


def _top1(x: np.ndarray) -> float:
    return float(concentration(x, (0.01,))["top1_share"]) if x.size else math.nan


def _gini(x: np.ndarray) -> float:
    return float(concentration(x, ())["gini"]) if x.size else math.nan


#: Statistics :func:`shift_share` decomposes by default.
STATISTICS: dict[str, Callable[[np.ndarray], float]] = {
    "share_zero": _share_zero,
    "top1_share": _top1,
    "gini": _gini,
}


def shift_share(a: pd.Series, b: pd.Series, statistic: Callable[[np.ndarray], float] | str = "share_zero"
                ) -> dict[str, float]:
    """Decompose the change of ``statistic`` from listing ``a`` to ``b`` into exit, within and entry.

    Parameters
    ----------
    a, b : Series of downloads indexed by repository id (earlier, later)
    statistic : a name in :data:`STATISTICS` or a function of a 1-d float array

    Returns
    -------
    dict: ``value_a`` = T(A), ``value_b`` = T(B), ``change`` = T(B) - T(A),
    ``continuing_a`` = T(C_A), ``continuing_b`` = T(C_B), ``exit`` =
    T(C_A) - T(A), ``within`` = T(C_B) - T(C_A), ``entry`` = T(B) - T(C_B)
    (so ``exit + within + entry == change``), and the counts ``n_a``,
    ``n_b``, ``n_continuing``, ``n_exited``, ``n_entered``. See the module
    docstring for the definition and references.
    """
    f = STATISTICS[statistic] if isinstance(statistic, str) else statistic
    a, b = _clean(a, "a"), _clean(b, "b")
    in_b = a.index.isin(b.index)
    in_a = b.index.isin(a.index)
    ta, tb = f(a.to_numpy()), f(b.to_numpy())
    tca, tcb = f(a.to_numpy()[in_b]), f(b.to_numpy()[in_a])
    return {"value_a": ta, "value_b": tb, "change": tb - ta, "continuing_a": tca, "continuing_b": tcb,
            "exit": tca - ta, "within": tcb - tca, "entry": tb - tcb, "n_a": len(a), "n_b": len(b),
            "n_continuing": int(in_b.sum()), "n_exited": int((~in_b).sum()), "n_entered": int((~in_a).sum())}
