"""Reuse an earlier snapshot's per-repository details (incremental collection), in bounded memory.

:class:`PreviousIndex` streams an earlier snapshot (any snapshot with
listing, ``commits`` and ``discussions`` streams, e.g. one this collector
wrote) into an on-disk SQLite index keyed by ``(repo_type, repo_id)``, one
record at a time, and looks repositories up one at a time: memory holds one
repository's records, never the whole snapshot (a whole-Hub capture has
millions of threads: several GB as Python objects). The index lives in the
collection's state folder (``.collect/previous.sqlite``), is built once and
reused by a resumed run.

:meth:`PreviousIndex.reuse_for` returns a :class:`~hubcommunity.collect.details.Reuse`
for a freshly listed repository: its earlier commit record if ``sha`` and
``lastModified`` are both unchanged (and present), and its earlier threads
(reused per thread when unchanged). Where the earlier snapshot holds a
record twice, the later one counts.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from .details import Reuse

LISTING_STREAMS = {"models": "model", "datasets": "dataset", "spaces": "space"}
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE versions (repo_type TEXT, repo_id TEXT, sha TEXT, last_modified TEXT);
CREATE TABLE commits (repo_type TEXT, repo_id TEXT, record TEXT);
CREATE TABLE threads (repo_type TEXT, repo_id TEXT, num INTEGER, record TEXT);
"""
_INDEXES = """
CREATE INDEX versions_repo ON versions (repo_type, repo_id);
CREATE INDEX commits_repo ON commits (repo_type, repo_id);
CREATE INDEX threads_repo ON threads (repo_type, repo_id);
"""
_CHUNK = 5000


def _dumps(rec: dict) -> str:
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


class PreviousIndex:
    """An earlier snapshot's state per repository, in an SQLite file (see the module docstring).

    Open with :meth:`build` (or :meth:`open_or_build`); use from one thread.
    """

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(db_path)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA query_only = ON")
        meta = dict(self._db.execute("SELECT key, value FROM meta"))
        self.name = meta.get("name", "")
        self.source = meta.get("source", "")
        self.counts = json.loads(meta.get("counts", "{}"))

    @classmethod
    def build(cls, snapshot_path: str | Path, db_path: str | Path) -> "PreviousIndex":
        """Index the snapshot at ``snapshot_path`` into ``db_path`` (replaced if present); open it.

        Records stream from the snapshot (validated by
        :func:`hubcommunity.snapshot.open_snapshot`) into the file in chunks of
        5,000; the file appears under its name only when complete.
        """
        from ..snapshot import open_snapshot

        snap = open_snapshot(snapshot_path)
        db_path = Path(db_path)
        tmp = db_path.with_name(db_path.name + ".tmp")
        tmp.unlink(missing_ok=True)
        db = sqlite3.connect(tmp)
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
        counts = {"versions": 0, "commits": 0, "threads": 0}

        def load(table: str, rows) -> None:
            cols = {"versions": 4, "commits": 3, "threads": 4}[table]
            sql = f"INSERT INTO {table} VALUES ({', '.join('?' * cols)})"
            chunk = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= _CHUNK:
                    db.executemany(sql, chunk)
                    counts[table] += len(chunk)
                    chunk.clear()
            db.executemany(sql, chunk)
            counts[table] += len(chunk)

        for stream, repo_type in LISTING_STREAMS.items():
            load("versions", ((repo_type, rec["id"], rec.get("sha"), rec.get("lastModified"))
                              for rec, _pos in snap.iter_records(stream)))
        load("commits", ((rec["repo"]["type"], rec["repo"]["name"], _dumps(rec))
                         for rec, _pos in snap.iter_records("commits")))
        load("threads", ((rec["repo"].get("type", "model"), rec["repo"]["name"], int(rec["num"]), _dumps(rec))
                         for rec, _pos in snap.iter_records("discussions")))
        db.executescript(_INDEXES)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("name", snap.name), ("source", str(Path(snapshot_path).resolve())), ("counts", json.dumps(counts))])
        db.commit()
        db.close()
        os.replace(tmp, db_path)
        return cls(db_path)

    @classmethod
    def open_or_build(cls, snapshot_path: str | Path, db_path: str | Path) -> "PreviousIndex":
        """Open ``db_path`` if it indexes ``snapshot_path`` already (a resumed run), else build it."""
        db_path = Path(db_path)
        if db_path.exists():
            try:
                index = cls(db_path)
                if index.source == str(Path(snapshot_path).resolve()):
                    return index
                index.close()
            except sqlite3.DatabaseError:
                pass
        return cls.build(snapshot_path, db_path)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def version(self, repo_type: str, repo_id: str) -> tuple[str | None, str | None] | None:
        """The earlier ``(sha, lastModified)`` of a repository, or None if it was not listed."""
        rows = self._db.execute("SELECT sha, last_modified FROM versions WHERE repo_type = ? AND repo_id = ? "
                                "ORDER BY rowid", (repo_type, repo_id)).fetchall()
        return tuple(rows[-1]) if rows else None

    def commits(self, repo_type: str, repo_id: str) -> dict | None:
        """The earlier ``commits`` record of a repository, or None."""
        rows = self._db.execute("SELECT record FROM commits WHERE repo_type = ? AND repo_id = ? ORDER BY rowid",
                                (repo_type, repo_id)).fetchall()
        return json.loads(rows[-1][0]) if rows else None

    def threads(self, repo_type: str, repo_id: str) -> dict[int, dict]:
        """The earlier thread details of a repository, by number."""
        out: dict[int, dict] = {}
        for num, record in self._db.execute("SELECT num, record FROM threads WHERE repo_type = ? AND repo_id = ? "
                                            "ORDER BY rowid", (repo_type, repo_id)):
            out[num] = json.loads(record)
        return out

    def reuse_for(self, repo_type: str, repo: dict) -> Reuse:
        """What may be reused for the listed repository object ``repo``."""
        rid = repo["id"]
        reuse = Reuse(threads=self.threads(repo_type, rid))
        old = self.version(repo_type, rid)
        new = (repo.get("sha"), repo.get("lastModified"))
        if old is not None and None not in old and old == new:
            reuse.commits = self.commits(repo_type, rid)
        return reuse
