"""CITATION.cff is valid CFF 1.2.0 and agrees with the package; "cite this" snippets are right.

The CFF 1.2.0 JSON Schema is vendored in ``tests/schemas/`` (see its README) and
checked with the installed ``jsonschema`` (Draft 7, formats checked).
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from pybtex.database import parse_string

import hubcommunity
from hubcommunity import citation

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json").read_text())
PAPER_DOI = "10.1007/s42001-024-00300-8"


def cff_errors(data: dict) -> list[str]:
    """Return the schema violations of ``data`` as ``path: message`` strings."""
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.fixture(scope="module")
def cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_schema_is_the_official_cff_1_2_0():
    assert SCHEMA["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    assert set(SCHEMA["required"]) == {"authors", "cff-version", "message", "title"}


def test_citation_cff_is_valid_cff_1_2_0(cff):
    assert cff["cff-version"] == "1.2.0"
    assert cff_errors(cff) == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.pop("authors"),
        lambda d: d.__setitem__("cff-version", "1.1.0"),
        lambda d: d["preferred-citation"].__setitem__("doi", "not a doi"),
        lambda d: d.__setitem__("unknown-key", 1),
    ],
    ids=["no-authors", "wrong-version", "bad-doi", "unknown-key"],
)
def test_the_schema_check_rejects_broken_files(cff, breakage):
    broken = copy.deepcopy(cff)
    breakage(broken)
    assert cff_errors(broken), "the validator accepted a broken CITATION.cff"


def test_version_matches_package_and_pyproject(cff):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert str(cff["version"]) == hubcommunity.__version__ == pyproject["project"]["version"]


def test_preferred_citation_is_the_reproduced_paper(cff):
    paper = cff["preferred-citation"]
    assert paper["doi"] == PAPER_DOI
    assert [a["family-names"] for a in paper["authors"]] == ["Osborne", "Ding", "Kirk"]
    assert paper["year"] == 2024
    # the data sources are cited too
    code = {r.get("repository-code", "") for r in cff["references"]}
    assert "https://github.com/ccosborne/hf-hub-mining" in code
    assert "https://github.com/asgaardlab/hf-question-answer" in code
    assert any("Stalnaker" in str(r.get("authors")) for r in cff["references"])


def test_load_book_citation_reads_the_project_file():
    book = citation.load_book_citation()
    assert book.version == hubcommunity.__version__
    assert book.title.startswith("The AI community on the Hugging Face Hub")
    assert book.authors == ("The hubcommunity contributors",)


def test_parse_book_citation_names_people_and_entities():
    book = citation.parse_book_citation(
        {
            "title": "T",
            "version": "2.1",
            "date-released": "2025-03-04",
            "url": "https://example.org/book/",
            "authors": [
                {"family-names": "Penta", "given-names": "Massimiliano", "name-particle": "Di"},
                {"name": "Lab"},
            ],
        }
    )
    assert book.authors == ("Di Penta, Massimiliano", "Lab")
    assert book.year == 2025
    assert citation.join_authors(("A", "B", "C")) == "A, B and C"


@pytest.mark.parametrize("missing", ["title", "version", "authors"])
def test_parse_book_citation_names_the_missing_key(missing):
    data = {"title": "T", "version": "1", "authors": [{"name": "X"}]}
    del data[missing]
    with pytest.raises(ValueError, match=rf"somefile.cff: missing required key '{missing}'"):
        citation.parse_book_citation(data, where="somefile.cff")


def test_release_year_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946684800")  # 2000-01-01T00:00:00Z
    book = citation.parse_book_citation({"title": "T", "version": "1", "authors": [{"name": "X"}]})
    assert book.year == 2000


BOOK = citation.BookCitation(
    title="A book & more", version="0.3.1", authors=("Doe, Jane", "Lab"), year=2025,
    url="https://example.org/site/",
)


def test_item_citation_for_a_numbered_figure():
    snip = citation.item_citation(
        BOOK, kind="figure", label="fig-rq1-ccdf", page="book/rq1_activity.html",
        number="3.2", caption="Complementary CDF of downloads.",
    )
    assert snip["url"] == "https://example.org/site/book/rq1_activity.html#fig-rq1-ccdf"
    assert snip["text"] == (
        "Doe, Jane and Lab (2025). Figure 3.2 (fig-rq1-ccdf): Complementary CDF of downloads. "
        "In: A book & more, version 0.3.1. https://example.org/site/book/rq1_activity.html#fig-rq1-ccdf"
    )
    entries = parse_string(snip["bibtex"], "bibtex").entries
    assert list(entries) == ["hubcommunity0-3-1:fig-rq1-ccdf"]
    entry = entries["hubcommunity0-3-1:fig-rq1-ccdf"]
    assert entry.type == "misc"
    assert entry.fields["version"] == "0.3.1"
    assert entry.fields["booktitle"] == r"A book \& more"
    assert entry.fields["url"] == snip["url"]
    # entities are braced so that BibTeX keeps "The X contributors" as one name
    assert [str(p) for p in entry.persons["author"]] == ["Doe, Jane", "{Lab}"]


def test_item_citation_without_site_url_is_relative_and_keeps_the_whole_caption():
    book = citation.BookCitation(title="B", version="1", authors=("X",), year=2024)
    caption = " ".join(f"w{i}" for i in range(200)) + "."
    snip = citation.item_citation(book, kind="table", label="tbl-a", page="p.html", caption=caption)
    assert snip["url"] == "p.html#tbl-a"
    title = re.search(r"Table \(tbl-a\): (.*?)\. In:", snip["text"]).group(1)
    assert title == caption.rstrip(".") and "\u2026" not in snip["bibtex"]
    entry = parse_string(snip["bibtex"], "bibtex").entries["hubcommunity1:tbl-a"]
    assert entry.fields["title"].endswith("w198 w199")
    with pytest.raises(ValueError, match="kind must be one of"):
        citation.item_citation(book, kind="chart", label="x")
    with pytest.raises(ValueError, match="needs a label"):
        citation.item_citation(book, kind="figure", label="")


def test_cite_urls_are_absolute_when_the_site_address_is_configured():
    """sphinx_cite takes the site's address from html_baseurl (set by a publishing build)."""
    from types import SimpleNamespace

    from hubcommunity import sphinx_cite

    app = SimpleNamespace(config=SimpleNamespace(html_baseurl="https://example.org/hub-book/"))
    book = sphinx_cite._book(app)
    snip = citation.item_citation(book, kind="figure", label="fig-a", page="book/rq1_activity.html")
    assert snip["url"] == "https://example.org/hub-book/book/rq1_activity.html#fig-a"
    unpublished = sphinx_cite._book(SimpleNamespace(config=SimpleNamespace(html_baseurl="")))
    assert unpublished.url == citation.load_book_citation().url  # CITATION.cff's url, or none


def test_footer_year_is_the_citation_year():
    from types import SimpleNamespace

    from hubcommunity import sphinx_cite

    config = SimpleNamespace(copyright="1999")
    sphinx_cite.set_copyright_year(None, config)
    assert config.copyright == str(citation.load_book_citation().year)


def test_book_bibtex_parses():
    entry = parse_string(citation.book_citation_bibtex(BOOK), "bibtex").entries["hubcommunity0-3-1"]
    assert entry.type == "software"
    assert entry.fields["year"] == "2025"
    assert "Version 0.3.1" in citation.book_citation_text(BOOK)
