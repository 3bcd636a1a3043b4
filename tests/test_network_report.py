"""RQ2's networks, tables and headline numbers (analysis.network_report) on hand-made data with known answers."""

import networkx as nx
import pandas as pd
import pytest

from hubcommunity.analysis import network as net
from hubcommunity.analysis import network_report as nr
from hubcommunity.analysis.records import as_dict
from hubcommunity.privacy import pseudonym


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
    assert people["account"].tolist() == [pseudonym("scripter")] and people.index.tolist() == [0]
    assert nr.scripted_accounts(cands, frozenset({"scripter"}))["account"].tolist() == ["scripter"]
    assert as_dict(nr.scripted_records(people, 100, 0.9)) == {"scripted_min_threads": 100,
                                                               "scripted_min_title_share": 0.9, "n_scripted_people": 1}


def test_real_networks_with_and_without_bots_and_what_is_shown():
    graphs = nr.real_networks(_threads(), _events(), _base_models(), {"bot"})
    assert list(graphs) == ["pr", "prm", "disc", "deriv", "pr (with bots)", "disc (with bots)", "deriv (with bots)"]
    assert "bot" not in graphs["pr"] and graphs["pr (with bots)"].has_edge("bot", "o2")
    assert set(graphs["prm"].edges()) == {("u1", "o1")}
    described = net.describe_networks(graphs, core_keys=nr.core_keys(graphs), n_null=3, n_density_null=3,
                                      max_moves=5, seed=0)
    assert "cp" in described["pr"] and "cp" not in described["pr (with bots)"]
    assert nr.bots_matter(described) == {"pr": True, "disc": True, "deriv": False}
    assert list(nr.shown_networks(described)) == ["pull requests", "merged pull requests", "discussions", "derivation",
                                                  "pull requests (with bots)", "discussions (with bots)"]
    got = as_dict(nr.size_records(described, graphs))
    assert got["deriv_bots_note"] == "is the same with or without them"
    # without bots: u1 -> o1 (2 PRs, 1 merged), o1 -> o1 (1 PR)
    assert got["pr_count"] == 3 and got["pr_merged_share"] == pytest.approx(1 / 3) and got["pr_count_bots"] == 5
    assert got["pr_nodes"] == 2 and got["pr_edges"] == 1 and got["pr_self_loops"] == 1
    assert got["pr_bots_nodes"] == 4 and got["deriv_max_in"] == 2  # u1 and o2 build on o1's models
    assert got["deriv_links_skipped"] == 0
    table = nr.stats_table(nr.shown_networks(described))
    assert table["network"].tolist()[:2] == ["pull requests", "merged pull requests"]
    assert set(nr.STATS_SHOWN) <= set(table.columns)


def test_verdicts_in_words():
    assert nr.verdict({"p_greater": 0.01, "p_less": 1.0}).startswith("denser")
    assert nr.verdict({"p_greater": 1.0, "p_less": 0.02}).startswith("less")
    assert nr.verdict({"p_greater": 0.4, "p_less": 0.6}).startswith("no diff")
    assert nr.density_verdict({"er_p_greater": 0.01}).startswith("more")
    assert nr.density_verdict({"er_p_greater": 0.5}).startswith("no more")


def test_core_records_and_tables_on_a_planted_core():
    G = nx.DiGraph()
    G.add_edges_from((u, v) for u in range(6) for v in range(6) if u != v)
    G.add_edges_from((f"p{i}", i % 6) for i in range(18))
    d = net.describe_network(G, n_null=9, n_density_null=19, max_moves=20, seed=0)
    got = as_dict(nr.core_records({"pr": d, "disc": d, "deriv": d}, 9, 19, 20))
    assert got["n_null"] == 9 and got["n_density_null"] == 19 and got["max_moves"] == 20
    assert got["pr_core_size"] == 6 and got["pr_core_share"] == 0.25
    assert got["pr_rec_core"] == 1.0 and got["pr_rec_between"] == 0.0
    assert got["pr_kmax_size"] == 6 and got["disc_verdict"] == nr.verdict(d["row"])
    assert got["pr_dens_core"] == 1.0 and got["pr_dens_periphery"] == 0.0
    assert got["pr_rho_sq"] == pytest.approx(got["pr_rho"] ** 2) and got["max_rho_sq"] == got["pr_rho_sq"]
    # a split graph: the degree null reproduces it exactly, the density null does not
    assert got["pr_verdict"].startswith("no diff") and got["density_verdict_all"].startswith("Every network is more")
    assert got["block_order_note"].endswith("in every network") and got["cp_converged"] == "all converged"
    core = nr.core_table({"pr": d}, ["pr"])
    nulls = nr.core_null_table({"pr": d}, ["pr"])
    assert core.loc[0, "core_size"] == 6 and set(nr.CORE_SHOWN) <= set(core.columns)
    assert nulls.loc[0, "verdict_degrees"] == got["pr_verdict"] and set(nr.CORE_NULL_SHOWN) <= set(nulls.columns)


def test_subfield_records_skip_isolate_share_of_empty_networks():
    G = nx.DiGraph([("a", "b"), ("c", "c")])
    H = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "d")])
    sub = {("cv", "disc"): G, ("nlp", "disc"): H, ("nlp", "pr"): nx.DiGraph()}
    got = as_dict(nr.subfield_records(sub))
    assert got == {"sub_cv_disc_nodes": 3, "sub_cv_disc_isolate_share": pytest.approx(1 / 3),
                   "sub_cv_disc_reciprocity": 0.0, "sub_nlp_disc_nodes": 4, "sub_nlp_disc_isolate_share": 0.0,
                   "sub_nlp_disc_reciprocity": pytest.approx(2 / 3), "sub_nlp_pr_nodes": 0,
                   "sub_disc_isolate_min": 0.0, "sub_disc_isolate_max": pytest.approx(1 / 3)}
    table = nr.subfield_table(sub)
    assert table["network"].tolist() == ["discussions", "discussions", "pull requests"]
    assert table["subfield"].tolist() == ["CV", "NLP", "NLP"]


def _sets():
    return {"actors": {"u1", "u2", "o1", "bot"}, "organisations": {"o2"}, "owners": {"o1", "o2", "u1", "solo"},
            "owners_before": {"o1", "u1", "solo"}, "thread_owners": {"o1", "o2"}}


def test_who_can_reciprocate_each_kind_of_tie():
    sets = _sets()
    assert nr.eligible_accounts("pr", sets) == {"u1", "o1"}  # act, not organisations, own a model
    assert nr.eligible_accounts("prm", sets) == {"u1", "o1"}
    assert nr.eligible_accounts("disc (with bots)", sets) == {"u1", "u2", "o1", "bot"}
    assert nr.eligible_accounts("deriv", sets) is None and nr.eligible_accounts(nr.PAPER, sets) is None
    assert set(nr.RECIPROCITY_RULES) == {"pr", "disc", "deriv", "commits"}


def test_isolates_table_counts_owners_with_no_tie_of_any_kind():
    sets = _sets()
    graphs = {"pr": nx.DiGraph([("u1", "o1"), ("o1", "o1")]), "disc": nx.DiGraph([("u2", "o1")]),
              "deriv": nx.DiGraph([("solo", "solo")])}
    table = nr.isolates_table(graphs, sets, bots={"bot"}, paper_share=0.89).set_index("network")
    # owners: o1, o2, u1, solo; tied in pr: o1, u1; in disc: o1; in deriv: none
    assert table.loc["pull requests", "owner_isolate_share"] == 0.5
    assert table.loc["discussions", "owner_isolate_share"] == 0.75
    assert table.loc["derivation", "owner_isolate_share"] == 1.0 and table.loc["derivation", "isolate_share"] == 1.0
    assert table.loc["any of the three", "owners_tied"] == 2
    assert table.loc["any of the three", "owner_before_isolate_share"] == pytest.approx(1 / 3)  # o1, u1 of 3
    assert table.loc["commits (the paper, about October 2023)", "owner_isolate_share"] == 0.89
    got = as_dict(nr.isolate_records(table.reset_index()))
    assert got["any_owner_isolate_share"] == 0.5 and got["deriv_owner_before_isolate_share"] == 1.0


def test_reciprocity_tests_table_and_records():
    sets = _sets()
    G = nx.DiGraph([("u1", "o1"), ("o1", "u1"), ("u2", "o1"), ("u1", "o2"), ("o1", "o2")])
    tests = nr.reciprocity_tests({"pr": G, "deriv": G}, ["pr", "deriv"], sets, n_null=5, seed=0)
    # among u1 and o1 (pr rule): 2 ties, both reciprocated; all nodes (deriv rule): 2 of 5
    assert tests["pr"]["ties"] == 2 and tests["pr"]["reciprocity"] == 1.0
    assert tests["deriv"]["ties"] == 5 and tests["deriv"]["reciprocity"] == pytest.approx(0.4)
    table = nr.reciprocity_table(tests)
    assert table["network"].tolist() == ["pull requests", "derivation"]
    assert table.loc[0, "who_can_reciprocate"] == nr.RECIPROCITY_RULES["pr"]
    got = as_dict(nr.reciprocity_records(tests))
    assert got["pr_rec_able"] == 1.0 and got["deriv_able_tie_share"] == 1.0 and got["rec_n_null"] == 5
    merged = nr.reciprocity_tests({"pr": G}, ["pr"], sets, n_null=3, mapping={"pr": {"u1": "U"}})
    assert merged["pr"]["nodes"] == 1  # u1 renamed U is not a node of G: only o1 is left able


def test_sensitivity_table_varies_bots_and_names():
    sets = _sets()
    pr = nx.DiGraph([("u1", "o1"), ("o1", "u1"), ("u2", "o1")])
    graphs = {"pr": pr, "pr (with bots)": nx.DiGraph([*pr.edges(), ("bot", "solo")]),
              "disc": nx.DiGraph([("u1", "u2")]), "disc (with bots)": nx.DiGraph([("u1", "u2")]),
              "deriv": nx.DiGraph([("o1", "u1")]), "deriv (with bots)": nx.DiGraph([("o1", "u1")])}
    merged = {k: (graphs[k], {}, pd.DataFrame(columns=["name_1", "name_2", "score"])) for k in nr.MAIN}
    tests = nr.reciprocity_tests(graphs, nr.MAIN, sets, n_null=3)
    table = nr.sensitivity_table(graphs, merged, sets, {"bot"}, tests, n_null=3)
    assert len(table) == 9 and set(nr.SENSITIVITY_SHOWN) <= set(table.columns)
    pr_rows = table[table["network"] == "pull requests"].set_index("bots")
    # with bots, the bot ties solo: one more owner (of o1, u1, solo before the capture) is tied
    assert pr_rows.loc["excluded", "owner_before_isolate_share"].iloc[0] == pytest.approx(1 / 3)
    assert pr_rows.loc["included", "owner_before_isolate_share"] == 0.0
    got = as_dict(nr.sensitivity_records(table))
    assert got["sens_max_owner_isolate_change"] == pytest.approx(100 / 3)  # percentage points


def test_sensitivity_table_adds_other_constructions_of_a_network():
    """The unresolved derivation network is one more row; its records compare it with the resolved one."""
    sets = _sets()
    resolved = nx.DiGraph([("o1", "u1"), ("u1", "o1"), ("o2", "u1")])
    raw = nx.DiGraph([("o1", "u1")])  # a base id without owner left out: o2 and its tie vanish
    graphs = {"pr": resolved, "disc": resolved, "deriv": resolved,
              "deriv (with bots)": nx.DiGraph([*resolved.edges(), ("bot", "o1")])}  # a second "as on the Hub" row
    merged = {k: (graphs[k], {}, pd.DataFrame(columns=["name_1", "name_2", "score"])) for k in nr.MAIN}
    tests = nr.reciprocity_tests(graphs, nr.MAIN, sets, n_null=3)
    table = nr.sensitivity_table(graphs, merged, sets, {"bot"}, tests, n_null=3,
                                 variants={"deriv": [(nr.UNRESOLVED, raw)]})
    deriv = table[(table["network"] == "derivation") & (table["bots"] == "excluded")].set_index("names")
    assert deriv.loc[nr.UNRESOLVED, "nodes"] == 2 and deriv.loc["as on the Hub", "nodes"] == 3
    got = as_dict(nr.sensitivity_records(table))
    assert got["sens_deriv_raw_nodes"] == 2 and got["sens_deriv_resolved_extra_nodes"] == 1
    assert "sens_deriv_raw_ratio" in got
    # without the variant, no such records
    plain = nr.sensitivity_table(graphs, merged, sets, {"bot"}, tests, n_null=3)
    assert "sens_deriv_raw_nodes" not in as_dict(nr.sensitivity_records(plain))


def test_identity_merges_fold_near_identical_names_and_show_no_names():
    # ratio of the two handles: 2 * 18 / 37 = 97 >= 90; "carol" and "dave" are far apart
    G = nx.DiGraph([("stablediffusionfan", "alice"), ("stablediffusionfan1", "bob"), ("carol", "dave")])
    H = nx.DiGraph([("erin", "frank")])
    graphs = {"pr": G, "disc": H, "deriv": H}
    merged = nr.merge_names(graphs, threshold=90)
    merges, kinds, records = nr.identity_merges(graphs, merged, threshold=90)
    got = as_dict(records)
    assert got == {"name_threshold": 90, "pr_merged": 1, "disc_merged": 0, "deriv_merged": 0, "n_name_pairs": 1,
                   "name_pairs_digits_share": 1.0}
    assert merges["network"].tolist() == ["pull requests", "discussions", "derivation"]
    assert merges.loc[0, "accounts_merged"] == 1 and merges.loc[0, "identities"] == 5
    assert kinds.set_index("difference").loc["digits only", "pairs"] == 1
    assert not any("stablediffusion" in str(v) for v in kinds.to_numpy().ravel())
