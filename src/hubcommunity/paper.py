"""What the reproduced paper reports: its headline numbers, as a curated data file.

Osborne, Ding & Kirk (2024), "The AI Community Building the Future? A Quantitative
Analysis of Development Activity on Hugging Face Hub" (J. Comput. Soc. Sci. 7(2);
arXiv 2405.13058). Only the abstract's numbers can be checked against the paper's
own text; they live in ``data/paper_claims.csv`` (one row per claim, with where it
is stated) so that the book quotes them from one place, never typed in prose.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hubcommunity import paths

#: Columns of ``data/paper_claims.csv``.
COLUMNS = ["key", "claim", "value", "unit", "comparison", "source"]

#: How the paper states a value: exactly, or as a bound ("over 70%").
COMPARISONS = {"exact", "more than", "less than"}


def claims_path() -> Path:
    """Return the path of ``data/paper_claims.csv``."""
    return paths.data_dir() / "paper_claims.csv"


def load_paper_claims(path: Path | str | None = None) -> pd.DataFrame:
    """Return the paper's claims: one row per claim, columns :data:`COLUMNS`.

    ``value`` is a float (shares as fractions, counts as whole numbers).
    Raises ``ValueError`` naming the file and line of a malformed row (missing
    column, duplicate key, non-numeric value, unknown comparison).
    """
    path = Path(path) if path is not None else claims_path()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {COLUMNS}")
    values = []
    for i, row in frame.iterrows():
        line = i + 2  # header is line 1
        if not row["key"] or not row["claim"]:
            raise ValueError(f"{path}:{line}: key and claim must not be empty")
        if row["comparison"] not in COMPARISONS:
            raise ValueError(
                f"{path}:{line}: comparison {row['comparison']!r} is not one of {sorted(COMPARISONS)}"
            )
        try:
            values.append(float(row["value"]))
        except ValueError:
            raise ValueError(f"{path}:{line}: value {row['value']!r} is not a number") from None
    duplicated = frame["key"][frame["key"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"{path}: duplicate key(s) {duplicated}")
    frame["value"] = values
    return frame[COLUMNS].reset_index(drop=True)


def claim(key: str, claims: pd.DataFrame | None = None) -> float:
    """Return the value of the paper's claim ``key`` (KeyError naming known keys if absent)."""
    claims = load_paper_claims() if claims is None else claims
    match = claims.loc[claims["key"] == key, "value"]
    if match.empty:
        raise KeyError(f"no paper claim {key!r}; known: {sorted(claims['key'])}")
    return float(match.iloc[0])
