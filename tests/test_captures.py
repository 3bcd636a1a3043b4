"""data.md's analysis (hubcommunity.analysis.captures) on small hand-made tables with known answers."""

from types import SimpleNamespace

import pandas as pd
import pytest

from hubcommunity.analysis import captures as cap
from hubcommunity.analysis.records import as_dict, record_all
from hubcommunity.results import ChapterResults


def _ts(text):
    return pd.Timestamp(text, tz="UTC")


def _tables():
    repos = pd.DataFrame({
        "repo_type": ["model", "model", "model", "model", "dataset"],
        "repo_id": ["a/old", "a/gone-later", "b/new", "c/quiet", "a/d1"],
        "created_at": [_ts("2023-05-03"), _ts("2023-05-20"), _ts("2024-03-01"), _ts("2023-11-30"), _ts("2023-01-01")],
        "pipeline_tag": ["text-generation", None, None, "fill-mask", None],
        "library": ["transformers", None, None, None, None],
        "license": ["mit", None, "gpl-3.0", None, "cc-by-4.0"],
        "license_group": ["permissive", "none", "restrictive", "none", "permissive"],
    })
    discussions = pd.DataFrame({"repo_id": ["a/old", "a/old", "x/deleted", "y/deleted"],
                                "has_details": [True, True, False, True]})
    fetch_errors = pd.DataFrame({"repo_id": ["c/quiet", "y/deleted"], "scope": ["repository", "thread"]})
    snapshots = pd.DataFrame({"snapshot": ["lists", "lists", "disc"], "stream": ["models", "datasets", "discussions"],
                              "captured_at": [_ts("2024-07-11 10:00"), _ts("2024-07-12"), _ts("2024-01-25")],
                              "records": [4, 1, 4], "files": [1, 1, 2], "source": ["s1", "s1", "s2"],
                              "license": ["GPL-3.0", "GPL-3.0", ""], "description": ["", "", ""]})
    base_models = pd.DataFrame({"model_id": ["a/gone-later", "a/gone-later", "b/new"],
                                "relation": ["unspecified", "finetune", "unspecified"]})
    return SimpleNamespace(repos=repos, discussions=discussions, fetch_errors=fetch_errors, snapshots=snapshots,
                           discussion_events=pd.DataFrame({"num": [1, 2, 3]}), commits=pd.DataFrame({"c": []}),
                           base_models=base_models)


def test_capture_dates_are_iso_days_per_stream_and_a_missing_stream_is_named():
    t = _tables()
    assert as_dict(cap.capture_date_records(t.snapshots)) == {
        "models_captured": "2024-07-11", "datasets_captured": "2024-07-12", "discussions_captured": "2024-01-25"}
    with pytest.raises(KeyError, match="spaces.*present"):
        cap.stream_captured_at(t.snapshots, "spaces")


def test_inventory_counts_types_threads_stubs_and_failed_listings():
    got = as_dict(cap.inventory_records(_tables()))
    assert got == {"n_models": 4, "n_datasets": 1, "n_spaces": 0, "n_threads": 3, "n_thread_stubs": 1,
                   "n_repo_errors": 1, "n_events": 3, "n_commits": 0}
    assert all(isinstance(v, int) for v in got.values())


def test_provenance_formats_dates_and_keeps_the_manifest_columns():
    table = cap.provenance_table(_tables().snapshots)
    assert list(table.columns) == list(cap.PROVENANCE_COLUMNS)
    assert table["captured_at"].tolist() == ["2024-07-11", "2024-07-12", "2024-01-25"]


def test_field_presence_is_a_share_per_type():
    present = cap.field_presence(_tables().repos, ["pipeline_tag", "license"]).set_index("column")
    assert present.loc["pipeline_tag", "model"] == 0.5 and present.loc["pipeline_tag", "dataset"] == 0.0
    assert present.loc["license", "model"] == 0.5 and present.loc["license", "dataset"] == 1.0


def test_model_metadata_shares_and_base_links():
    t = _tables()
    got = as_dict(cap.model_metadata_records(t.repos, t.base_models))
    assert got == {"models_pipeline_share": 0.5, "models_library_share": 0.25, "models_license_share": 0.5,
                   "n_base_model_links": 3, "n_models_with_base": 2, "base_unspecified_share": pytest.approx(2 / 3)}
    assert as_dict(cap.model_metadata_records(t.repos, t.base_models.iloc[:0]))["base_unspecified_share"] == 0


def test_skipped_counts_all_reasons_and_unmapped_licenses_separately():
    report = pd.DataFrame({"reason": ["duplicate record", "unmapped license id", "unmapped license id"],
                           "count": [3, 2, 5]})
    assert as_dict(cap.skipped_records(report, 12)) == {"n_skipped": 10, "n_unmapped": 7, "n_license_ids": 12}
    empty = report.iloc[:0]
    assert as_dict(cap.skipped_records(empty, 1)) == {"n_skipped": 0, "n_unmapped": 0, "n_license_ids": 1}


def test_license_group_table_orders_groups_and_fills_zero():
    table = cap.license_group_table(_tables().repos)
    assert table["license group"].tolist() == ["permissive", "restrictive", "none"]
    assert table.set_index("license group").loc["restrictive"].to_dict() == {"dataset": 0, "model": 1}


def test_capture_gap_counts_models_on_each_side_of_the_cutoff():
    t = _tables()
    got = as_dict(cap.capture_gap_records(t.repos, t.discussions, t.fetch_errors, _ts("2024-01-25")))
    # known to the discussions capture: a/old, x/deleted, y/deleted, c/quiet; two are not listed
    assert got == {"n_disc_models": 4, "n_disc_not_listed": 2, "share_disc_not_listed": 0.5, "n_listed_after": 1,
                   "n_listed_before": 3, "n_joinable_with_threads": 2}
    with pytest.raises(ValueError, match="no model"):
        cap.capture_gap_records(t.repos, t.discussions.iloc[:0], t.fetch_errors.iloc[:0], _ts("2024-01-25"))


def test_models_per_month_counts_listed_models_only():
    monthly = cap.models_per_month(_tables().repos)
    assert monthly["month"].dt.strftime("%Y-%m").tolist() == ["2023-05", "2023-11", "2024-03"]
    assert monthly["models"].tolist() == [2, 1, 1]


def test_record_all_sends_numbers_and_texts_to_the_results_api(tmp_path):
    res = ChapterResults("t", directory=tmp_path)
    shown = record_all(res, cap.capture_date_records(_tables().snapshots, streams=("models",))
                       + cap.skipped_records(pd.DataFrame({"reason": ["x"], "count": [4000]}), 1))
    assert shown == {"models_captured": "2024-07-11", "n_skipped": "4,000", "n_unmapped": "0", "n_license_ids": "1"}
    assert res.texts["models_captured"]["value"] == "2024-07-11"
    assert res.numbers["n_skipped"] == {"key": "n_skipped", "value": 4000, "formatted": "4,000", "unit": "records",
                                        "description": "Raw records skipped or flagged while building tables"}


def test_details_records_count_answers_days_links_and_the_cap():
    details = pd.DataFrame({"repo_id": ["0/a", "0/b", "q/c", "q/d"],
                            "captured_at": [_ts("2024-07-09"), _ts("2024-07-09"), _ts("2024-07-11"), _ts("2024-07-09")],
                            "n_spaces": pd.array([3, 0, 100, None], dtype="Int64")})
    links = pd.DataFrame({"space_id": ["s/1", "s/2", "s/1", "s/9"], "model_id": ["0/a", "0/a", "q/c", "x/y"],
                          "source": ["model.spaces", "model.spaces", "model.spaces", "space.models"]})
    got = as_dict(cap.details_records(details, links, cap=100))
    assert got == {"n_details": 4, "details_days": "2024-07-09 (3) and 2024-07-11 (1)", "n_details_links": 3,
                   "n_details_spaces": 2, "n_details_used": 2, "n_details_capped": 1}


def test_listing_records_count_each_earlier_listing():
    repos = pd.DataFrame({"snapshot": ["history-models-2022-07"] * 2 + ["history-datasets-2023-03"]})
    assert as_dict(cap.listing_records(repos)) == {"n_history_datasets_2023_03": 1, "n_history_models_2022_07": 2}
