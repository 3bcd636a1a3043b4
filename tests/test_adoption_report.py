"""RQ3's tables and headline numbers (analysis.adoption_report) on hand-made frames with known answers."""

import pandas as pd
import pytest

from hubcommunity.analysis import adoption as ad
from hubcommunity.analysis import adoption_report as ar
from hubcommunity.analysis import owners as ow
from hubcommunity.analysis.records import as_dict

KINDS = pd.DataFrame({"owner": ["meta", "ann", "lab"], "kind": ["company", "individual", "academic"],
                      "source": ["s", "s", "s"]})


def _deriv():
    """Five listed models, 10 derivations: meta/big 6, ann/solo 3, lab/v 1 (most adopted first)."""
    return pd.DataFrame({
        "model_id": ["meta/big", "ann/solo", "lab/v", "bob/a", "bob/b"],
        "owner": ["meta", "ann", "lab", "bob", "bob"],
        "adoption": [6, 3, 1, 0, 0],
        "finetune": [3, 0, 1, 0, 0], "adapter": [1, 0, 0, 0, 0], "quantized": [1, 1, 0, 0, 0],
        "merge": [1, 2, 0, 0, 0], "unspecified": [0] * 5,
        "downloads": pd.array([1000, 10, 100, 5000, 0], dtype="Int64"),
        "likes": pd.array([10, 0, 1, 3, 0], dtype="Int64"),
        "listed": [True] * 5,
        "pipeline_tag": ["text-generation", "text-to-image", "image-classification", None, None],
    })


def _ts(text):
    return pd.Timestamp(text, tz="UTC")


def test_snapshot_choice_prefers_the_reference_listing_and_the_latest_spaces():
    base = pd.DataFrame({"snapshot": ["a-lists", ar.REFERENCE_LISTING, "z-lists"]})
    assert ar.derivation_snapshot(base) == ar.REFERENCE_LISTING
    assert ar.derivation_snapshot(base[base.snapshot != ar.REFERENCE_LISTING]) == "z-lists"
    with pytest.raises(ValueError, match="base_models table is empty"):
        ar.derivation_snapshot(base.iloc[:0])
    snaps = pd.DataFrame({"snapshot": ["old", "old", "new", "lists"], "stream": ["spaces", "models", "spaces", "models"],
                          "captured_at": [_ts("2024-01-01"), _ts("2024-01-01"), _ts("2024-09-01"), _ts("2024-07-11")]})
    space_models = pd.DataFrame({"snapshot": ["old", "new"]})
    assert ar.spaces_snapshot(snaps, space_models) == "new"
    assert ar.spaces_snapshot(snaps, space_models.iloc[:0]) is None
    assert as_dict(ar.snapshot_records(snaps, "lists")) == {"deriv_snapshot": "lists", "deriv_captured": "2024-07-11"}


def test_derivation_data_records_resolution_and_relation_shares():
    edges = pd.DataFrame({
        "model_id": ["x/1", "x/1", "x/2", "x/3", "x/4"],
        "base_model_id": ["meta/big", "gpt2", "meta/big", "gone/m", "x/4"],
        "resolution": ["exact", "legacy", "case", "unresolved", "exact"],
        "relation": ["finetune", "merge", "finetune", "adapter", "finetune"],
        "relation_source": ["inferred", "inferred", "declared", "inferred", "inferred"],
        "self_reference": [False, False, False, False, True],
    })
    got = as_dict(ar.derivation_data_records(edges, _deriv(), ad.resolution_summary(edges)))
    assert got["n_models"] == 5 and got["n_pairs"] == 5 and got["n_derived"] == 4
    assert got["derived_share"] == 0.8 and got["resolved_exact_share"] == 0.4
    assert (got["n_resolved_case"], got["n_resolved_legacy"], got["n_unresolved"]) == (1, 1, 1)
    assert got["n_unresolved_ids"] == 1 and got["n_self"] == 1 and got["inferred_share"] == 0.8
    # relations over the four non-self pairs
    assert (got["rel_finetune_share"], got["rel_merge_share"], got["rel_adapter_share"],
            got["rel_quantized_share"]) == (0.5, 0.25, 0.25, 0.0)


def test_concentration_records_and_table():
    deriv = _deriv()
    conc = ad.concentration_table(deriv, ["adoption", "merge"])
    got = as_dict(ar.concentration_records(conc, deriv))
    assert got["n_adopted"] == 3 and got["adopted_share"] == 0.6 and got["total_adoption"] == 10
    assert got["top1_share_all"] == 0.6 and got["top1_share_adopted"] == 0.6  # one model is the top 1%
    assert got["top10_share_adopted"] == 0.6
    assert got["models_for_half"] == 1 and got["models_for_half_share"] == pytest.approx(1 / 3)
    assert got["max_adoption"] == 6 and got["top_model"] == "meta/big"
    shown = ar.concentration_shown(conc)
    assert shown.columns[0] == "derivation" and shown["derivation"].tolist() == ["adoption"] * 2 + ["merge"] * 2


def test_fit_records_name_the_fit():
    got = as_dict(ar.fit_records({"alpha": 2.5, "xmin": 3.0, "n_tail": 40, "verdict": "heavy"}))
    assert got == {"fit_alpha": 2.5, "fit_xmin": 3, "fit_ntail": 40, "fit_verdict": "heavy"}


def test_adoption_curves_put_spaces_first_and_add_each_relation():
    deriv = _deriv()
    assert list(ar.adoption_curves(deriv)) == ["derivation: all", *[f"derivation: {r}" for r in ad.DECLARED_RELATIONS]]
    with_spaces = ar.adoption_curves(deriv, deriv.assign(adoption=1))
    assert list(with_spaces)[0] == "spaces" and with_spaces["spaces"].sum() == 5


def test_top_model_and_owner_records():
    deriv = _deriv()
    top, top100 = ad.top_adopted(deriv, 2, kinds=KINDS), ad.top_adopted(deriv, 100, kinds=KINDS)
    assert as_dict(ar.top_model_records(top, top100, 10)) == {
        "top20_company": 1, "top100_company_share": 0.6, "top100_classified": 0.6, "top100_share": 1.0}
    got = as_dict(ar.owner_records(deriv, KINDS, ow.share_by_kind(deriv, KINDS), ow.owner_adoption(deriv)))
    assert (got["kind_company_share"], got["kind_individual_share"], got["kind_academic_share"],
            got["kind_non_profit_share"], got["kind_unclassified_share"]) == (0.6, 0.3, 0.1, 0.0, 0.0)
    assert got["individual_merge_quant_share"] == 1.0  # ann/solo: 2 merges + 1 quantized of 3
    assert (got["owner_top1_share"], got["owner_top5_share"]) == (0.6, 1.0)
    assert got["n_owners_adopted"] == 3 and got["owners_for_half"] == 1
    assert got["n_kinds_file"] == 3 and got["top_owner"] == "meta"
    owners = ar.top_owners_table(ow.owner_adoption(deriv), KINDS, n=2)
    assert owners[["owner", "kind"]].values.tolist() == [["meta", "company"], ["ann", "individual"]]


def test_with_measure_stacks_and_skips_missing_measures():
    a, b = pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [2, 3]})
    out = ar.with_measure({"spaces": None, "derivation": a, "other": b})
    assert out["measure"].tolist() == ["derivation", "other", "other"] and out["x"].tolist() == [1, 2, 3]


def test_subfield_and_popularity_records():
    sub = pd.DataFrame({"subfield": ["nlp", "cv"], "share_of_adoption": [0.75, 0.25], "top10_share": [0.5, 1.0]})
    assert as_dict(ar.subfield_records(sub)) == {"sub_nlp_share": 0.75, "sub_nlp_top10": 0.5, "sub_cv_share": 0.25,
                                                 "sub_cv_top10": 1.0}
    corr = pd.DataFrame({"population": ["all", "adopted"], "variable": ["downloads", "likes"], "rho": [0.1, 0.4]})
    got = as_dict(ar.popularity_records(corr, {"slope": 0.3, "r2": 0.2, "n": 9}, pd.DataFrame({"model_id": ["u/1"]})))
    assert got == {"rho_downloads_all": 0.1, "rho_likes_adopted": 0.4, "resid_slope": 0.3, "resid_r2": 0.2,
                   "resid_n": 9, "most_downloaded_unadopted": "u/1"}


def test_residual_outliers_take_both_ends_most_extreme_first():
    resid = pd.DataFrame({"model_id": [f"o/m{i}" for i in range(6)], "owner": "o", "adoption": range(6),
                          "downloads": 1, "likes": 0, "predicted": 1.0, "ratio": [9, 5, 2, 0.5, 0.2, 0.1]})
    out = ar.residual_outliers(resid, 2)
    assert out["model_id"].tolist() == ["o/m0", "o/m1", "o/m5", "o/m4"]
    assert out["direction"].tolist() == ["more than predicted"] * 2 + ["less than predicted"] * 2
    points = ar.label_outliers(resid.iloc[[0, 2, 5]], resid, k=1)
    assert points["label"].tolist() == ["m0", "", "m5"]


def test_space_records_on_a_known_snapshot():
    space_adoption = pd.DataFrame({"model_id": ["meta/big", "ann/solo", "bob/a", "bob/b"],
                                   "owner": ["meta", "ann", "bob", "bob"], "adoption": [3, 1, 0, 0]})
    links = pd.DataFrame({"snapshot": ["sp"] * 4 + ["older"]})
    got = as_dict(ar.space_records(links, space_adoption, "sp", KINDS))
    assert got["n_space_links"] == 4 and got["space_snapshot"] == "sp" and got["space_models_n"] == 4
    assert got["space_adopted_share"] == 0.5 and got["space_top1_share"] == 0.75
    assert got["space_models_for_half"] == 1
    assert (got["space_company_share"], got["space_unclassified_share"], got["space_owner_top5"]) == (0.75, 0.0, 1.0)
