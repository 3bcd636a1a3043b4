"""Bot accounts: the curated list, their activity, and candidates for review.

The list lives in ``data/bots.csv`` (columns ``account``, ``kind``,
``evidence``): one row per account judged to be automated, with how it was
identified. In the January 2024 discussions capture every event author has
``type == "user"``, so the Hub's account type cannot mark bots; the evidence
is the account's display name (several end in "(Bot)"), its name, and its
behaviour (thousands of threads with one identical title).

:func:`bot_candidates` applies two mechanical signals to a ``discussions``
table so that a reader can check the list: a bot-like *name* and a
*scripted* pattern (many threads, nearly all with the same title). Scripted
campaigns by people (e.g. one person adding a paper link to a thousand
models) also match the second signal; such accounts are shown but are not
in the list, because a person running a script is still a person.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hubcommunity.paths import data_dir

__all__ = ["load_bots", "bot_accounts", "bot_activity", "bot_candidates", "BOT_NAME_PATTERN"]

#: Account names that look automated: "bot" as a separate word or suffix
#: ("librarian-bot", "SFconvertbot", "my_bot"), or "autoevaluator"-style.
BOT_NAME_PATTERN = re.compile(r"(?:^|[-_.])bot(?:$|[-_.\d])|[a-z](?<!ro)bot$|^auto[-_]?eval", re.IGNORECASE)

_KINDS = {"bot"}


def load_bots(path: Path | None = None) -> pd.DataFrame:
    """The curated bot list, checked: unique non-empty accounts, a known kind, evidence given."""
    path = Path(path) if path else data_dir() / "bots.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = ["account", "kind", "evidence"]
    if list(table.columns) != expected:
        raise ValueError(f"{path}: columns {list(table.columns)}, expected {expected}")
    for i, row in table.iterrows():
        line = i + 2  # header is line 1
        if not row["account"].strip():
            raise ValueError(f"{path}:{line}: empty account")
        if row["kind"] not in _KINDS:
            raise ValueError(f"{path}:{line}: kind {row['kind']!r} not in {sorted(_KINDS)}")
        if not row["evidence"].strip():
            raise ValueError(f"{path}:{line}: account {row['account']!r} has no evidence")
    dup = table["account"][table["account"].duplicated()]
    if len(dup):
        raise ValueError(f"{path}: duplicated account(s) {sorted(dup)}")
    return table


def bot_accounts(path: Path | None = None) -> frozenset[str]:
    """The set of account names in the bot list."""
    return frozenset(load_bots(path)["account"])


def bot_activity(discussions: pd.DataFrame, discussion_events: pd.DataFrame, accounts) -> pd.DataFrame:
    """What each account did in the discussions: threads opened, PRs, comments, share of threads.

    Columns: ``account``, ``threads_opened``, ``prs_opened``, ``prs_merged``,
    ``comments``, ``top_title``, ``top_title_share`` (share of its threads
    with its most common title), ``share_of_threads`` (of all threads with a
    known opener). One row per account in ``accounts``, in that order.
    """
    threads = discussions[discussions["opener"].notna()]
    total = len(threads)
    comments = discussion_events[discussion_events["type"] == "comment"]
    rows = []
    for acc in accounts:
        mine = threads[threads["opener"] == acc]
        prs = mine[mine["is_pull_request"].fillna(False).astype(bool)]
        titles = mine["title"].value_counts()
        rows.append({
            "account": acc,
            "threads_opened": len(mine),
            "prs_opened": len(prs),
            "prs_merged": int((prs["status"] == "merged").sum()),
            "comments": int((comments["author"] == acc).sum()),
            "top_title": titles.index[0] if len(titles) else None,
            "top_title_share": float(titles.iloc[0] / len(mine)) if len(titles) else float("nan"),
            "share_of_threads": len(mine) / total if total else float("nan"),
        })
    return pd.DataFrame(rows)


def bot_candidates(discussions: pd.DataFrame, min_threads: int = 100, min_title_share: float = 0.9,
                   listed=frozenset()) -> pd.DataFrame:
    """Accounts with a bot-like name or a scripted thread pattern, for review.

    An opener is *scripted* when it opened at least ``min_threads`` threads
    and at least ``min_title_share`` of them share one title. Name matches
    (:data:`BOT_NAME_PATTERN`) are kept only if they opened a thread.
    Columns: ``account``, ``threads_opened``, ``top_title``,
    ``top_title_share``, ``name_signal``, ``scripted_signal``, ``listed``
    (in ``listed``, usually :func:`bot_accounts`). Sorted by threads opened.
    """
    threads = discussions[discussions["opener"].notna() & (discussions["opener"] != "")]
    counts = threads.groupby(["opener", "title"], observed=True).size().rename("n").reset_index()
    per = counts.groupby("opener").agg(threads_opened=("n", "sum"), top=("n", "max"))
    top_title = counts.sort_values(["opener", "n"], ascending=[True, False]).drop_duplicates("opener")
    per = per.join(top_title.set_index("opener")["title"].rename("top_title"))
    per["top_title_share"] = per["top"] / per["threads_opened"]
    per["name_signal"] = [bool(BOT_NAME_PATTERN.search(a)) for a in per.index]
    per["scripted_signal"] = (per["threads_opened"] >= min_threads) & (per["top_title_share"] >= min_title_share)
    per["listed"] = per.index.isin(list(listed))
    out = per[per["name_signal"] | per["scripted_signal"] | per["listed"]].drop(columns="top")
    out = out.reset_index(names="account").sort_values("threads_opened", ascending=False, ignore_index=True)
    return out[["account", "threads_opened", "top_title", "top_title_share", "name_signal", "scripted_signal", "listed"]]
