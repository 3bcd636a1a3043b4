"""The verdict on each of the paper's claims, decided by the numbers a chapter records.

Every claim of ``data/paper_claims.csv`` gets one verdict, recorded by the page named in
its ``verdict_in`` column as two glued texts, ``tier_<key>`` (one of
:data:`hubcommunity.paper.TIERS`) and ``verdict_<key>`` (the finding in a few words); the
discussion's claims table pastes both. The functions here decide tier and words from what
the chapter has already recorded, so a verdict cannot be stronger than the numbers beside
it, and it changes when a new capture changes them.

Input ``values``: the chapter's records so far, ``{key: {"value": raw, "formatted": text}}``
(:func:`recorded` builds it from a :class:`~hubcommunity.results.ChapterResults`). Output:
records for :func:`hubcommunity.analysis.records.record_all`.

The rule for the paper's own measure run on a capture of another date (the July 2024
listings against the paper's October 2023): agreement is reported as
:data:`~hubcommunity.paper.REPRODUCED` (in July 2024); disagreement cannot refute a claim
about another date, so it is :data:`~hubcommunity.paper.NOT_TESTABLE` at the paper's date,
with the disagreement said in the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hubcommunity import paper
from hubcommunity.analysis import records as rec
from hubcommunity.paper import NOT_TESTABLE, REPRODUCED, SUBSTITUTE, verdict_records

#: The paper reports shares as whole percentages: a value within half a point agrees.
AGREE_TOLERANCE = 0.005

#: Below this share of ties returned, reciprocity is "low" (most ties are not returned).
LOW_RECIPROCITY = 0.5

#: A share of activity held by the top 1% of repositories at or above this is "extreme".
EXTREME_TOP1 = 0.5

#: Reciprocity "depends on position" when, in some network, the highest of the core,
#: core-periphery and periphery shares is at least this many times the lowest.
POSITION_RATIO = 2.0

#: What the verdict of :func:`rq2` calls the degree-preserving test's "less core-periphery-like" outcome
#: (the words of :func:`hubcommunity.analysis.network_report.verdict`).
LESS_CP = "less core-periphery-like than random networks with the same degrees"


def recorded(res) -> dict[str, dict]:
    """``{key: {"value", "formatted"}}`` of everything ``res`` (a ChapterResults) recorded so far."""
    out = {k: {"value": r["value"], "formatted": r["formatted"]} for k, r in res.numbers.items()}
    out.update({k: {"value": r["value"], "formatted": r["value"]} for k, r in res.texts.items()})
    return out


def _v(values: Mapping[str, dict], key: str):
    try:
        return values[key]["value"]
    except KeyError:
        raise KeyError(f"verdict needs the chapter's record {key!r}, which it has not recorded") from None


def _f(values: Mapping[str, dict], key: str) -> str:
    _v(values, key)
    return values[key]["formatted"]


# -- RQ1 -------------------------------------------------------------------------------------
def skew_records(summary: pd.DataFrame) -> list[dict]:
    """How many rows of the RQ1 summary (``activity_summary``: one row per repository type and
    variable, columns ``n``, ``mean``, ``median``) with data are right-skewed (mean above median):
    ``n_right_skewed`` of ``n_summary_rows``."""
    rows = summary[summary["n"] > 0]
    return [rec.count("n_right_skewed", (rows["mean"] > rows["median"]).sum(), "variables",
                      "Repository type and variable pairs with data whose mean exceeds the median"),
            rec.count("n_summary_rows", len(rows), "variables", "Repository type and variable pairs with data")]


def fit_range_records(narrow: pd.DataFrame, wide: pd.DataFrame) -> list[dict]:
    """How the alpha range searched moves the power-law fits: ``narrow`` and ``wide`` are
    ``activity.rq1_fits`` frames (same rows) fitted over two ranges. ``n_fits_moved_by_range``: fitted
    variables whose ``xmin`` or ``alpha`` (by more than 0.005) differs; ``max_alpha_moved_by_range``."""
    both = pd.concat([narrow[["alpha", "xmin"]], wide[["alpha", "xmin"]].add_suffix("_wide")], axis=1).dropna()
    moved = (both["xmin"] != both["xmin_wide"]) | ((both["alpha"] - both["alpha_wide"]).abs() > 0.005)
    return [rec.count("n_fits_moved_by_range", moved.sum(), "variables",
                      "Fitted variables whose x_min or alpha changes between the alpha ranges (0, 3] and (1, 10]"),
            rec.number("max_alpha_moved_by_range", float((both["alpha"] - both["alpha_wide"]).abs().max()),
                       "exponent", "Largest change of a fitted alpha between the alpha ranges (0, 3] and (1, 10]",
                       "{:.2f}")]


def license_without_other_records(tests: pd.DataFrame) -> list[dict]:
    """The licence tests with the "other" group left out (``tests``: the first frame of
    ``activity_report.license_tests`` over permissive, restrictive and none): the largest epsilon
    squared (``kw_max_eps2_no_other``) and the tests significant at 0.05 (``kw_n_significant_no_other``)."""
    return [rec.number("kw_max_eps2_no_other", tests["epsilon_squared"].max(), "epsilon squared",
                       "Largest epsilon squared across licence groups with the 'other' group left out", "{:.3f}"),
            rec.count("kw_n_significant_no_other", (tests["p"] < 0.05).sum(), "variables",
                      "Model variables differing significantly across licence groups without 'other'")]


def license_bot_direction(values: Mapping[str, dict]) -> list[dict]:
    """Whether counting bots' threads reverses which of permissive and restrictive models tends to have
    more threads (``threads_perm_over_restr_nobots`` and ``_bots``: probabilities of superiority), in words:
    text ``threads_bots_direction``."""
    without, with_bots = (_v(values, f"threads_perm_over_restr_{k}") for k in ("nobots", "bots"))
    flips = (without - 0.5) * (with_bots - 0.5) < 0
    words = ("reverses which of permissive and restrictive models tends to have more threads" if flips else
             "keeps which of permissive and restrictive models tends to have more threads")
    return [rec.text("threads_bots_direction", words,
                     "What counting bots' threads does to the permissive-restrictive comparison of threads")]


def rq1(values: Mapping[str, dict], claims: pd.DataFrame | None = None) -> list[dict]:
    """Verdicts of the RQ1 chapter: repositories analysed, skew, imbalance, the top-1% share,
    licences and "Pareto". Needs the records of ``activity_report`` (summary, paper, capture,
    fit and licence-test records) and :func:`skew_records`."""
    claims = paper.load_paper_claims() if claims is None else claims
    out = []
    for t in ("model", "dataset"):
        when = _v(values, f"paper_count_reached_{t}s")
        words = (f"No listing of its date; the July 2024 listing holds fewer {t}s" if when == "not reached" else
                 f"No listing of its date; consistent: the July 2024 listing holds as many {t}s created up to "
                 f"{when}")
        out += verdict_records(f"{t}s_analysed", NOT_TESTABLE, words, claims)

    skewed, rows = _v(values, "n_right_skewed"), _v(values, "n_summary_rows")
    if rows and skewed == rows:
        out += verdict_records("activity_right_skewed", REPRODUCED,
                               "Agrees in July 2024 for likes, downloads and discussions (mean above median in "
                               "each); no commits or Spaces here", claims)
    else:
        out += verdict_records("activity_right_skewed", NOT_TESTABLE,
                               f"Right-skewed in {skewed} of {rows} cases in July 2024; commits and Spaces are "
                               "not in the captures", claims)

    keys = ["model_downloads_top1", "model_likes_top1", "dataset_downloads_top1", "dataset_likes_top1"]
    present = [k for k in keys if k in values]
    if present and all(_v(values, k) >= EXTREME_TOP1 for k in present):
        out += verdict_records("activity_extremely_imbalanced", REPRODUCED,
                               "Agrees in July 2024: the top 1% hold most likes and most downloads of models and "
                               "datasets", claims)
    else:
        out += verdict_records("activity_extremely_imbalanced", NOT_TESTABLE,
                               "The top 1% hold less than half of some likes or downloads in July 2024; no listing "
                               "of the paper's date", claims)

    top1, paper_top1 = _v(values, "model_downloads_top1"), paper.claim("models_top1_downloads_share", claims)
    if abs(top1 - paper_top1) <= AGREE_TOLERANCE:
        out += verdict_records("models_top1_downloads_share", REPRODUCED,
                               "Agrees in July 2024 (the same measure on the whole model listing)", claims)
    else:
        out += verdict_records("models_top1_downloads_share", NOT_TESTABLE,
                               f"Differs in July 2024 ({_f(values, 'model_downloads_top1')}); no listing of the "
                               "paper's date", claims)

    out += verdict_records(
        "license_collaboration_differences", SUBSTITUTE,
        f"Collaboration untested; popularity and bot-free discussions differ in "
        f"{_f(values, 'kw_n_significant')} of {_f(values, 'kw_n_tests')} tests, slightly "
        f"(ε² ≤ {_f(values, 'kw_max_eps2')})", claims)

    fitted, heavy, rejected = (_v(values, k) for k in ("n_fitted", "n_exp_worse", "n_gof_rejected"))
    if fitted and heavy == fitted:
        words = (f"Heavy tails agree; pure power laws ruled out for {_f(values, 'n_gof_rejected')} of "
                 f"{_f(values, 'n_fitted')} by the goodness-of-fit test")
        out += verdict_records("pareto_everywhere", REPRODUCED,
                               words if rejected else "Agrees: heavy tails, and power laws pass the goodness-of-fit "
                                                      "test", claims)
    else:
        out += verdict_records("pareto_everywhere", NOT_TESTABLE,
                               f"Heavy tails in only {_f(values, 'n_exp_worse')} of {_f(values, 'n_fitted')} "
                               "variables in July 2024; no listing of the paper's date", claims)
    return out


# -- The Hub over time -------------------------------------------------------------------------
def history(values: Mapping[str, dict], claims: pd.DataFrame | None = None) -> list[dict]:
    """Verdict of the history chapter: the paper's share of models without downloads against the
    listings measured before and after it (``models_<listing>_zero`` and ``interp_zero``)."""
    claims = paper.load_paper_claims() if claims is None else claims
    zero = paper.claim("models_zero_downloads_share", claims)
    measured = [_v(values, k) for k in ("models_2022_07_zero", "models_2022_10_zero", "models_latest_zero")]
    if zero > max(measured):
        words = "Not reproduced in July 2024; far above the path of the listings around it; no listing of its date"
    else:
        words = "Within the range of the listings before and after it; no listing of its date"
    return verdict_records("models_zero_downloads_share", NOT_TESTABLE, words, claims)


# -- RQ2 -------------------------------------------------------------------------------------
def rq2(values: Mapping[str, dict], claims: pd.DataFrame | None = None) -> list[dict]:
    """Verdicts of the RQ2 chapter on substitute ties: isolates over the paper's kind of node set,
    reciprocity, reciprocity by position, and core-periphery (``network_report`` records)."""
    claims = paper.load_paper_claims() if claims is None else claims
    nets = ("pr", "disc", "deriv")
    out = []
    ours = _v(values, "any_owner_before_isolate_share")
    most = "Most" if ours > 0.5 else "A minority of"
    out += verdict_records("network_isolates_share", SUBSTITUTE,
                           f"{most} model owners (the paper's kind of node set) have none of three other ties; no "
                           "commit network here", claims)

    able = max(_v(values, f"{k}_rec_able") for k in nets)
    level = "Low on three other ties (most not returned)" if able < LOW_RECIPROCITY else \
        "High on three other ties (most returned)"
    nulls = str(_v(values, "rec_verdict_all"))
    versus = ("above same-degree nulls" if nulls.endswith("in every network") and nulls.startswith("more")
              else "and no higher than same-degree nulls" if nulls.startswith("no more")
              else "above same-degree nulls in some networks only")
    out += verdict_records("network_reciprocity_high", SUBSTITUTE,
                           f"{level}, {versus}; the paper's value comes from its construction", claims)

    spread = []
    for k in nets:
        shares = [_v(values, f"{k}_rec_{pos}") for pos in ("core", "between", "periphery")]
        spread.append(max(shares) >= POSITION_RATIO * min(shares) if min(shares) > 0 else max(shares) > 0)
    words = ("Depends on position in every network" if all(spread) else
             "Depends on position in some networks" if any(spread) else "About the same in every position")
    out += verdict_records("network_reciprocity_position_independent", SUBSTITUTE,
                           words + " (core, core–periphery, periphery), on three other ties", claims)

    less = sum(_v(values, f"{k}_verdict") == LESS_CP for k in nets)
    shape = ("shaped beyond same-density graphs" if
             str(_v(values, "density_verdict_all")).startswith("Every network is more") else
             "shaped beyond same-density graphs in some networks only")
    out += verdict_records("network_core_periphery", SUBSTITUTE,
                           f"On three other ties: {shape}, but loose (ρ² ≤ {_f(values, 'max_rho_sq')}); "
                           f"{less} of {len(nets)} below same-degree nulls", claims)
    return out


def network_sensitivity_records(table: pd.DataFrame) -> list[dict]:
    """Per alternative of the RQ2 sensitivity table (``network_report.sensitivity_table``: rows per network,
    ``bots`` excluded/included, ``names`` as on the Hub/merged): the largest change of an owner-set isolate
    share from the reported variant (``sens_<bots|names>_owner_change``, percentage points) and the range
    of observed/expected reciprocity (``sens_<reported|bots|names>_ratio_min|max``)."""
    reported = (table["bots"] == "excluded") & (table["names"] == "as on the Hub")
    base = table[reported].set_index("network")
    variants = {"bots": table["bots"] == "included", "names": table["names"] == "near-identical names merged"}
    words = {"bots": "with bots included", "names": "with near-identical names merged"}
    out = [rec.number("sens_reported_ratio_min", table.loc[reported, "ratio_null"].min(), "ratio",
                      "Smallest observed / same-degree reciprocity over the networks, as reported", "{:.1f}"),
           rec.number("sens_reported_ratio_max", table.loc[reported, "ratio_null"].max(), "ratio",
                      "Largest observed / same-degree reciprocity over the networks, as reported", "{:.1f}")]
    for tag, mask in variants.items():
        rows = table[mask]
        change = max(abs(r["owner_before_isolate_share"] - base.loc[r["network"], "owner_before_isolate_share"])
                     for _, r in rows.iterrows())
        out += [rec.number(f"sens_{tag}_owner_change", 100 * change, "percentage points",
                           f"Largest change of a network's isolate share among owners before the discussions "
                           f"capture, {words[tag]}", "{:.2f}"),
                rec.number(f"sens_{tag}_ratio_min", rows["ratio_null"].min(), "ratio",
                           f"Smallest observed / same-degree reciprocity over the networks, {words[tag]}", "{:.1f}"),
                rec.number(f"sens_{tag}_ratio_max", rows["ratio_null"].max(), "ratio",
                           f"Largest observed / same-degree reciprocity over the networks, {words[tag]}", "{:.1f}")]
    return out


# -- RQ3 -------------------------------------------------------------------------------------
def rq3(values: Mapping[str, dict], claims: pd.DataFrame | None = None) -> list[dict]:
    """Verdicts of the RQ3 chapter: a minority of models used (the paper's measure on a
    name-defined census) and companies behind them (derivation, Hub-wide)."""
    claims = paper.load_paper_claims() if claims is None else claims
    used, top1 = _v(values, "space_used_share"), _v(values, "space_top1_share")
    if used < 0.5 and top1 >= EXTREME_TOP1:
        words = ("Agrees on a name-defined part of the Hub (ids beginning with a digit or q): few models used, "
                 "a few take most uses")
    else:
        words = "Does not agree on a name-defined part of the Hub (ids beginning with a digit or q)"
    out = verdict_records("adoption_minority_models", SUBSTITUTE, words, claims)
    out += verdict_records("adoption_handful_companies", SUBSTITUTE,
                           f"Through derivation, Hub-wide: {_f(values, 'top20_company')} of the 20 most built-on "
                           "models are companies'; the Spaces census cannot test it", claims)
    return out


def mass_sensitivity_records(conc: pd.DataFrame) -> list[dict]:
    """Concentration of adopting owners among the models built on, with and without the mass producers
    and at the roots (``conc``: ``adoption.concentration_table`` with ``adopters``, ``adopters_excl_mass``
    and ``root_adopters``): top-10% shares ``top10_adopters_<measure>``."""
    rows = conc.set_index(["measure", "population"])
    names = {"adopters_excl_mass": ("excl_mass", "without the mass producers"),
             "root_adopters": ("roots", "credited to the roots of derivation chains")}
    return [rec.share(f"top10_adopters_{tag}", rows.loc[(measure, "adopted"), "top10_share"],
                      f"Share of adopting owners held by the top 10% of models built on, {words}")
            for measure, (tag, words) in names.items()]


# -- Claims no chapter can test --------------------------------------------------------------
#: Why the claims that no chapter tests cannot be tested here (key -> reason).
UNTESTABLE = {
    "spaces_analysed": "No Spaces listing in these captures",
    "congruent_with_github_oss": "No GitHub data here; a comparison with the literature, not with data",
}


def untestable(claims: pd.DataFrame | None = None) -> list[dict]:
    """Verdicts of the claims no chapter can test (:data:`UNTESTABLE`), recorded by the discussion."""
    claims = paper.load_paper_claims() if claims is None else claims
    return [r for key, reason in UNTESTABLE.items() for r in verdict_records(key, NOT_TESTABLE, reason, claims)]
