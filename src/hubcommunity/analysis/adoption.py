"""Model adoption: spaces that use a model, and models that build on a model.

Two measures, never mixed:

*Space adoption* (the paper's measure; Osborne, Ding & Kirk 2024, RQ3, and
their ``hf-spaces-dependencies.py``): a model's adoption is the number of
distinct spaces that declare it (``ModelInfo.spaces``, or in bulk the
``models`` field of ``list_spaces(expand=["models"])``), i.e. rows of the
tidy ``space_models`` table. Needs a snapshot with spaces.

*Derivation adoption* (this book's substitute on captures without spaces,
METHODS.md RQ3 "Decisions"): a model's adoption is the number of distinct
models that declare it as their ``base_model`` (tidy ``base_models`` table),
in total and split by relation (fine-tune, adapter, quantized, merge,
unspecified). It measures reuse by model builders, not use by applications.

Population (a *decision*, stated in the book): every adoption table has one
row per model **listed** in the snapshot (zero adoption included), plus one
row per adopted id that the listing does not hold (``listed`` False: deleted,
private, renamed or mistyped ids), so the total adoption is never silently
reduced. Concentration is reported for two populations: ``all`` (every row)
and ``adopted`` (rows with adoption of at least 1).

Base-model ids in ``base_model:`` tags are free text written by model owners.
:func:`resolve_model_ids` maps them onto listed ids in three documented steps
(exact; case-insensitive, because the Hub resolves ids case-insensitively;
legacy un-prefixed ids of the models the Hub moved under organisations in
2024, e.g. ``gpt2`` -> ``openai-community/gpt2``), and counts what stays
unresolved.

All functions are pure (DataFrames in, DataFrames/dicts out). Inequality
measures come from :mod:`hubcommunity.analysis.distributions`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from hubcommunity.analysis import distributions as dist
from hubcommunity.analysis.owners import kind_of, owner_of
from hubcommunity.analysis.subfields import SUBFIELDS, subfield_of

__all__ = [
    "RELATIONS",
    "DECLARED_RELATIONS",
    "LEGACY_ORGS",
    "snapshots_in",
    "select_snapshot",
    "listed_models",
    "space_adoption",
    "resolve_model_ids",
    "infer_relations",
    "derivation_edges",
    "derivation_adoption",
    "resolution_summary",
    "concentration",
    "concentration_table",
    "subfield_concentration",
    "top_adopted",
    "popularity_correlations",
    "adoption_residuals",
    "popular_unadopted",
    "adoption_ccdfs",
    "count_for_share",
]

#: Relations of a model to its base model (tidy ``base_models.relation``).
RELATIONS = ("finetune", "adapter", "quantized", "merge", "unspecified")

#: The relations a model card can declare (all but ``unspecified``).
DECLARED_RELATIONS = RELATIONS[:-1]

#: Organisations that received the Hub's formerly un-prefixed ("canonical")
#: models in its 2024 migration (``bert-base-uncased`` ->
#: ``google-bert/bert-base-uncased``, ``gpt2`` -> ``openai-community/gpt2``,
#: ``roberta-base`` -> ``FacebookAI/roberta-base``, ``t5-small`` ->
#: ``google-t5/t5-small``, ``distilgpt2`` -> ``distilbert/distilgpt2``,
#: ``camembert-base`` -> ``almanach/camembert-base`` ...). The Hub still
#: redirects the old ids; tags written before the move keep them.
LEGACY_ORGS = (
    "google-bert",
    "FacebookAI",
    "openai-community",
    "distilbert",
    "google-t5",
    "albert",
    "xlnet",
    "almanach",
    "transfo-xl",
)

# Tags and libraries that mark a derived model's relation when the card does
# not declare one (see infer_relations).
_ADAPTER_TAGS = frozenset({"peft", "lora"})
_ADAPTER_LIBRARIES = frozenset({"peft", "adapter-transformers"})
_MERGE_TAGS = frozenset({"merge", "mergekit", "lazymergekit"})
_QUANTIZED_TAGS = frozenset(
    {"gguf", "gptq", "awq", "exl2", "quantized", "bitsandbytes", "2-bit", "3-bit", "4-bit", "5-bit", "6-bit", "8-bit"}
)
_QUANTIZED_LIBRARIES = frozenset({"gguf", "llama.cpp"})


# --------------------------------------------------------------------------- snapshots


def snapshots_in(table: pd.DataFrame) -> list[str]:
    """Sorted snapshot names present in a tidy table (its ``snapshot`` column)."""
    if table.empty or "snapshot" not in table.columns:
        return []
    return sorted(table["snapshot"].dropna().astype(str).unique())


def select_snapshot(table: pd.DataFrame, snapshot: str | None, what: str = "table") -> pd.DataFrame:
    """Rows of ``table`` from one snapshot.

    With ``snapshot=None`` the table must hold at most one snapshot (else
    ``ValueError`` listing them, so that two captures are never pooled by
    accident). A table without a ``snapshot`` column is returned as is.
    """
    if "snapshot" not in table.columns:
        return table
    names = snapshots_in(table)
    if snapshot is None:
        if len(names) > 1:
            raise ValueError(f"{what} holds several snapshots {names}; pass snapshot=... to choose one")
        return table
    if snapshot not in names and not table.empty:
        raise ValueError(f"{what} has no rows from snapshot {snapshot!r} (it has {names})")
    return table[table["snapshot"] == snapshot]


def listed_models(repos: pd.DataFrame, snapshot: str | None = None) -> pd.DataFrame:
    """The model rows of a ``repos`` table: ``model_id, owner, likes, downloads, pipeline_tag``.

    Owner is ``repos.owner`` where present, else the id's prefix. Duplicate
    ids raise ``ValueError`` (a listing holds each model once).
    """
    repos = select_snapshot(repos, snapshot, "repos")
    models = repos[repos["repo_type"] == "model"]
    out = pd.DataFrame(
        {
            "model_id": models["repo_id"].astype("string"),
            "owner": (models["owner"] if "owner" in models else owner_of(models["repo_id"])).astype("string"),
            "likes": models["likes"].astype("Int64"),
            "downloads": models["downloads"].astype("Int64"),
            "pipeline_tag": models["pipeline_tag"].astype("string"),
        }
    ).reset_index(drop=True)
    _fill_owner(out)
    dup = out["model_id"].duplicated()
    if dup.any():
        raise ValueError(f"repos: model id {out.loc[dup, 'model_id'].iloc[0]!r} is listed more than once")
    return out


def _fill_owner(frame: pd.DataFrame) -> None:
    """Fill missing ``owner`` values in place from the ``model_id`` prefix."""
    missing = frame["owner"].isna()
    if missing.any():
        frame.loc[missing, "owner"] = owner_of(frame.loc[missing, "model_id"])


def _with_unlisted(counts: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Outer-join per-model counts onto the listed models (zeros for unadopted)."""
    out = models.merge(counts, on="model_id", how="outer", indicator=True)
    out["listed"] = (out.pop("_merge") != "right_only").astype(bool)
    _fill_owner(out)
    count_cols = [c for c in counts.columns if c != "model_id"]
    out[count_cols] = out[count_cols].fillna(0).astype("int64")
    return out.sort_values(["adoption", "model_id"], ascending=[False, True]).reset_index(drop=True)


# --------------------------------------------------------------------------- space adoption


def space_adoption(space_models: pd.DataFrame, repos: pd.DataFrame, snapshot: str | None = None) -> pd.DataFrame:
    """Spaces per model: the paper's adoption measure.

    Inputs: tidy ``space_models`` (``space_id, model_id``) and ``repos``; with
    several snapshots, ``snapshot`` picks one (both tables are filtered to it).
    A space that names a model twice counts once.

    Output: one row per listed model plus one per used-but-unlisted model id,
    columns ``model_id, owner, likes, downloads, pipeline_tag, adoption``
    (distinct spaces, int), ``listed`` (bool); sorted by adoption descending.
    """
    if snapshot is None and snapshots_in(space_models):
        snapshot = select_snapshot(space_models, None, "space_models")["snapshot"].iloc[0]
    edges = select_snapshot(space_models, snapshot, "space_models")
    edges = edges.dropna(subset=["space_id", "model_id"]).drop_duplicates(["space_id", "model_id"])
    counts = edges.groupby("model_id").size().rename("adoption").reset_index()
    counts["model_id"] = counts["model_id"].astype("string")
    models = listed_models(repos, snapshot if snapshots_in(repos) else None)
    return _with_unlisted(counts, models)


# --------------------------------------------------------------------------- derivation adoption


def resolve_model_ids(raw_ids: pd.Series, listed_ids: pd.Series, legacy_orgs=LEGACY_ORGS) -> pd.DataFrame:
    """Map free-text model ids (e.g. from ``base_model:`` tags) onto listed ids.

    Steps, first match wins:

    1. ``exact``: the id is listed;
    2. ``case``: exactly one listed id equals it ignoring case (the Hub
       resolves ids case-insensitively);
    3. ``legacy``: an un-prefixed id ``name`` and exactly one ``org/name``
       listed with ``org`` in ``legacy_orgs`` (the 2024 move of canonical
       models; see :data:`LEGACY_ORGS`);
    4. ``unresolved``: kept as written (``model_id`` = the raw id).

    Returns one row per distinct raw id: ``raw_id``, ``model_id`` and
    ``resolution`` (one of the four step names).
    """
    raw = pd.Series(pd.unique(raw_ids.dropna().astype(str)), dtype="object")
    listed = pd.Series(pd.unique(listed_ids.dropna().astype(str)), dtype="object")
    listed_set = set(listed)
    by_lower: dict[str, str] = {}
    if not raw.isin(listed_set).all():  # only build the case-folded index when needed
        lower = listed.str.lower()
        unique_lower = lower[~lower.duplicated(keep=False)]
        by_lower = dict(zip(unique_lower, listed[unique_lower.index]))
    model_ids, how = [], []
    for rid in raw:
        if rid in listed_set:
            model_ids.append(rid), how.append("exact")
            continue
        if rid.lower() in by_lower:
            model_ids.append(by_lower[rid.lower()]), how.append("case")
            continue
        legacy = [f"{org}/{rid}" for org in legacy_orgs if f"{org}/{rid}" in listed_set] if "/" not in rid else []
        if len(legacy) == 1:
            model_ids.append(legacy[0]), how.append("legacy")
        else:
            model_ids.append(rid), how.append("unresolved")
    return pd.DataFrame(
        {"raw_id": raw.astype("string"), "model_id": pd.Series(model_ids, dtype="string"), "resolution": how}
    )


def infer_relations(base_models: pd.DataFrame, repos: pd.DataFrame) -> pd.DataFrame:
    """Fill ``unspecified`` relations from the derived model's tags, as the Hub does.

    The Hub infers a missing ``base_model_relation`` from the repository
    (Hugging Face Hub docs, "Model cards: specifying a base model"); captures
    from before mid-2024 have only bare ``base_model:`` tags, so every relation
    is ``unspecified``. *Decision*: infer, for those rows only, in this order:

    - ``adapter``: library ``peft``/``adapter-transformers`` or tag ``peft``/``lora``;
    - ``merge``: tag ``merge``/``mergekit``/``lazymergekit``, or the model names
      more than one base model;
    - ``quantized``: tag ``gguf``/``gptq``/``awq``/``exl2``/``quantized``/
      ``bitsandbytes``/``N-bit`` or library ``gguf``/``llama.cpp``;
    - ``finetune``: anything else (the Hub's default).

    Input: tidy ``base_models`` and ``repos`` (``tags``, ``library``).
    Output: ``base_models`` with ``relation`` filled and ``relation_source``
    (``declared`` where the card said so, ``inferred`` otherwise).
    """
    out = base_models.copy()
    declared = out["relation"].isin(DECLARED_RELATIONS)
    out["relation_source"] = np.where(declared, "declared", "inferred")
    todo = ~declared
    if not todo.any():
        return out
    ids = out.loc[todo, "model_id"]
    wanted = (repos["repo_type"] == "model") & repos["repo_id"].isin(ids.unique())
    models = repos[wanted].drop_duplicates("repo_id").set_index("repo_id")
    tag_long = models["tags"].explode().astype("string")  # one row per (model, tag); index = model id

    def has_tag(tagset: frozenset) -> pd.Series:
        hit = tag_long.isin(tagset).groupby(level=0).any()
        return ids.map(hit).fillna(False).astype(bool)

    lib = ids.map(models["library"].astype("string")).astype("string")
    n_bases = out.groupby("model_id")["base_model_id"].nunique()
    is_adapter = lib.isin(_ADAPTER_LIBRARIES).fillna(False).astype(bool) | has_tag(_ADAPTER_TAGS)
    is_merge = has_tag(_MERGE_TAGS) | (ids.map(n_bases) > 1)
    is_quant = lib.isin(_QUANTIZED_LIBRARIES).fillna(False).astype(bool) | has_tag(_QUANTIZED_TAGS)
    rel = np.select(
        [is_adapter.to_numpy(bool), is_merge.to_numpy(bool), is_quant.to_numpy(bool)],
        ["adapter", "merge", "quantized"],
        default="finetune",
    )
    out.loc[todo, "relation"] = rel
    return out


def derivation_edges(
    base_models: pd.DataFrame,
    repos: pd.DataFrame,
    snapshot: str | None = None,
    *,
    resolve: bool = True,
    infer: bool = True,
) -> pd.DataFrame:
    """One row per (derived model, base model) pair, ids resolved, relation chosen.

    Steps: pick the snapshot; resolve ``base_model_id`` onto listed ids
    (:func:`resolve_model_ids`, unless ``resolve`` is False); optionally
    infer unspecified relations (:func:`infer_relations`); drop self-references
    (a model naming itself); keep one row per pair, with the declared relation
    if any row of the pair declares one (first in :data:`RELATIONS` order if
    several do).

    Output columns: ``model_id, base_model_id, raw_base_model_id, resolution,
    relation, relation_source, self_reference`` (self-references are kept,
    flagged, so they can be counted; :func:`derivation_adoption` skips them).
    """
    if snapshot is None and snapshots_in(base_models):
        snapshot = select_snapshot(base_models, None, "base_models")["snapshot"].iloc[0]
    edges = select_snapshot(base_models, snapshot, "base_models")
    repos = select_snapshot(repos, snapshot, "repos") if snapshots_in(repos) else repos
    edges = edges[["model_id", "base_model_id", "relation"]].dropna(subset=["model_id", "base_model_id"]).copy()
    edges["relation"] = edges["relation"].astype("string").fillna("unspecified")
    bad = ~edges["relation"].isin(RELATIONS)
    if bad.any():
        row = edges[bad].iloc[0]
        raise ValueError(f"base_models: unknown relation {row['relation']!r} for {row['model_id']} -> {row['base_model_id']}")
    edges["raw_base_model_id"] = edges["base_model_id"].astype("string")
    if resolve:
        listed = repos.loc[repos["repo_type"] == "model", "repo_id"]
        mapping = resolve_model_ids(edges["raw_base_model_id"], listed).set_index("raw_id")
        edges["base_model_id"] = edges["raw_base_model_id"].map(mapping["model_id"]).astype("string")
        edges["resolution"] = edges["raw_base_model_id"].map(mapping["resolution"])
    else:
        edges["resolution"] = "not attempted"
    if infer:
        edges = infer_relations(edges, repos)
    else:
        edges["relation_source"] = np.where(edges["relation"].isin(DECLARED_RELATIONS), "declared", "none")
    order = {r: i for i, r in enumerate(RELATIONS)}
    declared_first = edges.assign(
        _declared=(edges["relation_source"] != "declared").astype(int), _order=edges["relation"].map(order)
    )
    edges = (
        declared_first.sort_values(["_declared", "_order"], kind="stable")
        .drop_duplicates(["model_id", "base_model_id"])
        .drop(columns=["_declared", "_order"])
    )
    edges["self_reference"] = (edges["model_id"] == edges["base_model_id"]).astype(bool)
    cols = ["model_id", "base_model_id", "raw_base_model_id", "resolution", "relation", "relation_source", "self_reference"]
    return edges[cols].sort_values(["base_model_id", "model_id"]).reset_index(drop=True)


def derivation_adoption(edges: pd.DataFrame, repos: pd.DataFrame, snapshot: str | None = None) -> pd.DataFrame:
    """Models derived from each model: total and per relation.

    Input: :func:`derivation_edges` output and ``repos``. Self-references are
    skipped. Output: one row per listed model plus one per base id the
    listing does not hold, columns ``model_id, owner, likes, downloads,
    pipeline_tag``, ``adoption`` (distinct derived models), one count column
    per relation in :data:`RELATIONS` (they sum to ``adoption``), ``listed``;
    sorted by adoption descending.
    """
    kept = edges[~edges["self_reference"]]
    counts = (
        kept.groupby(["base_model_id", "relation"]).size().unstack("relation", fill_value=0)
        .reindex(columns=list(RELATIONS), fill_value=0)
    )
    counts.columns = list(counts.columns)
    counts.insert(0, "adoption", counts.sum(axis=1))
    counts = counts.rename_axis("model_id").reset_index()
    counts["model_id"] = counts["model_id"].astype("string")
    models = listed_models(repos, snapshot if snapshots_in(repos) else None)
    return _with_unlisted(counts, models)


def resolution_summary(edges: pd.DataFrame) -> dict:
    """Counts describing how base-model ids were resolved (for the book's prose).

    Keys: ``pairs`` (derived/base pairs, self-references included),
    ``self_references``, ``derived_models`` (distinct models naming a base),
    ``pairs_<step>`` and ``share_<step>`` for each resolution step,
    ``unresolved_ids`` (distinct unresolved base ids), ``inferred_relations``
    (pairs whose relation was inferred, not declared).
    """
    n = len(edges)
    out = {
        "pairs": n,
        "self_references": int(edges["self_reference"].sum()),
        "derived_models": int(edges["model_id"].nunique()),
        "unresolved_ids": int(edges.loc[edges["resolution"] == "unresolved", "base_model_id"].nunique()),
        "inferred_relations": int((edges["relation_source"] == "inferred").sum()),
    }
    for step in ("exact", "case", "legacy", "unresolved"):
        k = int((edges["resolution"] == step).sum())
        out[f"pairs_{step}"] = k
        out[f"share_{step}"] = k / n if n else math.nan
    return out


# --------------------------------------------------------------------------- statistics


def concentration(values) -> dict:
    """Concentration of an adoption count over units (models or owners).

    Keys: ``n`` (units), ``total`` (sum), ``n_adopted`` and ``share_adopted``
    (units with count >= 1), ``max``, ``top1_share``, ``top10_share`` (share
    of the total held by the top 1% / 10% of units), ``gini``, ``hhi`` (0-1
    scale). Computed with :mod:`hubcommunity.analysis.distributions`.
    """
    x = dist.as_values(values)
    n = int(x.size)
    adopted = int((x > 0).sum())
    return {
        "n": n,
        "total": int(x.sum()),
        "n_adopted": adopted,
        "share_adopted": adopted / n if n else math.nan,
        "max": int(x.max()) if n else 0,
        "top1_share": dist.top_share(x, 0.01),
        "top10_share": dist.top_share(x, 0.10),
        "gini": dist.gini(x),
        "hhi": dist.hhi(x),
    }


def count_for_share(values, share: float = 0.5) -> int:
    """Fewest units whose counts together reach ``share`` (0-1] of the total.

    E.g. ``count_for_share(adoption, 0.5)``: how many of the most adopted
    models hold half of all adoption. The largest values are taken first.
    Returns 0 when the total is 0.
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    x = np.sort(dist.as_values(values))[::-1]
    total = x.sum()
    if total == 0:
        return 0
    cumulative = np.cumsum(x) / total
    return int(np.searchsorted(cumulative, share - 1e-12) + 1)


def concentration_table(adoption: pd.DataFrame, columns=("adoption",)) -> pd.DataFrame:
    """:func:`concentration` for each count column, over both populations.

    Output: one row per (``measure`` = column, ``population`` = ``all`` |
    ``adopted``) with the :func:`concentration` keys as columns. ``adopted``
    keeps only rows where that column is >= 1.
    """
    rows = []
    for col in columns:
        for population, values in (("all", adoption[col]), ("adopted", adoption.loc[adoption[col] > 0, col])):
            rows.append({"measure": col, "population": population, **concentration(values)})
    return pd.DataFrame(rows)


def subfield_concentration(adoption: pd.DataFrame, column: str = "adoption", mapping=None) -> pd.DataFrame:
    """Adoption by the paper's subfields (CV, NLP, multimodal) of the *adopted* model.

    The subfield comes from the model's ``pipeline_tag``
    (:func:`hubcommunity.analysis.subfields.subfield_of`); models outside the
    lists (or unlisted, with no tag) form ``other``. Output: one row per
    subfield in the order ``cv, nlp, multimodal, other`` with ``models``,
    ``adoption`` (sum), ``share_of_adoption`` (of the grand total) and the
    :func:`concentration` keys computed within the subfield over its adopted
    models (``population`` = adopted).
    """
    sub = subfield_of(adoption["pipeline_tag"].astype("object"), mapping).fillna("other")
    total = adoption[column].sum()
    rows = []
    for name in (*SUBFIELDS, "other"):
        part = adoption.loc[sub == name, column]
        conc = concentration(part[part > 0])
        rows.append(
            {
                "subfield": name,
                "models": int(part.size),
                "adoption": int(part.sum()),
                "share_of_adoption": float(part.sum() / total) if total else math.nan,
                **{f"adopted_{k}" if k in ("n", "total") else k: v for k, v in conc.items()},
            }
        )
    return pd.DataFrame(rows)


def top_adopted(adoption: pd.DataFrame, n: int = 20, column: str = "adoption", kinds: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``n`` most adopted models (ties broken by id), with owner and popularity.

    Output columns: ``rank, model_id, owner``, ``kind`` (if ``kinds`` given,
    see :func:`hubcommunity.analysis.owners.kind_of`), ``column``,
    ``share`` (of the total of ``column``), ``downloads, likes, listed``, plus
    the relation columns when present.
    """
    top = adoption.sort_values([column, "model_id"], ascending=[False, True]).head(n).copy()
    total = adoption[column].sum()
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    top["share"] = top[column] / total if total else math.nan
    cols = ["rank", "model_id", "owner"]
    if kinds is not None:
        top["kind"] = kind_of(top["owner"], kinds)
        cols.append("kind")
    cols += [column, "share", "downloads", "likes", "listed"]
    cols += [r for r in RELATIONS if r in top.columns and r != column]
    return top[cols].reset_index(drop=True)


def popularity_correlations(adoption: pd.DataFrame, column: str = "adoption") -> pd.DataFrame:
    """Spearman rank correlation of adoption with ``downloads`` and ``likes``.

    Computed over listed models with the popularity value known, for both
    populations (``all``; ``adopted`` = adoption >= 1). Output rows
    ``(population, variable)`` with ``n``, ``rho``, ``p`` (scipy's
    ``spearmanr``, two-sided).
    """
    rows = []
    listed = adoption[adoption["listed"]]
    for population, frame in (("all", listed), ("adopted", listed[listed[column] > 0])):
        for var in ("downloads", "likes"):
            pair = frame[[column, var]].dropna()
            if len(pair) < 3:
                rho, p = math.nan, math.nan
            else:
                res = stats.spearmanr(pair[column].to_numpy(float), pair[var].to_numpy(float))
                rho, p = float(res.statistic), float(res.pvalue)
            rows.append({"population": population, "variable": var, "n": len(pair), "rho": rho, "p": p})
    return pd.DataFrame(rows)


def adoption_residuals(
    adoption: pd.DataFrame, column: str = "adoption", predictor: str = "downloads", population: str = "adopted"
) -> tuple[pd.DataFrame, dict]:
    """Adoption against what popularity predicts: a log-log least-squares fit.

    Method (*decision*): over listed models with ``predictor`` known (and,
    with ``population="adopted"``, the default, adoption of at least 1), fit
    ``log10(1 + adoption) = a + b * log10(1 + predictor)`` by ordinary least
    squares (the ``+1`` keeps zeros). The residual, in log10 units, says how
    many orders of magnitude a model's adoption lies above (positive) or
    below (negative) the fitted line; ``ratio = 10**residual`` is the factor
    on ``1 + adoption``. The default population is the adopted models
    because over all models the fit is dominated by the many never-adopted,
    rarely downloaded ones (slope near 0); the models that nobody builds on
    despite many downloads are listed by :func:`popular_unadopted` instead.

    Returns ``(frame, fit)``: the input rows used, with ``predicted``
    (``10**fitted - 1``, adoption units), ``residual`` and ``ratio`` columns,
    sorted by residual descending; and ``fit = {"intercept", "slope",
    "r2", "n"}``.
    """
    if population not in ("all", "adopted"):
        raise ValueError(f"population must be 'all' or 'adopted', got {population!r}")
    frame = adoption[adoption["listed"]].dropna(subset=[predictor])
    if population == "adopted":
        frame = frame[frame[column] > 0]
    frame = frame.copy()
    x = np.log10(1.0 + frame[predictor].to_numpy(float))
    y = np.log10(1.0 + frame[column].to_numpy(float))
    if len(frame) < 2 or np.ptp(x) == 0:
        raise ValueError(f"adoption_residuals: need at least two distinct {predictor} values")
    slope, intercept = np.polyfit(x, y, 1)
    fitted = intercept + slope * x
    resid = y - fitted
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot else math.nan
    frame["predicted"] = 10.0**fitted - 1.0
    frame["residual"] = resid
    frame["ratio"] = 10.0**resid
    frame = frame.sort_values(["residual", "model_id"], ascending=[False, True]).reset_index(drop=True)
    return frame, {"intercept": float(intercept), "slope": float(slope), "r2": r2, "n": int(len(frame))}


def popular_unadopted(adoption: pd.DataFrame, n: int = 10, column: str = "adoption", by: str = "downloads") -> pd.DataFrame:
    """The ``n`` listed models with the highest ``by`` (downloads) and adoption 0.

    Output columns: ``rank, model_id, owner, downloads, likes, pipeline_tag``
    (ties broken by id).
    """
    zero = adoption[adoption["listed"] & (adoption[column] == 0)].dropna(subset=[by])
    top = zero.sort_values([by, "model_id"], ascending=[False, True]).head(n).copy()
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    return top[["rank", "model_id", "owner", "downloads", "likes", "pipeline_tag"]].reset_index(drop=True)


def adoption_ccdfs(frames: dict[str, pd.Series], max_points: int | None = 200) -> pd.DataFrame:
    """Long table of CCDFs for plotting: ``series, x, ccdf, n``.

    ``frames`` maps a series label (e.g. "spaces", "derivation: adapter") to
    a Series of counts over the whole population (zeros included, so each
    curve starts at the share of units with x >= 1). Each curve is
    :func:`hubcommunity.analysis.distributions.ccdf` thinned to about
    ``max_points`` points; ``n`` is the population size. Series with no
    positive value contribute no rows.
    """
    parts = []
    for label, values in frames.items():
        curve = dist.ccdf(values, max_points=max_points)
        curve.insert(0, "series", label)
        curve["n"] = int(dist.as_values(values).size)
        parts.append(curve)
    if not parts:
        return pd.DataFrame(columns=["series", "x", "ccdf", "n"])
    return pd.concat(parts, ignore_index=True)
