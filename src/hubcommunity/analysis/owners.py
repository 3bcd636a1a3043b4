"""Who makes the adopted models: owners, kinds of owner, and their shares of adoption.

An *owner* is the account a repository id starts with (the part before the
first ``/``), as in the paper's ``hf-spaces-dependencies.py`` (METHODS.md,
RQ3). The *kind* of an owner comes from the curated data file
``data/owner_kinds.csv`` (columns ``owner, kind, source``), one row per
owner, with the evidence or rationale for the kind in ``source``:

``company``
    a for-profit firm or a team inside one (including Hugging Face's own
    organisations that re-host other firms' legacy checkpoints);
``academic``
    a university group, or a publicly funded research institute (e.g. TII,
    BAAI) — science institutions that are neither firms nor private charities;
``non-profit``
    a privately run non-profit (EleutherAI, AI2, LAION) or a public
    non-research body (a state library);
``individual``
    a person's account (or a couple of people sharing one), classified by the
    account even when its holder works for a firm;
``automated``
    an account that a script or a service runs to publish models on other
    people's behalf (e.g. ``automerger``, fed by a merging Space): not a
    person, not an organisation.

An empty ``kind`` means the owner was looked at and could not be classified
honestly (mixed or unknown); the ``source`` column says why. Owners not in the
file at all are *unclassified* too. Every share function reports the
unclassified share beside the classified ones, so the reader sees how much of
the adoption the classification covers.

*Mass producers* (``data/mass_producers.csv``, columns ``account, activity,
evidence``, loaded by :func:`load_mass_producers`) are accounts that publish
derived models by the hundred or thousand -- quantizers, mergers, automated
merge services and sweeps of many fine-tunes of a few bases -- so that
derivation adoption can be reported with and without them (RQ3).

All functions are pure (no I/O) except the two loaders.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from hubcommunity.paths import data_dir

__all__ = [
    "OWNER_KINDS",
    "UNCLASSIFIED",
    "MASS_ACTIVITIES",
    "load_mass_producers",
    "validate_mass_producers",
    "owner_of",
    "load_owner_kinds",
    "validate_owner_kinds",
    "kind_of",
    "owner_adoption",
    "top_owner_shares",
    "share_by_kind",
]

#: Allowed kinds of owner, in the order the book shows them.
OWNER_KINDS = ("company", "academic", "non-profit", "individual", "automated")

#: Label for owners with no kind (absent from the file, or left empty in it).
UNCLASSIFIED = "unclassified"

_COLUMNS = ("owner", "kind", "source")

#: What a mass producer publishes (``data/mass_producers.csv``, column ``activity``):
#: quantized copies of many models; merges; merges made by a service for others;
#: many fine-tunes of a few bases (hyperparameter or data sweeps).
MASS_ACTIVITIES = ("quantizer", "merger", "automated", "sweep")

_MASS_COLUMNS = ("account", "activity", "evidence")


def owner_of(repo_ids: pd.Series) -> pd.Series:
    """Owner of each repository id: the part before the first ``/``.

    Input: a Series of ids (str). Output: a string Series, ``<NA>`` for ids
    with no ``/`` (legacy un-prefixed model ids such as ``gpt2`` have no
    owner account) and for missing ids.
    """
    ids = pd.Series(repo_ids).astype("string")
    has_owner = ids.str.contains("/", regex=False).fillna(False).astype(bool)
    owners = ids.str.split("/", n=1).str[0]
    return owners.where(has_owner, pd.NA).astype("string")


def validate_owner_kinds(table: pd.DataFrame, where: str = "owner_kinds.csv") -> pd.DataFrame:
    """Check an owner-kinds table and return it with ``kind`` normalised.

    Rules (each violation raises ``ValueError`` naming ``where`` and the
    1-based line of the CSV, header = line 1): columns exactly
    ``owner, kind, source``; ``owner`` non-empty, without ``/`` and unique;
    ``kind`` empty or one of :data:`OWNER_KINDS`; ``source`` non-empty (every
    row, classified or not, says why). Empty kinds become ``<NA>``.
    """
    if tuple(table.columns) != _COLUMNS:
        raise ValueError(f"{where}: columns must be {list(_COLUMNS)}, got {list(table.columns)}")
    table = table.fillna("").astype(str).apply(lambda c: c.str.strip())
    seen: dict[str, int] = {}
    for i, row in enumerate(table.itertuples(index=False), start=2):
        if not row.owner or "/" in row.owner:
            raise ValueError(f"{where}, line {i}: bad owner {row.owner!r}")
        if row.owner in seen:
            raise ValueError(f"{where}, line {i}: owner {row.owner!r} repeats line {seen[row.owner]}")
        seen[row.owner] = i
        if row.kind and row.kind not in OWNER_KINDS:
            raise ValueError(
                f"{where}, line {i}: kind {row.kind!r} of {row.owner!r} is not one of {list(OWNER_KINDS)} (or empty)"
            )
        if not row.source:
            raise ValueError(f"{where}, line {i}: owner {row.owner!r} has no source/rationale")
    out = table.copy()
    out["kind"] = out["kind"].replace("", pd.NA).astype("string")
    out["owner"] = out["owner"].astype("string")
    out["source"] = out["source"].astype("string")
    return out.reset_index(drop=True)


def _read_strict_csv(path: Path) -> pd.DataFrame:
    """Every field of the CSV file ``path`` as a string; raises ``ValueError`` naming the file (and the
    line) when it is empty or a row has another number of fields than the header."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"{path}: empty file")
    header, body = rows[0], rows[1:]
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {i}: {len(row)} fields, expected {len(header)}")
    return pd.DataFrame(body, columns=header, dtype=str)


def load_owner_kinds(path: Path | str | None = None) -> pd.DataFrame:
    """Read and validate ``data/owner_kinds.csv`` (or ``path``).

    Returns a DataFrame ``owner, kind, source`` (``kind`` ``<NA>`` where the
    file leaves it empty). Raises ``ValueError`` naming the file and line of
    the first bad row (see :func:`validate_owner_kinds`).
    """
    path = Path(path) if path is not None else data_dir() / "owner_kinds.csv"
    return validate_owner_kinds(_read_strict_csv(path), where=str(path))


def validate_mass_producers(table: pd.DataFrame, where: str = "mass_producers.csv") -> pd.DataFrame:
    """Check a mass-producers table and return it stripped.

    Rules (each violation raises ``ValueError`` naming ``where`` and the
    1-based CSV line): columns exactly ``account, activity, evidence``;
    ``account`` non-empty, without ``/``, unique ignoring case; ``activity``
    one of :data:`MASS_ACTIVITIES`; ``evidence`` non-empty.
    """
    if tuple(table.columns) != _MASS_COLUMNS:
        raise ValueError(f"{where}: columns must be {list(_MASS_COLUMNS)}, got {list(table.columns)}")
    table = table.fillna("").astype(str).apply(lambda c: c.str.strip())
    seen: dict[str, int] = {}
    for i, row in enumerate(table.itertuples(index=False), start=2):
        if not row.account or "/" in row.account:
            raise ValueError(f"{where}, line {i}: bad account {row.account!r}")
        if row.account.lower() in seen:
            raise ValueError(f"{where}, line {i}: account {row.account!r} repeats line {seen[row.account.lower()]}")
        seen[row.account.lower()] = i
        if row.activity not in MASS_ACTIVITIES:
            raise ValueError(f"{where}, line {i}: activity {row.activity!r} of {row.account!r} is not one of "
                             f"{list(MASS_ACTIVITIES)}")
        if not row.evidence:
            raise ValueError(f"{where}, line {i}: account {row.account!r} has no evidence")
    return table.astype("string").reset_index(drop=True)


def load_mass_producers(path: Path | str | None = None) -> pd.DataFrame:
    """Read and validate ``data/mass_producers.csv`` (or ``path``): ``account, activity, evidence``.

    Raises ``ValueError`` naming the file and line of the first bad row
    (see :func:`validate_mass_producers`).
    """
    path = Path(path) if path is not None else data_dir() / "mass_producers.csv"
    return validate_mass_producers(_read_strict_csv(path), where=str(path))


def kind_of(owners: pd.Series, kinds: pd.DataFrame) -> pd.Series:
    """Kind of each owner (str Series); :data:`UNCLASSIFIED` where unknown.

    ``kinds`` is the output of :func:`load_owner_kinds`. Owners missing from
    it, with an empty kind, or missing themselves (``<NA>``) are unclassified.
    """
    mapping = kinds.dropna(subset=["kind"]).set_index("owner")["kind"]
    return owners.astype("string").map(mapping).fillna(UNCLASSIFIED).astype("string")


def owner_adoption(adoption: pd.DataFrame, column: str = "adoption") -> pd.DataFrame:
    """Adoption summed per owner, largest first.

    Input: one row per model with ``owner`` and a non-negative count
    ``column`` (e.g. spaces using the model, or models derived from it).
    Models without an owner are grouped under ``<NA>`` and kept (they are
    part of the total). Output columns: ``owner``, ``models`` (rows), ``models_adopted``
    (rows with count > 0), ``adoption`` (sum), ``share`` (of the grand total,
    0-1), ``rank`` (1 = largest; ties broken by owner name).
    """
    grouped = (
        adoption.assign(_adopted=(adoption[column] > 0).astype("int64"))
        .groupby("owner", dropna=False, sort=False)
        .agg(models=(column, "size"), models_adopted=("_adopted", "sum"), adoption=(column, "sum"))
        .reset_index()
    )
    total = grouped["adoption"].sum()
    grouped["share"] = grouped["adoption"] / total if total else np.nan
    grouped = grouped.sort_values(["adoption", "owner"], ascending=[False, True], na_position="last")
    grouped["rank"] = np.arange(1, len(grouped) + 1)
    grouped["adoption"] = grouped["adoption"].astype("int64")
    return grouped.reset_index(drop=True)


def top_owner_shares(adoption: pd.DataFrame, column: str = "adoption", ks=(1, 5, 10)) -> dict[int, float]:
    """Share (0-1) of all adoption held by the ``k`` most adopted owners, for each ``k``.

    Models without an owner (``<NA>``) count in the total but never as a top
    owner. Returns ``{k: share}``; NaN when the total is 0.
    """
    per_owner = owner_adoption(adoption, column)
    total = per_owner["adoption"].sum()
    named = per_owner.dropna(subset=["owner"])
    return {int(k): (float(named["adoption"].head(k).sum() / total) if total else float("nan")) for k in ks}


def share_by_kind(adoption: pd.DataFrame, kinds: pd.DataFrame, column: str = "adoption") -> pd.DataFrame:
    """Adoption held by each kind of owner, with the unclassified remainder.

    Input: one row per model with ``owner`` and ``column``; ``kinds`` from
    :func:`load_owner_kinds`. Output: one row per kind in the order
    :data:`OWNER_KINDS` then :data:`UNCLASSIFIED` (every kind present, zero
    if none), with ``owners`` (distinct named owners with adoption > 0; models without an owner add none),
    ``models_adopted`` (models with adoption > 0), ``adoption`` (sum) and
    ``share`` (of the total, 0-1; the shares sum to 1).
    """
    per_owner = owner_adoption(adoption, column)
    per_owner["kind"] = kind_of(per_owner["owner"], kinds)
    adopted = per_owner[per_owner["adoption"] > 0]
    out = (
        adopted.groupby("kind")
        .agg(owners=("owner", "count"), models_adopted=("models_adopted", "sum"), adoption=("adoption", "sum"))
        .reindex(list(OWNER_KINDS) + [UNCLASSIFIED], fill_value=0)
        .rename_axis("kind")
        .reset_index()
    )
    total = out["adoption"].sum()
    out["share"] = out["adoption"] / total if total else np.nan
    return out.astype({"owners": "int64", "models_adopted": "int64", "adoption": "int64"})
