"""The RQ3 chapter's space-adoption branch, executed with a snapshot that has Spaces.

The reference captures have no Spaces, so the book build never runs that
branch. Here the chapter notebook is executed (real Jupyter kernel) with the
July 2024 listing plus a snapshot collected from the fake Hub, and the numbers
it records for Space adoption are checked against the fixture.
"""

from __future__ import annotations

import json
import os
from collections import Counter

import jupytext
import pytest
from nbclient import NotebookClient

from hubcommunity import paths, snapshot
from hubcommunity.analysis import adoption as ad
from hubcommunity.fakehub.testing import collected_snapshot_and_fixture

pytestmark = pytest.mark.slow


def _listing(tmp_path):
    linked = paths.snapshots_dir() / "hub-lists-2024-07"
    if (linked / "manifest.json").is_file():
        return linked
    src = paths.shared_reference_dir()
    if not (src / "hub-lists-2024-07").is_dir():
        pytest.skip(f"reference captures not found at {src}")
    dirs = snapshot.link_reference(src, tmp_path / "snapshots")
    return next(d for d in dirs if d.name == "hub-lists-2024-07")


def test_chapter_space_section_runs_and_matches_fixture(tmp_path, monkeypatch):
    fake, fixture, _ = collected_snapshot_and_fixture(
        tmp_path / "fake", seed=3, n_models=60, n_spaces=90, collect_options={"details": ()}
    )
    monkeypatch.setenv("HUBCOMMUNITY_SNAPSHOTS", os.pathsep.join([str(fake), str(_listing(tmp_path))]))
    monkeypatch.setenv("HUBCOMMUNITY_GENERATED_DIR", str(tmp_path / "generated"))
    nb = jupytext.read(paths.project_root() / "book" / "rq3_adoption.md")
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(paths.project_root() / "book")}}).execute()

    numbers = {n["key"]: n["value"] for n in json.loads((tmp_path / "generated/results/rq3.json").read_text())["numbers"]}
    links = fixture.space_model_links()
    per_model = Counter(m for _, m in links)
    counts = [per_model.get(m["id"], 0) for m in fixture.repos["model"]]
    assert numbers["n_space_links"] == len(links)
    assert numbers["space_models_n"] == len(fixture.repos["model"])
    assert numbers["space_adopted_share"] == pytest.approx(sum(1 for c in counts if c) / len(counts))
    assert numbers["space_models_for_half"] == ad.count_for_share(counts, 0.5)
    # derivation adoption still comes from the July 2024 listing
    assert numbers["n_models"] == 760_000
    # the space measure joins the CCDF figure as its own series
    ccdf = (tmp_path / "generated/data/rq3/fig-rq3-ccdf.csv").read_text()
    assert "\nspaces," in ccdf
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if "text/markdown" in o.get("data", {})]
    assert any(f"{len(links)} Space-to-model links" in o["data"]["text/markdown"] for o in shown)
