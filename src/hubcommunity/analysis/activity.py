"""RQ1 assembly: per-repository activity variables from the tidy tables.

Pure functions on DataFrames with the columns of CONTRIBUTING.md ("Tidy
tables"). The paper's variables (METHODS.md, RQ1) per repository:

============================  ====================================================
``likes``                     listing field ``likes``
``downloads``                 listing field ``downloads`` (rolling 30 days; spaces have none)
``commits``                   distinct commits in the commit capture
``commit_contributors``       distinct commit authors over those commits
``discussions``               discussions and pull requests, any status
``discussion_participants``   distinct thread openers (the paper's definition)
============================  ====================================================

Every variable comes with a reason column ``<variable>_missing``: ``<NA>``
when the value is known (a 0 stays 0 -- the original scripts stored 0 as
missing, a quirk this project does not copy), otherwise why it is missing:
the capture has no such data for this repository type, the repository was
created after the capture, or the Hub refused the call (with its status).

Discussions come from a separate capture (the reference one is of January
2024, the listings of July 2024): they are joined only to repositories
created before that capture's date. A discussions capture is assumed to
cover every repository of its type created before its date (true of the
reference capture and of a full collection); repositories with no thread
get 0. Commits: repositories with commit rows get their counts; the others
are missing ("not in the commit capture" or the failed call).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from hubcommunity.analysis.distributions import gini, summary_table, top_share

__all__ = [
    "ACTIVITY_VARIABLES",
    "REPO_TYPES",
    "repo_activity",
    "missing_summary",
    "activity_summary",
    "discussions_per_model",
    "creations_per_month",
    "cohort_concentration",
    "capture_dates",
    "DISCUSSION_FIT_VARIABLES",
    "BOT_FREE_VARIABLES",
    "rq1_fits",
    "with_bot_free",
]

#: Discussion variables that bots inflate; :func:`with_bot_free` adds ``<variable>_nobots``.
BOT_FREE_VARIABLES = ("discussions", "discussion_participants")

#: Per-model discussion variables the chapter fits (from :func:`discussions_per_model`).
DISCUSSION_FIT_VARIABLES = ("participants", "threads_nobots", "participants_nobots")

#: The paper's activity variables, in the order the book shows them.
ACTIVITY_VARIABLES = (
    "likes",
    "downloads",
    "commits",
    "commit_contributors",
    "discussions",
    "discussion_participants",
)

#: Repository types, in the book's order.
REPO_TYPES = ("model", "dataset", "space")


def capture_dates(tables) -> dict[str, pd.Timestamp]:
    """Capture time per stream kind (earliest over snapshots) from ``tables.snapshots``."""
    snaps = tables.snapshots
    if snaps is None or snaps.empty:
        return {}
    return snaps.dropna(subset=["captured_at"]).groupby("stream")["captured_at"].min().to_dict()


def _reason_series(index, reason) -> pd.Series:
    return pd.Series(reason, index=index, dtype="string")


def _keys(frame: pd.DataFrame, type_col: str = "repo_type", id_col: str = "repo_id") -> pd.Index:
    """One hashable key per row, ``"<type>/<id>"``, as an object Index (hash lookups, no sorting).

    pandas' Arrow-backed strings sort to factorize, which takes seconds on a
    million ids; plain Python strings in an object Index are hashed instead.
    """
    types = frame[type_col].to_numpy(dtype=object, na_value=None)
    ids = frame[id_col].to_numpy(dtype=object, na_value=None)
    return pd.Index([f"{t}/{i}" for t, i in zip(types, ids)], dtype=object)


def _lookup(by_repo: pd.Series, repos: pd.DataFrame, repo_keys: pd.Index | None = None) -> pd.Series:
    """Values of a Series indexed by (repo_type, repo_id), aligned to the rows of ``repos``."""
    repo_keys = _keys(repos) if repo_keys is None else repo_keys
    if len(by_repo) == 0:
        return pd.Series(pd.NA, index=repos.index, dtype="object")
    flat = by_repo.reset_index()
    index = _keys(flat, flat.columns[0], flat.columns[1])
    pos = index.get_indexer(repo_keys)
    values = flat.iloc[:, -1].to_numpy(dtype=object)
    out = np.where(pos >= 0, values[np.maximum(pos, 0)], None)
    return pd.Series(out, index=repos.index, dtype="object")


def _count_variable(repos, counts, covered, reason_uncovered, repo_keys):
    """Values and reasons for a count variable: counts where covered (0 if absent), else missing."""
    values = _lookup(counts, repos, repo_keys).fillna(0).astype("Int64")
    values = values.mask(~covered)
    reasons = reason_uncovered.where(~covered)
    return values, reasons.astype("string")


def _status_text(status: pd.Series) -> pd.Series:
    """HTTP statuses as text without a decimal point ("403", "?" when unknown)."""
    return pd.Series([("?" if s is None or pd.isna(s) or int(s) < 0 else str(int(s))) for s in status],
                     index=status.index, dtype="string")


def repo_activity(tables, bots: Iterable[str] = (), exclude_bots: bool = False) -> pd.DataFrame:
    """One row per repository with the six activity variables and why each is missing.

    ``tables``: a :class:`hubcommunity.tables.Tables` (or any object with the
    ``repos``, ``discussions``, ``commits``, ``commit_authors``,
    ``fetch_errors`` and ``snapshots`` DataFrames). ``bots``: account names;
    with ``exclude_bots`` threads opened by bots and commits whose authors
    are all bots are not counted, and bots are not counted as participants or
    contributors.

    Returns columns ``repo_type, repo_id, owner, created_at, license_group,
    pipeline_tag`` then, for each of :data:`ACTIVITY_VARIABLES`, the value
    (nullable Int64) and ``<variable>_missing`` (string reason or ``<NA>``).
    """
    repos = tables.repos
    bots = frozenset(bots) if exclude_bots else frozenset()
    out = repos[["repo_type", "repo_id", "owner", "created_at", "license_group", "pipeline_tag"]].copy()
    index = out.index
    repo_keys = _keys(repos)

    # likes, downloads: listing fields; spaces have no download count
    for col in ("likes", "downloads"):
        values = repos[col].astype("Int64")
        reason = _reason_series(index, "not in the listing record")
        if col == "downloads":
            reason = reason.mask(repos["repo_type"] == "space", "spaces have no download count")
        out[col] = values
        out[f"{col}_missing"] = reason.where(values.isna()).astype("string")

    errors = tables.fetch_errors
    # commits and contributors
    commits = tables.commits
    authors = tables.commit_authors
    if bots and len(authors):
        human = authors[~authors["author"].isin(bots)]
        kept = human[["repo_type", "repo_id", "commit_id"]].drop_duplicates()
        no_authors = commits.merge(authors[["repo_type", "repo_id", "commit_id"]].drop_duplicates(), how="left",
                                   indicator=True).query("_merge == 'left_only'")[["repo_type", "repo_id", "commit_id"]]
        commits = pd.concat([kept, no_authors], ignore_index=True)
        authors = human
    commit_counts = commits.groupby(["repo_type", "repo_id"])["commit_id"].nunique()
    contributor_counts = authors.groupby(["repo_type", "repo_id"])["author"].nunique()
    commit_types = set(tables.commits["repo_type"].unique())
    # covered by the commit capture: any commit at all (a repo whose commits are all by bots counts 0)
    all_counts = tables.commits.groupby(["repo_type", "repo_id"])["commit_id"].nunique()
    has_commits = _lookup(all_counts, repos, repo_keys).notna()
    commit_err = errors[errors["scope"] == "commits"].drop_duplicates(["repo_type", "repo_id"]).set_index(["repo_type", "repo_id"])
    reason = pd.Series(
        np.where(repos["repo_type"].isin(commit_types), "not in the commit capture", "no commit histories in the capture"),
        index=index, dtype="string",
    )
    if len(commit_err):
        failed = _lookup(commit_err["http_status"].astype("Int64").fillna(-1), repos, repo_keys)
        reason = reason.mask(failed.notna(), "commit listing failed (HTTP " + _status_text(failed) + ")")
    for col, counts in (("commits", commit_counts), ("commit_contributors", contributor_counts)):
        values, reasons = _count_variable(repos, counts, has_commits, reason, repo_keys)
        out[col], out[f"{col}_missing"] = values, reasons

    # discussions and participants (openers), joined only to repos created before the capture
    disc = tables.discussions
    if bots:
        disc = disc[~disc["opener"].isin(bots)]
    thread_counts = disc.groupby(["repo_type", "repo_id"]).size()
    opener_counts = disc.dropna(subset=["opener"]).groupby(["repo_type", "repo_id"])["opener"].nunique()
    dates = capture_dates(tables)
    captured = dates.get("discussions")
    disc_types = set(tables.discussions["repo_type"].unique()) | set(
        errors.loc[errors["scope"].isin(["repository", "thread"]), "repo_type"].unique()
    )
    type_covered = repos["repo_type"].isin(disc_types)
    before = repos["created_at"] < captured if captured is not None else pd.Series(True, index=index)
    before = before.fillna(False).astype(bool)
    repo_err = errors[errors["scope"] == "repository"].drop_duplicates(["repo_type", "repo_id"]).set_index(["repo_type", "repo_id"])
    failed = _lookup(repo_err["http_status"].astype("Int64").fillna(-1), repos, repo_keys)
    covered = type_covered & before & failed.isna()
    reason = pd.Series("no discussions captured for this repository type", index=index, dtype="string")
    date_text = captured.date().isoformat() if captured is not None else "?"
    reason = reason.mask(type_covered & ~before, f"created after the discussions capture ({date_text})")
    reason = reason.mask(type_covered & before & failed.notna(), "discussion listing failed (HTTP " + _status_text(failed) + ")")
    for col, counts in (("discussions", thread_counts), ("discussion_participants", opener_counts)):
        values, reasons = _count_variable(repos, counts, covered, reason, repo_keys)
        out[col], out[f"{col}_missing"] = values, reasons
    return out.reset_index(drop=True)


def missing_summary(activity: pd.DataFrame, variables: Iterable[str] = ACTIVITY_VARIABLES) -> pd.DataFrame:
    """Counts of missing values per repository type, variable and reason.

    Columns ``repo_type, variable, reason, count`` (only reasons that occur).
    """
    rows = []
    for var in variables:
        counts = activity.groupby(["repo_type", f"{var}_missing"], dropna=True).size()
        for (repo_type, reason), count in counts.items():
            rows.append({"repo_type": repo_type, "variable": var, "reason": reason, "count": int(count)})
    return pd.DataFrame(rows, columns=["repo_type", "variable", "reason", "count"])


def activity_summary(activity: pd.DataFrame, variables: Iterable[str] = ACTIVITY_VARIABLES,
                     repo_types: Iterable[str] = REPO_TYPES) -> pd.DataFrame:
    """:func:`~hubcommunity.analysis.distributions.summary_table` per repo type and variable.

    Every (repository type, variable) pair gets a row, even when the capture
    has no such repositories (``n = 0``) or no such variable (all missing),
    so that absent data show in the table instead of vanishing. A
    ``missing_reason`` column gives the most common reason for missing values.
    """
    variables = list(variables)
    table = summary_table(activity, variables, by="repo_type")
    grid = pd.MultiIndex.from_product([list(repo_types), variables], names=["repo_type", "variable"]).to_frame(index=False)
    table = grid.merge(table, on=["repo_type", "variable"], how="left")
    table["n"] = table["n"].fillna(0).astype("Int64")
    table["n_missing"] = table["n_missing"].fillna(0).astype("Int64")
    reasons = missing_summary(activity, variables)
    top = (reasons.sort_values("count", ascending=False).drop_duplicates(["repo_type", "variable"])
           [["repo_type", "variable", "reason"]].rename(columns={"reason": "missing_reason"}))
    table = table.merge(top, on=["repo_type", "variable"], how="left")
    absent = ~table["repo_type"].isin(activity["repo_type"].unique())
    table["missing_reason"] = table["missing_reason"].astype("object").where(~absent, "no repositories of this type in the capture")
    return table


def discussions_per_model(tables, bots: Iterable[str] = (), repo_type: str = "model") -> pd.DataFrame:
    """Threads, pull requests and participants per repository, with and without bots.

    Only repositories of ``repo_type`` created before the discussions capture
    (``tables.snapshots``, stream ``discussions``) and whose discussions could
    be listed; those with no thread get 0. Columns: ``repo_id, threads,
    pull_requests, discussions`` (non-PR threads), ``participants`` (distinct
    event authors over all threads), ``openers``; then the same five with the
    suffix ``_nobots``: threads opened by a bot dropped, bots not counted as
    participants or openers.
    """
    bots = frozenset(bots)
    repos = tables.repos[tables.repos["repo_type"] == repo_type]
    captured = capture_dates(tables).get("discussions")
    if captured is not None:
        repos = repos[repos["created_at"] < captured]
    errors = tables.fetch_errors
    failed = set(errors.loc[(errors["scope"] == "repository") & (errors["repo_type"] == repo_type), "repo_id"])
    repos = repos.assign(repo_id=repos["repo_id"].astype(object))
    repos = repos[~repos["repo_id"].isin(failed)]
    wanted = pd.Index(repos["repo_id"], dtype=object)
    disc = tables.discussions[tables.discussions["repo_type"] == repo_type]
    disc = disc.assign(repo_id=disc["repo_id"].astype(object), opener=disc["opener"].astype(object))
    disc = disc[wanted.get_indexer(disc["repo_id"]) >= 0]
    events = tables.discussion_events
    events = events[events["repo_type"] == repo_type]
    events = events.assign(repo_id=events["repo_id"].astype(object), author=events["author"].astype(object))
    events = events[wanted.get_indexer(events["repo_id"]) >= 0]

    def counts(d: pd.DataFrame, ev: pd.DataFrame, suffix: str) -> pd.DataFrame:
        g = d.groupby("repo_id")
        frame = pd.DataFrame({
            "threads": g.size(),
            "pull_requests": g["is_pull_request"].sum(),
            "openers": d.dropna(subset=["opener"]).groupby("repo_id")["opener"].nunique(),
        })
        frame["discussions"] = frame["threads"] - frame["pull_requests"]
        # participants: distinct event authors plus openers (a thread known only from an error has no events)
        people = pd.concat([
            ev[["repo_id", "author"]].rename(columns={"author": "person"}),
            d[["repo_id", "opener"]].rename(columns={"opener": "person"}),
        ]).dropna().drop_duplicates()
        frame["participants"] = people.groupby("repo_id").size()
        return frame.add_suffix(suffix)

    human_threads = disc[~disc["opener"].isin(bots)]
    thread_keys = pd.Index([f"{r}#{n}" for r, n in zip(human_threads["repo_id"], human_threads["num"])], dtype=object)
    event_keys = [f"{r}#{n}" for r, n in zip(events["repo_id"], events["num"])]
    human_events = events[thread_keys.get_indexer(event_keys) >= 0] if len(events) else events
    human_events = human_events[~human_events["author"].isin(bots)]
    out = repos[["repo_id", "created_at", "license_group"]].set_index("repo_id")
    out = out.join(counts(disc, events, "")).join(counts(human_threads, human_events, "_nobots"))
    cols = [c + s for s in ("", "_nobots") for c in ("threads", "pull_requests", "discussions", "participants", "openers")]
    out[cols] = out[cols].fillna(0).astype("Int64")
    return out.reset_index()[["repo_id", "created_at", "license_group", *cols]]


def creations_per_month(repos: pd.DataFrame, until: pd.Timestamp | None = None) -> pd.DataFrame:
    """Repositories created per calendar month and type.

    Columns ``repo_type, month`` (first day of the month, UTC timestamp),
    ``created`` and ``cumulative``. ``until`` drops months after it (e.g. an
    incomplete capture month). Repositories without ``created_at`` are left
    out (count them with ``repos['created_at'].isna()``).
    """
    frame = repos.dropna(subset=["created_at"])
    month = frame["created_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()
    out = frame.assign(month=month).groupby(["repo_type", "month"]).size().rename("created").reset_index()
    if until is not None:
        until = pd.Timestamp(until).tz_localize(None) if pd.Timestamp(until).tzinfo else pd.Timestamp(until)
        out = out[out["month"] <= until]
    out["month"] = out["month"].dt.tz_localize("UTC")
    out["cumulative"] = out.groupby("repo_type")["created"].cumsum()
    return out.reset_index(drop=True)


def cohort_concentration(activity: pd.DataFrame, variable: str, freq: str = "Y", min_size: int = 100,
                         split_day: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Concentration of ``variable`` within creation cohorts, per repository type.

    Cohorts are creation periods (``freq``: ``"Y"`` years, ``"Q"`` quarters;
    pandas period codes). With ``split_day`` (a date), repositories created
    on or before that day form their own first cohort, labelled
    ``"<= YYYY-MM-DD"`` (e.g. the legacy repositories whose creation date is
    the day the Hub began recording one). For each cohort with at least
    ``min_size`` known values: ``n``, ``share_zero``, ``median``,
    ``top1_share``, ``top10_share`` and ``gini``. A smaller cohort is kept
    with NaN statistics and ``n`` so that the table shows it was too small.
    Rows are in time order (``cohort`` is text).
    """
    frame = activity.dropna(subset=["created_at", variable])
    created = frame["created_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    periods = created.dt.to_period(freq).astype(str)
    order = sorted(periods.unique())
    if split_day is not None:
        day = pd.Timestamp(split_day)
        day = (day.tz_convert("UTC").tz_localize(None) if day.tzinfo else day).normalize()
        label = f"<= {day:%Y-%m-%d}"
        periods = periods.where(created >= day + pd.Timedelta(days=1), label)
        order = [label] + sorted(p for p in periods.unique() if p != label)
    rank = {c: i for i, c in enumerate(order)}
    rows = []
    for (repo_type, cohort), group in sorted(frame.groupby([frame["repo_type"], periods], sort=False),
                                             key=lambda kv: (kv[0][0], rank[kv[0][1]])):
        values = group[variable].to_numpy(dtype="float64")
        row = {"repo_type": repo_type, "cohort": str(cohort), "variable": variable, "n": int(values.size)}
        if values.size >= min_size:
            row.update(share_zero=float(np.mean(values == 0)), median=float(np.median(values)),
                       top1_share=top_share(values, 0.01), top10_share=top_share(values, 0.1), gini=gini(values))
        rows.append(row)
    cols = ["repo_type", "cohort", "variable", "n", "share_zero", "median", "top1_share", "top10_share", "gini"]
    return pd.DataFrame(rows).reindex(columns=cols)


def rq1_fits(activity: pd.DataFrame, per_model: pd.DataFrame | None = None, *, alpha_range=None,
             gof: dict | bool | None = None) -> pd.DataFrame:
    """Every distribution fit of the RQ1 chapter, as one table.

    :func:`~hubcommunity.analysis.fitting.fit_table` of the
    :data:`ACTIVITY_VARIABLES` per repository type, then (if given) of the
    :data:`DISCUSSION_FIT_VARIABLES` of :func:`discussions_per_model` (rows
    with ``repo_type`` "model (discussions capture)"). Variables without data
    get a row saying so. ``alpha_range`` and ``gof`` (the goodness-of-fit
    test's options) are passed to ``fit_table``; the defaults fit as
    ``powerlaw`` does, without the test. ``benchmarks/bench_fits.py`` times
    this function.
    """
    from hubcommunity.analysis.fitting import fit_table

    parts = [fit_table(activity, ACTIVITY_VARIABLES, by="repo_type", alpha_range=alpha_range, gof=gof)]
    if per_model is not None:
        extra = fit_table(per_model, DISCUSSION_FIT_VARIABLES, alpha_range=alpha_range, gof=gof)
        extra.insert(0, "repo_type", "model (discussions capture)")
        parts.append(extra)
    return pd.concat(parts, ignore_index=True)


def with_bot_free(activity: pd.DataFrame, activity_nobots: pd.DataFrame,
                  variables: Iterable[str] = BOT_FREE_VARIABLES) -> pd.DataFrame:
    """``activity`` with ``<variable>_nobots`` columns taken from ``activity_nobots``.

    ``activity_nobots``: :func:`repo_activity` of the same tables with
    ``exclude_bots=True`` (threads opened by bots not counted, bots not
    counted as openers). The two frames must list the same repositories in
    the same order; a mismatch raises ``ValueError``.
    """
    same = (len(activity) == len(activity_nobots)
            and (activity["repo_type"].to_numpy() == activity_nobots["repo_type"].to_numpy()).all()
            and (activity["repo_id"].astype(str).to_numpy() == activity_nobots["repo_id"].astype(str).to_numpy()).all())
    if not same:
        raise ValueError("with_bot_free: the two activity frames do not list the same repositories in the same order")
    out = activity.copy()
    for var in variables:
        out[f"{var}_nobots"] = activity_nobots[var].set_axis(out.index)
    return out
