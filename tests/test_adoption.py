"""Adoption analysis on small hand-made tables with answers worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from hubcommunity.analysis import adoption as ad
from hubcommunity.derivations import resolve_derivations


def make_repos(rows, snapshot="snap"):
    """repos table in the CONTRIBUTING.md shape from (id, likes, downloads, pipeline_tag, library, tags[, created])."""
    rows = [r if len(r) == 7 else (*r, "2024-01-01") for r in rows]
    out = pd.DataFrame(rows, columns=["repo_id", "likes", "downloads", "pipeline_tag", "library", "tags", "created_at"])
    out.insert(0, "repo_type", "model")
    out["owner"] = out["repo_id"].str.split("/").str[0]
    out["snapshot"] = snapshot
    out["likes"] = out["likes"].astype("Int64")
    out["downloads"] = out["downloads"].astype("Int64")
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True)
    return out


REPOS = make_repos(
    [
        ("meta/big", 100, 10_000, "text-generation", "transformers", []),
        ("lab/vision", 10, 1_000, "image-classification", "timm", []),
        ("ann/small", 1, 10, "text-to-image", "diffusers", []),
        ("bob/unused", 0, 0, None, None, []),
        ("openai-community/gpt2", 50, 5_000, "text-generation", "transformers", []),
        ("ann/ft", 0, 5, "text-generation", "transformers", ["transformers"]),
        ("ann/lora", 0, 5, None, "peft", ["peft", "lora"]),
        ("ann/q", 0, 5, None, "transformers", ["gguf", "4-bit"]),
        ("ann/q2", 0, 5, None, "transformers", ["gguf"]),
        ("meta/big-instruct", 0, 5, None, "transformers", []),
        ("cat/ft-of-instruct", 0, 5, None, "transformers", []),
        ("dan/q-of-cat", 0, 5, None, "transformers", ["gguf"]),
        ("bob/self", 0, 5, None, "transformers", []),
        ("mass/q1", 0, 5, None, "transformers", ["gguf"]),
        ("mass/q2", 0, 5, None, "transformers", ["gguf"]),
    ]
)

SPACES = pd.DataFrame(
    {
        "space_id": ["s/1", "s/1", "s/2", "s/3", "s/3", "s/4", "s/5", "s/5"],
        "model_id": ["meta/big", "lab/vision", "meta/big", "meta/big", "ghost/deleted", "meta/big", "meta/big", "meta/big"],
        "source": ad.SPACE_MODELS,
        "snapshot": "snap",
    }
)


def _edges():
    """The resolved table for a small, fully worked-out derivation forest.

    meta/big <- ann/ft, ann/lora, ann/q, ann/q2 (ann: 4 derivatives, 1 adopter)
             <- meta/big-instruct (meta's own: self-derivation)
             <- mass/q1, mass/q2 (a mass producer)
    meta/big-instruct <- cat/ft-of-instruct <- dan/q-of-cat      (a chain: roots are meta/big)
    openai-community/gpt2 <- ann/ft (legacy id "gpt2"), cat/ft-of-instruct
    bob/self <- bob/self (self-reference)
    lab/vision <- ann/small; gone/model <- ann/small (unlisted base)
    """
    pairs = pd.DataFrame(
        [
            ("ann/ft", "meta/big", "unspecified"), ("ann/lora", "meta/big", "unspecified"),
            ("ann/q", "meta/big", "unspecified"), ("ann/q2", "meta/big", "unspecified"),
            ("meta/big-instruct", "meta/big", "finetune"),
            ("mass/q1", "meta/big", "unspecified"), ("mass/q2", "meta/big", "unspecified"),
            ("cat/ft-of-instruct", "meta/big-instruct", "unspecified"),
            ("dan/q-of-cat", "cat/ft-of-instruct", "unspecified"),
            ("ann/ft", "gpt2", "unspecified"), ("cat/ft-of-instruct", "openai-community/gpt2", "finetune"),
            ("bob/self", "bob/self", "unspecified"),
            ("ann/small", "lab/vision", "finetune"), ("ann/small", "gone/model", "finetune"),
        ],
        columns=["model_id", "base_model_id", "relation"],
    )
    return resolve_derivations(pairs, REPOS).assign(snapshot="snap")


def test_space_adoption_counts_distinct_spaces_and_keeps_zero_and_unlisted():
    out = ad.space_adoption(SPACES, REPOS).set_index("model_id")
    assert out.loc["meta/big", "spaces"] == 5  # spaces 1-5; s/5 names it twice -> once
    assert out.loc["lab/vision", "spaces"] == 1 and out.loc["ghost/deleted", "spaces"] == 1
    assert not out.loc["ghost/deleted", "listed"] and out.loc["meta/big", "listed"]
    assert out.loc["ghost/deleted", "owner"] == "ghost" and out.loc["bob/unused", "spaces"] == 0
    assert len(out) == len(REPOS) + 1 and out["spaces"].sum() == 7
    assert ad.space_adoption(SPACES, REPOS)["model_id"].iloc[0] == "meta/big"  # sorted


def test_space_adoption_uses_one_source_and_refuses_to_pool_snapshots():
    other_source = SPACES.assign(source=ad.MODEL_SPACES)
    assert ad.space_adoption(other_source, REPOS)["spaces"].sum() == 0
    assert ad.space_adoption(other_source, REPOS, source=None)["spaces"].sum() == 7
    two = pd.concat([SPACES, SPACES.assign(snapshot="other")])
    with pytest.raises(ValueError, match="several snapshots"):
        ad.space_adoption(two, REPOS)
    out = ad.space_adoption(two, pd.concat([REPOS, REPOS.assign(snapshot="other")]), snapshot="other")
    assert out.set_index("model_id").loc["meta/big", "spaces"] == 5


def _details():
    ids = ["q/top", "q/capped", "1/one", "q/none"]
    return pd.DataFrame({"repo_id": ids, "owner": [i.split("/")[0] for i in ids], "likes": [1, 2, 3, 4],
                         "downloads": [10, 20, 30, 40], "pipeline_tag": [None] * 4,
                         "n_parameters": pd.array([7, None, None, 1], dtype="Int64"),
                         "n_files": pd.array([3, 3, 3, 3], dtype="Int64"), "snapshot": "details"})


def _links(counts):
    rows = [(f"s/{m}-{i}", m) for m, k in counts.items() for i in range(k)]
    return pd.DataFrame(rows, columns=["space_id", "model_id"]).assign(source=ad.MODEL_SPACES, snapshot="details")


def test_space_census_counts_links_keeps_zeros_and_flags_the_cap():
    links = pd.concat([_links({"q/top": 100, "q/capped": 100, "1/one": 1}),
                       _links({"q/top": 1}).assign(source=ad.SPACE_MODELS),  # other direction: ignored
                       _links({"1/one": 5}).assign(snapshot="elsewhere")])  # other snapshot: ignored
    out = ad.space_census(_details(), links).set_index("model_id")
    assert out["spaces"].to_dict() == {"q/capped": 100, "q/top": 100, "1/one": 1, "q/none": 0}
    assert out["at_cap"].to_dict() == {"q/capped": True, "q/top": True, "1/one": False, "q/none": False}
    assert out.loc["q/top", "n_parameters"] == 7


def test_censored_sensitivity_known_values():
    # 10 models: two at the cap of 100, one with 10, seven with none.
    counts = [100, 100, 10] + [0] * 7
    s = ad.censored_sensitivity(counts, cap=100, factors=(1, 2, 10)).set_index("factor")
    assert s.loc[1.0, "total"] == 210 and s.loc[2.0, "total"] == 410 and s.loc[10.0, "total"] == 2010
    assert s["censored"].tolist() == [2, 2, 2]
    assert s.loc[1.0, "censored_share"] == pytest.approx(200 / 210)
    assert s.loc[10.0, "censored_share"] == pytest.approx(2000 / 2010)
    assert (s["share_used"] == 0.3).all()  # the cap cannot change who is used at all
    assert s.loc[1.0, "top10_share"] == pytest.approx(100 / 210)  # top 10% of 10 models = 1 model
    assert s.loc[10.0, "top10_share"] == pytest.approx(1000 / 2010)
    assert s.loc[1.0, "top10_share_used"] == pytest.approx(100 / 210)  # ceil(0.3) = 1 of the 3 used
    # Gini over the three used models grows as the censored ones are scaled up
    assert s.loc[1.0, "gini_used"] < s.loc[2.0, "gini_used"] < s.loc[10.0, "gini_used"]
    x, i = np.sort([10, 200, 200]), np.arange(1, 4)
    assert s.loc[2.0, "gini_used"] == pytest.approx(np.sum((2 * i - 4) * x) / (3 * x.sum()))


def test_resolved_edges_and_summary_explain_every_count():
    edges = ad.derivation_edges(_edges(), "snap")
    s = ad.resolution_summary(edges)
    assert s["pairs"] == 14 and s["self_references"] == 1 and s["self_derivations"] == 1
    assert s["derivations"] == 12  # 14 pairs - 1 self-reference - 1 self-derivation
    assert s["pairs_legacy"] == 1 and s["pairs_unresolved"] == 1 and s["pairs_exact"] == 12
    assert s["derived_models"] == 11
    # distinct bases (self-reference excluded): meta/big, meta/big-instruct, cat/ft-of-instruct, gpt2, lab/vision, gone/model
    assert s["base_ids"] == 6 and s["base_ids_listed"] == 5 and s["base_ids_unlisted"] == 1
    with pytest.raises(ValueError, match="missing column"):
        ad.derivation_edges(pd.DataFrame({"model_id": ["a"], "base_model_id": ["b"]}))


def test_derivation_roots_follow_chains():
    roots = ad.derivation_roots(_edges())
    by_model = roots.groupby("model_id")["root_id"].apply(sorted).to_dict()
    assert by_model["dan/q-of-cat"] == ["meta/big", "openai-community/gpt2"]  # via cat, via meta/big-instruct
    assert by_model["cat/ft-of-instruct"] == ["meta/big", "openai-community/gpt2"]
    assert by_model["meta/big-instruct"] == ["meta/big"]
    assert by_model["ann/small"] == ["gone/model", "lab/vision"]
    assert "bob/self" not in by_model  # a self-reference is not a chain
    assert roots.attrs["in_cycles"] == 0


def test_derivation_roots_guard_cycles():
    edges = pd.DataFrame({"model_id": ["a/1", "b/2", "c/3", "d/4", "e/5"],
                          "base_model_id": ["b/2", "a/1", "a/1", "c/3", "e/5"],
                          "self_reference": [False, False, False, False, True]})
    roots = ad.derivation_roots(edges)
    got = roots.groupby("model_id")["root_id"].apply(sorted).to_dict()
    # a/1 <-> b/2 lead nowhere else: they are each other's root and the roots of everything above them
    assert got == {"a/1": ["b/2"], "b/2": ["a/1"], "c/3": ["a/1", "b/2"], "d/4": ["a/1", "b/2"]}
    assert roots.attrs["in_cycles"] == 2


def test_derivation_adoption_distinct_owners_self_roots_and_mass_producers():
    edges = ad.derivation_edges(_edges())
    out = ad.derivation_adoption(edges, REPOS, mass_producers=["MASS"]).set_index("model_id")
    big = out.loc["meta/big"]
    # ann (4 models) and mass (2 models) build on it; meta's own instruct model is a self-derivation
    assert (big["derivatives"], big["adopters"], big["self_derivatives"]) == (6, 2, 1)
    assert [big[r] for r in ad.DECLARED_RELATIONS] == [0, 1, 4, 1]  # ann/lora, 4 gguf copies, ann/ft (two bases)
    assert (big["derivatives_excl_mass"], big["adopters_excl_mass"]) == (4, 1)  # mass matched ignoring case
    # roots: + cat/ft-of-instruct and dan/q-of-cat via the chain (meta/big-instruct is meta's own)
    assert (big["root_derivatives"], big["root_adopters"]) == (8, 4)
    inst = out.loc["meta/big-instruct"]
    assert (inst["derivatives"], inst["adopters"], inst["root_derivatives"]) == (1, 1, 0)  # not a root
    gpt2 = out.loc["openai-community/gpt2"]  # resolved from the legacy id
    assert (gpt2["derivatives"], gpt2["adopters"], gpt2["root_adopters"]) == (2, 2, 3)
    assert out.loc["bob/self", "derivatives"] == 0  # self-reference skipped
    assert not out.loc["gone/model", "listed"] and out.loc["gone/model", "derivatives"] == 1
    assert (out[list(ad.DECLARED_RELATIONS)].sum(axis=1) == out["derivatives"]).all()
    assert out["derivatives"].sum() == 12 and out["listed"].sum() == len(REPOS)
    assert out.index[0] == "meta/big"  # most adopters first


def test_owner_adopters_count_each_account_once_per_base_owner():
    out = ad.owner_adopters(ad.derivation_edges(_edges()), mass_producers=["mass"]).set_index("owner")
    # meta: ann (4 models on meta/big), mass (2), cat (1, on meta/big-instruct) -> 3 accounts, 7 derivations
    assert (out.loc["meta", "adopters"], out.loc["meta", "derivatives"], out.loc["meta", "models_adopted"]) == (3, 7, 2)
    assert out.loc["meta", "adopters_excl_mass"] == 2
    assert out.loc["openai-community", "adopters"] == 2
    assert out["share"].sum() == pytest.approx(1.0) and out.index[0] == "meta" and out["rank"].iloc[0] == 1


def test_mass_producer_activity():
    act = ad.mass_producer_activity(ad.derivation_edges(_edges()), ["Mass", "nobody"]).set_index("account")
    assert act.loc["Mass", "derived_models"] == 2 and act.loc["Mass", "share"] == pytest.approx(2 / 12)
    assert act.loc["Mass", "quantized_share"] == 1.0 and act.loc["nobody", "derivations"] == 0


def test_concentration_known_values():
    # 100 units: one holds 91, nine hold 1 each, ninety hold 0. Total 100.
    values = [91] + [1] * 9 + [0] * 90
    c = ad.concentration(values)
    assert c["n"] == 100 and c["total"] == 100 and c["n_adopted"] == 10
    assert c["share_adopted"] == pytest.approx(0.10)
    assert c["top1_share"] == pytest.approx(0.91)  # top 1 unit
    assert c["top10_share"] == pytest.approx(1.0)  # top 10 units hold everything
    assert c["hhi"] == pytest.approx(0.91**2 + 9 * 0.01**2)
    x = np.sort(values)
    i = np.arange(1, 101)
    assert c["gini"] == pytest.approx(np.sum((2 * i - 101) * x) / (100 * 100))


def test_concentration_table_uses_listed_models_as_the_denominator():
    frame = pd.DataFrame({"adopters": [4, 0, 0, 1, 7], "merge": [1, 0, 0, 0, 0],
                          "listed": [True, True, True, True, False]})
    t = ad.concentration_table(frame, ["adopters", "merge"]).set_index(["measure", "population"])
    assert t.loc[("adopters", "all"), "n"] == 4 and t.loc[("adopters", "all"), "share_adopted"] == 0.5
    assert t.loc[("adopters", "adopted"), "hhi"] == pytest.approx(0.8**2 + 0.2**2)
    assert t.loc[("merge", "adopted"), "n"] == 1
    assert ad.concentration_table(frame, ["adopters"], listed_only=False).iloc[0]["n"] == 5


def test_subfield_concentration():
    out = ad.space_adoption(SPACES, REPOS)
    sub = ad.subfield_concentration(out, "spaces").set_index("subfield")
    assert list(sub.index) == ["cv", "nlp", "multimodal", "other"]
    assert sub.loc["nlp", "adoption"] == 5 and sub.loc["cv", "adoption"] == 1
    assert sub.loc["other", "adoption"] == 1 and sub.loc["multimodal", "adoption"] == 0
    assert sub.loc["nlp", "share_of_adoption"] == pytest.approx(5 / 7)


def test_top_adopted_with_kinds():
    kinds = pd.DataFrame({"owner": ["meta"], "kind": ["company"], "source": ["x"]})
    out = ad.space_adoption(SPACES, REPOS)
    top = ad.top_adopted(out, 3, "spaces", kinds=kinds)
    assert top["model_id"].tolist() == ["meta/big", "ghost/deleted", "lab/vision"]  # ties by id
    assert top["rank"].tolist() == [1, 2, 3]
    assert top["kind"].tolist() == ["company", "unclassified", "unclassified"]
    assert top["share"].iloc[0] == pytest.approx(5 / 7) and top["downloads"].iloc[0] == 10_000


def test_census_comparison_rank_agreement_and_leaders():
    census = pd.DataFrame({"model_id": ["a", "b", "c", "d", "e"], "spaces": [9, 5, 5, 0, 0]})
    deriv = pd.DataFrame({"model_id": ["a", "b", "c", "zz"], "adopters": [1, 3, 2, 50],
                          "derivatives": [1, 3, 2, 60], "root_adopters": [1, 3, 2, 50]})
    both = ad.census_comparison(census, deriv)
    assert both["adopters"].tolist() == [1, 3, 2, 0, 0]  # census rows only; d, e have none
    r = ad.rank_agreement(both, "spaces", "adopters")
    assert r["n"] == 5 and r["n_either"] == 3
    assert r["rho"] == pytest.approx(both[["spaces", "adopters"]].rank().corr().iloc[0, 1])
    # over a, b, c: ranks (3, 1.5, 1.5) and (1, 3, 2): a leads by Spaces, trails by adopters
    assert r["rho_either"] == pytest.approx(-1.5 / np.sqrt(1.5 * 2.0))
    # leaders with ties: the 2nd largest Spaces value (5) is shared by b and c
    lo = ad.leader_overlap(both, "spaces", "adopters", k=2)
    assert (lo["n_a"], lo["n_b"], lo["both"]) == (3, 2, 2) and lo["ids_both"] == ["b", "c"]
    assert lo["jaccard"] == pytest.approx(2 / 3)


def test_popularity_on_all_models_bins_cohorts_and_correlations():
    frame = pd.DataFrame({
        "model_id": [f"m{i}" for i in range(8)],
        "adopters": [0, 0, 1, 0, 2, 5, 0, 9],
        "downloads": pd.array([0, 0, 5, 5, 50, 500, 500, pd.NA], dtype="Int64"),
        "likes": pd.array([0, 1, 2, 3, 4, 5, 6, 7], dtype="Int64"),
        "created_at": pd.to_datetime(["2022-01-01"] * 4 + ["2023-01-01"] * 4, utc=True),
        "listed": [True] * 7 + [False],
    })
    bins = ad.adoption_by_bin(frame, "adopters")
    assert bins["bin"].tolist() == ["0", "1–9", "10–99", "100–999"]
    assert bins["models"].tolist() == [2, 2, 1, 2] and bins["adopted"].tolist() == [0, 1, 1, 1]
    assert bins["share_adopted"].tolist() == [0.0, 0.5, 1.0, 0.5]
    corr = ad.popularity_correlations(frame, ["adopters"]).set_index("variable")
    assert corr.loc["downloads", "n"] == 7  # the unlisted row is out
    assert corr.loc["downloads", "rho"] == pytest.approx(
        frame.iloc[:7][["adopters", "downloads"]].astype(float).rank().corr().iloc[0, 1])
    coh = ad.cohort_correlations(frame, "adopters", min_models=2).set_index("year")
    assert coh.loc[2022, "n"] == 4 and coh.loc[2023, "n"] == 3
    assert coh.loc[2022, "share_adopted"] == 0.25


def test_recent_derivatives_count_the_last_days_only():
    repos = make_repos([("b/base", 0, 0, None, None, [], "2020-01-01"), ("x/new", 0, 0, None, None, [], "2024-07-01"),
                        ("y/old", 0, 0, None, None, [], "2024-01-01"), ("b/own", 0, 0, None, None, [], "2024-07-02")])
    pairs = pd.DataFrame({"model_id": ["x/new", "y/old", "b/own"], "base_model_id": ["b/base"] * 3,
                          "relation": ["finetune"] * 3})
    edges = resolve_derivations(pairs, repos)
    out = ad.recent_derivatives(edges, repos, pd.Timestamp("2024-07-11", tz="UTC"), days=30)
    assert out.to_dict() == {"b/base": 1}  # y/old is too old, b/own is the base owner's own


def test_base_model_prs_counts_the_bot_pull_requests():
    d = pd.DataFrame({
        "repo_type": ["model"] * 5, "repo_id": ["a/1", "a/2", "a/2", "a/3", "a/4"],
        "is_pull_request": [True, True, True, False, True],
        "opener": ["librarian-bot", "librarian-bot", "librarian-bot", "librarian-bot", "someone"],
        "title": ["Librarian Bot: Add base_model information to model"] * 2 + ["Update dataset YAML"] + ["base_model?"] * 2,
        "status": ["merged", "open", "merged", "open", "merged"],
    })
    out = ad.base_model_prs(d)
    assert (out["prs"], out["merged"], out["open"], out["models"]) == (2, 1, 1, 2)
    assert out["merged_share"] == 0.5 and math.isnan(out["merged_declared_share"])
    later = ad.base_model_prs(d, listed=["a/1", "a/2", "x/y"], declaring=["a/1"])
    assert later["merged_declared_share"] == 1.0 and later["open_declared_share"] == 0.0
    assert (later["merged_listed"], later["open_listed"], later["open_undeclared"]) == (1, 1, 1)


def test_empty_space_models_gives_all_zero():
    empty = pd.DataFrame({"space_id": pd.Series(dtype="string"), "model_id": pd.Series(dtype="string"),
                          "source": pd.Series(dtype="string"), "snapshot": pd.Series(dtype="string")})
    out = ad.space_adoption(empty, REPOS)
    assert len(out) == len(REPOS) and out["spaces"].sum() == 0
    c = ad.concentration(out["spaces"])
    assert c["total"] == 0 and math.isnan(c["top1_share"])


def test_popular_unadopted():
    frame = pd.DataFrame({"model_id": ["a", "z1", "z2", "gone"], "owner": ["o", "p", "q", "r"],
                          "adopters": [9, 0, 0, 0], "downloads": pd.array([9, 5000, 50, pd.NA], dtype="Int64"),
                          "likes": pd.array([0, 1, 2, 0], dtype="Int64"), "pipeline_tag": None, "listed": True})
    pop = ad.popular_unadopted(frame, 5, "adopters")
    assert pop["model_id"].tolist() == ["z1", "z2"] and pop["rank"].tolist() == [1, 2]


def test_count_for_share():
    values = [50, 30, 10, 5, 5, 0]
    assert ad.count_for_share(values, 0.5) == 1
    assert ad.count_for_share(values, 0.51) == 2
    assert ad.count_for_share(values, 0.8) == 2
    assert ad.count_for_share(values, 0.95) == 4
    assert ad.count_for_share(values, 1.0) == 5
    assert ad.count_for_share([0, 0], 0.5) == 0
    with pytest.raises(ValueError):
        ad.count_for_share(values, 0)
