"""Headline numbers as records: what a chapter quotes, built by pure analysis functions.

A section's "headline numbers" are returned by analysis functions as a list of
records, one ``dict`` per quoted value, in the keyword form of
:meth:`hubcommunity.results.ChapterResults.number` (``key, value, unit,
description, fmt``) or, for short strings such as a capture date or a verdict,
of :meth:`~hubcommunity.results.ChapterResults.text` (``key, value,
description`` plus ``"text": True``). The chapter then records them in one line::

    record_all(res, ac.summary_numbers(summary))

so the notebook cell holds no arithmetic and the numbers are testable without a
notebook. The builders here only shape records; they compute nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["number", "share", "count", "text", "record_all", "as_dict"]


def number(key: str, value, unit: str, description: str, fmt: str | None = None) -> dict:
    """A number record: ``value`` in ``unit``, shown with ``fmt`` (``str.format``; None: default)."""
    return {"key": key, "value": value, "unit": unit, "description": description, "fmt": fmt}


def share(key: str, value, description: str, fmt: str = "{:.1%}", unit: str = "share") -> dict:
    """A share record: ``value`` a fraction in [0, 1] (float), shown as a percentage by default."""
    return number(key, float(value), unit, description, fmt)


def count(key: str, value, unit: str, description: str) -> dict:
    """A count record: ``value`` converted to ``int`` (a number of ``unit``)."""
    return number(key, int(value), unit, description)


def text(key: str, value: str, description: str) -> dict:
    """A text record (a date, a name, a verdict in words): recorded with ``ChapterResults.text``."""
    return {"key": key, "value": str(value), "description": description, "text": True}


def record_all(res, records: Iterable[dict]) -> dict[str, str]:
    """Record every record on ``res`` (a :class:`~hubcommunity.results.ChapterResults`), in order.

    Number records go to ``res.number``, text records (``"text": True``) to ``res.text``.
    Returns ``{key: text as glued}`` (formatted numbers), for prose written by a cell.
    """
    shown = {}
    for r in records:
        if r.get("text"):
            shown[r["key"]] = res.text(r["key"], r["value"], description=r.get("description", ""))
        else:
            shown[r["key"]] = res.number(r["key"], r["value"], unit=r["unit"], description=r["description"],
                                         fmt=r.get("fmt"))
    return shown


def as_dict(records: Iterable[dict]) -> dict:
    """``{key: value}`` of records (for tests and for prose that needs the raw values)."""
    return {r["key"]: r["value"] for r in records}
