"""How to cite the book and each of its figures and tables.

The book's citation metadata lives in one place, ``CITATION.cff`` at the project
root (Citation File Format 1.2.0). This module reads it and turns it into
"cite this" snippets — plain text and BibTeX — for the whole book and for one
labelled figure or table. The Sphinx extension :mod:`hubcommunity.sphinx_cite`
calls :func:`item_citation` for every labelled figure and table of the built
site, so chapters get their snippets without doing anything.

All functions here are pure (no Sphinx, no network); only
:func:`load_book_citation` reads a file.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hubcommunity import paths

#: Kinds of citable items and the word used for them in a citation.
KIND_WORDS = {"figure": "Figure", "table": "Table"}


@dataclass(frozen=True)
class BookCitation:
    """What a citation of the book needs (read from ``CITATION.cff``).

    ``authors`` are display names ("Family, Given" for persons, the name for
    entities), ``year`` is the release year, ``url`` the published site (may be
    empty), ``doi`` may be empty.
    """

    title: str
    version: str
    authors: tuple[str, ...]
    year: int
    url: str = ""
    doi: str = ""
    license: str = ""
    extra: dict = field(default_factory=dict, compare=False, repr=False)


def citation_path() -> Path:
    """Return the path of the project's ``CITATION.cff``."""
    return paths.project_root() / "CITATION.cff"


def _author_name(author: dict, where: str) -> str:
    """Return the display name of one CFF author (person or entity)."""
    if not isinstance(author, dict):
        raise ValueError(f"{where}: an author must be a mapping, got {author!r}")
    if author.get("family-names"):
        given = author.get("given-names", "")
        particle = author.get("name-particle", "")
        family = f"{particle} {author['family-names']}".strip()
        return f"{family}, {given}".strip(", ")
    if author.get("name"):
        return str(author["name"])
    raise ValueError(f"{where}: an author needs family-names or name: {author!r}")


def _release_year(data: dict) -> int:
    """Return the year of ``date-released``, else of ``$SOURCE_DATE_EPOCH``, else today (UTC)."""
    released = data.get("date-released")
    if isinstance(released, (_dt.date, _dt.datetime)):
        return released.year
    if isinstance(released, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", released):
        return int(released[:4])
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).year
    return _dt.datetime.now(tz=_dt.timezone.utc).year


def parse_book_citation(data: dict, where: str = "CITATION.cff") -> BookCitation:
    """Return a :class:`BookCitation` from parsed CFF data (a dict).

    Raises ``ValueError`` naming ``where`` and the key when ``title``,
    ``version`` or ``authors`` is missing or malformed.
    """
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a mapping at the top level")
    for key in ("title", "version", "authors"):
        if not data.get(key):
            raise ValueError(f"{where}: missing required key {key!r}")
    authors = data["authors"]
    if not isinstance(authors, list):
        raise ValueError(f"{where}: 'authors' must be a list")
    names = tuple(_author_name(a, f"{where}: authors[{i}]") for i, a in enumerate(authors))
    return BookCitation(
        title=str(data["title"]),
        version=str(data["version"]),
        authors=names,
        year=_release_year(data),
        url=str(data.get("url", "") or ""),
        doi=str(data.get("doi", "") or ""),
        license=str(data.get("license", "") or ""),
        extra=data,
    )


def load_book_citation(path: Path | str | None = None) -> BookCitation:
    """Read ``CITATION.cff`` (default :func:`citation_path`) into a :class:`BookCitation`."""
    path = Path(path) if path is not None else citation_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc})") from exc
    return parse_book_citation(data, where=str(path))


def join_authors(names: tuple[str, ...]) -> str:
    """Return author names joined for a plain-text citation ("A, B and C")."""
    names = tuple(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def bibtex_escape(text: str) -> str:
    """Return ``text`` safe inside a braced BibTeX field (escapes ``& % $ # _``)."""
    return re.sub(r"([&%$#_])", r"\\\1", text)


def bibtex_key(book: BookCitation, label: str | None = None) -> str:
    """Return a stable BibTeX key: ``hubcommunity<version>`` or ``...:<label>``.

    Version dots become dashes (``hubcommunity0-1-0:fig-rq1-ccdf``).
    """
    base = "hubcommunity" + re.sub(r"[^A-Za-z0-9]+", "-", book.version)
    return f"{base}:{label}" if label else base


def item_url(book: BookCitation, page: str = "", label: str = "") -> str:
    """Return the URL of ``label`` on ``page`` (``book/rq1_activity.html``) of the site.

    Relative (``page#label``) when the book has no published ``url``.
    """
    anchor = f"#{label}" if label else ""
    if not page:
        return (book.url or "") + anchor if book.url or anchor else ""
    if book.url:
        return book.url.rstrip("/") + "/" + page.lstrip("/") + anchor
    return page + anchor


def book_citation_text(book: BookCitation) -> str:
    """Return the plain-text citation of the whole book."""
    parts = [f"{join_authors(book.authors)} ({book.year}). {book.title}. Version {book.version}."]
    if book.doi:
        parts.append(f"https://doi.org/{book.doi}")
    elif book.url:
        parts.append(book.url)
    return " ".join(parts)


def book_citation_bibtex(book: BookCitation) -> str:
    """Return the BibTeX entry (``@software``) of the whole book."""
    fields = [
        ("author", " and ".join("{" + a + "}" if "," not in a else a for a in book.authors)),
        ("title", book.title),
        ("year", str(book.year)),
        ("version", book.version),
    ]
    if book.url:
        fields.append(("url", book.url))
    if book.doi:
        fields.append(("doi", book.doi))
    return _bibtex("software", bibtex_key(book), fields)


def _bibtex(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    """Return a BibTeX entry with one ``name = {value}`` line per field."""
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(
        f"  {name.ljust(width)} = {{{value if name in ('author', 'url') else bibtex_escape(value)}}}"
        for name, value in fields
    )
    return f"@{entry_type}{{{key},\n{body}\n}}"


def item_title(kind: str, label: str, number: str = "", caption: str = "") -> str:
    """Return how an item is named in a citation: ``Figure 3.2 (fig-rq1-ccdf): caption``.

    The whole caption, never shortened (whitespace collapsed, final full stop dropped).
    """
    if kind not in KIND_WORDS:
        raise ValueError(f"kind must be one of {sorted(KIND_WORDS)}, got {kind!r}")
    word = KIND_WORDS[kind]
    head = f"{word} {number}".strip()
    caption = " ".join(caption.split()).rstrip(" .")
    title = f"{head} ({label})"
    return f"{title}: {caption}" if caption else title


def item_citation(
    book: BookCitation,
    *,
    kind: str,
    label: str,
    page: str = "",
    number: str = "",
    caption: str = "",
) -> dict[str, str]:
    """Return ``{"text": ..., "bibtex": ..., "url": ...}`` citing one figure or table.

    ``kind``: ``"figure"`` or ``"table"``. ``label``: the item's stable label (its
    anchor, e.g. ``fig-rq1-ccdf``). ``page``: the page's path in the site
    (``book/rq1_activity.html``). ``number``: its number in the book (``"3.2"``),
    if numbered. ``caption``: its caption as plain text (whole; trailing full stop dropped).
    """
    if not label:
        raise ValueError("a citable item needs a label")
    title = item_title(kind, label, number, caption)
    url = item_url(book, page, label)
    text = (
        f"{join_authors(book.authors)} ({book.year}). {title}. In: {book.title}, "
        f"version {book.version}."
    )
    if url:
        text += f" {url}"
    fields = [
        ("author", " and ".join("{" + a + "}" if "," not in a else a for a in book.authors)),
        ("title", title),
        ("booktitle", book.title),
        ("year", str(book.year)),
        ("version", book.version),
        ("note", f"{KIND_WORDS[kind]} label: {label}"),
    ]
    if url:
        fields.append(("url", url))
    return {"text": text, "bibtex": _bibtex("misc", bibtex_key(book, label), fields), "url": url}
