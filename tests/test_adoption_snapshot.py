"""Space and derivation adoption end to end: fake Hub -> real collector -> load_tables -> analysis.

The fake Hub's fixture is deterministic, so the expected counts are computed
straight from the fixture's own repository objects (the spaces' ``models``
lists and the models' ``base_model:`` tags), independently of the collector,
the tables stage and the analysis code under test.
"""

from collections import Counter

import pytest

from hubcommunity.analysis import adoption as ad
from hubcommunity.fakehub.testing import collected_snapshot_and_fixture
from hubcommunity.tables import load_tables


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    dest = tmp_path_factory.mktemp("adoption")
    snap, fixture, _ = collected_snapshot_and_fixture(
        dest, seed=7, n_models=80, n_datasets=5, n_spaces=70, collect_options={"details": ()}
    )
    return load_tables([snap]), fixture


def test_space_adoption_matches_fixture(collected):
    tables, fixture = collected
    assert len(tables.space_models) > 0
    expected = Counter(model for _, model in fixture.space_model_links())
    assert set(tables.space_models["source"]) == {ad.SPACE_MODELS}
    out = ad.space_adoption(tables.space_models, tables.repos).set_index("model_id")
    model_ids = [m["id"] for m in fixture.repos["model"]]
    assert set(model_ids) <= set(out.index)
    for model_id in set(model_ids) | set(expected):
        assert out.loc[model_id, "spaces"] == expected.get(model_id, 0), model_id
    assert out["spaces"].sum() == len(fixture.space_model_links())
    # the fixture's spaces only link listed models
    assert out["listed"].all()
    # concentration agrees with the counts computed from the fixture
    counts = [expected.get(m, 0) for m in model_ids]
    c = ad.concentration(out["spaces"])
    assert c["total"] == sum(counts) and c["n_adopted"] == sum(1 for v in counts if v)
    assert c["max"] == max(counts)


def test_derivation_adoption_matches_fixture(collected):
    tables, fixture = collected
    owner = lambda rid: rid.split("/")[0]  # noqa: E731
    derivatives, adopters, by_relation, own = Counter(), {}, Counter(), Counter()
    for m in fixture.repos["model"]:
        declared = {}
        for tag in m["tags"]:
            parts = tag.split(":")
            if parts[0] == "base_model" and len(parts) == 3:
                declared[parts[2]] = parts[1]
        for base, rel in declared.items():
            if base == m["id"]:
                continue
            if owner(base).lower() == owner(m["id"]).lower():
                own[base] += 1
                continue
            derivatives[base] += 1
            adopters.setdefault(base, set()).add(owner(m["id"]).lower())
            by_relation[(base, rel)] += 1
    assert derivatives, "fixture should declare some base models"
    edges = ad.derivation_edges(tables.derivations)
    assert (edges["relation_source"] == "declared").all()
    assert (edges["resolution"] == "exact").all()
    out = ad.derivation_adoption(edges, tables.repos).set_index("model_id")
    for base, n in derivatives.items():
        assert out.loc[base, "derivatives"] == n, base
        assert out.loc[base, "adopters"] == len(adopters[base]), base
    for (base, rel), n in by_relation.items():
        assert out.loc[base, rel] == n, (base, rel)
    for base, n in own.items():
        assert out.loc[base, "self_derivatives"] == n, base
    assert out["derivatives"].sum() == sum(derivatives.values())
