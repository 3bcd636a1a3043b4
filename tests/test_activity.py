"""RQ1 assembly on small hand-made tables with known answers, and on a fake-Hub snapshot."""

from types import SimpleNamespace

import pandas as pd
import pytest

from hubcommunity.analysis import activity as ac

UTC = "UTC"


def _ts(text):
    return pd.Timestamp(text, tz=UTC)


def _tables(with_commits=True):
    repos = pd.DataFrame(
        {
            "repo_type": ["model", "model", "model", "model", "dataset", "space"],
            "repo_id": ["a/m1", "a/m2", "b/m3", "c/new", "a/d1", "a/s1"],
            "owner": ["a", "a", "b", "c", "a", "a"],
            "created_at": [_ts("2023-01-05"), _ts("2023-02-01"), _ts("2023-03-01"), _ts("2024-03-01"),
                           _ts("2023-01-20"), _ts("2023-06-01")],
            "license_group": ["permissive", "none", "restrictive", "none", "permissive", "none"],
            "pipeline_tag": ["text-generation", None, None, None, None, None],
            "likes": pd.array([0, 3, 10, 1, 2, 5], dtype="Int64"),
            "downloads": pd.array([0, 100, 5, None, 7, None], dtype="Int64"),
        }
    )
    discussions = pd.DataFrame(
        {
            "repo_type": ["model"] * 4,
            "repo_id": ["a/m2", "a/m2", "a/m2", "b/m3"],
            "num": [1, 2, 3, 1],
            "is_pull_request": [True, False, True, True],
            "opener": ["bot1", "alice", "alice", "bot1"],
        }
    )
    events = pd.DataFrame(
        {
            "repo_type": ["model"] * 6,
            "repo_id": ["a/m2", "a/m2", "a/m2", "a/m2", "b/m3", "b/m3"],
            "num": [1, 1, 2, 2, 1, 1],
            "author": ["bot1", "a", "alice", "carol", "bot1", "b"],
        }
    )
    commits = pd.DataFrame(
        {"repo_type": ["model", "model", "model", "dataset"], "repo_id": ["a/m1", "a/m1", "a/m2", "a/d1"],
         "commit_id": ["c1", "c2", "c3", "c4"]}
    )
    authors = pd.DataFrame(
        {"repo_type": ["model", "model", "model", "model", "dataset"], "repo_id": ["a/m1", "a/m1", "a/m1", "a/m2", "a/d1"],
         "commit_id": ["c1", "c1", "c2", "c3", "c4"], "author": ["a", "x", "a", "bot1", "a"]}
    )
    errors = pd.DataFrame(
        {"repo_type": ["model"], "repo_id": ["b/m3"], "scope": ["commits"], "http_status": pd.array([403], dtype="Int64"),
         "reason": ["gated"], "num": pd.array([None], dtype="Int64")}
    )
    snapshots = pd.DataFrame(
        {"snapshot": ["s1", "s2"], "stream": ["models", "discussions"],
         "captured_at": [_ts("2024-07-11"), _ts("2024-01-25")]}
    )
    if not with_commits:
        commits, authors = commits.iloc[:0], authors.iloc[:0]
        errors = errors.iloc[:0]
    return SimpleNamespace(repos=repos, discussions=discussions, discussion_events=events, commits=commits,
                           commit_authors=authors, fetch_errors=errors, snapshots=snapshots)


def test_repo_activity_counts_zero_as_zero_and_says_why_missing():
    act = ac.repo_activity(_tables()).set_index("repo_id")
    assert act.loc["a/m1", "likes"] == 0 and act.loc["a/m1", "downloads"] == 0  # 0 stays 0
    assert pd.isna(act.loc["a/s1", "downloads"])
    assert act.loc["a/s1", "downloads_missing"] == "spaces have no download count"
    assert act.loc["c/new", "downloads_missing"] == "not in the listing record"
    # commits: distinct commits and authors
    assert act.loc["a/m1", "commits"] == 2 and act.loc["a/m1", "commit_contributors"] == 2
    assert act.loc["a/d1", "commits"] == 1
    assert act.loc["b/m3", "commits_missing"] == "commit listing failed (HTTP 403)"
    assert act.loc["a/s1", "commits_missing"] == "no commit histories in the capture"
    # discussions: threads and distinct openers; 0 for a model with none; later models missing
    assert act.loc["a/m2", "discussions"] == 3 and act.loc["a/m2", "discussion_participants"] == 2
    assert act.loc["a/m1", "discussions"] == 0
    assert act.loc["c/new", "discussions_missing"] == "created after the discussions capture (2024-01-25)"
    assert act.loc["a/d1", "discussions_missing"] == "no discussions captured for this repository type"


def test_bots_excluded_from_threads_participants_and_commits():
    act = ac.repo_activity(_tables(), bots={"bot1"}, exclude_bots=True).set_index("repo_id")
    assert act.loc["a/m2", "discussions"] == 2 and act.loc["a/m2", "discussion_participants"] == 1
    assert act.loc["b/m3", "discussions"] == 0
    assert act.loc["a/m2", "commits"] == 0 and act.loc["a/m2", "commit_contributors"] == 0
    assert act.loc["a/m1", "commits"] == 2


def test_missing_summary_and_summary_rows_for_absent_data():
    tables = _tables(with_commits=False)
    act = ac.repo_activity(tables)
    missing = ac.missing_summary(act)
    row = missing[(missing["repo_type"] == "model") & (missing["variable"] == "commits")]
    assert row["count"].tolist() == [4] and row["reason"].tolist() == ["no commit histories in the capture"]
    summary = ac.activity_summary(act).set_index(["repo_type", "variable"])
    assert summary.loc[("model", "commits"), "n"] == 0
    assert summary.loc[("model", "commits"), "missing_reason"] == "no commit histories in the capture"
    assert summary.loc[("model", "likes"), "n"] == 4
    assert summary.loc[("model", "likes"), "share_zero"] == pytest.approx(0.25)
    assert len(summary) == len(ac.REPO_TYPES) * len(ac.ACTIVITY_VARIABLES)


def test_discussions_per_model_with_and_without_bots():
    out = ac.discussions_per_model(_tables(), bots={"bot1"}).set_index("repo_id")
    assert list(out.index) == ["a/m1", "a/m2", "b/m3"]  # c/new is after the capture
    assert out.loc["a/m2", ["threads", "pull_requests", "discussions"]].tolist() == [3, 2, 1]
    assert out.loc["a/m2", "participants"] == 4  # bot1, a, alice, carol
    assert out.loc["a/m2", ["threads_nobots", "pull_requests_nobots", "participants_nobots"]].tolist() == [2, 1, 2]
    assert out.loc["b/m3", "threads_nobots"] == 0 and out.loc["a/m1", "threads"] == 0


def test_growth_per_month_and_cohorts():
    tables = _tables()
    monthly = ac.creations_per_month(tables.repos)
    models = monthly[monthly["repo_type"] == "model"]
    assert models["created"].tolist() == [1, 1, 1, 1]
    assert models["cumulative"].tolist() == [1, 2, 3, 4]
    act = ac.repo_activity(tables)
    cohorts = ac.cohort_concentration(act, "likes", freq="Y", min_size=3)
    row = cohorts[(cohorts["repo_type"] == "model") & (cohorts["cohort"] == "2023")].iloc[0]
    assert row["n"] == 3 and row["top1_share"] == pytest.approx(10 / 13)
    small = cohorts[(cohorts["repo_type"] == "model") & (cohorts["cohort"] == "2024")].iloc[0]
    assert small["n"] == 1 and pd.isna(small["gini"])


def test_rows_fill_in_when_a_snapshot_has_commits_and_spaces(tmp_path):
    from hubcommunity.fakehub.testing import collected_snapshot
    from hubcommunity.tables import load_tables

    snap = collected_snapshot(tmp_path, seed=3, n_models=12, n_datasets=4, n_spaces=5, n_users=8)
    tables = load_tables([snap])
    act = ac.repo_activity(tables)
    summary = ac.activity_summary(act).set_index(["repo_type", "variable"])
    for repo_type in ("model", "dataset", "space"):
        assert summary.loc[(repo_type, "likes"), "n"] > 0
    assert summary.loc[("model", "commits"), "n"] > 0
    assert summary.loc[("model", "commit_contributors"), "n"] > 0
    assert summary.loc[("space", "commits"), "n"] > 0
    assert (act.loc[act["commits"].notna(), "commits"] >= 1).all()


def test_with_bot_free_adds_the_bot_free_counts():
    t = _tables()
    bots = {"bot1"}
    plain = ac.repo_activity(t)
    nobots = ac.repo_activity(t, bots=bots, exclude_bots=True)
    both = ac.with_bot_free(plain, nobots)
    assert both["discussions"].equals(plain["discussions"])
    assert both["discussions_nobots"].reset_index(drop=True).equals(nobots["discussions"].reset_index(drop=True))
    assert (both["discussions_nobots"].fillna(0) <= both["discussions"].fillna(0)).all()
    with pytest.raises(ValueError, match="same repositories"):
        ac.with_bot_free(plain, nobots.iloc[::-1])


def test_rq1_fits_passes_the_alpha_range_and_the_test():
    import numpy as np

    from hubcommunity.analysis import fitting as ft

    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"repo_type": "model", "likes": ft.sample_discrete_power_law(2.2, 1, 600, rng)})
    for var in ac.ACTIVITY_VARIABLES:
        if var not in frame:
            frame[var] = pd.array([pd.NA] * len(frame), dtype="Int64")
    fits = ac.rq1_fits(frame, alpha_range=ft.WIDE_ALPHA_RANGE, gof={"max_replicates": 9, "seed": 1})
    likes = fits.set_index("variable").loc["likes"]
    assert likes["alpha_upper"] == 10.0 and 1 <= likes["gof_replicates"] <= 9 and likes["support"] in ft.SUPPORT_CATEGORIES
    assert fits.set_index("variable").loc["downloads", "verdict"] == "no data in the capture"
