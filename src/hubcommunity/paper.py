"""What the reproduced paper claims, and the three kinds of verdict the book gives each claim.

Osborne, Ding & Kirk (2024), "The AI Community Building the Future? A Quantitative
Analysis of Development Activity on Hugging Face Hub" (J. Comput. Soc. Sci. 7(2);
arXiv 2405.13058). ``data/paper_claims.csv`` holds every claim of the paper that
could be read (its abstract and the first paragraphs of its introduction; the
body of the paper could not be consulted for this book): one row per claim, with
its value where it has one, the section it comes from, a short quotation and its
address, the research question, and the page of the book that records the
verdict on it (``verdict_in``). Chapters quote the paper's numbers from here, never
typed in prose.

Each claim gets exactly one verdict, recorded by the page that tests it with
:func:`verdict_records` as two glued texts, ``tier_<key>`` (one of :data:`TIERS`)
and ``verdict_<key>`` (the finding in a few words), which the discussion's claims
table pastes. The tiers:

* :data:`REPRODUCED` -- the paper's own measure, run on real data of the whole Hub,
  agrees with the paper;
* :data:`SUBSTITUTE` -- a different measure, or the paper's measure on a different
  population, stands in for what the paper measured; the verdict says which;
* :data:`NOT_TESTABLE` -- nothing in these captures measures the claim at the
  paper's date; the verdict says what the data do show, if anything.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from hubcommunity import paths
from hubcommunity.analysis import records as rec

#: Columns of ``data/paper_claims.csv``.
COLUMNS = ["key", "claim", "value", "unit", "comparison", "source", "section", "quote", "url", "rq", "verdict_in"]

#: How the paper states a value: exactly, as a bound ("over 70%"), or in words only (no value).
COMPARISONS = {"exact", "more than", "less than", "qualitative"}

#: The part of the paper a claim belongs to.
QUESTIONS = {"data", "RQ1", "RQ2", "RQ3", "overall"}

#: The three verdict tiers (see the module docstring), in the order the book lists them.
REPRODUCED = "Reproduced on real data"
SUBSTITUTE = "Tested with a substitute measure"
NOT_TESTABLE = "Not testable with these data"
TIERS = (REPRODUCED, SUBSTITUTE, NOT_TESTABLE)

_PAGE = re.compile(r"^[a-z0-9_]+\.md$")


def claims_path() -> Path:
    """Return the path of ``data/paper_claims.csv``."""
    return paths.data_dir() / "paper_claims.csv"


def _check_row(path: Path, line: int, row: pd.Series) -> float:
    """Return the row's value (NaN for a qualitative claim); ValueError naming file and line."""
    where = f"{path}:{line}"
    if not row["key"] or not row["claim"]:
        raise ValueError(f"{where}: key and claim must not be empty")
    if row["comparison"] not in COMPARISONS:
        raise ValueError(f"{where}: comparison {row['comparison']!r} is not one of {sorted(COMPARISONS)}")
    if row["rq"] not in QUESTIONS:
        raise ValueError(f"{where}: rq {row['rq']!r} is not one of {sorted(QUESTIONS)}")
    if not _PAGE.match(row["verdict_in"]):
        raise ValueError(f"{where}: verdict_in {row['verdict_in']!r} is not a page of the book (name.md)")
    if not row["quote"] or not row["section"] or not row["url"].startswith("https://"):
        raise ValueError(f"{where}: section, quote and an https url are required")
    if row["comparison"] == "qualitative":
        if row["value"]:
            raise ValueError(f"{where}: a qualitative claim has no value (got {row['value']!r})")
        return math.nan
    try:
        return float(row["value"])
    except ValueError:
        raise ValueError(f"{where}: value {row['value']!r} is not a number") from None


def load_paper_claims(path: Path | str | None = None) -> pd.DataFrame:
    """Return the paper's claims: one row per claim, columns :data:`COLUMNS`.

    ``value`` is a float (shares as fractions, counts as whole numbers; NaN for a
    qualitative claim). Raises ``ValueError`` naming the file and line of a
    malformed row (missing column, duplicate key, non-numeric value, unknown
    comparison or research question, a page that is not ``name.md``).
    """
    path = Path(path) if path is not None else claims_path()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {COLUMNS}")
    values = [_check_row(path, i + 2, row) for i, row in frame.iterrows()]  # header is line 1
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


def value_records(keys, claims: pd.DataFrame | None = None) -> list[dict]:
    """Number records ``paper_<key>`` of the paper's values for ``keys`` (claims with a value):
    counts as whole numbers, shares as whole percentages, as the paper states them. One
    description per claim (``The paper: <claim> (<section>)``), so every page that quotes a
    paper value records it the same way."""
    claims = load_paper_claims() if claims is None else claims
    rows = claims.set_index("key")
    out = []
    for key in keys:
        if key not in rows.index:
            raise KeyError(f"no paper claim {key!r}; known: {sorted(rows.index)}")
        row = rows.loc[key]
        if row["comparison"] == "qualitative":
            raise ValueError(f"paper claim {key!r} is qualitative: it has no value to record")
        share = row["unit"].startswith("share")
        value = float(row["value"]) if share else int(row["value"])
        out.append(rec.number(f"paper_{key}", value, row["unit"], f"The paper: {row['claim']} ({row['section']})",
                              "{:.0%}" if share else None))
    return out


def verdict_records(key: str, tier: str, verdict: str, claims: pd.DataFrame | None = None) -> list[dict]:
    """The verdict on the paper's claim ``key``: text records ``tier_<key>`` and ``verdict_<key>``.

    ``tier``: one of :data:`TIERS`; ``verdict``: the finding in a few words (a
    sentence fragment, no final full stop). Raises ``KeyError`` for a key that is
    not a claim of ``data/paper_claims.csv`` and ``ValueError`` for an unknown tier
    or an empty verdict. Record them with :func:`hubcommunity.analysis.records.record_all`.
    """
    claims = load_paper_claims() if claims is None else claims
    row = claims.loc[claims["key"] == key]
    if row.empty:
        raise KeyError(f"no paper claim {key!r}; known: {sorted(claims['key'])}")
    if tier not in TIERS:
        raise ValueError(f"tier {tier!r} of claim {key!r} is not one of {TIERS}")
    if not verdict.strip():
        raise ValueError(f"empty verdict for claim {key!r}")
    what = row["claim"].iloc[0]
    return [rec.text(f"tier_{key}", tier, f"Verdict tier on the paper's claim: {what}"),
            rec.text(f"verdict_{key}", verdict.strip(), f"Verdict on the paper's claim: {what}")]
