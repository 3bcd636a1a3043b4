"""RQ3's tables and headline numbers, from the adoption frames of :mod:`~hubcommunity.analysis.adoption`.

Pure functions behind ``book/rq3_adoption.md`` (Osborne, Ding & Kirk 2024, RQ3:
how adoption of models is distributed, and who makes the most adopted ones).
Inputs are the frames the chapter already has -- derivation ``edges``
(:func:`~hubcommunity.analysis.adoption.derivation_edges`), per-model adoption
``deriv`` (:func:`~hubcommunity.analysis.adoption.derivation_adoption`; columns
``model_id, owner, adoption``, one per relation, ``downloads, likes, listed``),
concentration tables, owner kinds (``data/owner_kinds.csv`` as loaded by
:func:`~hubcommunity.analysis.owners.load_owner_kinds`). Outputs are the frames
the chapter shows and its headline numbers as records
(:mod:`hubcommunity.analysis.records`). Shares are fractions in [0, 1];
adoption counts are numbers of derived models (or of Spaces). No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hubcommunity.analysis import owners as ow
from hubcommunity.analysis import records as rec
from hubcommunity.analysis.adoption import DECLARED_RELATIONS, concentration, count_for_share, snapshots_in

__all__ = [
    "REFERENCE_LISTING",
    "derivation_snapshot",
    "spaces_snapshot",
    "snapshot_records",
    "derivation_data_records",
    "concentration_records",
    "concentration_shown",
    "fit_records",
    "adoption_curves",
    "top_model_records",
    "owner_records",
    "top_owners_table",
    "with_measure",
    "subfield_records",
    "popularity_records",
    "residual_outliers",
    "label_outliers",
    "space_records",
]

#: The listing derivation adoption is measured on when a build has it.
REFERENCE_LISTING = "hub-lists-2024-07"


def derivation_snapshot(base_models: pd.DataFrame, preferred: str = REFERENCE_LISTING) -> str:
    """The snapshot whose base-model links are counted: ``preferred`` if ``base_models`` has it,
    else the last snapshot (by name) with links. Raises ``ValueError`` when there are none."""
    snaps = snapshots_in(base_models)
    if not snaps:
        raise ValueError("no snapshot has base-model links (the base_models table is empty)")
    return preferred if preferred in snaps else snaps[-1]


def spaces_snapshot(snapshots: pd.DataFrame, space_models: pd.DataFrame) -> str | None:
    """The latest (by capture time) snapshot with a ``spaces`` stream and space-to-model links, or None."""
    caps = snapshots[snapshots["snapshot"].isin(snapshots_in(space_models)) & (snapshots["stream"] == "spaces")]
    return caps.sort_values("captured_at")["snapshot"].iloc[-1] if len(caps) else None


def snapshot_records(snapshots: pd.DataFrame, deriv_snapshot: str) -> list[dict]:
    """Texts naming the derivation snapshot and the capture date (``YYYY-MM-DD``) of its model listing."""
    captured = snapshots.set_index(["snapshot", "stream"])["captured_at"]
    return [
        rec.text("deriv_snapshot", deriv_snapshot, "Snapshot used for derivation adoption"),
        rec.text("deriv_captured", captured[(deriv_snapshot, "models")].strftime("%Y-%m-%d"),
                 "Capture date of the model listing used for derivation adoption"),
    ]


def derivation_data_records(edges: pd.DataFrame, deriv: pd.DataFrame, summary: Mapping) -> list[dict]:
    """What the base-model tags give: listed models, declared pairs, how base ids were resolved,
    self-references, inferred relations and the share of (non-self) pairs per relation.

    ``summary``: :func:`~hubcommunity.analysis.adoption.resolution_summary` of ``edges``.
    """
    rs, n_listed = summary, int(deriv["listed"].sum())
    kept = edges[~edges["self_reference"]]
    out = [
        rec.count("n_models", n_listed, "models", "Models in the listing"),
        rec.count("n_pairs", rs["pairs"], "pairs", "Distinct (model, base model) pairs declared"),
        rec.count("n_derived", rs["derived_models"], "models", "Models that declare at least one base model"),
        rec.share("derived_share", rs["derived_models"] / n_listed, "Share of listed models that declare a base model"),
        rec.share("resolved_exact_share", rs["share_exact"], "Pairs whose base id is listed exactly as written"),
        rec.count("n_resolved_case", rs["pairs_case"], "pairs", "Pairs resolved ignoring case"),
        rec.count("n_resolved_legacy", rs["pairs_legacy"], "pairs", "Pairs resolved from a legacy un-prefixed id"),
        rec.share("resolved_legacy_share", rs["share_legacy"], "Share of pairs resolved from a legacy un-prefixed id"),
        rec.count("n_unresolved", rs["pairs_unresolved"], "pairs", "Pairs whose base id is not in the listing"),
        rec.share("unresolved_share", rs["share_unresolved"], "Share of pairs whose base id is not in the listing"),
        rec.count("n_unresolved_ids", rs["unresolved_ids"], "ids", "Distinct base ids not in the listing"),
        rec.count("n_self", rs["self_references"], "models", "Models that name themselves as base (skipped)"),
        rec.share("inferred_share", rs["inferred_relations"] / rs["pairs"], "Share of pairs whose relation was inferred"),
    ]
    return out + [rec.share(f"rel_{r}_share", (kept["relation"] == r).mean(), f"Share of derivation pairs with relation {r}")
                  for r in DECLARED_RELATIONS]


def _row(conc: pd.DataFrame, population: str, measure: str = "adoption") -> pd.Series:
    return conc.set_index(["measure", "population"]).loc[measure].loc[population]


def concentration_records(conc: pd.DataFrame, deriv: pd.DataFrame) -> list[dict]:
    """How concentrated derivation adoption is: adopted models, total, top-1%/10% shares, Gini
    (all and adopted models), HHI, the fewest models holding half, the maximum and the top model.

    ``conc``: :func:`~hubcommunity.analysis.adoption.concentration_table` of ``deriv``;
    ``deriv`` sorted by adoption, most adopted first (as ``derivation_adoption`` returns it).
    """
    c_all, c_ad = _row(conc, "all"), _row(conc, "adopted")
    half = count_for_share(deriv["adoption"], 0.5)
    return [
        rec.count("n_adopted", c_all["n_adopted"], "models", "Models used as a base by at least one model"),
        rec.share("adopted_share", c_all["share_adopted"], "Share of listed models used as a base at least once",
                  "{:.2%}"),
        rec.count("total_adoption", c_all["total"], "derivations",
                  "Derivations counted (pairs, self-references skipped)"),
        rec.share("top1_share_all", c_all["top1_share"], "Share of derivations held by the top 1% of all models"),
        rec.share("top1_share_adopted", c_ad["top1_share"], "Share of derivations held by the top 1% of adopted models"),
        rec.share("top10_share_adopted", c_ad["top10_share"],
                  "Share of derivations held by the top 10% of adopted models"),
        rec.number("gini_adopted", c_ad["gini"], "Gini", "Gini of derivation counts over adopted models", "{:.2f}"),
        rec.number("gini_all", c_all["gini"], "Gini", "Gini of derivation counts over all models", "{:.3f}"),
        rec.number("hhi", c_all["hhi"], "HHI (0-1)", "Herfindahl-Hirschman index of derivation shares", "{:.4f}"),
        rec.count("models_for_half", half, "models", "Most-derived models that together hold half of all derivations"),
        rec.share("models_for_half_share", half / c_all["n_adopted"], "Those models as a share of adopted models"),
        rec.count("max_adoption", c_all["max"], "models", "Derivations of the most derived model"),
        rec.text("top_model", deriv["model_id"].iloc[0], "The most derived-from model"),
    ]


def concentration_shown(conc: pd.DataFrame) -> pd.DataFrame:
    """The concentration table as shown: ``measure`` renamed ``derivation``, the displayed columns."""
    return conc.rename(columns={"measure": "derivation"})[
        ["derivation", "population", "n", "n_adopted", "total", "max", "top1_share", "top10_share", "gini", "hhi"]]


def fit_records(fit: Mapping) -> list[dict]:
    """Power-law fit of derivation counts (``fit``: :func:`~hubcommunity.analysis.fitting.fit_variable`):
    exponent, tail bound, tail size and the verdict in words."""
    return [
        rec.number("fit_alpha", fit["alpha"], "exponent", "Power-law exponent of derivation counts", "{:.2f}"),
        rec.count("fit_xmin", fit["xmin"], "derivations", "Lower bound of the power-law tail"),
        rec.count("fit_ntail", fit["n_tail"], "models", "Models in the power-law tail"),
        rec.text("fit_verdict", fit["verdict"], "Power law against the alternatives, in words"),
    ]


def adoption_curves(deriv: pd.DataFrame, space_adoption: pd.DataFrame | None = None) -> dict[str, pd.Series]:
    """Adoption counts per model to draw as CCDFs: ``spaces`` (if given), all derivations, each relation."""
    curves = {} if space_adoption is None else {"spaces": space_adoption["adoption"]}
    curves["derivation: all"] = deriv["adoption"]
    curves.update({f"derivation: {r}": deriv[r] for r in DECLARED_RELATIONS})
    return curves


def top_model_records(top: pd.DataFrame, top100: pd.DataFrame, total: int) -> list[dict]:
    """Who makes the most adopted models (``top``, ``top100``: :func:`~hubcommunity.analysis.adoption.top_adopted`
    with kinds): company-owned models in ``top``, the top 100's company share of their derivations,
    how many of them have a classified owner, and their share of all ``total`` derivations."""
    company = top100["kind"] == "company"
    return [
        rec.count("top20_company", (top["kind"] == "company").sum(), "models", "Of the top 20 models, owned by companies"),
        rec.share("top100_company_share", top100.loc[company, "adoption"].sum() / top100["adoption"].sum(),
                  "Share of the top 100 models' derivations going to company-owned models"),
        rec.share("top100_classified", (top100["kind"] != ow.UNCLASSIFIED).mean(),
                  "Top-100 models whose owner is classified", "{:.0%}"),
        rec.share("top100_share", top100["adoption"].sum() / total, "Share of all derivations held by the top 100 models"),
    ]


def owner_records(deriv: pd.DataFrame, kinds: pd.DataFrame, by_kind: pd.DataFrame,
                  per_owner: pd.DataFrame) -> list[dict]:
    """Derivations by kind of owner and by owner.

    ``by_kind``: :func:`~hubcommunity.analysis.owners.share_by_kind`; ``per_owner``:
    :func:`~hubcommunity.analysis.owners.owner_adoption` (most adopted first). Records:
    share per kind, the share of individuals' derivations that are merges or quantized
    copies, the top 1/5/10 owners' shares, owners with any derivation, the fewest owners
    holding half, the size of the kinds file and the top owner.
    """
    out = [rec.share(f"kind_{row.kind.replace('-', '_')}_share", row.share,
                     f"Share of derivations of models owned by: {row.kind}") for row in by_kind.itertuples()]
    indiv = deriv[ow.kind_of(deriv["owner"], kinds) == "individual"]
    top = ow.top_owner_shares(deriv, ks=(1, 5, 10))
    return out + [
        rec.share("individual_merge_quant_share", indiv[["merge", "quantized"]].sum().sum() / indiv["adoption"].sum(),
                  "Share of derivations of individuals' models that are merges or quantized copies"),
        rec.share("owner_top1_share", top[1], "Share of derivations of the most derived-from owner's models"),
        rec.share("owner_top5_share", top[5], "Share of derivations held by the 5 most derived-from owners"),
        rec.share("owner_top10_share", top[10], "Share of derivations held by the 10 most derived-from owners"),
        rec.count("n_owners_adopted", (per_owner["adoption"] > 0).sum(), "owners",
                  "Owners with at least one derived-from model"),
        rec.count("owners_for_half", count_for_share(per_owner["adoption"], 0.5), "owners",
                  "Fewest owners that together hold half of all derivations"),
        rec.count("n_kinds_file", len(kinds), "owners", "Owners in data/owner_kinds.csv"),
        rec.text("top_owner", per_owner["owner"].iloc[0], "The owner with most derivations"),
    ]


def top_owners_table(per_owner: pd.DataFrame, kinds: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The ``n`` most adopted owners with their kind: ``rank, owner, kind, models_adopted, adoption, share``."""
    return per_owner.head(n).assign(kind=lambda d: ow.kind_of(d["owner"], kinds))[
        ["rank", "owner", "kind", "models_adopted", "adoption", "share"]]


def with_measure(frames: Mapping[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Stack frames of the same columns, each tagged with its ``measure`` (the dict key); None skipped."""
    return pd.concat([f.assign(measure=m) for m, f in frames.items() if f is not None], ignore_index=True)


def subfield_records(sub: pd.DataFrame) -> list[dict]:
    """Per subfield (:func:`~hubcommunity.analysis.adoption.subfield_concentration`): its share of all
    derivations and the top-10% share within it."""
    out = []
    for row in sub.itertuples():
        out += [rec.share(f"sub_{row.subfield}_share", row.share_of_adoption,
                          f"Share of derivations going to {row.subfield} models"),
                rec.share(f"sub_{row.subfield}_top10", row.top10_share,
                          f"Share of {row.subfield} derivations held by the top 10% of adopted {row.subfield} models")]
    return out


def popularity_records(corr: pd.DataFrame, fit: Mapping, unadopted: pd.DataFrame) -> list[dict]:
    """Adoption against popularity: Spearman rho per population and variable (``corr``:
    :func:`~hubcommunity.analysis.adoption.popularity_correlations`), the log-log fit of
    :func:`~hubcommunity.analysis.adoption.adoption_residuals` (slope, R², n) and the most
    downloaded model nobody builds on (``unadopted``: ``popular_unadopted``)."""
    out = [rec.number(f"rho_{r.variable}_{r.population}", r.rho, "Spearman rho",
                      f"Rank correlation of derivations with {r.variable}, {r.population} listed models", "{:.2f}")
           for r in corr.itertuples()]
    return out + [
        rec.number("resid_slope", fit["slope"], "log-log slope",
                   "Slope of log10(1+derivations) on log10(1+downloads), adopted models", "{:.2f}"),
        rec.number("resid_r2", fit["r2"], "R squared", "R squared of that fit", "{:.2f}"),
        rec.count("resid_n", fit["n"], "models", "Adopted listed models in the fit"),
        rec.text("most_downloaded_unadopted", unadopted["model_id"].iloc[0],
                 "The most downloaded model that no model declares as its base"),
    ]


#: Columns of the residual outlier table (after ``direction``).
OUTLIER_COLUMNS = ("model_id", "owner", "adoption", "downloads", "likes", "predicted", "ratio")


def residual_outliers(resid: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` models furthest above the popularity line and the ``n`` furthest below (most extreme
    first), from :func:`~hubcommunity.analysis.adoption.adoption_residuals` (sorted by residual):
    ``direction`` ("more than predicted" / "less than predicted") and :data:`OUTLIER_COLUMNS`."""
    cols = list(OUTLIER_COLUMNS)
    over = resid.head(n)[cols].assign(direction="more than predicted")
    under = resid.tail(n).iloc[::-1][cols].assign(direction="less than predicted")
    return pd.concat([over, under])[["direction", *cols]].reset_index(drop=True)


def label_outliers(points: pd.DataFrame, resid: pd.DataFrame, k: int = 4) -> pd.DataFrame:
    """``points`` with a ``label`` column: the model's name without its owner for the ``k`` models
    furthest above and below the line in ``resid`` (sorted by residual), else ``""``."""
    ids = set(resid["model_id"].head(k)) | set(resid["model_id"].tail(k))
    name = points["model_id"].str.split("/").str[-1]
    return points.assign(label=name.where(points["model_id"].isin(ids), ""))


def space_records(space_models: pd.DataFrame, space_adoption: pd.DataFrame, snapshot: str,
                  kinds: pd.DataFrame) -> list[dict]:
    """The paper's measure, Spaces per model, in ``snapshot``: links, models, share used, top-1% share,
    top-10% share among used models, Gini, the fewest models holding half of all uses, the shares of
    company-owned and unclassified models and the top five owners' share.

    ``space_adoption``: :func:`~hubcommunity.analysis.adoption.space_adoption` for ``snapshot``.
    """
    counts = space_adoption["adoption"]
    sc, sc_ad = concentration(counts), concentration(counts[counts > 0])
    kind = ow.share_by_kind(space_adoption, kinds).set_index("kind")["share"]
    own = ow.top_owner_shares(space_adoption, ks=(5, 10))
    return [
        rec.count("n_space_links", (space_models["snapshot"] == snapshot).sum(), "links",
                  "Space-to-model links in the spaces snapshot"),
        rec.text("space_snapshot", snapshot, "Snapshot used for space adoption"),
        rec.count("space_models_n", sc["n"], "models", "Models in the spaces snapshot"),
        rec.share("space_adopted_share", sc["share_adopted"], "Share of models used by at least one space"),
        rec.share("space_top1_share", sc["top1_share"], "Share of space uses held by the top 1% of models"),
        rec.share("space_top10_adopted", sc_ad["top10_share"], "Share of space uses held by the top 10% of used models"),
        rec.number("space_gini", sc["gini"], "Gini", "Gini of spaces per model over all models", "{:.3f}"),
        rec.count("space_models_for_half", count_for_share(counts, 0.5), "models",
                  "Most-used models that together are used by half of all space uses"),
        rec.share("space_company_share", kind["company"], "Share of space uses of company-owned models"),
        rec.share("space_unclassified_share", kind[ow.UNCLASSIFIED], "Share of space uses, owner unclassified"),
        rec.share("space_owner_top5", own[5], "Share of space uses held by the 5 most used owners"),
    ]
