"""RQ2's networks, tables and headline numbers, composed from :mod:`~hubcommunity.analysis.network`.

Pure functions behind ``book/rq2_network.md`` (Osborne, Ding & Kirk 2024, RQ2:
the social network of the Hub's developers). The chapter builds the three real
networks of the reference captures (pull requests, discussions, derivation;
with and without bots), describes them with
:func:`~hubcommunity.analysis.network.describe_networks`, and quotes the
results; this module holds every step between: which networks to build and
show, and the headline numbers of each section as records
(:mod:`hubcommunity.analysis.records`). Shares are fractions in [0, 1]; counts
are accounts, ties or pull requests. No I/O.

Network keys: ``pr``, ``prm`` (merged pull requests only), ``disc``, ``deriv``;
``"<key> (with bots)"`` is the same network built with bots included;
``"commits (paper)"`` (and its subfield versions) when a snapshot has commits.

Fair comparisons (issue 12, METHODS.md): isolates are also counted over the
paper's kind of node set, every owner of a listed model
(:func:`account_sets`, :func:`isolates_table`); reciprocity is judged among
the accounts able to reciprocate each kind of tie (:data:`RECIPROCITY_RULES`,
:func:`eligible_accounts`) against density and a degree-preserving null
(:func:`reciprocity_tests`); the core-periphery fit against a density null
and a degree-preserving null (:func:`core_table`, :func:`core_null_table`);
and isolates and reciprocity are recomputed with bots included and with
near-identical names merged (:func:`sensitivity_table`).

Privacy: tables built here that list accounts show organisations and bots
by name and everyone else under the stable pseudonyms of
:mod:`hubcommunity.privacy` (``named``: the lower-cased names that may be shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from hubcommunity.analysis import accounts as acc
from hubcommunity.analysis import network as net
from hubcommunity.analysis import records as rec
from hubcommunity.analysis.fitting import fit_table
from hubcommunity.analysis.identities import name_pair_kinds
from hubcommunity.analysis.network_stats import isolates_on, reciprocity_test, union_network
from hubcommunity.analysis.owners import owner_of
from hubcommunity.privacy import display_accounts

__all__ = [
    "LABELS",
    "WITH_BOTS",
    "MAIN",
    "PAPER",
    "label",
    "paper_isolates_record",
    "example_records",
    "paper_networks",
    "BOT_COLUMNS",
    "bot_table",
    "scripted_accounts",
    "bot_records",
    "scripted_records",
    "real_networks",
    "core_keys",
    "bots_matter",
    "shown_networks",
    "stats_table",
    "size_records",
    "account_sets",
    "account_records",
    "RECIPROCITY_RULES",
    "eligible_accounts",
    "isolates_table",
    "isolate_records",
    "reciprocity_tests",
    "reciprocity_table",
    "reciprocity_records",
    "verdict",
    "density_verdict",
    "core_table",
    "core_null_table",
    "core_records",
    "merge_names",
    "sensitivity_table",
    "sensitivity_records",
    "subfield_records",
    "subfield_table",
    "degree_fits",
    "identity_merges",
]

#: Names of the real networks as the chapter shows them.
LABELS = {"pr": "pull requests", "prm": "merged pull requests", "disc": "discussions", "deriv": "derivation",
          "any": "any of the three"}

#: Subfields as the chapter names them.
SUBFIELD_NAMES = {"cv": "CV", "nlp": "NLP", "multimodal": "multimodal"}

#: Key of the paper's commit network (present when a snapshot has commit histories).
PAPER = "commits (paper)"

#: The networks as adjectives ("the pull-request network").
ADJECTIVES = {"pr": "pull-request", "prm": "merged-pull-request", "disc": "discussion", "deriv": "derivation",
              PAPER: "paper's commit"}

#: Suffix of the key of a network built with bots included.
WITH_BOTS = " (with bots)"

#: The three real networks, bots excluded.
MAIN = ("pr", "disc", "deriv")



def label(key: str) -> str:
    """Display name of a network key: ``"pr (with bots)"`` -> ``"pull requests (with bots)"``."""
    base = key.replace(WITH_BOTS, "")
    return LABELS.get(base, base) + (WITH_BOTS if base != key else "")


def _share(key, value, description, fmt="{:.1%}"):
    return rec.share(key, value, description, fmt)


def paper_isolates_record(claims: pd.DataFrame) -> dict:
    """The paper's share of isolates in its network, from ``claims`` (:func:`hubcommunity.paper.load_paper_claims`)."""
    row = claims.set_index("key").loc["network_isolates_share"]
    return rec.number("paper_isolates_share", row["value"], "share of developers", "The paper: " + row["claim"],
                      "{:.0%}")


def example_records(stats: Mapping) -> list[dict]:
    """Reciprocity (no self-loops) and isolates of the worked example (``stats``: ``network_statistics``)."""
    return [_share("example_reciprocity", stats["reciprocity"], "Worked example: reciprocity without self-loops",
                   "{:.0%}"),
            rec.count("example_isolates", stats["isolates"], "developers",
                      "Worked example: developers with only self-loops")]


def paper_networks(commit_authors: pd.DataFrame, repos: pd.DataFrame,
                   subfields=("cv", "nlp", "multimodal")) -> dict[str, nx.DiGraph]:
    """The paper's commit network and its subfield versions; empty when there are no commit-author rows."""
    if not len(commit_authors):
        return {}
    out = {"commits (paper)": net.paper_collaboration_network(commit_authors, repos)}
    for sub in subfields:
        out[f"commits, {sub}"] = net.paper_collaboration_network(commit_authors, repos, subfield=sub)
    return out


#: Columns of the bot table as shown.
BOT_COLUMNS = ("account", "threads_opened", "prs_opened", "prs_merged", "comments", "share_of_threads",
               "top_title_share", "evidence")


def bot_table(activity: pd.DataFrame, bot_list: pd.DataFrame) -> pd.DataFrame:
    """What each listed bot did (``activity``: :func:`~hubcommunity.analysis.bots.bot_activity`), most
    threads first, with the evidence of ``bot_list`` (:func:`~hubcommunity.analysis.bots.load_bots`)."""
    ranked = activity.sort_values("threads_opened", ascending=False, ignore_index=True)
    return ranked.merge(bot_list[["account", "evidence"]], on="account")[list(BOT_COLUMNS)]


def scripted_accounts(candidates: pd.DataFrame, named: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Accounts with a scripted thread pattern that are not listed bots (``candidates``:
    :func:`~hubcommunity.analysis.bots.bot_candidates`): ``account, threads_opened, top_title,
    top_title_share``. Accounts not in ``named`` (lower-cased organisations and bots,
    :func:`hubcommunity.privacy.named_accounts`) are shown under their pseudonym."""
    kept = candidates[candidates["scripted_signal"] & ~candidates["listed"]]
    out = kept[["account", "threads_opened", "top_title", "top_title_share"]].reset_index(drop=True)
    out["account"] = display_accounts(out["account"], named)
    return out


def bot_records(activity: pd.DataFrame, discussions: pd.DataFrame, n_bots: int) -> list[dict]:
    """Size of the bot list and the bots' share of threads (``activity``:
    :func:`~hubcommunity.analysis.bots.bot_activity`, or :func:`bot_table`: most active first)."""
    return [
        rec.count("n_bots", n_bots, "accounts", "Accounts in the bot list"),
        _share("bot_threads_share", activity["threads_opened"].sum() / discussions["opener"].notna().sum(),
               "Share of all threads in the discussions capture (those with a known opener) opened by listed bots"),
        _share("top2_bot_threads_share", activity["share_of_threads"].head(2).sum(),
               "Share of threads opened by the two most active bots"),
    ]


def scripted_records(scripted_people: pd.DataFrame, min_threads: int, min_title_share: float) -> list[dict]:
    """The scripted-pattern thresholds and how many unlisted accounts meet them (kept as people)."""
    return [
        rec.count("scripted_min_threads", min_threads, "threads", "Scripted pattern: least number of threads opened"),
        _share("scripted_min_title_share", min_title_share, "Scripted pattern: least share of threads with one title",
               "{:.0%}"),
        rec.count("n_scripted_people", len(scripted_people), "accounts",
                  "Accounts with a scripted thread pattern that are not in the bot list (kept)"),
    ]


def real_networks(discussions: pd.DataFrame, discussion_events: pd.DataFrame, derivations: pd.DataFrame,
                  bots: Iterable[str]) -> dict[str, nx.DiGraph]:
    """The three real networks without bots (keys :data:`MAIN`, plus ``prm``: merged pull requests only),
    then with bots (``"<key> (with bots)"``). ``derivations``: the resolved table ``Tables.derivations``."""
    graphs = {}
    for excl, suffix in ((frozenset(bots), ""), ((), WITH_BOTS)):
        graphs["pr" + suffix] = net.pull_request_network(discussions, exclude=excl)
        if excl:
            graphs["prm"] = net.pull_request_network(discussions, exclude=excl, merged_only=True)
        graphs["disc" + suffix] = net.discussion_network(discussions, discussion_events, exclude=excl)
        graphs["deriv" + suffix] = net.derivation_network(derivations, exclude=excl)
    return graphs


def core_keys(graphs: Mapping[str, nx.DiGraph]) -> tuple[str, ...]:
    """The networks that get the core-periphery and reciprocity tests: the three main ones and the
    paper's whole commit network when present (not its subfield versions, not the with-bots twins)."""
    return tuple(k for k in (*MAIN, PAPER) if k in graphs)


def bots_matter(described: Mapping[str, dict]) -> dict[str, bool]:
    """Per main network, whether including bots changed it (``describe_networks`` reuses one result
    for identical graphs, so an unchanged network has the very same description)."""
    return {k: described[k] is not described[k + WITH_BOTS] for k in MAIN}


def shown_networks(described: Mapping[str, dict]) -> dict[str, dict]:
    """Descriptions to show, by label: every network except a with-bots twin that bots did not change."""
    matter = bots_matter(described)
    return {label(k): d for k, d in described.items()
            if not (k.endswith(WITH_BOTS) and not matter[k[:-len(WITH_BOTS)]])}


#: Columns of :func:`stats_table` shown in the page (the CSV has every statistic).
STATS_SHOWN = ["network", "nodes", "edges_no_loops", "isolate_share", "density", "reciprocity", "giant_wcc_share",
               "mean_degree"]


def stats_table(described: Mapping[str, dict]) -> pd.DataFrame:
    """One row per network (``described``: label -> :func:`~hubcommunity.analysis.network.describe_network`),
    the statistics of :data:`~hubcommunity.analysis.network_stats.STAT_LABELS` as columns."""
    rows = [{"network": name, **{k: d["stats"][k] for k in net.STAT_LABELS}} for name, d in described.items()]
    return pd.DataFrame(rows)


def _weight(G: nx.DiGraph, attr: str = "weight"):
    return sum(d[attr] for _, _, d in G.edges(data=True))


def size_records(described: Mapping[str, dict], graphs: Mapping[str, nx.DiGraph]) -> list[dict]:
    """Size, isolates, reciprocity and giant component of each network with and without bots, degrees
    and self-loops of the main ones, pull requests counted and the share merged, and whether bots
    change the derivation network (text ``deriv_bots_note``)."""
    matter = bots_matter(described)
    out = [rec.text("deriv_bots_note", "differs when bots are included" if matter["deriv"]
                    else "is the same with or without them", "Whether bots change the derivation network")]
    for key in ("pr", "prm", "disc", "deriv", "pr" + WITH_BOTS, "disc" + WITH_BOTS):
        if key not in described:
            continue
        k, r, name = key.replace(WITH_BOTS, "_bots"), described[key]["row"], label(key)
        out += [
            rec.count(f"{k}_nodes", r["nodes"], "accounts", f"{name}: nodes"),
            rec.count(f"{k}_edges", r["edges_no_loops"], "ties", f"{name}: ties between different accounts"),
            _share(f"{k}_isolate_share", r["isolate_share"], f"{name}: share of accounts with no tie to anyone else"),
            _share(f"{k}_reciprocity", r["reciprocity"], f"{name}: reciprocity without self-loops", "{:.2%}"),
            _share(f"{k}_giant", r["giant_wcc_share"], f"{name}: share of accounts in the giant weak component"),
        ]
    for key in MAIN:
        r, name = described[key]["row"], label(key)
        out += [rec.count(f"{key}_self_loops", r["self_loops"], "accounts", f"{name}: accounts with a self-loop"),
                rec.count(f"{key}_max_in", r["max_in_degree"], "accounts", f"{name}: largest in-degree"),
                rec.count(f"{key}_max_out", r["max_out_degree"], "accounts", f"{name}: largest out-degree")]
    pr_w, pr_m = _weight(graphs["pr"]), _weight(graphs["pr"], "merged")
    skipped = graphs["deriv" + WITH_BOTS].graph.get("skipped", {}).get("links_without_owner", 0)
    links = _weight(graphs["deriv" + WITH_BOTS]) + skipped
    out += [rec.count("deriv_links_skipped", skipped, "links",
                      "Derivation links left out because the model or its base model has no owner account"),
            _share("deriv_links_skipped_share", skipped / links if links else float("nan"),
                   "Share of derivation links left out (no owner account)")]
    return out + [
        _share("pr_merged_share", pr_m / pr_w, "Share of (non-bot) pull requests that were merged"),
        rec.count("pr_count", pr_w, "pull requests", "Pull requests in the network, bots excluded"),
        rec.count("pr_count_bots", _weight(graphs["pr" + WITH_BOTS]), "pull requests",
                  "Pull requests in the network, bots included"),
    ]


# --------------------------------------------------------------------------
# Node sets chosen independently of the ties: owners, actors, organisations
# --------------------------------------------------------------------------


def account_sets(discussions: pd.DataFrame, discussion_events: pd.DataFrame, repos: pd.DataFrame,
                 owner_kinds: pd.DataFrame | None = None) -> dict[str, set]:
    """The node sets of the fair comparisons (:mod:`~hubcommunity.analysis.accounts`).

    Keys: ``actors`` (opened a thread or wrote an event in the discussions
    capture), ``organisations`` (curated kinds, or flagged by the Hub),
    ``owners`` (every owner of a listed model), ``owners_before`` (owners with
    a model created before the discussions capture), ``thread_owners`` (owners
    of the repositories in the discussions capture, listed or not).
    """
    captured = discussions["captured_at"].max() if len(discussions) else None
    return {
        "actors": acc.acting_accounts(discussions, discussion_events),
        "organisations": acc.organisation_accounts(discussion_events, owner_kinds),
        "owners": acc.model_owners(repos),
        "owners_before": acc.model_owners(repos, captured) if captured is not None else set(),
        "thread_owners": set(owner_of(discussions["repo_id"]).dropna()),
    }


def account_records(sets: Mapping[str, set], discussion_events: pd.DataFrame, pr: nx.DiGraph) -> list[dict]:
    """Sizes of the node sets, the Hub's account types of event authors, and where pull-request ties point
    (``pr``: the pull-request network, bots excluded)."""
    types = acc.author_types(discussion_events)
    targets = [v for u, v in pr.edges() if u != v]
    to_actor = np.mean([v in sets["actors"] for v in targets]) if targets else float("nan")
    openers = {u for u, v in pr.edges() if u != v}
    to_opener = np.mean([v in openers for v in targets]) if targets else float("nan")
    to_org = np.mean([v in sets["organisations"] for v in targets]) if targets else float("nan")
    return [
        rec.count("n_owners", len(sets["owners"]), "accounts", "Owners of a model in the July 2024 listing"),
        rec.count("n_owners_before", len(sets["owners_before"]), "accounts",
                  "Owners with a model created before the discussions capture"),
        rec.count("n_actors", len(sets["actors"]), "accounts",
                  "Accounts that opened a thread or wrote an event in the discussions capture"),
        rec.count("n_actor_user_type", int(types.get("user", 0)), "accounts",
                  "Distinct event authors whose Hub account type is 'user'"),
        rec.count("n_event_authors", int(types.sum()), "accounts", "Distinct event authors"),
        rec.count("n_organisations", len(sets["organisations"]), "accounts",
                  "Owners known to be organisations (curated kinds or the Hub's organisation-member flag)"),
        rec.count("n_organisations_acting", len(sets["organisations"] & sets["actors"]), "accounts",
                  "Known organisations that also appear as thread openers or event authors"),
        _share("pr_ties_to_actors", to_actor,
               "Share of pull-request ties (bots excluded) pointing to an account that ever acts in the capture"),
        _share("pr_ties_to_openers", to_opener,
               "Share of pull-request ties pointing to an account that opened a pull request itself"),
        _share("pr_ties_to_orgs", to_org, "Share of pull-request ties pointing to a known organisation"),
    ]


#: Who can reciprocate each kind of tie: both send and receive it.
RECIPROCITY_RULES = {
    "pr": "accounts that act in the capture (user accounts), are not known organisations, and own a model: "
          "only they can both open a pull request and receive one",
    "disc": "accounts that act in the capture and are not known organisations: they can both comment and "
            "open threads",
    "deriv": "every owner in the network: any owner, organisations included, can build on a model",
    "commits": "every commit author: each can first-author a commit",
}


def _base(key: str) -> str:
    base = key.replace(WITH_BOTS, "")
    if base.startswith("commits"):
        return "commits"
    return "pr" if base == "prm" else base


def eligible_accounts(key: str, sets: Mapping[str, set]) -> set | None:
    """The accounts of network ``key`` that can reciprocate its ties (:data:`RECIPROCITY_RULES`);
    ``None``: every node can."""
    base = _base(key)
    able = sets["actors"] - sets["organisations"]
    if base == "pr":
        return able & (sets["owners"] | sets["thread_owners"])
    if base == "disc":
        return able
    return None


def _own_isolates(G: nx.DiGraph) -> tuple[int, float]:
    """Nodes of ``G`` and the share of them with no tie to anyone else."""
    n = G.number_of_nodes()
    return n, (len(net.paper_isolates(G)) / n if n else float("nan"))


def isolates_table(graphs: Mapping[str, nx.DiGraph], sets: Mapping[str, set], bots: Iterable[str] = (),
                   keys: Iterable[str] = MAIN, paper_share: float | None = None) -> pd.DataFrame:
    """Isolate shares over each network's own accounts and over the paper's kind of node set.

    Rows: each network in ``keys`` (bots excluded), their union (``"any of
    the three"``: a tie of any kind), the paper's commit network when present,
    and, if ``paper_share`` is given, the paper's reported share (about
    October 2023; its nodes are everyone who committed to a model, a node set
    of the owners' kind). Columns: ``network``, ``nodes``, ``isolate_share``
    (own accounts), ``owners_tied``, ``owner_isolate_share`` (every model owner
    but the bots), ``owners_before_tied``, ``owner_before_isolate_share``
    (owners with a model before the discussions capture).
    """
    bots = set(bots)
    owners, before = sets["owners"] - bots, sets["owners_before"] - bots
    chosen = {k: graphs[k] for k in keys if k in graphs}
    rows_for = {**chosen, "any": union_network(chosen.values())}
    if PAPER in graphs:
        rows_for[PAPER] = graphs[PAPER]
    rows = []
    for key, G in rows_for.items():
        n, share = _own_isolates(G)
        a, b = isolates_on(G, owners), isolates_on(G, before)
        rows.append({"network": label(key), "nodes": n, "isolate_share": share,
                     "owners_tied": a["tied"], "owner_isolate_share": a["isolate_share"],
                     "owners_before_tied": b["tied"], "owner_before_isolate_share": b["isolate_share"]})
    if paper_share is not None:
        rows.append({"network": "commits (the paper, about October 2023)", "owner_isolate_share": paper_share})
    return pd.DataFrame(rows)


def isolate_records(table: pd.DataFrame) -> list[dict]:
    """Owner-set isolate shares of each network and of their union (``table``: :func:`isolates_table`)."""
    keys = {label(k): k for k in (*MAIN, "any")}
    out = []
    for _, r in table.iterrows():
        k = keys.get(r["network"])
        if k is None:
            continue
        out += [_share(f"{k}_owner_isolate_share", r["owner_isolate_share"],
                       f"{r['network']}: share of model owners with no tie to anyone else"),
                _share(f"{k}_owner_before_isolate_share", r["owner_before_isolate_share"],
                       f"{r['network']}: share of owners with a model before the discussions capture with no tie")]
    return out


# --------------------------------------------------------------------------
# Reciprocity against baselines
# --------------------------------------------------------------------------


def reciprocity_tests(graphs: Mapping[str, nx.DiGraph], keys: Iterable[str], sets: Mapping[str, set], *,
                      n_null: int = 100, swaps_per_edge: float = 2.0, seed: int = 0,
                      mapping: Mapping[str, Mapping] | None = None) -> dict[str, dict]:
    """:func:`~hubcommunity.analysis.network_stats.reciprocity_test` of each network in ``keys`` among the
    accounts able to reciprocate it (:func:`eligible_accounts`). ``mapping`` (key -> name -> identity)
    renames the eligible accounts of a network whose names were merged."""
    out = {}
    for i, key in enumerate(keys):
        able = eligible_accounts(key, sets)
        if able is not None and mapping and key in mapping:
            able = {mapping[key].get(v, v) for v in able}
        out[key] = reciprocity_test(graphs[key], able, n_null=n_null, swaps_per_edge=swaps_per_edge, seed=seed + i)
    return out


#: Columns of :func:`reciprocity_table` shown in the page.
RECIPROCITY_SHOWN = ["network", "ties", "tie_share", "reciprocity", "density", "null_mean", "ratio_null", "z"]


def reciprocity_table(tests: Mapping[str, dict]) -> pd.DataFrame:
    """One row per network: reciprocity among the accounts able to reciprocate, against density and the
    degree-preserving null, with the null's mixing figures and the rule (``who_can_reciprocate``)."""
    cols = ["ties_all", "reciprocity_all", "nodes", "ties", "tie_share", "reciprocity", "density", "ratio_density",
            "null_mean", "null_sd", "ratio_null", "z", "p_greater", "configuration", "n_null",
            "swaps_attempted_per_edge", "swaps_accepted_per_edge", "swap_acceptance", "drift_sd", "start_gap_sd",
            "converged"]
    rows = [{"network": label(k), **{c: t[c] for c in cols}, "who_can_reciprocate": RECIPROCITY_RULES[_base(k)]}
            for k, t in tests.items()]
    return pd.DataFrame(rows)


def _swap_records(prefix: str, rows: list[Mapping], chain: str) -> list[dict]:
    """How far the swap chains of several networks ran: ``<prefix>_swaps_min``/``_max`` (attempted swaps
    per edge, after doubling) and ``<prefix>_min_accepted_per_edge`` (mean over chains); ``rows`` are the
    networks' null results, ``chain`` names their chain in the descriptions."""
    attempted = [r["swaps_attempted_per_edge"] for r in rows]
    return [
        rec.number(f"{prefix}_swaps_min", min(attempted), "swaps per edge",
                   f"Fewest attempted swaps per edge of a {chain} (after doubling)", "{:.0f}"),
        rec.number(f"{prefix}_swaps_max", max(attempted), "swaps per edge",
                   f"Most attempted swaps per edge of a {chain} (after doubling)", "{:.0f}"),
        rec.number(f"{prefix}_min_accepted_per_edge", min(r["swaps_accepted_per_edge"] for r in rows),
                   "swaps per edge", f"Fewest accepted swaps per edge of a {chain} (mean over chains)", "{:.1f}"),
    ]


def reciprocity_records(tests: Mapping[str, dict]) -> list[dict]:
    """Per network: ties among the accounts able to reciprocate, reciprocity among them, density, the
    null's mean, observed / null, z and p; over all: the null's settings and mixing."""
    out = []
    for key, t in tests.items():
        k = "paper" if key == PAPER else key
        name = label(key)
        out += [
            rec.count(f"{k}_able_nodes", t["nodes"], "accounts", f"{name}: accounts able to reciprocate"),
            rec.count(f"{k}_able_ties", t["ties"], "ties", f"{name}: ties among accounts able to reciprocate"),
            _share(f"{k}_able_tie_share", t["tie_share"], f"{name}: share of ties among accounts able to reciprocate"),
            _share(f"{k}_rec_able", t["reciprocity"], f"{name}: reciprocity among accounts able to reciprocate",
                   "{:.2%}"),
            _share(f"{k}_rec_density", t["density"], f"{name}: density (reciprocity expected at random)", "{:.4%}"),
            _share(f"{k}_rec_null", t["null_mean"], f"{name}: mean reciprocity of the in/out-degree null", "{:.2%}"),
            rec.number(f"{k}_rec_ratio", t["ratio_null"], "ratio", f"{name}: observed / null reciprocity", "{:.1f}"),
            rec.number(f"{k}_rec_z", t["z"], "standard deviations", f"{name}: z of reciprocity against the null",
                       "{:.1f}"),
            rec.number(f"{k}_rec_p", t["p_greater"], "p-value", f"{name}: empirical p (null at least as high)",
                       "{:.3f}"),
        ]
    vals = list(tests.values())
    out += [
        rec.count("rec_n_null", min(t["n_null"] for t in vals), "samples",
                  "Samples (independent chains) of the reciprocity null per network"),
        *_swap_records("rec", vals, "reciprocity-null chain"),
        rec.number("rec_max_drift", max(t["drift_sd"] for t in vals), "null s.d.",
                   "Largest drift of the reciprocity null over the second half of the chains, in null s.d.", "{:.2f}"),
        rec.number("rec_max_gap", max(t["start_gap_sd"] for t in vals), "null s.d.",
                   "Largest gap between reciprocity-null chains from the Havel-Hakimi start and the others",
                   "{:.2f}"),
        rec.text("rec_converged", "all converged" if all(t["converged"] for t in vals) else "not all converged",
                 "Whether every reciprocity null passed the convergence check"),
        rec.text("rec_verdict_all", _reciprocity_verdict(tests),
                 "Reciprocity against the in/out-degree null, over the networks, in words"),
    ]
    return out


def _reciprocity_verdict(tests: Mapping[str, dict]) -> str:
    """Whether returned ties are more common than the same degrees produce (empirical p <= 0.05), in words."""
    above = [k for k, t in tests.items() if t["p_greater"] <= 0.05 and t["ratio_null"] > 1]
    if len(above) == len(tests):
        return "more common than the same degrees produce in every network"
    if not above:
        return "no more common than the same degrees produce in any network"
    return "more common than the same degrees produce only in the " + _listing(
        [ADJECTIVES.get(k, k) for k in above]) + " network" + ("s" if len(above) > 1 else "")


# --------------------------------------------------------------------------
# Core and periphery
# --------------------------------------------------------------------------


def verdict(row: Mapping) -> str:
    """The degree-preserving test of the Borgatti-Everett fit in words (one-sided empirical p <= 0.05)."""
    if row["p_greater"] <= 0.05:
        return "denser in its core than its degrees alone produce"
    if row["p_less"] <= 0.05:
        return "less core-periphery-like than random networks with the same degrees"
    return "no different from random networks with the same degrees"


def density_verdict(row: Mapping) -> str:
    """The density test of the Borgatti-Everett fit in words (empirical p <= 0.05)."""
    if row["er_p_greater"] <= 0.05:
        return "more core-periphery-like than random networks of its density"
    return "no more core-periphery-like than random networks of its density"


#: Columns of :func:`core_table` (the fit).
CORE_COLUMNS = ["network", "cp_nodes", "k_max", "k_max_core_size", "core_size", "rho", "rho_squared", "density_core",
                "density_between", "density_periphery", "moves", "moves_capped"]
#: Columns of :func:`core_table` shown in the page.
CORE_SHOWN = ["network", "cp_nodes", "core_size", "rho", "rho_squared", "density_core", "density_between",
              "density_periphery"]
#: Columns of :func:`core_null_table` (the tests).
CORE_NULL_COLUMNS = ["network", "prefix_rho", "er_mean", "er_sd", "er_p_greater", "n_density_null", "rho", "null_mean", "null_sd",
                     "z", "p_greater", "p_less", "assortativity", "assort_null_mean", "assort_null_sd", "assort_z",
                     "n_null", "swaps_attempted_per_edge", "swaps_accepted_per_edge", "swap_acceptance", "drift_sd",
                     "start_gap_sd", "converged", "null_moves_capped"]
#: Columns of :func:`core_null_table` shown in the page.
CORE_NULL_SHOWN = ["network", "prefix_rho", "er_mean", "rho", "null_mean", "z", "assortativity", "assort_null_mean"]


def core_table(described: Mapping[str, dict], keys: Iterable[str]) -> pd.DataFrame:
    """The Borgatti-Everett fit of each network in ``keys``: sizes, rho, rho squared, block densities."""
    return pd.DataFrame([{"network": label(k), **{c: described[k]["row"][c] for c in CORE_COLUMNS[1:]}}
                         for k in keys])


def core_null_table(described: Mapping[str, dict], keys: Iterable[str]) -> pd.DataFrame:
    """The fit against the density null and the degree-preserving null, and degree assortativity with its
    null, with the null's settings and mixing figures."""
    return pd.DataFrame([{"network": label(k), **{c: described[k]["row"][c] for c in CORE_NULL_COLUMNS[1:]},
                          "verdict_density": density_verdict(described[k]["row"]),
                          "verdict_degrees": verdict(described[k]["row"])} for k in keys])


def core_records(described: Mapping[str, dict], n_null: int, n_density_null: int, max_moves: int,
                 keys: Iterable[str] = MAIN) -> list[dict]:
    """Core-periphery results: Borgatti-Everett core, rho and rho squared, block densities, both nulls
    with their verdicts, assortativity with its null, the innermost k-core, reciprocity by position,
    and the settings and mixing of the nulls."""
    keys = list(keys)
    out = [rec.count("n_null", n_null, "samples", "Degree-preserving null networks drawn per network"),
           rec.count("n_density_null", n_density_null, "samples", "Density (G(n, m)) null networks drawn per network"),
           rec.count("max_moves", max_moves, "moves", "Greedy refinement moves allowed per Borgatti-Everett fit")]
    corr = "correlation"
    for key in keys:
        r, name = described[key]["row"], label(key)
        k = "paper" if key == PAPER else key
        out += [
            rec.count(f"{k}_core_size", r["core_size"], "accounts", f"{name}: Borgatti-Everett core size"),
            _share(f"{k}_core_share", r["core_share"], f"{name}: core share of non-isolates", "{:.2%}"),
            rec.number(f"{k}_rho", r["rho"], corr, f"{name}: Borgatti-Everett rho", "{:.3f}"),
            _share(f"{k}_rho_sq", r["rho_squared"], f"{name}: rho squared (share of variance)", "{:.1%}"),
            _share(f"{k}_dens_core", r["density_core"], f"{name}: share of core pairs tied", "{:.1%}"),
            _share(f"{k}_dens_between", r["density_between"], f"{name}: share of core-periphery pairs tied",
                   "{:.2%}"),
            _share(f"{k}_dens_periphery", r["density_periphery"], f"{name}: share of periphery pairs tied",
                   "{:.3%}"),
            rec.number(f"{k}_prefix_rho", r["prefix_rho"], corr, f"{name}: degree-prefix rho (before refinement)",
                       "{:.3f}"),
            rec.number(f"{k}_er_mean", r["er_mean"], corr, f"{name}: mean degree-prefix rho of the density null",
                       "{:.3f}"),
            rec.number(f"{k}_er_p", r["er_p_greater"], "p-value", f"{name}: empirical p against the density null",
                       "{:.3f}"),
            rec.text(f"{k}_density_verdict", density_verdict(r), f"{name}: density test in words"),
            rec.number(f"{k}_null_mean", r["null_mean"], corr, f"{name}: mean rho of the degree-preserving null",
                       "{:.3f}"),
            rec.number(f"{k}_z", r["z"], "standard deviations", f"{name}: (rho - null mean) / null s.d.", "{:.1f}"),
            rec.number(f"{k}_p", min(r["p_greater"], r["p_less"]), "p-value",
                       f"{name}: one-sided empirical p of rho against the degree-preserving null (side of the "
                       "deviation)", "{:.3f}"),
            rec.text(f"{k}_verdict", verdict(r), f"{name}: degree-preserving test in words"),
            rec.number(f"{k}_assort", r["assortativity"], corr, f"{name}: degree assortativity", "{:.3f}"),
            rec.number(f"{k}_assort_null", r["assort_null_mean"], corr,
                       f"{name}: mean degree assortativity of the degree-preserving null", "{:.3f}"),
            rec.number(f"{k}_assort_z", r["assort_z"], "standard deviations",
                       f"{name}: z of assortativity against the degree-preserving null", "{:.1f}"),
            rec.count(f"{k}_kmax", r["k_max"], "k", f"{name}: largest k of a non-empty k-core"),
            rec.count(f"{k}_kmax_size", r["k_max_core_size"], "accounts", f"{name}: accounts in the innermost k-core"),
        ]
        out += [_share(f"{k}_rec_{pos}", r[f"reciprocity_{pos}"], f"{name}: reciprocity ({pos})", "{:.2%}")
                for pos in ("core", "between", "periphery")]
    rows = [described[k]["row"] for k in keys]
    out += [
        *_swap_records("cp", rows, "degree-preserving chain"),
        _share("cp_min_acceptance", min(r["swap_acceptance"] for r in rows),
               "Lowest swap acceptance rate of the degree-preserving nulls", "{:.0%}"),
        rec.number("cp_max_drift", max(r["drift_sd"] for r in rows), "null s.d.",
                   "Largest drift of the degree-prefix rho or assortativity over the second half of the chains",
                   "{:.2f}"),
        rec.number("cp_max_gap", max(r["start_gap_sd"] for r in rows), "null s.d.",
                   "Largest gap between degree-null chains from the Havel-Hakimi start and the others", "{:.2f}"),
        rec.text("cp_converged", "all converged" if all(r["converged"] for r in rows) else "not all converged",
                 "Whether every degree-preserving null passed the convergence check"),
        rec.text("cp_moves_capped", "reached" if any(r["moves_capped"] for r in rows) else "never reached",
                 "Whether an observed fit stopped at the move cap"),
        _share("cp_null_moves_capped", max(r["null_moves_capped"] for r in rows),
               "Largest share of null fits stopped by the move cap", "{:.0%}"),
        _share("max_rho_sq", max(r["rho_squared"] for r in rows), "Largest rho squared of the networks", "{:.1%}"),
        rec.text("density_verdict_all", _all_or_some([density_verdict(r) for r in rows], keys),
                 "The density test over the networks, in words"),
        rec.text("block_order_note", _block_order(rows),
                 "Whether the block densities fall from core to core-periphery to periphery pairs"),
        rec.text("assort_note", _assortativity_note(rows, keys), "Degree assortativity against its null, in words"),
    ]
    return out


def _listing(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _all_or_some(verdicts: list[str], keys: list[str]) -> str:
    """``"Every network is <verdict>"`` when all agree, else each network with its verdict (a sentence)."""
    if len(set(verdicts)) == 1:
        return f"Every network is {verdicts[0]}"
    text = "; ".join(f"the {ADJECTIVES.get(k, k)} network is {v}" for k, v in zip(keys, verdicts))
    return text[0].upper() + text[1:]


def _block_order(rows: list[Mapping]) -> str:
    falls = [r["density_core"] > r["density_between"] > r["density_periphery"] for r in rows]
    if all(falls):
        return "fall from core to core–periphery to periphery pairs in every network"
    return "fall from core to core–periphery to periphery pairs in only some of the networks"


def _assortativity_note(rows: list[Mapping], keys: list[str]) -> str:
    """Degree assortativity against its same-degree null, over the networks, in words (|z| >= 2 counts)."""
    obs = all(r["assortativity"] < 0 for r in rows)
    null = all(r["assort_null_mean"] < 0 for r in rows)
    head = ("Every network is disassortative, and so are its same-degree null networks: most of the "
            "disassortativity follows from the degrees themselves" if obs and null else
            "Every network is disassortative" if obs else "Not every network is disassortative")
    more = [ADJECTIVES.get(k, k) for k, r in zip(keys, rows) if r["assort_z"] <= -2]
    less = [ADJECTIVES.get(k, k) for k, r in zip(keys, rows) if r["assort_z"] >= 2]
    parts = []
    for names, how in ((more, "more"), (less, "less")):
        if names:
            plural = len(names) > 1
            parts.append(f"the {_listing(names)} network{'s are' if plural else ' is'} {how} disassortative than "
                         f"{'their' if plural else 'its'} degrees imply")
    return head + ("; beyond the degrees, " + ", and ".join(parts) if parts else "")


# --------------------------------------------------------------------------
# Sensitivity: bots in or out, names merged or not
# --------------------------------------------------------------------------


def merge_names(graphs: Mapping[str, nx.DiGraph], keys: Iterable[str] = MAIN, threshold: float = 90
                ) -> dict[str, tuple[nx.DiGraph, dict, pd.DataFrame]]:
    """:func:`~hubcommunity.analysis.network.merge_similar_names` of each network in ``keys``:
    ``key -> (merged graph, name -> identity, matching pairs)``."""
    return {k: net.merge_similar_names(graphs[k], threshold) for k in keys}


#: Columns of :func:`sensitivity_table` shown in the page.
SENSITIVITY_SHOWN = ["network", "bots", "names", "isolate_share", "owner_before_isolate_share", "reciprocity",
                     "null_mean", "ratio_null"]


def sensitivity_table(graphs: Mapping[str, nx.DiGraph], merged: Mapping[str, tuple], sets: Mapping[str, set],
                      bots: Iterable[str], tests: Mapping[str, dict], *, n_null: int = 40,
                      swaps_per_edge: float = 2.0, seed: int = 100, keys: Iterable[str] = MAIN,
                      variants: Mapping[str, Sequence[tuple[str, nx.DiGraph]]] | None = None) -> pd.DataFrame:
    """Isolates and reciprocity of each network, bots excluded (as reported), bots included, names merged.

    ``merged``: :func:`merge_names` of the bots-excluded networks; ``tests``:
    :func:`reciprocity_tests` of the bots-excluded networks (reused for the
    first row). The other variants get their own reciprocity test
    (``n_null`` samples). Owners are mapped through a network's identity
    mapping when names are merged; the bots count as owners only when they
    are included. ``variants`` adds, per network key, other constructions of
    the same network (bots excluded, names as on the Hub), each as
    ``(label, graph)`` with the label in the ``names`` column, e.g. the
    derivation network from base ids as written instead of resolved.
    """
    bots, variants_extra = set(bots), variants
    rows = []
    for i, key in enumerate(keys):
        variants = [("excluded", "as on the Hub", graphs[key], {}, tests[key])]
        twin = graphs.get(key + WITH_BOTS)
        if twin is not None:
            t = (tests[key] if net.same_graph(twin, graphs[key]) else
                 reciprocity_tests({key + WITH_BOTS: twin}, [key + WITH_BOTS], sets, n_null=n_null,
                                   swaps_per_edge=swaps_per_edge, seed=seed + 10 * i)[key + WITH_BOTS])
            variants.append(("included", "as on the Hub", twin, {}, t))
        G, mapping, _ = merged[key]
        t = reciprocity_tests({key: G}, [key], sets, n_null=n_null, swaps_per_edge=swaps_per_edge,
                              seed=seed + 10 * i + 1, mapping={key: mapping})[key]
        variants.append(("excluded", "near-identical names merged", G, mapping, t))
        for j, (name, H) in enumerate((variants_extra or {}).get(key, ())):
            t = reciprocity_tests({key: H}, [key], sets, n_null=n_null, swaps_per_edge=swaps_per_edge,
                                  seed=seed + 10 * i + 2 + j)[key]
            variants.append(("excluded", name, H, {}, t))
        for with_bots, names, H, mp, t in variants:
            before = sets["owners_before"] if with_bots == "included" else sets["owners_before"] - bots
            owners = {mp.get(v, v) for v in before}
            n, share = _own_isolates(H)
            rows.append({"network": label(key), "bots": with_bots, "names": names, "nodes": n,
                         "isolate_share": share,
                         "owner_before_isolate_share": isolates_on(H, owners)["isolate_share"],
                         "reciprocity": t["reciprocity"], "null_mean": t["null_mean"], "ratio_null": t["ratio_null"],
                         "z": t["z"], "n_null": t["n_null"]})
    return pd.DataFrame(rows)


def sensitivity_records(table: pd.DataFrame) -> list[dict]:
    """How far bots and name merging move the isolate shares and the reciprocity ratio (largest changes
    from the reported variant, over the networks)."""
    base = table[(table["bots"] == "excluded") & (table["names"] == "as on the Hub")].set_index("network")
    diffs = {"own": [], "owner": [], "ratio": []}
    for _, r in table.iterrows():
        b = base.loc[r["network"]]
        diffs["own"].append(abs(r["isolate_share"] - b["isolate_share"]))
        diffs["owner"].append(abs(r["owner_before_isolate_share"] - b["owner_before_isolate_share"]))
        diffs["ratio"].append(r["ratio_null"])
    return [
        rec.number("sens_max_isolate_change", 100 * max(diffs["own"]), "percentage points",
                   "Largest change of a network's own isolate share when bots are included, names merged or "
                   "base ids left unresolved",
                   "{:.1f}"),
        rec.number("sens_max_owner_isolate_change", 100 * max(diffs["owner"]), "percentage points",
                   "Largest change of an owner-set isolate share when bots are included, names merged or "
                   "base ids left unresolved", "{:.1f}"),
        rec.number("sens_min_ratio", min(diffs["ratio"]), "ratio",
                   "Smallest observed / null reciprocity over all variants", "{:.1f}"),
        rec.number("sens_max_ratio", max(diffs["ratio"]), "ratio",
                   "Largest observed / null reciprocity over all variants", "{:.1f}"),
    ] + _unresolved_records(table)


#: Label of the derivation network built from base ids as written (the ``names`` column of the sensitivity table).
UNRESOLVED = "base ids as written (not resolved)"


def _unresolved_records(table: pd.DataFrame) -> list[dict]:
    """The derivation network from unresolved base ids beside the resolved one (rows of :func:`sensitivity_table`)."""
    deriv = table[(table["network"] == label("deriv")) & (table["bots"] == "excluded")].set_index("names")
    if UNRESOLVED not in deriv.index:
        return []
    raw, resolved = deriv.loc[UNRESOLVED], deriv.loc["as on the Hub"]
    name = "Derivation network from base ids as written (not resolved against the listing)"
    return [
        rec.count("sens_deriv_raw_nodes", raw["nodes"], "accounts", f"{name}: accounts"),
        _share("sens_deriv_raw_owner_isolate_share", raw["owner_before_isolate_share"],
               f"{name}: isolate share among owners before the discussions capture"),
        rec.number("sens_deriv_raw_ratio", raw["ratio_null"], "ratio",
                   f"{name}: observed / same-degree null reciprocity among accounts able to reciprocate", "{:.1f}"),
        rec.count("sens_deriv_resolved_extra_nodes", resolved["nodes"] - raw["nodes"], "accounts",
                  "Accounts the resolved derivation network has beyond the unresolved one"),
    ]


def subfield_table(sub_graphs: Mapping[tuple[str, str], nx.DiGraph]) -> pd.DataFrame:
    """Statistics of each (subfield, network) graph, one row each, networks and subfields labelled."""
    table = net.statistics_frame(sub_graphs).reset_index()
    table["network"] = table["network"].map(LABELS)
    table["subfield"] = table["subfield"].map(lambda s: SUBFIELD_NAMES.get(s, s))
    return table


def subfield_records(sub_graphs: Mapping[tuple[str, str], nx.DiGraph]) -> list[dict]:
    """Nodes of each (subfield, network) graph and, if it has any, its isolate share and reciprocity;
    per network kind, the lowest and highest isolate share over the subfields."""
    out, shares = [], {}
    for (sub, kind), G in sub_graphs.items():
        st, name = net.network_statistics(G), f"{sub} subfield, {LABELS[kind]}"
        out.append(rec.count(f"sub_{sub}_{kind}_nodes", st["nodes"], "accounts", f"{name}: nodes"))
        if st["nodes"]:
            out.append(_share(f"sub_{sub}_{kind}_isolate_share", st["isolate_share"], f"{name}: isolate share"))
            shares.setdefault(kind, []).append(st["isolate_share"])
        if st["edges_no_loops"]:
            out.append(_share(f"sub_{sub}_{kind}_reciprocity", st["reciprocity"], f"{name}: reciprocity", "{:.2%}"))
    for kind, values in shares.items():
        out += [_share(f"sub_{kind}_isolate_min", min(values), f"{LABELS[kind]}: lowest isolate share of a subfield"),
                _share(f"sub_{kind}_isolate_max", max(values), f"{LABELS[kind]}: highest isolate share of a subfield")]
    return out


def degree_fits(described: Mapping[str, dict], keys=MAIN) -> pd.DataFrame:
    """Discrete power-law fits (:func:`~hubcommunity.analysis.fitting.fit_table`) of in- and out-degree
    of each network in ``keys``, the displayed columns only."""
    degrees = pd.concat([described[k]["degrees"].assign(network=label(k)) for k in keys])
    fits = fit_table(degrees, ["in_degree", "out_degree"], by="network")
    return fits[[c for c in ["network", "variable", "xmin", "alpha", "sigma", "n_tail", "verdict"] if c in fits.columns]]


def identity_merges(graphs: Mapping[str, nx.DiGraph], merged: Mapping[str, tuple], threshold: float = 90,
                    keys=MAIN) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """What merging near-identical names (the authors' rule) does to each network, and what the pairs are.

    ``merged``: :func:`merge_names` of the same networks. Returns ``(merges,
    kinds, records)``: one row per network (accounts, identities, accounts
    merged, isolate share and reciprocity before and after); the matching
    name pairs of all networks counted by kind of difference
    (:func:`~hubcommunity.analysis.identities.name_pair_kinds`: aggregate
    statistics, so that no individual's handle is shown); and the records
    (threshold, accounts merged per network, pairs).
    """
    rows, pairs = [], []
    out = [rec.count("name_threshold", threshold, "score",
                     "Fuzzy-ratio threshold for merging names (the authors' value)")]
    for key in keys:
        G, (H, _, found) = graphs[key], merged[key]
        before, after = net.network_statistics(G), net.network_statistics(H)
        rows.append({"network": label(key), "accounts": before["nodes"], "identities": after["nodes"],
                     "accounts_merged": before["nodes"] - after["nodes"],
                     "isolate_share_before": before["isolate_share"], "isolate_share_after": after["isolate_share"],
                     "reciprocity_before": before["reciprocity"], "reciprocity_after": after["reciprocity"]})
        pairs.append(found)
        out.append(rec.count(f"{key}_merged", before["nodes"] - after["nodes"], "accounts",
                             f"{label(key)}: accounts folded into another identity by name similarity"))
    pairs = pd.concat(pairs, ignore_index=True).drop_duplicates(["name_1", "name_2"])
    kinds = name_pair_kinds(pairs)
    out.append(rec.count("n_name_pairs", len(pairs), "pairs",
                         "Distinct pairs of normalised names scoring at least the threshold"))
    digits = kinds.loc[kinds["difference"] == "digits only", "pairs"]
    out.append(_share("name_pairs_digits_share", digits.sum() / len(pairs) if len(pairs) else float("nan"),
                      "Share of matching name pairs that differ only in digits", "{:.0%}"))
    return pd.DataFrame(rows), kinds, out
