"""RQ3's curated files and headline facts checked against the real reference captures (slow)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from hubcommunity import paths, snapshot
from hubcommunity.analysis import adoption as ad
from hubcommunity.analysis import owners as ow
from hubcommunity.tables import load_tables

pytestmark = pytest.mark.slow

NAMES = ("hub-lists-2024-07", "model-details-2024-07")


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    linked = [paths.snapshots_dir() / n for n in NAMES]
    if all((d / "manifest.json").is_file() for d in linked):
        return load_tables(linked)
    src = paths.shared_reference_dir()
    if not all((src / n).is_dir() for n in NAMES):
        pytest.skip(f"reference captures not found at {src}")
    dirs = snapshot.link_reference(src, tmp_path_factory.mktemp("snapshots"))
    return load_tables([d for d in dirs if d.name in NAMES])


def _per_account(derivations: pd.DataFrame) -> pd.DataFrame:
    pairs = derivations[~derivations["self_reference"]]
    g = pairs.groupby(pairs["model_owner"].str.lower())
    return pd.DataFrame({"models": g["model_id"].nunique(), "bases": g["base_model_id"].nunique(),
                         "merge_share": g["relation"].apply(lambda r: (r == "merge").mean())})


def test_mass_producers_file_matches_its_criterion_and_evidence(tables):
    stats = _per_account(tables.derivations)
    mass = ow.load_mass_producers()
    listed = set(mass["account"].str.lower())
    # every account with at least 500 models declaring a base is listed ...
    assert set(stats.index[stats["models"] >= 500]) <= listed
    for row in mass.itertuples():
        s = stats.loc[row.account.lower()]
        if row.activity == "automated":
            assert s["merge_share"] == 1.0, row.account  # automated merge services publish merges only
        else:
            assert s["models"] >= 500, row.account  # ... and nobody else but the automated accounts
        # the evidence quotes the capture's own counts
        models, bases = (int(x.replace(",", "")) for x in re.findall(r"([\d,]+) (?:models|bases)", row.evidence)[:2])
        assert (models, bases) == (s["models"], s["bases"]), row.account


def test_census_leaders_and_cap(tables):
    census = ad.space_census(tables.model_details, tables.space_models)
    assert len(census) == 8_650 and int(census["at_cap"].sum()) == 2
    assert int((census["spaces"] > 0).sum()) == 324 and int(census["spaces"].sum()) == 1_922
    # the company the answer box names leads the census by Space uses
    per_owner = ow.owner_adoption(census, "spaces")
    assert per_owner["owner"].iloc[0] == "Qwen"
    kinds = ow.load_owner_kinds().set_index("owner")["kind"]
    assert kinds["Qwen"] == "company" and kinds["01-ai"] == "company"
