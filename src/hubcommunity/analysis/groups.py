"""License-group comparisons and correlations among activity variables.

The paper compares collaboration between models with permissive, restrictive
and no license (METHODS.md, RQ1). Counts are heavily skewed and tied (most
are 0), so the comparison is rank-based:

- **Kruskal-Wallis H test** (Kruskal & Wallis 1952, *JASA* 47(260)) across
  groups, ``scipy.stats.kruskal`` (tie-corrected);
- **Dunn's post-hoc test** (Dunn 1964, *Technometrics* 6(3)) for every pair,
  with Holm's step-down correction (Holm 1979, *Scand. J. Statist.* 6(2)),
  ``scikit_posthocs.posthoc_dunn``;
- **effect size epsilon squared**, ``eps2 = H / ((n^2 - 1) / (n + 1)) = H / (n - 1)``
  (Tomczak & Tomczak 2014, *Trends in Sport Sciences* 1(21):19-25, eq. 6),
  in [0, 1]; and, per pair, the probability of superiority
  ``P(X > Y) + P(X = Y)/2`` (Vargha & Delaney 2000's A, from the Mann-Whitney U).

Spearman rank correlations (``scipy.stats.spearmanr``) among activity
variables use the rows where both variables are known (pairwise complete).

:func:`rank_tests` does the same tests on a *count table* (how many
repositories of each group have each distinct value), which is exact for
counts with many ties and fast for hundreds of thousands of repositories,
and adds what a reader needs to judge them: p-values that do not underflow
(``log10_p``, printed by :func:`format_p` as ``"< 1e-300"`` rather than
``0``), the direction of every pairwise difference, and percentile
bootstrap confidence intervals (Efron & Tibshirani 1993, ch. 13) of epsilon
squared and of each pair's probability of superiority, from resampling
every group's repositories with replacement (a stratified bootstrap: group
sizes fixed). Each pair's effect is named by Vargha & Delaney (2000)'s
thresholds on ``|A - 0.5|``: below 0.06 negligible, below 0.14 small, below
0.21 medium, otherwise large.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from hubcommunity.analysis.distributions import as_values

__all__ = [
    "GROUP_ORDER",
    "group_shares",
    "group_summary",
    "group_quantiles",
    "kruskal_wallis",
    "epsilon_squared",
    "dunn_holm",
    "compare_groups",
    "spearman_matrix",
    "count_table",
    "kruskal_counts",
    "dunn_counts",
    "superiority_counts",
    "rank_tests",
    "format_p",
    "effect_label",
]

#: License groups in the book's order (``data/license_groups.csv``).
GROUP_ORDER = ("permissive", "restrictive", "other", "none")


def _ordered(groups: Iterable[str], order: Sequence[str] = GROUP_ORDER) -> list[str]:
    groups = list(dict.fromkeys(groups))
    known = [g for g in order if g in groups]
    return known + sorted(g for g in groups if g not in order)


def group_shares(frame: pd.DataFrame, group: str = "license_group", by: str | None = "repo_type") -> pd.DataFrame:
    """Number and share of rows per group (within each ``by`` value).

    Columns: ``by`` (if given), ``group`` value column, ``count``, ``share``.
    Missing group values are counted as their own group ``<NA>``.
    """
    keys = [by, group] if by else [group]
    counts = frame.groupby(keys, dropna=False).size().rename("count").reset_index()
    totals = counts.groupby(by)["count"].transform("sum") if by else counts["count"].sum()
    counts["share"] = counts["count"] / totals
    rank = {g: i for i, g in enumerate(_ordered(counts[group].dropna().unique()))}
    counts["_o"] = counts[group].map(rank).fillna(len(rank))
    return counts.sort_values([*([by] if by else []), "_o"]).drop(columns="_o").reset_index(drop=True)


def group_summary(frame: pd.DataFrame, value: str, group: str = "license_group") -> pd.DataFrame:
    """Per group: ``n`` (known values), ``share_zero``, ``mean``, ``median``, ``p90``, ``max``."""
    rows = []
    for name in _ordered(frame[group].dropna().unique()):
        x = as_values(frame.loc[frame[group] == name, value])
        rows.append({
            "group": name, "n": int(x.size),
            "share_zero": float(np.mean(x == 0)) if x.size else np.nan,
            "mean": float(x.mean()) if x.size else np.nan,
            "median": float(np.median(x)) if x.size else np.nan,
            "p90": float(np.quantile(x, 0.9)) if x.size else np.nan,
            "max": float(x.max()) if x.size else np.nan,
        })
    return pd.DataFrame(rows)


def group_quantiles(frame: pd.DataFrame, values: Sequence[str], group: str = "license_group",
                    by: str | None = "repo_type") -> pd.DataFrame:
    """Box-plot statistics per (``by``, group, variable), computed here so a chart stays small.

    Columns: ``by`` (if given), ``group``, ``variable``, ``n``, ``q05``,
    ``q25``, ``median``, ``q75``, ``q95``, ``mean``, ``share_zero``.
    Groups with no known value are left out.
    """
    rows = []
    by_groups = [(None, frame)] if by is None else list(frame.groupby(by, sort=True))
    for by_value, part in by_groups:
        for name in _ordered(part[group].dropna().unique()):
            for value in values:
                x = as_values(part.loc[part[group] == name, value])
                if not x.size:
                    continue
                q = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95])
                row = {} if by is None else {by: by_value}
                row.update(group=name, variable=value, n=int(x.size), q05=q[0], q25=q[1], median=q[2], q75=q[3],
                           q95=q[4], mean=float(x.mean()), share_zero=float(np.mean(x == 0)))
                rows.append(row)
    return pd.DataFrame(rows)


def _samples(frame: pd.DataFrame, value: str, group: str) -> dict[str, np.ndarray]:
    samples = {}
    for name in _ordered(frame[group].dropna().unique()):
        x = as_values(frame.loc[frame[group] == name, value])
        if x.size:
            samples[name] = x
    return samples


def epsilon_squared(H: float, n: int) -> float:
    """Epsilon squared of a Kruskal-Wallis H over ``n`` observations: ``H / ((n^2 - 1)/(n + 1))``."""
    if n < 2:
        return float("nan")
    return float(H / ((n * n - 1) / (n + 1)))


def kruskal_wallis(samples: dict[str, np.ndarray]) -> dict:
    """Kruskal-Wallis test over the groups in ``samples`` (name -> values).

    Returns ``H``, ``df`` (groups - 1), ``p``, ``n`` and ``epsilon_squared``.
    All values identical (no variation, e.g. all zero) gives H = 0, p = 1.
    """
    groups = [np.asarray(v, dtype="float64") for v in samples.values() if len(v)]
    n = int(sum(g.size for g in groups))
    if len(groups) < 2:
        raise ValueError("kruskal_wallis needs at least two non-empty groups")
    pooled = np.concatenate(groups)
    if np.all(pooled == pooled[0]):
        H, p = 0.0, 1.0
    else:
        H, p = stats.kruskal(*groups)
    return {"H": float(H), "df": len(groups) - 1, "p": float(p), "n": n, "epsilon_squared": epsilon_squared(H, n)}


def dunn_holm(samples: dict[str, np.ndarray]) -> pd.DataFrame:
    """Dunn's pairwise test with Holm correction, one row per pair of groups.

    Columns ``group_a, group_b, n_a, n_b, median_a, median_b, p_holm`` and
    ``a_superiority`` (probability that a random value of ``group_a``
    exceeds one of ``group_b``, ties counted half: ``U / (n_a n_b)``).
    """
    import scikit_posthocs as sp

    names = list(samples)
    long = pd.DataFrame({
        "value": np.concatenate([samples[k] for k in names]),
        "group": np.repeat(names, [len(samples[k]) for k in names]),
    })
    pvals = sp.posthoc_dunn(long, val_col="value", group_col="group", p_adjust="holm")
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            x, y = samples[a], samples[b]
            u = stats.mannwhitneyu(x, y, alternative="two-sided").statistic
            rows.append({
                "group_a": a, "group_b": b, "n_a": int(x.size), "n_b": int(y.size),
                "median_a": float(np.median(x)), "median_b": float(np.median(y)),
                "p_holm": float(pvals.loc[a, b]), "a_superiority": float(u / (x.size * y.size)),
            })
    return pd.DataFrame(rows)


def compare_groups(frame: pd.DataFrame, value: str, group: str = "license_group",
                   groups: Sequence[str] | None = None) -> tuple[dict, pd.DataFrame]:
    """Kruskal-Wallis (with epsilon squared) and Dunn-Holm pairs for one variable.

    ``groups`` restricts (and orders) the groups compared, e.g.
    ``("permissive", "restrictive", "none")`` as in the paper. Rows with a
    missing value or group are left out. Returns ``(test, pairs)``:
    the :func:`kruskal_wallis` dict (plus ``variable``) and :func:`dunn_holm`.
    """
    samples = _samples(frame, value, group)
    if groups is not None:
        samples = {g: samples[g] for g in groups if g in samples}
    test = {"variable": value, **kruskal_wallis(samples)}
    return test, dunn_holm(samples)


def spearman_matrix(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Spearman's rho for every pair of ``columns``, pairwise complete.

    Long format, one row per ordered pair (both triangles and the diagonal,
    convenient for a heatmap): ``var_a, var_b, rho, p, n``. Pairs with fewer
    than 3 common rows, or a constant column, get NaN rho and p.
    """
    rows = []
    columns = list(columns)
    numeric = {c: pd.to_numeric(frame[c], errors="coerce").astype("float64") for c in columns}
    for a in columns:
        for b in columns:
            both = numeric[a].notna() & numeric[b].notna()
            x, y = numeric[a][both].to_numpy(), numeric[b][both].to_numpy()
            n = int(both.sum())
            if n < 3 or np.all(x == x[0]) or np.all(y == y[0]):
                rho, p = np.nan, np.nan
            elif a == b:
                rho, p = 1.0, 0.0
            else:
                rho, p = stats.spearmanr(x, y)
            rows.append({"var_a": a, "var_b": b, "rho": float(rho), "p": float(p), "n": n})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- count-table rank tests


def count_table(samples: dict[str, np.ndarray]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``(names, values, counts)``: the distinct values over all groups (sorted) and a
    ``len(names) x len(values)`` table of how many values of each group equal each."""
    names = [k for k, v in samples.items() if len(v)]
    pooled = np.concatenate([np.asarray(samples[k], dtype="float64") for k in names])
    values, inverse = np.unique(pooled, return_inverse=True)
    group = np.repeat(np.arange(len(names)), [len(samples[k]) for k in names])
    counts = np.zeros((len(names), values.size))
    np.add.at(counts, (group, inverse.ravel()), 1.0)
    return names, values, counts


def _midranks(pooled: np.ndarray) -> np.ndarray:
    """Mid-rank of each distinct value, from its pooled count (ties share the mean rank)."""
    before = np.cumsum(pooled) - pooled
    return before + (pooled + 1.0) / 2.0


def _tie_sum(pooled: np.ndarray) -> float:
    return float(np.sum(pooled**3 - pooled))


def kruskal_counts(counts: np.ndarray) -> dict:
    """Kruskal-Wallis H test on a count table (groups x distinct values), tie-corrected.

    Same H and p as ``scipy.stats.kruskal`` on the expanded values. Returns
    ``H``, ``df``, ``p``, ``log10_p`` (``chi2.logsf``; finite where ``p``
    underflows to 0), ``n`` and ``epsilon_squared`` (``H / (n - 1)``).
    """
    counts = np.asarray(counts, dtype="float64")
    n_g = counts.sum(axis=1)
    pooled = counts.sum(axis=0)
    n = float(n_g.sum())
    ranks = _midranks(pooled)
    rank_sums = counts @ ranks
    correction = 1.0 - _tie_sum(pooled) / (n**3 - n) if n > 1 else 0.0
    df = int(counts.shape[0] - 1)
    if correction <= 0:  # every value the same
        return {"H": 0.0, "df": df, "p": 1.0, "log10_p": 0.0, "n": int(n), "epsilon_squared": 0.0}
    H = (12.0 / (n * (n + 1.0)) * np.sum(rank_sums**2 / n_g) - 3.0 * (n + 1.0)) / correction
    H = max(float(H), 0.0)
    return {"H": H, "df": df, "p": float(stats.chi2.sf(H, df)),
            "log10_p": float(stats.chi2.logsf(H, df) / np.log(10)), "n": int(n),
            "epsilon_squared": epsilon_squared(H, int(n))}


def dunn_counts(counts: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """Dunn's pairwise z tests on a count table with Holm's correction, one row per pair.

    As ``scikit_posthocs.posthoc_dunn(..., p_adjust="holm")`` (tie-corrected
    variance ``n(n+1)/12 - sum(t^3 - t)/(12(n-1))``), plus ``z`` (positive:
    ``group_a`` has the higher mean rank) and the log10 of the raw and Holm
    p-values, which stay finite where the p-values underflow.
    Columns ``group_a, group_b, z, p, log10_p, p_holm, log10_p_holm``.
    """
    counts = np.asarray(counts, dtype="float64")
    n_g = counts.sum(axis=1)
    pooled = counts.sum(axis=0)
    n = float(n_g.sum())
    mean_rank = (counts @ _midranks(pooled)) / n_g
    var = n * (n + 1.0) / 12.0 - _tie_sum(pooled) / (12.0 * (n - 1.0))
    rows = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            z = (mean_rank[i] - mean_rank[j]) / np.sqrt(var * (1.0 / n_g[i] + 1.0 / n_g[j]))
            log_p = float((np.log(2.0) + stats.norm.logsf(abs(z))) / np.log(10))
            rows.append({"group_a": names[i], "group_b": names[j], "z": float(z), "log10_p": min(log_p, 0.0)})
    out = pd.DataFrame(rows)
    out["log10_p_holm"] = _holm_log10(out["log10_p"].to_numpy())
    out["p"] = 10.0 ** out["log10_p"]
    out["p_holm"] = 10.0 ** out["log10_p_holm"]
    return out[["group_a", "group_b", "z", "p", "log10_p", "p_holm", "log10_p_holm"]]


def _holm_log10(log10_p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment (Holm 1979) on log10 p-values."""
    m = log10_p.size
    order = np.argsort(log10_p, kind="stable")
    adjusted = np.log10(m - np.arange(m)) + log10_p[order]
    adjusted = np.minimum(np.maximum.accumulate(adjusted), 0.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def superiority_counts(a: np.ndarray, b: np.ndarray) -> float:
    """Probability that a value of group ``a`` exceeds one of group ``b``, ties counted half
    (Vargha & Delaney's A), from the two groups' rows of a count table."""
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    below_b = np.cumsum(b) - b
    return float(np.sum(a * (below_b + 0.5 * b)) / (a.sum() * b.sum()))


def effect_label(a: float) -> str:
    """Vargha & Delaney (2000)'s name for a probability of superiority ``a``: negligible, small,
    medium or large, by ``|a - 0.5|`` below 0.06, 0.14, 0.21 or above."""
    d = abs(a - 0.5)
    return "negligible" if d < 0.06 else "small" if d < 0.14 else "medium" if d < 0.21 else "large"


def format_p(p: float, log10_p: float | None = None, digits: int = 2) -> str:
    """A p-value as text: ``"0.034"``, ``"2.1e-12"``, or ``"< 1e-300"`` where it underflows.

    ``log10_p`` (if given) is used when ``p`` is 0 or below 1e-300, so an
    underflowing p-value is never printed as 0: it becomes ``"< 1e-300"``
    (the exact exponent is in the table's CSV, column ``log10_p``).
    """
    if log10_p is not None and np.isfinite(log10_p) and log10_p < -300:
        return "< 1e-300"
    if p is None or not np.isfinite(p):
        return ""
    if p == 0:
        return "< 1e-300"
    if p >= 0.001:
        return f"{p:.{digits}g}"
    return f"{p:.{max(digits - 1, 1)}e}"


def rank_tests(samples: dict[str, np.ndarray], *, n_boot: int = 1000, seed: int = 0,
               level: float = 0.95) -> tuple[dict, pd.DataFrame]:
    """Kruskal-Wallis and Dunn-Holm tests with effect sizes, directions and bootstrap intervals.

    ``samples``: group name -> values (empty groups dropped; order kept).
    Returns ``(test, pairs)``:

    - ``test``: :func:`kruskal_counts` plus ``eps2_low``, ``eps2_high`` (the
      ``level`` percentile bootstrap interval of epsilon squared) and ``groups``;
    - ``pairs``: :func:`dunn_counts` plus ``n_a, n_b, mean_a, mean_b``,
      ``a_superiority`` (probability that a value of ``group_a`` exceeds one
      of ``group_b``, ties half) with ``a_low``, ``a_high``, ``effect``
      (:func:`effect_label`), ``higher`` (the group whose values tend to be
      higher: ``group_a`` when ``a_superiority > 0.5``) and ``ci_excludes_half``
      (the interval does not contain 0.5).

    The bootstrap resamples each group's values with replacement
    (``n_boot`` times, ``numpy.random.default_rng(seed)``), which on a count
    table is one multinomial draw per group.
    """
    names, _, counts = count_table(samples)
    if len(names) < 2:
        raise ValueError("rank_tests needs at least two non-empty groups")
    test = kruskal_counts(counts)
    pairs = dunn_counts(counts, names)
    n_g = counts.sum(axis=1)
    index = {name: i for i, name in enumerate(names)}
    pairs.insert(2, "n_a", [int(n_g[index[a]]) for a in pairs["group_a"]])
    pairs.insert(3, "n_b", [int(n_g[index[b]]) for b in pairs["group_b"]])
    pairs["mean_a"] = [float(np.mean(samples[a])) for a in pairs["group_a"]]
    pairs["mean_b"] = [float(np.mean(samples[b])) for b in pairs["group_b"]]
    pairs["a_superiority"] = [superiority_counts(counts[index[a]], counts[index[b]])
                              for a, b in zip(pairs["group_a"], pairs["group_b"])]
    rng = np.random.default_rng(seed)
    shares = counts / n_g[:, None]
    eps_boot = np.empty(n_boot)
    a_boot = np.empty((n_boot, len(pairs)))
    for r in range(n_boot):
        table = np.vstack([rng.multinomial(int(n_g[i]), shares[i]) for i in range(len(names))]).astype("float64")
        eps_boot[r] = kruskal_counts(table)["epsilon_squared"]
        a_boot[r] = [superiority_counts(table[index[a]], table[index[b]])
                     for a, b in zip(pairs["group_a"], pairs["group_b"])]
    tails = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    test["eps2_low"], test["eps2_high"] = (float(v) for v in np.percentile(eps_boot, tails))
    test["groups"] = ", ".join(names)
    low, high = np.percentile(a_boot, tails, axis=0)
    pairs["a_low"], pairs["a_high"] = low, high
    pairs["effect"] = [effect_label(a) for a in pairs["a_superiority"]]
    pairs["higher"] = np.where(pairs["a_superiority"] >= 0.5, pairs["group_a"], pairs["group_b"])
    pairs["ci_excludes_half"] = (low > 0.5) | (high < 0.5)
    return test, pairs
