"""What the snapshots hold, what they lack, and how far apart they were captured.

Pure functions behind the chapter ``book/data.md``: inputs are the tidy tables
of :func:`hubcommunity.tables.load_tables` (columns in CONTRIBUTING.md, "Tidy
tables"), outputs are tidy frames the chapter shows and lists of headline
records (:mod:`hubcommunity.analysis.records`) it quotes. No I/O.

The *capture gap*: the reference discussions were captured in January 2024,
the listings in July 2024. A model in the discussions capture may be missing
from the later listing (deleted, renamed, made private), and a listed model
created after the discussions capture cannot be in it; chapters that join the
two use only listed models created before the discussions capture date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from hubcommunity.analysis import records as rec
from hubcommunity.licenses import ALL_GROUPS

__all__ = [
    "PRESENCE_FIELDS",
    "PROVENANCE_COLUMNS",
    "stream_captured_at",
    "capture_date_records",
    "inventory_records",
    "provenance_table",
    "field_presence",
    "model_metadata_records",
    "skipped_records",
    "license_group_table",
    "capture_gap_records",
    "models_per_month",
    "details_records",
    "listing_records",
]

#: Columns of ``repos`` whose presence per repository type the chapter tabulates.
PRESENCE_FIELDS = ("owner", "created_at", "last_modified", "likes", "downloads", "downloads_all_time", "license",
                   "pipeline_tag", "library", "gated", "disabled", "sdk", "sha")

#: Columns of ``Tables.snapshots`` shown as the provenance table.
PROVENANCE_COLUMNS = ("snapshot", "stream", "captured_at", "records", "files", "source", "license")


def stream_captured_at(snapshots: pd.DataFrame, stream: str) -> pd.Timestamp:
    """Capture time of ``stream`` (``"models"``, ``"discussions"``...): its first row in ``snapshots``.

    ``snapshots``: ``Tables.snapshots`` (columns ``stream, captured_at``). Raises
    ``KeyError`` naming the streams present when ``stream`` is absent.
    """
    rows = snapshots.loc[snapshots["stream"] == stream, "captured_at"]
    if rows.empty:
        raise KeyError(f"no stream {stream!r} in the snapshots; present: {sorted(set(snapshots['stream']))}")
    return rows.iloc[0]


def capture_date_records(snapshots: pd.DataFrame, streams=("models", "datasets", "discussions")) -> list[dict]:
    """Text records ``<stream>_captured`` (ISO date, ``YYYY-MM-DD``) for each stream in ``streams``."""
    names = {"models": "model listing", "datasets": "dataset listing", "discussions": "model discussions"}
    return [rec.text(f"{s}_captured", stream_captured_at(snapshots, s).strftime("%Y-%m-%d"),
                     f"Capture date of the {names.get(s, s)}") for s in streams]


def inventory_records(tables) -> list[dict]:
    """Counts of what the snapshots hold: repositories per type, threads, failed calls, events, commits.

    ``tables``: an object with the tidy tables ``repos``, ``discussions`` (``has_details``:
    thread captured with its events), ``fetch_errors`` (``scope``), ``discussion_events``
    and ``commits``. Returns records ``n_models, n_datasets, n_spaces, n_threads,
    n_thread_stubs, n_repo_errors, n_events, n_commits`` (counts of rows).
    """
    by_type = tables.repos["repo_type"].value_counts()
    details = tables.discussions["has_details"]
    return [
        rec.count("n_models", by_type.get("model", 0), "models", "Models in the listings"),
        rec.count("n_datasets", by_type.get("dataset", 0), "datasets", "Datasets in the listings"),
        rec.count("n_spaces", by_type.get("space", 0), "spaces", "Spaces in the snapshots"),
        rec.count("n_threads", details.sum(), "threads", "Discussions and pull requests captured with their events"),
        rec.count("n_thread_stubs", (~details).sum(), "threads", "Pull requests known only from a failed detail call"),
        rec.count("n_repo_errors", (tables.fetch_errors["scope"] == "repository").sum(), "models",
                  "Models whose discussions could not be listed"),
        rec.count("n_events", len(tables.discussion_events), "events", "Discussion events"),
        rec.count("n_commits", len(tables.commits), "commits", "Commits in the snapshots"),
    ]


def provenance_table(snapshots: pd.DataFrame) -> pd.DataFrame:
    """One row per snapshot stream: :data:`PROVENANCE_COLUMNS`, ``captured_at`` as ``YYYY-MM-DD`` text."""
    return snapshots[list(PROVENANCE_COLUMNS)].assign(captured_at=snapshots["captured_at"].dt.strftime("%Y-%m-%d"))


def field_presence(repos: pd.DataFrame, fields: Sequence[str] = PRESENCE_FIELDS) -> pd.DataFrame:
    """Share (0-1) of repositories with a non-missing value, per column (rows) and repository type (columns).

    Returns columns ``column`` and one per repository type present, in sorted order.
    """
    present = (repos.groupby("repo_type")[list(fields)].agg(lambda s: s.notna().mean()).T
               .rename_axis("column").reset_index())
    present.columns.name = None
    return present


def model_metadata_records(repos: pd.DataFrame, base_models: pd.DataFrame) -> list[dict]:
    """How complete the models' metadata are, and how many declare a base model.

    Shares (0-1) of listed models with a pipeline tag, a library and a license;
    ``base_models`` rows (model -> base links), distinct declaring models, and the
    share of links whose ``relation`` is ``"unspecified"`` (0 when there are no links).
    """
    models = repos[repos["repo_type"] == "model"]
    unspecified = (base_models["relation"] == "unspecified").mean() if len(base_models) else 0
    return [
        rec.number("models_pipeline_share", models["pipeline_tag"].notna().mean(), "share of models",
                   "Models with a pipeline tag", "{:.0%}"),
        rec.number("models_library_share", models["library"].notna().mean(), "share of models",
                   "Models with a library name", "{:.0%}"),
        rec.number("models_license_share", models["license"].notna().mean(), "share of models",
                   "Models with a license tag", "{:.0%}"),
        rec.number("n_base_model_links", len(base_models), "links", "Model to base-model links from base_model tags"),
        rec.number("n_models_with_base", base_models["model_id"].nunique(), "models",
                   "Models that declare a base model"),
        rec.number("base_unspecified_share", unspecified, "share of links",
                   "Base-model links with no stated relation", "{:.0%}"),
    ]


def skipped_records(report: pd.DataFrame, n_license_ids: int) -> list[dict]:
    """What building the tables skipped or flagged, from ``Tables.report`` (columns ``reason, count``).

    ``n_skipped``: all counted records; ``n_unmapped``: repositories whose license id is
    not in the license file (reasons starting ``"unmapped"``); ``n_license_ids`` is passed
    through as a record (rows of ``data/license_groups.csv``).
    """
    n_skipped = int(report["count"].sum()) if len(report) else 0
    unmapped = report.loc[report["reason"].str.startswith("unmapped"), "count"].sum() if len(report) else 0
    return [
        rec.number("n_skipped", n_skipped, "records", "Raw records skipped or flagged while building tables"),
        rec.number("n_unmapped", int(unmapped), "repositories",
                   "Repositories with a license id not in license_groups.csv"),
        rec.number("n_license_ids", int(n_license_ids), "license ids", "License ids in data/license_groups.csv"),
    ]


def license_group_table(repos: pd.DataFrame, order: Iterable[str] = ALL_GROUPS) -> pd.DataFrame:
    """Repositories per license group (rows, in ``order``, only groups present) and type (count columns).

    Returns columns ``license group`` and one per repository type (0 where none).
    """
    present = set(repos["license_group"])
    table = (repos.groupby(["repo_type", "license_group"]).size().unstack("repo_type", fill_value=0)
             .reindex([g for g in order if g in present]).rename_axis("license group").reset_index())
    table.columns.name = None
    return table


def capture_gap_records(repos: pd.DataFrame, discussions: pd.DataFrame, fetch_errors: pd.DataFrame,
                        cutoff: pd.Timestamp) -> list[dict]:
    """How the discussions capture (taken at ``cutoff``) and the model listing overlap.

    A model is *known to the discussions capture* if it has a thread or a failed call
    (``discussions`` or ``fetch_errors`` rows). Returns counts of those models, of those
    absent from the listing (and their share, 0-1), of listed models created on or after
    ``cutoff`` and before it (the joinable ones), and of joinable models with a thread or
    failed call. Raises ``ValueError`` when the discussions capture knows no model.
    """
    listed = repos.loc[repos["repo_type"] == "model", ["repo_id", "created_at"]]
    known = set(discussions["repo_id"]) | set(fetch_errors["repo_id"])
    if not known:
        raise ValueError("the discussions capture has no model (no thread and no failed call)")
    not_listed = known - set(listed["repo_id"])
    before = listed[listed["created_at"] < cutoff]
    return [
        rec.number("n_disc_models", len(known), "models",
                   "Models known to the discussions capture (threads or errors)"),
        rec.number("n_disc_not_listed", len(not_listed), "models",
                   "Models in the discussions capture and not in the July listing"),
        rec.number("share_disc_not_listed", len(not_listed) / len(known), "share",
                   "Share of discussion-capture models missing from the July listing", "{:.1%}"),
        rec.number("n_listed_after", int((listed["created_at"] >= cutoff).sum()), "models",
                   "Listed models created on or after the discussions capture"),
        rec.number("n_listed_before", len(before), "models",
                   "Listed models created before the discussions capture (joinable)"),
        rec.number("n_joinable_with_threads", len(set(before["repo_id"]) & known), "models",
                   "Joinable models that appear in the discussions capture"),
    ]


def models_per_month(repos: pd.DataFrame) -> pd.DataFrame:
    """Listed models per calendar month of creation: columns ``month`` (naive timestamp, month start), ``models``."""
    listed = repos.loc[repos["repo_type"] == "model", ["created_at"]]
    month = listed["created_at"].dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()
    return listed.assign(month=month).groupby("month").size().rename("models").reset_index()


def details_records(model_details: pd.DataFrame, space_models: pd.DataFrame, cap: int) -> list[dict]:
    """What the per-model details capture holds (``model_details``: one row per answered model with
    ``captured_at``, the fetch day, and ``n_spaces``; ``space_models``: links with ``source``).

    Counts of answers (``n_details``), the fetch days with their counts as text
    (``details_days``), links read from the models' ``spaces`` field (``n_details_links``), distinct
    Spaces (``n_details_spaces``), models listing any (``n_details_used``) and models listing
    ``cap`` or more (``n_details_capped``: the field stops at ``cap``).
    """
    days = model_details["captured_at"].dt.strftime("%Y-%m-%d").value_counts().sort_index()
    links = space_models[space_models["source"] == "model.spaces"]
    spaces = pd.to_numeric(model_details["n_spaces"], errors="coerce").fillna(0)
    return [
        rec.count("n_details", len(model_details), "models", "Models answered in the per-model details capture"),
        rec.text("details_days", " and ".join(f"{d} ({n:,})" for d, n in days.items()),
                 "Fetch days of the per-model details capture, with the models fetched on each"),
        rec.count("n_details_links", len(links), "links", "(Space, model) links read from the models' spaces field"),
        rec.count("n_details_spaces", links["space_id"].nunique(), "Spaces", "Distinct Spaces in those links"),
        rec.count("n_details_used", (spaces > 0).sum(), "models", "Models of the details capture listing any Space"),
        rec.count("n_details_capped", (spaces >= cap).sum(), "models",
                  "Models of the details capture listing as many Spaces as the field's cap"),
    ]


def listing_records(repos: pd.DataFrame) -> list[dict]:
    """Repositories per earlier whole-Hub listing (``repos`` of ``load_tables(role="history")``):
    ``n_<snapshot>`` with hyphens as underscores, e.g. ``n_history_models_2022_07``."""
    sizes = repos.groupby("snapshot").size()
    return [rec.count("n_" + name.replace("-", "_"), n, "repositories", f"Repositories in the listing {name}")
            for name, n in sizes.items()]
