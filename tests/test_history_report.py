"""The chapter's assembly of listings, tables and numbers, on small hand-made ``repos`` tables,
and the chart builders of ``figures/history.py``."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from hubcommunity.analysis import history_report as hr
from hubcommunity.analysis.records import as_dict
from hubcommunity.figures import history as fh
from hubcommunity.paper import load_paper_claims


def _repos(snapshot: str, date: str, repo_type: str, rows: dict[str, tuple[int, str | None]]) -> pd.DataFrame:
    """A ``repos`` slice: ``rows`` maps id -> (downloads, created date or None)."""
    return pd.DataFrame({
        "repo_type": repo_type, "snapshot": snapshot, "captured_at": pd.Timestamp(date, tz="UTC"),
        "repo_id": list(rows), "downloads": pd.array([d for d, _ in rows.values()], dtype="Int64"),
        "created_at": pd.to_datetime([c for _, c in rows.values()], utc=True),
    })


EARLY = _repos("hist-a", "2022-07-02", "model", {
    "legacy": (1000, None), "o/a": (100, None), "o/b": (0, None), "o/c": (0, None), "o/gone": (5, None)})
MIDDLE = _repos("hist-b", "2022-10-01", "model", {
    "legacy": (900, "2019-01-01"), "o/a": (50, "2021-01-01"), "o/b": (0, "2021-01-01"), "o/c": (7, "2021-01-01"),
    "o/new": (0, "2022-09-01")})
LATEST = _repos("current", "2024-07-11", "model", {
    "org/legacy": (5000, "2022-03-02"), "o/a": (80, "2021-01-01"), "o/b": (3, "2021-01-01"), "o/c": (0, "2021-01-01"),
    "o/new": (0, "2022-09-01"), "o/x": (0, "2023-05-01"), "o/y": (0, "2024-01-01"), "o/z": (1, "2024-02-01")})
DATASETS = _repos("current", "2024-07-09", "dataset", {"d/a": (3, "2023-01-01"), "d/b": (0, "2024-01-01")})
SPACES = _repos("current", "2024-07-10", "space", {"s/a": (0, "2023-01-01")})


@pytest.fixture()
def listings():
    return hr.stack_listings(pd.concat([EARLY, MIDDLE]), pd.concat([LATEST, DATASETS, SPACES]))


def test_stack_listings(listings):
    assert listings.names() == ["models 2022-07", "models 2022-10", "models 2024-07", "datasets 2024-07"]
    assert listings.meta["n"].tolist() == [5, 5, 8, 2]
    # one code per repository id, shared across listings
    a, b = listings.downloads["models 2022-07"], listings.downloads["models 2024-07"]
    assert a.index.isin(b.index).sum() == 3  # o/a, o/b, o/c ("legacy" was renamed, "o/gone" left)
    assert sorted(listings.repo_ids("models 2022-10")) == ["legacy", "o/a", "o/b", "o/c", "o/new"]
    assert listings.created["models 2022-07"].isna().all()


def test_listing_names_clash_gets_the_snapshot():
    two = hr.stack_listings(LATEST, LATEST.assign(snapshot="live"))
    assert two.names() == ["models 2024-07 (current)", "models 2024-07 (live)"]


def test_concentration_and_records(listings):
    summary, intervals = hr.concentration_table(listings, n_boot=50, seed=1)
    row = summary.set_index("listing").loc["models 2022-07"]
    assert row["n"] == 5 and row["share_zero"] == pytest.approx(0.4) and row["top1_share"] == pytest.approx(1000 / 1105)
    assert len(intervals) == 4 * 5 and set(intervals["n_boot"]) == {50}
    recs = as_dict(hr.summary_records(summary, intervals))
    assert recs["models_2022_07_zero"] == pytest.approx(0.4)
    assert recs["models_latest_n"] == 8 and recs["datasets_latest_date"] == "2024-07-09"
    assert recs["models_latest_zero_low"] <= recs["models_latest_zero"] <= recs["models_latest_zero_high"]
    assert recs["n_boot"] == 50


def test_date_check_records(listings):
    recs = as_dict(hr.date_check_records(listings))
    assert recs["newest_created_models_2022_10"] == "2022-09-01"
    # models of 2022-10 created before 2022-07-02: legacy, o/a, o/b, o/c -- all in the July listing
    assert recs["datecheck_older"] == 4 and recs["datecheck_missing"] == 0


def test_paper_points_and_comparison(listings):
    claims = pd.DataFrame({
        "key": ["models_zero_downloads_share", "models_top1_downloads_share", "models_analysed", "other_claim"],
        "claim": ["zero", "top1", "n", "not placed"], "value": [0.7, 0.99, 6.0, 1.0],
        "unit": ["share"] * 4, "comparison": ["more than", "exact", "exact", "exact"], "source": ["s"] * 4,
    })
    paper = hr.paper_points(claims)
    assert paper["key"].tolist() == ["models_zero_downloads_share", "models_top1_downloads_share", "models_analysed"]
    summary, intervals = hr.concentration_table(listings, n_boot=20)
    transitions, by_pair = hr.transitions_table(listings)
    cmp = hr.paper_comparison(summary, paper, listings, by_pair)
    pts = cmp["points"].set_index("key")
    # straight line between 2022-10 (zero share 2/5) and 2024-07 (4/8) at 2023-10-01
    m = summary.set_index("listing")
    days = (hr.PAPER_DATE - m.loc["models 2022-10", "date"]).days / (m.loc["models 2024-07", "date"] - m.loc["models 2022-10", "date"]).days
    assert pts.loc["models_zero_downloads_share", "interpolated"] == pytest.approx(0.4 + days * (0.5 - 0.4))
    assert pts.loc["models_analysed", "survivors"] == 6  # models of 2024-07 created before 2023-10-01
    z = cmp["zero"]
    # the paper: over 70% of 6 models -> at least floor(4.2) + 1 = 5 zeros; 2024-07's old models: 6, of which
    # o/c, o/new, o/x have 0 downloads -> 3; none can have vanished (6 - 6) -> at least 2 must have revived
    assert (z["paper_zero_min"], z["n_old"], z["zero_old"], z["vanished_max"], z["revived_min"]) == (5, 6, 3, 0, 2)
    assert z["revived_min_share"] == pytest.approx(2 / 5)
    # 2022-07 -> 2022-10: zeros o/b (stays 0), o/c (7 downloads): half revived
    assert z["revival::models 2022-07 → 2022-10"] == pytest.approx(0.5)
    table = hr.paper_table(cmp)
    assert table.set_index("key").loc["models_zero_downloads_share", "paper_text"] == "over 70%"
    recs = as_dict(hr.paper_records(cmp, summary))
    assert recs["revived_min"] == 2 and recs["paper_zero"] == 0.7 and recs["survivors_models"] == 6


def test_paper_points_from_the_project_claims_file():
    paper = hr.paper_points(load_paper_claims())
    placed = set(paper["key"])
    assert {"models_zero_downloads_share", "models_top1_downloads_share", "models_analysed"} <= placed
    assert (paper["date"] == hr.PAPER_DATE).all()


def test_panel_transitions_and_decomposition(listings):
    pairs = hr.listing_pairs(listings)
    assert pairs == [("models 2022-07", "models 2022-10"), ("models 2022-10", "models 2024-07"),
                     ("models 2022-07", "models 2024-07")]
    panel = hr.panel_table(listings, top_fraction=0.2).set_index("pair")
    p = panel.loc["models 2022-07 → 2024-07"]
    assert p["n_a"] == 5 and p["n_both"] == 3 and p["share_exited"] == pytest.approx(2 / 5)
    assert p["n_panel"] == 3  # o/a, o/b, o/c are in all three model listings
    # top 20% of July 2022: ceil(1) = "legacy", renamed by 2024: not retained, and legacy
    assert (p["n_top"], p["top_retained"], p["top_not_listed"], p["top_legacy"]) == (1, 0.0, 1, 1)
    assert math.isnan(p["top_retained_owned"])
    assert p["zero_revived"] == pytest.approx(0.5)  # o/b gained downloads, o/c did not
    assert p["months"] == pytest.approx(24.3, abs=0.1)
    recs = as_dict(hr.panel_records(panel.reset_index(), listings))
    assert recs["models_2022_07_2024_07_top1_legacy"] == 1 and recs["panel_n_models"] == 3
    assert recs["models_2022_07_legacy_ids"] == 1 and recs["models_latest_legacy_ids"] == 0
    retention = hr.retention_frame(listings, fractions=(0.2, 0.5))
    assert set(retention["pair"]) == set(panel.index) and len(retention) == 6
    transitions, by_pair = hr.transitions_table(listings)
    assert set(by_pair) == set(panel.index)
    t = transitions.set_index(["pair", "from"]).loc[("models 2022-07 → 2022-10", "zero")]
    assert t["n"] == 2 and t["to_zero"] == 0.5 and t["to_low"] + t["to_high"] == 0.5
    dec = hr.decomposition_table(listings)
    assert set(dec["pair"]) == {"models 2022-07 → 2022-10", "models 2022-10 → 2024-07"}  # consecutive only
    assert np.allclose(dec["exit"] + dec["within"] + dec["entry"], dec["change"])
    recs = as_dict(hr.decomposition_records(dec))
    d = dec.set_index(["pair", "measure"]).loc[("models 2022-07 → 2022-10", "share with 0 downloads")]
    assert recs["dec_models_2022_07_2022_10_zero_within"] == pytest.approx(100 * d["within"])
    assert recs["dec_models_2022_07_2022_10_zero_within_abs"] == pytest.approx(abs(100 * d["within"]))


def test_transient_zero_records(listings):
    recs = as_dict(hr.transient_zero_records(listings))
    # in all three model listings: o/a, o/b, o/c; none went from downloads to none; o/b (0, 0) has 3 later
    assert recs["transient_dropped"] == 0 and math.isnan(recs["transient_dropped_back"])
    assert recs["transient_zero_both_later"] == 1.0
    assert hr.transient_zero_records(listings, "dataset") == []  # one dataset listing only


def test_listing_provenance_reads_manifests(tmp_path):
    import json

    d = tmp_path / "hist-a"
    (d / "raw").mkdir(parents=True)
    (d / "manifest.json").write_text(json.dumps({
        "name": "hist-a", "source": {"citation": "someone", "url": "https://example.org", "commit": "abc"},
        "license": "MIT", "captured_at_evidence": "a commit date", "lacks": ["likes", "tags"], "streams": []}))
    listings = hr.stack_listings(EARLY)
    prov = hr.listing_provenance(listings, pd.DataFrame({"snapshot": ["hist-a"], "path": [str(d)]}))
    row = prov.iloc[0]
    assert (row["listing"], row["repositories"], row["license"]) == ("models 2022-07", 5, "MIT")
    assert row["source"] == "someone; https://example.org; abc" and row["lacks"] == "likes; tags"
    assert row["evidence"] == "a commit date"


def test_curves(listings):
    ccdf, lorenz = hr.curves(listings, max_points=20)
    assert set(ccdf["listing"]) == set(listings.names())
    one = lorenz[lorenz["listing"] == "models 2024-07"]
    assert one["population_share"].iloc[0] == 0 and one["value_share"].iloc[-1] == pytest.approx(1)
    assert (np.diff(one["value_share"]) >= 0).all() and np.allclose(one["top_share"], 1 - one["population_share"])
    first = ccdf[ccdf["listing"] == "models 2022-07"]
    assert first["ccdf"].iloc[0] == pytest.approx(0.6)  # share with any download


def test_download_frequencies_rebuild_each_listing(listings):
    freq = hr.download_frequencies(listings)
    assert list(freq.columns) == ["repo_type", "listing", "value", "count"]
    for name in listings.names():
        known = listings.downloads[name].dropna()
        sub = freq[freq["listing"] == name]
        assert sub["count"].sum() == len(known)
        assert (sub["value"] * sub["count"]).sum() == pytest.approx(known.sum())


# ----------------------------------------------------------------------------- figures


def test_charts_build_with_the_paper_marked_apart(listings):
    summary, intervals = hr.concentration_table(listings, n_boot=20)
    paper = hr.paper_points(load_paper_claims())
    traj = hr.trajectory_frame(summary, intervals, paper)
    assert set(traj["source"]) == {"measured listing", "paper"}
    spec = fh.trajectories_chart(traj).to_dict()
    text = str(spec)
    assert "diamond" in text and "strokeDash" in text  # hollow diamonds; a dashed rule for "more than"
    assert len(spec["concat"]) == traj["measure"].nunique()
    ccdf, lorenz = hr.curves(listings, max_points=20)
    order = listings.names()
    for chart in (fh.ccdf_chart(ccdf, order=order), fh.lorenz_chart(lorenz, order=order),
                  fh.retention_chart(hr.retention_frame(listings))):
        assert isinstance(chart.to_dict(), dict)
    with pytest.raises(KeyError, match="lacks column"):
        fh.trajectories_chart(traj.drop(columns=["low"]))


def test_listing_colours_follow_the_given_order():
    scale = fh.listing_colours(["b", "a", "b"])
    assert scale.domain == ["b", "a"] and scale.range[0] != scale.range[1]
    assert isinstance(scale, alt.Scale)


def test_benchmark_smoke(tmp_path):
    """benchmarks/bench_history.py --smoke runs the chapter's analysis steps on generated listings."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, str(root / "benchmarks" / "bench_history.py"), "--smoke", "--out", str(tmp_path)],
                   check=True, capture_output=True, cwd=root)
    report = json.loads((tmp_path / "history.smoke.json").read_text())
    figures = report["figures"]
    assert report["status"] == "smoke" and figures["listings"] == 5
    assert figures["analysis_seconds"] > 0 and figures["bootstrap_speedup"] > 1
    assert {t["figure"] for t in report["targets"]} == {"chapter_seconds", "analysis_seconds", "bootstrap_speedup"}
