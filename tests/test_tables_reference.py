"""The real reference captures, linked into a temporary directory: headline row counts."""

from __future__ import annotations

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
                    "fetch_errors": "2024-01-25"}
