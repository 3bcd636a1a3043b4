"""The resolved derivation table (tables stage) on hand-made listings with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from hubcommunity.derivations import (
    DERIVATION_COLUMNS,
    canonical_owners,
    infer_relations,
    resolve_derivations,
    resolve_model_ids,
)


def _models(rows):
    """Listing rows ``(repo_id, tags, library)``; owner = the id's prefix (as the 2024-07 listing has it)."""
    ids = [r[0] for r in rows]
    return pd.DataFrame({
        "repo_id": ids,
        "owner": [i.split("/")[0] if "/" in i else None for i in ids],
        "tags": [list(r[1]) for r in rows],
        "library": [r[2] for r in rows],
    })


LISTING = _models([
    ("openai-community/gpt2", [], "transformers"),
    ("TheOrg/Base", [], "transformers"),
    ("TheOrg/Other", [], None),
    ("alice/ft", [], "transformers"),
    ("alice/ft2", [], "transformers"),
    ("bob/q", ["gguf"], None),
    ("bob/lora", [], "peft"),
    ("carol/self", [], None),
    ("dave/merged", ["mergekit"], None),
    ("eve/x", [], None),
    ("twin/A", [], None),
    ("twin/a", [], None),  # two listed ids differing only in case: a case-insensitive match is ambiguous
])


def _pairs(rows):
    return pd.DataFrame(rows, columns=["model_id", "base_model_id", "relation"])


def test_resolve_model_ids_each_step_and_ambiguity():
    raw = pd.Series(["TheOrg/Base", "theorg/base", "gpt2", "GPT2", "twin/A", "TWIN/A", "nowhere", "x/y", None])
    out = resolve_model_ids(raw, LISTING["repo_id"]).set_index("raw_id")
    assert out.loc["TheOrg/Base", "resolution"] == "exact"
    assert out.loc["theorg/base", ["model_id", "resolution"]].tolist() == ["TheOrg/Base", "case"]
    assert out.loc["gpt2", ["model_id", "resolution"]].tolist() == ["openai-community/gpt2", "legacy"]
    assert out.loc["GPT2", ["model_id", "resolution"]].tolist() == ["openai-community/gpt2", "legacy"]
    assert out.loc["twin/A", "resolution"] == "exact"
    assert out.loc["TWIN/A", ["model_id", "resolution"]].tolist() == ["TWIN/A", "unresolved"]  # two candidates
    assert out.loc["nowhere", "resolution"] == "unresolved" and out.loc["x/y", "model_id"] == "x/y"
    assert len(out) == 8  # missing ids ignored, one row per distinct raw id


def test_resolve_derivations_known_table():
    pairs = _pairs([
        ("alice/ft", "gpt2", "unspecified"),                    # legacy id
        ("alice/ft", "openai-community/gpt2", "unspecified"),   # same base written in full: one pair
        ("bob/q", "theorg/base", "unspecified"),                # case variant -> TheOrg/Base, quantized (gguf tag)
        ("bob/lora", "TheOrg/Base", "unspecified"),             # adapter (peft library)
        ("carol/self", "carol/self", "unspecified"),            # names itself
        ("alice/ft2", "alice/ft", "finetune"),                  # own model: self-derivation, declared
        ("eve/x", "theorg/Deleted", "unspecified"),             # unresolved, owner spelled as listed
        ("eve/x", "models/local-path", "unspecified"),          # unresolved local path
        ("eve/x", "no-owner-id", "unspecified"),                # unresolved, no owner
        ("dave/merged", "TheOrg/Base", "unspecified"),          # merge (tag)
        ("dave/merged", "TheOrg/Other", "unspecified"),
    ])
    d = resolve_derivations(pairs, LISTING)
    assert tuple(d.columns) == DERIVATION_COLUMNS
    assert len(d) == 10  # the two gpt2 spellings collapse into one pair
    by = d.set_index(["model_id", "base_model_id"])
    gpt2 = by.loc[("alice/ft", "openai-community/gpt2")]
    assert gpt2["base_owner"] == "openai-community" and gpt2["base_listed"]
    assert gpt2["raw_base_model_id"] == "gpt2" and gpt2["resolution"] == "legacy"  # the first spelling is kept
    q = by.loc[("bob/q", "TheOrg/Base")]
    assert q["resolution"] == "case" and q["relation"] == "quantized" and q["relation_source"] == "inferred"
    assert by.loc[("bob/lora", "TheOrg/Base"), "relation"] == "adapter"
    assert by.loc[("dave/merged", "TheOrg/Other"), "relation"] == "merge"
    own = by.loc[("alice/ft2", "alice/ft")]
    assert own["self_derivation"] and own["relation_source"] == "declared" and not own["self_reference"]
    selfref = by.loc[("carol/self", "carol/self")]
    assert selfref["self_reference"] and not selfref["self_derivation"]
    deleted = by.loc[("eve/x", "theorg/Deleted")]
    assert deleted["resolution"] == "unresolved" and not deleted["base_listed"]
    assert deleted["base_owner"] == "TheOrg"  # one spelling per account: no second node "theorg"
    assert deleted["relation"] == "merge"  # eve/x names three bases
    assert by.loc[("eve/x", "models/local-path"), "base_owner"] == "models"
    assert pd.isna(by.loc[("eve/x", "no-owner-id"), "base_owner"])
    assert d["resolution"].value_counts().to_dict() == {"exact": 5, "unresolved": 3, "case": 1, "legacy": 1}
    assert int(d["self_derivation"].sum()) == 1 and int(d["self_reference"].sum()) == 1
    assert set(d["relation"]) <= {"finetune", "adapter", "quantized", "merge"}


def test_declared_relation_wins_over_inferred_for_one_pair():
    pairs = _pairs([("bob/q", "TheOrg/Base", "unspecified"), ("bob/q", "theorg/base", "finetune")])
    d = resolve_derivations(pairs, LISTING)
    assert len(d) == 1
    assert d.iloc[0][["relation", "relation_source", "raw_base_model_id"]].tolist() == ["finetune", "declared",
                                                                                       "theorg/base"]


def test_unknown_relation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown relation 'fork'"):
        resolve_derivations(_pairs([("alice/ft", "gpt2", "fork")]), LISTING)


def test_empty_input_gives_an_empty_table_with_the_columns():
    d = resolve_derivations(_pairs([]), LISTING)
    assert d.empty and tuple(d.columns) == DERIVATION_COLUMNS


def test_infer_relations_order_adapter_then_quantized_then_merge():
    models = _models([("m/a", ["lora", "mergekit", "gguf"], None), ("m/b", ["mergekit", "gguf"], None),
                      ("m/c", ["mergekit"], None), ("m/d", [], None), ("m/Merge-7B-4.0bpw-h6-exl2", ["mergekit"], None),
                      ("m/x-GGUF", [], None), ("m/y-HQQ-2bit-smashed", [], None), ("m/two", [], None),
                      ("m/peft", [], "peft")])
    pairs = _pairs([(m, "x/base", "unspecified") for m in models["repo_id"]] + [("m/two", "x/other", "unspecified")])
    out = infer_relations(pairs, models).drop_duplicates("model_id").set_index("model_id")["relation"].to_dict()
    assert out == {"m/a": "adapter", "m/b": "quantized", "m/c": "merge", "m/d": "finetune",
                   "m/Merge-7B-4.0bpw-h6-exl2": "quantized", "m/x-GGUF": "quantized", "m/y-HQQ-2bit-smashed": "quantized",
                   "m/two": "merge",
                   "m/peft": "adapter"}


def test_canonical_owners_prefers_the_listed_spelling():
    owners = pd.Series(["theorg", "TheOrg", "THEORG", "nobody", "NoBody", None], dtype="string")
    out = canonical_owners(owners, pd.Series(["TheOrg", "alice"]))
    assert out.tolist()[:5] == ["TheOrg", "TheOrg", "TheOrg", "nobody", "nobody"]
    assert pd.isna(out.iloc[5])
