"""Snapshots: open, link, validate, and read the raw records of a Hub capture.

A *snapshot* is a directory (``CONTRIBUTING.md``, "Snapshots")::

    <name>/manifest.json   what was asked, when, by which client; streams with files, counts, sha256
    <name>/raw/            raw files: API responses as the collector received them, or a reference
                           capture as its source published it (a symlink; see its README for what
                           ``prepare.py`` converted)
    <name>/tables/         parquet cache built from raw/ by :mod:`hubcommunity.tables` (deletable)

Raw is sacred: nothing here writes into ``raw/`` or into the directory it links
to. A *stream* is a set of raw files holding one kind of record (``models``,
``datasets``, ``spaces``, ``discussions``, ``commits``, ``fetch_errors``,
``model_details``: per-model ``GET /api/models/{repo_id}`` answers). Two
file formats are read, chosen by the file name:

- *page arrays* ``.json`` / ``.json.gz``: each file is one page body, a JSON
  array of records (the Hub's listing endpoints return these);
- *records* ``.jsonl`` / ``.jsonl.gz``: one JSON object per line.

Every record comes with a :class:`Position` (file, line or index in the page)
so that an error can name where it is. Structural faults in a file (a
truncated or corrupt gzip, invalid JSON, a page that is not an array, a line
that is not an object) raise :class:`RawInputError`, which carries
``path``, ``line``, ``index`` and ``record`` attributes; nothing is skipped
here. Skipping policy for record *content* lives in :mod:`hubcommunity.tables`.

Validation is cheap by default (every listed file exists and has the size the
manifest records) and complete on request (``verify=True`` also recomputes
each file's sha256), because hashing ~90 MB on every warm load would cost more
than loading the cached tables.

The reference captures in ``../shared/reference-data`` (see its README) become
snapshots with :func:`link_reference`; ``hubcommunity link-reference`` and
``hubcommunity snapshots`` are the command-line faces of this module.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

try:  # orjson parses the captures 2-3x faster; the stdlib parser is the fallback.
    import orjson as _orjson

    _loads = _orjson.loads
    _JSONDecodeError: tuple[type[BaseException], ...] = (_orjson.JSONDecodeError, ValueError)
except ImportError:  # pragma: no cover - orjson is in requirements.lock
    _loads = json.loads
    _JSONDecodeError = (ValueError,)

from hubcommunity import __version__, paths

#: Stream kinds a snapshot may hold (CONTRIBUTING.md, "Snapshots").
STREAM_KINDS = (
    "models", "datasets", "spaces", "discussions", "commits", "fetch_errors",
    "model_details",  # one GET /api/models/{repo_id} answer per record (model_info), e.g. with `spaces`
)

#: Foreign listings: another project's table of the Hub (CSV or parquet), one stream per
#: file set, read by :mod:`hubcommunity.foreign` with the reader the stream names.
FOREIGN_KINDS = ("foreign_models", "foreign_datasets")
STREAM_KINDS = STREAM_KINDS + FOREIGN_KINDS

#: Manifest ``role`` of the snapshots :func:`hubcommunity.tables.load_tables` reads by
#: default; other roles (``history``: the earlier whole-Hub listings) are loaded on request.
DEFAULT_ROLE = "primary"

MANIFEST = "manifest.json"


# --------------------------------------------------------------------------- errors


class SnapshotError(Exception):
    """A snapshot directory is missing, malformed, or does not match its manifest."""


class RawInputError(ValueError):
    """A raw file or record that cannot be read as its stream's shape.

    Attributes
    ----------
    path : str
        The raw file (as given in the manifest, relative to ``raw/``, or absolute).
    line : int or None
        1-based line number in a records file (``.jsonl``), else None.
    index : int or None
        0-based position of the record inside a page array, else None.
    record : str or None
        The record's id when known, else a short excerpt of it.
    reason : str
        What is wrong.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | os.PathLike[str],
        line: int | None = None,
        index: int | None = None,
        record: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = str(path)
        self.line = line
        self.index = index
        self.record = record
        super().__init__(self._message())

    def __reduce__(self):  # keyword-only arguments: rebuild explicitly (pickling across worker processes)
        return (_rebuild_raw_input_error, (self.reason, self.path, self.line, self.index, self.record))

    def _message(self) -> str:
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
        if self.index is not None:
            where += f", record {self.index} of the page"
        what = f" (record {self.record})" if self.record is not None else ""
        return f"{where}{what}: {self.reason}"


def _rebuild_raw_input_error(reason, path, line, index, record) -> RawInputError:
    """Unpickle a :class:`RawInputError` (raised in a worker process, re-raised in the parent)."""
    return RawInputError(reason, path=path, line=line, index=index, record=record)


@dataclass(frozen=True)
class Position:
    """Where a record sits: its file, and its line (records) or index (page arrays).

    ``line`` is 1-based, ``index`` 0-based; the other one is None.
    """

    file: str
    line: int | None = None
    index: int | None = None

    def error(self, reason: str, record: str | None = None) -> RawInputError:
        """Return a :class:`RawInputError` located at this position."""
        return RawInputError(reason, path=self.file, line=self.line, index=self.index, record=record)


# --------------------------------------------------------------------------- raw files


def file_format(path: str | os.PathLike[str]) -> str:
    """Return ``"pages"`` for ``.json``/``.json.gz`` and ``"records"`` for ``.jsonl``/``.jsonl.gz``.

    Raises :class:`SnapshotError` for any other suffix.
    """
    name = str(path)
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith(".jsonl"):
        return "records"
    if name.endswith(".json"):
        return "pages"
    raise SnapshotError(f"{path}: not a raw file (expected .json, .json.gz, .jsonl or .jsonl.gz)")


def read_bytes(path: str | os.PathLike[str], label: str | None = None) -> bytes:
    """Return the (decompressed) bytes of a raw file.

    ``label`` is the name used in error messages (default: ``path``). A
    truncated or corrupt gzip raises :class:`RawInputError`.
    """
    label = label or str(path)
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise RawInputError("file not found", path=label) from exc
    if p.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise RawInputError(f"corrupt or truncated gzip ({exc})", path=label) from exc
    return data


def _excerpt(text: bytes | str, limit: int = 80) -> str:
    """Return the first ``limit`` characters of ``text`` for an error message."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "..."


def parse_page(data: bytes, label: str) -> list[dict[str, Any]]:
    """Parse one page body (a JSON array of objects) from ``data``.

    Raises :class:`RawInputError` if the JSON is invalid, if the page is not
    an array, or if an element is not an object.
    """
    try:
        page = _loads(data)
    except _JSONDecodeError as exc:
        raise RawInputError(f"invalid JSON ({exc})", path=label) from exc
    if not isinstance(page, list):
        raise RawInputError(
            f"a page must be a JSON array of records, found {type(page).__name__}", path=label
        )
    for i, rec in enumerate(page):
        if not isinstance(rec, dict):
            raise RawInputError(
                f"record is a {type(rec).__name__}, not an object", path=label, index=i,
                record=_excerpt(json.dumps(rec)),
            )
    return page


def parse_records(data: bytes, label: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, record)`` for each non-blank line of a ``.jsonl`` body.

    Line numbers are 1-based. Raises :class:`RawInputError` for a line that
    is not valid JSON or not an object.
    """
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            rec = _loads(line)
        except _JSONDecodeError as exc:
            raise RawInputError(
                f"invalid JSON ({exc})", path=label, line=lineno, record=_excerpt(line)
            ) from exc
        if not isinstance(rec, dict):
            raise RawInputError(
                f"line is a {type(rec).__name__}, not an object", path=label, line=lineno,
                record=_excerpt(line),
            )
        yield lineno, rec


def iter_file(path: str | os.PathLike[str], label: str | None = None) -> Iterator[tuple[dict[str, Any], Position]]:
    """Yield ``(record, position)`` for every record of one raw file, in file order."""
    label = label or str(path)
    data = read_bytes(path, label)
    if file_format(path) == "pages":
        for i, rec in enumerate(parse_page(data, label)):
            yield rec, Position(label, index=i)
    else:
        for lineno, rec in parse_records(data, label):
            yield rec, Position(label, line=lineno)


def count_records(path: str | os.PathLike[str]) -> int:
    """Return the number of records in one raw file (parses it)."""
    return sum(1 for _ in iter_file(path))


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of a file's bytes as stored (compressed if gzip)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- snapshots


@dataclass
class Stream:
    """One stream of a snapshot, as listed in its manifest.

    ``files`` are paths relative to the snapshot's ``raw/``. ``defaults`` are
    field values a reader applies to records that lack them (e.g. the
    reference ``errors.jsonl.gz`` records carry no ``repo_type``; all are
    models). ``sizes`` (bytes per file) and ``sha256`` may be empty for a
    hand-written manifest.
    """

    kind: str
    files: list[str]
    format: str = "records"
    records: int | None = None
    sha256: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    reader: str | None = None  # foreign listings: the hubcommunity.foreign reader of these files

    def to_json(self) -> dict[str, Any]:
        """Return the manifest entry for this stream."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "format": self.format,
            "files": list(self.files),
            "records": self.records,
            "sha256": dict(self.sha256),
            "sizes": dict(self.sizes),
        }
        if self.defaults:
            out["defaults"] = dict(self.defaults)
        if self.reader:
            out["reader"] = self.reader
        return out


@dataclass
class Snapshot:
    """An opened snapshot directory. Use :func:`open_snapshot` to make one."""

    path: Path
    manifest: dict[str, Any]
    streams: list[Stream]

    @property
    def name(self) -> str:
        """The snapshot's name (manifest ``name``, else the directory name)."""
        return str(self.manifest.get("name") or self.path.name)

    @property
    def description(self) -> str:
        """One-paragraph description from the manifest (may be empty)."""
        return str(self.manifest.get("description") or "")

    @property
    def captured_at(self) -> dict[str, str]:
        """Capture date (ISO string) per stream kind."""
        cap = self.manifest.get("captured_at") or {}
        if isinstance(cap, str):  # one date for every stream
            return {s.kind: cap for s in self.streams}
        return {str(k): str(v) for k, v in cap.items()}

    @property
    def role(self) -> str:
        """The manifest's ``role`` (default :data:`DEFAULT_ROLE`; ``history`` for earlier listings)."""
        return str(self.manifest.get("role") or DEFAULT_ROLE)

    @property
    def raw_dir(self) -> Path:
        """The ``raw/`` directory (possibly a symlink)."""
        return self.path / "raw"

    @property
    def tables_dir(self) -> Path:
        """The ``tables/`` parquet cache directory (may not exist yet)."""
        return self.path / "tables"

    def stream(self, kind: str) -> Stream | None:
        """Return the stream of ``kind``, or None if the snapshot has none.

        A manifest with several streams of one kind is merged into one.
        """
        found = [s for s in self.streams if s.kind == kind]
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        merged = Stream(kind=kind, files=[f for s in found for f in s.files], format="mixed")
        for s in found:
            merged.sha256.update(s.sha256)
            merged.sizes.update(s.sizes)
            merged.defaults.update(s.defaults)
            merged.reader = merged.reader or s.reader
        counts = [s.records for s in found]
        merged.records = None if any(c is None for c in counts) else sum(counts)  # type: ignore[arg-type]
        return merged

    @property
    def kinds(self) -> list[str]:
        """Stream kinds present, in the order of :data:`STREAM_KINDS`."""
        have = {s.kind for s in self.streams}
        return [k for k in STREAM_KINDS if k in have]

    def files(self, kind: str) -> list[Path]:
        """Absolute paths of the raw files of stream ``kind`` (empty if absent)."""
        s = self.stream(kind)
        return [self.raw_dir / f for f in s.files] if s else []

    def iter_records(self, kind: str) -> Iterator[tuple[dict[str, Any], Position]]:
        """Yield ``(record, position)`` for every record of stream ``kind``, in file order.

        Positions name files relative to the snapshot (``<name>/raw/<file>``).
        """
        s = self.stream(kind)
        if s is None:
            return
        for rel in s.files:
            yield from iter_file(self.raw_dir / rel, label=f"{self.name}/raw/{rel}")

    def validate(self, verify: bool = False) -> None:
        """Check that every listed file exists and matches the manifest.

        Default (cheap): existence and byte size, where the manifest records
        sizes. ``verify=True`` also recomputes every file's sha256 against the
        manifest (about a second per 100 MB). Raises :class:`SnapshotError`
        listing every problem found.
        """
        problems: list[str] = []
        if not self.raw_dir.is_dir():
            raise SnapshotError(f"{self.path}: raw/ is missing or is a broken link")
        for s in self.streams:
            if s.kind not in STREAM_KINDS:
                problems.append(f"stream kind {s.kind!r} is not one of {', '.join(STREAM_KINDS)}")
            if s.kind in FOREIGN_KINDS:
                from hubcommunity.foreign import READERS  # foreign imports this module

                if s.reader not in READERS:
                    problems.append(f"stream {s.kind!r} needs a 'reader', one of {sorted(READERS)}; got {s.reader!r}")
            for rel in s.files:
                p = self.raw_dir / rel
                if not p.is_file():
                    problems.append(f"{rel}: listed in the manifest but missing")
                    continue
                size = s.sizes.get(rel)
                if size is not None and p.stat().st_size != size:
                    problems.append(f"{rel}: {p.stat().st_size} bytes, manifest says {size}")
                if verify:
                    want = s.sha256.get(rel)
                    if want is None:
                        problems.append(f"{rel}: no sha256 in the manifest")
                    elif sha256_file(p) != want:
                        problems.append(f"{rel}: sha256 differs from the manifest")
        if problems:
            shown = "\n  ".join(problems[:20])
            more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise SnapshotError(f"snapshot {self.path} does not match its manifest:\n  {shown}{more}")

    def fingerprint(self) -> list[tuple[str, str, int, int]]:
        """Return ``(kind, file, size, mtime_ns)`` for every raw file: the cheap cache key input."""
        out = []
        for s in self.streams:
            for rel in s.files:
                st = (self.raw_dir / rel).stat()
                out.append((s.kind, rel, st.st_size, st.st_mtime_ns))
        return out


def _stream_from_json(entry: dict[str, Any], where: Path) -> Stream:
    """Return a :class:`Stream` from a manifest entry, checking its keys."""
    if not isinstance(entry, dict) or "kind" not in entry or "files" not in entry:
        raise SnapshotError(f"{where}: each stream needs 'kind' and 'files', got {entry!r:.200}")
    files = entry["files"]
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise SnapshotError(f"{where}: stream {entry['kind']!r}: 'files' must be a list of paths")
    return Stream(
        kind=str(entry["kind"]),
        files=files,
        format=str(entry.get("format") or "records"),
        records=entry.get("records"),
        sha256=dict(entry.get("sha256") or {}),
        sizes={k: int(v) for k, v in (entry.get("sizes") or {}).items()},
        defaults=dict(entry.get("defaults") or {}),
        reader=entry.get("reader"),
    )


def open_snapshot(path: str | os.PathLike[str], validate: bool = True, verify: bool = False) -> Snapshot:
    """Open the snapshot directory ``path`` and return a :class:`Snapshot`.

    Reads ``manifest.json``; with ``validate`` (default) checks files and sizes
    cheaply, with ``verify`` also their sha256. Raises :class:`SnapshotError`.
    """
    root = Path(path)
    mpath = root / MANIFEST
    if not mpath.is_file():
        raise SnapshotError(f"{root}: not a snapshot (no {MANIFEST})")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise SnapshotError(f"{mpath}: invalid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise SnapshotError(f"{mpath}: the manifest must be a JSON object")
    streams = [_stream_from_json(e, mpath) for e in manifest.get("streams") or []]
    snap = Snapshot(path=root, manifest=manifest, streams=streams)
    if validate or verify:
        snap.validate(verify=verify)
    return snap


def snapshot_dirs(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Return the snapshot directories to use, sorted by name.

    ``root`` given: its subdirectories that hold a manifest. Otherwise the
    colon-separated ``$HUBCOMMUNITY_SNAPSHOTS`` (each entry a snapshot
    directory or a directory of snapshots), else :func:`paths.snapshots_dir`.
    """
    if root is None:
        env = os.environ.get("HUBCOMMUNITY_SNAPSHOTS")
        if env:
            out: list[Path] = []
            for part in env.split(os.pathsep):
                if part:
                    out.extend(snapshot_dirs(part) if not (Path(part) / MANIFEST).is_file() else [Path(part)])
            return out
        root = paths.snapshots_dir()
    root = Path(root)
    if (root / MANIFEST).is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / MANIFEST).is_file())


def snapshot_role(path: str | os.PathLike[str]) -> str:
    """The manifest ``role`` of the snapshot directory ``path`` (:data:`DEFAULT_ROLE` when it has none).

    An unreadable manifest also gives :data:`DEFAULT_ROLE`, so that the snapshot
    is opened, and its error reported, by whoever loads it.
    """
    try:
        manifest = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DEFAULT_ROLE
    role = manifest.get("role") if isinstance(manifest, dict) else None
    return str(role or DEFAULT_ROLE)


# --------------------------------------------------------------------------- reference captures

#: The published captures in ``../shared/reference-data`` (see its README). ``path``, where
#: given, is the capture's folder under the reference data (default: its name); ``role``,
#: ``captured_at_evidence`` and ``lacks`` are copied into the manifest.
REFERENCE_CAPTURES: dict[str, dict[str, Any]] = {
    "hub-lists-2024-07": {
        "description": (
            "Model and dataset listings of the Hugging Face Hub, one GET /api/models or "
            "GET /api/datasets page body (1,000 repositories) per file, as the source stored them; "
            "prepare.py only gzip-compressed them. No spaces, commits or discussions."
        ),
        "source": {
            "citation": (
                "Stalnaker et al., 'The ML Supply Chain in the Era of Software 2.0: Lessons Learned "
                "from Hugging Face', ACM TOSEM (2025), replication package"
            ),
            "url": "https://github.com/TStalnaker44/hugging_face_analysis_replication",
            "commit": "016ca26976c1e2c78778ba11b50697f4ce5d14fc",
            "files": [
                "data/raw_data/model_lists/models_page{N}_07-11-2024.json",
                "data/raw_data/dataset_lists/datasets_page{N}_07-09-2024.json",
            ],
        },
        "license": "GPL-3.0 (the source repository's license)",
        "captured_at": {"models": "2024-07-11", "datasets": "2024-07-09"},
        "client": "the capture's own scripts (GET /api/models, GET /api/datasets); version not recorded",
        "requested": {
            "scope": "every public model and dataset listed by the Hub",
            "expand": None,
            "note": "listing pages of 1,000 in the Hub's own order; page numbers kept from the capture",
        },
        "streams": {
            "models": {"glob": "models/*.json.gz"},
            "datasets": {"glob": "datasets/*.json.gz"},
        },
    },
    "model-discussions-2024-01": {
        "description": (
            "Every discussion and pull request on every Hugging Face model repository with its full "
            "event history, rebuilt by prepare.py from the source's Python-object YAML dumps of "
            "huggingface_hub DiscussionWithDetails into the shape of GET /api/models/{repo}/discussions/"
            "{num}, one thread per line: rendered HTML, diffs and avatar URLs dropped; a thread's "
            "createdAt replaced by its first event's time (the dumped time had gone through a local-time "
            "conversion); one pull-request file of 4 MiB or more missing. Plus the calls that failed, "
            "converted from the dumped error messages."
        ),
        "source": {
            "citation": (
                "asgaardlab, replication package of 'Answering User Questions about Machine Learning "
                "Models through Standardized Model Cards'"
            ),
            "url": "https://github.com/asgaardlab/hf-question-answer",
            "commit": "9e22cfaca5dc522d356eeb5acdc79199bd9a7bed",
            "files": ["data/discussions/**.yaml (Python-object YAML dumps, converted to the API's JSON shape "
                      "by prepare.py)"],
        },
        "license": "none stated by the source repository",
        "captured_at": {"discussions": "2024-01-25", "fetch_errors": "2024-01-25"},
        "client": "huggingface_hub (DiscussionWithDetails YAML dumps); version not recorded",
        "requested": {
            "scope": "every model on the Hub (about 2024-01-25), each model's discussions and pull requests",
            "note": "capture date approximate; one pull-request file of 4 MiB or more was not available",
        },
        "streams": {
            "discussions": {"glob": "threads-*.jsonl.gz"},
            "fetch_errors": {"glob": "errors.jsonl.gz", "defaults": {"repo_type": "model"}},
        },
    },
    "model-details-2024-07": {
        "description": (
            "Per-model details of the Hugging Face Hub, one GET /api/models/{repo_id} answer (what "
            "HfApi.model_info fetches) per line, records unchanged, for 8,650 models: a near-complete "
            "census (8,644 of 8,699) of the listed models whose id begins with a digit or q/Q, a "
            "subpopulation defined by the owner name's first character, not a random sample. Each "
            "record's `spaces` lists the Spaces using the model, capped at 100 by the API."
        ),
        "source": {
            "citation": (
                "Stalnaker et al., 'The ML Supply Chain in the Era of Software 2.0: Lessons Learned "
                "from Hugging Face', ACM TOSEM (2025), replication package"
            ),
            "url": "https://github.com/TStalnaker44/hugging_face_analysis_replication",
            "commit": "016ca26976c1e2c78778ba11b50697f4ce5d14fc",
            "files": [
                "data/raw_data/model_data/{0..9,q}.zip (files <owner>_!##++##!_<name>_<MM-DD-YYYY>.json), "
                "repacked from zip to gzip-compressed JSON lines sorted by id, one file per capture day"
            ],
        },
        "license": "GPL-3.0 (the source repository's license)",
        "captured_at": {"model_details": "2024-07-11"},
        "client": "the capture's own scripts (GET /api/models/{repo_id}); version not recorded",
        "requested": {
            "scope": ("models whose id begins with 0-9 or q/Q (the only archives of the source that were "
                      "retrievable): 8,650 models"),
            "note": ("fetched on 2024-07-09 (details-2024-07-09.jsonl.gz) and 2024-07-11 "
                     "(details-2024-07-11.jsonl.gz); `spaces` holds at most 100 Spaces per model"),
        },
        "streams": {
            "model_details": {"glob": "details-*.jsonl.gz"},
        },
    },
}

#: What none of the three earlier listings has (each adds its own gaps).
_HISTORY_LACKS = [
    "likes, licenses, library names and the Hub's tags (null in repos, not 0)",
    "spaces, commits, discussions and base-model links",
    "listed with the source project's own script: only the columns it kept",
    "ids are the only join key with later captures: renamed or deleted repositories do not join",
    "downloads are the Hub's rolling count as published at capture; its counting changed over the years "
    "(in 2022 it was reported to show two weeks instead of 30 days for a while)",
]

#: The three earlier whole-Hub listings in ``reference-data/hub-history`` (role ``history``:
#: not part of the default ``load_tables()``; the chapter on the Hub over time loads them).
REFERENCE_CAPTURES.update({
    "history-models-2022-07": {
        "path": "hub-history/models-2022-07",
        "role": "history",
        "description": (
            "Every model the Hub listed with a downloads field, about 2022-07-02, as the R package "
            "huggingfaceR stored it (list_models() through its data-raw/models_with_downloads.R): id, "
            "30-day downloads, pipeline tag, head commit, private flag. Converted from the R data file to "
            "CSV with values unchanged."
        ),
        "source": {
            "citation": "huggingfaceR (R package), data set models_with_downloads",
            "url": "https://github.com/farach/huggingfaceR",
            "commit": "70bc0cfbc6a2e0cfa0dd6cda130873188736a285",
            "files": ["data/models_with_downloads.rda (converted to CSV, values unchanged)"],
        },
        "license": "MIT (the source repository's license)",
        "captured_at": {"foreign_models": "2022-07-02"},
        "captured_at_evidence": (
            "on or just before 2022-07-02, the date of the commit that added the data file; checked against "
            "the October 2022 listing: of its 54,644 models created before 2022-07-02, all but 421 are here "
            "(the reference-data README gives 412, the count for models created before 2022-07-01)"
        ),
        "client": "huggingfaceR list_models() (R, through huggingface_hub); version not recorded",
        "requested": {"scope": "every public model whose listing record had a downloads field"},
        "lacks": ["creation times", "owner (taken from the id)", *_HISTORY_LACKS],
        "streams": {"foreign_models": {"glob": "models_with_downloads.csv.gz", "reader": "huggingfacer-2022"}},
    },
    "history-models-2022-10": {
        "path": "hub-history/models-2022-10",
        "role": "history",
        "description": (
            "Every model on the Hub about 2022-10-01 as listed for the study of model cards by Liang et "
            "al.: id, author, creation time (from the repository's git history), 30-day downloads, task "
            "category and domain, model-card flag. The file as published (byte-identical)."
        ),
        "source": {
            "citation": (
                "Liang et al., 'What's documented in AI? Systematic analysis of 32K AI model cards' (2024), "
                "replication repository"
            ),
            "url": "https://github.com/Weixin-Liang/AI-model-card-analysis-HuggingFace",
            "commit": "6bcc76fe6142e119732491805e7f0240ebb8eca5",
            "files": ["data/model_info.parquet (git blob 0489b8aafaefc08646826c94ee29fa0e2504e1f3)"],
        },
        "license": "none stated by the source repository",
        "captured_at": {"foreign_models": "2022-10-01"},
        "captured_at_evidence": (
            "the source README says 'as of Oct 1st, 2023', but the newest creation time is 2022-09-30 and the "
            "listing holds 74,970 models, as the Hub had about then (the paper counted 348,181 a year later): "
            "the capture is about 2022-10-01, and the README's year is taken to be a slip"
        ),
        "client": "the source project's own listing script; version not recorded",
        "requested": {"scope": "every public model on the Hub"},
        "lacks": ["head commit and private flag", "the model-card flag and task domain are not mapped onto repos",
                  *_HISTORY_LACKS],
        "streams": {"foreign_models": {"glob": "model_info.parquet", "reader": "liang-2022"}},
    },
    "history-datasets-2023-03": {
        "path": "hub-history/datasets-2023-03",
        "role": "history",
        "description": (
            "Every dataset on the Hub on 2023-03-16 as listed for the study of dataset cards by Yang, Liang & "
            "Zou: name, author, creation time (git date), 30-day downloads, card flags, task categories and "
            "domain. The file as published (byte-identical)."
        ),
        "source": {
            "citation": (
                "Yang, Liang & Zou, 'Navigating dataset documentations in AI: a large-scale analysis of dataset "
                "cards on Hugging Face', ICLR 2024, replication repository"
            ),
            "url": "https://github.com/YoungXinyu1802/HuggingFace-Dataset-Card-Analysis",
            "commit": "af88ea0afa57612e73718d6c85ef5b8480af12a2",
            "files": ["Data/Dataset_Info/dataset_info.parquet (git blob 57d014899b0fad7d2d1a8e358fa9ea0c65a6fb96)"],
        },
        "license": "MIT (the source README's badge)",
        "captured_at": {"foreign_datasets": "2023-03-16"},
        "captured_at_evidence": "'as of Mar 16th, 2023' (source README); the newest creation time is 2023-03-16",
        "client": "the source project's own listing script; version not recorded",
        "requested": {"scope": "every public dataset on the Hub"},
        "lacks": ["head commit and private flag", "the card flags and domain are not mapped onto repos",
                  *_HISTORY_LACKS],
        "streams": {"foreign_datasets": {"glob": "dataset_info.parquet", "reader": "yang-2023"}},
    },
})


def describe_stream(raw_dir: Path, kind: str, files: list[str], defaults: dict[str, Any] | None = None,
                    reader: str | None = None) -> Stream:
    """Return a :class:`Stream` for ``files`` (relative to ``raw_dir``) with counts, sizes and sha256.

    Parses every file to count records (seconds for the reference captures).
    ``reader`` names the :mod:`hubcommunity.foreign` reader of a foreign listing.
    """
    if reader is not None:
        from hubcommunity import foreign  # foreign imports this module

        fmt = foreign.READERS[reader].format
        count = lambda p, rel: foreign.count_rows(p, reader)  # noqa: E731
    else:
        formats = {file_format(f) for f in files}
        fmt = formats.pop() if len(formats) == 1 else "mixed"
        count = lambda p, rel: sum(1 for _ in iter_file(p, label=rel))  # noqa: E731
    stream = Stream(kind=kind, files=list(files), format=fmt, defaults=dict(defaults or {}), reader=reader)
    total = 0
    for rel in files:
        p = raw_dir / rel
        stream.sizes[rel] = p.stat().st_size
        stream.sha256[rel] = sha256_file(p)
        total += count(p, rel)
    stream.records = total
    return stream


def write_manifest(snapshot_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest`` to ``snapshot_dir/manifest.json`` atomically and return its path."""
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    target = snapshot_dir / MANIFEST
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(target)
    return target


def _manifest_is_current(snapshot_dir: Path, source: Path, files_by_kind: dict[str, list[str]]) -> bool:
    """True if ``snapshot_dir`` already links ``source`` with a manifest listing exactly these files and sizes."""
    raw = snapshot_dir / "raw"
    if not raw.is_symlink() or Path(os.readlink(raw)) != source:
        return False
    try:
        snap = open_snapshot(snapshot_dir, validate=True)
    except SnapshotError:
        return False
    have = {s.kind: s.files for s in snap.streams}
    return have == files_by_kind and all(s.sizes for s in snap.streams)


def link_reference(
    source_dir: str | os.PathLike[str] | None = None,
    snapshots_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> list[Path]:
    """Make the reference captures usable as snapshots, without copying or modifying them.

    For each capture in :data:`REFERENCE_CAPTURES` found under ``source_dir``
    (default :func:`paths.shared_reference_dir`), creates
    ``snapshots_dir/<name>/`` (default :func:`paths.snapshots_dir`) holding a
    ``manifest.json`` written here and ``raw`` -> a symlink to the capture.
    Idempotent: a snapshot whose link and manifest already match the source
    (same files, same sizes) is left alone, so re-running costs milliseconds.
    ``force`` rewrites the manifests. Returns the snapshot directories.

    Raises :class:`FileNotFoundError` if ``source_dir`` holds none of the captures.
    """
    source_root = Path(source_dir) if source_dir is not None else paths.shared_reference_dir()
    source_root = source_root.resolve()
    target_root = Path(snapshots_dir) if snapshots_dir is not None else paths.snapshots_dir()
    found = [n for n, spec in REFERENCE_CAPTURES.items() if (source_root / spec.get("path", n)).is_dir()]
    if not found:
        raise FileNotFoundError(
            f"no reference captures under {source_root} (expected "
            + ", ".join(spec.get("path", n) for n, spec in REFERENCE_CAPTURES.items()) + ")"
        )
    out = []
    for name in found:
        spec = REFERENCE_CAPTURES[name]
        source = source_root / spec.get("path", name)
        files_by_kind = {
            kind: sorted(str(p.relative_to(source)) for p in source.glob(s["glob"]))
            for kind, s in spec["streams"].items()
        }
        snap_dir = target_root / name
        out.append(snap_dir)
        if not force and _manifest_is_current(snap_dir, source, files_by_kind):
            continue
        snap_dir.mkdir(parents=True, exist_ok=True)
        raw = snap_dir / "raw"
        if raw.is_symlink() or raw.exists():
            if raw.is_symlink():
                raw.unlink()
            else:
                raise SnapshotError(f"{raw} exists and is not a symlink; refusing to replace it")
        raw.symlink_to(source, target_is_directory=True)
        streams = [
            describe_stream(source, kind, files, spec["streams"][kind].get("defaults"),
                            spec["streams"][kind].get("reader"))
            for kind, files in files_by_kind.items()
        ]
        manifest = {
            "name": name,
            "description": spec["description"],
            "source": spec["source"],
            "license": spec["license"],
            "captured_at": spec["captured_at"],
            "client": spec["client"],
            "requested": spec["requested"],
            "streams": [s.to_json() for s in streams],
            "created_by": f"hubcommunity {__version__} (link-reference)",
            "linked_from": str(source),
        }
        for extra in ("role", "captured_at_evidence", "lacks"):
            if extra in spec:
                manifest[extra] = spec[extra]
        write_manifest(snap_dir, manifest)
    return out


# --------------------------------------------------------------------------- CLI


def _how_to_get_a_snapshot(source: Path) -> str:
    """The message printed when no reference captures are found."""
    return (
        f"No reference captures found at {source}.\n"
        "To get a snapshot, either\n"
        "  - point at a copy of the reference captures (a directory holding hub-lists-2024-07/,\n"
        "    model-discussions-2024-01/, model-details-2024-07/):  hubcommunity link-reference --source DIR\n"
        "    (or set HUBCOMMUNITY_REFERENCE_DATA=DIR), or\n"
        "  - collect one live from the Hugging Face Hub:  hubcommunity collect ...  (see hubcommunity collect --help)\n"
    )


def _cmd_link_reference(args: Any) -> int:
    """``hubcommunity link-reference``: link the reference captures as snapshots."""
    import sys

    source = Path(args.source) if args.source else paths.shared_reference_dir()
    try:
        dirs = link_reference(source, args.snapshots_dir, force=args.force)
    except FileNotFoundError:
        sys.stderr.write(_how_to_get_a_snapshot(source))
        return 2
    for d in dirs:
        snap = open_snapshot(d, validate=False)
        counts = ", ".join(f"{s.kind} {s.records:,}" for s in snap.streams)
        print(f"{d}: {counts}")
    return 0


def _cmd_snapshots(args: Any) -> int:
    """``hubcommunity snapshots``: list snapshots with capture dates and record counts."""
    dirs = snapshot_dirs(args.snapshots_dir)
    if not dirs:
        print("No snapshots. Run `hubcommunity link-reference` or `hubcommunity collect ...`.")
        return 0
    for d in dirs:
        try:
            snap = open_snapshot(d, validate=not args.no_check, verify=args.verify)
        except SnapshotError as exc:
            print(f"{d.name}: INVALID: {exc}")
            continue
        print(f"{snap.name}  ({d})")
        for s in snap.streams:
            records = "?" if s.records is None else f"{s.records:,}"
            print(f"  {s.kind:<13} captured {snap.captured_at.get(s.kind, '?'):<10}  "
                  f"{records:>9} records in {len(s.files)} files")
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``link-reference`` and ``snapshots`` to the ``hubcommunity`` command."""
    p = subparsers.add_parser(
        "link-reference",
        help="link the published reference captures as snapshots (writes manifests, never copies)",
    )
    p.add_argument("--source", default=None,
                   help="directory holding the reference captures (hub-lists-2024-07/, model-discussions-2024-01/, "
                        "model-details-2024-07/) "
                        "(default: ../shared/reference-data or $HUBCOMMUNITY_REFERENCE_DATA)")
    p.add_argument("--snapshots-dir", default=None, help="where snapshots live (default: data/snapshots)")
    p.add_argument("--force", action="store_true", help="rewrite the manifests even if current")
    p.set_defaults(func=_cmd_link_reference)

    q = subparsers.add_parser("snapshots", help="list snapshots with capture dates and record counts")
    q.add_argument("--snapshots-dir", default=None, help="a snapshot or a directory of snapshots")
    q.add_argument("--verify", action="store_true", help="also check every file's sha256")
    q.add_argument("--no-check", action="store_true", help="skip the cheap size check")
    q.set_defaults(func=_cmd_snapshots)
