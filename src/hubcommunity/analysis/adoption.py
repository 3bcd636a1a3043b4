"""Model adoption: Spaces that use a model, and other owners who build on a model.

Two measures, never mixed:

*Space adoption* (the paper's measure; Osborne, Ding & Kirk 2024, RQ3, and
their ``hf-spaces-dependencies.py``): a model's adoption is the number of
distinct Spaces that use it, i.e. rows of the tidy ``space_models`` table.
The links come from one of two directions (``space_models.source``): a
model's own ``spaces`` field (``model.spaces``: what the paper's script read
through ``model_info``; the API lists at most :data:`SPACES_CAP` per model, so
a count at the cap is a lower bound) or a Spaces listing's ``models`` field
(``space.models``; no cap). :func:`space_census` measures the first on the
models of a ``model_details`` capture, :func:`space_adoption` the second on a
listing; :func:`censored_sensitivity` bounds what the cap can change.

*Derivation adoption* (this book's second view): other owners' models that
declare a model as their ``base_model``, read from the resolved
``derivations`` table of the tables stage (:mod:`hubcommunity.derivations`:
one table for the whole book, ids resolved against the listing). Counted per
base model (:func:`derivation_adoption`) as

- ``derivatives``: distinct models by *other* owners naming it (a model
  naming itself is no derivation; a model by the base's own owner is a
  *self-derivation*, counted apart in ``self_derivatives``);
- ``adopters``: distinct other owners among those (one quantizer who uploads
  forty copies is one adopter);
- the same two without the accounts of ``data/mass_producers.csv``
  (``*_excl_mass``);
- ``root_derivatives`` / ``root_adopters``: credit to the *root* of each
  derivative's ``base_model`` chain (:func:`derivation_roots`) instead of its
  immediate parent, so a quantized copy of a fine-tune of Llama 3 counts for
  Llama 3 as well as for the fine-tune's own column.

Population (a *decision*, stated in the book): every adoption table has one
row per model **listed** in the snapshot (zero included), plus one row per
adopted id the listing does not hold (``listed`` False), so totals are never
silently reduced; shares *of listed models* are computed over listed rows only.

All functions are pure (DataFrames in, DataFrames/dicts out). Inequality
measures come from :mod:`hubcommunity.analysis.distributions`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from hubcommunity.analysis import distributions as dist
from hubcommunity.analysis.owners import kind_of, owner_of
from hubcommunity.analysis.subfields import SUBFIELDS, subfield_of
from hubcommunity.derivations import (  # re-exported: one definition, in the tables stage
    DECLARED_RELATIONS,
    LEGACY_ORGS,
    RELATIONS,
    RESOLUTION_STEPS,
    infer_relations,
    resolve_model_ids,
)

__all__ = [
    "RELATIONS",
    "DECLARED_RELATIONS",
    "RESOLUTION_STEPS",
    "LEGACY_ORGS",
    "SPACES_CAP",
    "MODEL_SPACES",
    "SPACE_MODELS",
    "DERIVATION_MEASURES",
    "resolve_model_ids",
    "infer_relations",
    "snapshots_in",
    "select_snapshot",
    "listed_models",
    "space_adoption",
    "space_census",
    "censored_sensitivity",
    "derivation_edges",
    "derivation_roots",
    "derivation_adoption",
    "owner_adopters",
    "resolution_summary",
    "mass_producer_activity",
    "concentration",
    "count_for_share",
    "concentration_table",
    "subfield_concentration",
    "top_adopted",
    "census_comparison",
    "rank_agreement",
    "leader_overlap",
    "popularity_correlations",
    "cohort_correlations",
    "adoption_by_bin",
    "recent_derivatives",
    "popular_unadopted",
    "base_model_prs",
    "adoption_ccdfs",
]

#: Most Spaces the API lists in a model's ``spaces`` field (the model-details-2024-07 capture never exceeds it).
SPACES_CAP = 100

#: ``space_models.source`` of links read from a model's ``spaces`` field (capped).
MODEL_SPACES = "model.spaces"

#: ``space_models.source`` of links read from a Spaces listing's ``models`` field (not capped).
SPACE_MODELS = "space.models"

#: The count columns of :func:`derivation_adoption`, in the order the book shows them.
DERIVATION_MEASURES = ("adopters", "derivatives", "root_adopters", "root_derivatives",
                       "adopters_excl_mass", "derivatives_excl_mass")


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
    """The model rows of a ``repos`` table: ``model_id, owner, likes, downloads, pipeline_tag, created_at``.

    Owner is ``repos.owner`` where present, else the id's prefix. Duplicate
    ids raise ``ValueError`` (a listing holds each model once). ``created_at``
    is NaT where the table lacks it.
    """
    repos = select_snapshot(repos, snapshot, "repos")
    models = repos[repos["repo_type"] == "model"]
    created = models["created_at"] if "created_at" in models else pd.Series(pd.NaT, index=models.index)
    out = pd.DataFrame(
        {
            "model_id": models["repo_id"].astype("string"),
            "owner": (models["owner"] if "owner" in models else owner_of(models["repo_id"])).astype("string"),
            "likes": models["likes"].astype("Int64"),
            "downloads": models["downloads"].astype("Int64"),
            "pipeline_tag": models["pipeline_tag"].astype("string"),
            "created_at": pd.to_datetime(created, utc=True),
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


def _with_unlisted(counts: pd.DataFrame, models: pd.DataFrame, sort_by: str) -> pd.DataFrame:
    """Outer-join per-model counts onto the listed models (zeros for unadopted); ``listed`` flags the rows."""
    count_cols = [c for c in counts.columns if c != "model_id"]
    ids = models["model_id"].to_numpy(dtype=object)  # object arrays: hashing, not per-element arrow access
    count_ids = counts["model_id"].to_numpy(dtype=object)
    pos = pd.Index(count_ids).get_indexer(ids)
    found = pos >= 0
    listed = models.copy()
    for col in count_cols:
        values = counts[col].to_numpy()
        listed[col] = np.where(found, values[np.where(found, pos, 0)] if len(values) else 0, 0).astype("int64")
    listed["listed"] = True
    known = set(ids)
    extra = counts.loc[np.fromiter((i not in known for i in count_ids), dtype=bool, count=len(count_ids))].copy()
    extra["listed"] = False
    for col in models.columns:
        if col not in extra.columns:
            extra[col] = pd.Series(pd.NA, index=extra.index, dtype=models[col].dtype)
    out = pd.concat([listed, extra[listed.columns]], ignore_index=True)
    _fill_owner(out)
    out[count_cols] = out[count_cols].astype("int64")
    out["listed"] = out["listed"].astype(bool)
    # ties keep the listing's order (then unlisted ids in counts' order): stable, no string sort of 760k ids
    return out.sort_values(sort_by, ascending=False, kind="stable", ignore_index=True)


# --------------------------------------------------------------------------- space adoption


def space_adoption(space_models: pd.DataFrame, repos: pd.DataFrame, snapshot: str | None = None,
                   source: str | None = SPACE_MODELS) -> pd.DataFrame:
    """Spaces per listed model from a Spaces listing: the paper's measure, Hub-wide.

    Parameters
    ----------
    space_models, repos : DataFrame
        Tidy tables; with several snapshots, ``snapshot`` picks one (both are
        filtered to it).
    source : str or None
        Keep links of this ``space_models.source`` only (default
        :data:`SPACE_MODELS`, the uncapped listing direction); None keeps all.

    Returns
    -------
    DataFrame
        One row per listed model plus one per used-but-unlisted id:
        ``model_id, owner, likes, downloads, pipeline_tag, created_at``,
        ``spaces`` (distinct Spaces, int; a Space naming a model twice counts
        once) and ``listed``; sorted by ``spaces`` descending.
    """
    edges = space_models
    if source is not None and "source" in edges.columns:
        edges = edges[edges["source"] == source]
    if snapshot is None and snapshots_in(edges):
        snapshot = select_snapshot(edges, None, "space_models")["snapshot"].iloc[0]
    edges = select_snapshot(edges, snapshot, "space_models")
    edges = edges.dropna(subset=["space_id", "model_id"]).drop_duplicates(["space_id", "model_id"])
    per_model = edges.groupby("model_id").size()
    counts = pd.DataFrame({"model_id": pd.Series(per_model.index, dtype="string"),
                           "spaces": per_model.to_numpy(dtype="int64")})
    models = listed_models(repos, snapshot if snapshots_in(repos) else None)
    return _with_unlisted(counts, models, "spaces")


def space_census(model_details: pd.DataFrame, space_models: pd.DataFrame, snapshot: str | None = None,
                 cap: int = SPACES_CAP) -> pd.DataFrame:
    """Spaces per model on the models of a ``model_details`` capture (links of source :data:`MODEL_SPACES`).

    Parameters
    ----------
    model_details : DataFrame
        Tidy ``model_details`` (one row per answered model).
    space_models : DataFrame
        Tidy ``space_models``; only rows of the same snapshot with source
        :data:`MODEL_SPACES` are used.
    snapshot : str, optional
        The details snapshot (needed when ``model_details`` holds several).
    cap : int
        Most Spaces the API lists per model: counts equal to it are censored.

    Returns
    -------
    DataFrame
        One row per answered model: ``model_id, owner, likes, downloads,
        pipeline_tag, n_parameters, n_files``, ``spaces`` (distinct Spaces,
        int, zero included) and ``at_cap`` (``spaces >= cap``: a lower
        bound); sorted by ``spaces`` descending, then id.
    """
    details = select_snapshot(model_details, snapshot, "model_details")
    name = snapshots_in(details)[0] if snapshots_in(details) else None
    links = space_models
    if "source" in links.columns:
        links = links[links["source"] == MODEL_SPACES]
    if name is not None and "snapshot" in links.columns:
        links = links[links["snapshot"] == name]
    counts = links.drop_duplicates(["space_id", "model_id"]).groupby("model_id").size()
    out = pd.DataFrame({
        "model_id": details["repo_id"].astype("string").to_numpy(),
        "owner": details["owner"].astype("string").to_numpy(),
        "likes": details["likes"].astype("Int64").to_numpy(),
        "downloads": details["downloads"].astype("Int64").to_numpy(),
        "pipeline_tag": details["pipeline_tag"].astype("string").to_numpy(),
        "n_parameters": details["n_parameters"].astype("Int64").to_numpy(),
        "n_files": details["n_files"].astype("Int64").to_numpy(),
    })
    _fill_owner(out)
    out["spaces"] = out["model_id"].map(counts).fillna(0).astype("int64")
    out["at_cap"] = (out["spaces"] >= cap).astype(bool)
    return out.sort_values(["spaces", "model_id"], ascending=[False, True]).reset_index(drop=True)


def censored_sensitivity(counts, cap: int = SPACES_CAP, factors: Iterable[float] = (1, 2, 10)) -> pd.DataFrame:
    """How concentration would move if the counts censored at ``cap`` were really ``factor * cap``.

    A count equal to ``cap`` is a lower bound (the API stops listing there).
    For each ``factor`` (1 = as observed), every count ``>= cap`` is replaced
    by ``factor * cap`` and the statistics are recomputed. The share of models
    with at least one Space cannot change; the totals and the shares held by
    the top models can only grow with the factor, so factor 1 gives lower
    bounds for those.

    Returns
    -------
    DataFrame
        One row per factor: ``factor``, ``censored`` (models at the cap),
        ``total`` (uses), ``censored_share`` (of uses held by the censored
        models), ``share_used`` (models with >= 1), ``top1_share``,
        ``top10_share`` (over all models), ``top10_share_used`` (over models
        with >= 1), ``gini`` (all), ``gini_used``.
    """
    x = dist.as_values(counts).astype(float)
    capped = x >= cap
    rows = []
    for factor in factors:
        y = np.where(capped, cap * float(factor), x)
        used = y[y > 0]
        total = float(y.sum())
        rows.append({
            "factor": float(factor),
            "censored": int(capped.sum()),
            "total": total,
            "censored_share": float(y[capped].sum() / total) if total else math.nan,
            "share_used": float((y > 0).mean()) if y.size else math.nan,
            "top1_share": dist.top_share(y, 0.01),
            "top10_share": dist.top_share(y, 0.10),
            "top10_share_used": dist.top_share(used, 0.10),
            "gini": dist.gini(y),
            "gini_used": dist.gini(used),
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- derivation adoption

_EDGE_COLUMNS = ("model_id", "model_owner", "base_model_id", "base_owner", "relation", "self_reference",
                 "self_derivation")


def derivation_edges(derivations: pd.DataFrame, snapshot: str | None = None) -> pd.DataFrame:
    """One snapshot's rows of the resolved ``derivations`` table (tables stage).

    Checks the columns the functions below need (:mod:`hubcommunity.derivations`
    documents them) and returns the rows with a fresh index. With several
    snapshots, ``snapshot`` picks one.
    """
    missing = [c for c in _EDGE_COLUMNS if c not in derivations.columns]
    if missing:
        raise ValueError(f"derivations: missing column(s) {missing}; pass Tables.derivations")
    return select_snapshot(derivations, snapshot, "derivations").reset_index(drop=True)


def derivation_roots(edges: pd.DataFrame) -> pd.DataFrame:
    """The root ancestors of every derived model: follow ``base_model`` chains to models with no base.

    The graph has an edge model -> base for every pair that is not a
    self-reference. A *root* is a model that declares no base of its own
    (including unlisted or unresolved ids, whose bases are unknown). A model
    with several bases (a merge) can have several roots. Cycles are guarded:
    a cycle that leads nowhere else (A names B, B names A) has no model
    without a base, so its members are the roots of everything above it, and
    each member's roots are the *other* members of its cycle. Computed on the
    condensation of the graph (strongly connected components, scipy's
    ``connected_components(connection="strong")``), so each model is visited
    once however long or tangled the chains.

    Parameters
    ----------
    edges : DataFrame
        :func:`derivation_edges` (``model_id``, ``base_model_id``, ``self_reference``).

    Returns
    -------
    DataFrame
        ``model_id, root_id``: one row per (derived model, root), never a
        model with itself. ``attrs["in_cycles"]`` holds the number of models
        that sit on a cycle.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    kept = edges[~edges["self_reference"].astype(bool)]
    codes, ids = pd.factorize(pd.concat([kept["model_id"], kept["base_model_id"]], ignore_index=True).astype(str))
    n, m = len(ids), len(kept)
    src, dst = codes[:m], codes[m:]
    graph = csr_matrix((np.ones(m, dtype=np.int8), (src, dst)), shape=(n, n))
    n_comp, comp = connected_components(graph, directed=True, connection="strong")
    members: list[list[int]] = [[] for _ in range(n_comp)]
    for node, c in enumerate(comp):
        members[c].append(node)
    cs, cd = comp[src], comp[dst]
    between = np.unique(np.stack([cs[cs != cd], cd[cs != cd]], axis=1), axis=0) if m else np.empty((0, 2), int)
    succ: list[list[int]] = [[] for _ in range(n_comp)]
    indeg = np.zeros(n_comp, dtype=np.int64)
    for a, b in between:
        succ[a].append(b)
        indeg[b] += 1
    order, queue = [], [c for c in range(n_comp) if indeg[c] == 0]  # Kahn: derived before their bases
    while queue:
        c = queue.pop()
        order.append(c)
        for b in succ[c]:
            indeg[b] -= 1
            if indeg[b] == 0:
                queue.append(b)
    sinks: list[frozenset] = [frozenset()] * n_comp
    for c in reversed(order):  # bases before the models that name them
        sinks[c] = frozenset((c,)) if not succ[c] else frozenset().union(*(sinks[b] for b in succ[c]))
    has_base = np.zeros(n, dtype=bool)
    has_base[src] = True
    rows_model, rows_root = [], []
    for node in np.flatnonzero(has_base):
        for sink in sinks[comp[node]]:
            for root in members[sink]:
                if root != node:
                    rows_model.append(node)
                    rows_root.append(root)
    out = pd.DataFrame({"model_id": pd.Series(ids[np.asarray(rows_model, dtype=np.int64)], dtype="string"),
                        "root_id": pd.Series(ids[np.asarray(rows_root, dtype=np.int64)], dtype="string")})
    out = out.sort_values(["root_id", "model_id"]).reset_index(drop=True)
    out.attrs["in_cycles"] = int(sum(len(ms) for ms in members if len(ms) > 1))
    return out


def _is_mass(owners: pd.Series, mass_producers: Iterable[str]) -> pd.Series:
    """True where the owner is one of ``mass_producers`` (ignoring case)."""
    mass = {str(m).lower() for m in mass_producers}
    return owners.astype("string").str.lower().isin(mass).fillna(False).astype(bool)


def _owner_lookup(edges: pd.DataFrame) -> pd.Series:
    """Owner of every id in ``edges`` (derived models and bases), one spelling per account."""
    pairs = pd.concat([
        pd.DataFrame({"id": edges["model_id"], "owner": edges["model_owner"]}),
        pd.DataFrame({"id": edges["base_model_id"], "owner": edges["base_owner"]}),
    ]).dropna(subset=["id"]).drop_duplicates("id")
    return pairs.set_index("id")["owner"].astype("string")


def _counts(pairs: pd.DataFrame, key: str, name_models: str, name_owners: str) -> pd.DataFrame:
    """Distinct derived models and distinct owners per ``key`` (columns ``model_id``, ``model_owner``)."""
    owners = pairs["model_owner"].astype("string").str.lower()
    g = pairs.assign(_owner=owners).groupby(key)
    return pd.DataFrame({name_models: g["model_id"].nunique(), name_owners: g["_owner"].nunique()})


def derivation_adoption(edges: pd.DataFrame, repos: pd.DataFrame, snapshot: str | None = None,
                        mass_producers: Iterable[str] = (), roots: pd.DataFrame | None = None) -> pd.DataFrame:
    """Derivation adoption of every listed model: derivatives, distinct adopting owners, roots, without mass producers.

    Parameters
    ----------
    edges : DataFrame
        :func:`derivation_edges` of one snapshot.
    repos : DataFrame
        The listing (``repos``) of the same snapshot.
    mass_producers : iterable of str
        Accounts whose derivatives ``*_excl_mass`` leave out (``data/mass_producers.csv``).
    roots : DataFrame, optional
        :func:`derivation_roots` of ``edges`` (computed when not given).

    Returns
    -------
    DataFrame
        One row per listed model plus one per base id the listing does not
        hold: ``model_id, owner, likes, downloads, pipeline_tag, created_at``,
        ``listed``, and the counts (int)

        - ``derivatives``: distinct models by other owners naming the model as
          a base (self-references and self-derivations excluded);
        - ``adopters``: distinct owners of those models (letter case ignored);
        - ``self_derivatives``: models by the model's own owner naming it;
        - ``finetune, adapter, quantized, merge``: ``derivatives`` by relation
          (a model naming the base once; they sum to ``derivatives``);
        - ``derivatives_excl_mass``, ``adopters_excl_mass``: the same without
          models owned by ``mass_producers``;
        - ``root_derivatives``, ``root_adopters``: models by other owners (and
          their owners) that have this model among the roots of their chains.

        Sorted by ``adopters``, then ``derivatives``, descending (ties in
        listing order).
    """
    owner = _owner_lookup(edges)
    pairs = edges[~edges["self_reference"].astype(bool)]
    selfder = pairs["self_derivation"].astype(bool)
    other = pairs[~selfder]
    by_rel = (other.groupby(["base_model_id", "relation"])["model_id"].nunique().unstack("relation")
              .reindex(columns=list(DECLARED_RELATIONS)))
    not_mass = other[~_is_mass(other["model_owner"], mass_producers).to_numpy()]
    if roots is None:
        roots = derivation_roots(edges)
    r = roots.assign(model_owner=roots["model_id"].map(owner), root_owner=roots["root_id"].map(owner))
    same_owner = (r["model_owner"].str.lower() == r["root_owner"].str.lower()).fillna(False).astype(bool)
    parts = [
        _counts(other, "base_model_id", "derivatives", "adopters"),
        pairs[selfder].groupby("base_model_id")["model_id"].nunique().rename("self_derivatives"),
        by_rel,
        _counts(not_mass, "base_model_id", "derivatives_excl_mass", "adopters_excl_mass"),
        _counts(r[~same_owner.to_numpy()], "root_id", "root_derivatives", "root_adopters"),
    ]
    counts = pd.concat(parts, axis=1).fillna(0).astype("int64")
    counts = counts.rename_axis("model_id").reset_index()
    counts["model_id"] = counts["model_id"].astype("string")
    models = listed_models(repos, snapshot if snapshots_in(repos) else None)
    out = _with_unlisted(counts, models, "adopters")
    order = ["model_id", "owner", "likes", "downloads", "pipeline_tag", "created_at", "listed", "derivatives",
             "adopters", "self_derivatives", *DECLARED_RELATIONS, "derivatives_excl_mass", "adopters_excl_mass",
             "root_derivatives", "root_adopters"]
    out = out[order]
    rank = np.lexsort((-out["derivatives"].to_numpy(), -out["adopters"].to_numpy()))  # stable: ties keep their order
    return out.iloc[rank].reset_index(drop=True)


def owner_adopters(edges: pd.DataFrame, mass_producers: Iterable[str] = ()) -> pd.DataFrame:
    """Adoption per *owner* of base models: distinct other owners building on any of the owner's models.

    Summing per-model ``adopters`` over an owner's models would count an
    account that builds on two of them twice; here each adopting account
    counts once per base owner. Self-derivations and self-references are
    left out.

    Returns
    -------
    DataFrame
        One row per base owner with a derivative (``<NA>`` owners of
        unresolved ids without ``/`` are left out): ``owner``,
        ``models_adopted`` (its models with a derivative), ``derivatives``,
        ``adopters``, ``adopters_excl_mass``, ``share`` (of all derivatives),
        ``rank`` (by adopters, then derivatives, then name).
    """
    pairs = edges[~edges["self_reference"].astype(bool) & ~edges["self_derivation"].astype(bool)]
    pairs = pairs.dropna(subset=["base_owner"])
    g = pairs.assign(_owner=pairs["model_owner"].astype("string").str.lower()).groupby("base_owner")
    out = pd.DataFrame({"models_adopted": g["base_model_id"].nunique(), "derivatives": g.size(),
                        "adopters": g["_owner"].nunique()})
    not_mass = pairs[~_is_mass(pairs["model_owner"], mass_producers).to_numpy()]
    excl = not_mass.assign(_owner=not_mass["model_owner"].astype("string").str.lower()).groupby("base_owner")["_owner"]
    out["adopters_excl_mass"] = excl.nunique()
    out = out.fillna(0).astype("int64").rename_axis("owner").reset_index()
    total = out["derivatives"].sum()
    out["share"] = out["derivatives"] / total if total else np.nan
    out = out.sort_values(["adopters", "derivatives", "owner"], ascending=[False, False, True], ignore_index=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def resolution_summary(edges: pd.DataFrame, listed_ids: pd.Series | None = None) -> dict:
    """Counts that explain the derivation table (every number the book quotes about it).

    Keys: ``pairs`` (rows: distinct (model, resolved base) pairs),
    ``self_references``, ``self_derivations``, ``derivations`` (pairs that
    are neither: derivations by other owners), ``derived_models`` (distinct
    models naming a base), ``base_ids`` (distinct base ids, self-references
    excluded), ``base_ids_listed`` / ``base_ids_unlisted`` (of those, resolved
    to a listed model or not), ``pairs_<step>`` and ``share_<step>`` per
    resolution step, ``inferred_relations``. With ``listed_ids``,
    ``base_ids_listed`` counts only ids in it.
    """
    n = len(edges)
    selfref = edges["self_reference"].astype(bool)
    selfder = edges["self_derivation"].astype(bool)
    bases = edges.loc[~selfref, ["base_model_id", "base_listed"]].drop_duplicates("base_model_id")
    listed = bases["base_listed"].astype(bool) if listed_ids is None else bases["base_model_id"].isin(set(listed_ids))
    out = {
        "pairs": n,
        "self_references": int(selfref.sum()),
        "self_derivations": int(selfder.sum()),
        "derivations": int((~selfref & ~selfder).sum()),
        "derived_models": int(edges["model_id"].nunique()),
        "base_ids": int(len(bases)),
        "base_ids_listed": int(listed.sum()),
        "base_ids_unlisted": int((~listed).sum()),
        "inferred_relations": int((edges["relation_source"] == "inferred").sum()) if "relation_source" in edges else 0,
    }
    for step in RESOLUTION_STEPS:
        k = int((edges["resolution"] == step).sum())
        out[f"pairs_{step}"] = k
        out[f"share_{step}"] = k / n if n else math.nan
    return out


def mass_producer_activity(edges: pd.DataFrame, accounts: Iterable[str]) -> pd.DataFrame:
    """What each listed mass producer derived: models, bases, relations, and its share of all derivations.

    ``accounts``: names from ``data/mass_producers.csv`` (matched ignoring
    case). Derivations are pairs that are neither self-references nor
    self-derivations. Returns one row per account (zeros for an account with
    none): ``account, derived_models, derivations, share`` (of all
    derivations), ``bases`` (distinct bases), ``quantized_share``,
    ``merge_share``; most derivations first.
    """
    pairs = edges[~edges["self_reference"].astype(bool) & ~edges["self_derivation"].astype(bool)]
    total = len(pairs)
    low = pairs["model_owner"].astype("string").str.lower()
    rows = []
    for acc in accounts:
        mine = pairs[(low == str(acc).lower()).fillna(False).to_numpy(bool)]
        n = len(mine)
        rows.append({"account": acc, "derived_models": int(mine["model_id"].nunique()), "derivations": n,
                     "share": n / total if total else math.nan, "bases": int(mine["base_model_id"].nunique()),
                     "quantized_share": float((mine["relation"] == "quantized").mean()) if n else math.nan,
                     "merge_share": float((mine["relation"] == "merge").mean()) if n else math.nan})
    out = pd.DataFrame(rows, columns=["account", "derived_models", "derivations", "share", "bases",
                                      "quantized_share", "merge_share"])
    return out.sort_values(["derivations", "account"], ascending=[False, True], ignore_index=True)


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


def concentration_table(adoption: pd.DataFrame, columns: Iterable[str], listed_only: bool = True) -> pd.DataFrame:
    """:func:`concentration` for each count column, over all units and over adopted units.

    ``listed_only`` (default) keeps listed rows only, so "share of listed
    models" has listed models as its denominator. Output: one row per
    (``measure`` = column, ``population`` = ``all`` | ``adopted``) with the
    :func:`concentration` keys; ``adopted`` keeps rows where the column is >= 1.
    """
    frame = adoption[adoption["listed"]] if listed_only and "listed" in adoption else adoption
    rows = []
    for col in columns:
        for population, values in (("all", frame[col]), ("adopted", frame.loc[frame[col] > 0, col])):
            rows.append({"measure": col, "population": population, **concentration(values)})
    return pd.DataFrame(rows)


def subfield_concentration(adoption: pd.DataFrame, column: str, mapping=None) -> pd.DataFrame:
    """Adoption by the paper's subfields (CV, NLP, multimodal) of the *adopted* model.

    The subfield comes from the model's ``pipeline_tag``
    (:func:`hubcommunity.analysis.subfields.subfield_of`); models outside the
    lists (or unlisted, with no tag) form ``other``. Output: one row per
    subfield in the order ``cv, nlp, multimodal, other`` with ``models``,
    ``adoption`` (sum of ``column``), ``share_of_adoption`` (of the grand
    total) and the :func:`concentration` keys computed within the subfield
    over its adopted models (``adopted_n``, ``adopted_total``, ...).
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


def top_adopted(adoption: pd.DataFrame, n: int, column: str, kinds: pd.DataFrame | None = None,
                extra: Iterable[str] = ()) -> pd.DataFrame:
    """The ``n`` models with the largest ``column`` (ties broken by id), with owner and popularity.

    Output columns: ``rank, model_id, owner``, ``kind`` (if ``kinds`` given,
    see :func:`hubcommunity.analysis.owners.kind_of`), ``column``, ``share``
    (of the column's total over all rows), the ``extra`` columns, then
    ``downloads, likes``.
    """
    top = adoption.sort_values([column, "model_id"], ascending=[False, True]).head(n).copy()
    total = adoption[column].sum()
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    top["share"] = top[column] / total if total else math.nan
    cols = ["rank", "model_id", "owner"]
    if kinds is not None:
        top["kind"] = kind_of(top["owner"], kinds)
        cols.append("kind")
    cols += [column, "share", *[c for c in extra if c != column], "downloads", "likes"]
    return top[cols].reset_index(drop=True)


# --------------------------------------------------------------------------- the two measures on one census


def census_comparison(census: pd.DataFrame, deriv: pd.DataFrame,
                      columns: Iterable[str] = ("adopters", "derivatives", "root_adopters")) -> pd.DataFrame:
    """Spaces and derivation adoption side by side on the models of the census.

    ``census``: :func:`space_census`; ``deriv``: :func:`derivation_adoption`
    of the listing. Every census model keeps its row (derivation counts 0
    when no model builds on it). Returns the census columns plus ``columns``.
    """
    d = deriv.drop_duplicates("model_id").set_index("model_id")
    out = census.copy()
    for col in columns:
        out[col] = out["model_id"].map(d[col]).fillna(0).astype("int64")
    return out


def rank_agreement(frame: pd.DataFrame, a: str, b: str) -> dict:
    """Spearman rank correlation of two count columns over every row (zeros included, ties averaged).

    Returns ``{"n", "rho", "p"}`` (scipy's two-sided p-value; NaN when a
    column is constant) and ``n_either`` (rows where either count is > 0) with
    ``rho_either``, the same correlation over those rows only.
    """
    def spearman(f: pd.DataFrame) -> tuple[float, float]:
        if len(f) < 3 or f[a].nunique() < 2 or f[b].nunique() < 2:
            return math.nan, math.nan
        res = stats.spearmanr(f[a].to_numpy(float), f[b].to_numpy(float))
        return float(res.statistic), float(res.pvalue)

    rho, p = spearman(frame)
    either = frame[(frame[a] > 0) | (frame[b] > 0)]
    rho_e, _ = spearman(either)
    return {"n": int(len(frame)), "rho": rho, "p": p, "n_either": int(len(either)), "rho_either": rho_e}


def leader_overlap(frame: pd.DataFrame, a: str, b: str, k: int = 20) -> dict:
    """Do the same models lead by both measures? Leaders are taken with their ties, so no tie is broken arbitrarily.

    The leaders by ``a`` are the rows whose ``a`` is at least the ``k``-th
    largest value of ``a`` (and > 0); likewise for ``b``. Returns ``k``,
    ``n_a``, ``n_b`` (leaders by each, >= k when there are ties at the
    boundary), ``both`` (leaders by both), ``jaccard`` and the sorted ids
    ``ids_a``, ``ids_b`` and ``ids_both``.
    """
    def leaders(col: str) -> set:
        values = frame[col]
        if (values > 0).sum() == 0:
            return set()
        kth = np.sort(values.to_numpy())[::-1][min(k, len(values)) - 1]
        return set(frame.loc[(values >= max(kth, 1)), "model_id"])

    la, lb = leaders(a), leaders(b)
    union = la | lb
    return {"k": k, "n_a": len(la), "n_b": len(lb), "both": len(la & lb),
            "jaccard": len(la & lb) / len(union) if union else math.nan,
            "ids_a": sorted(la), "ids_b": sorted(lb), "ids_both": sorted(la & lb)}


# --------------------------------------------------------------------------- adoption and popularity, all models


def popularity_correlations(adoption: pd.DataFrame, columns: Iterable[str],
                            variables: Iterable[str] = ("downloads", "likes")) -> pd.DataFrame:
    """Spearman rank correlation of each adoption column with each popularity variable, over all listed models.

    Every listed model counts, adopted or not, so nothing is selected on the
    outcome; ties (the many zeros) get average ranks. Output rows
    ``(measure, variable)`` with ``n``, ``rho``, ``p`` (two-sided).
    """
    listed = adoption[adoption["listed"]]
    rows = []
    for col in columns:
        for var in variables:
            pair = listed[[col, var]].dropna()
            if len(pair) < 3:
                rho, p = math.nan, math.nan
            elif pair[col].nunique() < 2 or pair[var].nunique() < 2:
                rho, p = math.nan, math.nan  # a constant column has no ranks to correlate
            else:
                res = stats.spearmanr(pair[col].to_numpy(float), pair[var].to_numpy(float))
                rho, p = float(res.statistic), float(res.pvalue)
            rows.append({"measure": col, "variable": var, "n": len(pair), "rho": rho, "p": p})
    return pd.DataFrame(rows)


def cohort_correlations(adoption: pd.DataFrame, column: str, variable: str = "downloads",
                        min_models: int = 100) -> pd.DataFrame:
    """Spearman correlation of ``column`` with ``variable`` within each creation year of the listed models.

    Derivations accumulate over a model's life while downloads are a 30-day
    count; within one creation year, models have had about as long to be
    built upon. Years with fewer than ``min_models`` listed models are left
    out. Output: ``year, n, share_adopted`` (column >= 1), ``rho``.
    """
    listed = adoption[adoption["listed"]].dropna(subset=["created_at", variable])
    year = pd.to_datetime(listed["created_at"], utc=True).dt.year
    rows = []
    for y, part in listed.groupby(year):
        if len(part) < min_models:
            continue
        if part[column].nunique() < 2 or part[variable].nunique() < 2:
            rho = math.nan  # a constant column has no ranks to correlate
        else:
            rho = stats.spearmanr(part[column].to_numpy(float), part[variable].to_numpy(float)).statistic
        rows.append({"year": int(y), "n": int(len(part)), "share_adopted": float((part[column] > 0).mean()),
                     "rho": float(rho)})
    return pd.DataFrame(rows, columns=["year", "n", "share_adopted", "rho"])


def adoption_by_bin(adoption: pd.DataFrame, column: str, by: str = "downloads") -> pd.DataFrame:
    """Share of listed models with ``column`` >= 1 in decade bins of ``by`` (0, 1-9, 10-99, ...).

    Over all listed models with ``by`` known: a view of the relationship that
    does not condition on adoption. Output: one row per non-empty bin in
    order, ``bin`` (label), ``low`` (inclusive lower bound), ``models``,
    ``adopted`` (models with >= 1), ``share_adopted``, ``mean`` of ``column``.
    """
    listed = adoption[adoption["listed"]].dropna(subset=[by])
    x = listed[by].to_numpy(float)
    top = int(math.floor(math.log10(x.max()))) if (x > 0).any() else 0
    edges = [0.0, 1.0] + [10.0**k for k in range(1, top + 2)]
    labels = ["0"] + [f"{int(lo):,}–{int(hi) - 1:,}" for lo, hi in zip(edges[1:-1], edges[2:])]
    idx = np.searchsorted(np.asarray(edges), x, side="right") - 1
    rows = []
    for i, label in enumerate(labels):
        part = listed[idx == i]
        if len(part):
            rows.append({"bin": label, "low": edges[i], "models": int(len(part)),
                         "adopted": int((part[column] > 0).sum()),
                         "share_adopted": float((part[column] > 0).mean()), "mean": float(part[column].mean())})
    return pd.DataFrame(rows, columns=["bin", "low", "models", "adopted", "share_adopted", "mean"])


def recent_derivatives(edges: pd.DataFrame, repos: pd.DataFrame, end: pd.Timestamp, days: int = 30,
                       snapshot: str | None = None) -> pd.Series:
    """Derivatives by other owners created in the ``days`` days before ``end``, per base model.

    A window of the same length as the listing's 30-day download count, so the
    two can be compared like for like. Uses the derived models' ``created_at``
    in ``repos``. Returns an int Series indexed by ``base_model_id`` (bases
    with no recent derivative are absent).
    """
    models = listed_models(repos, snapshot if snapshots_in(repos) else None).set_index("model_id")["created_at"]
    pairs = edges[~edges["self_reference"].astype(bool) & ~edges["self_derivation"].astype(bool)]
    created = pairs["model_id"].map(models)
    start = pd.Timestamp(end) - pd.Timedelta(days=days)
    recent = pairs[(created > start) & (created <= pd.Timestamp(end))]
    return recent.groupby("base_model_id")["model_id"].nunique().astype("int64")


def popular_unadopted(adoption: pd.DataFrame, n: int, column: str, by: str = "downloads") -> pd.DataFrame:
    """The ``n`` listed models with the highest ``by`` (downloads) and ``column`` 0.

    Output columns: ``rank, model_id, owner, downloads, likes, pipeline_tag``
    (ties broken by id).
    """
    zero = adoption[adoption["listed"] & (adoption[column] == 0)].dropna(subset=[by])
    top = zero.sort_values([by, "model_id"], ascending=[False, True]).head(n).copy()
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    return top[["rank", "model_id", "owner", "downloads", "likes", "pipeline_tag"]].reset_index(drop=True)


def base_model_prs(discussions: pd.DataFrame, listed: Iterable[str] = (), declaring: Iterable[str] = (),
                   bot: str = "librarian-bot", marker: str = "base_model") -> dict:
    """Pull requests an automated account opened to add ``base_model`` metadata, and what became of them.

    Declaring a base model depends on tooling: Hugging Face's librarian-bot
    opened pull requests adding the ``base_model`` field to model cards.
    Counts pull requests on models opened by ``bot`` whose title mentions
    ``marker``, by status, and -- with ``listed`` (ids of a later listing)
    and ``declaring`` (ids that declare a base in it) -- the share of their
    models that declare a base later, for merged and for open requests.

    Returns
    -------
    dict
        ``prs``, ``merged``, ``open``, ``closed``, ``models`` (distinct
        repositories), ``merged_share``; ``merged_listed``/``open_listed``
        (of those models, still listed), ``merged_declared_share`` /
        ``open_declared_share`` (listed ones that declare a base; NaN without
        ``listed``) and ``open_undeclared`` (listed models with an open
        request and no declared base: derivations the tags miss).
    """
    d = discussions[(discussions["repo_type"] == "model") & discussions["is_pull_request"].fillna(False).astype(bool)]
    d = d[(d["opener"] == bot).fillna(False).astype(bool)
          & d["title"].str.contains(marker, case=False, regex=False).fillna(False).astype(bool)]
    status = d["status"].value_counts()
    n = int(len(d))
    out = {"prs": n, "merged": int(status.get("merged", 0)), "open": int(status.get("open", 0)),
           "closed": int(status.get("closed", 0)), "models": int(d["repo_id"].nunique()),
           "merged_share": int(status.get("merged", 0)) / n if n else math.nan}
    listed, declaring = set(listed), set(declaring)
    for st in ("merged", "open"):
        ids = set(d.loc[d["status"] == st, "repo_id"]) & listed
        out[f"{st}_listed"] = len(ids)
        out[f"{st}_declared_share"] = len(ids & declaring) / len(ids) if ids else math.nan
        if st == "open":
            out["open_undeclared"] = len(ids - declaring)
    return out


def adoption_ccdfs(frames: Mapping[str, pd.Series], max_points: int | None = 200) -> pd.DataFrame:
    """Long table of CCDFs for plotting: ``series, x, ccdf, n``.

    ``frames`` maps a series label (e.g. "Spaces", "adopting owners") to a
    Series of counts over the whole population (zeros included, so each curve
    starts at the share of units with x >= 1). Each curve is
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
