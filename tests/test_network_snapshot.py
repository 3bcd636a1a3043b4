"""The paper's network end to end: fake Hub -> real collector -> load_tables -> construction.

The expected edge list is computed straight from the fake Hub's fixture with
a plain transcription of the authors' ``hf-collabnet.py`` loop, independently
of the collector, the tables stage and the vectorised construction under test.
The one deviation from the original script is stated: a commit whose author
list is empty (deleted account) adds nothing, where ``commit.authors[0]``
would have raised.
"""

from collections import Counter

import pytest

from hubcommunity.analysis.network_build import paper_collaboration_network
from hubcommunity.analysis.network_stats import network_statistics, paper_isolates, reciprocity_test
from hubcommunity.fakehub.testing import collected_snapshot_and_fixture
from hubcommunity.tables import load_tables


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    dest = tmp_path_factory.mktemp("network")
    snap, fixture, _ = collected_snapshot_and_fixture(dest, seed=11, n_models=60, n_datasets=4, n_spaces=4)
    return load_tables([snap]), fixture


def hf_collabnet(fixture) -> Counter:
    """The authors' loop over the fixture's commit histories (models, commits readable)."""
    edges = Counter()
    for (repo_type, repo_id), commits in fixture.commits.items():
        if repo_type != "model" or (repo_type, repo_id) in fixture.gated_commits:
            continue
        commits = [[a["user"] for a in c["authors"]] for c in commits]
        commits = [authors for authors in commits if authors]
        unique_authors = {a for authors in commits for a in authors}
        for authors in commits:
            source = authors[0]
            for target in unique_authors:
                if source != target:
                    edges[(source, target)] += 1
            if len(unique_authors) == 1:
                edges[(source, source)] += 1
    return edges


def test_paper_network_from_collected_snapshot(collected):
    tables, fixture = collected
    assert len(tables.commit_authors) > 0
    G = paper_collaboration_network(tables.commit_authors, tables.repos)
    got = Counter({(u, v): d["weight"] for u, v, d in G.edges(data=True)})
    expected = hf_collabnet(fixture)
    assert got == expected
    assert any(u == v for u, v in expected) and any(u != v for u, v in expected)
    stats = network_statistics(G)
    assert stats["isolates"] == len(paper_isolates(G)) > 0
    assert stats["self_loops"] == sum(1 for u, v in expected if u == v)


def test_subfield_networks_are_subgraphs(collected):
    tables, _ = collected
    G = paper_collaboration_network(tables.commit_authors, tables.repos)
    total = 0
    for sub in ("cv", "nlp", "multimodal"):
        S = paper_collaboration_network(tables.commit_authors, tables.repos, subfield=sub)
        assert set(S.edges()) <= set(G.edges())
        total += S.size(weight="weight")
    assert 0 < total <= G.size(weight="weight")


def test_paper_network_reciprocity_is_mechanically_high(collected):
    """On a collected snapshot the paper's construction ties every two first authors of a
    repository both ways, so its reciprocity must sit far above random networks with the same
    in- and out-degrees -- a property of the construction, not of the developers."""
    tables, fixture = collected
    G = paper_collaboration_network(tables.commit_authors, tables.repos)
    first_authors = {}
    for (repo_type, repo_id), commits in fixture.commits.items():
        if repo_type == "model" and (repo_type, repo_id) not in fixture.gated_commits:
            first_authors[repo_id] = {c["authors"][0]["user"] for c in commits if c["authors"]}
    mutual_pairs = {(a, b) for firsts in first_authors.values() for a in firsts for b in firsts if a != b}
    assert mutual_pairs and all(G.has_edge(a, b) and G.has_edge(b, a) for a, b in mutual_pairs)
    r = reciprocity_test(G, n_null=39, seed=0)
    assert r["reciprocity"] > 0.8 and r["ties"] == network_statistics(G)["edges_no_loops"]
    assert r["reciprocity"] > 2 * r["null_mean"] and r["z"] > 3
    assert r["p_greater"] == pytest.approx(1 / 40) and r["converged"]
