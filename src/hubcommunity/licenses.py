"""License ids -> license groups, from the project data file ``data/license_groups.csv``.

The paper compares collaboration between models with *permissive*,
*restrictive* and *no* licence (Osborne, Ding & Kirk 2024, RQ1). The grouping
of the Hub's license ids is a *decision* of this project (``METHODS.md``):

- ``permissive``: use, modify and redistribute with at most attribution
  (apache-2.0, mit, bsd-*, cc-by-*, cc0, unlicense, ...);
- ``restrictive``: copyleft or share-alike (gpl, lgpl, agpl, cc-by-sa, ...),
  non-commercial or no-derivatives (cc-by-nc*, cc-by-nd*), or use-restricted
  model licences (openrail*, llama2/llama3, gemma, ...);
- ``other``: a licence whose terms the tag does not tell (``other``,
  ``unknown``, bare ``cc``) - its own group, never merged into another;
- ``none``: the repository has no ``license:`` tag at all.

Every id seen in the reference captures has a row with a one-line rationale.
An id not in the file (a new snapshot may bring one) maps to ``unmapped``:
:mod:`hubcommunity.tables` warns about it and counts it in ``Tables.report``,
so it is never silently put into a group.
"""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path

import pandas as pd

from hubcommunity import paths

#: The groups a license id can map to in the data file.
GROUPS = ("permissive", "restrictive", "other")
#: Group of a repository with no ``license:`` tag.
NO_LICENSE = "none"
#: Group of a license id that the data file does not list.
UNMAPPED = "unmapped"
#: Every value ``license_group`` can take, in display order.
ALL_GROUPS = (*GROUPS, NO_LICENSE, UNMAPPED)


class LicenseDataError(ValueError):
    """The license groups file is malformed (names the file and line)."""


def license_groups_path() -> Path:
    """Path of the license groups data file, ``data/license_groups.csv``."""
    return paths.data_dir() / "license_groups.csv"


def read_license_groups(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and check the license groups file.

    Returns a DataFrame with columns ``license_id, group, rationale`` in file
    order. Raises :class:`LicenseDataError` naming the file and line for a
    missing column, an empty id or rationale, a group not in :data:`GROUPS`,
    or an id listed twice.
    """
    path = Path(path) if path is not None else license_groups_path()
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        want = ["license_id", "group", "rationale"]
        if reader.fieldnames != want:
            raise LicenseDataError(f"{path}, line 1: columns must be {want}, found {reader.fieldnames}")
        rows, seen = [], {}
        for lineno, row in enumerate(reader, start=2):
            lid = (row["license_id"] or "").strip()
            group = (row["group"] or "").strip()
            why = (row["rationale"] or "").strip()
            if not lid:
                raise LicenseDataError(f"{path}, line {lineno}: empty license_id")
            if group not in GROUPS:
                raise LicenseDataError(
                    f"{path}, line {lineno} ({lid}): group {group!r} is not one of {', '.join(GROUPS)}"
                )
            if not why:
                raise LicenseDataError(f"{path}, line {lineno} ({lid}): empty rationale")
            if lid in seen:
                raise LicenseDataError(f"{path}, line {lineno}: {lid} already listed on line {seen[lid]}")
            seen[lid] = lineno
            rows.append((lid, group, why))
    return pd.DataFrame(rows, columns=["license_id", "group", "rationale"])


@functools.lru_cache(maxsize=8)
def _groups_cached(path: str, mtime_ns: int) -> dict[str, str]:
    """Return ``{license_id: group}`` for ``path`` (cached per file version)."""
    df = read_license_groups(path)
    return dict(zip(df["license_id"], df["group"]))


def license_group_map(path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Return ``{license_id: group}`` from the data file (re-read when it changes)."""
    p = Path(path) if path is not None else license_groups_path()
    return _groups_cached(str(p), p.stat().st_mtime_ns)


def license_group(license_id: str | None, mapping: dict[str, str] | None = None) -> str:
    """Return the group of one license id.

    ``None`` or ``""`` (no ``license:`` tag) -> ``"none"``; an id the file does
    not list -> ``"unmapped"``. Ids are compared in lower case, as the Hub
    writes them.
    """
    if not license_id:
        return NO_LICENSE
    mapping = mapping if mapping is not None else license_group_map()
    return mapping.get(license_id.lower(), UNMAPPED)


def licenses_from_tags(tags: list[str] | None) -> list[str]:
    """Return the license ids in a repository's ``tags`` (``license:<id>``), in tag order."""
    if not tags:
        return []
    return [t[8:] for t in tags if isinstance(t, str) and t.startswith("license:")]
