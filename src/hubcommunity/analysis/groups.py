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
