"""Crash-safe storage of a collection in progress: immutable parts plus a journal.

Layout inside the snapshot directory being written::

    raw/<stream>/<stream>-<seq>.jsonl.gz        immutable record files ("parts") of the snapshot's streams
    .collect/<stream>/<stream>-<seq>.jsonl.gz   parts of internal streams (work in progress, e.g. the
                                                commit pages of a repository not finished yet)
    .collect/journal.jsonl                      one line per committed batch
    .collect/run.json                           what was asked (to refuse a mismatched --resume)

A batch is committed by :meth:`Journal.commit`:

1. each stream's records go to ``<part>.tmp``, which is flushed, fsynced and
   renamed to its final name (rename is atomic on POSIX);
2. one JSON line naming the batch's *units* (listing pages, repositories, and
   the requests below a repository: commit pages, discussion-list pages, thread
   details), its parts with record counts, sizes and sha256, and any state (the
   next listing cursor) is appended to the journal and fsynced. **That line is
   the commit.**

On reopening, a torn last journal line is dropped, and any part or temporary
file that no journal line names is deleted: a run killed at any moment (kill
-9 included) loses at most the uncommitted batch, whose units are simply done
again, and never keeps a record twice.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

STREAMS = ("models", "datasets", "spaces", "discussions", "commits", "fetch_errors")
#: Streams that live under ``.collect/`` and never reach the snapshot.
INTERNAL_STREAMS = ("progress",)
STATE_DIR = ".collect"


def fsync_dir(path: Path) -> None:
    """fsync a directory so that renames inside it are durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically: temp file, fsync, rename, fsync dir."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    fsync_dir(target.parent)


def encode_records(records: Iterable[dict]) -> bytes:
    """gzip-compressed JSON lines (UTF-8, compact separators, mtime 0 for reproducible bytes)."""
    lines = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
    return gzip.compress(lines.encode("utf-8"), compresslevel=6, mtime=0)


@dataclass
class PartInfo:
    """A committed part file: path relative to ``raw/``, records, bytes, sha256."""

    stream: str
    file: str
    records: int
    size: int
    sha256: str


@dataclass
class Entry:
    """One committed batch (a journal line)."""

    seq: int
    units: list[str]
    parts: list[PartInfo]
    state: dict[str, Any] = field(default_factory=dict)
    time: float = 0.0  # Unix seconds when committed

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "units": self.units, "parts": [p.__dict__ for p in self.parts],
                "state": self.state}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Entry":
        return cls(obj["seq"], list(obj["units"]), [PartInfo(**p) for p in obj["parts"]], dict(obj.get("state") or {}),
                   float(obj.get("time") or 0.0))


class Journal:
    """The journal of committed batches of one snapshot directory (see the module docstring)."""

    def __init__(self, dest: Path) -> None:
        self.dest = Path(dest)
        self.raw = self.dest / "raw"
        self.state_dir = self.dest / STATE_DIR
        self.path = self.state_dir / "journal.jsonl"
        self.entries: list[Entry] = []
        self.done: set[str] = set()
        self._lock = threading.Lock()

    # -- opening ------------------------------------------------------------------
    def open(self) -> "Journal":
        """Read the journal (dropping a torn last line) and delete uncommitted files."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.raw.mkdir(parents=True, exist_ok=True)
        good: list[str] = []
        if self.path.exists():
            for number, line in enumerate(self.path.read_bytes().decode("utf-8", "replace").splitlines(True), 1):
                try:
                    if not line.endswith("\n"):
                        raise ValueError("torn line")
                    entry = Entry.from_json(json.loads(line))
                except (ValueError, KeyError, TypeError):
                    break  # a line torn by a crash, and nothing after it was committed
                self.entries.append(entry)
                good.append(line)
            atomic_write_bytes(self.path, "".join(good).encode("utf-8"))
        for e in self.entries:
            self.done.update(e.units)
        self._remove_orphans()
        return self

    def _remove_orphans(self) -> None:
        committed = {p.file for e in self.entries for p in e.parts}
        dirs = [d for d in self.raw.iterdir() if d.is_dir()]
        dirs += [self.state_dir / s for s in INTERNAL_STREAMS if (self.state_dir / s).is_dir()]
        for stream_dir in dirs:
            for f in stream_dir.iterdir():
                rel = f"{stream_dir.name}/{f.name}"
                if rel not in committed:
                    f.unlink()

    def path_of(self, part: PartInfo | str, stream: str | None = None) -> Path:
        """The file of a part (``raw/...`` for the snapshot's streams, ``.collect/...`` for internal ones)."""
        rel = part.file if isinstance(part, PartInfo) else part
        stream = part.stream if isinstance(part, PartInfo) else stream
        return (self.state_dir if stream in INTERNAL_STREAMS else self.raw) / rel

    def forget(self, units: Iterable[str]) -> None:
        """Drop ``units`` from :attr:`done` (memory only; the journal keeps them)."""
        self.done.difference_update(units)

    @property
    def next_seq(self) -> int:
        """Sequence number of the next batch."""
        return self.entries[-1].seq + 1 if self.entries else 0

    # -- committing ---------------------------------------------------------------
    def commit(self, units: list[str], records: dict[str, list[dict]], state: dict[str, Any] | None = None) -> Entry:
        """Write ``records`` (``{stream: [record, ...]}``) as new parts and journal ``units`` as done.

        Thread-safe: batches are committed one at a time.
        """
        with self._lock:
            return self._commit(units, records, state)

    def _commit(self, units: list[str], records: dict[str, list[dict]], state: dict[str, Any] | None) -> Entry:
        seq = self.next_seq
        parts = []
        unknown = set(records) - set(STREAMS) - set(INTERNAL_STREAMS)
        if unknown:
            raise ValueError(f"unknown streams {sorted(unknown)}")
        for stream in STREAMS + INTERNAL_STREAMS:
            recs = records.get(stream) or []
            if not recs:
                continue
            rel = f"{stream}/{stream}-{seq:07d}.jsonl.gz"
            data = encode_records(recs)
            atomic_write_bytes(self.path_of(rel, stream), data)
            parts.append(PartInfo(stream, rel, len(recs), len(data), hashlib.sha256(data).hexdigest()))
        entry = Entry(seq, list(units), parts, dict(state or {}), time.time())
        line = json.dumps(entry.to_json(), separators=(",", ":")) + "\n"
        with open(self.path, "ab") as fh:
            fh.write(line.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        self.entries.append(entry)
        self.done.update(units)
        return entry

    # -- reading back -------------------------------------------------------------
    def parts(self, stream: str) -> list[PartInfo]:
        """Committed parts of ``stream`` in commit order."""
        return [p for e in self.entries for p in e.parts if p.stream == stream]

    def iter_records(self, stream: str) -> Iterator[dict]:
        """Every committed record of ``stream``, in commit order."""
        for p in self.parts(stream):
            with gzip.open(self.path_of(p), "rt", encoding="utf-8") as fh:
                for line in fh:
                    yield json.loads(line)

    def last_state(self, key: str) -> Any:
        """The most recent committed value of state ``key`` (None if never set)."""
        for e in reversed(self.entries):
            if key in e.state:
                return e.state[key]
        return None
