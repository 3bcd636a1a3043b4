"""RQ3's tables and headline numbers, from the adoption frames of :mod:`~hubcommunity.analysis.adoption`.

Pure functions behind ``book/rq3_adoption.md`` (Osborne, Ding & Kirk 2024, RQ3:
which models are adopted, how unequally, and who makes them). Inputs are the
frames the chapter already has:

- ``census``: :func:`~hubcommunity.analysis.adoption.space_census` (Spaces per
  model on the model-details capture, the paper's measure), optionally with the
  derivation columns of :func:`~hubcommunity.analysis.adoption.census_comparison`;
- ``edges``: :func:`~hubcommunity.analysis.adoption.derivation_edges` (the
  resolved derivation table of the listing) and ``deriv``:
  :func:`~hubcommunity.analysis.adoption.derivation_adoption` (one row per
  listed model plus unlisted bases: ``derivatives``, ``adopters``, ...);
- owner kinds (``data/owner_kinds.csv``), mass producers
  (``data/mass_producers.csv``) and the set of accounts the book may name
  (:func:`named_for_rq3`).

Outputs are the frames the chapter shows (human column labels in
:data:`LABELS`; accounts passed through :mod:`hubcommunity.privacy`) and its
headline numbers as records (:mod:`hubcommunity.analysis.records`). Shares are
fractions in [0, 1]. No I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from hubcommunity import privacy
from hubcommunity.analysis import adoption as ad
from hubcommunity.analysis import owners as ow
from hubcommunity.analysis import records as rec

__all__ = [
    "REFERENCE_LISTING",
    "REFERENCE_DETAILS",
    "LABELS",
    "labels",
    "named_for_rq3",
    "derivation_snapshot",
    "details_snapshot",
    "spaces_snapshot",
    "snapshot_records",
    "census_records",
    "sensitivity_records",
    "sensitivity_shown",
    "space_top_shown",
    "SPACE_TOP_SHOWN",
    "TOP_MODELS_SHOWN",
    "space_kind_records",
    "derivation_data_records",
    "mass_records",
    "mass_shown",
    "concentration_records",
    "concentration_shown",
    "fit_records",
    "adoption_curves",
    "census_curves",
    "top_model_records",
    "top_models_shown",
    "root_records",
    "roots_shown",
    "owner_records",
    "top_owners_shown",
    "with_measure",
    "subfield_records",
    "comparison_records",
    "comparison_points",
    "LEADER_COLOURS",
    "popularity_records",
    "popularity_shown",
    "unadopted_shown",
    "space_listing_records",
]

#: The listing derivation adoption is measured on when a build has it.
REFERENCE_LISTING = "hub-lists-2024-07"

#: The per-model details capture the paper's Spaces measure runs on when a build has it.
REFERENCE_DETAILS = "model-details-2024-07"

#: Human column headers (with units) for every column the chapter displays.
LABELS = {
    "rank": "Rank", "model": "Model", "model_id": "Model", "owner": "Owner", "kind": "Kind of owner",
    "spaces": "Spaces (n)", "at_cap": "At the cap", "adopters": "Adopting owners (n)",
    "derivatives": "Derivatives (n)", "self_derivatives": "Own derivatives (n)",
    "root_adopters": "Adopting owners at roots (n)", "root_derivatives": "Derivatives at roots (n)",
    "rank_immediate": "Rank, immediate parent", "downloads": "Downloads (30 days)", "likes": "Likes",
    "share": "Share of all (%)", "models_adopted": "Models built on (n)", "adopters_excl_mass":
    "Adopting owners, no mass producers (n)", "account": "Account", "activity": "Activity",
    "derived_models": "Derived models (n)", "derivations": "Derivations (n)", "bases": "Bases (n)",
    "measure": "Measure", "population": "Population", "n": "Models (n)", "n_adopted": "Adopted (n)",
    "total": "Total", "max": "Largest", "top1_share": "Top 1% hold (%)", "top10_share": "Top 10% hold (%)",
    "gini": "Gini", "factor": "Censored counts taken as", "censored_share": "Held by censored models (%)",
    "top10_share_used": "Top 10% of used hold (%)", "gini_used": "Gini, used models",
    "subfield": "Subfield", "models": "Models (n)", "adoption": "Adopting owners (sum)",
    "share_of_adoption": "Share of all (%)", "comparison": "Comparison", "rho": "Spearman ρ",
    "pipeline_tag": "Task (pipeline tag)",
}

def labels(frame: pd.DataFrame, **overrides: str) -> dict[str, str]:
    """Human headers for the columns of ``frame``: :data:`LABELS`, then ``overrides`` (column=header).

    Raises ``KeyError`` naming a displayed column that has no header, so a table
    never shows a machine name."""
    out = {c: overrides.get(c, LABELS.get(c)) for c in frame.columns}
    missing = [c for c, v in out.items() if v is None]
    if missing:
        raise KeyError(f"no human header for column(s) {missing}; add them to LABELS or pass them")
    return out


#: Display names of the derivation measures.
MEASURE_NAMES = {
    "adopters": "adopting owners", "derivatives": "derivatives", "root_adopters": "adopting owners, roots",
    "root_derivatives": "derivatives, roots", "adopters_excl_mass": "adopting owners, without mass producers",
    "derivatives_excl_mass": "derivatives, without mass producers", "spaces": "Spaces",
}


def named_for_rq3(kinds: pd.DataFrame, bots: Iterable[str]) -> frozenset[str]:
    """Accounts RQ3 may name: organisations (:func:`hubcommunity.privacy.named_accounts`), bots, and
    the accounts ``data/owner_kinds.csv`` marks ``automated`` (services, not persons). Lower-cased."""
    automated = kinds.loc[kinds["kind"] == "automated", "owner"]
    return privacy.named_accounts(kinds, [*bots, *automated])


def _display_id(repo_id: str, named: frozenset[str] | None) -> str:
    return repo_id if named is None else privacy.display_repo_id(repo_id, named)


def _display_account(account: str, named: frozenset[str] | None) -> str:
    return account if named is None else privacy.display_account(account, named)


def _shown_ids(ids: pd.Series, named: frozenset[str]) -> pd.Series:
    return privacy.display_accounts(ids.astype("string"), named, repo_ids=True)


def _shown_accounts(accounts: pd.Series, named: frozenset[str]) -> pd.Series:
    return privacy.display_accounts(accounts.astype("string"), named)


# --------------------------------------------------------------------------- snapshots


def derivation_snapshot(derivations: pd.DataFrame, preferred: str = REFERENCE_LISTING) -> str:
    """The snapshot whose derivations are counted: ``preferred`` if ``derivations`` has it, else the
    last snapshot (by name) with any. Raises ``ValueError`` when there are none."""
    snaps = ad.snapshots_in(derivations)
    if not snaps:
        raise ValueError("no snapshot has base-model links (the derivations table is empty)")
    return preferred if preferred in snaps else snaps[-1]


def details_snapshot(model_details: pd.DataFrame, preferred: str = REFERENCE_DETAILS) -> str | None:
    """The model-details snapshot of the Spaces census: ``preferred`` if present, else the last by name, or None."""
    snaps = ad.snapshots_in(model_details)
    if not snaps:
        return None
    return preferred if preferred in snaps else snaps[-1]


def spaces_snapshot(snapshots: pd.DataFrame, space_models: pd.DataFrame) -> str | None:
    """The latest (by capture time) snapshot with a ``spaces`` listing and its ``space.models`` links, or None."""
    listing = space_models[space_models["source"] == ad.SPACE_MODELS] if "source" in space_models else space_models
    caps = snapshots[snapshots["snapshot"].isin(ad.snapshots_in(listing)) & (snapshots["stream"] == "spaces")]
    return caps.sort_values("captured_at")["snapshot"].iloc[-1] if len(caps) else None


def snapshot_records(snapshots: pd.DataFrame, deriv_snapshot: str, census_snapshot: str | None) -> list[dict]:
    """Texts naming the snapshots and capture dates (``YYYY-MM-DD``): the listing, and the details capture."""
    captured = snapshots.set_index(["snapshot", "stream"])["captured_at"]
    out = [rec.text("deriv_snapshot", deriv_snapshot, "Snapshot used for derivation adoption"),
           rec.text("deriv_captured", captured[(deriv_snapshot, "models")].strftime("%Y-%m-%d"),
                    "Capture date of the model listing used for derivation adoption")]
    if census_snapshot is not None:
        out += [rec.text("census_snapshot", census_snapshot, "Snapshot of per-model details used for Spaces"),
                rec.text("census_captured", captured[(census_snapshot, "model_details")].strftime("%Y-%m-%d"),
                         "Capture date of the per-model details")]
    return out


# --------------------------------------------------------------------------- the Spaces census


def census_records(census: pd.DataFrame, space_models: pd.DataFrame, listed_ids: pd.Series,
                   prefix: str = r"^[0-9qQ]", cap: int = ad.SPACES_CAP) -> list[dict]:
    """The census and the paper's measure on it.

    ``census``: :func:`~hubcommunity.analysis.adoption.space_census`;
    ``space_models``: its links (source ``model.spaces``); ``listed_ids``: the
    model ids of the listing; ``prefix``: the regular expression defining the
    subpopulation (ids beginning with a digit or q/Q). Records the census
    size, how much of the name-defined subpopulation of the listing it covers,
    renamed models (answered under an id outside the prefix), links, distinct
    Spaces, models used, the share used, concentration over all and over used
    models, the fewest models holding half of all uses, and the cap.
    """
    links = space_models[space_models["source"] == ad.MODEL_SPACES] if "source" in space_models else space_models
    links = links[links["model_id"].isin(set(census["model_id"]))]
    listed = pd.Series(listed_ids).astype("string")
    by_name = listed[listed.str.contains(prefix, regex=True).fillna(False).astype(bool)]
    in_census = by_name.isin(set(census["model_id"]))
    counts = census["spaces"]
    c_all, c_used = ad.concentration(counts), ad.concentration(counts[counts > 0])
    return [
        rec.count("census_n", len(census), "models", "Models in the per-model details capture"),
        rec.count("prefix_n", len(by_name), "models", "Listed models whose id begins with a digit or q/Q"),
        rec.count("prefix_in_census", in_census.sum(), "models", "Of those, answered in the details capture"),
        rec.share("prefix_coverage", in_census.mean() if len(by_name) else math.nan,
                  "Share of the name-defined subpopulation in the details capture"),
        rec.count("census_renamed", (~census["model_id"].str.contains(prefix, regex=True)).sum(), "models",
                  "Census models answered under an id outside the prefix (renamed)"),
        rec.count("census_listed", census["model_id"].isin(set(listed)).sum(), "models",
                  "Census models that are in the July 2024 listing"),
        rec.count("space_links", c_all["total"], "links", "(Space, model) links in the census"),
        rec.count("space_distinct", links["space_id"].nunique(), "Spaces", "Distinct Spaces using a census model"),
        rec.count("space_models_used", c_all["n_adopted"], "models", "Census models used by at least one Space"),
        rec.share("space_used_share", c_all["share_adopted"], "Share of census models used by any Space"),
        rec.share("space_top1_share", c_all["top1_share"], "Share of Space uses held by the top 1% of census models"),
        rec.share("space_top10_used_share", c_used["top10_share"],
                  "Share of Space uses held by the top 10% of used census models"),
        rec.number("space_gini", c_all["gini"], "Gini", "Gini of Spaces per model, all census models", "{:.3f}"),
        rec.number("space_gini_used", c_used["gini"], "Gini", "Gini of Spaces per model, used census models",
                   "{:.2f}"),
        rec.count("space_models_for_half", ad.count_for_share(counts, 0.5), "models",
                  "Most-used census models that together hold half of all Space uses"),
        rec.count("space_max", c_all["max"], "Spaces", "Most Spaces listed for one census model"),
        rec.count("space_capped", (counts >= cap).sum(), "models", "Census models at the API's cap"),
        rec.count("space_cap", cap, "Spaces", "Most Spaces the API lists per model"),
    ]


def sensitivity_records(sens: pd.DataFrame) -> list[dict]:
    """How the cap could move the numbers (``sens``: :func:`~hubcommunity.analysis.adoption.censored_sensitivity`
    with factors 1, 2 and 10): shares and Gini at each factor, and the censored models' share."""
    s = sens.set_index("factor")
    out = []
    for f in (1.0, 2.0, 10.0):
        tag = f"x{int(f)}"
        out += [rec.share(f"sens_{tag}_top1", s.loc[f, "top1_share"], f"Top-1% share of Space uses, censored counts x{int(f)}"),
                rec.share(f"sens_{tag}_top10_used", s.loc[f, "top10_share_used"],
                          f"Top-10%-of-used share of Space uses, censored counts x{int(f)}"),
                rec.number(f"sens_{tag}_gini_used", s.loc[f, "gini_used"], "Gini",
                           f"Gini over used census models, censored counts x{int(f)}", "{:.2f}"),
                rec.share(f"sens_{tag}_censored_share", s.loc[f, "censored_share"],
                          f"Share of Space uses held by the censored models, counts x{int(f)}")]
    return out


def sensitivity_shown(sens: pd.DataFrame) -> pd.DataFrame:
    """The sensitivity table as shown: the factor in words and the statistics that can move."""
    words = {1.0: "as observed (lower bounds)", 2.0: "twice the cap", 10.0: "ten times the cap"}
    out = sens.assign(factor=sens["factor"].map(lambda f: words.get(float(f), f"{f:g} × cap")))
    return out[["factor", "total", "censored_share", "top1_share", "top10_share_used", "gini", "gini_used"]]


def space_top_shown(census: pd.DataFrame, kinds: pd.DataFrame, named: frozenset[str], n: int = 20) -> pd.DataFrame:
    """The ``n`` census models used by most Spaces (ties by id): rank, model (owner pseudonymised unless an
    organisation), kind of owner, Spaces, ``at_cap`` (bool: a lower bound), adopting owners and derivatives
    (if present), downloads. :data:`SPACE_TOP_SHOWN` are the columns the page displays."""
    extra = [c for c in ("adopters", "derivatives") if c in census.columns]
    top = ad.top_adopted(census, n, "spaces", kinds=kinds, extra=["at_cap", *extra])
    top["model"] = _shown_ids(top["model_id"], named)
    return top[["rank", "model", "kind", "spaces", "at_cap", *extra, "downloads"]]


#: Columns of :func:`space_top_shown` displayed in the page (the CSV keeps every column).
SPACE_TOP_SHOWN = ["rank", "model", "kind", "spaces", "adopters", "downloads"]

#: Columns of :func:`top_models_shown` displayed in the page.
TOP_MODELS_SHOWN = ["rank", "model", "kind", "adopters", "derivatives", "self_derivatives", "downloads"]


def space_kind_records(census: pd.DataFrame, kinds: pd.DataFrame, named: frozenset[str] | None = None) -> list[dict]:
    """Who makes the census models Spaces use: shares of uses by kind of owner, the top owner (pseudonymised
    unless in ``named``, when given) and its share."""
    by_kind = ow.share_by_kind(census, kinds, "spaces").set_index("kind")["share"]
    per_owner = ow.owner_adoption(census, "spaces")
    return [
        rec.share("space_company_share", by_kind["company"], "Share of census Space uses of company-owned models"),
        rec.share("space_unclassified_share", by_kind[ow.UNCLASSIFIED],
                  "Share of census Space uses of models whose owner is unclassified"),
        rec.text("space_top_owner", _display_account(per_owner["owner"].iloc[0], named),
                 "Census owner whose models Spaces use most"),
        rec.share("space_top_owner_share", per_owner["share"].iloc[0], "Its share of census Space uses"),
        rec.count("space_owners_used", (per_owner["adoption"] > 0).sum(), "owners",
                  "Census owners with a model used by a Space"),
    ]


# --------------------------------------------------------------------------- derivation: the data


def derivation_data_records(edges: pd.DataFrame, deriv: pd.DataFrame, summary: Mapping) -> list[dict]:
    """Every count about the resolved derivation table: pairs, how base ids resolved, self-references,
    self-derivations, derivations by other owners (and how many name a listed model), base ids listed or
    not, and the share of derivations per (inferred) relation.

    ``summary``: :func:`~hubcommunity.analysis.adoption.resolution_summary` of ``edges``.
    """
    rs, n_listed = summary, int(deriv["listed"].sum())
    others = edges[~edges["self_reference"].astype(bool) & ~edges["self_derivation"].astype(bool)]
    to_listed = int(deriv.loc[deriv["listed"], "derivatives"].sum())
    kept = edges[~edges["self_reference"].astype(bool)]
    out = [
        rec.count("n_models", n_listed, "models", "Models in the listings"),
        rec.count("n_pairs", rs["pairs"], "pairs", "Distinct (model, base model) pairs after resolution"),
        rec.count("n_derived", rs["derived_models"], "models", "Listed models that declare at least one base model"),
        rec.share("derived_share", rs["derived_models"] / n_listed, "Share of listed models that declare a base model"),
        rec.share("resolved_exact_share", rs["share_exact"], "Pairs whose base id is listed exactly as written"),
        rec.count("n_resolved_case", rs["pairs_case"], "pairs", "Pairs resolved ignoring letter case"),
        rec.count("n_resolved_legacy", rs["pairs_legacy"], "pairs", "Pairs resolved from a legacy un-prefixed id"),
        rec.share("resolved_legacy_share", rs["share_legacy"], "Share of pairs resolved from a legacy id"),
        rec.count("n_unresolved", rs["pairs_unresolved"], "pairs", "Pairs whose base id is not in the listing"),
        rec.share("unresolved_share", rs["share_unresolved"], "Share of pairs whose base id is not in the listing"),
        rec.count("n_base_ids", rs["base_ids"], "ids", "Distinct base ids (self-references excluded)"),
        rec.count("n_base_ids_listed", rs["base_ids_listed"], "models", "Distinct base ids that are listed models"),
        rec.count("n_base_ids_unlisted", rs["base_ids_unlisted"], "ids", "Distinct base ids not in the listing"),
        rec.count("n_self", rs["self_references"], "models", "Models that name themselves as base (skipped)"),
        rec.count("n_self_deriv", rs["self_derivations"], "pairs", "Pairs whose two models have one owner"),
        rec.share("self_deriv_share", rs["self_derivations"] / len(kept) if len(kept) else math.nan,
                  "Share of pairs (self-references excluded) that are self-derivations"),
        rec.count("n_derivations", len(others), "pairs", "Derivations by other owners"),
        rec.count("n_derivations_listed", to_listed, "pairs", "Derivations by other owners naming a listed model"),
        rec.share("inferred_share", rs["inferred_relations"] / rs["pairs"], "Share of pairs whose relation was inferred"),
    ]
    return out + [rec.share(f"rel_{r}_share", (others["relation"] == r).mean(),
                            f"Share of derivations with relation {r}") for r in ad.DECLARED_RELATIONS]


def mass_records(activity: pd.DataFrame, edges: pd.DataFrame) -> list[dict]:
    """Mass producers (``activity``: :func:`~hubcommunity.analysis.adoption.mass_producer_activity`): how many,
    their share of all derivations, and the share made by the ten accounts with most derivations (listed or not)."""
    others = edges[~edges["self_reference"].astype(bool) & ~edges["self_derivation"].astype(bool)]
    top10 = others["model_owner"].str.lower().value_counts().head(10).sum() / len(others) if len(others) else math.nan
    return [
        rec.count("n_mass", len(activity), "accounts", "Accounts in data/mass_producers.csv"),
        rec.share("mass_share", activity["share"].sum(), "Share of derivations made by the listed mass producers"),
        rec.share("top10_accounts_share", top10, "Share of derivations made by the ten most prolific accounts"),
    ]


def mass_shown(activity: pd.DataFrame, mass: pd.DataFrame, named: frozenset[str]) -> pd.DataFrame:
    """The mass producers as shown: account (pseudonymised unless an organisation or automated), activity,
    derived models, distinct bases, share of all derivations; the evidence stays in the CSV."""
    out = activity.merge(mass[["account", "activity", "evidence"]], on="account", how="left")
    out["account"] = _shown_accounts(out["account"], named)
    return out[["account", "activity", "derived_models", "bases", "share", "evidence"]]


# --------------------------------------------------------------------------- derivation: concentration


def _row(conc: pd.DataFrame, measure: str, population: str) -> pd.Series:
    return conc.set_index(["measure", "population"]).loc[(measure, population)]


def concentration_records(conc: pd.DataFrame, deriv: pd.DataFrame, named: frozenset[str] | None = None) -> list[dict]:
    """How concentrated derivation adoption is over listed models (``conc``:
    :func:`~hubcommunity.analysis.adoption.concentration_table` with ``derivatives``, ``adopters``,
    ``root_adopters`` and the ``*_excl_mass`` columns): models built on by another owner and their share of
    listed models, totals, top-1% and top-10% shares, Gini, the fewest models holding half, the top model
    (its owner pseudonymised unless in ``named``, when given)."""
    listed = deriv[deriv["listed"]]
    d_all, d_ad = _row(conc, "derivatives", "all"), _row(conc, "derivatives", "adopted")
    a_all, a_ad = _row(conc, "adopters", "all"), _row(conc, "adopters", "adopted")
    m_all = _row(conc, "adopters_excl_mass", "all")
    top = listed.iloc[0]
    return [
        rec.count("n_adopted", d_all["n_adopted"], "models", "Listed models built on by at least one other owner"),
        rec.share("adopted_share", d_all["share_adopted"], "Share of listed models built on by another owner", "{:.2%}"),
        rec.count("total_derivatives", d_all["total"], "derivations",
                  "Derivations by other owners naming a listed model"),
        rec.count("total_adopters", a_all["total"], "(owner, model) pairs",
                  "Adopting owners summed over listed models"),
        rec.share("top1_share_all", d_all["top1_share"], "Share of derivations held by the top 1% of listed models"),
        rec.share("top1_adopters_all", a_all["top1_share"],
                  "Share of adopting owners (summed) held by the top 1% of listed models"),
        rec.share("top10_share_adopted", d_ad["top10_share"],
                  "Share of derivations held by the top 10% of models built on"),
        rec.share("top10_adopters_adopted", a_ad["top10_share"],
                  "Share of adopting owners held by the top 10% of models built on"),
        rec.number("gini_adopted", d_ad["gini"], "Gini", "Gini of derivatives over models built on", "{:.2f}"),
        rec.number("gini_adopters_adopted", a_ad["gini"], "Gini", "Gini of adopting owners over models built on",
                   "{:.2f}"),
        rec.count("models_for_half", ad.count_for_share(listed["derivatives"], 0.5), "models",
                  "Most-derived listed models that together hold half of all derivations"),
        rec.count("models_for_half_adopters", ad.count_for_share(listed["adopters"], 0.5), "models",
                  "Listed models that together hold half of all adopting owners"),
        rec.share("models_for_half_share", ad.count_for_share(listed["derivatives"], 0.5) / d_all["n_adopted"],
                  "Those models as a share of the models built on"),
        rec.count("n_adopted_excl_mass", m_all["n_adopted"], "models",
                  "Listed models built on by another owner who is not a mass producer"),
        rec.text("top_model", _display_id(top["model_id"], named), "The model with most adopting owners"),
        rec.count("top_model_adopters", top["adopters"], "owners", "Its adopting owners"),
        rec.count("top_model_derivatives", top["derivatives"], "models", "Its derivatives by other owners"),
        rec.count("max_derivatives", listed["derivatives"].max(), "models", "Most derivatives of one listed model"),
    ]


def concentration_shown(conc: pd.DataFrame) -> pd.DataFrame:
    """The concentration table as shown: measure names in words, populations in words, displayed columns."""
    out = conc.assign(measure=conc["measure"].map(MEASURE_NAMES).fillna(conc["measure"]),
                      population=conc["population"].map({"all": "all listed", "adopted": "built on"}))
    return out[["measure", "population", "n", "total", "max", "top1_share", "top10_share", "gini"]]


def fit_records(fit: Mapping) -> list[dict]:
    """Power-law fit of adopting owners per model (``fit``: :func:`~hubcommunity.analysis.fitting.fit_variable`):
    exponent, tail bound, tail size and the verdict in words."""
    return [
        rec.number("fit_alpha", fit["alpha"], "exponent", "Power-law exponent of adopting owners per model", "{:.2f}"),
        rec.count("fit_xmin", fit["xmin"], "owners", "Lower bound of the power-law tail"),
        rec.count("fit_ntail", fit["n_tail"], "models", "Models in the power-law tail"),
        rec.text("fit_verdict", fit["verdict"], "Power law against the alternatives, in words"),
    ]


def adoption_curves(deriv: pd.DataFrame, space_adoption: pd.DataFrame | None = None) -> dict[str, pd.Series]:
    """Counts per listed model to draw as CCDFs: Spaces (a Spaces listing, if given), then each derivation measure."""
    listed = deriv[deriv["listed"]]
    curves = {} if space_adoption is None else {"Spaces (listing)": space_adoption.loc[space_adoption["listed"], "spaces"]}
    for col in ("adopters", "derivatives", "root_adopters", "adopters_excl_mass"):
        curves[MEASURE_NAMES[col]] = listed[col]
    return curves


def census_curves(census: pd.DataFrame) -> dict[str, pd.Series]:
    """Counts per census model to draw as CCDFs: Spaces, then the derivation columns present."""
    curves = {"Spaces": census["spaces"]}
    for col in ("adopters", "derivatives"):
        if col in census.columns:
            curves[MEASURE_NAMES[col]] = census[col]
    return curves


# --------------------------------------------------------------------------- derivation: who


def top_model_records(top: pd.DataFrame, top100: pd.DataFrame, deriv: pd.DataFrame) -> list[dict]:
    """Who makes the models with most adopting owners (``top``, ``top100``:
    :func:`~hubcommunity.analysis.adoption.top_adopted` by ``adopters`` with kinds): company-owned models
    among the top 20, the company share of the top 100's adopting owners, how many have a classified owner,
    and the top 100's share of all adopting owners."""
    company = top100["kind"] == "company"
    total = deriv.loc[deriv["listed"], "adopters"].sum()
    return [
        rec.count("top20_company", (top["kind"] == "company").sum(), "models",
                  "Of the 20 models with most adopting owners, owned by companies"),
        rec.share("top100_company_share", top100.loc[company, "adopters"].sum() / top100["adopters"].sum(),
                  "Share of the top 100 models' adopting owners going to company-owned models"),
        rec.share("top100_classified", (top100["kind"] != ow.UNCLASSIFIED).mean(),
                  "Top-100 models whose owner is classified", "{:.0%}"),
        rec.share("top100_share", top100["adopters"].sum() / total, "Share of all adopting owners held by the top 100"),
    ]


def top_models_shown(top: pd.DataFrame, named: frozenset[str]) -> pd.DataFrame:
    """The top models as shown: model (owner pseudonymised unless named), kind, adopting owners,
    derivatives, own derivatives, adopting owners at the roots, downloads."""
    out = top.assign(model=_shown_ids(top["model_id"], named))
    return out[["rank", "model", "kind", "adopters", "derivatives", "self_derivatives", "root_adopters", "downloads"]]


def root_records(edges: pd.DataFrame, deriv: pd.DataFrame, roots: pd.DataFrame,
                 named: frozenset[str] | None = None) -> list[dict]:
    """Immediate parent against root: derivations whose base is itself derived, models in cycles,
    roots with a derivative, the top model by root attribution (displayed as :func:`concentration_records`
    does) and its count as immediate parent, and the model that gains most adopting owners at the roots."""
    others = edges[~edges["self_reference"].astype(bool) & ~edges["self_derivation"].astype(bool)]
    derived = set(edges.loc[~edges["self_reference"].astype(bool), "model_id"])
    listed = deriv[deriv["listed"]]
    by_root = listed.sort_values(["root_adopters", "model_id"], ascending=[False, True])
    top = by_root.iloc[0]
    gain = listed.assign(_gain=listed["root_adopters"] - listed["adopters"]).sort_values(
        ["_gain", "model_id"], ascending=[False, True]).iloc[0]
    return [
        rec.share("chain_share", others["base_model_id"].isin(derived).mean(),
                  "Share of derivations whose base itself declares a base"),
        rec.count("n_in_cycles", roots.attrs.get("in_cycles", 0), "models", "Models on a base_model cycle"),
        rec.count("n_roots_adopted", (listed["root_adopters"] > 0).sum(), "models",
                  "Listed models that are the root of another owner's derivative"),
        rec.text("top_root_model", _display_id(top["model_id"], named), "The model with most adopting owners at the roots"),
        rec.count("top_root_adopters", top["root_adopters"], "owners", "Its adopting owners at the roots"),
        rec.count("top_root_immediate", top["adopters"], "owners", "Its adopting owners as immediate parent"),
        rec.text("root_gain_model", _display_id(gain["model_id"], named),
                 "The model gaining most adopting owners from root attribution"),
        rec.count("root_gain_from", gain["adopters"], "owners", "Its adopting owners as immediate parent"),
        rec.count("root_gain_to", gain["root_adopters"], "owners", "Its adopting owners at the roots"),
    ]


def roots_shown(deriv: pd.DataFrame, kinds: pd.DataFrame, named: frozenset[str], n: int = 15) -> pd.DataFrame:
    """The ``n`` listed models with most adopting owners at the roots, with their immediate-parent counts and rank."""
    listed = deriv[deriv["listed"]]
    rank_imm = listed["adopters"].rank(method="min", ascending=False).astype("int64")
    top = ad.top_adopted(listed.assign(rank_immediate=rank_imm), n, "root_adopters", kinds=kinds,
                         extra=["root_derivatives", "adopters", "rank_immediate"])
    top["model"] = _shown_ids(top["model_id"], named)
    return top[["rank", "model", "kind", "root_adopters", "root_derivatives", "adopters", "rank_immediate"]]


def owner_records(deriv: pd.DataFrame, kinds: pd.DataFrame, by_kind: pd.DataFrame,
                  per_owner: pd.DataFrame, named: frozenset[str] | None = None) -> list[dict]:
    """Derivations by kind of owner (``by_kind``: :func:`~hubcommunity.analysis.owners.share_by_kind` of the
    derivatives) and by owner (``per_owner``: :func:`~hubcommunity.analysis.adoption.owner_adopters`): shares
    per kind, the share of individuals' derivatives that are merges or quantized copies, the top owners'
    shares of derivations, owners built on, the fewest holding half, the kinds file's size, the top owner."""
    out = [rec.share(f"kind_{row.kind.replace('-', '_')}_share", row.share,
                     f"Share of derivations of models owned by: {row.kind}") for row in by_kind.itertuples()]
    indiv = deriv[ow.kind_of(deriv["owner"], kinds) == "individual"]
    by_deriv = per_owner.sort_values(["derivatives", "owner"], ascending=[False, True])
    total = per_owner["derivatives"].sum()
    return out + [
        rec.share("individual_merge_quant_share", indiv[["merge", "quantized"]].sum().sum() / indiv["derivatives"].sum(),
                  "Share of derivatives of individuals' models that are merges or quantized copies"),
        rec.share("owner_top5_share", by_deriv["derivatives"].head(5).sum() / total,
                  "Share of derivations held by the 5 most derived-from owners"),
        rec.share("owner_top10_share", by_deriv["derivatives"].head(10).sum() / total,
                  "Share of derivations held by the 10 most derived-from owners"),
        rec.count("n_owners_adopted", len(per_owner), "owners", "Owners with a model another owner builds on"),
        rec.count("owners_for_half", ad.count_for_share(per_owner["derivatives"], 0.5), "owners",
                  "Fewest owners that together hold half of all derivations"),
        rec.count("n_kinds_file", len(kinds), "owners", "Owners in data/owner_kinds.csv"),
        rec.text("top_owner", _display_account(per_owner["owner"].iloc[0], named), "The owner with most adopting owners"),
        rec.count("top_owner_adopters", per_owner["adopters"].iloc[0], "owners", "Its adopting owners"),
    ]


def top_owners_shown(per_owner: pd.DataFrame, kinds: pd.DataFrame, named: frozenset[str], n: int = 15) -> pd.DataFrame:
    """The ``n`` owners with most adopting owners: rank, owner (pseudonymised unless named), kind, models built
    on, adopting owners (with and without mass producers), derivatives and share of all derivations."""
    top = per_owner.head(n).assign(kind=lambda d: ow.kind_of(d["owner"], kinds))
    top["owner"] = _shown_accounts(top["owner"], named)
    return top[["rank", "owner", "kind", "models_adopted", "adopters", "adopters_excl_mass", "derivatives", "share"]]


def with_measure(frames: Mapping[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Stack frames of the same columns, each tagged with its ``measure`` (the dict key); None skipped."""
    return pd.concat([f.assign(measure=m) for m, f in frames.items() if f is not None], ignore_index=True)


def subfield_records(sub: pd.DataFrame) -> list[dict]:
    """Per subfield (:func:`~hubcommunity.analysis.adoption.subfield_concentration` of ``adopters``): its share
    of all adopting owners and the top-10% share within it."""
    out = []
    for row in sub.itertuples():
        out += [rec.share(f"sub_{row.subfield}_share", row.share_of_adoption,
                          f"Share of adopting owners going to {row.subfield} models"),
                rec.share(f"sub_{row.subfield}_top10", row.top10_share,
                          f"Share of {row.subfield} adopting owners held by the top 10% of its models built on")]
    return out


# --------------------------------------------------------------------------- the two measures compared


def comparison_records(census: pd.DataFrame, agreement: Mapping[str, Mapping], overlap: Mapping) -> list[dict]:
    """Spaces against derivation on the same census models.

    ``census``: :func:`~hubcommunity.analysis.adoption.census_comparison`; ``agreement``:
    :func:`~hubcommunity.analysis.adoption.rank_agreement` of Spaces with each derivation column (keyed by
    column); ``overlap``: :func:`~hubcommunity.analysis.adoption.leader_overlap` of Spaces and adopters.
    Also the median parameter count (``n_parameters``, billions) of each side's leaders where known.
    """
    a = agreement["adopters"]
    used, built = census["spaces"] > 0, census["adopters"] > 0
    params = {}
    for side, ids in (("spaces", overlap["ids_a"]), ("adopters", overlap["ids_b"])):
        known = census.loc[census["model_id"].isin(set(ids)), "n_parameters"].dropna().astype(float)
        params[side] = (known.median() / 1e9 if len(known) else math.nan, len(known))
    return [
        rec.share("census_built_share", built.mean(), "Share of census models built on by another owner"),
        rec.count("census_both", (used & built).sum(), "models", "Census models used by a Space and built on"),
        rec.count("census_either", (used | built).sum(), "models", "Census models used by a Space or built on"),
        rec.number("census_rho", a["rho"], "Spearman rho", "Rank correlation of Spaces and adopting owners, "
                   "all census models", "{:.2f}"),
        rec.number("census_rho_either", a["rho_either"], "Spearman rho",
                   "The same over census models with either count above zero", "{:.2f}"),
        rec.number("census_rho_roots", agreement["root_adopters"]["rho"], "Spearman rho",
                   "Rank correlation of Spaces and adopting owners at the roots, all census models", "{:.2f}"),
        rec.count("leaders_k", overlap["k"], "models", "Leaders: the top k by each measure, ties included"),
        rec.count("leaders_spaces", overlap["n_a"], "models", "Leaders by Spaces (ties included)"),
        rec.count("leaders_adopters", overlap["n_b"], "models", "Leaders by adopting owners (ties included)"),
        rec.count("leaders_both", overlap["both"], "models", "Models leading by both measures"),
        rec.number("leaders_spaces_params", params["spaces"][0], "billion parameters",
                   "Median parameters (safetensors) of the leaders by Spaces, where known", "{:.1f}"),
        rec.count("leaders_spaces_params_n", params["spaces"][1], "models",
                  "Leaders by Spaces with a parameter count in their details"),
        rec.number("leaders_adopters_params", params["adopters"][0], "billion parameters",
                   "Median parameters (safetensors) of the leaders by adopting owners, where known", "{:.1f}"),
        rec.count("leaders_adopters_params_n", params["adopters"][1], "models",
                  "Leaders by adopting owners with a parameter count in their details"),
    ]


#: Colours of :func:`comparison_points` groups, in legend order.
LEADER_COLOURS = {"both": "#e15759", "by Spaces": "#4e79a7", "by adopting owners": "#f28e2b", "neither": "#bab0ac"}


def comparison_points(census: pd.DataFrame, named: frozenset[str], overlap: Mapping, k: int = 5) -> pd.DataFrame:
    """Census models used by a Space or built on, for the scatter: ``model`` (display id), ``spaces``,
    ``adopters``, ``leader`` (among the leaders of ``overlap`` -- :func:`~hubcommunity.analysis.adoption.
    leader_overlap` of Spaces and adopters -- by both, by Spaces, by adopting owners, or neither; keys of
    :data:`LEADER_COLOURS`) and ``label`` (the model's name for the ``k`` first by each measure and every
    leader by both, else empty)."""
    pts = census[(census["spaces"] > 0) | (census["adopters"] > 0)].copy()
    lead_s, lead_a = pts["model_id"].isin(set(overlap["ids_a"])), pts["model_id"].isin(set(overlap["ids_b"]))
    top_s = set(pts.sort_values(["spaces", "model_id"], ascending=[False, True])["model_id"].head(k))
    top_a = set(pts.sort_values(["adopters", "model_id"], ascending=[False, True])["model_id"].head(k))
    pts["model"] = _shown_ids(pts["model_id"], named)
    name = pts["model"].str.split("/").str[-1]
    pts["label"] = name.where(pts["model_id"].isin(top_s | top_a | set(overlap["ids_both"])), "")
    pts["leader"] = np.select([lead_s & lead_a, lead_s, lead_a], ["both", "by Spaces", "by adopting owners"],
                              default="neither")
    order = {g: i for i, g in enumerate(LEADER_COLOURS)}
    pts = pts.sort_values("leader", key=lambda s: s.map(order), ascending=False, kind="stable")  # leaders on top
    return pts[["model", "spaces", "adopters", "leader", "label"]].reset_index(drop=True)


# --------------------------------------------------------------------------- popularity


def popularity_records(corr: pd.DataFrame, bins: pd.DataFrame, cohorts: pd.DataFrame, recent: pd.DataFrame,
                       prs: Mapping) -> list[dict]:
    """Adoption against popularity over all listed models: Spearman rho with downloads and likes (``corr``:
    :func:`~hubcommunity.analysis.adoption.popularity_correlations` of ``adopters``), the share built on in
    the lowest and the highest download bins (``bins``: ``adoption_by_bin``), the range of the per-year rho
    (``cohorts``), the 30-day derivative window's rho (``recent``), and librarian-bot's ``base_model`` pull
    requests (``prs``: ``base_model_prs``)."""
    c = corr.set_index(["measure", "variable"])["rho"]
    r = recent.set_index(["measure", "variable"])["rho"]
    high = bins[bins["low"] >= 1_000_000]
    return [
        rec.number("rho_downloads_all", c[("adopters", "downloads")], "Spearman rho",
                   "Rank correlation of adopting owners with downloads, all listed models", "{:.2f}"),
        rec.number("rho_likes_all", c[("adopters", "likes")], "Spearman rho",
                   "Rank correlation of adopting owners with likes, all listed models", "{:.2f}"),
        rec.share("bin0_share", bins["share_adopted"].iloc[0],
                  "Share built on by another owner, models with no downloads", "{:.2%}"),
        rec.count("bin0_models", bins["models"].iloc[0], "models", "Listed models with no downloads"),
        rec.share("bin_1m_share", high["adopted"].sum() / high["models"].sum() if len(high) else math.nan,
                  "Share built on by another owner, models with at least a million downloads", "{:.0%}"),
        rec.count("bin_1m_models", high["models"].sum(), "models", "Listed models with at least a million downloads"),
        rec.number("cohort_rho_min", cohorts["rho"].min(), "Spearman rho",
                   "Smallest per-creation-year rank correlation with downloads", "{:.2f}"),
        rec.number("cohort_rho_max", cohorts["rho"].max(), "Spearman rho",
                   "Largest per-creation-year rank correlation with downloads", "{:.2f}"),
        rec.number("rho_recent_downloads", r[("recent", "downloads")], "Spearman rho",
                   "Rank correlation of derivatives created in the last 30 days with 30-day downloads", "{:.2f}"),
        rec.count("librarian_prs", prs["prs"], "pull requests", "librarian-bot pull requests adding base_model"),
        rec.share("librarian_merged_share", prs["merged_share"], "Share of them merged by January 2024"),
        rec.share("librarian_merged_declared", prs["merged_declared_share"],
                  "Listed models whose librarian-bot request was merged that declare a base in July 2024"),
        rec.share("librarian_open_declared", prs["open_declared_share"],
                  "Listed models whose request was still open that declare a base in July 2024"),
        rec.count("librarian_open_undeclared", prs["open_undeclared"], "models",
                  "Listed models with an open request and no declared base in July 2024"),
    ]


def popularity_shown(corr: pd.DataFrame, cohorts: pd.DataFrame, recent: pd.DataFrame) -> pd.DataFrame:
    """One table of rank correlations, all listed models: each adoption measure with downloads and likes,
    per creation year, and the 30-day derivative window with 30-day downloads."""
    rows = [{"comparison": f"{MEASURE_NAMES.get(r.measure, r.measure)} vs {r.variable}, all listed models",
             "n": r.n, "rho": r.rho} for r in corr.itertuples()]
    rows += [{"comparison": f"adopting owners vs downloads, models created in {r.year}", "n": r.n, "rho": r.rho}
             for r in cohorts.itertuples()]
    rows += [{"comparison": f"derivatives of the last 30 days vs {r.variable}, all listed models", "n": r.n,
              "rho": r.rho} for r in recent.itertuples()]
    return pd.DataFrame(rows, columns=["comparison", "n", "rho"])


def unadopted_shown(unadopted: pd.DataFrame, named: frozenset[str]) -> pd.DataFrame:
    """The most downloaded models nobody else builds on, as shown (owner pseudonymised unless named)."""
    out = unadopted.assign(model=_shown_ids(unadopted["model_id"], named))
    return out[["rank", "model", "downloads", "likes", "pipeline_tag"]]


# --------------------------------------------------------------------------- Spaces from a Spaces listing


def space_listing_records(space_models: pd.DataFrame, space_adoption: pd.DataFrame, snapshot: str,
                          kinds: pd.DataFrame) -> list[dict]:
    """The paper's measure from a Spaces listing (``space.models`` links, no cap) in ``snapshot``: links,
    models, share used, top-1% share, top-10% share among used models, Gini, the fewest models holding half
    of all uses, the shares of company-owned and unclassified models, the top five owners' share.

    ``space_adoption``: :func:`~hubcommunity.analysis.adoption.space_adoption` for ``snapshot``.
    """
    listed = space_adoption[space_adoption["listed"]]
    counts = listed["spaces"]
    sc, sc_ad = ad.concentration(counts), ad.concentration(counts[counts > 0])
    kind = ow.share_by_kind(space_adoption, kinds, "spaces").set_index("kind")["share"]
    own = ow.top_owner_shares(space_adoption, "spaces", ks=(5,))
    links = space_models[(space_models["snapshot"] == snapshot) & (space_models["source"] == ad.SPACE_MODELS)]
    return [
        rec.count("n_space_links", len(links), "links", "Space-to-model links in the Spaces listing"),
        rec.text("space_snapshot", snapshot, "Snapshot with a Spaces listing"),
        rec.count("space_models_n", sc["n"], "models", "Listed models in that snapshot"),
        rec.share("space_adopted_share", sc["share_adopted"], "Share of listed models used by at least one Space"),
        rec.share("space_listing_top1_share", sc["top1_share"], "Share of Space uses held by the top 1% of models"),
        rec.share("space_top10_adopted", sc_ad["top10_share"], "Share of Space uses held by the top 10% of used models"),
        rec.number("space_listing_gini", sc["gini"], "Gini", "Gini of Spaces per model over listed models", "{:.3f}"),
        rec.count("space_listing_for_half", ad.count_for_share(counts, 0.5), "models",
                  "Most-used models that together hold half of all Space uses"),
        rec.share("space_listing_company_share", kind["company"], "Share of Space uses of company-owned models"),
        rec.share("space_listing_unclassified_share", kind[ow.UNCLASSIFIED], "Share of Space uses, owner unclassified"),
        rec.share("space_owner_top5", own[5], "Share of Space uses held by the 5 most used owners"),
    ]
