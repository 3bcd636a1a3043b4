"""RQ1's tables and headline numbers, from the activity frames of :mod:`~hubcommunity.analysis.activity`.

Pure functions behind ``book/rq1_activity.md`` (Osborne, Ding & Kirk 2024, RQ1:
how development activity is spread over repositories). Each takes frames the
chapter already has -- ``activity`` (:func:`~hubcommunity.analysis.activity.repo_activity`),
``summary`` (:func:`~hubcommunity.analysis.activity.activity_summary`), fits,
test results -- and returns either the tidy frame a table or figure shows or
the section's headline numbers as records (:mod:`hubcommunity.analysis.records`),
which the chapter records with :func:`~hubcommunity.analysis.records.record_all`.
Shares are fractions in [0, 1]; counts are ints. No I/O except :func:`bot_list`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from hubcommunity.analysis import records as rec
from hubcommunity.analysis.activity import REPO_TYPES
from hubcommunity.analysis.bots import bot_accounts
from hubcommunity.analysis.distributions import top_share
from hubcommunity.analysis.groups import compare_groups
from hubcommunity.paper import claim

__all__ = [
    "LABELS",
    "PAPER_CAPTURED",
    "label",
    "inventory_records",
    "missing_records",
    "summary_records",
    "created_before",
    "paper_records",
    "older_models_records",
    "headline_table",
    "bot_list",
    "fits_shown",
    "fit_records",
    "discussion_records",
    "license_share_records",
    "license_tests",
    "license_test_records",
    "correlation_records",
    "complete_months",
    "growth_records",
    "cohort_table",
    "cohort_records",
    "legacy_records",
]

#: How the chapter names each activity variable.
LABELS = {"likes": "likes", "downloads": "downloads (30 days)", "commits": "commits",
          "commit_contributors": "commit contributors", "discussions": "discussions and PRs",
          "discussion_participants": "discussion openers"}

#: When the paper's data were listed, in words (the paper gives no exact date; see data/paper_claims.csv's sources).
PAPER_CAPTURED = "about 2023-10"

_SHARE = "{:.1%}"


def label(variable: str) -> str:
    """Display name of an activity variable; ``<v>_nobots`` becomes ``"<v> (no bots)"``."""
    return LABELS.get(variable, variable.replace("_nobots", " (no bots)"))


def inventory_records(activity: pd.DataFrame, dates: Mapping[str, pd.Timestamp]) -> list[dict]:
    """Capture dates (texts ``<stream>_captured``, ``YYYY-MM-DD``) and repositories per type (``n_<type>s``)."""
    out = [rec.text(f"{s}_captured", dates[s].strftime("%Y-%m-%d"), f"Capture date of the {s} stream")
           for s in ("models", "datasets", "discussions") if s in dates]
    counts = activity["repo_type"].value_counts()
    out += [rec.number(f"n_{t}s", int(counts.get(t, 0)), "repositories", f"Repositories of type {t} in the snapshots")
            for t in REPO_TYPES]
    return out


def missing_records(missing: pd.DataFrame) -> list[dict]:
    """Models whose discussion count is missing: created after the capture, or listing failed.

    ``missing``: :func:`~hubcommunity.analysis.activity.missing_summary` (``repo_type,
    variable, reason, count``).
    """
    after = missing[missing["reason"].str.startswith("created after")]
    failed = missing[(missing["repo_type"] == "model") & (missing["variable"] == "discussions")
                     & missing["reason"].str.startswith("discussion listing failed")]
    return [
        rec.number("n_models_after_discussions", int(after.loc[after["variable"] == "discussions", "count"].sum()),
                   "models", "Listed models created after the discussions capture"),
        rec.number("n_models_discussions_failed", int(failed["count"].sum()), "models",
                   "Listed models whose discussions could not be listed (HTTP 401/403/404)"),
    ]


def summary_records(summary: pd.DataFrame) -> list[dict]:
    """Headline inequality numbers from :func:`~hubcommunity.analysis.activity.activity_summary`.

    For models and datasets, likes and downloads (where ``n`` > 0): share of zeros,
    top-1% and top-10% shares, Gini and median (``<type>_<var>_<stat>``); for models'
    discussions and discussion participants: share of zeros, top-1% share and ``n``.
    """
    row = summary.set_index(["repo_type", "variable"])
    out = []
    for repo_type in ("model", "dataset"):
        for var in ("likes", "downloads"):
            r = row.loc[(repo_type, var)]
            if not r["n"] > 0:
                continue
            k = f"{repo_type}_{var}"
            out += [
                rec.number(f"{k}_zero", r["share_zero"], f"share of {repo_type}s", f"{repo_type}s with 0 {var}", _SHARE),
                rec.number(f"{k}_top1", r["top1_share"], f"share of all {var}",
                           f"Share of {var} held by the top 1% of {repo_type}s", _SHARE),
                rec.number(f"{k}_top10", r["top10_share"], f"share of all {var}",
                           f"Share of {var} held by the top 10% of {repo_type}s", _SHARE),
                rec.number(f"{k}_gini", r["gini"], "Gini coefficient", f"Gini coefficient of {var} over {repo_type}s",
                           "{:.3f}"),
                rec.number(f"{k}_median", r["median"], var, f"Median {var} per {repo_type}", "{:,.0f}"),
            ]
    for var in ("discussions", "discussion_participants"):
        r = row.loc[("model", var)]
        out += [
            rec.number(f"model_{var}_zero", r["share_zero"], "share of models",
                       f"Models (created before the discussions capture) with 0 {var}", _SHARE),
            rec.number(f"model_{var}_top1", r["top1_share"], f"share of all {var}",
                       f"Share of {var} held by the top 1% of models", _SHARE),
            rec.number(f"model_{var}_n", int(r["n"]), "models", f"Models with a known number of {var}"),
        ]
    return out


def created_before(frame: pd.DataFrame, when: str | pd.Timestamp) -> pd.DataFrame:
    """Rows of ``frame`` whose ``created_at`` is before ``when`` (a date; UTC if naive)."""
    when = pd.Timestamp(when)
    when = when.tz_localize("UTC") if when.tzinfo is None else when
    return frame[frame["created_at"] < when]


def paper_records(claims: pd.DataFrame | None = None) -> list[dict]:
    """The paper's RQ1 headline numbers, from ``data/paper_claims.csv`` (:mod:`hubcommunity.paper`).

    Share of models with 0 downloads (``paper_zero_downloads``), top-1% share of
    downloads (``paper_top1_downloads``), repositories analysed per type
    (``paper_n_<type>s``) and, as text, when its data were listed (``paper_captured``).
    """
    out = [
        rec.number("paper_zero_downloads", claim("models_zero_downloads_share", claims), "share of models",
                   "Paper: models with 0 downloads (reported as 'over 70%')", "{:.0%}"),
        rec.number("paper_top1_downloads", claim("models_top1_downloads_share", claims), "share of downloads",
                   "Paper: share of downloads held by the top 1% of models", "{:.0%}"),
        rec.text("paper_captured", PAPER_CAPTURED, "Paper: when its data were listed"),
    ]
    out += [rec.number(f"paper_n_{t}s", int(claim(f"{t}s_analysed", claims)), "repositories",
                       f"Paper: {t}s analysed") for t in REPO_TYPES]
    return out


def older_models_records(old: pd.DataFrame) -> list[dict]:
    """Models created before the paper's capture (``old``, rows of activity): count, zero-download
    share and top-1% share of their downloads (``old_models*``)."""
    return [
        rec.number("old_models", len(old), "models", "Listed models created before 2023-10-01"),
        rec.number("old_models_zero_downloads", (old["downloads"] == 0).mean(), "share of models",
                   "Models created before 2023-10-01 with 0 downloads in July 2024", _SHARE),
        rec.number("old_models_top1_downloads", top_share(old["downloads"], 0.01), "share of downloads",
                   "Share of downloads held by the top 1% of models created before 2023-10-01", _SHARE),
    ]


def headline_table(activity: pd.DataFrame, summary: pd.DataFrame, old: pd.DataFrame,
                   dates: Mapping[str, pd.Timestamp], claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """The paper's headline RQ1 numbers beside this book's, as display text.

    Columns ``measure, paper, this book``: repositories analysed per type, share of
    models with 0 downloads (all, and ``old`` models), top-1% share of downloads,
    capture dates (``dates``: capture time per stream, ``models`` and ``datasets``).
    """
    counts = activity["repo_type"].value_counts()
    paper = {t: int(claim(f"{t}s_analysed", claims)) for t in REPO_TYPES}
    model_dl = summary.set_index(["repo_type", "variable"]).loc[("model", "downloads")]
    rows = [{"measure": f"{t}s analysed", "paper": f"{paper[t]:,}", "this book": f"{int(counts.get(t, 0)):,}"}
            for t in REPO_TYPES]
    rows += [
        {"measure": "models with 0 downloads", "paper": f"over {claim('models_zero_downloads_share', claims):.0%}",
         "this book": f"{model_dl['share_zero']:.1%}"},
        {"measure": "  same, models created before 2023-10", "paper": "",
         "this book": f"{(old['downloads'] == 0).mean():.1%}"},
        {"measure": "downloads held by the top 1% of models",
         "paper": f"{claim('models_top1_downloads_share', claims):.0%}", "this book": f"{model_dl['top1_share']:.1%}"},
        {"measure": "capture date", "paper": f"{PAPER_CAPTURED} (Hub API)",
         "this book": f"models {dates['models']:%Y-%m-%d}, datasets {dates['datasets']:%Y-%m-%d}"},
    ]
    return pd.DataFrame(rows)


def bot_list(path=None) -> tuple[frozenset[str], str]:
    """Bot accounts from the curated, validated list ``data/bots.csv`` (or ``path``), and
    the name of that source (see :func:`hubcommunity.analysis.bots.load_bots`)."""
    return bot_accounts(path), "data/bots.csv" if path is None else str(path)


#: Columns of the fit table the chapter shows.
FIT_COLUMNS = ("repo_type", "variable", "n_positive", "xmin", "n_tail", "alpha", "sigma", "D",
               "R_lognormal", "p_lognormal", "R_exponential", "p_exponential",
               "R_truncated_power_law", "p_truncated_power_law", "verdict")


def fits_shown(fits: pd.DataFrame) -> pd.DataFrame:
    """The fitted rows of :func:`~hubcommunity.analysis.activity.rq1_fits` (alpha known), variables
    labelled (:func:`label`), columns :data:`FIT_COLUMNS`."""
    fitted = fits[fits["alpha"].notna()].copy()
    fitted["variable"] = fitted["variable"].map(label)
    return fitted[list(FIT_COLUMNS)]


def fit_records(fits: pd.DataFrame, p: float = 0.1,
                quoted=(("model", "downloads"), ("model", "likes"), ("dataset", "downloads"),
                        ("model", "discussions"))) -> list[dict]:
    """Headline numbers of the power-law fits (``fits``: :func:`~hubcommunity.analysis.activity.rq1_fits`).

    Per quoted (type, variable): alpha, xmin, the tail's share of non-zero values and the
    verdict (``fit_<type>_<var>_*``); over the fitted variables: how many there are and in
    how many the log-likelihood ratio favours the lognormal over the power law, the power law
    over the lognormal, or the power law over the exponential, at p < ``p``.
    """
    f = fits.set_index(["repo_type", "variable"])
    out = []
    for repo_type, var in quoted:
        r, key = f.loc[(repo_type, var)], f"fit_{repo_type}_{var}"
        out += [
            rec.number(f"{key}_alpha", r["alpha"], "exponent", f"Power-law alpha of {repo_type} {var}", "{:.2f}"),
            rec.number(f"{key}_xmin", r["xmin"], var, f"Power-law xmin of {repo_type} {var}", "{:,.0f}"),
            rec.number(f"{key}_tail", r["n_tail"] / r["n_positive"], "share of non-zero values",
                       f"Share of non-zero {repo_type} {var} in the fitted tail", _SHARE),
            rec.text(f"{key}_verdict", r["verdict"], f"Verdict of the fit of {repo_type} {var}"),
        ]
    fitted = fits[fits["alpha"].notna()]
    sig_ln, sig_exp = fitted["p_lognormal"] < p, fitted["p_exponential"] < p
    return out + [
        rec.number("n_fitted", len(fitted), "variables", "Variables fitted"),
        rec.number("n_lognormal_better", int(((fitted["R_lognormal"] < 0) & sig_ln).sum()), "variables",
                   "Fitted variables where the lognormal fits the tail significantly better"),
        rec.number("n_pl_over_lognormal", int(((fitted["R_lognormal"] > 0) & sig_ln).sum()), "variables",
                   "Fitted variables where the power law fits the tail significantly better than the lognormal"),
        rec.number("n_exp_worse", int(((fitted["R_exponential"] > 0) & sig_exp).sum()), "variables",
                   "Fitted variables where the exponential fits significantly worse than the power law"),
    ]


def discussion_records(per_model: pd.DataFrame, bots: Iterable[str], bots_source: str) -> list[dict]:
    """Threads on joinable models (``per_model``: :func:`~hubcommunity.analysis.activity.discussions_per_model`):
    bot list size and source, total threads, bots' and pull requests' shares of them, and the
    shares of models with any thread, with and without bots."""
    total = int(per_model["threads"].sum())
    by_bots = total - int(per_model["threads_nobots"].sum())
    return [
        rec.number("n_bots", len(frozenset(bots)), "accounts", "Bot accounts excluded"),
        rec.text("bots_source", bots_source, "Where the bot list came from"),
        rec.number("n_threads_joined", total, "threads",
                   "Threads on listed models created before the discussions capture"),
        rec.number("bot_thread_share", by_bots / total, "share of threads", "Threads opened by bots", _SHARE),
        rec.number("pr_share", per_model["pull_requests"].sum() / total, "share of threads",
                   "Threads that are pull requests", _SHARE),
        rec.number("models_any_thread", (per_model["threads"] > 0).mean(), "share of models",
                   "Models with at least one thread", _SHARE),
        rec.number("models_any_thread_nobots", (per_model["threads_nobots"] > 0).mean(), "share of models",
                   "Models with at least one thread not opened by a bot", _SHARE),
    ]


def license_share_records(shares: pd.DataFrame) -> list[dict]:
    """Share of models per license group (``model_license_<group>``), from
    :func:`~hubcommunity.analysis.groups.group_shares`; groups without models are skipped."""
    sh = shares.set_index(["repo_type", "license_group"])["share"]
    return [rec.number(f"model_license_{g}", sh[("model", g)], "share of models", f"Models in license group {g}",
                       _SHARE)
            for g in ("permissive", "restrictive", "other", "none") if ("model", g) in sh.index]


def license_tests(models: pd.DataFrame, variables: Sequence[str],
                  groups=("permissive", "restrictive", "none")) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kruskal-Wallis test per variable across license ``groups`` and Dunn-Holm pairs
    (:func:`~hubcommunity.analysis.groups.compare_groups`), variables labelled (:data:`LABELS`).

    Returns ``(tests, pairs)``: one row per variable, and one per (variable, pair of groups).
    """
    tests, pairs = [], []
    for var in variables:
        test, pair = compare_groups(models, var, groups=groups)
        tests.append(test)
        pairs.append(pair.assign(variable=var))
    tests, pairs = pd.DataFrame(tests), pd.concat(pairs, ignore_index=True)
    tests["variable"], pairs["variable"] = tests["variable"].map(LABELS), pairs["variable"].map(LABELS)
    return tests, pairs


def license_test_records(tests: pd.DataFrame, pairs: pd.DataFrame, alpha: float = 0.05) -> list[dict]:
    """Headline numbers of :func:`license_tests`: effect sizes (epsilon squared) for downloads and
    likes and their maximum, significant tests and pairs at ``alpha``, and the probability that a
    permissive model has more downloads than an unlicensed one."""
    k = tests.set_index("variable")
    perm_none = pairs[(pairs["group_a"] == "permissive") & (pairs["group_b"] == "none")
                      & (pairs["variable"] == LABELS["downloads"])]
    eps = "epsilon squared"
    return [
        rec.number("kw_downloads_eps2", k.loc[LABELS["downloads"], "epsilon_squared"], eps,
                   "Effect size of license group on model downloads", "{:.3f}"),
        rec.number("kw_likes_eps2", k.loc[LABELS["likes"], "epsilon_squared"], eps,
                   "Effect size of license group on model likes", "{:.3f}"),
        rec.number("kw_max_eps2", tests["epsilon_squared"].max(), eps,
                   "Largest license-group effect size over the model variables", "{:.3f}"),
        rec.number("kw_n_significant", int((tests["p"] < alpha).sum()), "variables",
                   "Model variables with a significant Kruskal-Wallis test (p < 0.05)"),
        rec.number("kw_n_tests", len(tests), "variables", "Model variables tested across license groups"),
        rec.number("dunn_n_significant", int((pairs["p_holm"] < alpha).sum()), "pairs",
                   "License-group pairs differing significantly (Dunn-Holm p < 0.05)"),
        rec.number("dunn_n_pairs", len(pairs), "pairs", "License-group pairs tested"),
        rec.number("downloads_perm_over_none", perm_none["a_superiority"].iloc[0], "probability",
                   "Probability that a permissive model has more downloads than an unlicensed one (ties half)",
                   "{:.2f}"),
    ]


def correlation_records(corr: pd.DataFrame) -> list[dict]:
    """Spearman rho of likes-downloads, downloads-discussions and likes-discussions (models), from
    :func:`~hubcommunity.analysis.groups.spearman_matrix` with labelled variables (:data:`LABELS`)."""
    c = corr.set_index(["var_a", "var_b"])["rho"]
    pairs = (("likes", "downloads"), ("downloads", "discussions"), ("likes", "discussions"))
    return [rec.number(f"rho_{a}_{b}", c[(LABELS[a], LABELS[b])], "Spearman rho",
                       f"Spearman correlation of {a} and {b} (models)", "{:.2f}") for a, b in pairs]


def complete_months(monthly: pd.DataFrame, captured: pd.Timestamp) -> pd.DataFrame:
    """Rows of :func:`~hubcommunity.analysis.activity.creations_per_month` for calendar months
    that ended before ``captured`` (the capture month itself is incomplete)."""
    return monthly[monthly["month"] < _month_start(captured)]


def _month_start(when: pd.Timestamp) -> pd.Timestamp:
    """First instant (UTC) of the calendar month of ``when`` (tz-aware)."""
    return when.tz_localize(None).to_period("M").to_timestamp().tz_localize("UTC")


def growth_records(complete: pd.DataFrame, n_models: int, captured: pd.Timestamp) -> list[dict]:
    """Models created in the 12 full months before ``captured`` (``complete``: :func:`complete_months`),
    as a count and as a share of the ``n_models`` listed."""
    month_start = _month_start(captured)
    last12 = complete[complete["month"] >= month_start - pd.DateOffset(months=12)]
    m12 = last12[last12["repo_type"] == "model"]["created"].sum()
    return [
        rec.number("models_last12", int(m12), "models", "Models created in the 12 full months before capture"),
        rec.number("models_last12_share", m12 / n_models, "share of models",
                   "Share of listed models created in the 12 full months before capture", "{:.0%}"),
    ]


def cohort_table(activity: pd.DataFrame, variables=("downloads", "likes"), min_n: int = 100) -> pd.DataFrame:
    """Concentration per yearly creation cohort (:func:`~hubcommunity.analysis.activity.cohort_concentration`)
    of ``variables``, cohorts of at least ``min_n`` repositories only."""
    from hubcommunity.analysis.activity import cohort_concentration

    cohorts = pd.concat([cohort_concentration(activity, v, freq="Y") for v in variables], ignore_index=True)
    return cohorts[cohorts["n"] >= min_n]


def cohort_records(cohorts: pd.DataFrame) -> list[dict]:
    """Earliest and latest model cohort (texts) with the top-1% share of their downloads, and the
    lowest Gini of downloads over model cohorts (``cohorts``: :func:`cohort_table`)."""
    co = cohorts.set_index(["repo_type", "variable", "cohort"]).sort_index()
    years = sorted(co.loc[("model", "downloads")].index)
    top1 = "Top-1% share of downloads, {} model cohort"
    return [
        rec.text("cohort_first", years[0], "Earliest model cohort with at least 100 models"),
        rec.text("cohort_last", years[-1], "Latest model cohort"),
        rec.number("cohort_first_top1", co.loc[("model", "downloads", years[0]), "top1_share"], "share",
                   top1.format("earliest"), _SHARE),
        rec.number("cohort_last_top1", co.loc[("model", "downloads", years[-1]), "top1_share"], "share",
                   top1.format("latest"), _SHARE),
        rec.number("cohort_min_gini", co.loc[("model", "downloads"), "gini"].min(), "Gini",
                   "Lowest Gini of downloads over model cohorts", "{:.3f}"),
    ]


def legacy_records(models: pd.DataFrame) -> list[dict]:
    """The earliest creation day in the model listing (text) and the share of models recorded on it:
    models older than the Hub's creation dates carry that day."""
    day = models["created_at"].min().normalize()
    return [
        rec.text("legacy_day", day.strftime("%Y-%m-%d"), "Earliest creation date in the model listing"),
        rec.number("legacy_share", (models["created_at"] < day + pd.Timedelta(days=1)).mean(), "share of models",
                   "Models whose recorded creation date is the earliest day in the listing", _SHARE),
    ]
