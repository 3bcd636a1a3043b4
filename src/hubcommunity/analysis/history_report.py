"""The tables and headline numbers of the chapter on the Hub over time (``book/history.md``).

Functions that assemble what the chapter shows from the ``repos`` tables of the
dated listings -- the earlier whole-Hub listings (snapshots of role ``history``,
:mod:`hubcommunity.foreign`) and the current ones (the default snapshots) --
using the measures of :mod:`hubcommunity.analysis.history`. Each returns a tidy
frame for a table or figure, or the section's numbers as records
(:mod:`hubcommunity.analysis.records`). Shares are fractions in [0, 1]; counts
are ints. No I/O except :func:`listing_provenance` (reads snapshot manifests).

The paper's values (``data/paper_claims.csv``) become *points* on the
trajectories, dated :data:`PAPER_DATE` (the paper: "about October 2023").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hubcommunity.analysis import history as hi
from hubcommunity.analysis import records as rec

__all__ = [
    "PAPER_DATE",
    "PAPER_POINTS",
    "MEASURE_LABELS",
    "N_BOOT",
    "SEED",
    "Listings",
    "stack_listings",
    "listing_key",
    "listing_provenance",
    "date_check_records",
    "concentration_table",
    "intervals_table",
    "summary_records",
    "paper_points",
    "trajectory_frame",
    "curves",
    "download_frequencies",
    "paper_comparison",
    "paper_table",
    "paper_records",
    "listing_pairs",
    "panel_table",
    "panel_records",
    "retention_frame",
    "transient_zero_records",
    "transitions_table",
    "decomposition_table",
    "decomposition_records",
]

#: The date the paper's points are drawn at, and the cut-off for "models the paper could have seen".
PAPER_DATE = pd.Timestamp("2023-10-01", tz="UTC")

#: The paper's claims (``data/paper_claims.csv`` keys) that are points on a trajectory: key ->
#: (repository type, measure). Claims not listed here are not placed.
PAPER_POINTS = {
    "models_zero_downloads_share": ("model", "share_zero"),
    "models_top1_downloads_share": ("model", "top1_share"),
    "models_analysed": ("model", "n"),
    "datasets_analysed": ("dataset", "n"),
}

#: How the chapter names each measure.
MEASURE_LABELS = {
    "n": "repositories",
    "share_zero": "share with 0 downloads",
    "top0.1_share": "top 0.1% share",
    "top1_share": "top 1% share",
    "top10_share": "top 10% share",
    "gini": "Gini coefficient",
}

#: Bootstrap replicates per listing and the seed of the random generator.
N_BOOT = 1000
SEED = 0

_SHARE = "{:.1%}"
_PP = "{:+.1f}"


# --------------------------------------------------------------------------- listings


@dataclass
class Listings:
    """Dated whole-Hub listings, split for fast joins by repository id.

    ``meta``: one row per listing (``repo_type, snapshot, date, listing, n``),
    models first, then datasets, each by date. ``downloads`` / ``created``: per listing, a Series of
    downloads (float, NaN where missing) / creation times indexed by an
    integer *id code*; codes are shared across listings (one code per
    repository id), so joins are integer joins. ``ids``: the repository id
    of each code.
    """

    meta: pd.DataFrame
    downloads: dict[str, pd.Series]
    created: dict[str, pd.Series]
    ids: np.ndarray

    def names(self, repo_type: str | None = None) -> list[str]:
        """Listing names (of ``repo_type``), by type and date."""
        m = self.meta if repo_type is None else self.meta[self.meta["repo_type"] == repo_type]
        return m["listing"].tolist()

    def row(self, listing: str) -> pd.Series:
        """The ``meta`` row of ``listing``."""
        return self.meta.set_index("listing").loc[listing]

    def repo_ids(self, listing: str) -> pd.Index:
        """Repository ids (text) of ``listing``."""
        return pd.Index(self.ids[self.downloads[listing].index.to_numpy()], dtype=object)


def stack_listings(*repos: pd.DataFrame) -> Listings:
    """:class:`Listings` from ``repos`` tables: every ``(snapshot, repo_type)`` of models or datasets.

    A listing is dated by its ``captured_at`` and named e.g. ``"models 2022-07"``
    (the snapshot name is appended if two listings of a type share a month).
    """
    parts = [r.loc[r["repo_type"].isin(["model", "dataset"]),
                   ["repo_type", "snapshot", "captured_at", "repo_id", "downloads", "created_at"]] for r in repos]
    frame = pd.concat(parts, ignore_index=True)
    codes, ids = pd.factorize(frame["repo_id"].astype(object).to_numpy())
    frame["_code"] = codes
    meta = frame.groupby(["repo_type", "snapshot"], sort=False).agg(date=("captured_at", "min"), n=("_code", "size"))
    meta = meta.reset_index()
    meta["_type_order"] = meta["repo_type"].map({"model": 0, "dataset": 1})
    meta = meta.sort_values(["_type_order", "date", "snapshot"], ignore_index=True)
    meta["listing"] = meta["repo_type"] + "s " + meta["date"].dt.strftime("%Y-%m")
    clash = meta.duplicated(["listing"], keep=False)
    meta.loc[clash, "listing"] = meta.loc[clash, "listing"] + " (" + meta.loc[clash, "snapshot"] + ")"
    downloads, created = {}, {}
    groups = frame.groupby(["repo_type", "snapshot"], sort=False).indices
    for r in meta.itertuples(index=False):
        rows = frame.iloc[groups[(r.repo_type, r.snapshot)]]
        index = pd.Index(rows["_code"].to_numpy(), name="code")
        downloads[r.listing] = pd.Series(rows["downloads"].to_numpy(dtype="float64", na_value=np.nan), index=index,
                                         name=r.listing)
        created[r.listing] = pd.Series(rows["created_at"].array, index=index, name=r.listing)
    return Listings(meta=meta[["repo_type", "snapshot", "date", "listing", "n"]], downloads=downloads,
                    created=created, ids=np.asarray(ids, dtype=object))


def listing_key(repo_type: str, date: pd.Timestamp, latest: bool = False) -> str:
    """Key prefix of a listing's numbers: ``models_2022_07``; ``models_latest`` for the newest."""
    return f"{repo_type}s_latest" if latest else f"{repo_type}s_{date:%Y_%m}"


def _keys(meta: pd.DataFrame) -> dict[str, str]:
    """Listing -> key prefix (:func:`listing_key`; the newest of each type is ``latest``)."""
    newest = meta.groupby("repo_type")["date"].transform("max")
    return {r.listing: listing_key(r.repo_type, r.date, r.date == n) for r, n in zip(meta.itertuples(), newest)}


def listing_provenance(listings: Listings, snapshots: pd.DataFrame) -> pd.DataFrame:
    """Source, licence, capture date and its evidence, and what each listing lacks, from the manifests.

    ``snapshots``: rows of ``Tables.snapshots`` (``snapshot, path``) of every
    snapshot the listings came from. Returns one row per listing: ``listing,
    date, repositories, source, license, evidence, lacks``.
    """
    from hubcommunity.snapshot import open_snapshot

    paths = snapshots.drop_duplicates("snapshot").set_index("snapshot")["path"]
    rows = []
    for r in listings.meta.itertuples():
        m = open_snapshot(paths[r.snapshot], validate=False).manifest
        src = m.get("source") or {}
        src = "; ".join(str(src[k]) for k in ("citation", "url", "commit") if src.get(k)) if isinstance(src, dict) else str(src)
        rows.append({"listing": r.listing, "date": r.date.strftime("%Y-%m-%d"), "repositories": int(r.n),
                     "source": src, "license": str(m.get("license") or ""),
                     "evidence": str(m.get("captured_at_evidence") or "the capture's own file names and README"),
                     "lacks": "; ".join(m.get("lacks") or [])})
    return pd.DataFrame(rows)


def date_check_records(listings: Listings, early: str = "models 2022-07", later: str = "models 2022-10"
                       ) -> list[dict]:
    """Evidence for the capture dates: the newest creation time of each listing that has them
    (``newest_created_<key>``), and how many of ``later``'s models created before ``early``'s
    date are missing from ``early`` (``datecheck_*``)."""
    keys = _keys(listings.meta)
    out = []
    for name in listings.names():
        created = listings.created[name]
        if created.notna().any() and not keys[name].endswith("latest"):
            out.append(rec.text(f"newest_created_{keys[name]}", created.max().strftime("%Y-%m-%d"),
                                f"Newest creation time in the {name} listing"))
    if {early, later} <= set(listings.names()):
        cut = listings.row(early)["date"]
        created = listings.created[later]
        older = created.index[(created < cut).to_numpy()]
        missing = int((~older.isin(listings.downloads[early].index)).sum())
        out += [rec.count("datecheck_older", len(older), "models",
                          f"Models of the {later} listing created before {cut:%Y-%m-%d}"),
                rec.count("datecheck_missing", missing, "models", f"... of which not in the {early} listing")]
    return out


# --------------------------------------------------------------------------- concentration per listing


def concentration_table(listings: Listings, n_boot: int = N_BOOT, seed: int = SEED
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Concentration of downloads per listing, and bootstrap intervals of each share.

    Returns ``(summary, intervals)``. ``summary``: one row per listing with
    ``repo_type, listing, date, n, n_missing, share_zero, top0.1_share,
    top1_share, top10_share, gini, median``. ``intervals``: one row per
    (listing, measure) from :func:`~hubcommunity.analysis.history.bootstrap_concentration`
    with ``n_boot`` replicates (``seed``).
    """
    rows, cis = [], []
    for r in listings.meta.itertuples():
        x = listings.downloads[r.listing]
        c = hi.concentration(x)
        rows.append({"repo_type": r.repo_type, "listing": r.listing, "date": r.date,
                     **{k: c[k] for k in ("n", "n_missing", *hi.MEASURES, "median")}})
        ci = hi.bootstrap_concentration(x, n_boot=n_boot, seed=seed)
        ci.insert(0, "listing", r.listing)
        ci.insert(0, "repo_type", r.repo_type)
        ci.insert(2, "date", r.date)
        cis.append(ci)
    return pd.DataFrame(rows), pd.concat(cis, ignore_index=True)


def intervals_table(intervals: pd.DataFrame) -> pd.DataFrame:
    """One row per listing: for each measure ``<m>_low`` and ``<m>_high`` (numbers) and
    ``<m>_interval`` (display text, e.g. ``30.5–31.3%``; the Gini coefficient as ``0.9943–0.9967``)."""
    rows = []
    for listing, grp in intervals.groupby("listing", sort=False):
        row: dict = {"listing": listing}
        for r in grp.itertuples(index=False):
            m = r.measure.replace(".", "")
            row[f"{m}_low"], row[f"{m}_high"] = r.low, r.high
            digits = 2 if r.measure == "top10_share" else 1  # top-10% shares sit just below 100%
            row[f"{m}_interval"] = (f"{r.low:.4f}–{r.high:.4f}" if r.measure == "gini"
                                    else f"{100 * r.low:.{digits}f}–{100 * r.high:.{digits}f}%")
        rows.append(row)
    return pd.DataFrame(rows)


def summary_records(summary: pd.DataFrame, intervals: pd.DataFrame) -> list[dict]:
    """Per listing (key prefix :func:`listing_key`): n, zero share, top shares, Gini, median,
    and the bounds of each share's interval (``<prefix>_<measure>_low/_high``); the
    capture date as text (``<prefix>_date``); the number of bootstrap replicates."""
    keys = _keys(summary[["repo_type", "date", "listing"]])
    ci = intervals.set_index(["listing", "measure"])
    out = []
    names = {"share_zero": "zero", "top0.1_share": "top01", "top1_share": "top1", "top10_share": "top10",
             "gini": "gini"}
    for d in summary.to_dict("records"):
        k, listing = keys[d["listing"]], d["listing"]
        out.append(rec.text(f"{k}_date", d["date"].strftime("%Y-%m-%d"), f"Capture date of the {listing} listing"))
        out.append(rec.count(f"{k}_n", d["n"], f"{d['repo_type']}s", f"Repositories in the {listing} listing"))
        for m, short in names.items():
            v = d[m]
            fmt = "{:.3f}" if m == "gini" else _SHARE
            unit = "Gini coefficient" if m == "gini" else ("share of repositories" if m == "share_zero"
                                                          else "share of downloads")
            out.append(rec.number(f"{k}_{short}", v, unit, f"{MEASURE_LABELS[m]} of downloads, {listing}", fmt))
            for bound in ("low", "high"):
                out.append(rec.number(f"{k}_{short}_{bound}", ci.loc[(listing, m), bound], unit,
                                      f"{bound} end of the 95% bootstrap interval: {MEASURE_LABELS[m]}, {listing}",
                                      fmt))
        out.append(rec.number(f"{k}_median", d["median"], "downloads", f"Median downloads, {listing}", "{:,.0f}"))
    out.append(rec.count("n_boot", int(intervals["n_boot"].iloc[0]), "replicates",
                         "Bootstrap replicates per listing (resamples of its repositories)"))
    return out


# --------------------------------------------------------------------------- the paper's points


def paper_points(claims: pd.DataFrame, date: pd.Timestamp = PAPER_DATE) -> pd.DataFrame:
    """The paper's claims that are points on a trajectory (:data:`PAPER_POINTS`).

    ``claims``: :func:`hubcommunity.paper.load_paper_claims`. Returns
    ``key, repo_type, measure, date, value, comparison, claim``.
    """
    rows = []
    for c in claims.itertuples(index=False):
        if c.key in PAPER_POINTS:
            repo_type, measure = PAPER_POINTS[c.key]
            rows.append({"key": c.key, "repo_type": repo_type, "measure": measure, "date": date,
                         "value": float(c.value), "comparison": c.comparison, "claim": c.claim})
    return pd.DataFrame(rows, columns=["key", "repo_type", "measure", "date", "value", "comparison", "claim"])


def trajectory_frame(summary: pd.DataFrame, intervals: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """Long frame for the trajectories chart: measured listings (with intervals) and the paper's points.

    Columns ``repo_type, measure, label, date, value, low, high, source``
    (``measured listing`` or ``paper``), ``comparison`` (the paper's: exact,
    more than, less than; ``exact`` for measured values).
    """
    ci = intervals.set_index(["listing", "measure"])
    rows = []
    for r in summary.itertuples(index=False):
        d = dict(zip(summary.columns, r))
        rows.append({"repo_type": d["repo_type"], "measure": "n", "date": d["date"], "value": float(d["n"]),
                     "low": np.nan, "high": np.nan, "source": "measured listing", "comparison": "exact",
                     "listing": d["listing"]})
        for m in hi.MEASURES:
            rows.append({"repo_type": d["repo_type"], "measure": m, "date": d["date"], "value": float(d[m]),
                         "low": ci.loc[(d["listing"], m), "low"], "high": ci.loc[(d["listing"], m), "high"],
                         "source": "measured listing", "comparison": "exact", "listing": d["listing"]})
    for p in paper.itertuples(index=False):
        rows.append({"repo_type": p.repo_type, "measure": p.measure, "date": p.date, "value": p.value,
                     "low": np.nan, "high": np.nan, "source": "paper", "comparison": p.comparison,
                     "listing": f"paper ({p.repo_type}s, about {p.date:%Y-%m})"})
    out = pd.DataFrame(rows)
    out["label"] = out["measure"].map(MEASURE_LABELS)
    return out[["repo_type", "measure", "label", "date", "value", "low", "high", "source", "comparison", "listing"]]


def _top_grid(points: int) -> np.ndarray:
    """Population shares for a Lorenz curve: even steps, plus steps even in log(1 - share) near the top."""
    linear = np.linspace(0, 1, points)
    top = 1 - np.logspace(-5, 0, points)
    return np.unique(np.clip(np.concatenate([linear, top]), 0, 1))


def download_frequencies(listings: Listings) -> pd.DataFrame:
    """The exact distributions behind :func:`curves`: ``repo_type, listing, value, count``.

    One row per listing and distinct download count (known values, zeros
    included) with the number of repositories holding it: every point of the
    CCDF and Lorenz curve, and every share and Gini of the chapter, can be
    recomputed from it.
    """
    from hubcommunity.analysis.distributions import frequency_of_series

    parts = []
    for r in listings.meta.itertuples():
        freq = frequency_of_series({r.listing: listings.downloads[r.listing]}, name="listing")
        parts.append(freq.assign(repo_type=r.repo_type))
    cols = ["repo_type", "listing", "value", "count"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def curves(listings: Listings, max_points: int = 150) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CCDF and Lorenz curve of downloads per listing, thinned for the figures.

    Returns ``(ccdf, lorenz)``. ``ccdf``: ``repo_type, listing, x, ccdf, n``
    (:func:`~hubcommunity.analysis.distributions.ccdf`, about ``max_points``
    exact points on a log grid). ``lorenz``: ``repo_type, listing,
    population_share, value_share, top_share`` (= ``1 - population_share``,
    the share of repositories from the top), ``gini``; exact points of the
    curve at about ``2 max_points`` population shares, half of them spaced
    evenly in ``log(1 - share)`` so that the top 1%, 0.1%, ... are drawn.
    """
    from hubcommunity.analysis.distributions import ccdf, gini

    cc, lo = [], []
    for r in listings.meta.itertuples():
        x = listings.downloads[r.listing].dropna().to_numpy()
        c = ccdf(x, max_points=max_points)
        cc.append(c.assign(repo_type=r.repo_type, listing=r.listing, n=x.size))
        xs = np.sort(x)
        total = xs.sum()
        if not total > 0:
            continue
        cum = np.concatenate([[0.0], np.cumsum(xs) / total])
        idx = np.unique(np.round(_top_grid(max_points) * xs.size).astype(int))
        pop = idx / xs.size
        lo.append(pd.DataFrame({"repo_type": r.repo_type, "listing": r.listing, "population_share": pop,
                                "value_share": cum[idx], "top_share": 1 - pop, "gini": gini(xs)}))
    ccdf_frame = pd.concat(cc, ignore_index=True)[["repo_type", "listing", "x", "ccdf", "n"]]
    return ccdf_frame, pd.concat(lo, ignore_index=True)


# --------------------------------------------------------------------------- the paper among the listings


def _measured(summary: pd.DataFrame, repo_type: str) -> pd.DataFrame:
    return summary[summary["repo_type"] == repo_type].sort_values("date")


def paper_comparison(summary: pd.DataFrame, paper: pd.DataFrame, listings: Listings,
                     transitions_by_pair: Mapping[str, pd.DataFrame]) -> dict:
    """What the measured listings say about the paper's points.

    For each paper point that is a share, with measured listings on both
    sides of its date: the value on the straight line between them
    (``interpolated``); for a count of repositories: how many of the newest
    listing's repositories of that type were created before the paper's date
    (``survivors``: those it could have seen that are still listed). For the
    share of models with 0 downloads, the accounting of what would have to be
    true (all counts of models):

    - ``n_old``: models in the newest listing created before the paper's date,
      ``zero_old`` of them with 0 downloads;
    - ``paper_zero_min``: the fewest zero-download models the paper's claim
      allows (``floor(share n) + 1`` for "more than", else ``round(share n)``);
    - ``vanished_max``: ``max(0, paper n - n_old)``, the most of them that can
      have left the Hub (or been created in the days of the paper's crawl);
    - ``revived_min``: ``paper_zero_min - zero_old - vanished_max``, the fewest
      that must have gained downloads by the newest listing, even if every
      vanished model had been one of them and no model lost its downloads,
      and ``revived_min_share`` of ``paper_zero_min``;
    - ``revival_<pair>``: the observed share of zero-download models of a
      listing with downloads in the next (``transitions_by_pair``: pair label
      -> :func:`~hubcommunity.analysis.history.transitions`), and the months
      between the two listings.

    Returns ``{"points": DataFrame, "zero": dict}``.
    """
    rows = []
    for p in paper.itertuples(index=False):
        m = _measured(summary, p.repo_type)
        before, after = m[m["date"] <= p.date], m[m["date"] >= p.date]
        interp, survivors = math.nan, math.nan
        if p.measure == "n" and len(after):
            survivors = int((listings.created[after.iloc[-1]["listing"]] < p.date).sum())
        elif len(before) and len(after) and p.measure in m.columns:
            b, a = before.iloc[-1], after.iloc[0]
            interp = hi.interpolate_at([b["date"], a["date"]], [float(b[p.measure]), float(a[p.measure])], p.date)
        rows.append({"key": p.key, "repo_type": p.repo_type, "measure": p.measure, "paper": p.value,
                     "comparison": p.comparison, "before": float(before.iloc[-1][p.measure]) if len(before) else math.nan,
                     "before_listing": before.iloc[-1]["listing"] if len(before) else "",
                     "after": float(after.iloc[0][p.measure]) if len(after) else math.nan,
                     "after_listing": after.iloc[0]["listing"] if len(after) else "",
                     "newest_listing": after.iloc[-1]["listing"] if len(after) else "", "interpolated": interp,
                     "survivors": survivors})
    points = pd.DataFrame(rows)
    zero: dict = {}
    pz = paper[(paper["repo_type"] == "model") & (paper["measure"] == "share_zero")]
    pn = paper[(paper["repo_type"] == "model") & (paper["measure"] == "n")]
    if len(pz) and len(pn):
        share, comparison, date = float(pz["value"].iloc[0]), pz["comparison"].iloc[0], pz["date"].iloc[0]
        n_paper = int(pn["value"].iloc[0])
        newest = _measured(summary, "model").iloc[-1]["listing"]
        is_old = (listings.created[newest] < date).to_numpy()
        n_old, zero_old = int(is_old.sum()), int((listings.downloads[newest].to_numpy()[is_old] == 0).sum())
        zero_min = math.floor(share * n_paper) + 1 if comparison == "more than" else round(share * n_paper)
        vanished = max(0, n_paper - n_old)
        revived = max(0, zero_min - zero_old - vanished)
        zero = {"newest": newest, "n_old": n_old, "zero_old": zero_old, "share_zero_old": zero_old / n_old,
                "paper_n": n_paper, "paper_share": share, "paper_zero_min": zero_min, "vanished_max": vanished,
                "revived_min": revived, "revived_min_share": revived / zero_min,
                "months_to_newest": _months(date, listings.row(newest)["date"])}
        for pair, tr in transitions_by_pair.items():
            z = tr[tr["from"] == "zero"].set_index("to")
            n_zero = int(z["count"].sum())
            zero[f"revival::{pair}"] = float(z.loc[["low", "high"], "count"].sum() / n_zero) if n_zero else math.nan
    return {"points": points, "zero": zero}


def paper_table(comparison: dict) -> pd.DataFrame:
    """The paper's points beside the listings around them, for display.

    Numeric columns ``paper, before, after, interpolated, survivors`` (NaN
    where not applicable) with ``comparison``, ``before_listing``,
    ``after_listing``; and their display text: ``measure_text, paper_text,
    before_text, after_text, line_text, survivors_text``.
    """
    pts = comparison["points"].copy()
    if pts.empty:
        return pts

    def fmt(v, measure):
        if isinstance(v, float) and math.isnan(v):
            return ""
        return f"{v:,.0f}" if measure == "n" else f"{v:.1%}"

    words = {"more than": "over ", "less than": "under ", "exact": ""}
    pts["measure_text"] = [f"{t}s: {MEASURE_LABELS[m]}" for t, m in zip(pts["repo_type"], pts["measure"])]
    pts["paper_text"] = [words.get(c, "") + (f"{v:,.0f}" if m == "n" else f"{v:.0%}")
                         for v, c, m in zip(pts["paper"], pts["comparison"], pts["measure"])]
    pts["before_text"] = [f"{fmt(v, m)} ({lst.split(' ')[-1]})" if lst else ""
                          for v, m, lst in zip(pts["before"], pts["measure"], pts["before_listing"])]
    pts["after_text"] = [f"{fmt(v, m)} ({lst.split(' ')[-1]})" if lst else ""
                         for v, m, lst in zip(pts["after"], pts["measure"], pts["after_listing"])]
    pts["line_text"] = [fmt(v, m) for v, m in zip(pts["interpolated"], pts["measure"])]
    pts["survivors_text"] = [fmt(v, m) for v, m in zip(pts["survivors"], pts["measure"])]
    return pts


def _months(a: pd.Timestamp, b: pd.Timestamp) -> float:
    """Months from ``a`` to ``b`` (days / 30.44)."""
    return (b - a).days / 30.4375


def paper_records(comparison: dict, summary: pd.DataFrame) -> list[dict]:
    """Numbers of the paper section: the paper's values, the interpolations, and the zero-share accounting."""
    out = []
    pts = comparison["points"].set_index("key") if len(comparison["points"]) else pd.DataFrame()
    for key, short in (("models_zero_downloads_share", "zero"), ("models_top1_downloads_share", "top1")):
        if key in pts.index:
            p = pts.loc[key]
            out.append(rec.number(f"paper_{short}", p["paper"], "share", f"The paper: {key} ({p['comparison']})",
                                  "{:.0%}"))
            if not math.isnan(p["interpolated"]):
                out.append(rec.number(f"interp_{short}", p["interpolated"], "share",
                                      f"Straight line between {p['before_listing']} and {p['after_listing']} "
                                      f"at the paper's date", _SHARE))
    for key, short in (("models_analysed", "models"), ("datasets_analysed", "datasets")):
        if key in pts.index:
            p = pts.loc[key]
            out.append(rec.count(f"paper_n_{short}", p["paper"], short, f"The paper: {short} analysed"))
            if not math.isnan(p["survivors"]):
                out.append(rec.count(f"survivors_{short}", p["survivors"], short,
                                     f"{short.capitalize()} of the {p['newest_listing']} listing created before the "
                                     f"paper's date"))
                out.append(rec.number(f"survivors_{short}_share", p["survivors"] / p["paper"], "share",
                                      f"... as a share of the {short} the paper analysed", _SHARE))
    out.append(rec.text("paper_date", f"{PAPER_DATE:%Y-%m}", "Where the paper's points are drawn (about October 2023)"))
    z = comparison["zero"]
    if z:
        out += [
            rec.count("old_n", z["n_old"], "models", f"Models of the {z['newest']} listing created before the paper's date"),
            rec.count("old_zero", z["zero_old"], "models", "... of which with 0 downloads"),
            rec.number("old_share_zero", z["share_zero_old"], "share of models", "... as a share", _SHARE),
            rec.count("paper_zero_min", z["paper_zero_min"], "models", "Fewest zero-download models the paper's claim allows"),
            rec.count("vanished_max", z["vanished_max"], "models",
                      "Most of the paper's models that can have left the Hub before the newest listing"),
            rec.count("revived_min", z["revived_min"], "models",
                      "Fewest of the paper's zero-download models that must have gained downloads by the newest listing"),
            rec.number("revived_min_share", z["revived_min_share"], "share of zero-download models",
                       "... as a share of the paper's zero-download models", _SHARE),
            rec.number("months_to_newest", z["months_to_newest"], "months",
                       "Months from the paper's date to the newest model listing", "{:.0f}"),
        ]
        for k, v in z.items():
            if k.startswith("revival::"):
                pair = k.split("::", 1)[1]
                out.append(rec.number(f"revival_{_pair_key(pair)}", v, "share of zero-download models",
                                      f"Zero-download models of the first listing with downloads in the second: {pair}",
                                      _SHARE))
    return out


# --------------------------------------------------------------------------- panels


def listing_pairs(listings: Listings, span: bool = True) -> list[tuple[str, str]]:
    """Pairs of listings of one type to compare: consecutive dates, and (``span``) first to newest."""
    pairs = []
    for _, grp in listings.meta.groupby("repo_type", sort=False):
        names = grp.sort_values("date")["listing"].tolist()
        pairs += list(zip(names[:-1], names[1:]))
        if span and len(names) > 2:
            pairs.append((names[0], names[-1]))
    return pairs


def pair_label(a: str, b: str) -> str:
    """``"models 2022-07", "models 2022-10"`` -> ``"models 2022-07 → 2022-10"``."""
    ta, _, da = a.rpartition(" ")
    tb, _, db = b.rpartition(" ")
    return f"{ta} {da} → {db}" if ta == tb else f"{a} → {b}"


def _pair_key(label: str) -> str:
    """``"models 2022-07 → 2022-10"`` -> ``"models_2022_07_2022_10"``."""
    return "_".join(label.replace("→", " ").replace("-", "_").split())


def _balanced_ids(listings: Listings, repo_type: str) -> pd.Index:
    """Id codes present in every listing of ``repo_type`` (the balanced panel)."""
    ids = None
    for name in listings.names(repo_type):
        idx = listings.downloads[name].index
        ids = idx if ids is None else ids[ids.isin(idx)]
    return ids if ids is not None else pd.Index([], dtype="int64")


def panel_table(listings: Listings, pairs: Sequence[tuple[str, str]] | None = None,
                top_fraction: float = 0.01) -> pd.DataFrame:
    """One row per pair of listings: attrition, rank persistence, top-set retention, zero-download revival.

    Columns: ``pair, repo_type, months`` (between the listings), ``n_a, n_b, n_both, share_exited, share_entered,
    n_panel`` (ids in every listing of the type), ``rho`` (Spearman over the
    balanced panel), ``n_top`` (the first listing's top ``top_fraction``),
    ``top_retained`` (share still in the second's), ``top_not_listed``,
    ``top_legacy`` (of the top set, ids without an owner part),
    ``top_retained_owned`` (retention among the others), ``zero_revived``
    (share of the first listing's zero-download repositories with downloads
    in the second, of all of them).
    """
    rows = []
    for a_name, b_name in pairs if pairs is not None else listing_pairs(listings):
        a, b = listings.downloads[a_name], listings.downloads[b_name]
        repo_type = listings.row(a_name)["repo_type"]
        att = hi.attrition(a, b)
        panel = _balanced_ids(listings, repo_type)
        rho = hi.rank_persistence(a.loc[panel], b.loc[panel])
        ret = hi.top_retention(a, b, top_fraction)
        top_a = hi.top_set(a, top_fraction)
        legacy = np.array(["/" not in i for i in listings.ids[top_a.to_numpy()]], dtype=bool)
        owned = top_a[~legacy]
        owned_ret = int(owned.isin(hi.top_set(b, top_fraction)).sum())
        tr = hi.transitions(a, b)
        z = tr[tr["from"] == "zero"].set_index("to")
        n_zero = int(z["count"].sum())
        months = _months(listings.row(a_name)["date"], listings.row(b_name)["date"])
        rows.append({"pair": pair_label(a_name, b_name), "repo_type": repo_type, "months": months,
                     "n_a": att["n_a"], "n_b": att["n_b"],
                     "n_both": att["n_both"], "share_exited": att["share_exited"],
                     "share_entered": att["share_entered"], "n_panel": rho["n"], "rho": rho["rho"],
                     "n_top": ret["n_top"], "top_retained": ret["share_retained"],
                     "top_not_listed": ret["not_listed"], "top_legacy": int(legacy.sum()),
                     "top_retained_owned": owned_ret / len(owned) if len(owned) else math.nan,
                     "zero_revived": float(z.loc[["low", "high"], "count"].sum() / n_zero) if n_zero else math.nan})
    return pd.DataFrame(rows)


def panel_records(panel: pd.DataFrame, listings: Listings) -> list[dict]:
    """Per pair (key ``<pair key>_<what>``): share exited, Spearman's rho, top-1% retention (all,
    and among ids with an owner), legacy ids in the top set, zero-download revival; and the
    balanced panel's size per type (``panel_n_<type>s``) and the legacy ids of each early listing."""
    out = []
    for r in panel.itertuples(index=False):
        k = _pair_key(r.pair)
        out += [
            rec.number(f"{k}_months", r.months, "months", f"{r.pair}: months between the two listings", "{:.0f}"),
            rec.number(f"{k}_exited", r.share_exited, "share of repositories",
                       f"{r.pair}: share of the first listing not in the second (deleted, renamed or private)", _SHARE),
            rec.number(f"{k}_entered", r.share_entered, "share of repositories",
                       f"{r.pair}: share of the second listing not in the first", _SHARE),
            rec.number(f"{k}_rho", r.rho, "Spearman's rho", f"{r.pair}: rank correlation of downloads, balanced panel",
                       "{:.2f}"),
            rec.count(f"{k}_ntop", r.n_top, "repositories", f"{r.pair}: size of the first listing's top 1%"),
            rec.number(f"{k}_top1_retained", r.top_retained, "share of the top 1%",
                       f"{r.pair}: share of the first listing's top 1% in the second's top 1%", _SHARE),
            rec.count(f"{k}_top1_not_listed", r.top_not_listed, "repositories",
                      f"{r.pair}: of the first listing's top 1%, not in the second listing"),
            rec.count(f"{k}_top1_legacy", r.top_legacy, "repositories",
                      f"{r.pair}: of the first listing's top 1%, ids without an owner part"),
            rec.number(f"{k}_top1_retained_owned", r.top_retained_owned, "share",
                       f"{r.pair}: top-1% retention among ids with an owner part", _SHARE),
            rec.number(f"{k}_zero_revived", r.zero_revived, "share of zero-download repositories",
                       f"{r.pair}: zero-download repositories of the first listing with downloads in the second", _SHARE),
        ]
    for repo_type, grp in panel.groupby("repo_type"):
        out.append(rec.count(f"panel_n_{repo_type}s", grp["n_panel"].iloc[0], f"{repo_type}s",
                             f"{repo_type.capitalize()}s present in every {repo_type} listing (balanced panel)"))
    keys = _keys(listings.meta)
    for name in listings.names():
        legacy = sum("/" not in i for i in listings.repo_ids(name))
        out.append(rec.count(f"{keys[name]}_legacy_ids", legacy, "repositories",
                             f"Ids without an owner part in the {name} listing"))
    return out


def transient_zero_records(listings: Listings, repo_type: str = "model", comparison: dict | None = None
                           ) -> list[dict]:
    """For the first three listings of ``repo_type`` (if there are three): how many repositories had
    downloads in the first and none in the second (``transient_dropped``), and the share of them with
    downloads in the third (``transient_dropped_back``); the same share for those with none in the
    first two (``transient_zero_both_later``). See :func:`~hubcommunity.analysis.history.transient_zeros`.

    With ``comparison`` (:func:`paper_comparison`): ``temporary_needed``, the share of the paper's
    zero-download models that would have to be temporary zeros for ``revived_min_share`` of them to
    have downloads again, if temporary zeros came back at ``transient_dropped_back`` and lasting ones
    at ``transient_zero_both_later`` (:func:`~hubcommunity.analysis.history.temporary_share_needed`).
    """
    names = listings.names(repo_type)
    if len(names) < 3:
        return []
    a, b, c = names[:3]
    t = hi.transient_zeros(listings.downloads[a], listings.downloads[b], listings.downloads[c])
    extra = []
    if comparison and comparison.get("zero"):
        need = hi.temporary_share_needed(comparison["zero"]["revived_min_share"], t["dropped_back"],
                                         t["zero_both_later"])
        extra.append(rec.number("temporary_needed", need, "share of zero-download models",
                                "Share of the paper's zero-download models that would have to be temporary zeros",
                                _SHARE))
    return extra + [
        rec.count("transient_dropped", t["n_dropped"], f"{repo_type}s",
                  f"{repo_type.capitalize()}s in {a}, {b} and {c} with downloads in the first and none in the second"),
        rec.number("transient_dropped_back", t["dropped_back"], f"share of those {repo_type}s",
                   f"... with downloads again in {c}", _SHARE),
        rec.number("transient_zero_both_later", t["zero_both_later"], f"share of {repo_type}s",
                   f"{repo_type.capitalize()}s with no downloads in {a} nor {b}: share with downloads in {c}", _SHARE),
    ]


#: Top fractions of the rank-persistence chart.
RETENTION_FRACTIONS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25)


def retention_frame(listings: Listings, pairs: Sequence[tuple[str, str]] | None = None,
                    fractions: Sequence[float] = RETENTION_FRACTIONS) -> pd.DataFrame:
    """Top-set retention for each pair and top fraction (rows of :func:`~hubcommunity.analysis.history.retention_curve`
    with ``pair`` and ``repo_type``)."""
    parts = []
    for a_name, b_name in pairs if pairs is not None else listing_pairs(listings):
        cur = hi.retention_curve(listings.downloads[a_name], listings.downloads[b_name], fractions)
        cur.insert(0, "repo_type", listings.row(a_name)["repo_type"])
        cur.insert(0, "pair", pair_label(a_name, b_name))
        parts.append(cur)
    return pd.concat(parts, ignore_index=True)


def transitions_table(listings: Listings, pairs: Sequence[tuple[str, str]] | None = None
                      ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Download-class transitions per pair, wide: one row per (pair, from class).

    Returns ``(table, by_pair)``: ``table`` with ``pair, from, n`` and the share
    going to ``zero, low, high, not listed``; ``by_pair`` the long
    :func:`~hubcommunity.analysis.history.transitions` frame per pair label.
    """
    rows, by_pair = [], {}
    for a_name, b_name in pairs if pairs is not None else listing_pairs(listings):
        label = pair_label(a_name, b_name)
        tr = hi.transitions(listings.downloads[a_name], listings.downloads[b_name])
        by_pair[label] = tr
        for f, grp in tr.groupby("from", sort=False):
            g = grp.set_index("to")
            rows.append({"pair": label, "from": f, "n": int(g["count"].sum()),
                         **{f"to_{t.replace(' ', '_')}": g.loc[t, "share"] for t in (*hi.CLASSES, hi.NOT_LISTED)}})
    return pd.DataFrame(rows), by_pair


# --------------------------------------------------------------------------- decomposition


def decomposition_table(listings: Listings, pairs: Sequence[tuple[str, str]] | None = None,
                        statistics: Sequence[str] = ("share_zero", "top1_share")) -> pd.DataFrame:
    """Shift-share decomposition (:func:`~hubcommunity.analysis.history.shift_share`) per pair and statistic.

    Consecutive pairs only by default. Columns ``pair, repo_type, measure,
    value_a, value_b, change, exit, within, entry, n_continuing, n_exited,
    n_entered``.
    """
    rows = []
    for a_name, b_name in pairs if pairs is not None else listing_pairs(listings, span=False):
        a, b = listings.downloads[a_name], listings.downloads[b_name]
        repo_type = listings.row(a_name)["repo_type"]
        for s in statistics:
            d = hi.shift_share(a, b, s)
            rows.append({"pair": pair_label(a_name, b_name), "repo_type": repo_type, "measure": MEASURE_LABELS[s],
                         **{k: d[k] for k in ("value_a", "value_b", "change", "exit", "within", "entry",
                                              "n_continuing", "n_exited", "n_entered")}})
    return pd.DataFrame(rows)


def decomposition_records(decomp: pd.DataFrame) -> list[dict]:
    """Per pair and measure (key ``dec_<pair key>_<zero|top1>_<term>``): change, exit, within and
    entry in percentage points (signed; ``_abs``: their size), and the number of new repositories (``_new``)."""
    out = []
    short = {MEASURE_LABELS["share_zero"]: "zero", MEASURE_LABELS["top1_share"]: "top1"}
    for r in decomp.itertuples(index=False):
        k = f"dec_{_pair_key(r.pair)}_{short.get(r.measure, r.measure)}"
        for term in ("change", "exit", "within", "entry"):
            out.append(rec.number(f"{k}_{term}", 100 * getattr(r, term), "percentage points",
                                  f"{r.pair}, {r.measure}: {term} (percentage points)", _PP))
            out.append(rec.number(f"{k}_{term}_abs", abs(100 * getattr(r, term)), "percentage points",
                                  f"{r.pair}, {r.measure}: size of the {term} term (percentage points)", "{:.1f}"))
        out.append(rec.number(f"{k}_new", r.n_entered, "repositories", f"{r.pair}: repositories new in the second listing",
                              "{:,.0f}"))
    return out
