"""Adoption analysis on small hand-made tables with answers worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from hubcommunity.analysis import adoption as ad


def make_repos(rows, snapshot="snap"):
    """repos table in the CONTRIBUTING.md shape from (id, likes, downloads, pipeline_tag, library, tags)."""
    out = pd.DataFrame(rows, columns=["repo_id", "likes", "downloads", "pipeline_tag", "library", "tags"])
    out.insert(0, "repo_type", "model")
    out["owner"] = out["repo_id"].str.split("/").str[0]
    out["snapshot"] = snapshot
    out["likes"] = out["likes"].astype("Int64")
    out["downloads"] = out["downloads"].astype("Int64")
    return out


REPOS = make_repos(
    [
        ("meta/big", 100, 10_000, "text-generation", "transformers", []),
        ("lab/vision", 10, 1_000, "image-classification", "timm", []),
        ("ann/small", 1, 10, "text-to-image", "diffusers", []),
        ("bob/unused", 0, 0, None, None, []),
        ("openai-community/gpt2", 50, 5_000, "text-generation", "transformers", []),
        ("Org/CaseModel", 3, 30, "fill-mask", "transformers", []),
        ("ann/ft", 0, 5, "text-generation", "transformers", ["transformers"]),
        ("ann/lora", 0, 5, None, "peft", ["peft", "lora"]),
        ("ann/q", 0, 5, None, "transformers", ["gguf", "4-bit"]),
        ("ann/m", 0, 5, None, "transformers", ["merge", "mergekit"]),
        ("ann/two", 0, 5, None, "transformers", []),
        ("bob/self", 0, 5, None, "transformers", []),
    ]
)

SPACES = pd.DataFrame(
    {
        "space_id": ["s/1", "s/1", "s/2", "s/3", "s/3", "s/4", "s/5", "s/5"],
        "model_id": ["meta/big", "lab/vision", "meta/big", "meta/big", "ghost/deleted", "meta/big", "meta/big", "meta/big"],
        "snapshot": "snap",
    }
)


def test_space_adoption_counts_distinct_spaces_and_keeps_zero_and_unlisted():
    out = ad.space_adoption(SPACES, REPOS).set_index("model_id")
    # meta/big: spaces 1,2,3,4,5 (s/5 names it twice -> once)
    assert out.loc["meta/big", "adoption"] == 5
    assert out.loc["lab/vision", "adoption"] == 1
    assert out.loc["ghost/deleted", "adoption"] == 1
    assert not out.loc["ghost/deleted", "listed"] and out.loc["meta/big", "listed"]
    assert out.loc["ghost/deleted", "owner"] == "ghost"
    assert out.loc["bob/unused", "adoption"] == 0
    assert len(out) == len(REPOS) + 1  # every listed model plus the unlisted one
    assert out["adoption"].sum() == 7
    assert ad.space_adoption(SPACES, REPOS)["model_id"].iloc[0] == "meta/big"  # sorted


def test_space_adoption_refuses_to_pool_snapshots():
    two = pd.concat([SPACES, SPACES.assign(snapshot="other")])
    with pytest.raises(ValueError, match="several snapshots"):
        ad.space_adoption(two, REPOS)
    out = ad.space_adoption(two, pd.concat([REPOS, REPOS.assign(snapshot="other")]), snapshot="other")
    assert out.set_index("model_id").loc["meta/big", "adoption"] == 5


def test_resolve_model_ids_steps():
    listed = pd.Series(["openai-community/gpt2", "Org/CaseModel", "google-bert/x", "FacebookAI/x", "meta/big"])
    raw = pd.Series(["meta/big", "org/casemodel", "gpt2", "x", "nobody/here", "gpt2", None])
    out = ad.resolve_model_ids(raw, listed).set_index("raw_id")
    assert len(out) == 5  # distinct, missing dropped
    assert out.loc["meta/big"].tolist() == ["meta/big", "exact"]
    assert out.loc["org/casemodel"].tolist() == ["Org/CaseModel", "case"]
    assert out.loc["gpt2"].tolist() == ["openai-community/gpt2", "legacy"]
    # "x" exists under two legacy orgs: ambiguous, so not resolved
    assert out.loc["x"].tolist() == ["x", "unresolved"]
    assert out.loc["nobody/here"].tolist() == ["nobody/here", "unresolved"]


def _base_models():
    return pd.DataFrame(
        {
            "model_id": ["ann/ft", "ann/lora", "ann/q", "ann/m", "ann/m", "ann/two", "ann/two", "bob/self", "lab/vision", "lab/vision"],
            "base_model_id": ["meta/big", "meta/big", "meta/big", "meta/big", "lab/vision", "gpt2", "gpt2", "bob/self", "org/casemodel", "gone/model"],
            "relation": ["unspecified", "unspecified", "unspecified", "unspecified", "unspecified", "unspecified", "adapter", "unspecified", "finetune", "unspecified"],
            "source": "tag",
            "snapshot": "snap",
        }
    )


def test_derivation_edges_resolve_infer_and_deduplicate():
    edges = ad.derivation_edges(_base_models(), REPOS)
    pairs = {(r.model_id, r.base_model_id): r for r in edges.itertuples()}
    assert pairs[("ann/ft", "meta/big")].relation == "finetune"  # no marker: Hub default
    assert pairs[("ann/lora", "meta/big")].relation == "adapter"  # peft library
    assert pairs[("ann/q", "meta/big")].relation == "quantized"  # gguf tag
    assert pairs[("ann/m", "meta/big")].relation == "merge"  # merge tag (and two bases)
    # ann/two names gpt2 twice: one unspecified, one declared adapter -> one pair, declared wins
    two = pairs[("ann/two", "openai-community/gpt2")]
    assert (two.relation, two.relation_source, two.resolution) == ("adapter", "declared", "legacy")
    assert pairs[("lab/vision", "Org/CaseModel")].resolution == "case"
    assert pairs[("lab/vision", "gone/model")].resolution == "unresolved"
    assert pairs[("bob/self", "bob/self")].self_reference
    assert len(edges) == 9

    summary = ad.resolution_summary(edges)
    assert summary["pairs"] == 9
    assert summary["self_references"] == 1
    assert summary["pairs_legacy"] == 1 and summary["pairs_case"] == 1 and summary["pairs_unresolved"] == 1
    assert summary["pairs_exact"] == 6
    assert summary["unresolved_ids"] == 1
    assert summary["derived_models"] == 7
    # declared: lab/vision->Org/CaseModel (finetune) and ann/two->gpt2 (adapter)
    assert summary["inferred_relations"] == 7


def test_derivation_adoption_counts_by_relation():
    edges = ad.derivation_edges(_base_models(), REPOS)
    out = ad.derivation_adoption(edges, REPOS).set_index("model_id")
    big = out.loc["meta/big"]
    assert big["adoption"] == 4
    assert [big[r] for r in ad.RELATIONS] == [1, 1, 1, 1, 0]
    assert out.loc["lab/vision", "adoption"] == 1 and out.loc["lab/vision", "merge"] == 1
    assert out.loc["openai-community/gpt2", "adapter"] == 1
    assert out.loc["bob/self", "adoption"] == 0  # self-reference skipped
    assert not out.loc["gone/model", "listed"]
    assert (out[list(ad.RELATIONS)].sum(axis=1) == out["adoption"]).all()
    assert out["adoption"].sum() == 8


def test_without_inference_relations_stay_unspecified():
    edges = ad.derivation_edges(_base_models(), REPOS, infer=False)
    out = ad.derivation_adoption(edges, REPOS).set_index("model_id")
    assert out.loc["meta/big", "unspecified"] == 4


def test_unknown_relation_is_a_clear_error():
    bm = _base_models()
    bm.loc[3, "relation"] = "distilled"
    with pytest.raises(ValueError, match="unknown relation 'distilled' for ann/m -> meta/big"):
        ad.derivation_edges(bm, REPOS)


def test_concentration_known_values():
    # 100 units: one holds 91, nine hold 1 each, ninety hold 0. Total 100.
    values = [91] + [1] * 9 + [0] * 90
    c = ad.concentration(values)
    assert c["n"] == 100 and c["total"] == 100 and c["n_adopted"] == 10
    assert c["share_adopted"] == pytest.approx(0.10)
    assert c["top1_share"] == pytest.approx(0.91)  # top 1 unit
    assert c["top10_share"] == pytest.approx(1.0)  # top 10 units hold everything
    assert c["hhi"] == pytest.approx(0.91**2 + 9 * 0.01**2)
    # Gini, sorted-values formula: sum((2i - n - 1) x_i) / (n * total)
    x = np.sort(values)
    i = np.arange(1, 101)
    assert c["gini"] == pytest.approx(np.sum((2 * i - 101) * x) / (100 * 100))


def test_concentration_table_has_both_populations():
    frame = pd.DataFrame({"adoption": [4, 0, 0, 1], "merge": [1, 0, 0, 0]})
    t = ad.concentration_table(frame, ["adoption", "merge"]).set_index(["measure", "population"])
    assert t.loc[("adoption", "all"), "n"] == 4
    assert t.loc[("adoption", "adopted"), "n"] == 2
    assert t.loc[("adoption", "adopted"), "hhi"] == pytest.approx(0.8**2 + 0.2**2)
    assert t.loc[("merge", "adopted"), "n"] == 1


def test_subfield_concentration():
    out = ad.space_adoption(SPACES, REPOS)
    sub = ad.subfield_concentration(out).set_index("subfield")
    assert list(sub.index) == ["cv", "nlp", "multimodal", "other"]
    assert sub.loc["nlp", "adoption"] == 5  # meta/big (text-generation)
    assert sub.loc["cv", "adoption"] == 1  # lab/vision
    assert sub.loc["other", "adoption"] == 1  # unlisted ghost has no tag
    assert sub.loc["multimodal", "adoption"] == 0
    assert sub["share_of_adoption"].sum() == pytest.approx(1.0)
    assert sub.loc["nlp", "share_of_adoption"] == pytest.approx(5 / 7)


def test_top_adopted_with_kinds():
    kinds = pd.DataFrame({"owner": ["meta"], "kind": ["company"], "source": ["x"]})
    out = ad.space_adoption(SPACES, REPOS)
    top = ad.top_adopted(out, n=3, kinds=kinds)
    assert top["model_id"].tolist() == ["meta/big", "ghost/deleted", "lab/vision"]  # ties by id
    assert top["rank"].tolist() == [1, 2, 3]
    assert top["kind"].tolist() == ["company", "unclassified", "unclassified"]
    assert top["share"].iloc[0] == pytest.approx(5 / 7)
    assert top["downloads"].iloc[0] == 10_000


def test_popularity_correlations_perfect_and_reversed():
    frame = pd.DataFrame(
        {
            "model_id": list("abcde"),
            "adoption": [5, 4, 3, 2, 1],
            "downloads": pd.array([50, 40, 30, 20, 10], dtype="Int64"),
            "likes": pd.array([1, 2, 3, 4, 5], dtype="Int64"),
            "listed": True,
        }
    )
    out = ad.popularity_correlations(frame).set_index(["population", "variable"])
    assert out.loc[("all", "downloads"), "rho"] == pytest.approx(1.0)
    assert out.loc[("all", "likes"), "rho"] == pytest.approx(-1.0)
    assert out.loc[("all", "downloads"), "n"] == 5


def test_adoption_residuals_recover_line_and_symmetric_outliers():
    # On the line log10(1+y) = 0.5 + 0.5 log10(1+x) exactly, plus two outliers at the
    # same x, one +1 and one -1 decade off the line: they cancel in least squares,
    # so the fit is exactly the line and their residuals are exactly +1 and -1.
    on_line = np.array([0, 9, 99, 999, 9999])
    xs = np.append(on_line, [99, 99])  # m5 and m6 are the outliers
    ly = 0.5 + 0.5 * np.log10(1 + xs)
    ly[5] += 1.0
    ly[6] -= 1.0
    frame = pd.DataFrame(
        {
            "model_id": [f"m{i}" for i in range(len(xs))],
            "adoption": 10**ly - 1,
            "downloads": xs,
            "listed": True,
        }
    )
    res, fit = ad.adoption_residuals(frame)
    assert fit["slope"] == pytest.approx(0.5)
    assert fit["intercept"] == pytest.approx(0.5)
    assert fit["n"] == 7
    assert res["model_id"].iloc[0] == "m5" and res["residual"].iloc[0] == pytest.approx(1.0)
    assert res["model_id"].iloc[-1] == "m6" and res["residual"].iloc[-1] == pytest.approx(-1.0)
    assert res["ratio"].iloc[0] == pytest.approx(10.0)
    on_line = res[~res["model_id"].isin(["m5", "m6"])]
    assert np.allclose(on_line["residual"], 0.0)
    assert np.allclose(on_line["predicted"], on_line["adoption"])


def test_residuals_need_variation():
    frame = pd.DataFrame({"model_id": ["a", "b"], "adoption": [1, 2], "downloads": [3, 3], "listed": True})
    with pytest.raises(ValueError, match="two distinct downloads"):
        ad.adoption_residuals(frame)


def test_empty_space_models_gives_all_zero():
    empty = pd.DataFrame({"space_id": pd.Series(dtype="string"), "model_id": pd.Series(dtype="string"), "snapshot": pd.Series(dtype="string")})
    out = ad.space_adoption(empty, REPOS)
    assert len(out) == len(REPOS) and out["adoption"].sum() == 0
    c = ad.concentration(out["adoption"])
    assert c["total"] == 0 and math.isnan(c["top1_share"])


def test_residual_population_adopted_drops_zeros_and_popular_unadopted_lists_them():
    frame = pd.DataFrame(
        {
            "model_id": ["a", "b", "c", "z1", "z2", "gone"],
            "owner": ["o", "o", "o", "p", "q", "r"],
            "adoption": [9, 99, 999, 0, 0, 0],
            "downloads": pd.array([9, 99, 999, 5000, 50, pd.NA], dtype="Int64"),
            "likes": pd.array([0, 0, 0, 1, 2, 0], dtype="Int64"),
            "pipeline_tag": None,
            "listed": [True, True, True, True, True, True],
        }
    )
    res, fit = ad.adoption_residuals(frame)  # adopted only: exact line y = x
    assert fit["n"] == 3 and fit["slope"] == pytest.approx(1.0) and fit["intercept"] == pytest.approx(0.0, abs=1e-12)
    _, fit_all = ad.adoption_residuals(frame, population="all")
    assert fit_all["n"] == 5  # 'gone' has no downloads
    with pytest.raises(ValueError, match="population"):
        ad.adoption_residuals(frame, population="some")
    pop = ad.popular_unadopted(frame, n=5)
    assert pop["model_id"].tolist() == ["z1", "z2"]
    assert pop["rank"].tolist() == [1, 2]


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
