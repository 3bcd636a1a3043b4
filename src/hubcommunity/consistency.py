"""One quantity, one name: the chapters' results files must not contradict each other.

Chapters record what they quote in ``results/<chapter>.json`` (:mod:`hubcommunity.results`).
When two chapters record the same quantity -- the same key, or the same description --
a reader citing either must get the same number, so both records must carry the same
value, and a key shared by two chapters must carry the same description too. A
quantity measured on a different base (say, bots' share of *all* threads against their
share of the threads on listed models) needs its own key and a description that says
the base.

:func:`quantity_conflicts` lists every violation; ``tests/test_claims.py`` runs it on
the built book and on hand-made records.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

__all__ = ["quantity_conflicts"]


def _same(a, b) -> bool:
    """Equal values: numbers to 1e-9 relative (or 1e-12 absolute), anything else exactly."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _entries(records: Mapping[str, dict]):
    """``(chapter, key, value, description)`` of every number and text in ``records``."""
    for chapter, record in sorted(records.items()):
        for item in list(record.get("numbers", [])) + list(record.get("texts", [])):
            yield chapter, item["key"], item["value"], (item.get("description") or "").strip()


def quantity_conflicts(records: Mapping[str, dict]) -> list[str]:
    """Every quantity that two or more chapters record inconsistently, as messages.

    ``records``: ``{chapter: results record}`` (:func:`hubcommunity.results.load_results`).
    A message is returned for a key recorded by several chapters with different values or
    different descriptions, and for a (non-empty) description recorded by several chapters
    with different values. Records within one chapter are not compared (keys are unique
    there by construction). Returns ``[]`` when the book is consistent.
    """
    by_key, by_description = defaultdict(list), defaultdict(list)
    for chapter, key, value, description in _entries(records):
        by_key[key].append((chapter, value, description))
        if description:
            by_description[description].append((chapter, key, value))
    problems = []
    for key, rows in sorted(by_key.items()):
        if len({c for c, _, _ in rows}) < 2:
            continue
        first = rows[0]
        if any(not _same(v, first[1]) for _, v, _ in rows[1:]):
            problems.append(f"key {key!r} has different values: "
                            + "; ".join(f"{c}: {v!r}" for c, v, _ in rows))
        if len({d for _, _, d in rows}) > 1:
            problems.append(f"key {key!r} has different descriptions: "
                            + "; ".join(f"{c}: {d!r}" for c, _, d in rows))
    for description, rows in sorted(by_description.items()):
        if len({c for c, _, _ in rows}) < 2:
            continue
        if any(not _same(v, rows[0][2]) for _, _, v in rows[1:]):
            problems.append(f"description {description!r} has different values: "
                            + "; ".join(f"{c}.{k}: {v!r}" for c, k, v in rows))
    return problems
