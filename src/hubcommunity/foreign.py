"""Foreign listings: other projects' tables of the whole Hub (CSV or parquet), read onto ``repos``.

Besides raw API answers, a snapshot may hold a *foreign listing*: a table of
every repository on the Hub that another research project listed with its own
scripts and published, such as the three earlier listings in
``../shared/reference-data/hub-history/`` (its README: sources, dates,
licences, caveats). Such a table is not an API page, so the JSON readers of
:mod:`hubcommunity.snapshot` cannot read it. Its stream in the manifest has
kind ``foreign_models`` or ``foreign_datasets`` (the repository type), a
``format`` (``csv`` or ``parquet``) and a ``reader``, the name of one of the
small readers below, one per source, each mapping that source's columns onto
the ``repos`` table (``CONTRIBUTING.md``, "Tidy tables"):

=====================  =============  =======================================================
reader                 repo type      source columns -> ``repos`` columns
=====================  =============  =======================================================
``huggingfacer-2022``  model (CSV)    ``model`` -> repo_id, ``downloads``, ``task`` ->
                                      pipeline_tag, ``sha``, ``private``; owner from the id
``liang-2022``         model          ``modelId`` -> repo_id, ``author`` -> owner,
                       (parquet)      ``creation_time`` -> created_at, ``downloads``,
                                      ``task_category`` -> pipeline_tag ("unknown" -> null)
``yang-2023``          dataset        ``dataset_name`` -> repo_id, ``author`` -> owner,
                       (parquet)      ``dataset_creation_time`` (git date text) -> created_at,
                                      ``downloads``, ``task`` (comma-separated task categories)
                                      -> tags ``task_categories:<task>`` ("None" -> no tag)
=====================  =============  =======================================================

Every other ``repos`` column is null: these listings have no likes, licences,
libraries or (except as above) tags, and a null means *not listed*, never 0.
Columns a source has that ``repos`` has not (model-card flags, task domains)
are left out; the snapshot's manifest says so (``lacks``).

Files are read in place and never modified. Bad input raises
:class:`ForeignInputError`, a :class:`~hubcommunity.snapshot.RawInputError`
naming the file, the data row (1-based, header not counted) and the record's
id where known: a missing, truncated or corrupt file, a file that is not
CSV or parquet, a missing column, an empty or non-text id, a download count
that is negative, fractional or not a number, an unreadable creation time.
A repeated id is not an error here: :mod:`hubcommunity.tables` keeps the first
row and counts the rest, as it does for API listings
(:func:`drop_duplicate_ids`).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hubcommunity.snapshot import RawInputError, read_bytes

__all__ = [
    "ForeignInputError",
    "ForeignReader",
    "READERS",
    "FOREIGN_KINDS",
    "REPOS_COLUMNS",
    "read_file",
    "read_stream_files",
    "count_rows",
    "drop_duplicate_ids",
]

#: Stream kinds of foreign listings, and the repository type each holds.
FOREIGN_KINDS = {"foreign_models": "model", "foreign_datasets": "dataset"}

#: Columns every reader returns: the ``repos`` columns (without ``snapshot``,
#: ``captured_at``) and ``_file`` (index of the file in the stream), ``_pos``
#: (1-based data row).
REPOS_COLUMNS = [
    "repo_type", "repo_id", "owner", "created_at", "last_modified", "likes", "downloads", "downloads_all_time",
    "licenses", "license", "license_group", "pipeline_tag", "library", "gated", "private", "disabled", "sdk",
    "sha", "tags",
]


class ForeignInputError(RawInputError):
    """A foreign listing file or row that cannot be read. ``row`` is the 1-based data row (header excluded)."""

    def __init__(self, reason: str, *, path: str | os.PathLike[str], row: int | None = None,
                 record: str | None = None) -> None:
        self.row = row
        super().__init__(reason, path=path, record=record)

    def __reduce__(self):  # keyword-only arguments: rebuild explicitly (pickling across processes)
        return (_rebuild_foreign_error, (self.reason, self.path, self.row, self.record))

    def _message(self) -> str:
        where = self.path if self.row is None else f"{self.path}, row {self.row}"
        what = f" (record {self.record})" if self.record is not None else ""
        return f"{where}{what}: {self.reason}"


def _rebuild_foreign_error(reason, path, row, record) -> ForeignInputError:
    """Unpickle a :class:`ForeignInputError`."""
    return ForeignInputError(reason, path=path, row=row, record=record)


# --------------------------------------------------------------------------- opening files


def _file_bytes(path: Path, label: str) -> bytes:
    """Bytes of ``path`` (gunzipped for ``.gz``, :func:`hubcommunity.snapshot.read_bytes`); a missing or
    corrupt file raises :class:`ForeignInputError` with the snapshot reader's reason."""
    try:
        return read_bytes(path, label)
    except RawInputError as exc:
        raise ForeignInputError(exc.reason, path=label) from exc


def _check_columns(have, need: tuple[str, ...], label: str) -> None:
    """Raise if any column of ``need`` is missing from ``have``."""
    missing = [c for c in need if c not in set(have)]
    if missing:
        raise ForeignInputError(f"missing column(s) {missing}; the file has {list(have)}", path=label)


def read_csv_table(path: Path, label: str, need: tuple[str, ...]) -> pd.DataFrame:
    """Every column of a CSV file (``.csv`` or ``.csv.gz``) as text; empty cells are ``""``.

    Raises :class:`ForeignInputError` if the file is missing, corrupt, not
    parseable as CSV, or lacks a column of ``need``.
    """
    data = _file_bytes(path, label)
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ForeignInputError(f"not a readable CSV table ({str(exc).strip()})", path=label) from exc
    _check_columns(frame.columns, need, label)
    return frame


def read_parquet_table(path: Path, label: str, need: tuple[str, ...]) -> pd.DataFrame:
    """The ``need`` columns of a parquet file, with pandas' default types (text as ``str``).

    Raises :class:`ForeignInputError` if the file is missing, is not a
    parquet file, is damaged, or lacks a column of ``need``.
    """
    data = _file_bytes(path, label)
    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        _check_columns(pf.schema_arrow.names, need, label)
        table = pf.read(columns=list(need))
    except ForeignInputError:
        raise
    except (pa.ArrowException, OSError) as exc:
        raise ForeignInputError(f"not a readable parquet file ({exc})", path=label) from exc
    return table.to_pandas()


# --------------------------------------------------------------------------- checking columns


def _show(value) -> str:
    """``repr`` of a cell for an error message (NumPy scalars shown as plain Python values)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _first_bad(bad: np.ndarray) -> int:
    """0-based position of the first True in ``bad``."""
    return int(np.flatnonzero(bad)[0])


def _ids(values: pd.Series, column: str, label: str) -> pd.Series:
    """Repository ids: non-empty strings (surrounding spaces are an error, not trimmed)."""
    text = values.map(lambda v: v if isinstance(v, str) else None)
    bad = (text.isna() | (text.str.strip() == "") | (text != text.str.strip())).to_numpy(dtype=bool)
    if bad.any():
        i = _first_bad(bad)
        raise ForeignInputError(f"column {column!r}: a repository id must be a non-empty string without "
                                f"surrounding spaces, found {_show(values.iloc[i])}", path=label, row=i + 1)
    return text.astype("str")


def _counts(values: pd.Series, column: str, label: str, ids: pd.Series) -> pd.Series:
    """Download counts as nullable ``Int64``: whole numbers >= 0; empty cells and NaN are null."""
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        text = values.astype("str").str.strip()
        nums = pd.to_numeric(text.where(text != "", None), errors="coerce")
        unreadable = (nums.isna() & (text != "")).to_numpy(dtype=bool)
    else:
        nums = pd.to_numeric(values, errors="coerce")
        unreadable = (nums.isna() & values.notna()).to_numpy(dtype=bool)
    arr = nums.to_numpy(dtype="float64", na_value=np.nan)
    finite = np.isfinite(arr)
    bad = unreadable | (~finite & ~np.isnan(arr)) | (finite & ((arr < 0) | (arr != np.floor(arr))))
    if bad.any():
        i = _first_bad(bad)
        raise ForeignInputError(f"column {column!r}: a download count must be a whole number >= 0, "
                                f"found {_show(values.iloc[i])}", path=label, row=i + 1, record=str(ids.iloc[i]))
    return pd.Series(arr, index=values.index).astype("Int64")


def _times(values: pd.Series, column: str, label: str, ids: pd.Series, fmt: str | None) -> pd.Series:
    """Creation times as UTC timestamps; ``fmt`` a ``strptime`` pattern for text, None for timestamps."""
    if fmt is None and pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values.dt.tz_convert("UTC") if values.dt.tz is not None else values.dt.tz_localize("UTC")
        return out.astype("datetime64[ns, UTC]")
    text = values.where(values.notna() & (values.astype("str").str.strip() != ""), None)
    parsed = pd.to_datetime(text, format=fmt or "ISO8601", utc=True, errors="coerce")
    bad = (parsed.isna() & text.notna()).to_numpy(dtype=bool)
    if bad.any():
        i = _first_bad(bad)
        raise ForeignInputError(f"column {column!r}: cannot read {_show(values.iloc[i])} as a time"
                                + (f" (expected like {fmt!r})" if fmt else ""), path=label, row=i + 1,
                                record=str(ids.iloc[i]))
    return parsed.astype("datetime64[ns, UTC]")


def _flags(values: pd.Series, column: str, label: str, ids: pd.Series) -> pd.Series:
    """True/False text (any case) or booleans as nullable ``boolean``; empty cells are null."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    text = values.astype("str").str.strip().str.lower()
    mapped = text.map({"true": True, "false": False, "": None})
    bad = (mapped.isna() & (text != "")).to_numpy(dtype=bool)
    if bad.any():
        i = _first_bad(bad)
        raise ForeignInputError(f"column {column!r}: expected True or False, found {_show(values.iloc[i])}",
                                path=label, row=i + 1, record=str(ids.iloc[i]))
    return mapped.astype("boolean")


def _text(values: pd.Series, empty: tuple[str, ...] = ("",)) -> pd.Series:
    """Optional text: missing, or one of ``empty``, becomes null."""
    keep = values.notna() & ~values.isin(list(empty))
    return values.astype(object).where(keep, None)


def _owner_from_id(ids: pd.Series) -> pd.Series:
    """The part of each id before ``/``; null for legacy ids without one (as for API listings)."""
    return ids.str.split("/", n=1).str[0].where(ids.str.contains("/", regex=False), None)


def _repos_frame(n: int, repo_type: str, **columns) -> pd.DataFrame:
    """A frame with every :data:`REPOS_COLUMNS` column; those not given are null."""
    out = {}
    for col in REPOS_COLUMNS:
        if col in columns:
            out[col] = columns[col]
        elif col == "repo_type":
            out[col] = [repo_type] * n
        else:
            out[col] = [None] * n
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- one reader per source


@dataclass(frozen=True)
class ForeignReader:
    """One source's reader: its name (the stream's ``reader``), repository type, file format and columns."""

    name: str
    repo_type: str
    format: str
    columns: tuple[str, ...]
    read: Callable[[Path, str], pd.DataFrame]
    description: str


def read_huggingfacer_2022(path: Path, label: str) -> pd.DataFrame:
    """huggingfaceR's ``models_with_downloads`` (July 2022) as CSV: ``model, downloads, task, sha, private``.

    Returns the ``repos`` columns (:data:`REPOS_COLUMNS`): owner from the id, no
    creation time, ``task`` as pipeline tag (empty: null).
    """
    cols = ("model", "downloads", "task", "sha", "private")
    raw = read_csv_table(path, label, cols)
    ids = _ids(raw["model"], "model", label)
    return _repos_frame(
        len(raw), "model", repo_id=ids, owner=_owner_from_id(ids),
        downloads=_counts(raw["downloads"], "downloads", label, ids),
        pipeline_tag=_text(raw["task"]), sha=_text(raw["sha"]),
        private=_flags(raw["private"], "private", label, ids),
    )


def read_liang_2022(path: Path, label: str) -> pd.DataFrame:
    """Liang et al.'s ``model_info.parquet`` (October 2022): ``modelId, author, creation_time, downloads, task_category``.

    ``creation_time`` (from the repository's git history) becomes created_at;
    ``task_category`` "unknown" (the source's word for no pipeline tag) is null.
    """
    cols = ("modelId", "author", "creation_time", "downloads", "task_category")
    raw = read_parquet_table(path, label, cols)
    ids = _ids(raw["modelId"], "modelId", label)
    return _repos_frame(
        len(raw), "model", repo_id=ids, owner=_text(raw["author"]),
        created_at=_times(raw["creation_time"], "creation_time", label, ids, None),
        downloads=_counts(raw["downloads"], "downloads", label, ids),
        pipeline_tag=_text(raw["task_category"], ("", "unknown")),
    )


#: How the dataset listing of March 2023 writes a creation time (``git log`` date text).
GIT_DATE_FORMAT = "%a %b %d %H:%M:%S %Y %z"


def _task_tags(values: pd.Series) -> list[list[str]]:
    """``"a,b"`` -> ``["task_categories:a", "task_categories:b"]``; ``"None"``/empty -> ``[]``."""
    out = []
    for v in values:
        if not isinstance(v, str) or v.strip() in ("", "None"):
            out.append([])
        else:
            out.append([f"task_categories:{t.strip()}" for t in v.split(",") if t.strip()])
    return out


def read_yang_2023(path: Path, label: str) -> pd.DataFrame:
    """Yang, Liang & Zou's ``dataset_info.parquet`` (March 2023): ``dataset_name, author, dataset_creation_time, downloads, task``.

    ``dataset_creation_time`` is git date text (:data:`GIT_DATE_FORMAT`);
    ``task`` (comma-separated task categories, "None" for none) becomes tags
    ``task_categories:<task>``, the Hub's own tag for a dataset's task.
    """
    cols = ("dataset_name", "author", "dataset_creation_time", "downloads", "task")
    raw = read_parquet_table(path, label, cols)
    ids = _ids(raw["dataset_name"], "dataset_name", label)
    return _repos_frame(
        len(raw), "dataset", repo_id=ids, owner=_text(raw["author"]),
        created_at=_times(raw["dataset_creation_time"], "dataset_creation_time", label, ids, GIT_DATE_FORMAT),
        downloads=_counts(raw["downloads"], "downloads", label, ids),
        tags=_task_tags(raw["task"]),
    )


#: Readers by name (the ``reader`` of a foreign stream in a manifest).
READERS: dict[str, ForeignReader] = {
    r.name: r for r in (
        ForeignReader("huggingfacer-2022", "model", "csv", ("model", "downloads", "task", "sha", "private"),
                      read_huggingfacer_2022, "huggingfaceR models_with_downloads (CSV)"),
        ForeignReader("liang-2022", "model", "parquet",
                      ("modelId", "author", "creation_time", "downloads", "task_category"),
                      read_liang_2022, "Liang et al. model_info.parquet"),
        ForeignReader("yang-2023", "dataset", "parquet",
                      ("dataset_name", "author", "dataset_creation_time", "downloads", "task"),
                      read_yang_2023, "Yang, Liang & Zou dataset_info.parquet"),
    )
}


def reader(name: str | None, kind: str, where: str) -> ForeignReader:
    """The reader ``name`` for a stream of ``kind``; raises ValueError if unknown or of the wrong type."""
    if name not in READERS:
        raise ValueError(f"{where}: stream {kind!r} needs a 'reader', one of {sorted(READERS)}; got {name!r}")
    r = READERS[name]
    if FOREIGN_KINDS.get(kind) != r.repo_type:
        raise ValueError(f"{where}: reader {name!r} reads {r.repo_type} listings, not a {kind!r} stream")
    return r


def read_file(path: str | os.PathLike[str], reader_name: str, label: str | None = None) -> pd.DataFrame:
    """Read one foreign listing file with reader ``reader_name``; returns the ``repos`` columns."""
    r = READERS.get(reader_name)
    if r is None:
        raise ValueError(f"unknown foreign reader {reader_name!r}; known: {sorted(READERS)}")
    return r.read(Path(path), label or str(path))


def read_stream_files(files: list[tuple[Path, str]], reader_name: str) -> pd.DataFrame:
    """Read every ``(path, label)`` of one stream, in order; adds ``_file`` (index) and ``_pos`` (data row)."""
    parts = []
    for i, (path, label) in enumerate(files):
        frame = read_file(path, reader_name, label)
        frame["_file"] = i
        frame["_pos"] = np.arange(1, len(frame) + 1)
        parts.append(frame)
    if not parts:
        return pd.DataFrame({c: [] for c in [*REPOS_COLUMNS, "_file", "_pos"]})
    return pd.concat(parts, ignore_index=True)


def count_rows(path: str | os.PathLike[str], reader_name: str) -> int:
    """Number of rows of one foreign listing file (reads and checks it)."""
    return len(read_file(path, reader_name))


def drop_duplicate_ids(frame: pd.DataFrame, labels: list[str]) -> tuple[pd.DataFrame, int, str]:
    """Keep the first row of each ``repo_id``; return ``(frame, number dropped, example position)``."""
    dup = frame.duplicated(["repo_id"], keep="first").to_numpy()
    n = int(dup.sum())
    if not n:
        return frame, 0, ""
    row = frame.iloc[_first_bad(dup)]
    return frame[~dup], n, f"{row['repo_id']} at {labels[int(row['_file'])]}, row {int(row['_pos'])}"
