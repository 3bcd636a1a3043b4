"""Raw snapshot streams -> tidy, typed tables (parquet), cached per snapshot.

Tables and their columns are fixed in ``CONTRIBUTING.md`` ("Tidy tables") and
described column by column in :data:`COLUMNS` (the book's data chapter prints
that dict, so code and book agree). Every table has ``snapshot`` and
``captured_at``. Timestamps are ``datetime64[ns, UTC]``, counts nullable
``Int64``, flags nullable ``boolean``, strings pandas' ``str``, and lists are
``pd.ArrowDtype(list<string>)`` columns (an element is a Python list of str;
Arrow-backed so that a warm load of ~1M rows with tags takes a second).

Which stream feeds which table:

==================  =========================================================
``models``          ``repos`` (repo_type model), ``base_models``, and
                    ``derivations`` (the base models resolved against this
                    listing, :mod:`hubcommunity.derivations`)
``datasets``        ``repos`` (dataset)
``spaces``          ``repos`` (space), ``space_models`` (source ``space.models``)
``discussions``     ``discussions``, ``discussion_events``
``commits``         ``commits``, ``commit_authors``
``fetch_errors``    ``fetch_errors`` (every scope); thread-scope errors also
                    become ``discussions`` rows with ``has_details=False``
``model_details``   ``model_details`` (one row per model, keyed by
                    ``repo_id``; never ``repos`` rows, so a model that is also
                    in a listing is not counted twice), ``space_models``
                    (source ``model.spaces``)
``foreign_models``, ``repos`` (model, dataset) from another project's table of
``foreign_datasets``  the Hub, read by :mod:`hubcommunity.foreign` (the stream's
                    ``reader``); columns the source lacks are null
==================  =========================================================

:func:`load_tables` with no snapshots given reads the snapshots whose manifest
``role`` is ``primary`` (the default); the earlier whole-Hub listings (role
``history``) are read with ``load_tables(role="history")``.

Bad input policy (each case has a test in ``tests/test_tables_bad_input.py``):

- *Raise* :class:`~hubcommunity.snapshot.RawInputError` (names the file, the
  line or the index in the page, and the record's id): a truncated or corrupt
  gzip, invalid JSON, a page that is not an array, a record that is not an
  object, a record missing a required field (``id`` for repositories,
  ``repo``/``num`` for threads, ``repo_id``/``scope`` for fetch errors), a
  field of the wrong type (e.g. ``likes: "abc"``, ``tags`` not a list), an
  unparseable timestamp. These mean the capture is damaged or the API's shape
  changed; guessing would bias every count downstream.
- *Skip and count* (``Tables.report`` and ``tables/_cache.json``): a
  repository id repeated within a stream (cursor pagination can return a
  repository on two pages: the first occurrence is kept), a thread
  ``(repo, num)`` repeated, a thread-scope fetch error for a thread whose
  details *were* captured (the thread row is kept, the error stays in
  ``fetch_errors``), a commit id repeated within a repository.
- *Keep and count*: a license id not in ``data/license_groups.csv`` gets
  ``license_group = "unmapped"``, a warning, and a report row.

The cache: each snapshot's tables are written to ``<snapshot>/tables/`` with
``_cache.json`` holding a key, the sha256 of (the manifest; every raw file's
name, size and mtime; the source of ``snapshot.py``, ``tables.py``,
``licenses.py`` and ``derivations.py``; ``data/license_groups.csv``). A different key rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hubcommunity import derivations, licenses, snapshot
from hubcommunity import foreign
from hubcommunity.snapshot import Position, RawInputError, Snapshot

#: Bump when the table layout changes in a way the source hash would not show.
CACHE_FORMAT = 1

_STR = pa.string()
_INT = pa.int64()
_BOOL = pa.bool_()
_TS = pa.timestamp("ns", tz="UTC")
_LIST = pa.list_(pa.string())

#: Every table's columns: ``(name, arrow type, description)``. ``snapshot`` and
#: ``captured_at`` are appended to each table.
COLUMNS: dict[str, list[tuple[str, pa.DataType, str]]] = {
    "repos": [
        ("repo_type", _STR, "model, dataset or space (the listing the row came from)"),
        ("repo_id", _STR, "the repository id, `owner/name` (a few legacy models have no owner part)"),
        ("owner", _STR, "the listing's `author` if present, else the part of the id before `/`; null for ids with no `/`"),
        ("created_at", _TS, "`createdAt`: when the repository was created (UTC)"),
        ("last_modified", _TS, "`lastModified`: last commit (UTC); null where the listing has no such field (2024-07 models)"),
        ("likes", _INT, "`likes` at capture time (0 is 0, not missing)"),
        ("downloads", _INT, "`downloads`: the Hub's rolling 30-day count at capture time; null for spaces"),
        ("downloads_all_time", _INT, "`downloadsAllTime` where the listing was asked to expand it, else null"),
        ("licenses", _LIST, "every `license:` tag's id, in tag order"),
        ("license", _STR, "the first `license:` tag's id (as the paper's scripts took it); null if none"),
        ("license_group", _STR, "permissive, restrictive, other, none (no license tag), or unmapped (id not in data/license_groups.csv)"),
        ("pipeline_tag", _STR, "`pipeline_tag` (task), where set"),
        ("library", _STR, "`library_name`, where set"),
        ("gated", _STR, "`gated`: false, auto or manual (true for old boolean captures); null where absent"),
        ("private", _BOOL, "`private` flag"),
        ("disabled", _BOOL, "`disabled` flag, where the listing has it"),
        ("sdk", _STR, "spaces: `sdk` (gradio, streamlit, docker, static)"),
        ("sha", _STR, "`sha`: head commit of the main branch, where listed"),
        ("tags", _LIST, "every tag as listed"),
    ],
    "base_models": [
        ("model_id", _STR, "the model that declares a base model"),
        ("base_model_id", _STR, "the declared base model's id, as written"),
        ("relation", _STR, "finetune, adapter, quantized, merge, or unspecified (tag `base_model:<id>` with no relation)"),
        ("source", _STR, "tag (`base_model:` tags) or card (`cardData.base_model`); tag wins when both name the pair"),
    ],
    "discussions": [
        ("repo_type", _STR, "type of the repository the thread is on"),
        ("repo_id", _STR, "repository id"),
        ("num", _INT, "thread number within the repository"),
        ("is_pull_request", _BOOL, "pull request (true) or discussion (false)"),
        ("status", _STR, "open, closed, merged or draft"),
        ("opener", _STR, "user name of the thread's author; null when the account was deleted"),
        ("title", _STR, "thread title"),
        ("created_at", _TS, "when the thread was opened (UTC)"),
        ("n_events", _INT, "number of events (comments, commits, status and title changes, ...); null without details"),
        ("n_comments", _INT, "number of comment events; null without details"),
        ("n_commits", _INT, "number of commit events (pull requests); null without details"),
        ("n_participants", _INT, "number of distinct event authors; null without details"),
        ("participants", _LIST, "distinct event authors in order of first appearance (deleted accounts left out); null without details"),
        ("has_details", _BOOL, "false for threads known only from a fetch error (they exist; their events were not captured)"),
    ],
    "discussion_events": [
        ("repo_type", _STR, "type of the repository"),
        ("repo_id", _STR, "repository id"),
        ("num", _INT, "thread number"),
        ("event_id", _STR, "the event's id"),
        ("type", _STR, "comment, commit, status-change, title-change, pinning-change, locking-change, ..."),
        ("author", _STR, "user name of the event's author; null when the account was deleted"),
        ("author_type", _STR, "user or org"),
        ("created_at", _TS, "when the event happened (UTC)"),
        ("is_owner", _BOOL, "the author owns the repository (`isOwner`)"),
        ("is_org_member", _BOOL, "the author is a member of the owning organisation (`isOrgMember`)"),
        ("is_hf", _BOOL, "the author is Hugging Face staff (`isHf`)"),
    ],
    "commits": [
        ("repo_type", _STR, "type of the repository"),
        ("repo_id", _STR, "repository id"),
        ("commit_id", _STR, "the commit's hash"),
        ("created_at", _TS, "commit date (UTC)"),
        ("title", _STR, "commit title"),
        ("n_authors", _INT, "number of authors the Hub lists for the commit"),
    ],
    "commit_authors": [
        ("repo_type", _STR, "type of the repository"),
        ("repo_id", _STR, "repository id"),
        ("commit_id", _STR, "the commit's hash"),
        ("position", _INT, "author's position in the commit's author list (0 = first author)"),
        ("author", _STR, "the author's user name"),
    ],
    "space_models": [
        ("space_id", _STR, "the space"),
        ("model_id", _STR, "a model the space uses"),
        ("source", _STR, "where the link was read: `space.models` (a Spaces listing's `models` field; no cap) or "
                         "`model.spaces` (a model's details, `spaces` field; the API lists at most 100 per model)"),
    ],
    "model_details": [
        ("repo_id", _STR, "the model's id as `GET /api/models/{repo_id}` answered (`id`; a renamed model answers with its new id)"),
        ("owner", _STR, "`author`, else the part of the id before `/`"),
        ("created_at", _TS, "`createdAt` (UTC)"),
        ("last_modified", _TS, "`lastModified`: last commit (UTC)"),
        ("likes", _INT, "`likes` on the day of the request"),
        ("downloads", _INT, "`downloads`: the Hub's rolling 30-day count on the day of the request"),
        ("license", _STR, "the first `license:` tag's id; null if none"),
        ("pipeline_tag", _STR, "`pipeline_tag` (task), where set"),
        ("library", _STR, "`library_name`, where set"),
        ("gated", _STR, "`gated`: false, auto or manual"),
        ("sha", _STR, "`sha`: head commit of the main branch"),
        ("n_parameters", _INT, "`safetensors.total`: parameters in the safetensors weights; null where the answer has no `safetensors`"),
        ("n_files", _INT, "files in the repository (`siblings`)"),
        ("n_spaces", _INT, "distinct Spaces in `spaces` (the API lists at most 100; the links are in `space_models`)"),
        ("tags", _LIST, "every tag as answered"),
    ],
    "derivations": [
        ("model_id", _STR, "a listed model that declares a base model"),
        ("model_owner", _STR, "its owner (one spelling per account, ignoring case)"),
        ("base_model_id", _STR, "the listed model the declared id resolves to, or the id as written when unresolved"),
        ("base_owner", _STR, "owner of the base model (one spelling per account); null for an unresolved id without `/`"),
        ("raw_base_model_id", _STR, "the base id as written in the tag or card"),
        ("resolution", _STR, "exact, case (ignoring letter case), legacy (un-prefixed id of a model the Hub moved under an organisation in 2024) or unresolved"),
        ("base_listed", _BOOL, "the base id resolved to a model of the same listing"),
        ("relation", _STR, "finetune, adapter, quantized or merge: declared, else inferred from the derived model's tags and library"),
        ("relation_source", _STR, "declared or inferred"),
        ("self_reference", _BOOL, "the model names itself (not a derivation)"),
        ("self_derivation", _BOOL, "the derived model's owner owns the base (ignoring case); false for self-references"),
    ],
    "fetch_errors": [
        ("repo_type", _STR, "type of the repository"),
        ("repo_id", _STR, "repository id"),
        ("scope", _STR, "what failed: repository (listing its threads), thread, commits, ..."),
        ("http_status", _INT, "HTTP status of the failed call, where known"),
        ("reason", _STR, "the error message"),
        ("num", _INT, "thread number for thread-scope errors"),
    ],
}
_COMMON = [
    ("snapshot", _STR, "name of the snapshot the row came from"),
    ("captured_at", _TS, "capture date of the row's stream (UTC midnight of the manifest's date)"),
]
TABLE_NAMES = tuple(COLUMNS)

#: Table-building inputs: stream kind -> tables it feeds.
STREAM_TABLES = {
    "models": ("repos", "base_models", "derivations"),
    "datasets": ("repos",),
    "spaces": ("repos", "space_models"),
    "discussions": ("discussions", "discussion_events"),
    "commits": ("commits", "commit_authors"),
    "fetch_errors": ("fetch_errors", "discussions"),
    "model_details": ("model_details", "space_models"),
}

STREAM_TABLES.update({kind: ("repos",) for kind in snapshot.FOREIGN_KINDS})

REPORT_COLUMNS = ["snapshot", "stream", "reason", "detail", "count", "example"]

BASE_MODEL_RELATIONS = ("finetune", "adapter", "quantized", "merge")


def schema(table: str) -> pa.Schema:
    """Arrow schema of ``table``, including ``snapshot`` and ``captured_at``."""
    return pa.schema([(n, t) for n, t, _ in COLUMNS[table] + _COMMON])


def column_docs() -> pd.DataFrame:
    """One row per table column: ``table, column, type, description`` (for the book)."""
    rows = []
    for table, cols in COLUMNS.items():
        for name, typ, desc in cols + _COMMON:
            rows.append((table, name, _dtype_label(typ), desc))
    return pd.DataFrame(rows, columns=["table", "column", "type", "description"])


def _dtype_label(typ: pa.DataType) -> str:
    """Human label of the pandas dtype a column of arrow type ``typ`` loads as."""
    return {
        _STR: "str",
        _INT: "Int64",
        _BOOL: "boolean",
        _TS: "datetime64[ns, UTC]",
        _LIST: "list[str]",
    }[typ]


# --------------------------------------------------------------------------- record parsers
# Each parser takes one stream's files and returns arrow tables of raw-ish
# columns (timestamps still strings) plus `_file` and `_pos` columns that
# locate every row for later error messages. They run in worker processes.


def _bad_type(pos: Position, rid: Any, key: str, value: Any, want: str) -> RawInputError:
    """Error for field ``key`` holding ``value`` where ``want`` was expected."""
    return pos.error(f"field {key!r} should be {want}, found {type(value).__name__} {value!r:.60}", record=str(rid))


def _opt_int(rec: dict, key: str, pos: Position, rid: Any) -> int | None:
    """``rec[key]`` as int or None; raise for any other type (bools are not counts)."""
    v = rec.get(key)
    if v is None or (type(v) is int):
        return v
    raise _bad_type(pos, rid, key, v, "an integer")


def _opt_str(rec: dict, key: str, pos: Position, rid: Any) -> str | None:
    """``rec[key]`` as str or None; raise for any other type."""
    v = rec.get(key)
    if v is None or type(v) is str:
        return v
    raise _bad_type(pos, rid, key, v, "a string")


def _opt_bool(rec: dict, key: str, pos: Position, rid: Any) -> bool | None:
    """``rec[key]`` as bool or None; raise for any other type."""
    v = rec.get(key)
    if v is None or type(v) is bool:
        return v
    raise _bad_type(pos, rid, key, v, "true or false")


def _str_list(rec: dict, key: str, pos: Position, rid: Any) -> list[str] | None:
    """``rec[key]`` as a list of str or None; raise for anything else."""
    v = rec.get(key)
    if v is None:
        return None
    if type(v) is not list or not all(type(t) is str for t in v):
        raise _bad_type(pos, rid, key, v, "a list of strings")
    return v


def _gated(rec: dict, pos: Position, rid: Any) -> str | None:
    """``gated`` as text: false/true/auto/manual; None if absent."""
    v = rec.get("gated")
    if v is None:
        return None
    if type(v) is bool:
        return "true" if v else "false"
    if type(v) is str:
        return v
    raise _bad_type(pos, rid, "gated", v, "false, 'auto' or 'manual'")


def _card_base_models(rec: dict, pos: Position, rid: str) -> list[tuple[str, str]]:
    """``(base_model_id, relation)`` pairs from ``cardData.base_model`` / ``base_model_relation``."""
    card = rec.get("cardData")
    if not isinstance(card, dict):
        return []
    bm = card.get("base_model")
    if bm is None:
        return []
    if isinstance(bm, str):
        bm = [bm]
    if not isinstance(bm, list) or not all(isinstance(b, str) for b in bm):
        raise _bad_type(pos, rid, "cardData.base_model", bm, "a model id or a list of them")
    rel = card.get("base_model_relation")
    rel = rel if rel in BASE_MODEL_RELATIONS else "unspecified"
    return [(b.strip(), rel) for b in bm if b.strip()]


def parse_base_model_tag(tag: str) -> tuple[str, str] | None:
    """Parse one ``base_model:`` tag into ``(base_model_id, relation)``.

    ``base_model:org/name`` -> ``("org/name", "unspecified")``;
    ``base_model:finetune:org/name`` (also adapter, quantized, merge) ->
    ``("org/name", "finetune")``. Returns None for any other tag.
    """
    if not tag.startswith("base_model:"):
        return None
    rest = tag[11:]
    rel, sep, target = rest.partition(":")
    if sep and rel in BASE_MODEL_RELATIONS:
        return (target, rel) if target else None
    return (rest, "unspecified") if rest else None


def _parse_repos(kind: str, files: list[tuple[int, str, str]], defaults: dict) -> dict[str, pa.Table]:
    """Parse a repository listing stream (models, datasets or spaces)."""
    repo_type = kind[:-1]
    cols: dict[str, list] = {k: [] for k in (
        "repo_id", "owner", "created_at", "last_modified", "likes", "downloads", "downloads_all_time",
        "licenses", "license", "pipeline_tag", "library", "gated", "private", "disabled", "sdk", "sha",
        "tags", "_file", "_pos")}
    bm: dict[str, list] = {k: [] for k in ("model_id", "base_model_id", "relation", "source", "_file", "_pos")}
    sm: dict[str, list] = {k: [] for k in ("space_id", "model_id", "_file", "_pos")}
    for fidx, path, label in files:
        for rec, pos in snapshot.iter_file(path, label):
            rid = rec.get("id", rec.get("modelId"))
            if rid is None:
                raise pos.error("required field 'id' is missing", record=snapshot._excerpt(json.dumps(rec)))
            if type(rid) is not str or not rid:
                raise _bad_type(pos, rid, "id", rid, "a non-empty string")
            where = pos.line if pos.line is not None else pos.index
            tags = _str_list(rec, "tags", pos, rid)
            lics = [t[8:] for t in tags if t.startswith("license:")] if tags else []
            author = _opt_str(rec, "author", pos, rid)
            cols["repo_id"].append(rid)
            cols["owner"].append(author or (rid.split("/", 1)[0] if "/" in rid else None))
            cols["created_at"].append(_opt_str(rec, "createdAt", pos, rid))
            cols["last_modified"].append(_opt_str(rec, "lastModified", pos, rid))
            cols["likes"].append(_opt_int(rec, "likes", pos, rid))
            cols["downloads"].append(_opt_int(rec, "downloads", pos, rid))
            cols["downloads_all_time"].append(_opt_int(rec, "downloadsAllTime", pos, rid))
            cols["licenses"].append(lics)
            cols["license"].append(lics[0] if lics else None)
            cols["pipeline_tag"].append(_opt_str(rec, "pipeline_tag", pos, rid))
            cols["library"].append(_opt_str(rec, "library_name", pos, rid))
            cols["gated"].append(_gated(rec, pos, rid))
            cols["private"].append(_opt_bool(rec, "private", pos, rid))
            cols["disabled"].append(_opt_bool(rec, "disabled", pos, rid))
            cols["sdk"].append(_opt_str(rec, "sdk", pos, rid))
            cols["sha"].append(_opt_str(rec, "sha", pos, rid))
            cols["tags"].append(tags)
            cols["_file"].append(fidx)
            cols["_pos"].append(where)
            if kind == "models":
                pairs = []
                if tags:
                    for t in tags:
                        if t.startswith("base_model:"):
                            p = parse_base_model_tag(t)
                            if p:
                                pairs.append((p[0], p[1], "tag"))
                if "cardData" in rec:
                    pairs.extend((b, r, "card") for b, r in _card_base_models(rec, pos, rid))
                for b, r, s in pairs:
                    bm["model_id"].append(rid)
                    bm["base_model_id"].append(b)
                    bm["relation"].append(r)
                    bm["source"].append(s)
                    bm["_file"].append(fidx)
                    bm["_pos"].append(where)
            elif kind == "spaces":
                models = _str_list(rec, "models", pos, rid)
                for m in models or ():
                    sm["space_id"].append(rid)
                    sm["model_id"].append(m)
                    sm["_file"].append(fidx)
                    sm["_pos"].append(where)
    cols["repo_type"] = [repo_type] * len(cols["repo_id"])
    out = {"repos": _arrow(cols, {"licenses": _LIST, "tags": _LIST})}
    if kind == "models":
        out["base_models"] = _arrow(bm)
    if kind == "spaces":
        out["space_models"] = _arrow(sm)
    return out


def _arrow(cols: dict[str, list], types: dict[str, pa.DataType] | None = None) -> pa.Table:
    """Arrow table from column lists; ints/bools/strings inferred, ``types`` forced."""
    types = types or {}
    arrays, names = [], []
    for name, values in cols.items():
        t = types.get(name)
        if t is None:
            if name in ("_file", "_pos") or name in _INT_COLS:
                t = _INT
            elif name in _BOOL_COLS:
                t = _BOOL
            else:
                t = _STR
        arrays.append(pa.array(values, type=t))
        names.append(name)
    return pa.table(arrays, names=names)


_INT_COLS = {"likes", "downloads", "downloads_all_time", "num", "n_events", "n_comments", "n_commits",
             "n_participants", "n_authors", "position", "http_status", "n_parameters", "n_files", "n_spaces"}
_BOOL_COLS = {"private", "disabled", "is_pull_request", "has_details", "is_owner", "is_org_member", "is_hf"}


def _repo_of(rec: dict, pos: Position, defaults: dict) -> tuple[str, str]:
    """``(repo_type, repo_id)`` of a thread or commits record (``repo {name, type}``)."""
    repo = rec.get("repo")
    if repo is None:
        if "repo_id" in rec:
            repo = {"name": rec["repo_id"], "type": rec.get("repo_type")}
        else:
            raise pos.error("required field 'repo' is missing", record=snapshot._excerpt(json.dumps(rec)))
    if not isinstance(repo, dict) or not isinstance(repo.get("name"), str) or not repo["name"]:
        raise pos.error(f"field 'repo' should be {{name, type}}, found {repo!r:.80}")
    rtype = repo.get("type") or defaults.get("repo_type") or "model"
    if not isinstance(rtype, str):
        raise _bad_type(pos, repo["name"], "repo.type", rtype, "a string")
    return rtype, repo["name"]


def _user_name(obj: Any, pos: Position, rid: str, key: str) -> str | None:
    """The ``name`` of an author object (``{name, ...}``), None if empty or deleted."""
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise _bad_type(pos, rid, key, obj, "an object {name, ...}")
    name = obj.get("name")
    if name is None or name == "":
        return None
    if type(name) is not str:
        raise _bad_type(pos, rid, key + ".name", name, "a string")
    return name


def _parse_discussions(kind: str, files: list[tuple[int, str, str]], defaults: dict) -> dict[str, pa.Table]:
    """Parse a discussions stream: one thread (with its events) per record."""
    d: dict[str, list] = {k: [] for k in (
        "repo_type", "repo_id", "num", "is_pull_request", "status", "opener", "title", "created_at",
        "n_events", "n_comments", "n_commits", "n_participants", "participants", "has_details", "_file", "_pos")}
    e: dict[str, list] = {k: [] for k in (
        "repo_type", "repo_id", "num", "event_id", "type", "author", "author_type", "created_at",
        "is_owner", "is_org_member", "is_hf", "_file", "_pos")}
    for fidx, path, label in files:
        for rec, pos in snapshot.iter_file(path, label):
            rtype, rid = _repo_of(rec, pos, defaults)
            num = rec.get("num")
            if num is None:
                raise pos.error("required field 'num' is missing", record=rid)
            if type(num) is not int:
                raise _bad_type(pos, rid, "num", num, "an integer")
            ref = f"{rid}#{num}"
            events = rec.get("events")
            if events is None:
                events = []
            if type(events) is not list:
                raise _bad_type(pos, ref, "events", events, "a list")
            where = pos.line if pos.line is not None else pos.index
            participants: list[str] = []
            seen: set[str] = set()
            n_comments = n_commits = 0
            for i, ev in enumerate(events):
                if not isinstance(ev, dict):
                    raise _bad_type(pos, f"{ref} event {i}", "events[]", ev, "an object")
                etype = ev.get("type")
                if type(etype) is not str:
                    raise _bad_type(pos, f"{ref} event {i}", "type", etype, "a string")
                a = ev.get("author")
                name = _user_name(a, pos, f"{ref} event {i}", "author")
                if etype == "comment":
                    n_comments += 1
                elif etype == "commit":
                    n_commits += 1
                if name is not None and name not in seen:
                    seen.add(name)
                    participants.append(name)
                e["repo_type"].append(rtype)
                e["repo_id"].append(rid)
                e["num"].append(num)
                e["event_id"].append(_opt_str(ev, "id", pos, ref))
                e["type"].append(etype)
                e["author"].append(name)
                if isinstance(a, dict):
                    e["author_type"].append(_opt_str(a, "type", pos, ref))
                    e["is_owner"].append(_opt_bool(a, "isOwner", pos, ref))
                    e["is_org_member"].append(_opt_bool(a, "isOrgMember", pos, ref))
                    e["is_hf"].append(_opt_bool(a, "isHf", pos, ref))
                else:
                    e["author_type"].append(None)
                    e["is_owner"].append(None)
                    e["is_org_member"].append(None)
                    e["is_hf"].append(None)
                e["created_at"].append(_opt_str(ev, "createdAt", pos, ref))
                e["_file"].append(fidx)
                e["_pos"].append(where)
            d["repo_type"].append(rtype)
            d["repo_id"].append(rid)
            d["num"].append(num)
            d["is_pull_request"].append(_opt_bool(rec, "isPullRequest", pos, ref))
            d["status"].append(_opt_str(rec, "status", pos, ref))
            d["opener"].append(_user_name(rec.get("author"), pos, ref, "author"))
            d["title"].append(_opt_str(rec, "title", pos, ref))
            d["created_at"].append(_opt_str(rec, "createdAt", pos, ref))
            d["n_events"].append(len(events))
            d["n_comments"].append(n_comments)
            d["n_commits"].append(n_commits)
            d["n_participants"].append(len(participants))
            d["participants"].append(participants)
            d["has_details"].append(True)
            d["_file"].append(fidx)
            d["_pos"].append(where)
    return {"discussions": _arrow(d, {"participants": _LIST}), "discussion_events": _arrow(e)}


def _parse_commits(kind: str, files: list[tuple[int, str, str]], defaults: dict) -> dict[str, pa.Table]:
    """Parse a commits stream: ``{repo, commits: [GET .../commits/{rev} objects]}`` per record."""
    c: dict[str, list] = {k: [] for k in ("repo_type", "repo_id", "commit_id", "created_at", "title",
                                           "n_authors", "_file", "_pos")}
    a: dict[str, list] = {k: [] for k in ("repo_type", "repo_id", "commit_id", "position", "author",
                                           "_file", "_pos")}
    for fidx, path, label in files:
        for rec, pos in snapshot.iter_file(path, label):
            rtype, rid = _repo_of(rec, pos, defaults)
            commits = rec.get("commits")
            if commits is None:
                raise pos.error("required field 'commits' is missing", record=rid)
            if type(commits) is not list:
                raise _bad_type(pos, rid, "commits", commits, "a list")
            where = pos.line if pos.line is not None else pos.index
            for i, cm in enumerate(commits):
                if not isinstance(cm, dict):
                    raise _bad_type(pos, f"{rid} commit {i}", "commits[]", cm, "an object")
                cid = cm.get("id")
                if type(cid) is not str or not cid:
                    raise pos.error("commit without a string 'id'", record=f"{rid} commit {i}")
                authors = cm.get("authors") or []
                if type(authors) is not list:
                    raise _bad_type(pos, f"{rid}@{cid}", "authors", authors, "a list")
                names = []
                for au in authors:
                    name = au.get("user") if isinstance(au, dict) else au
                    if type(name) is not str:
                        raise _bad_type(pos, f"{rid}@{cid}", "authors[].user", name, "a string")
                    names.append(name)
                c["repo_type"].append(rtype)
                c["repo_id"].append(rid)
                c["commit_id"].append(cid)
                c["created_at"].append(_opt_str(cm, "date", pos, f"{rid}@{cid}"))
                c["title"].append(_opt_str(cm, "title", pos, f"{rid}@{cid}"))
                c["n_authors"].append(len(names))
                c["_file"].append(fidx)
                c["_pos"].append(where)
                for j, name in enumerate(names):
                    a["repo_type"].append(rtype)
                    a["repo_id"].append(rid)
                    a["commit_id"].append(cid)
                    a["position"].append(j)
                    a["author"].append(name)
                    a["_file"].append(fidx)
                    a["_pos"].append(where)
    return {"commits": _arrow(c), "commit_authors": _arrow(a)}


def _parse_fetch_errors(kind: str, files: list[tuple[int, str, str]], defaults: dict) -> dict[str, pa.Table]:
    """Parse a fetch_errors stream; thread-scope rows also yield stub ``discussions`` rows."""
    f: dict[str, list] = {k: [] for k in ("repo_type", "repo_id", "scope", "http_status", "reason", "num",
                                           "_file", "_pos")}
    t: dict[str, list] = {k: [] for k in ("repo_type", "repo_id", "num", "is_pull_request", "status", "opener",
                                           "title", "created_at", "_file", "_pos")}
    for fidx, path, label in files:
        for rec, pos in snapshot.iter_file(path, label):
            rid = rec.get("repo_id")
            if rid is None:
                raise pos.error("required field 'repo_id' is missing", record=snapshot._excerpt(json.dumps(rec)))
            if type(rid) is not str:
                raise _bad_type(pos, rid, "repo_id", rid, "a string")
            scope = rec.get("scope")
            if scope is None:
                raise pos.error("required field 'scope' is missing", record=rid)
            if type(scope) is not str:
                raise _bad_type(pos, rid, "scope", scope, "a string")
            rtype = _opt_str(rec, "repo_type", pos, rid) or defaults.get("repo_type")
            if rtype is None:
                raise pos.error("no 'repo_type' in the record nor in the stream's defaults", record=rid)
            num = _opt_int(rec, "num", pos, rid)
            where = pos.line if pos.line is not None else pos.index
            f["repo_type"].append(rtype)
            f["repo_id"].append(rid)
            f["scope"].append(scope)
            f["http_status"].append(_opt_int(rec, "http_status", pos, rid))
            f["reason"].append(_opt_str(rec, "reason", pos, rid))
            f["num"].append(num)
            f["_file"].append(fidx)
            f["_pos"].append(where)
            if scope == "thread":
                if num is None:
                    raise pos.error("thread-scope error without 'num'", record=rid)
                author = rec.get("author")
                opener = _user_name(author, pos, rid, "author") if isinstance(author, dict) else \
                    _opt_str(rec, "author", pos, rid) or None
                t["repo_type"].append(rtype)
                t["repo_id"].append(rid)
                t["num"].append(num)
                t["is_pull_request"].append(_opt_bool(rec, "isPullRequest", pos, rid))
                t["status"].append(_opt_str(rec, "status", pos, rid))
                t["opener"].append(opener)
                t["title"].append(_opt_str(rec, "title", pos, rid))
                t["created_at"].append(_opt_str(rec, "createdAt", pos, rid))
                t["_file"].append(fidx)
                t["_pos"].append(where)
    return {"fetch_errors": _arrow(f), "_thread_errors": _arrow(t)}


_DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _parameters(rec: dict, pos: Position, rid: str) -> int | None:
    """``safetensors.total`` as int, None without ``safetensors``; raise for another shape."""
    st = rec.get("safetensors")
    if st is None:
        return None
    if not isinstance(st, dict):
        raise _bad_type(pos, rid, "safetensors", st, "an object {parameters, total}")
    return _opt_int(st, "total", pos, rid)


def _parse_model_details(kind: str, files: list[tuple[int, str, str]], defaults: dict) -> dict[str, pa.Table]:
    """Parse a model_details stream: one ``GET /api/models/{repo_id}`` answer per record.

    Yields ``model_details`` rows (with ``_day``: the ISO date in the file's
    name, the day the answers were fetched, else None) and ``space_models``
    links read from each record's ``spaces``.
    """
    cols: dict[str, list] = {k: [] for k in (
        "repo_id", "owner", "created_at", "last_modified", "likes", "downloads", "license", "pipeline_tag",
        "library", "gated", "sha", "n_parameters", "n_files", "n_spaces", "tags", "_day", "_file", "_pos")}
    sm: dict[str, list] = {k: [] for k in ("space_id", "model_id", "_file", "_pos")}
    for fidx, path, label in files:
        day = _DAY_IN_NAME.search(Path(label).name)
        for rec, pos in snapshot.iter_file(path, label):
            rid = rec.get("id", rec.get("modelId"))
            if rid is None:
                raise pos.error("required field 'id' is missing", record=snapshot._excerpt(json.dumps(rec)))
            if type(rid) is not str or not rid:
                raise _bad_type(pos, rid, "id", rid, "a non-empty string")
            where = pos.line if pos.line is not None else pos.index
            tags = _str_list(rec, "tags", pos, rid)
            spaces = _str_list(rec, "spaces", pos, rid) or []
            siblings = rec.get("siblings")
            if siblings is not None and type(siblings) is not list:
                raise _bad_type(pos, rid, "siblings", siblings, "a list of files")
            lics = [t[8:] for t in tags if t.startswith("license:")] if tags else []
            author = _opt_str(rec, "author", pos, rid)
            distinct = list(dict.fromkeys(spaces))
            cols["repo_id"].append(rid)
            cols["owner"].append(author or (rid.split("/", 1)[0] if "/" in rid else None))
            cols["created_at"].append(_opt_str(rec, "createdAt", pos, rid))
            cols["last_modified"].append(_opt_str(rec, "lastModified", pos, rid))
            cols["likes"].append(_opt_int(rec, "likes", pos, rid))
            cols["downloads"].append(_opt_int(rec, "downloads", pos, rid))
            cols["license"].append(lics[0] if lics else None)
            cols["pipeline_tag"].append(_opt_str(rec, "pipeline_tag", pos, rid))
            cols["library"].append(_opt_str(rec, "library_name", pos, rid))
            cols["gated"].append(_gated(rec, pos, rid))
            cols["sha"].append(_opt_str(rec, "sha", pos, rid))
            cols["n_parameters"].append(_parameters(rec, pos, rid))
            cols["n_files"].append(None if siblings is None else len(siblings))
            cols["n_spaces"].append(len(distinct))
            cols["tags"].append(tags)
            cols["_day"].append(day.group(1) if day else None)
            cols["_file"].append(fidx)
            cols["_pos"].append(where)
            for space in distinct:
                sm["space_id"].append(space)
                sm["model_id"].append(rid)
                sm["_file"].append(fidx)
                sm["_pos"].append(where)
    return {"model_details": _arrow(cols, {"tags": _LIST}), "space_models": _arrow(sm)}


_PARSERS = {
    "model_details": _parse_model_details,
    "models": _parse_repos,
    "datasets": _parse_repos,
    "spaces": _parse_repos,
    "discussions": _parse_discussions,
    "commits": _parse_commits,
    "fetch_errors": _parse_fetch_errors,
}


def _parse_chunk(kind: str, files: list[tuple[int, str, str]], defaults: dict) -> dict[str, pa.Table]:
    """Worker entry point: parse ``files`` of stream ``kind`` (picklable, module level)."""
    return _PARSERS[kind](kind, files, defaults)


# --------------------------------------------------------------------------- building one snapshot


@dataclass
class _Build:
    """Accumulates one snapshot's tables and report rows while building."""

    snap: Snapshot
    labels: dict[str, list[str]] = field(default_factory=dict)
    report: list[dict[str, Any]] = field(default_factory=list)

    def count(self, stream: str, reason: str, count: int, detail: str = "", example: str = "") -> None:
        """Record ``count`` rows skipped or flagged for ``reason`` (nothing if 0)."""
        if count:
            self.report.append({"snapshot": self.snap.name, "stream": stream, "reason": reason,
                                "detail": detail, "count": int(count), "example": example})

    def where(self, stream: str, file_idx: int, pos: int) -> str:
        """Human position of a row: ``file, line N`` or ``file, record N``."""
        label = self.labels[stream][file_idx]
        unit = "line" if snapshot.file_format(label) == "records" else "record"
        return f"{label}, {unit} {pos}"


def _chunks(files: list[tuple[int, str, str]], n: int) -> list[list[tuple[int, str, str]]]:
    """Split ``files`` into about ``n`` contiguous chunks, in order."""
    if not files:
        return []
    size = max(1, -(-len(files) // n))
    return [files[i:i + size] for i in range(0, len(files), size)]


def _parse_stream(snap: Snapshot, kind: str, pool: ProcessPoolExecutor | None, workers: int,
                  labels: list[str]) -> dict[str, pa.Table]:
    """Parse every file of stream ``kind``; returns concatenated arrow tables in file order."""
    s = snap.stream(kind)
    assert s is not None
    files = [(i, str(snap.raw_dir / rel), labels[i]) for i, rel in enumerate(s.files)]
    defaults = dict(s.defaults)
    if pool is not None and len(files) > 1:
        # about 4 chunks per worker: balances uneven files, keeps order
        n_chunks = max(workers * 4, len(files) // 20)  # <= ~20 pages per chunk bounds worker memory
        futures = [pool.submit(_parse_chunk, kind, ch, defaults) for ch in _chunks(files, n_chunks)]
        parts = [f.result() for f in futures]
    else:
        parts = [_parse_chunk(kind, files, defaults)]
    names = parts[0].keys() if parts else []
    return {n: pa.concat_tables([p[n] for p in parts]) for n in names}


def _timestamps(df: pd.DataFrame, col: str, b: _Build, stream: str, ids: pd.Series) -> None:
    """Parse ISO-8601 strings in ``df[col]`` to UTC in place; raise on an unparseable one."""
    raw = df[col]
    parsed = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601")
    bad = parsed.isna() & raw.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        label = b.labels[stream][int(df["_file"].iloc[i])]
        pos = int(df["_pos"].iloc[i])
        fmt = snapshot.file_format(label)
        raise RawInputError(
            f"field {col!r}: cannot read {raw.iloc[i]!r} as an ISO-8601 timestamp",
            path=label, line=pos if fmt == "records" else None, index=pos if fmt == "pages" else None,
            record=str(ids.iloc[i]),
        )
    df[col] = parsed.astype("datetime64[ns, UTC]")


def _dedupe(df: pd.DataFrame, keys: list[str], b: _Build, stream: str, reason: str) -> pd.DataFrame:
    """Keep the first row of each ``keys`` group; count the rest as a skip with an example position."""
    dup = df.duplicated(keys, keep="first")
    n = int(dup.sum())
    if n:
        i = int(np.flatnonzero(dup.to_numpy())[0])
        row = df.iloc[i]
        example = f"{'/'.join(str(row[k]) for k in keys if k != 'repo_type')} at {b.where(stream, int(row['_file']), int(row['_pos']))}"
        b.count(stream, reason, n, example=example)
        df = df[~dup]
    return df


def _finish(df: pd.DataFrame, table: str, snap: Snapshot, stream: str) -> pa.Table:
    """Add ``snapshot``/``captured_at``, order and type the columns; return an arrow table."""
    df = df.drop(columns=[c for c in ("_file", "_pos") if c in df.columns])
    cap = snap.captured_at.get(stream)
    df["snapshot"] = snap.name
    df["captured_at"] = pd.Timestamp(cap, tz="UTC") if cap else pd.NaT
    sch = schema(table)
    return pa.Table.from_pandas(df[[f.name for f in sch]], schema=sch, preserve_index=False)


def build_snapshot(snap: Snapshot, workers: int = 2) -> tuple[dict[str, pa.Table], list[dict[str, Any]]]:
    """Build every table of one snapshot from its raw streams.

    Returns ``({table: arrow table}, report rows)``. Tables with no input
    stream are absent from the dict. ``workers`` > 1 parses files in that many
    processes. Raises :class:`RawInputError` on bad input (see module doc).
    """
    b = _Build(snap)
    group_map = licenses.license_group_map()
    parts: dict[str, list[pa.Table]] = {}
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        for kind in snap.kinds:
            s = snap.stream(kind)
            b.labels[kind] = [f"{snap.name}/raw/{rel}" for rel in s.files]
            if kind in snapshot.FOREIGN_KINDS:
                parts.setdefault("repos", []).append(_foreign_repos(snap, kind, b))
                continue
            raw = _parse_stream(snap, kind, pool, workers, b.labels[kind])
            if kind in ("models", "datasets", "spaces"):
                repos = raw["repos"].to_pandas()
                n_in = len(repos)
                repos = _dedupe(repos, ["repo_id"], b, kind, "duplicate id (kept the first occurrence)")
                _timestamps(repos, "created_at", b, kind, repos["repo_id"])
                _timestamps(repos, "last_modified", b, kind, repos["repo_id"])
                repos["license_group"] = _license_groups(repos, group_map, b, kind)
                parts.setdefault("repos", []).append(_finish(repos, "repos", snap, kind))
                kept = n_in - len(repos)
                if kind == "models":
                    bm = _base_models(raw["base_models"].to_pandas(), repos, kept)
                    parts.setdefault("base_models", []).append(_finish(bm, "base_models", snap, kind))
                    resolved = derivations.resolve_derivations(bm, repos[["repo_id", "owner", "tags", "library"]])
                    parts.setdefault("derivations", []).append(_finish(resolved, "derivations", snap, kind))
                if kind == "spaces":
                    sm = raw["space_models"].to_pandas()
                    sm = sm[sm.set_index(["space_id", "_file", "_pos"]).index.isin(
                        repos.set_index(["repo_id", "_file", "_pos"]).index)] if kept else sm
                    sm = _dedupe(sm, ["space_id", "model_id"], b, kind, "model listed twice by one space")
                    sm["source"] = "space.models"
                    parts.setdefault("space_models", []).append(_finish(sm, "space_models", snap, kind))
            elif kind == "model_details":
                for name, table in _model_details_tables(raw, b, snap).items():
                    parts.setdefault(name, []).append(table)
            elif kind == "discussions":
                d = raw["discussions"].to_pandas()
                ev = raw["discussion_events"].to_pandas()
                n0 = len(d)
                d = _dedupe(d, ["repo_type", "repo_id", "num"], b, kind, "duplicate thread (kept the first occurrence)")
                if len(d) < n0:
                    ev = ev[ev.set_index(["repo_id", "num", "_file", "_pos"]).index.isin(
                        d.set_index(["repo_id", "num", "_file", "_pos"]).index)]
                _timestamps(d, "created_at", b, kind, d["repo_id"] + "#" + d["num"].astype(str))
                _timestamps(ev, "created_at", b, kind, ev["repo_id"] + "#" + ev["num"].astype(str))
                parts.setdefault("discussions", []).append(_finish(d, "discussions", snap, kind))
                parts.setdefault("discussion_events", []).append(_finish(ev, "discussion_events", snap, kind))
            elif kind == "commits":
                c = raw["commits"].to_pandas()
                a = raw["commit_authors"].to_pandas()
                n0 = len(c)
                c = _dedupe(c, ["repo_type", "repo_id", "commit_id"], b, kind, "duplicate commit (kept the first occurrence)")
                if len(c) < n0:
                    a = a[a.set_index(["repo_id", "commit_id", "_file", "_pos"]).index.isin(
                        c.set_index(["repo_id", "commit_id", "_file", "_pos"]).index)]
                _timestamps(c, "created_at", b, kind, c["repo_id"] + "@" + c["commit_id"])
                parts.setdefault("commits", []).append(_finish(c, "commits", snap, kind))
                parts.setdefault("commit_authors", []).append(_finish(a, "commit_authors", snap, kind))
            elif kind == "fetch_errors":
                fe = raw["fetch_errors"].to_pandas()
                parts.setdefault("fetch_errors", []).append(_finish(fe, "fetch_errors", snap, kind))
                parts.setdefault("_thread_errors", []).append(raw["_thread_errors"])
    finally:
        if pool is not None:
            pool.shutdown()
    out = {name: pa.concat_tables(ts) for name, ts in parts.items() if not name.startswith("_")}
    if "_thread_errors" in parts:
        out["discussions"] = _add_thread_stubs(out.get("discussions"), parts["_thread_errors"], b, snap)
    return out, b.report


def _model_details_tables(raw: dict[str, pa.Table], b: _Build, snap: Snapshot) -> dict[str, pa.Table]:
    """``model_details`` and its ``space_models`` links (source ``model.spaces``) from one parsed stream.

    A model answered twice (e.g. on two capture days) keeps its first answer,
    counted in the report; each row's ``captured_at`` is the day in its file's
    name where there is one (the day it was fetched), else the stream's date.
    """
    kind = "model_details"
    d = raw["model_details"].to_pandas()
    n_in = len(d)
    d = _dedupe(d, ["repo_id"], b, kind, "duplicate id (kept the first occurrence)")
    _timestamps(d, "created_at", b, kind, d["repo_id"])
    _timestamps(d, "last_modified", b, kind, d["repo_id"])
    day = pd.to_datetime(d.pop("_day"), utc=True, format="%Y-%m-%d").astype("datetime64[ns, UTC]")
    details = _finish(d, "model_details", snap, kind)
    if day.notna().any():
        fallback = details.column("captured_at").to_pandas()
        filled = day.where(day.notna(), fallback.to_numpy()).astype("datetime64[ns, UTC]")
        details = details.set_column(details.schema.get_field_index("captured_at"), "captured_at",
                                     pa.array(filled, type=_TS))
    sm = raw["space_models"].to_pandas()
    if len(d) < n_in:
        sm = sm[sm.set_index(["model_id", "_file", "_pos"]).index.isin(d.set_index(["repo_id", "_file", "_pos"]).index)]
    sm["source"] = "model.spaces"
    return {"model_details": details, "space_models": _finish(sm, "space_models", snap, kind)}
def _foreign_repos(snap: Snapshot, kind: str, b: _Build) -> pa.Table:
    """``repos`` rows of a foreign listing stream (:mod:`hubcommunity.foreign`); a repeated id is a counted skip."""
    s = snap.stream(kind)
    files = [(snap.raw_dir / rel, label) for rel, label in zip(s.files, b.labels[kind])]
    repos = foreign.read_stream_files(files, s.reader)
    repos, n, example = foreign.drop_duplicate_ids(repos, b.labels[kind])
    b.count(kind, "duplicate id (kept the first occurrence)", n, example=example)
    return _finish(repos, "repos", snap, kind)


def _license_groups(repos: pd.DataFrame, group_map: dict[str, str], b: _Build, stream: str) -> pd.Series:
    """License group per row; counts each unmapped id in the report (with an example repo)."""
    lic = repos["license"]
    groups = lic.str.lower().map(group_map)
    groups = groups.where(lic.notna(), licenses.NO_LICENSE).fillna(licenses.UNMAPPED)
    unmapped = repos.loc[groups == licenses.UNMAPPED, ["license", "repo_id"]]
    for lid, sub in unmapped.groupby("license", sort=True):
        b.count(stream, "unmapped license id (license_group = unmapped)", len(sub), detail=str(lid),
                example=str(sub["repo_id"].iloc[0]))
    return groups.astype("str")


def _base_models(bm: pd.DataFrame, repos: pd.DataFrame, n_dropped: int) -> pd.DataFrame:
    """One row per (model, base model): the most specific relation, tag before card.

    ``bm`` holds every parsed pair with its ``_file``/``_pos``; rows of
    duplicate model records (already skipped from ``repos``) are dropped.
    """
    if n_dropped:
        bm = bm[bm.set_index(["model_id", "_file", "_pos"]).index.isin(
            repos.set_index(["repo_id", "_file", "_pos"]).index)]
    if bm.empty:
        return bm
    bm = bm.assign(
        _specific=(bm["relation"] != "unspecified").astype(int),
        _tag=(bm["source"] == "tag").astype(int),
        _order=np.arange(len(bm)),
    )
    # relation: a specific one wins over unspecified (tags first, then the card)
    best = bm.sort_values(["_specific", "_tag", "_order"], ascending=[False, False, True]).drop_duplicates(
        ["model_id", "base_model_id"], keep="first")
    has_tag = bm[bm["source"] == "tag"].set_index(["model_id", "base_model_id"]).index
    best = best.assign(source=np.where(best.set_index(["model_id", "base_model_id"]).index.isin(has_tag), "tag", "card"))
    return best.sort_values("_order").drop(columns=["_specific", "_tag", "_order"])


def _add_thread_stubs(disc: pa.Table | None, errs: list[pa.Table], b: _Build, snap: Snapshot) -> pa.Table:
    """Append ``has_details=False`` discussions rows for thread-scope fetch errors.

    A stub whose thread was captured in full, or repeated within the errors,
    is skipped and counted.
    """
    stub = pa.concat_tables(errs).to_pandas()
    if stub.empty:
        return disc if disc is not None else pa.Table.from_pandas(_empty("discussions"), schema=schema("discussions"))
    stub = _dedupe(stub, ["repo_type", "repo_id", "num"], b, "fetch_errors", "thread-scope error repeated (kept the first)")
    if disc is not None and disc.num_rows:
        have = disc.select(["repo_type", "repo_id", "num"]).to_pandas().set_index(["repo_type", "repo_id", "num"]).index
        known = stub.set_index(["repo_type", "repo_id", "num"]).index.isin(have)
        b.count("fetch_errors", "thread-scope error for a thread captured in full (thread row kept)", int(known.sum()))
        stub = stub[~known]
    _timestamps(stub, "created_at", b, "fetch_errors", stub["repo_id"] + "#" + stub["num"].astype(str))
    for col in ("n_events", "n_comments", "n_commits", "n_participants"):
        stub[col] = pd.array([pd.NA] * len(stub), dtype="Int64")
    stub["participants"] = None
    stub["has_details"] = False
    t = _finish(stub, "discussions", snap, "fetch_errors")
    return pa.concat_tables([disc, t]) if disc is not None else t


# --------------------------------------------------------------------------- cache


def _code_files() -> list[Path]:
    """Source files whose content is part of the cache key."""
    here = Path(__file__).resolve().parent
    return [here / "snapshot.py", here / "tables.py", here / "licenses.py", here / "derivations.py",
            licenses.license_groups_path()]


def _foreign_code_files(snap: Snapshot) -> list[Path]:
    """``foreign.py`` for a snapshot with foreign listings (its readers build that snapshot's ``repos``), else none."""
    if any(s.kind in snapshot.FOREIGN_KINDS for s in snap.streams):
        return [Path(foreign.__file__).resolve()]
    return []


def cache_key(snap: Snapshot, code_files: Iterable[Path] | None = None) -> str:
    """sha256 of the snapshot's manifest, raw file names/sizes/mtimes, and the parsing code and data
    (``foreign.py`` too for a snapshot holding foreign listings).

    Cheap (stats only): a touched or changed raw file, an edited parser or
    license file, or a new manifest gives a new key.
    """
    h = hashlib.sha256()
    h.update(f"format {CACHE_FORMAT}\n".encode())
    h.update((snap.path / snapshot.MANIFEST).read_bytes())
    for item in snap.fingerprint():
        h.update(repr(item).encode())
    for p in [*(code_files if code_files is not None else _code_files()), *_foreign_code_files(snap)]:
        h.update(str(Path(p).name).encode())
        h.update(Path(p).read_bytes())
    return h.hexdigest()


CACHE_META = "_cache.json"


def _read_cache(snap: Snapshot, key: str) -> tuple[dict[str, pd.DataFrame], list[dict]] | None:
    """Load the cached tables if ``_cache.json`` holds ``key`` and every file is there; else None."""
    meta_path = snap.tables_dir / CACHE_META
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None
    if meta.get("key") != key:
        return None
    out = {}
    for name in meta.get("tables", []):
        p = snap.tables_dir / f"{name}.parquet"
        try:
            out[name] = _to_pandas(pq.read_table(p), name)
        except (OSError, pa.ArrowException):
            return None
    return out, meta.get("report", [])


def _write_cache(snap: Snapshot, key: str, tables: dict[str, pa.Table], report: list[dict], seconds: float) -> None:
    """Write each table to ``tables/<name>.parquet`` and the key/report to ``_cache.json`` (atomic per file)."""
    d = snap.tables_dir
    d.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    for name, t in tables.items():
        tmp = d / f".{name}.parquet.{pid}.tmp"
        pq.write_table(t, tmp, compression="zstd")
        tmp.replace(d / f"{name}.parquet")
    meta = {
        "key": key,
        "built_at": pd.Timestamp.now(tz="UTC").isoformat(),
        "build_seconds": round(seconds, 2),
        "created_by": "hubcommunity.tables",
        "tables": sorted(tables),
        "rows": {n: t.num_rows for n, t in tables.items()},
        "report": report,
    }
    tmp = d / f".{CACHE_META}.{pid}.tmp"
    tmp.write_text(json.dumps(meta, indent=2) + "\n")
    tmp.replace(d / CACHE_META)


def _types_mapper(t: pa.DataType) -> Any:
    """pandas dtype for an arrow type: nullable Int64/boolean, Arrow lists; None = default."""
    if t == _INT:
        return pd.Int64Dtype()
    if t == _BOOL:
        return pd.BooleanDtype()
    if pa.types.is_list(t):
        return pd.ArrowDtype(t)
    return None


def _to_pandas(t: pa.Table, name: str) -> pd.DataFrame:
    """Arrow table -> DataFrame with the contract's dtypes."""
    df = t.to_pandas(types_mapper=_types_mapper)
    for col, typ, _ in COLUMNS[name] + _COMMON:
        if typ == _TS and str(df[col].dtype) != "datetime64[ns, UTC]":
            df[col] = df[col].astype("datetime64[ns, UTC]")
    return df


def _empty(name: str) -> pd.DataFrame:
    """An empty DataFrame with ``name``'s columns and dtypes."""
    return _to_pandas(schema(name).empty_table(), name)


# --------------------------------------------------------------------------- loading


@dataclass
class Tables:
    """Every tidy table over one or more snapshots, plus what was skipped.

    One DataFrame attribute per table (see :data:`COLUMNS`); ``snapshots``
    has one row per snapshot stream (``snapshot, stream, captured_at,
    records, files, description, source, path``); ``report`` one row per
    (snapshot, stream, reason, detail) with the count of skipped or flagged
    records and an example position.
    """

    repos: pd.DataFrame
    base_models: pd.DataFrame
    discussions: pd.DataFrame
    discussion_events: pd.DataFrame
    commits: pd.DataFrame
    commit_authors: pd.DataFrame
    space_models: pd.DataFrame
    fetch_errors: pd.DataFrame
    model_details: pd.DataFrame
    derivations: pd.DataFrame
    snapshots: pd.DataFrame
    report: pd.DataFrame

    def row_counts(self) -> pd.Series:
        """Rows per table, in :data:`TABLE_NAMES` order."""
        return pd.Series({n: len(getattr(self, n)) for n in TABLE_NAMES}, name="rows")


def tables_for_snapshot(snap: Snapshot, rebuild: bool = False, workers: int = 2) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Return one snapshot's tables (cached if current, else built and cached) and its report rows."""
    key = cache_key(snap)
    if not rebuild:
        hit = _read_cache(snap, key)
        if hit is not None:
            return hit
    t0 = time.perf_counter()
    built, report = build_snapshot(snap, workers=workers)
    try:
        _write_cache(snap, key, built, report, time.perf_counter() - t0)
    except OSError as exc:
        warnings.warn(f"could not cache tables of {snap.name} in {snap.tables_dir}: {exc}", stacklevel=2)
    return {n: _to_pandas(t, n) for n, t in built.items()}, report


def _snapshot_rows(snap: Snapshot) -> list[dict[str, Any]]:
    """Rows of ``Tables.snapshots`` for one snapshot."""
    src = snap.manifest.get("source")
    if isinstance(src, dict):
        src = "; ".join(str(src[k]) for k in ("citation", "url", "commit") if src.get(k))
    rows = []
    for s in snap.streams:
        cap = snap.captured_at.get(s.kind)
        rows.append({
            "snapshot": snap.name, "stream": s.kind,
            "captured_at": pd.Timestamp(cap, tz="UTC") if cap else pd.NaT,
            "records": s.records, "files": len(s.files), "description": snap.description,
            "source": src or "", "license": str(snap.manifest.get("license") or ""), "path": str(snap.path),
        })
    return rows


def load_tables(snapshots: Iterable[str | os.PathLike[str] | Snapshot] | None = None, rebuild: bool = False,
                workers: int = 2, verify: bool = False, role: str | None = snapshot.DEFAULT_ROLE) -> Tables:
    """Load (building where needed) the tidy tables of several snapshots, concatenated.

    ``snapshots``: snapshot directories or opened :class:`Snapshot` objects;
    default :func:`hubcommunity.snapshot.snapshot_dirs` (``$HUBCOMMUNITY_SNAPSHOTS``
    or every snapshot under ``data/snapshots/``) whose manifest ``role`` is
    ``role``: ``primary`` by default (the captures the research chapters
    use), ``history`` for the earlier whole-Hub listings, None for all.
    Snapshots given explicitly are read whatever their role. ``rebuild``
    ignores caches. ``verify`` checks every raw file's sha256 first. Warns
    about unmapped license ids. Returns a :class:`Tables`.
    """
    if snapshots is None:
        snapshots = [d for d in snapshot.snapshot_dirs() if role is None or snapshot.snapshot_role(d) == role]
    snaps = [s if isinstance(s, Snapshot) else snapshot.open_snapshot(s, verify=verify) for s in snapshots]
    names = [s.name for s in snaps]
    if len(set(names)) != len(names):
        raise snapshot.SnapshotError(f"two snapshots share a name: {names}")
    per: dict[str, list[pd.DataFrame]] = {n: [] for n in TABLE_NAMES}
    report: list[dict] = []
    snap_rows: list[dict] = []
    for snap in snaps:
        tabs, rep = tables_for_snapshot(snap, rebuild=rebuild, workers=workers)
        for n, df in tabs.items():
            per[n].append(df)
        report.extend(rep)
        snap_rows.extend(_snapshot_rows(snap))
    frames = {}
    for n in TABLE_NAMES:
        parts = [df for df in per[n] if len(df)]
        if not parts:
            frames[n] = _empty(n)
        elif len(parts) == 1:
            frames[n] = parts[0]
        else:
            frames[n] = pd.concat(parts, ignore_index=True)
    rep = pd.DataFrame(report, columns=REPORT_COLUMNS).astype({"count": "Int64"})
    for r in rep[rep["reason"].str.startswith("unmapped license")].itertuples():
        warnings.warn(f"{r.snapshot}/{r.stream}: license id {r.detail!r} is not in data/license_groups.csv "
                      f"({r.count} repositories, e.g. {r.example}); grouped as 'unmapped'", stacklevel=2)
    snap_df = pd.DataFrame(snap_rows, columns=["snapshot", "stream", "captured_at", "records", "files",
                                               "description", "source", "license", "path"])
    snap_df["captured_at"] = pd.to_datetime(snap_df["captured_at"], utc=True).astype("datetime64[ns, UTC]")
    snap_df["records"] = snap_df["records"].astype("Int64")
    return Tables(**frames, snapshots=snap_df, report=rep)


# --------------------------------------------------------------------------- CLI


def _cmd_tables(args: Any) -> int:
    """``hubcommunity tables``: build (or load cached) tables and print row counts."""
    dirs = snapshot.snapshot_dirs(args.snapshots_dir)
    if not dirs:
        sys.stderr.write("No snapshots found. Run `hubcommunity link-reference` (reference captures) "
                         "or `hubcommunity collect ...` first.\n")
        return 2
    t0 = time.perf_counter()
    try:
        tables = load_tables(dirs, rebuild=args.rebuild, workers=args.workers)
    except (RawInputError, snapshot.SnapshotError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    print(f"snapshots: {', '.join(d.name for d in dirs)}  ({time.perf_counter() - t0:.1f} s)")
    for name, n in tables.row_counts().items():
        print(f"  {name:<18} {n:>10,}")
    if len(tables.report):
        print("skipped or flagged:")
        for r in tables.report.itertuples():
            print(f"  {r.snapshot}/{r.stream}: {r.count:,} {r.reason} {r.detail}".rstrip())
    else:
        print("skipped or flagged: none")
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``tables`` to the ``hubcommunity`` command."""
    p = subparsers.add_parser("tables", help="build the tidy tables of every snapshot (cached) and print row counts")
    p.add_argument("--rebuild", action="store_true", help="ignore the cache and rebuild from raw")
    p.add_argument("--snapshots-dir", default=None, help="a snapshot or a directory of snapshots (default: data/snapshots)")
    p.add_argument("--workers", type=int, default=2, help="processes parsing raw files (default 2)")
    p.set_defaults(func=_cmd_tables)
