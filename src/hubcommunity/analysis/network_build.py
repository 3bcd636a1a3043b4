"""Build developer networks from tidy tables.

Four constructions, each returning a :class:`networkx.DiGraph` whose edges
carry an integer ``weight``:

* :func:`paper_collaboration_network` -- the paper's commit network, exactly
  as the authors' script ``hf-collabnet.py`` built it (Osborne, Ding & Kirk
  2024, RQ2; repository ``ccosborne/hf-hub-mining``).
* :func:`pull_request_network` -- pull-request author -> owner of the repository.
* :func:`discussion_network` -- comment author -> thread opener.
* :func:`derivation_network` -- owner of a model -> owner of its base model.

The last three are *different ties* from the paper's: they are what the
reference captures (which hold no commit histories) can show about the same
community. Every builder takes ``exclude``, a set of account names (e.g. the
bots of :mod:`hubcommunity.analysis.bots`) whose records are dropped *before*
the graph is built, so that accounts that only appear through an excluded
account vanish too.

All builders are pure: tables in, graph out, no I/O. Each graph records what
it skipped in ``G.graph["skipped"]`` (a dict of counts) and what the tie means
in ``G.graph["tie"]``.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import pandas as pd

from hubcommunity.analysis.owners import owner_of  # re-exported: one definition of "owner"
from hubcommunity.analysis.subfields import SUBFIELDS, subfield_of
from hubcommunity.derivations import canonical_owners

__all__ = [
    "owner_of",
    "subfield_repo_ids",
    "graph_from_edges",
    "paper_edge_list",
    "paper_collaboration_network",
    "pull_request_network",
    "discussion_network",
    "derivation_network",
]


def _require(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"table {name!r} lacks column(s) {missing}; see CONTRIBUTING.md (tidy tables)")


def subfield_repo_ids(repos: pd.DataFrame, subfield: str, subfield_map: dict[str, str] | None = None) -> set[str]:
    """Ids of the models whose ``pipeline_tag`` belongs to ``subfield`` (the paper's lists).

    ``subfield`` is ``"cv"``, ``"nlp"`` or ``"multimodal"``
    (:mod:`hubcommunity.analysis.subfields`); ``repos`` needs ``repo_type``,
    ``repo_id`` and ``pipeline_tag``.
    """
    if subfield not in SUBFIELDS:
        raise ValueError(f"unknown subfield {subfield!r}; expected one of {SUBFIELDS}")
    _require(repos, ["repo_type", "repo_id", "pipeline_tag"], "repos")
    models = repos[repos["repo_type"] == "model"]
    sub = subfield_of(models["pipeline_tag"], subfield_map)
    return set(models.loc[(sub == subfield).fillna(False).to_numpy(), "repo_id"])


def graph_from_edges(
    edges: pd.DataFrame,
    nodes: Iterable[str] = (),
    *,
    edge_attrs: Iterable[str] = (),
    tie: str = "",
) -> nx.DiGraph:
    """A weighted DiGraph from an edge table.

    ``edges`` has columns ``source``, ``target``, ``weight`` (one row per
    distinct pair) and optionally the columns named in ``edge_attrs``.
    ``nodes`` adds nodes that may have no edge. ``tie`` describes what an edge
    means and is stored in ``G.graph["tie"]``.
    """
    G = nx.DiGraph(tie=tie)
    G.add_nodes_from(str(n) for n in nodes)
    attrs = ["weight", *edge_attrs]
    cols = [edges[c].tolist() for c in attrs]
    for s, t, *values in zip(edges["source"].tolist(), edges["target"].tolist(), *cols):
        G.add_edge(s, t, **{a: int(v) for a, v in zip(attrs, values)})
    return G


# --------------------------------------------------------------------------
# The paper's construction
# --------------------------------------------------------------------------


def paper_edge_list(commit_authors: pd.DataFrame, *, exclude: Iterable[str] = ()) -> pd.DataFrame:
    """The paper's edge list from a ``commit_authors`` table, vectorised.

    Reproduces ``hf-collabnet.py`` line by line, per model repository:
    ``unique_authors`` is the set of every author of every commit; for each
    commit, ``source`` is its first author (``position`` 0, or the smallest
    position present) and one edge ``source -> target`` is added for every
    *other* unique author of the repository; when the repository has exactly
    one unique author, the commit adds the self-loop ``(source, source)``.
    Edges are counted over all repositories into ``weight``; there is no time
    window. Consequence: two authors who each first-authored some commit of a
    shared repository are always joined in both directions (reciprocity by
    construction).

    Input columns: ``repo_type``, ``repo_id``, ``commit_id``, ``position``,
    ``author``. Only ``repo_type == "model"`` rows are used. Rows with a
    missing author are dropped (the original script would have crashed on a
    commit with no author; such commits add nothing). Accounts in ``exclude``
    are removed from the commit authors first.

    Returns a DataFrame ``source, target, weight`` (weight = number of
    commit-events that produced the pair), sorted by source and target.
    """
    _require(commit_authors, ["repo_type", "repo_id", "commit_id", "position", "author"], "commit_authors")
    ca = commit_authors.loc[commit_authors["repo_type"] == "model", ["repo_id", "commit_id", "position", "author"]]
    ca = ca.dropna(subset=["author"])
    excluded = set(exclude)
    if excluded:
        ca = ca[~ca["author"].isin(excluded)]
    ca = ca.astype({"repo_id": "string", "commit_id": "string", "author": "string"})
    empty = pd.DataFrame({"source": pd.Series(dtype="string"), "target": pd.Series(dtype="string"),
                          "weight": pd.Series(dtype="int64")})
    if ca.empty:
        return empty
    # First author of each commit: the smallest position present.
    first = ca.sort_values(["repo_id", "commit_id", "position"]).drop_duplicates(["repo_id", "commit_id"])
    commits_by_source = first.groupby(["repo_id", "author"], observed=True).size().rename("n").reset_index()
    commits_by_source = commits_by_source.rename(columns={"author": "source"})
    unique = ca[["repo_id", "author"]].drop_duplicates().rename(columns={"author": "target"})
    n_unique = unique.groupby("repo_id").size().rename("n_unique")
    pairs = commits_by_source.merge(unique, on="repo_id")
    pairs = pairs.join(n_unique, on="repo_id")
    cross = pairs[pairs["source"] != pairs["target"]]
    single = pairs[pairs["n_unique"] == 1]  # source == target here
    edges = pd.concat([cross[["source", "target", "n"]], single[["source", "target", "n"]]])
    out = edges.groupby(["source", "target"], observed=True)["n"].sum().rename("weight").reset_index()
    out["weight"] = out["weight"].astype("int64")
    return out.sort_values(["source", "target"], ignore_index=True)


def paper_collaboration_network(
    commit_authors: pd.DataFrame,
    repos: pd.DataFrame | None = None,
    *,
    subfield: str | None = None,
    subfield_map: dict[str, str] | None = None,
    exclude: Iterable[str] = (),
) -> nx.DiGraph:
    """The paper's collaboration network (see :func:`paper_edge_list`).

    Nodes are every (non-excluded) commit author of a model repository; by
    construction each has at least one edge, possibly only a self-loop.
    ``subfield`` (``"cv"``, ``"nlp"`` or ``"multimodal"``) keeps only models
    whose ``pipeline_tag`` in ``repos`` belongs to that subfield's list (the
    paper's ``hf-collabnet-subfields.py``); it needs ``repos``.
    """
    ca = commit_authors
    if subfield is not None:
        if subfield not in SUBFIELDS:
            raise ValueError(f"unknown subfield {subfield!r}; expected one of {SUBFIELDS}")
        if repos is None:
            raise ValueError("a subfield network needs the repos table (pipeline tags)")
        ca = ca[ca["repo_id"].isin(subfield_repo_ids(repos, subfield, subfield_map))]
    edges = paper_edge_list(ca, exclude=exclude)
    label = "commit co-authorship (paper's construction)" + (f", {subfield}" if subfield else "")
    G = graph_from_edges(edges, tie=label)
    G.graph["skipped"] = {"commit_author_rows_without_author": int(commit_authors["author"].isna().sum())}
    return G


# --------------------------------------------------------------------------
# Real networks from the reference captures (different ties)
# --------------------------------------------------------------------------


def pull_request_network(discussions: pd.DataFrame, *, exclude: Iterable[str] = (),
                         merged_only: bool = False) -> nx.DiGraph:
    """Pull-request contribution: PR author -> owner of the repository.

    Input: the ``discussions`` table (columns ``repo_type``, ``repo_id``,
    ``is_pull_request``, ``status``, ``opener``). Uses pull requests on
    models, including those known only from a fetch error. Edge attributes:
    ``weight`` (pull requests) and ``merged`` (of which merged). A PR opened
    by the repository's owner is a self-loop. The owner is the id's prefix, so
    a member of an organisation opening a PR on the organisation's model
    makes an edge member -> organisation.

    ``merged_only=True`` keeps merged pull requests only (contributions the
    owner accepted).

    Skipped (counted in ``G.graph["skipped"]``): PRs without an opener
    (deleted accounts), on ids without an owner prefix, and PRs whose opener
    or owner is in ``exclude``.
    """
    _require(discussions, ["repo_type", "repo_id", "is_pull_request", "status", "opener"], "discussions")
    prs = discussions[(discussions["repo_type"] == "model") & discussions["is_pull_request"].fillna(False).astype(bool)]
    if merged_only:
        prs = prs[(prs["status"] == "merged").fillna(False).astype(bool)]
    frame = pd.DataFrame({
        "source": prs["opener"].astype("string"),
        "target": owner_of(prs["repo_id"]),
        "merged": (prs["status"] == "merged").fillna(False).astype("int64"),
    })
    skipped = {"no_opener": int(frame["source"].isna().sum() + (frame["source"] == "").sum()),
               "no_owner": int(frame["target"].isna().sum())}
    frame = frame[frame["source"].notna() & (frame["source"] != "") & frame["target"].notna()]
    excluded = set(exclude)
    drop = frame["source"].isin(excluded) | frame["target"].isin(excluded)
    skipped["excluded_accounts"] = int(drop.sum())
    frame = frame[~drop]
    edges = (frame.groupby(["source", "target"], observed=True)
             .agg(weight=("merged", "size"), merged=("merged", "sum")).reset_index())
    tie = "pull-request contribution (PR author -> repository owner)" + (", merged only" if merged_only else "")
    G = graph_from_edges(edges, edge_attrs=["merged"], tie=tie)
    G.graph["skipped"] = skipped
    return G


def discussion_network(
    discussions: pd.DataFrame,
    discussion_events: pd.DataFrame,
    *,
    exclude: Iterable[str] = (),
    pull_requests: bool = True,
) -> nx.DiGraph:
    """Discussion participation: each commenter -> the thread's opener.

    A participant is the author of a ``comment`` event in a thread on a model
    (``discussion_events``); the opener's own comments (including the opening
    post) add nothing. ``weight`` is the number of threads in which the
    participant commented on that opener's threads. Every opener of a kept
    thread is a node, so an opener whose threads drew no other commenter is an
    isolate. ``pull_requests=False`` keeps discussions only (the Hub lists
    both under "Community").

    Skipped (counted): threads without an opener (deleted accounts), comment
    events without an author, and threads opened by / comments written by an
    account in ``exclude``.
    """
    _require(discussions, ["repo_type", "repo_id", "num", "is_pull_request", "opener"], "discussions")
    _require(discussion_events, ["repo_type", "repo_id", "num", "type", "author"], "discussion_events")
    threads = discussions[discussions["repo_type"] == "model"]
    if not pull_requests:
        threads = threads[~threads["is_pull_request"].fillna(False).astype(bool)]
    threads = threads[["repo_id", "num", "opener"]]
    no_opener = threads["opener"].isna() | (threads["opener"] == "")
    excluded = set(exclude)
    bot_threads = threads["opener"].isin(excluded)
    skipped = {"threads_without_opener": int(no_opener.sum()), "threads_by_excluded": int(bot_threads.sum())}
    threads = threads[~no_opener & ~bot_threads]

    ev = discussion_events[(discussion_events["repo_type"] == "model") & (discussion_events["type"] == "comment")]
    ev = ev[["repo_id", "num", "author"]]
    no_author = ev["author"].isna() | (ev["author"] == "")
    skipped["comments_without_author"] = int(no_author.sum())
    ev = ev[~no_author]
    by_excluded = ev["author"].isin(excluded)
    skipped["comments_by_excluded"] = int(by_excluded.sum())
    ev = ev[~by_excluded].drop_duplicates()

    joined = ev.merge(threads, on=["repo_id", "num"], how="inner")
    joined = joined[joined["author"] != joined["opener"]]
    edges = (joined.groupby(["author", "opener"], observed=True).size().rename("weight").reset_index()
             .rename(columns={"author": "source", "opener": "target"}))
    G = graph_from_edges(edges, nodes=threads["opener"].unique(),
                         tie="discussion participation (commenter -> thread opener)")
    G.graph["skipped"] = skipped
    return G


def derivation_network(derivations: pd.DataFrame, *, exclude: Iterable[str] = ()) -> nx.DiGraph:
    """Model derivation: owner of a model -> owner of its base model.

    Input: the resolved ``derivations`` table of the tables stage
    (:mod:`hubcommunity.derivations`: base ids resolved against the listing,
    e.g. ``gpt2`` -> ``openai-community/gpt2``; columns ``model_id``,
    ``base_model_id``, ``model_owner``, ``base_owner``, ``self_reference``).
    A frame with only ``model_id`` and ``base_model_id`` (e.g. raw
    ``base_models``) also works: owners are then the ids' prefixes.
    Every relation (fine-tune, adapter, quantisation, merge) counts.
    ``weight`` is the number of (model, base model) links between the two
    owners. Deriving from one's own model is a self-loop. Owner names that
    differ only in letter case are one account (the Hub's names are
    case-insensitive) and one node, spelled as first seen among model owners.

    Skipped and counted in ``G.graph["skipped"]``: a model naming itself as
    its base (``self_references``), links whose base has no owner (an
    unresolved id without ``/``; ``links_without_owner``), and links touching
    an account in ``exclude`` (``excluded_accounts``).
    """
    _require(derivations, ["model_id", "base_model_id"], "derivations")
    links = derivations.drop_duplicates(["model_id", "base_model_id"])
    self_ref = links["self_reference"].fillna(False).astype(bool) if "self_reference" in links else (
        links["model_id"] == links["base_model_id"])
    skipped = {"self_references": int(self_ref.sum())}
    links = links[~self_ref.to_numpy(bool)]
    source = links["model_owner"] if "model_owner" in links else owner_of(links["model_id"])
    target = links["base_owner"] if "base_owner" in links else owner_of(links["base_model_id"])
    source, target = source.astype("string").reset_index(drop=True), target.astype("string").reset_index(drop=True)
    spelling = canonical_owners(pd.concat([source, target], ignore_index=True), source)
    frame = pd.DataFrame({"source": spelling.iloc[:len(source)].to_numpy(),
                          "target": spelling.iloc[len(source):].to_numpy()})
    no_owner = frame["source"].isna() | frame["target"].isna()
    skipped["links_without_owner"] = int(no_owner.sum())
    frame = frame[~no_owner]
    excluded = set(exclude)
    drop = frame["source"].isin(excluded) | frame["target"].isin(excluded)
    skipped["excluded_accounts"] = int(drop.sum())
    frame = frame[~drop]
    edges = frame.groupby(["source", "target"], observed=True).size().rename("weight").reset_index()
    G = graph_from_edges(edges, tie="model derivation (model owner -> base-model owner)")
    G.graph["skipped"] = skipped
    return G
