"""RQ2's networks, tables and headline numbers (analysis.network_report) on hand-made data with known answers."""

import networkx as nx
import pandas as pd
import pytest

from hubcommunity.analysis import network as net
from hubcommunity.analysis import network_report as nr
from hubcommunity.analysis.records import as_dict


def _threads():
    rows = [  # repo_id, num, is_pr, status, opener
        ("o1/m1", 1, True, "merged", "u1"), ("o1/m1", 2, True, "open", "u1"), ("o1/m2", 1, True, "closed", "o1"),
        ("o2/m", 1, False, "open", "u1"), ("o2/m", 3, True, "merged", "bot"), ("o2/m", 4, True, "open", "bot"),
    ]
    frame = pd.DataFrame(rows, columns=["repo_id", "num", "is_pull_request", "status", "opener"])
    return frame.assign(repo_type="model", title=["t1", "t2", "t3", "t4", "convert", "convert"])


def _events():
    ev = [("o1/m1", 1, "comment", "o1"), ("o2/m", 1, "comment", "o2"), ("o2/m", 3, "comment", "o2"),
          ("o2/m", 4, "comment", "u1")]
    return pd.DataFrame(ev, columns=["repo_id", "num", "type", "author"]).assign(repo_type="model")


def _base_models():
    return pd.DataFrame({"model_id": ["u1/x", "o2/y"], "base_model_id": ["o1/m1", "o1/m2"]})


def test_labels_and_paper_claim():
    assert nr.label("pr") == "pull requests" and nr.label("disc (with bots)") == "discussions (with bots)"
    assert nr.label("commits (paper)") == "commits (paper)"
    claims = pd.DataFrame({"key": ["network_isolates_share"], "claim": ["Isolates"], "value": [0.89]})
    assert nr.paper_isolates_record(claims) == {"key": "paper_isolates_share", "value": 0.89,
                                                "unit": "share of developers", "description": "The paper: Isolates",
                                                "fmt": "{:.0%}"}


def test_paper_networks_are_empty_without_commits_and_four_with():
    empty = pd.DataFrame({"repo_type": [], "repo_id": [], "commit_id": [], "position": [], "author": []})
    assert nr.paper_networks(empty, pd.DataFrame()) == {}
    commits = pd.DataFrame({"repo_type": "model", "repo_id": ["o/r1", "o/r1"], "commit_id": ["c1", "c2"],
                            "position": [0, 0], "author": ["ana", "ben"]})
    repos = pd.DataFrame({"repo_type": ["model"], "repo_id": ["o/r1"], "pipeline_tag": ["text-generation"]})
    nets = nr.paper_networks(commits, repos)
    assert list(nets) == ["commits (paper)", "commits, cv", "commits, nlp", "commits, multimodal"]
    assert set(nets["commits (paper)"].edges()) == {("ana", "ben"), ("ben", "ana")}
    assert nets["commits, nlp"].number_of_edges() == 2 and nets["commits, cv"].number_of_nodes() == 0


def test_bot_table_scripted_accounts_and_their_records():
    activity = pd.DataFrame({"account": ["quiet-bot", "bot"], "threads_opened": [0, 2], "prs_opened": [0, 2],
                             "prs_merged": [0, 1], "comments": [0, 0], "share_of_threads": [0.0, 1 / 3],
                             "top_title_share": [float("nan"), 1.0]})
    listed = pd.DataFrame({"account": ["bot", "quiet-bot"], "evidence": ["converts", "name"]})
    table = nr.bot_table(activity, listed)
    assert table["account"].tolist() == ["bot", "quiet-bot"] and list(table.columns) == list(nr.BOT_COLUMNS)
    got = as_dict(nr.bot_records(table, _threads(), 2))
    assert got == {"n_bots": 2, "bot_threads_share": pytest.approx(1 / 3), "top2_bot_threads_share": pytest.approx(1 / 3)}
    cands = pd.DataFrame({"account": ["bot", "scripter", "namebot"], "threads_opened": [500, 300, 1],
                          "top_title": ["convert", "add paper", "x"], "top_title_share": [1.0, 0.95, 1.0],
                          "scripted_signal": [True, True, False], "listed": [True, False, False]})
    people = nr.scripted_accounts(cands)
    assert people["account"].tolist() == ["scripter"] and people.index.tolist() == [0]
    assert as_dict(nr.scripted_records(people, 100, 0.9)) == {"scripted_min_threads": 100,
                                                               "scripted_min_title_share": 0.9, "n_scripted_people": 1}


def test_real_networks_with_and_without_bots_and_what_is_shown():
    graphs = nr.real_networks(_threads(), _events(), _base_models(), {"bot"})
    assert list(graphs) == ["pr", "prm", "disc", "deriv", "pr (with bots)", "disc (with bots)", "deriv (with bots)"]
    assert "bot" not in graphs["pr"] and graphs["pr (with bots)"].has_edge("bot", "o2")
    assert set(graphs["prm"].edges()) == {("u1", "o1")}
    described = net.describe_networks(graphs, n_null=3, max_moves=5, seed=0)
    assert nr.bots_matter(described) == {"pr": True, "disc": True, "deriv": False}
    assert list(nr.shown_networks(described)) == ["pull requests", "merged pull requests", "discussions", "derivation",
                                                  "pull requests (with bots)", "discussions (with bots)"]
    got = as_dict(nr.size_records(described, graphs))
    assert got["deriv_bots_note"] == "is the same with or without them"
    # without bots: u1 -> o1 (2 PRs, 1 merged), o1 -> o1 (1 PR)
    assert got["pr_count"] == 3 and got["pr_merged_share"] == pytest.approx(1 / 3) and got["pr_count_bots"] == 5
    assert got["pr_nodes"] == 2 and got["pr_edges"] == 1 and got["pr_self_loops"] == 1
    assert got["pr_bots_nodes"] == 4 and got["deriv_max_in"] == 2  # u1 and o2 build on o1's models


def test_verdict_in_words():
    assert nr.verdict({"p_value": 0.01, "z": 3.0, "rho": 0.5, "null_mean": 0.2, "null_sd": 0.1}).startswith("denser")
    assert nr.verdict({"p_value": 1.0, "z": -5.0, "rho": 0.1, "null_mean": 0.5, "null_sd": 0.1}).startswith("less")
    assert nr.verdict({"p_value": 0.4, "z": 0.2, "rho": 0.21, "null_mean": 0.2, "null_sd": 0.1}).startswith("no diff")


def test_core_records_on_a_planted_core():
    G = nx.DiGraph()
    G.add_edges_from((u, v) for u in range(6) for v in range(6) if u != v)
    G.add_edges_from((f"p{i}", i % 6) for i in range(18))
    d = net.describe_network(G, n_null=9, max_moves=20, seed=0)
    got = as_dict(nr.core_records({"pr": d, "disc": d, "deriv": d}, 9, 20))
    assert got["n_null"] == 9 and got["max_moves"] == 20
    assert got["pr_core_size"] == 6 and got["pr_core_share"] == 0.25
    assert got["pr_rec_core"] == 1.0 and got["pr_rec_between"] == 0.0
    assert got["pr_kmax_size"] == 6 and got["disc_verdict"] == nr.verdict(d["row"])


def test_subfield_records_skip_isolate_share_of_empty_networks():
    G = nx.DiGraph([("a", "b"), ("c", "c")])
    sub = {("cv", "disc"): G, ("nlp", "pr"): nx.DiGraph()}
    assert as_dict(nr.subfield_records(sub)) == {"sub_cv_disc_nodes": 3, "sub_cv_disc_isolate_share": pytest.approx(1 / 3),
                                                 "sub_nlp_pr_nodes": 0}
    table = nr.subfield_table(sub)
    assert table["network"].tolist() == ["discussions", "pull requests"] and table["subfield"].tolist() == ["cv", "nlp"]


def test_identity_merges_fold_near_identical_names():
    # ratio of the two handles: 2 * 18 / 37 = 97 >= 90; "carol" and "dave" are far apart
    G = nx.DiGraph([("stablediffusionfan", "alice"), ("stablediffusionfan1", "bob"), ("carol", "dave")])
    H = nx.DiGraph([("erin", "frank")])
    merges, examples, records = nr.identity_merges({"pr": G, "disc": H, "deriv": H}, threshold=90)
    got = as_dict(records)
    assert got == {"name_threshold": 90, "pr_merged": 1, "disc_merged": 0, "deriv_merged": 0, "n_name_pairs": 1}
    assert merges["network"].tolist() == ["pull requests", "discussions", "derivation"]
    assert examples[["name_1", "name_2"]].values.tolist() == [["stablediffusionfan", "stablediffusionfan1"]]
    assert merges.loc[0, "accounts merged"] == 1 and merges.loc[0, "identities"] == 5
