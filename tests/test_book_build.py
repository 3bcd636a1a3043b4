"""The book build: cache invalidation (unit), the mini book end to end, and the full book.

The full book is built by the same driver as ``make book`` (``hubcommunity.build``),
once per session (``_booksite.main_book``), and checked: every chapter executed
with no error (a successful execution of its current code is in the cache), and
every results JSON, figure SVG/CSV and table CSV exists, in ``_build/generated``
and in the site.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from hubcommunity import build as driver
from hubcommunity import sphinxext

import _booksite


# -- fingerprint and cache reconciliation (unit, fast) ---------------------------------
def _tree(tmp_path: Path) -> tuple[Path, Path]:
    pkg = tmp_path / "pkg"
    (pkg / "analysis").mkdir(parents=True)
    (pkg / "analysis" / "x.py").write_text("A = 1\n")
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "x.pyc").write_bytes(b"junk")
    book = tmp_path / "book"
    (book / "data" / "snapshots" / "s1" / "raw").mkdir(parents=True)
    (book / "data" / "groups.csv").write_text("a,b\n")
    (book / "data" / "snapshots" / "s1" / "manifest.json").write_text('{"name": "s1"}')
    (book / "data" / "snapshots" / "s1" / "raw" / "p1.json").write_text("[]")
    return book, pkg


def test_fingerprint_follows_package_data_and_manifests_only(tmp_path):
    book, pkg = _tree(tmp_path)
    base = sphinxext.fingerprint(book, pkg)
    assert base == sphinxext.fingerprint(book, pkg)  # deterministic

    # not inputs: raw snapshot files, parquet caches, bytecode
    (book / "data" / "snapshots" / "s1" / "raw" / "p2.json").write_text("[1]")
    (book / "data" / "snapshots" / "s1" / "tables").mkdir()
    (book / "data" / "snapshots" / "s1" / "tables" / "repos.parquet").write_bytes(b"x")
    (pkg / "__pycache__" / "x.pyc").write_bytes(b"other")
    assert sphinxext.fingerprint(book, pkg) == base

    seen = {base}
    for path, text in [
        (pkg / "analysis" / "x.py", "A = 2\n"),                          # package code
        (pkg / "new.py", ""),                                           # a new module
        (book / "data" / "groups.csv", "a,b\n1,2\n"),                   # project data
        (book / "data" / "snapshots" / "s1" / "manifest.json", "{}"),   # a snapshot's manifest
        (book / "requirements.lock", "pandas==3.1\n"),                  # pinned versions
    ]:
        path.write_text(text)
        now = sphinxext.fingerprint(book, pkg)
        assert now not in seen, f"changing {path.name} did not change the fingerprint"
        seen.add(now)


def test_reconcile_drops_cache_and_generated_together(tmp_path):
    generated, cache = tmp_path / "generated", tmp_path / ".jupyter_cache"
    assert sphinxext.reconcile_cache(generated, cache, "aaa") is True
    cache.mkdir()
    (cache / "global.db").write_text("db")
    (generated / "results").mkdir()
    (generated / "results" / "c.json").write_text("{}")
    assert sphinxext.reconcile_cache(generated, cache, "aaa") is False  # same inputs: both kept
    assert (cache / "global.db").exists() and (generated / "results" / "c.json").exists()
    assert sphinxext.reconcile_cache(generated, cache, "bbb") is True   # inputs changed: both dropped
    assert not cache.exists() and not (generated / "results").exists()
    assert (generated / sphinxext.STAMP_NAME).read_text().strip() == "bbb"
    # generated files deleted by hand (stamp gone): the cache goes too, so nothing is missing
    cache.mkdir()
    (generated / sphinxext.STAMP_NAME).unlink()
    assert sphinxext.reconcile_cache(generated, cache, "bbb") is True and not cache.exists()


def test_results_site_index(tmp_path):
    src = tmp_path / "results"
    src.mkdir()
    (src / "rq1.json").write_text(json.dumps({"chapter": "rq1", "numbers": [
        {"key": "k", "value": 0.5, "formatted": "50%", "unit": "share", "description": "<d>"}],
        "tables": [], "figures": [{"key": "fig-a"}]}))
    assert sphinxext.write_results_site(src, tmp_path / "site") == ["rq1"]
    index = json.loads((tmp_path / "site" / "index.json").read_text())
    assert index == {"chapters": [{"chapter": "rq1", "file": "rq1.json", "numbers": 1, "tables": 0, "figures": 1}]}
    page = (tmp_path / "site" / "index.html").read_text()
    assert "50%" in page and "&lt;d&gt;" in page and 'href="rq1.json"' in page


def test_no_snapshot_stops_with_instructions(tmp_path, capsys):
    (tmp_path / "_config.yml").write_text("title: x\n")
    assert driver.main(["--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "hubcommunity link-reference --source DIR" in err and "hubcommunity collect" in err
    assert "Traceback" not in err


def test_chapter_toc(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "rq1_activity.md").write_text("# x\n")
    text = driver.chapter_toc(tmp_path, "book/rq1_activity.md")
    assert "root: book/intro" in text and "- file: book/rq1_activity" in text
    assert "book/bibliography" not in text  # no bibliography page in this book
    (tmp_path / "book" / "bibliography.md").write_text("# Bibliography\n")
    text = driver.chapter_toc(tmp_path, "book/rq1_activity.md")
    assert text.index("book/rq1_activity") < text.index("- file: book/bibliography")
    with pytest.raises(FileNotFoundError, match="nope.md"):
        driver.chapter_toc(tmp_path, "book/nope.md")


# -- the mini book, end to end -----------------------------------------------------------
@pytest.mark.slow
def test_minibook_cache_reuse_and_invalidation(tmp_path):
    """Cold build executes; a rebuild with no change does not; a data change re-executes."""
    book = _booksite.assemble_minibook(tmp_path / "mb")
    log = tmp_path / "executions.log"
    first = _booksite.build_minibook(book, MINIBOOK_EXEC_LOG=str(log))
    assert first.ok, first.log[-3000:]
    assert log.read_text().splitlines() == ["demo"]
    html = (first.html_dir / "book" / "demo.html").read_text()
    assert "760,000" in html and "81.3%" in html

    start = time.perf_counter()
    second = _booksite.build_minibook(book, MINIBOOK_EXEC_LOG=str(log))
    warm = time.perf_counter() - start
    assert second.ok and log.read_text().splitlines() == ["demo"], "warm build re-executed the chapter"
    assert driver.unexecuted_chapters(book) == []
    assert warm < 60

    # A project data file is an input: changing it re-executes, and the page shows the new value.
    (book / "data" / "demo.csv").write_text("kind,count\nmodel,500\ndataset,500\nspace,0\n")
    third = _booksite.build_minibook(book, MINIBOOK_EXEC_LOG=str(log))
    assert third.ok and log.read_text().splitlines() == ["demo", "demo"]
    html = (third.html_dir / "book" / "demo.html").read_text()
    assert ">500<" in html and "50.0%" in html and "760,000" not in html
    record = json.loads((third.html_dir / "results" / "demo.json").read_text())
    assert {n["key"]: n["value"] for n in record["numbers"]} == {"n_models": 500, "model_share": 0.5}

    # Editing a code cell: jupyter-cache no longer matches until the next build executes it.
    chapter = book / "book" / "demo.md"
    chapter.write_text(chapter.read_text().replace("res.save();", "res.save()\nprint('edited')"))
    assert driver.unexecuted_chapters(book) == [chapter]


@pytest.mark.slow
def test_a_raising_cell_fails_the_build(tmp_path):
    book = _booksite.assemble_minibook(tmp_path / "mb")
    chapter = book / "book" / "demo.md"
    chapter.write_text(chapter.read_text() + "\n```{code-cell} ipython3\nraise RuntimeError('boom in a cell')\n```\n")
    result = _booksite.build_minibook(book)
    assert not result.ok
    assert "boom in a cell" in result.log or "RuntimeError" in result.log
    assert driver.unexecuted_chapters(book) == [chapter]


@pytest.mark.slow
def test_minibook_site_files():
    result = _booksite.minibook()
    site = result.html_dir
    page = (site / "book" / "demo.html").read_text()
    assert re.search(r'caption-number">Fig\. 1\.1', page) and re.search(r'caption-number">Table 1\.1', page)
    downloads = re.findall(r'href="(\.\./_downloads/[^"]+)"', page)
    assert sorted(Path(d).name for d in downloads) == sorted(
        ["fig-demo-bars.svg", "fig-demo-bars.csv", "fig-demo-bars.vl.json", "tbl-demo-counts.csv"])
    for d in downloads:
        assert (site / "book" / d).resolve().is_file(), d
    assert (site / "_static" / "hubcommunity-vega.js").stat().st_size > 100_000
    assert json.loads((site / "results" / "index.json").read_text())["chapters"][0]["chapter"] == "demo"


# -- the real book ---------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.book
def test_full_book_builds_and_every_chapter_executed():
    result = _booksite.main_book()
    root = _booksite.ROOT
    assert (result.html_dir / "index.html").is_file()
    pages = driver.toc_documents(root)
    assert pages[0] == root / "book" / "intro.md"
    for page in pages:
        html = result.html_dir / page.relative_to(root).with_suffix(".html")
        assert html.is_file(), f"{page} was not built"
        text = html.read_text()
        assert "Traceback (most recent call last)" not in text, f"{page}: a cell shows a traceback"
    assert driver.unexecuted_chapters(root) == [], "chapters without a successful cached execution"
    assert not (result.html_dir / "reports").exists(), "myst-nb wrote execution failure reports"


@pytest.mark.slow
@pytest.mark.book
def test_full_book_results_files():
    result = _booksite.main_book()
    generated, site = result.generated_dir, result.html_dir
    records = {p.stem: json.loads(p.read_text()) for p in (generated / "results").glob("*.json")}
    chapters = [p for p in driver.toc_documents(_booksite.ROOT) if driver.is_notebook(p)]
    assert len(records) >= len(chapters), f"results JSON for {sorted(records)} but {len(chapters)} chapters"
    index = json.loads((site / "results" / "index.json").read_text())
    assert sorted(e["chapter"] for e in index["chapters"]) == sorted(records)
    for chapter, record in records.items():
        assert (site / "results" / f"{chapter}.json").is_file()
        for number in record["numbers"]:
            assert isinstance(number["value"], (int, float)) and number["formatted"]
        for fig in record["figures"]:
            for kind in ("svg", "csv", "spec"):
                assert (generated / fig[kind]).is_file(), f"{chapter}: {fig[kind]} missing"
            assert (generated / fig["svg"]).read_text().startswith("<svg")
        for table in record["tables"]:
            assert (generated / table["csv"]).is_file()
