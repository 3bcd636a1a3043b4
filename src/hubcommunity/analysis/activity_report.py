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

import numpy as np
import pandas as pd

from hubcommunity.analysis import records as rec
from hubcommunity.analysis.activity import REPO_TYPES
from hubcommunity.analysis.bots import bot_accounts
from hubcommunity.analysis.distributions import top_share
from hubcommunity.analysis.fitting import WIDE_ALPHA_RANGE
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
    "paper_capture_records",
    "zero_download_records",
    "older_models_records",
    "headline_table",
    "bot_list",
    "RQ1_ALPHA_RANGE",
    "RQ1_GOF",
    "fits_shown",
    "fit_comparisons_shown",
    "fit_records",
    "fit_setting_records",
    "discussion_records",
    "license_share_records",
    "LICENSE_GROUPS_TESTED",
    "LICENSE_VARIABLES",
    "license_tests",
    "kruskal_shown",
    "pairs_shown",
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
          "discussion_participants": "discussion openers",
          "discussions_nobots": "discussions and PRs (no bots)",
          "discussion_participants_nobots": "discussion openers (no bots)",
          "participants": "participants (any event)", "participants_nobots": "participants (any event, no bots)"}

#: How the chapter names each repository type in combined labels ("models: likes").
TYPE_LABELS = {"model": "models", "dataset": "datasets", "space": "spaces",
               "model (discussions capture)": "models (discussions capture)"}

#: When the paper's data were listed, in words: the paper gives no date in its abstract; this
#: book's dating rests on its repository counts (:func:`paper_capture_records`) and on
#: data/paper_claims.csv's sources.
PAPER_CAPTURED = "about 2023-10"

_SHARE = "{:.1%}"


def label(variable: str) -> str:
    """Display name of an activity variable; ``<v>_nobots`` becomes ``"<v> (no bots)"``."""
    return LABELS.get(variable, variable.replace("_nobots", " (no bots)"))


def inventory_records(activity: pd.DataFrame, dates: Mapping[str, pd.Timestamp]) -> list[dict]:
    """Capture dates (texts ``<stream>_captured``, ``YYYY-MM-DD``) and repositories per type (``n_<type>s``)."""
    # Descriptions as the data chapter records the same quantities (one quantity, one description).
    names = {"models": "model listing", "datasets": "dataset listing", "discussions": "model discussions"}
    where = {"model": "Models in the listings", "dataset": "Datasets in the listings", "space": "Spaces in the snapshots"}
    out = [rec.text(f"{s}_captured", dates[s].strftime("%Y-%m-%d"), f"Capture date of the {names[s]}")
           for s in ("models", "datasets", "discussions") if s in dates]
    counts = activity["repo_type"].value_counts()
    out += [rec.number(f"n_{t}s", int(counts.get(t, 0)), "repositories", where[t]) for t in REPO_TYPES]
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
                       f"The paper: {t}s analysed") for t in REPO_TYPES]
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


def paper_capture_records(activity: pd.DataFrame, claims: pd.DataFrame | None = None) -> list[dict]:
    """When the paper's listing was taken, as far as its own repository counts tell.

    The paper counts 348,181 models and 65,761 datasets (abstract) but gives
    no date there. The July 2024 listing holds every public repository still
    on the Hub with its creation date; the day by which it holds as many
    models (datasets) created up to then as the paper analysed is where the
    Hub had at least that many, so the paper's listing was probably not
    later. A consistency check, not a proof: repositories deleted since push
    the day later, repositories created private and opened later push it
    earlier. Texts ``paper_count_reached_<type>s`` (``YYYY-MM-DD``), or
    ``"not reached"`` when the listing holds fewer.
    """
    out = []
    for t in ("model", "dataset"):
        n = int(claim(f"{t}s_analysed", claims))
        created = activity.loc[activity["repo_type"] == t, "created_at"].dropna().sort_values()
        when = created.iloc[n - 1].strftime("%Y-%m-%d") if len(created) >= n else "not reached"
        out.append(rec.text(f"paper_count_reached_{t}s", when,
                            f"Day by which the listing holds as many {t}s created up to then as the paper analysed"))
    return out


def zero_download_records(repos: pd.DataFrame) -> list[dict]:
    """Models with 0 downloads, with and without a library tag (``repos``: the tidy ``repos`` table).

    The Hub counts a model's downloads as requests for its *query files*
    (``config.json`` by default, library-specific files otherwise; its
    "Models Download Stats" documentation), so a repository without such a
    file shows 0 whatever its use. A library tag is a rough sign of having
    one. Records the share of models without a library tag
    (``models_no_library``) and the zero-download share among models with
    and without one (``zero_dl_library``, ``zero_dl_no_library``).
    """
    models = repos[repos["repo_type"] == "model"]
    known = models["downloads"].notna()
    has = models["library"].notna() & (models["library"].astype("string").str.len() > 0)
    zero = models["downloads"] == 0
    return [
        rec.share("models_no_library", (~has).mean(), "Models without a library tag"),
        rec.share("zero_dl_library", zero[has & known].mean(), "Models with a library tag and 0 downloads"),
        rec.share("zero_dl_no_library", zero[~has & known].mean(), "Models without a library tag and 0 downloads"),
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


#: The alpha range of the chapter's fits (wide enough that no fit sits at a bound; see fitting).
RQ1_ALPHA_RANGE = WIDE_ALPHA_RANGE
#: The chapter's goodness-of-fit test: at most 999 synthetic sets, sequential (Besag & Clifford), seeded.
RQ1_GOF = {"max_replicates": 999, "sequential": True, "seed": 2024}


#: Columns of the fit table the chapter shows (the CSV keeps every column of the fits).
FIT_COLUMNS = ("series", "n_positive", "xmin", "n_tail", "alpha", "p_gof", "gof_replicates", "support")

#: Columns of the comparison table the chapter shows.
COMPARISON_COLUMNS = ("series", "R_lognormal", "p_lognormal", "R_exponential", "p_exponential",
                      "R_truncated_power_law", "p_truncated_power_law", "tpl_Lambda")


def _series(fits: pd.DataFrame) -> pd.Series:
    """``"<types>: <variable>"`` labels of fit rows, e.g. ``"models: downloads (30 days)"``."""
    return (fits["repo_type"].map(lambda t: TYPE_LABELS.get(t, t)) + ": " + fits["variable"].map(label))


def fits_shown(fits: pd.DataFrame) -> pd.DataFrame:
    """The fitted rows of :func:`~hubcommunity.analysis.activity.rq1_fits` (alpha known), with a
    ``series`` label first (:func:`label`); every column is kept (the page shows :data:`FIT_COLUMNS`)."""
    fitted = fits[fits["alpha"].notna()].copy()
    fitted.insert(0, "series", _series(fitted))
    fitted["variable"] = fitted["variable"].map(label)
    return fitted.reset_index(drop=True)


def fit_comparisons_shown(fits: pd.DataFrame) -> pd.DataFrame:
    """The likelihood-ratio comparisons of the fitted rows (columns :data:`COMPARISON_COLUMNS` plus
    the alternatives' parameters), labelled like :func:`fits_shown`."""
    fitted = fits_shown(fits)
    extra = [c for c in ("lognormal_mu", "lognormal_sigma", "exponential_Lambda", "tpl_alpha", "Rn_lognormal",
                         "Rn_exponential", "Rn_truncated_power_law") if c in fitted.columns]
    return fitted[[c for c in COMPARISON_COLUMNS if c in fitted.columns] + extra]


def fit_records(fits: pd.DataFrame, p: float = 0.1,
                quoted=(("model", "downloads"), ("model", "likes"), ("dataset", "downloads"),
                        ("model", "discussions"))) -> list[dict]:
    """Headline numbers of the power-law fits (``fits``: :func:`~hubcommunity.analysis.activity.rq1_fits`).

    Per quoted (type, variable): alpha, xmin, the tail's share of non-zero values and the
    verdict in words (``fit_<type>_<var>_*``), and, when the goodness-of-fit test ran, its
    p-value, synthetic sets and Clauset et al.'s support (``_pgof``, ``_reps``, ``_support``).
    Over the fitted variables: how many there are; in how many the log-likelihood ratio favours
    the lognormal over the power law, the power law over the lognormal, the power law over the
    exponential, or the truncated power law over the power law, at p < ``p``; with the test, how
    many it rules out (p <= ``p``), how many land in each support category, the fewest and most
    synthetic sets used, and how many fits sit at a bound of the alpha range.
    """
    f = fits.set_index(["repo_type", "variable"])
    tested = "p_gof" in fits.columns
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
        if tested:
            out += [
                rec.number(f"{key}_pgof", r["p_gof"], "p-value",
                           f"Goodness-of-fit p-value of the power law for {repo_type} {var}", "{:.3f}"),
                rec.count(f"{key}_reps", r["gof_replicates"], "synthetic data sets",
                          f"Synthetic data sets the goodness-of-fit test of {repo_type} {var} used"),
                rec.text(f"{key}_support", r["support"],
                         f"Support for a power law for {repo_type} {var} (Clauset et al.'s categories)"),
                rec.number(f"{key}_tpl_p", r["p_truncated_power_law"], "p-value",
                           f"p of the likelihood ratio, power law against truncated power law, {repo_type} {var}",
                           "{:.2g}"),
            ]
    fitted = fits[fits["alpha"].notna()]
    sig_ln, sig_exp = fitted["p_lognormal"] < p, fitted["p_exponential"] < p
    sig_tpl = fitted["p_truncated_power_law"] < p
    out += [
        rec.number("n_fitted", len(fitted), "variables", "Variables fitted"),
        rec.number("n_lognormal_better", int(((fitted["R_lognormal"] < 0) & sig_ln).sum()), "variables",
                   "Fitted variables where the lognormal fits the tail significantly better"),
        rec.number("n_pl_over_lognormal", int(((fitted["R_lognormal"] > 0) & sig_ln).sum()), "variables",
                   "Fitted variables where the power law fits the tail significantly better than the lognormal"),
        rec.number("n_exp_worse", int(((fitted["R_exponential"] > 0) & sig_exp).sum()), "variables",
                   "Fitted variables where the exponential fits significantly worse than the power law"),
        rec.number("n_tpl_better", int(((fitted["R_truncated_power_law"] < 0) & sig_tpl).sum()), "variables",
                   "Fitted variables where the truncated power law fits significantly better than the power law"),
    ]
    if "tpl_Lambda" in fitted.columns:
        out.append(rec.count("n_tpl_edge", (fitted["tpl_Lambda"] < 0.01).sum(), "variables",
                             "Fits whose cut-off rate lambda is below 0.01 (powerlaw's 'edge of range' warning)"))
    if "at_bound" in fitted.columns:
        out.append(rec.count("n_alpha_at_bound", fitted["at_bound"].astype(bool).sum(), "variables",
                             "Fits whose alpha sits within 0.01 of a bound of the alpha range"))
    if tested:
        support = fitted["support"].value_counts()
        out += [
            rec.count("n_gof_rejected", (fitted["p_gof"] <= p).sum(), "variables",
                      "Fitted variables whose power law the goodness-of-fit test rules out (p <= 0.1)"),
            rec.count("n_gof_passed", (fitted["p_gof"] > p).sum(), "variables",
                      "Fitted variables whose power law the goodness-of-fit test does not rule out (p > 0.1)"),
            rec.count("gof_max_replicates", fitted["gof_max_replicates"].max(), "synthetic data sets",
                      "Most synthetic data sets the goodness-of-fit test draws per variable"),
            rec.count("gof_fewest_reps", fitted["gof_replicates"].min(), "synthetic data sets",
                      "Fewest synthetic data sets a goodness-of-fit test needed before its verdict was decided"),
        ]
        out += [rec.count(f"n_support_{c.replace('with cut-off', 'cutoff')}", support.get(c, 0), "variables",
                          f"Fitted variables with Clauset et al.'s support '{c}'")
                for c in ("none", "moderate", "good", "with cut-off")]
    return out


def fit_setting_records(alpha_range=RQ1_ALPHA_RANGE, gof: Mapping = RQ1_GOF) -> list[dict]:
    """The chapter's fit settings as numbers: the alpha range searched (``alpha_lower``,
    ``alpha_upper``) and the goodness-of-fit test's seed (``gof_seed``)."""
    return [
        rec.number("alpha_lower", alpha_range[0], "exponent", "Lower end of the alpha range searched", "{:g}"),
        rec.number("alpha_upper", alpha_range[1], "exponent", "Upper end of the alpha range searched", "{:g}"),
        rec.number("gof_seed", int(gof.get("seed", 0)), "seed", "Seed of the goodness-of-fit test's synthetic data", "{:d}"),
    ]


def discussion_records(per_model: pd.DataFrame, bots: Iterable[str], bots_source: str) -> list[dict]:
    """Threads on joinable models (``per_model``: :func:`~hubcommunity.analysis.activity.discussions_per_model`):
    bot list size and source, total threads, bots' and pull requests' shares of them, and the
    shares of models with any thread, with and without bots."""
    total = int(per_model["threads"].sum())
    by_bots = total - int(per_model["threads_nobots"].sum())
    return [
        rec.number("n_bots", len(frozenset(bots)), "accounts", "Accounts in the bot list"),
        rec.text("bots_source", bots_source, "Where the bot list came from"),
        rec.number("n_threads_joined", total, "threads",
                   "Threads on listed models created before the discussions capture"),
        rec.number("bot_thread_share", by_bots / total, "share of threads",
                   "Share of the threads on listed models created before the discussions capture that bots opened",
                   _SHARE),
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


#: License groups the chapter compares: the paper's three and "other" (licences whose terms the
#: tag does not tell), so that no model with a licence tag is silently left out.
LICENSE_GROUPS_TESTED = ("permissive", "restrictive", "other", "none")

#: Variables of the license comparison: popularity, and bot-free discussion counts (the substitute
#: for the paper's collaboration measures); the same discussion counts with bots are a sensitivity check.
LICENSE_VARIABLES = ("likes", "downloads", "discussions_nobots", "discussion_participants_nobots")
LICENSE_SENSITIVITY = ("discussions", "discussion_participants")


def license_tests(models: pd.DataFrame, variables: Sequence[str],
                  groups=LICENSE_GROUPS_TESTED, *, n_boot: int = 1000, seed: int = 0
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kruskal-Wallis and Dunn-Holm tests per variable across license ``groups``, with effect sizes,
    bootstrap intervals and directions (:func:`~hubcommunity.analysis.groups.rank_tests`).

    ``models``: one row per model with ``license_group`` and the ``variables``
    (missing values dropped per variable). Returns ``(tests, pairs)``, one row
    per variable and one per (variable, pair of groups); ``variable`` is the
    label (:func:`label`), ``variable_key`` the column. ``tests`` adds
    ``p_text`` (:func:`~hubcommunity.analysis.groups.format_p`); ``pairs``
    adds the medians, ``higher`` / ``lower`` (the group whose models tend to
    have more, and the other), ``p_higher`` (probability that a model of
    ``higher`` has more than one of ``lower``, ties half; at least 0.5) with
    its interval ``p_higher_low``, ``p_higher_high``, and ``p_holm_text``.
    """
    from hubcommunity.analysis.groups import format_p, rank_tests

    tests, pairs = [], []
    for var in variables:
        samples = {}
        for g in groups:
            x = pd.to_numeric(models.loc[models["license_group"] == g, var], errors="coerce").dropna()
            if len(x):
                samples[g] = x.to_numpy(dtype="float64")
        test, pair = rank_tests(samples, n_boot=n_boot, seed=seed)
        tests.append({"variable": label(var), "variable_key": var, **test,
                      "p_text": format_p(test["p"], test["log10_p"])})
        pair.insert(0, "variable", label(var))
        pair.insert(1, "variable_key", var)
        pair["median_a"] = [float(np.median(samples[g])) for g in pair["group_a"]]
        pair["median_b"] = [float(np.median(samples[g])) for g in pair["group_b"]]
        a_first = pair["a_superiority"] >= 0.5
        pair["lower"] = np.where(a_first, pair["group_b"], pair["group_a"])
        pair["p_higher"] = np.where(a_first, pair["a_superiority"], 1 - pair["a_superiority"])
        pair["p_higher_low"] = np.where(a_first, pair["a_low"], 1 - pair["a_high"])
        pair["p_higher_high"] = np.where(a_first, pair["a_high"], 1 - pair["a_low"])
        pair["p_holm_text"] = [format_p(p, lp) for p, lp in zip(pair["p_holm"], pair["log10_p_holm"])]
        pairs.append(pair)
    return pd.DataFrame(tests), pd.concat(pairs, ignore_index=True)


def kruskal_shown(tests: pd.DataFrame) -> pd.DataFrame:
    """The Kruskal-Wallis rows as the chapter shows them: ``variable, n, H, p_text, epsilon_squared,
    eps2_ci`` (the interval as text), then every other column (kept in the CSV)."""
    out = tests.copy()
    out["eps2_ci"] = [f"{lo:.4f} to {hi:.4f}" for lo, hi in zip(out["eps2_low"], out["eps2_high"])]
    first = ["variable", "n", "H", "p_text", "epsilon_squared", "eps2_ci"]
    return out[first + [c for c in out.columns if c not in first]]


def pairs_shown(pairs: pd.DataFrame) -> pd.DataFrame:
    """The Dunn rows as the chapter shows them: ``variable``, ``comparison`` ("restrictive > permissive"),
    ``p_higher`` with ``ci`` (text), ``effect`` and ``p_holm_text``, then every other column."""
    out = pairs.copy()
    out["comparison"] = out["higher"] + " > " + out["lower"]
    out["ci"] = [f"{lo:.3f} to {hi:.3f}" for lo, hi in zip(out["p_higher_low"], out["p_higher_high"])]
    first = ["variable", "comparison", "p_higher", "ci", "effect", "p_holm_text"]
    return out[first + [c for c in out.columns if c not in first]]


def _pair(pairs: pd.DataFrame, var: str, higher: str, lower: str) -> float:
    """Probability that a model of ``higher`` has more ``var`` than one of ``lower`` (ties half)."""
    row = pairs[(pairs["variable_key"] == var) & pairs["group_a"].isin([higher, lower])
                & pairs["group_b"].isin([higher, lower])].iloc[0]
    return float(row["a_superiority"] if row["group_a"] == higher else 1 - row["a_superiority"])


def license_test_records(tests: pd.DataFrame, pairs: pd.DataFrame, alpha: float = 0.05,
                         main=LICENSE_VARIABLES) -> list[dict]:
    """Headline numbers of :func:`license_tests`.

    Over the ``main`` variables: how many tests and pairs are significant at
    ``alpha`` and how many pairs there are, epsilon squared for downloads and
    likes with their intervals and the largest, the largest p-value (text),
    how many pairs are negligible by Vargha & Delaney's thresholds and the
    largest probability of superiority; the directions the text states
    (permissive over unlicensed downloads, restrictive over permissive likes,
    permissive over restrictive downloads); and, where the with-bot
    discussion counts were tested, epsilon squared and the permissive-over-
    restrictive probability for threads with and without bots.
    """
    from hubcommunity.analysis.groups import format_p

    k = tests.set_index("variable_key")
    m_tests = tests[tests["variable_key"].isin(main)]
    m_pairs = pairs[pairs["variable_key"].isin(main)]
    eps, prob = "epsilon squared", "probability"
    largest = m_tests.sort_values("log10_p").iloc[-1]
    out = [
        rec.number("kw_downloads_eps2", k.loc["downloads", "epsilon_squared"], eps,
                   "Effect size of license group on model downloads", "{:.3f}"),
        rec.number("kw_downloads_eps2_low", k.loc["downloads", "eps2_low"], eps, "95% interval, lower end", "{:.3f}"),
        rec.number("kw_downloads_eps2_high", k.loc["downloads", "eps2_high"], eps, "95% interval, upper end", "{:.3f}"),
        rec.number("kw_likes_eps2", k.loc["likes", "epsilon_squared"], eps,
                   "Effect size of license group on model likes", "{:.3f}"),
        rec.number("kw_max_eps2", m_tests["epsilon_squared"].max(), eps,
                   "Largest license-group effect size over the tested model variables", "{:.3f}"),
        rec.count("kw_n_significant", (m_tests["p"] < alpha).sum(), "variables",
                  "Model variables with a significant Kruskal-Wallis test (p < 0.05)"),
        rec.count("kw_n_tests", len(m_tests), "variables", "Model variables tested across license groups"),
        rec.text("kw_largest_p", format_p(largest["p"], largest["log10_p"]),
                 "Largest Kruskal-Wallis p-value over the tested variables"),
        rec.count("kw_n_groups", len(str(m_tests["groups"].iloc[0]).split(", ")), "groups", "License groups compared"),
        rec.count("dunn_n_significant", (m_pairs["p_holm"] < alpha).sum(), "pairs",
                  "License-group pairs differing significantly (Dunn-Holm p < 0.05)"),
        rec.count("dunn_n_pairs", len(m_pairs), "pairs", "License-group pairs tested"),
        rec.count("dunn_n_negligible", (m_pairs["effect"] == "negligible").sum(), "pairs",
                  "Pairs whose probability of superiority is within 0.06 of 0.5 (negligible)"),
        rec.number("dunn_max_superiority", m_pairs["p_higher"].max(), prob,
                   "Largest probability of superiority over the tested pairs", "{:.2f}"),
        rec.number("downloads_perm_over_none", _pair(pairs, "downloads", "permissive", "none"), prob,
                   "Probability that a permissive model has more downloads than an unlicensed one (ties half)",
                   "{:.2f}"),
        rec.number("downloads_perm_over_restr", _pair(pairs, "downloads", "permissive", "restrictive"), prob,
                   "Probability that a permissive model has more downloads than a restrictive one (ties half)",
                   "{:.2f}"),
        rec.number("likes_restr_over_perm", _pair(pairs, "likes", "restrictive", "permissive"), prob,
                   "Probability that a restrictive model has more likes than a permissive one (ties half)", "{:.2f}"),
    ]
    if {"discussions", "discussions_nobots"} <= set(k.index):
        out += [
            rec.number("kw_threads_eps2_bots", k.loc["discussions", "epsilon_squared"], eps,
                       "Effect size of license group on threads per model, bot threads included", "{:.4f}"),
            rec.number("kw_threads_eps2_nobots", k.loc["discussions_nobots", "epsilon_squared"], eps,
                       "Effect size of license group on threads per model, bot threads excluded", "{:.4f}"),
            rec.number("threads_perm_over_restr_bots", _pair(pairs, "discussions", "permissive", "restrictive"), prob,
                       "Probability that a permissive model has more threads than a restrictive one, bots included",
                       "{:.3f}"),
            rec.number("threads_perm_over_restr_nobots",
                       _pair(pairs, "discussions_nobots", "permissive", "restrictive"), prob,
                       "Probability that a permissive model has more threads than a restrictive one, bots excluded",
                       "{:.3f}"),
        ]
    return out


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


def cohort_table(activity: pd.DataFrame, variables=("downloads", "likes"), min_n: int = 100,
                 legacy_day: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Concentration per yearly creation cohort (:func:`~hubcommunity.analysis.activity.cohort_concentration`)
    of ``variables``, cohorts of at least ``min_n`` repositories only. With ``legacy_day`` the
    repositories recorded as created on or before that day form their own first cohort (label
    ``"≤ YYYY-MM-DD"``), so that the first calendar-year cohort holds only repositories created in it."""
    from hubcommunity.analysis.activity import cohort_concentration

    cohorts = pd.concat([cohort_concentration(activity, v, freq="Y", split_day=legacy_day) for v in variables],
                        ignore_index=True)
    cohorts["cohort"] = cohorts["cohort"].str.replace("<=", "≤", regex=False)
    return cohorts[cohorts["n"] >= min_n].reset_index(drop=True)


def cohort_records(cohorts: pd.DataFrame) -> list[dict]:
    """Concentration of model downloads per cohort (``cohorts``: :func:`cohort_table`).

    The first and last calendar-year cohorts (texts ``cohort_first``, ``cohort_last``) with the
    top-1% share of their downloads; the legacy cohort (``cohort_legacy``, a ``≤ day`` label, when
    present) with its top-1% share; the smallest and largest top-1% share and the lowest Gini over
    all model download cohorts.
    """
    md = cohorts[(cohorts["repo_type"] == "model") & (cohorts["variable"] == "downloads")].set_index("cohort")
    years = sorted(c for c in md.index if str(c)[:1].isdigit())
    legacy = [c for c in md.index if not str(c)[:1].isdigit()]
    top1 = "Top-1% share of downloads, {} model cohort"
    out = [
        rec.text("cohort_first", years[0], "Earliest calendar-year model cohort with at least 100 models"),
        rec.text("cohort_last", years[-1], "Latest model cohort"),
        rec.number("cohort_first_top1", md.loc[years[0], "top1_share"], "share", top1.format("earliest"), _SHARE),
        rec.number("cohort_last_top1", md.loc[years[-1], "top1_share"], "share", top1.format("latest"), _SHARE),
        rec.number("cohort_min_top1", md["top1_share"].min(), "share", "Smallest top-1% share over model cohorts",
                   _SHARE),
        rec.number("cohort_max_top1", md["top1_share"].max(), "share", "Largest top-1% share over model cohorts",
                   _SHARE),
        rec.number("cohort_min_gini", md["gini"].min(), "Gini", "Lowest Gini of downloads over model cohorts",
                   "{:.3f}"),
    ]
    if legacy:
        out += [rec.text("cohort_legacy", legacy[0], "Cohort of models recorded on the Hub's first creation day"),
                rec.number("cohort_legacy_top1", md.loc[legacy[0], "top1_share"], "share", top1.format("legacy"),
                           _SHARE)]
    return out


def legacy_records(models: pd.DataFrame) -> list[dict]:
    """The earliest creation day in the model listing (text) and the share of models recorded on it:
    models older than the Hub's creation dates carry that day."""
    day = models["created_at"].min().normalize()
    return [
        rec.text("legacy_day", day.strftime("%Y-%m-%d"), "Earliest creation date in the model listing"),
        rec.number("legacy_share", (models["created_at"] < day + pd.Timedelta(days=1)).mean(), "share of models",
                   "Models whose recorded creation date is the earliest day in the listing", _SHARE),
    ]
