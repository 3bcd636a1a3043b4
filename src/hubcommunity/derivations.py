"""The resolved derivation table: which listed model each declared ``base_model`` names.

Part of the tables stage (:mod:`hubcommunity.tables` calls
:func:`resolve_derivations` for every snapshot with a model listing and caches
the result as the tidy table ``derivations``). Both chapters that use
``base_model`` links read this one table: RQ2 (the derivation network, owner
of a model -> owner of its base) and RQ3 (derivation adoption).

What it does, per snapshot, to the raw pairs of the ``base_models`` table
(``model_id -> base_model_id`` as the uploader wrote it):

1. **Resolve** each written base id onto the snapshot's own model listing
   (:func:`resolve_model_ids`): exactly as written; else ignoring letter
   case (the Hub resolves ids case-insensitively); else, for an id without an
   owner (``gpt2``), the one listed ``org/gpt2`` whose ``org`` received the
   Hub's formerly un-prefixed models in 2024 (:data:`LEGACY_ORGS`); else it
   stays *unresolved*, kept as written (deleted, private, renamed, local
   paths such as ``models/phi-2`` or mistyped), never dropped.
2. **Deduplicate**: two written ids that resolve to one model give one pair.
3. **Relation**: declared relations are kept; for bare ``base_model:<id>``
   tags (every pair in captures before mid-2024) the relation is inferred from
   the derived model's metadata as the Hub does (:func:`infer_relations`).
4. **Owners**: ``model_owner`` and ``base_owner`` with one spelling per account:
   a listed owner's spelling wins over the case variants of unresolved ids
   (the Hub's account names are case-insensitive), so an owner is one node,
   not two.
5. **Flags**: ``self_reference`` (a model naming itself, after resolution: not
   a derivation) and ``self_derivation`` (the derived model's owner is the
   base's owner: the owner building on their own model; RQ2 draws it as a
   self-loop, RQ3 reports it apart from adoption by others).

Pure functions: DataFrames in, DataFrames out, no I/O.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = [
    "RELATIONS",
    "DECLARED_RELATIONS",
    "RESOLUTION_STEPS",
    "LEGACY_ORGS",
    "DERIVATION_COLUMNS",
    "resolve_model_ids",
    "infer_relations",
    "canonical_owners",
    "resolve_derivations",
]

#: Relations of a model to its base model (tidy ``base_models.relation``).
RELATIONS = ("finetune", "adapter", "quantized", "merge", "unspecified")

#: The relations a model card can declare (all but ``unspecified``).
DECLARED_RELATIONS = RELATIONS[:-1]

#: How a written base id was matched to a listed model, in the order tried.
RESOLUTION_STEPS = ("exact", "case", "legacy", "unresolved")

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

#: Columns of the resolved table, in order (``snapshot``/``captured_at`` are added by the tables stage).
DERIVATION_COLUMNS = (
    "model_id", "model_owner", "base_model_id", "base_owner", "raw_base_model_id", "resolution",
    "base_listed", "relation", "relation_source", "self_reference", "self_derivation",
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
# Quantization formats that uploaders put in the model's name (e.g. "...-GGUF", "...-4.0bpw-h6-exl2").
_QUANTIZED_NAME = r"(?i)(?:gguf|gptq|awq|exl2|hqq|quanto|bnb|\d(?:\.\d+)?bpw)"


def _distinct_strings(values: pd.Series) -> np.ndarray:
    """The distinct non-missing values of ``values`` as Python strings (an object array, first-seen order).

    Not ``numpy.astype(str)``: a fixed-width unicode array takes 4 bytes times the longest id
    for every row (about 0.6 GB for the 760,000 ids of the July 2024 listing).
    """
    distinct = pd.unique(values.dropna().to_numpy(dtype=object))
    return np.fromiter((v if isinstance(v, str) else str(v) for v in distinct), dtype=object, count=len(distinct))


def resolve_model_ids(raw_ids: pd.Series, listed_ids: pd.Series, legacy_orgs=LEGACY_ORGS) -> pd.DataFrame:
    """Map free-text model ids (e.g. from ``base_model:`` tags) onto listed ids.

    Steps, first match wins (:data:`RESOLUTION_STEPS`):

    1. ``exact``: the id is listed as written;
    2. ``case``: exactly one listed id equals it ignoring letter case (the
       Hub resolves ids case-insensitively);
    3. ``legacy``: an id without ``/`` (``name``) and exactly one listed
       ``org/name`` (same name, ignoring case) with ``org`` in ``legacy_orgs``
       (the 2024 move of canonical models; :data:`LEGACY_ORGS`);
    4. ``unresolved``: kept as written (``model_id`` = the raw id).

    Parameters
    ----------
    raw_ids : Series of str
        Written ids; missing values are ignored, repeats collapse.
    listed_ids : Series of str
        The ids of the listing to resolve against.
    legacy_orgs : iterable of str
        Organisations whose ``org/name`` an un-prefixed ``name`` may mean.

    Returns
    -------
    DataFrame
        One row per distinct raw id: ``raw_id``, ``model_id`` (the listed id,
        or the raw id when unresolved) and ``resolution`` (a step name).
    """
    raw, listed = _distinct_strings(raw_ids), _distinct_strings(listed_ids)
    listed_set = set(listed)
    by_lower: dict[str, str | None] = {}
    legacy: dict[str, list[str]] = {}
    if not all(r in listed_set for r in raw):  # only build the case-folded indexes when needed
        for lid in listed:
            low = lid.lower()
            by_lower[low] = None if low in by_lower else lid  # None: two listed ids differ only in case
        prefixes = tuple(f"{org}/" for org in legacy_orgs)
        for lid in listed:
            if lid.startswith(prefixes):
                legacy.setdefault(lid.split("/", 1)[1].lower(), []).append(lid)
    model_ids, how = [], []
    for rid in raw:
        if rid in listed_set:
            model_ids.append(rid), how.append("exact")
            continue
        match = by_lower.get(rid.lower())
        if match is not None:
            model_ids.append(match), how.append("case")
            continue
        candidates = legacy.get(rid.lower(), []) if "/" not in rid else []
        if len(candidates) == 1:
            model_ids.append(candidates[0]), how.append("legacy")
        else:
            model_ids.append(rid), how.append("unresolved")
    return pd.DataFrame({"raw_id": pd.Series(raw, dtype="string"), "model_id": pd.Series(model_ids, dtype="string"),
                         "resolution": how})


def infer_relations(pairs: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Fill ``unspecified`` relations from the derived model's tags, as the Hub does.

    The Hub infers a missing ``base_model_relation`` from the repository
    (Hugging Face Hub docs, "Model cards: specifying a base model"); captures
    from before mid-2024 have only bare ``base_model:`` tags, so every relation
    is ``unspecified``. *Decision*: infer, for those rows only, in this order:

    - ``adapter``: library ``peft``/``adapter-transformers`` or tag ``peft``/``lora``;
    - ``quantized``: tag ``gguf``/``gptq``/``awq``/``exl2``/``quantized``/
      ``bitsandbytes``/``N-bit``, library ``gguf``/``llama.cpp``, or a
      quantization format in the model's name (``GGUF``, ``GPTQ``, ``AWQ``,
      ``exl2``, ``HQQ``, ``QUANTO``, ``bnb``, ``4.0bpw``);
    - ``merge``: tag ``merge``/``mergekit``/``lazymergekit``, or the model names
      more than one base model;
    - ``finetune``: anything else (the Hub's default).

    Quantized comes before merge because a quantized copy of a merge keeps
    the merge's tags (and is a copy of one model, not a merge of several).

    Parameters
    ----------
    pairs : DataFrame
        ``model_id``, ``base_model_id``, ``relation`` (one of :data:`RELATIONS`).
    models : DataFrame
        The listing's model rows: ``repo_id``, ``tags`` (list of str), ``library``.

    Returns
    -------
    DataFrame
        ``pairs`` with ``relation`` filled and ``relation_source``
        (``declared`` where the card said so, ``inferred`` otherwise).
    """
    out = pairs.copy()
    declared = out["relation"].isin(DECLARED_RELATIONS)
    out["relation_source"] = np.where(declared, "declared", "inferred")
    todo = ~declared.to_numpy(bool)
    if not todo.any():
        return out
    ids = out["model_id"].to_numpy(dtype=object)[todo]
    wanted = set(ids)
    name_is_quant = re.compile(_QUANTIZED_NAME)
    flags: dict[str, tuple[bool, bool, bool]] = {}  # model id -> (adapter, quantized, merge tag)
    for rid, tags, lib in zip(models["repo_id"].to_numpy(dtype=object), models["tags"].to_numpy(dtype=object),
                              models["library"].to_numpy(dtype=object, na_value=None)):
        if rid not in wanted or rid in flags:
            continue
        tagset = set() if tags is None else set(tags)
        flags[rid] = (lib in _ADAPTER_LIBRARIES or bool(tagset & _ADAPTER_TAGS),
                      lib in _QUANTIZED_LIBRARIES or bool(tagset & _QUANTIZED_TAGS),
                      bool(tagset & _MERGE_TAGS))
    n_bases = out.groupby("model_id")["base_model_id"].nunique()
    several = set(n_bases.index[n_bases.to_numpy() > 1])
    rel = []
    for rid in ids:
        adapter, quant, merge_tag = flags.get(rid, (False, False, False))
        quant = quant or name_is_quant.search(rid.split("/", 1)[-1]) is not None
        if adapter:
            rel.append("adapter")
        elif quant:
            rel.append("quantized")
        elif merge_tag or rid in several:
            rel.append("merge")
        else:
            rel.append("finetune")
    out.loc[todo, "relation"] = rel
    return out


def canonical_owners(owners: pd.Series, preferred: pd.Series) -> pd.Series:
    """One spelling per account: map each owner onto a preferred spelling of the same name, ignoring case.

    Parameters
    ----------
    owners : Series of str
        Owner names to normalise (``<NA>`` stays ``<NA>``).
    preferred : Series of str
        Spellings to prefer (e.g. the owners of listed models), most
        authoritative first: the first spelling seen for a lower-cased name wins.
        Names with no preferred spelling take their first spelling in ``owners``.

    Returns
    -------
    Series of str (``string`` dtype), aligned with ``owners``.
    """
    spellings: dict[str, str] = {}
    for series in (preferred, owners):
        for name in pd.unique(series.dropna().to_numpy(dtype=object)):
            spellings.setdefault(str(name).lower(), str(name))
    values = owners.to_numpy(dtype=object, na_value=None)
    out = [None if v is None else spellings[str(v).lower()] for v in values]
    return pd.Series(out, index=owners.index, dtype="string")


def resolve_derivations(base_models: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """The resolved derivation table of one snapshot (see the module docstring for the steps).

    Parameters
    ----------
    base_models : DataFrame
        Raw pairs: ``model_id``, ``base_model_id`` (as written), ``relation``
        (:data:`RELATIONS`), in the snapshot's order.
    models : DataFrame
        The same snapshot's model listing: ``repo_id``, ``owner`` (may be
        missing: then the id's prefix), ``tags``, ``library``.

    Returns
    -------
    DataFrame with :data:`DERIVATION_COLUMNS`, one row per (model, resolved base):

    - ``model_id``, ``model_owner``: the derived model and its owner;
    - ``base_model_id``: the listed id the written id resolves to, or the
      written id when unresolved; ``base_owner``: its owner (``<NA>`` for an
      unresolved id without ``/``);
    - ``raw_base_model_id``: the id as written (the first of several that
      resolve to one pair); ``resolution``: :data:`RESOLUTION_STEPS`;
      ``base_listed``: resolution is not ``unresolved``;
    - ``relation`` (declared or inferred; never ``unspecified``) and
      ``relation_source`` (``declared``/``inferred``);
    - ``self_reference``: the model names itself; ``self_derivation``: the
      two owners are one account (ignoring case), self-references excluded.

    Sorted by ``base_model_id, model_id``. Raises ``ValueError`` for a
    relation not in :data:`RELATIONS`.
    """
    pairs = base_models[["model_id", "base_model_id", "relation"]].dropna(subset=["model_id", "base_model_id"]).copy()
    pairs["relation"] = pairs["relation"].astype("string").fillna("unspecified")
    bad = ~pairs["relation"].isin(RELATIONS)
    if bad.any():
        row = pairs[bad].iloc[0]
        raise ValueError(f"base_models: unknown relation {row['relation']!r} for {row['model_id']} -> {row['base_model_id']}")
    pairs["raw_base_model_id"] = pairs["base_model_id"].astype("string")
    mapping = resolve_model_ids(pairs["raw_base_model_id"], models["repo_id"]).set_index("raw_id")
    pairs["base_model_id"] = pairs["raw_base_model_id"].map(mapping["model_id"]).astype("string")
    pairs["resolution"] = pairs["raw_base_model_id"].map(mapping["resolution"]).astype("string")
    pairs = infer_relations(pairs, models)
    # one row per resolved pair: a declared relation first, then the order of RELATIONS, then as written
    order = {r: i for i, r in enumerate(RELATIONS)}
    pairs = (
        pairs.assign(_undeclared=(pairs["relation_source"] != "declared").astype(int),
                     _order=pairs["relation"].map(order), _pos=np.arange(len(pairs)))
        .sort_values(["_undeclared", "_order", "_pos"], kind="stable")
        .drop_duplicates(["model_id", "base_model_id"])
        .drop(columns=["_undeclared", "_order", "_pos"])
    )
    ids = models["repo_id"].to_numpy(dtype=object)
    owners = (models["owner"].to_numpy(dtype=object, na_value=None) if "owner" in models
              else np.full(len(ids), None, dtype=object))
    listed_owner = {i: (o if o is not None else (i.split("/", 1)[0] if "/" in i else None))
                    for i, o in zip(ids, owners)}

    def owner_of_ids(col: pd.Series) -> pd.Series:
        vals = col.to_numpy(dtype=object)
        out = [listed_owner[v] if v in listed_owner else (v.split("/", 1)[0] if "/" in v else None) for v in vals]
        return pd.Series(out, index=col.index, dtype="string")

    model_owner, base_owner = owner_of_ids(pairs["model_id"]), owner_of_ids(pairs["base_model_id"])
    preferred = pd.Series([o for o in listed_owner.values() if o is not None], dtype=object)
    pairs["model_owner"] = canonical_owners(model_owner, preferred)
    pairs["base_owner"] = canonical_owners(base_owner, preferred)
    pairs["base_listed"] = (pairs["resolution"] != "unresolved").astype(bool)
    pairs["self_reference"] = (pairs["model_id"] == pairs["base_model_id"]).astype(bool)
    same = (pairs["model_owner"].str.lower() == pairs["base_owner"].str.lower()).fillna(False).astype(bool)
    pairs["self_derivation"] = same & ~pairs["self_reference"]
    out = pairs[list(DERIVATION_COLUMNS)].sort_values(["base_model_id", "model_id"]).reset_index(drop=True)
    return out.astype({"model_id": "string", "model_owner": "string", "base_model_id": "string",
                       "base_owner": "string", "raw_base_model_id": "string", "resolution": "string",
                       "relation": "string", "relation_source": "string"})
