"""The network constructions on hand-made tables with known edge lists."""

import networkx as nx
import pandas as pd
import pytest

from hubcommunity.analysis.network_build import (
    derivation_network,
    discussion_network,
    owner_of,
    paper_collaboration_network,
    paper_edge_list,
    pull_request_network,
    subfield_repo_ids,
)
from hubcommunity.analysis.network_stats import paper_isolates, reciprocity
from hubcommunity.derivations import resolve_derivations


def commit_authors_table():
    """Four model repos and one dataset; each commit's authors in position order."""
    commits = {
        ("model", "o/r1"): {"c1": ["A", "B"], "c2": ["B"], "c3": ["A"], "c4": ["C", "A"]},
        ("model", "o/r2"): {"d1": ["D"], "d2": ["D"]},
        ("model", "o/r3"): {"e1": ["E"], "e2": ["E", "A"]},
        ("dataset", "o/data"): {"x1": ["X", "Y"]},
    }
    rows = [
        {"repo_type": rt, "repo_id": rid, "commit_id": cid, "position": pos, "author": author}
        for (rt, rid), cs in commits.items() for cid, authors in cs.items() for pos, author in enumerate(authors)
    ]
    # shuffle the row order: the construction must not depend on it
    return pd.DataFrame(rows).sample(frac=1, random_state=3).reset_index(drop=True)


EXPECTED = {
    ("A", "B"): 2, ("A", "C"): 2,  # c1, c3: first author A -> every other author of r1
    ("B", "A"): 1, ("B", "C"): 1,  # c2
    ("C", "A"): 1, ("C", "B"): 1,  # c4
    ("D", "D"): 2,                 # single-author repository: one self-loop per commit
    ("E", "A"): 2,                 # r3: A is never a first author, so no A -> E
}


def test_paper_edge_list_exact():
    edges = paper_edge_list(commit_authors_table())
    got = {(s, t): w for s, t, w in edges[["source", "target", "weight"]].itertuples(index=False)}
    assert got == EXPECTED


def test_paper_network_reciprocity_by_construction_and_isolates():
    G = paper_collaboration_network(commit_authors_table())
    assert set(G) == {"A", "B", "C", "D", "E"}  # dataset authors X, Y are not in a model network
    assert {(u, v): d["weight"] for u, v, d in G.edges(data=True)} == EXPECTED
    # every pair of first authors sharing r1 is tied both ways; only E -> A is one-way
    assert reciprocity(G) == pytest.approx(6 / 7)
    assert paper_isolates(G) == ["D"]
    assert list(nx.isolates(G)) == []  # networkx's definition is defeated by the self-loop


def test_first_author_is_smallest_position_present():
    ca = pd.DataFrame({"repo_type": "model", "repo_id": "o/r", "commit_id": "c",
                       "position": [2, 1], "author": ["P", "Q"]})
    edges = paper_edge_list(ca)
    assert edges[["source", "target", "weight"]].values.tolist() == [["Q", "P", 1]]


def test_exclude_removes_authors_before_building():
    edges = paper_edge_list(commit_authors_table(), exclude={"E"})
    got = {(s, t): w for s, t, w in edges[["source", "target", "weight"]].itertuples(index=False)}
    # without E, r3 has the single author A; e1 (only E) is gone and A becomes
    # e2's first author, so r3 adds one A self-loop
    assert got[("A", "A")] == 1 and ("E", "A") not in got and "E" not in set(edges["source"])


def test_subfield_network_uses_pipeline_tags():
    repos = pd.DataFrame({"repo_type": "model", "repo_id": ["o/r1", "o/r2", "o/r3"],
                          "pipeline_tag": ["text-generation", "image-classification", None]})
    nlp = paper_collaboration_network(commit_authors_table(), repos, subfield="nlp")
    cv = paper_collaboration_network(commit_authors_table(), repos, subfield="cv")
    assert set(nlp) == {"A", "B", "C"} and nlp["A"]["B"]["weight"] == 2
    assert set(cv.edges()) == {("D", "D")}
    assert subfield_repo_ids(repos, "nlp") == {"o/r1"} and subfield_repo_ids(repos, "multimodal") == set()
    with pytest.raises(ValueError, match="repos table"):
        paper_collaboration_network(commit_authors_table(), subfield="cv")
    with pytest.raises(ValueError, match="unknown subfield"):
        paper_collaboration_network(commit_authors_table(), repos, subfield="audio")


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="position"):
        paper_edge_list(pd.DataFrame({"repo_type": [], "repo_id": [], "commit_id": [], "author": []}))


def test_owner_of():
    owners = owner_of(pd.Series(["a/b", "gpt2", "c/d/e"]))
    assert owners[0] == "a" and pd.isna(owners[1]) and owners[2] == "c"


def discussions_table():
    rows = [
        # repo_type, repo_id, num, is_pr, status, opener
        ("model", "o1/m1", 1, True, "merged", "u1"),
        ("model", "o1/m1", 2, True, "open", "u1"),
        ("model", "o1/m2", 1, True, "closed", "o1"),
        ("model", "o2/m", 1, False, "open", "u1"),
        ("model", "gpt2", 3, True, "open", "u2"),
        ("model", "o2/m", 2, True, "open", None),
        ("model", "o2/m", 3, True, "merged", "bot"),
        ("dataset", "o3/d", 1, True, "merged", "u1"),
    ]
    return pd.DataFrame(rows, columns=["repo_type", "repo_id", "num", "is_pull_request", "status", "opener"])


def test_pull_request_network():
    G = pull_request_network(discussions_table())
    assert {(u, v): (d["weight"], d["merged"]) for u, v, d in G.edges(data=True)} == {
        ("u1", "o1"): (2, 1), ("o1", "o1"): (1, 0), ("bot", "o2"): (1, 1)}
    assert G.graph["skipped"]["no_owner"] == 1 and G.graph["skipped"]["no_opener"] == 1
    M = pull_request_network(discussions_table(), merged_only=True)
    assert {(u, v): d["weight"] for u, v, d in M.edges(data=True)} == {("u1", "o1"): 1, ("bot", "o2"): 1}
    H = pull_request_network(discussions_table(), exclude={"bot"})
    assert set(H) == {"u1", "o1"} and H.graph["skipped"]["excluded_accounts"] == 1
    assert paper_isolates(H) == []


def test_discussion_network():
    threads = pd.DataFrame(
        [("model", "o1/m1", 1, False, "u1"), ("model", "o1/m1", 2, True, "u2"),
         ("model", "o2/m", 1, True, "bot"), ("model", "o3/x", 1, False, "u3")],
        columns=["repo_type", "repo_id", "num", "is_pull_request", "opener"])
    ev = [("o1/m1", 1, "comment", "u1"), ("o1/m1", 1, "comment", "o1"), ("o1/m1", 1, "comment", "o1"),
          ("o1/m1", 1, "comment", "u2"), ("o1/m1", 1, "status-change", "o1"),
          ("o1/m1", 2, "comment", "u2"), ("o1/m1", 2, "comment", "u1"), ("o1/m1", 2, "commit", "o1"),
          ("o2/m", 1, "comment", "bot"), ("o2/m", 1, "comment", "o2"), ("o3/x", 1, "comment", "u3"),
          ("o3/x", 1, "comment", None)]
    events = pd.DataFrame(ev, columns=["repo_id", "num", "type", "author"]).assign(repo_type="model")
    G = discussion_network(threads, events)
    assert {(u, v): d["weight"] for u, v, d in G.edges(data=True)} == {
        ("o1", "u1"): 1, ("u2", "u1"): 1, ("u1", "u2"): 1, ("o2", "bot"): 1}
    assert set(G) == {"u1", "u2", "u3", "o1", "o2", "bot"}
    assert paper_isolates(G) == ["u3"]  # opened a thread nobody else answered
    assert reciprocity(G) == pytest.approx(0.5)
    assert G.graph["skipped"]["comments_without_author"] == 1
    H = discussion_network(threads, events, exclude={"bot"})
    assert "bot" not in H and "o2" not in H  # o2 appeared only by answering the bot
    D = discussion_network(threads, events, pull_requests=False)
    assert set(D.edges()) == {("o1", "u1"), ("u2", "u1")}


def test_derivation_network():
    bm = pd.DataFrame({"model_id": ["a/m1", "a/m2", "a/m3", "c/x", "b/y", "b/y"],
                       "base_model_id": ["b/base", "b/base", "a/m1", "gpt2", "a/m1", "a/m1"]})
    G = derivation_network(bm)
    assert {(u, v): d["weight"] for u, v, d in G.edges(data=True)} == {("a", "b"): 2, ("a", "a"): 1, ("b", "a"): 1}
    assert G.graph["skipped"]["links_without_owner"] == 1
    assert set(derivation_network(bm, exclude={"b"})) == {"a"}


def test_derivation_network_on_the_resolved_table():
    """Owners from the resolved table: legacy ids have an owner, case variants are one node, self-references skip."""
    listing = pd.DataFrame({"repo_id": ["openai-community/gpt2", "Org/base", "a/m1", "a/m2", "b/y", "c/self"],
                            "owner": ["openai-community", "Org", "a", "a", "b", "c"],
                            "tags": [[]] * 6, "library": [None] * 6})
    pairs = pd.DataFrame({"model_id": ["a/m1", "a/m2", "b/y", "b/y", "c/self", "a/m2"],
                          "base_model_id": ["gpt2", "org/base", "ORG/gone", "a/m1", "c/self", "a/m1"],
                          "relation": ["unspecified"] * 6})
    G = derivation_network(resolve_derivations(pairs, listing))
    weights = {(u, v): d["weight"] for u, v, d in G.edges(data=True)}
    assert weights == {("a", "openai-community"): 1, ("a", "Org"): 1, ("b", "Org"): 1, ("b", "a"): 1, ("a", "a"): 1}
    assert "org" not in G and "ORG" not in G  # case variants of Org's name are one node
    assert G.graph["skipped"] == {"self_references": 1, "links_without_owner": 0, "excluded_accounts": 0}
    # the raw table, by contrast, cannot place gpt2, and knows Org only by a base id's spelling
    R = derivation_network(pairs)
    assert R.graph["skipped"]["links_without_owner"] == 1 and "Org" not in R and "org" in R
