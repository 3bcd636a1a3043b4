"""Reuse an earlier snapshot's per-repository details (incremental collection).

:func:`load_previous` reads an earlier snapshot (any snapshot with listing,
``commits`` and ``discussions`` streams, e.g. one this collector wrote) into
an index keyed by ``(repo_type, repo_id)``. :meth:`Previous.reuse_for` returns
a :class:`~hubcommunity.collect.details.Reuse` for a freshly listed repository:
its earlier commit record if ``sha`` and ``lastModified`` are both unchanged
(and present), and its earlier threads (reused per thread when unchanged).

The index holds every commit and thread record of the earlier snapshot in
memory: fine for samples and organisations, several GB for the whole Hub.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .details import Reuse

LISTING_STREAMS = {"models": "model", "datasets": "dataset", "spaces": "space"}


@dataclass
class Previous:
    """An earlier snapshot's state per repository."""

    name: str
    versions: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)
    commits: dict[tuple[str, str], dict] = field(default_factory=dict)
    threads: dict[tuple[str, str], dict[int, dict]] = field(default_factory=dict)

    def reuse_for(self, repo_type: str, repo: dict) -> Reuse:
        """What may be reused for the listed repository object ``repo``."""
        key = (repo_type, repo["id"])
        reuse = Reuse(threads=self.threads.get(key, {}))
        old = self.versions.get(key)
        new = (repo.get("sha"), repo.get("lastModified"))
        if old is not None and None not in old and old == new:
            reuse.commits = self.commits.get(key)
        return reuse


def load_previous(path: str | Path) -> Previous:
    """Index the snapshot at ``path`` (validated through :func:`hubcommunity.snapshot.open_snapshot`)."""
    from ..snapshot import open_snapshot

    snap = open_snapshot(path)
    prev = Previous(name=snap.name)
    for stream, repo_type in LISTING_STREAMS.items():
        for rec, _pos in snap.iter_records(stream):
            prev.versions[(repo_type, rec["id"])] = (rec.get("sha"), rec.get("lastModified"))
    for rec, _pos in snap.iter_records("commits"):
        prev.commits[(rec["repo"]["type"], rec["repo"]["name"])] = rec
    for rec, _pos in snap.iter_records("discussions"):
        repo = rec["repo"]
        prev.threads.setdefault((repo.get("type", "model"), repo["name"]), {})[rec["num"]] = rec
    return prev
