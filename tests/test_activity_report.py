"""RQ1's tables and headline numbers (analysis.activity_report) on hand-made frames with known answers."""

import numpy as np
import pandas as pd
import pytest

from hubcommunity.analysis import activity as ac
from hubcommunity.analysis import activity_report as ar
from hubcommunity.analysis.records import as_dict


def _ts(text):
    return pd.Timestamp(text, tz="UTC")


def _activity():
    """Ten models (downloads 0 x6, then 1, 2, 3, 94), two datasets; 2 models have discussions."""
    n = 10
    frame = pd.DataFrame({
        "repo_type": ["model"] * n + ["dataset"] * 2,
        "repo_id": [f"o/m{i}" for i in range(n)] + ["o/d0", "o/d1"],
        "created_at": [_ts("2022-06-01")] * 4 + [_ts("2023-09-30")] * 2 + [_ts("2023-10-01")] * 4
        + [_ts("2023-01-01")] * 2,
        "likes": pd.array([0] * 8 + [5, 5] + [0, 4], dtype="Int64"),
        "downloads": pd.array([0, 0, 0, 0, 94, 0, 0, 1, 2, 3, 10, 0], dtype="Int64"),
    })
    for var in ac.ACTIVITY_VARIABLES:
        if var not in frame:
            frame[var] = pd.array([pd.NA] * len(frame), dtype="Int64")
        frame[f"{var}_missing"] = pd.array([pd.NA] * len(frame), dtype="string")
    frame.loc[:9, "discussions"] = [0] * 8 + [3, 1]
    frame.loc[:9, "discussion_participants"] = [0] * 8 + [2, 1]
    frame.loc[10:, "discussions_missing"] = "no discussions captured for this repository type"
    return frame


def _claims():
    rows = [("models_analysed", 300.0), ("datasets_analysed", 40.0), ("spaces_analysed", 7.0),
            ("models_zero_downloads_share", 0.7), ("models_top1_downloads_share", 0.99)]
    return pd.DataFrame({"key": [k for k, _ in rows], "value": [v for _, v in rows]})


def test_labels_name_bot_free_variants():
    assert ar.label("downloads") == "downloads (30 days)"
    assert ar.label("threads_nobots") == "threads (no bots)"


def test_inventory_counts_types_and_dates():
    got = as_dict(ar.inventory_records(_activity(), {"models": _ts("2024-07-11 09:00")}))
    assert got == {"models_captured": "2024-07-11", "n_models": 10, "n_datasets": 2, "n_spaces": 0}


def test_missing_records_count_late_and_failed_models():
    missing = pd.DataFrame({
        "repo_type": ["model", "model", "model", "dataset"],
        "variable": ["discussions", "discussion_participants", "discussions", "discussions"],
        "reason": ["created after the discussions capture (2024-01-25)"] * 2
        + ["discussion listing failed (HTTP 403)", "no discussions captured for this repository type"],
        "count": [7, 7, 2, 5]})
    assert as_dict(ar.missing_records(missing)) == {"n_models_after_discussions": 7, "n_models_discussions_failed": 2}


def test_summary_records_give_zero_share_concentration_and_skip_types_without_data():
    got = as_dict(ar.summary_records(ac.activity_summary(_activity())))
    assert got["model_downloads_zero"] == pytest.approx(0.6)
    assert got["model_downloads_top1"] == pytest.approx(0.94)  # top 1% of 10 rounds up to one model
    assert got["model_downloads_median"] == 0
    assert got["model_likes_top10"] == pytest.approx(0.5)
    assert got["dataset_downloads_top1"] == 1.0 and got["dataset_likes_zero"] == 0.5
    assert got["model_discussions_n"] == 10 and got["model_discussions_top1"] == pytest.approx(0.75)
    assert "space_likes_zero" not in got


def test_models_created_before_the_paper_and_the_headline_table():
    activity = _activity()
    models = activity[activity.repo_type == "model"]
    old = ar.created_before(models, "2023-10-01")
    assert len(old) == 6  # 2023-10-01 itself is not before
    assert as_dict(ar.older_models_records(old)) == {
        "old_models": 6, "old_models_zero_downloads": pytest.approx(5 / 6), "old_models_top1_downloads": 1.0}
    table = ar.headline_table(activity, ac.activity_summary(activity), old,
                              {"models": _ts("2024-07-11"), "datasets": _ts("2024-07-12")}, _claims())
    book = dict(zip(table["measure"], table["this book"]))
    paper = dict(zip(table["measure"], table["paper"]))
    assert paper["models analysed"] == "300" and book["models analysed"] == "10" and book["spaces analysed"] == "0"
    assert paper["models with 0 downloads"] == "over 70%" and book["models with 0 downloads"] == "60.0%"
    assert book["  same, models created before 2023-10"] == "83.3%"
    assert book["downloads held by the top 1% of models"] == "94.0%"
    assert book["capture date"] == "models 2024-07-11, datasets 2024-07-12"


def test_paper_records_come_from_the_claims_table():
    got = as_dict(ar.paper_records(_claims()))
    assert got == {"paper_zero_downloads": 0.7, "paper_top1_downloads": 0.99, "paper_captured": ar.PAPER_CAPTURED,
                   "paper_n_models": 300, "paper_n_datasets": 40, "paper_n_spaces": 7}


def test_bot_list_reads_the_file_and_names_its_source(tmp_path):
    path = tmp_path / "bots.csv"
    path.write_text("account,kind,evidence\nx-bot,bot,name ends in -bot\n")
    assert ar.bot_list(path) == (frozenset({"x-bot"}), str(path))
    accounts, source = ar.bot_list()
    assert source == "data/bots.csv" and {"SFconvertbot", "librarian-bot"} <= accounts
    path.write_text("account\nx-bot\n")  # no evidence column: the curated list is validated
    with pytest.raises(ValueError, match="columns"):
        ar.bot_list(path)


def _fits():
    return pd.DataFrame({
        "repo_type": ["model", "model", "dataset", "model", "model (discussions capture)", "space"],
        "variable": ["downloads", "likes", "downloads", "discussions", "threads_nobots", "likes"],
        "n_positive": [100, 50, 40, 20, 10, 0], "xmin": [10, 3, 2, 1, 1, None], "n_tail": [25, 10, 40, 20, 5, None],
        "alpha": [2.0, 2.5, 1.8, 3.0, 2.2, None], "sigma": [0.1] * 5 + [None], "D": [0.01] * 5 + [None],
        "R_lognormal": [-3.0, -1.0, 2.0, -0.5, 4.0, None], "p_lognormal": [0.01, 0.5, 0.05, 0.2, 0.01, None],
        "R_exponential": [5.0, 6.0, 1.0, -1.0, 3.0, None], "p_exponential": [0.01, 0.01, 0.3, 0.01, 0.02, None],
        "R_truncated_power_law": [-1.0] * 5 + [None], "p_truncated_power_law": [0.1] * 5 + [None],
        "verdict": ["lognormal better", "undecided", "power law over lognormal", "x", "y", "no data"]})


def test_fit_records_count_significant_comparisons():
    got = as_dict(ar.fit_records(_fits()))
    assert got["fit_model_downloads_tail"] == 0.25 and got["fit_model_downloads_xmin"] == 10
    assert got["fit_model_likes_verdict"] == "undecided"
    assert got["n_fitted"] == 5
    assert got["n_lognormal_better"] == 1  # model downloads only (likes and discussions: p too large)
    assert got["n_pl_over_lognormal"] == 2  # dataset downloads, threads_nobots
    assert got["n_exp_worse"] == 3  # model downloads, likes, threads_nobots
    assert got["n_tpl_better"] == 0  # p = 0.1 is not below 0.1
    assert "n_gof_rejected" not in got  # no goodness-of-fit columns, no such numbers
    shown = ar.fits_shown(_fits())
    assert shown.columns[0] == "series" and len(shown) == 5
    assert "models (discussions capture): threads (no bots)" in set(shown["series"])
    assert set(ar.fit_comparisons_shown(_fits()).columns) >= {"series", "R_lognormal", "p_truncated_power_law"}


def test_fit_records_with_the_goodness_of_fit_test():
    fits = _fits().assign(p_gof=[0.001, 0.5, 0.8, 0.05, 0.3, None], gof_replicates=[999, 200, 120, 999, 400, None],
                          gof_max_replicates=[999] * 5 + [None], at_bound=[False] * 5 + [None],
                          support=["with cut-off", "moderate", "good", "none", "moderate", None])
    got = as_dict(ar.fit_records(fits))
    assert got["fit_model_downloads_pgof"] == 0.001 and got["fit_model_downloads_reps"] == 999
    assert got["fit_dataset_downloads_support"] == "good"
    assert got["n_gof_rejected"] == 2 and got["n_gof_passed"] == 3  # p <= 0.1 rules out
    assert got["gof_fewest_reps"] == 120 and got["gof_max_replicates"] == 999
    assert (got["n_support_cutoff"], got["n_support_moderate"], got["n_support_good"], got["n_support_none"]) == \
        (1, 2, 1, 1)
    assert got["n_alpha_at_bound"] == 0
    assert "n_tpl_edge" not in got  # no tpl_Lambda column in these fits
    assert as_dict(ar.fit_setting_records((1.0, 10.0), {"seed": 5})) == {"alpha_lower": 1.0, "alpha_upper": 10.0,
                                                                          "gof_seed": 5}


def test_paper_capture_and_zero_download_records():
    frame = pd.DataFrame({"repo_type": ["model"] * 5 + ["dataset"] * 2,
                          "created_at": [_ts("2023-01-05"), _ts("2023-02-01"), _ts("2023-03-09"), _ts("2024-01-01"),
                                         None, _ts("2023-04-01"), _ts("2023-05-01")]})
    claims = pd.DataFrame({"key": ["models_analysed", "datasets_analysed"], "value": [3.0, 5.0]})
    assert as_dict(ar.paper_capture_records(frame, claims)) == {"paper_count_reached_models": "2023-03-09",
                                                                "paper_count_reached_datasets": "not reached"}
    repos = pd.DataFrame({"repo_type": ["model"] * 5 + ["dataset"],
                          "library": ["transformers", None, "", "peft", None, None],
                          "downloads": pd.array([0, 0, 0, 5, 3, 0], dtype="Int64")})
    assert as_dict(ar.zero_download_records(repos)) == {"models_no_library": 0.6, "zero_dl_library": 0.5,
                                                        "zero_dl_no_library": pytest.approx(2 / 3)}


def test_discussion_records_bot_and_pull_request_shares():
    per_model = pd.DataFrame({"threads": [4, 0, 1, 5], "threads_nobots": [1, 0, 1, 0],
                              "pull_requests": [3, 0, 0, 2]})
    got = as_dict(ar.discussion_records(per_model, {"b1", "b2"}, "here"))
    assert got == {"n_bots": 2, "bots_source": "here", "n_threads_joined": 10, "bot_thread_share": 0.8,
                   "pr_share": 0.5, "models_any_thread": 0.75, "models_any_thread_nobots": 0.5}


def test_license_records_and_tests_on_separated_groups():
    shares = pd.DataFrame({"repo_type": ["model", "model", "dataset"], "license_group": ["none", "permissive", "none"],
                           "share": [0.75, 0.25, 1.0]})
    assert as_dict(ar.license_share_records(shares)) == {"model_license_permissive": 0.25, "model_license_none": 0.75}
    models = pd.DataFrame({"license_group": ["permissive"] * 20 + ["restrictive"] * 20 + ["none"] * 20 + ["other"] * 6,
                           "downloads": list(range(100, 120)) + list(range(50, 70)) + list(range(20)) + [60] * 6,
                           "likes": [1, 2] * 33})
    tests, pairs = ar.license_tests(models, ["downloads", "likes"], n_boot=200)
    assert tests["variable"].tolist() == ["downloads (30 days)", "likes"]
    assert tests.loc[0, "groups"] == "permissive, restrictive, other, none"  # "other" is compared, not dropped
    got = as_dict(ar.license_test_records(tests, pairs))
    assert got["kw_n_tests"] == 2 and got["dunn_n_pairs"] == 12 and got["kw_n_groups"] == 4
    assert got["downloads_perm_over_none"] == 1.0  # every permissive model beats every unlicensed one
    assert got["downloads_perm_over_restr"] == 1.0
    assert got["kw_likes_eps2"] < 0.01 < got["kw_downloads_eps2"] == got["kw_max_eps2"]
    assert 0 < got["kw_downloads_eps2_low"] <= got["kw_downloads_eps2_high"] < 1
    downloads = pairs[pairs["variable_key"] == "downloads"].set_index(["group_a", "group_b"])
    assert downloads.loc[("restrictive", "none"), "higher"] == "restrictive"
    assert downloads.loc[("permissive", "restrictive"), "p_higher"] == 1.0
    shown = ar.pairs_shown(pairs)
    assert shown.columns[:6].tolist() == ["variable", "comparison", "p_higher", "ci", "effect", "p_holm_text"]
    assert "permissive > none" in set(shown["comparison"])
    assert ar.kruskal_shown(tests).columns[:6].tolist() == ["variable", "n", "H", "p_text", "epsilon_squared",
                                                             "eps2_ci"]


def test_bot_sensitivity_records():
    rng = np.random.default_rng(0)
    n = 300
    models = pd.DataFrame({"license_group": np.repeat(["permissive", "restrictive", "none"], n),
                           "likes": rng.poisson(1, 3 * n), "downloads": rng.poisson(5, 3 * n)})
    bot = np.repeat([3, 0, 0], n)  # bots open threads on permissive models only
    human = rng.poisson(0.5, 3 * n)
    models["discussions"] = human + bot
    models["discussions_nobots"] = human
    tests, pairs = ar.license_tests(models, ["likes", "downloads", "discussions_nobots", "discussions"], n_boot=100)
    got = as_dict(ar.license_test_records(tests, pairs, main=("likes", "downloads", "discussions_nobots")))
    assert got["kw_threads_eps2_bots"] > 10 * got["kw_threads_eps2_nobots"]
    assert got["threads_perm_over_restr_bots"] > 0.9 and abs(got["threads_perm_over_restr_nobots"] - 0.5) < 0.1


def test_correlation_records_pick_the_labelled_pairs():
    corr = pd.DataFrame({"var_a": ["likes", "downloads (30 days)", "likes"],
                         "var_b": ["downloads (30 days)", "discussions and PRs", "discussions and PRs"],
                         "rho": [0.5, 0.25, 0.125]})
    assert as_dict(ar.correlation_records(corr)) == {"rho_likes_downloads": 0.5, "rho_downloads_discussions": 0.25,
                                                     "rho_likes_discussions": 0.125}


def test_growth_keeps_complete_months_and_counts_the_last_twelve():
    monthly = pd.DataFrame({"repo_type": ["model"] * 4 + ["dataset"],
                            "month": [_ts("2023-06-01"), _ts("2023-07-01"), _ts("2024-06-01"), _ts("2024-07-01"),
                                      _ts("2024-06-01")],
                            "created": [5, 1, 2, 9, 4]})
    complete = ar.complete_months(monthly, _ts("2024-07-11"))
    assert len(complete) == 4  # July 2024 is the capture month
    # the twelve full months before the capture are 2023-07 .. 2024-06
    assert as_dict(ar.growth_records(complete, 20, _ts("2024-07-11"))) == {"models_last12": 3,
                                                                           "models_last12_share": 0.15}


def test_cohort_and_legacy_records():
    cohorts = pd.DataFrame({"repo_type": ["model"] * 4 + ["dataset"], "variable": ["downloads"] * 5,
                            "cohort": ["2022", "2024", "2023", "≤ 2022-03-02", "2021"], "n": [100] * 5,
                            "top1_share": [0.9, 0.7, 0.8, 0.95, 0.1], "gini": [0.95, 0.97, 0.93, 0.99, 0.1]})
    assert as_dict(ar.cohort_records(cohorts)) == {"cohort_first": "2022", "cohort_last": "2024",
                                                   "cohort_first_top1": 0.9, "cohort_last_top1": 0.7,
                                                   "cohort_min_top1": 0.7, "cohort_max_top1": 0.95,
                                                   "cohort_min_gini": 0.93, "cohort_legacy": "≤ 2022-03-02",
                                                   "cohort_legacy_top1": 0.95}
    models = pd.DataFrame({"created_at": [_ts("2022-03-02 10:00"), _ts("2022-03-02 23:00"), _ts("2022-03-03"),
                                          _ts("2023-01-01")]})
    assert as_dict(ar.legacy_records(models)) == {"legacy_day": "2022-03-02", "legacy_share": 0.5}


def test_cohort_table_puts_the_legacy_day_first():
    frame = pd.DataFrame({"repo_type": "model",
                          "created_at": [_ts("2022-03-02 10:00")] * 150 + [_ts("2022-06-01")] * 120
                          + [_ts("2023-06-01")] * 130,
                          "downloads": pd.array(list(range(400)), dtype="Int64"),
                          "likes": pd.array([0] * 400, dtype="Int64")})
    table = ar.cohort_table(frame, variables=("downloads",), legacy_day=_ts("2022-03-02 10:00"))
    assert table["cohort"].tolist() == ["≤ 2022-03-02", "2022", "2023"]
    assert table["n"].tolist() == [150, 120, 130]
    plain = ar.cohort_table(frame, variables=("downloads",))
    assert plain["cohort"].tolist() == ["2022", "2023"] and plain["n"].tolist() == [270, 130]
