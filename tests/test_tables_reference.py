"""The real reference captures, linked into a temporary directory: headline row counts."""

from __future__ import annotations

import pandas as pd
import pytest

from hubcommunity import paths, snapshot
from hubcommunity.tables import load_tables

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference_tables(tmp_path_factory):
    src = paths.shared_reference_dir()
    if not (src / "hub-lists-2024-07").is_dir():
        pytest.skip(f"reference captures not found at {src}")
    dirs = snapshot.link_reference(src, tmp_path_factory.mktemp("snapshots"))
    # the earlier whole-Hub listings (role history) have their own test in test_foreign.py
    return load_tables([d for d in dirs if snapshot.snapshot_role(d) == snapshot.DEFAULT_ROLE], workers=2)


def test_headline_counts(reference_tables):
    t = reference_tables
    assert t.repos["repo_type"].value_counts().to_dict() == {"model": 760_000, "dataset": 175_000}
    assert not t.repos.duplicated(["repo_type", "repo_id"]).any()  # a model and a dataset may share a name
    d = t.discussions
    assert int(d["has_details"].sum()) == 114_823  # threads with their events
    assert int((~d["has_details"]).sum()) == 1_826  # pull requests known only from thread-scope errors
    assert (t.fetch_errors["scope"] == "repository").sum() == 2_115
    assert len(t.fetch_errors) == 3_941
    assert len(t.base_models) > 100_000 and set(t.base_models["relation"]) <= {"unspecified", "finetune", "adapter", "quantized", "merge"}


def test_every_license_id_is_mapped_and_nothing_skipped(reference_tables):
    t = reference_tables
    assert len(t.report) == 0, t.report
    assert set(t.repos["license_group"]) == {"permissive", "restrictive", "other", "none"}


def test_capture_dates(reference_tables):
    caps = reference_tables.snapshots.set_index("stream")["captured_at"].dt.strftime("%Y-%m-%d").to_dict()
    assert caps == {"models": "2024-07-11", "datasets": "2024-07-09", "discussions": "2024-01-25",
                    "fetch_errors": "2024-01-25", "model_details": "2024-07-11"}


def test_model_details_census_and_space_links(reference_tables):
    """The README's figures for model-details-2024-07: 8,650 answers, 324 models list 1,922 links to 1,000 Spaces."""
    t = reference_tables
    d, sm = t.model_details, t.space_models
    assert len(d) == 8_650 and not d["repo_id"].duplicated().any()
    assert set(sm["source"]) == {"model.spaces"}
    assert len(sm) == 1_922 and sm["model_id"].nunique() == 324 and sm["space_id"].nunique() == 1_000
    assert int(d["n_spaces"].max()) == 100 and int((d["n_spaces"] == 100).sum()) == 2  # the cap
    assert int(d["n_spaces"].sum()) == len(sm)
    # details never add repos rows: the listing's 760,000 models are counted once
    listed = t.repos.loc[t.repos["repo_type"] == "model", "repo_id"]
    assert int(d["repo_id"].isin(listed).sum()) == 8_650  # every answer's id is listed (6 renamed models included)
    by_name = listed[listed.str.match(r"^[0-9qQ]")]
    assert len(by_name) == 8_699 and int(by_name.isin(d["repo_id"]).sum()) == 8_644  # the README's census


def test_derivations_cover_every_base_model_pair(reference_tables):
    t = reference_tables
    dv = t.derivations
    assert len(dv) <= len(t.base_models) and dv["model_id"].nunique() == t.base_models["model_id"].nunique()
    assert not dv.duplicated(["model_id", "base_model_id"]).any()
    assert set(dv["resolution"]) == {"exact", "case", "legacy", "unresolved"}
    # one spelling per owner: no two base owners differ only in letter case
    owners = pd.Series(pd.concat([dv["model_owner"], dv["base_owner"]]).dropna().unique())
    assert not owners.str.lower().duplicated().any()
