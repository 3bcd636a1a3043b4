"""RQ3's tables and headline numbers (analysis.adoption_report) on hand-made frames with known answers."""

import numpy as np
import pandas as pd
import pytest

from hubcommunity import privacy
from hubcommunity.analysis import adoption as ad
from hubcommunity.analysis import adoption_report as ar
from hubcommunity.analysis import owners as ow
from hubcommunity.analysis.records import as_dict
from hubcommunity.derivations import resolve_derivations

KINDS = pd.DataFrame({"owner": ["meta", "ann", "lab", "Qwen", "robo"],
                      "kind": pd.array(["company", "individual", "academic", "company", "automated"], dtype="string"),
                      "source": ["s"] * 5})
NAMED = ar.named_for_rq3(KINDS, ["somebot"])


def _ts(text):
    return pd.Timestamp(text, tz="UTC")


def _repos():
    ids = ["meta/big", "meta/big-it", "ann/ft", "ann/q", "bob/ft", "robo/merge", "lab/v", "cat/x", "cat/y", "dan/z"]
    return pd.DataFrame({
        "repo_type": "model", "repo_id": ids, "owner": [i.split("/")[0] for i in ids],
        "likes": pd.array([10, 0, 0, 0, 0, 0, 1, 0, 0, 0], dtype="Int64"),
        "downloads": pd.array([1000, 50, 5, 5, 5, 5, 100, 0, 0, 9], dtype="Int64"),
        "pipeline_tag": ["text-generation", None, None, None, None, None, "image-classification", None, None, None],
        "library": None, "tags": [[], [], [], ["gguf"], [], ["merge"], [], [], [], []],
        "created_at": pd.to_datetime(["2023-01-01"] * 10, utc=True), "snapshot": "L",
    })


def _edges():
    """meta/big <- meta/big-it (own), ann/ft, ann/q, bob/ft, robo/merge; lab/v <- ann/ft; ann/ft <- cat/x."""
    pairs = pd.DataFrame([("meta/big-it", "meta/big", "finetune"), ("ann/ft", "meta/big", "unspecified"),
                          ("ann/q", "meta/big", "unspecified"), ("bob/ft", "meta/big", "unspecified"),
                          ("robo/merge", "meta/big", "unspecified"), ("ann/ft", "lab/v", "unspecified"),
                          ("cat/x", "ann/ft", "unspecified"), ("dan/z", "gone/m", "unspecified")],
                         columns=["model_id", "base_model_id", "relation"])
    return resolve_derivations(pairs, _repos()).assign(snapshot="L")


def _deriv(mass=("robo",)):
    return ad.derivation_adoption(_edges(), _repos(), mass_producers=mass)


def test_snapshot_choice_prefers_the_reference_captures_and_the_latest_spaces_listing():
    base = pd.DataFrame({"snapshot": ["a-lists", ar.REFERENCE_LISTING, "z-lists"]})
    assert ar.derivation_snapshot(base) == ar.REFERENCE_LISTING
    assert ar.derivation_snapshot(base[base.snapshot != ar.REFERENCE_LISTING]) == "z-lists"
    with pytest.raises(ValueError, match="derivations table is empty"):
        ar.derivation_snapshot(base.iloc[:0])
    assert ar.details_snapshot(pd.DataFrame({"snapshot": ["x", ar.REFERENCE_DETAILS]})) == ar.REFERENCE_DETAILS
    assert ar.details_snapshot(pd.DataFrame({"snapshot": []})) is None
    snaps = pd.DataFrame({"snapshot": ["old", "old", "new", "lists", "det"],
                          "stream": ["spaces", "models", "spaces", "models", "model_details"],
                          "captured_at": [_ts("2024-01-01"), _ts("2024-01-01"), _ts("2024-09-01"), _ts("2024-07-11"),
                                          _ts("2024-07-11")]})
    links = pd.DataFrame({"snapshot": ["old", "new", "det"], "source": [ad.SPACE_MODELS] * 2 + [ad.MODEL_SPACES]})
    assert ar.spaces_snapshot(snaps, links) == "new"
    assert ar.spaces_snapshot(snaps, links[links.snapshot == "det"]) is None  # details links are no Spaces listing
    got = as_dict(ar.snapshot_records(snaps, "lists", "det"))
    assert got == {"deriv_snapshot": "lists", "deriv_captured": "2024-07-11", "census_snapshot": "det",
                   "census_captured": "2024-07-11"}


def _census():
    ids = ["q/a", "q/b", "1/c", "Q/d", "g/renamed"]
    details = pd.DataFrame({"repo_id": ids, "owner": [i.split("/")[0] for i in ids], "likes": 0, "downloads": 0,
                            "pipeline_tag": None, "n_parameters": pd.array([None] * 5, dtype="Int64"),
                            "n_files": 1, "snapshot": "det"})
    links = pd.DataFrame([(f"s/{i}", "q/a") for i in range(100)] + [("s/x", "q/b"), ("s/y", "q/b"), ("s/x", "1/c")],
                         columns=["space_id", "model_id"]).assign(source=ad.MODEL_SPACES, snapshot="det")
    return ad.space_census(details, links), links


def test_census_records_count_coverage_links_and_the_cap():
    census, links = _census()
    listed = pd.Series(["q/a", "q/b", "1/c", "Q/d", "q/missing", "g/renamed", "meta/x"])
    got = as_dict(ar.census_records(census, links, listed))
    assert (got["census_n"], got["prefix_n"], got["prefix_in_census"]) == (5, 5, 4)
    assert got["prefix_coverage"] == pytest.approx(0.8) and got["census_renamed"] == 1 and got["census_listed"] == 5
    assert (got["space_links"], got["space_distinct"], got["space_models_used"]) == (103, 102, 3)
    assert got["space_used_share"] == pytest.approx(0.6)
    assert got["space_top1_share"] == pytest.approx(100 / 103)
    assert (got["space_capped"], got["space_max"], got["space_models_for_half"]) == (1, 100, 1)


def test_sensitivity_records_and_table():
    census, _ = _census()
    sens = ad.censored_sensitivity(census["spaces"])
    got = as_dict(ar.sensitivity_records(sens))
    assert got["sens_x1_censored_share"] == pytest.approx(100 / 103)
    assert got["sens_x10_censored_share"] == pytest.approx(1000 / 1003)
    shown = ar.sensitivity_shown(sens)
    assert shown["factor"].tolist() == ["as observed (lower bounds)", "twice the cap", "ten times the cap"]
    assert set(ar.labels(shown)) == set(shown.columns)


def test_labels_refuse_a_column_without_a_header():
    with pytest.raises(KeyError, match="no_header"):
        ar.labels(pd.DataFrame({"rank": [1], "no_header": [2]}))
    assert ar.labels(pd.DataFrame({"share": [1]}), share="Share of X (%)") == {"share": "Share of X (%)"}


def test_space_top_and_kinds_name_organisations_only():
    census, _ = _census()
    census = census.assign(owner=census["owner"].replace({"q": "Qwen"}), model_id=census["model_id"].str.replace("q/", "Qwen/"))
    top = ar.space_top_shown(census.assign(adopters=0, derivatives=0), KINDS, NAMED, n=3)
    assert top["model"].tolist()[:2] == ["Qwen/a", "Qwen/b"]  # an organisation is named
    assert top["model"].iloc[2] == privacy.pseudonym("1") + "/c"  # an unclassified account is not
    assert top["at_cap"].tolist() == [True, False, False]
    assert set(ar.SPACE_TOP_SHOWN) <= set(top.columns)
    got = as_dict(ar.space_kind_records(census, KINDS, NAMED))
    assert got["space_company_share"] == pytest.approx(102 / 103) and got["space_top_owner"] == "Qwen"


def test_derivation_data_records_explain_every_count():
    edges, deriv = _edges(), _deriv()
    got = as_dict(ar.derivation_data_records(edges, deriv, ad.resolution_summary(edges)))
    assert got["n_models"] == 10 and got["n_pairs"] == 8 and got["n_derived"] == 7
    assert got["n_self_deriv"] == 1 and got["self_deriv_share"] == pytest.approx(1 / 8)
    assert got["n_derivations"] == 7 and got["n_derivations_listed"] == 6  # gone/m is not listed
    assert (got["n_base_ids"], got["n_base_ids_listed"], got["n_base_ids_unlisted"]) == (4, 3, 1)
    assert got["n_unresolved"] == 1 and got["unresolved_share"] == pytest.approx(1 / 8)
    # derivations by others: ann/q quantized (tag), robo/merge merge, ann/ft merge (two bases), the rest fine-tunes
    assert got["rel_quantized_share"] == pytest.approx(1 / 7) and got["rel_merge_share"] == pytest.approx(3 / 7)


def test_concentration_records_use_listed_models_and_name_by_privacy():
    deriv = _deriv()
    conc = ad.concentration_table(deriv, ["adopters", "derivatives", "root_adopters", "adopters_excl_mass"])
    got = as_dict(ar.concentration_records(conc, deriv, NAMED))
    # built on by another owner: meta/big (ann, bob, robo), lab/v (ann), ann/ft (cat); gone/m is unlisted
    assert got["n_adopted"] == 3 and got["adopted_share"] == pytest.approx(3 / 10)
    assert got["total_derivatives"] == 6 and got["total_adopters"] == 5
    assert got["top_model"] == "meta/big" and got["top_model_adopters"] == 3 and got["top_model_derivatives"] == 4
    assert got["n_adopted_excl_mass"] == 3 and got["models_for_half"] == 1
    shown = ar.concentration_shown(conc)
    assert set(shown["measure"]) == {"adopting owners", "derivatives", "adopting owners, roots",
                                     "adopting owners, without mass producers"}
    assert set(ar.labels(shown)) == set(shown.columns)


def test_top_models_roots_owners_and_mass_producers():
    edges, deriv = _edges(), _deriv()
    listed = deriv[deriv["listed"]]
    top = ad.top_adopted(listed, 3, "adopters", kinds=KINDS, extra=["derivatives", "self_derivatives", "root_adopters"])
    got = as_dict(ar.top_model_records(top, top, deriv))
    assert got["top20_company"] == 1 and got["top100_share"] == pytest.approx(1.0)
    shown = ar.top_models_shown(top, NAMED)
    assert shown["model"].tolist() == ["meta/big", privacy.pseudonym("ann") + "/ft", "lab/v"]
    assert shown.loc[0, "self_derivatives"] == 1
    roots = ad.derivation_roots(edges)
    r = as_dict(ar.root_records(edges, deriv, roots, NAMED))
    # cat/x -> ann/ft -> {meta/big, lab/v}: one of seven derivations names a derived base
    assert r["chain_share"] == pytest.approx(1 / 7) and r["n_in_cycles"] == 0
    assert r["top_root_model"] == "meta/big" and r["top_root_adopters"] == 4 and r["top_root_immediate"] == 3
    assert r["root_gain_from"] + 1 == r["root_gain_to"]
    per_owner = ad.owner_adopters(edges, ["robo"])
    by_kind = ow.share_by_kind(listed, KINDS, "derivatives")
    o = as_dict(ar.owner_records(deriv, KINDS, by_kind, per_owner, NAMED))
    assert o["top_owner"] == "meta" and o["top_owner_adopters"] == 3
    assert o["n_owners_adopted"] == 4  # meta, lab, ann and the owner of the unlisted gone/m
    assert o["kind_company_share"] == pytest.approx(4 / 6) and o["kind_automated_share"] == 0
    owners_shown = ar.top_owners_shown(per_owner, KINDS, NAMED, 3)
    assert owners_shown["owner"].tolist() == ["meta", privacy.pseudonym("ann"), privacy.pseudonym("gone")]  # ties by name
    act = ad.mass_producer_activity(edges, ["robo"])
    mass = pd.DataFrame({"account": ["robo"], "activity": ["automated"], "evidence": ["e"]})
    m = ar.mass_shown(act, mass, NAMED)
    assert m["account"].tolist() == ["robo"]  # an automated account is named, not pseudonymised
    assert as_dict(ar.mass_records(act, edges))["mass_share"] == pytest.approx(1 / 7)


def test_comparison_records_and_points():
    census = pd.DataFrame({"model_id": ["Qwen/a", "x/b", "x/c", "x/d"], "spaces": [9, 5, 0, 0],
                           "adopters": [1, 0, 4, 0], "derivatives": [1, 0, 9, 0], "root_adopters": [1, 0, 4, 0],
                           "n_parameters": pd.array([34_000_000_000, None, 7_000_000_000, None], dtype="Int64")})
    agreement = {c: ad.rank_agreement(census, "spaces", c) for c in ("adopters", "derivatives", "root_adopters")}
    overlap = ad.leader_overlap(census, "spaces", "adopters", k=1)
    got = as_dict(ar.comparison_records(census, agreement, overlap))
    assert got["census_both"] == 1 and got["census_either"] == 3 and got["census_built_share"] == 0.5
    assert (got["leaders_spaces"], got["leaders_adopters"], got["leaders_both"]) == (1, 1, 0)
    assert got["leaders_spaces_params"] == pytest.approx(34.0) and got["leaders_adopters_params"] == pytest.approx(7.0)
    assert got["leaders_spaces_params_n"] == 1
    pts = ar.comparison_points(census, NAMED, overlap, k=1)
    assert len(pts) == 3 and set(pts["leader"]) <= set(ar.LEADER_COLOURS)
    by = pts.set_index("model")
    assert by.loc["Qwen/a", "leader"] == "by Spaces" and by.loc["Qwen/a", "label"] == "a"
    assert by.loc[privacy.pseudonym("x") + "/c", "leader"] == "by adopting owners"


def test_popularity_records_and_table():
    deriv = _deriv()
    corr = ad.popularity_correlations(deriv, ["adopters", "derivatives"])
    bins = ad.adoption_by_bin(deriv, "adopters")
    cohorts = ad.cohort_correlations(deriv, "adopters", min_models=2)
    recent = ad.popularity_correlations(deriv.assign(recent=deriv["adopters"]), ["recent"])
    prs = {"prs": 4, "merged_share": 0.25, "merged_declared_share": 1.0, "open_declared_share": 0.0,
           "open_undeclared": 3}
    got = as_dict(ar.popularity_records(corr, bins, cohorts, recent, prs))
    assert got["bin0_models"] == 2 and got["bin0_share"] == 0.0  # cat/x and cat/y were never downloaded
    assert np.isnan(got["bin_1m_share"]) and got["bin_1m_models"] == 0
    assert got["librarian_prs"] == 4 and got["librarian_open_undeclared"] == 3
    shown = ar.popularity_shown(corr, cohorts, recent)
    assert len(shown) == 4 + len(cohorts) + 2 and set(ar.labels(shown)) == set(shown.columns)


def test_space_listing_records():
    repos = _repos()
    links = pd.DataFrame({"space_id": ["s/1", "s/2", "s/2"], "model_id": ["meta/big", "meta/big", "lab/v"],
                          "source": ad.SPACE_MODELS, "snapshot": "L"})
    sa = ad.space_adoption(links, repos, "L")
    got = as_dict(ar.space_listing_records(links, sa, "L", KINDS))
    assert got["n_space_links"] == 3 and got["space_models_n"] == 10 and got["space_adopted_share"] == 0.2
    assert got["space_listing_company_share"] == pytest.approx(2 / 3)
