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
from hubcommunity import chapterdeps, sphinxext

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
    base = sphinxext.input_hashes(book, pkg)
    assert base == sphinxext.input_hashes(book, pkg)  # deterministic

    # not inputs: raw snapshot files, parquet caches, bytecode
    (book / "data" / "snapshots" / "s1" / "raw" / "p2.json").write_text("[1]")
    (book / "data" / "snapshots" / "s1" / "tables").mkdir()
    (book / "data" / "snapshots" / "s1" / "tables" / "repos.parquet").write_bytes(b"x")
    (pkg / "__pycache__" / "x.pyc").write_bytes(b"other")
    assert sphinxext.input_hashes(book, pkg) == base

    seen = [base]
    for path, text in [
        (pkg / "analysis" / "x.py", "A = 2\n"),                          # package code
        (pkg / "new.py", ""),                                           # a new module
        (book / "data" / "groups.csv", "a,b\n1,2\n"),                   # project data
        (book / "data" / "snapshots" / "s1" / "manifest.json", "{}"),   # a snapshot's manifest
        (book / "requirements.lock", "pandas==3.1\n"),                  # pinned versions
    ]:
        path.write_text(text)
        now = sphinxext.input_hashes(book, pkg)
        assert now not in seen, f"changing {path.name} did not change the input hashes"
        seen.append(now)


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


# -- per-chapter dependency records (unit, fast) ------------------------------------------
def test_input_file_maps_snapshot_files_to_their_manifest(tmp_path):
    book, _ = _tree(tmp_path)
    snap = book / "data" / "snapshots" / "s1"
    (snap / "tables").mkdir()
    (snap / "tables" / "repos.parquet").write_bytes(b"x")
    (book / "_build").mkdir()
    (book / "_build" / "r.json").write_text("{}")
    roots = (book,)
    assert chapterdeps.input_file(snap / "raw" / "p1.json", roots) == snap / "manifest.json"
    assert chapterdeps.input_file(snap / "tables" / "repos.parquet", roots) == snap / "manifest.json"
    assert chapterdeps.input_file(book / "data" / "groups.csv", roots) == book / "data" / "groups.csv"
    assert chapterdeps.input_file(book / "_build" / "r.json", roots) is None       # build output
    assert chapterdeps.input_file(book / "data" / "gone.csv", roots) is None       # vanished
    assert chapterdeps.input_file(tmp_path / "pkg" / "analysis" / "x.py", roots) is None  # outside


def test_read_modes():
    assert chapterdeps.is_read_mode("r", None) and chapterdeps.is_read_mode("rb", None)
    assert chapterdeps.is_read_mode("w+", None) and not chapterdeps.is_read_mode("w", None)
    assert not chapterdeps.is_read_mode("ab", None)
    import os
    assert chapterdeps.is_read_mode(None, os.O_RDONLY) and not chapterdeps.is_read_mode(None, os.O_WRONLY | os.O_CREAT)


def _record(generated: Path, book: Path, chapter: str, document: str, files: list[str]) -> None:
    record = chapterdeps.make_record(chapter, document, [book / f for f in files], book)
    path = chapterdeps.record_path(generated, chapter)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


def test_stale_documents_per_chapter(tmp_path):
    book, _ = _tree(tmp_path)
    (book / "src").mkdir()
    (book / "src" / "a.py").write_text("A = 1\n")
    (book / "src" / "b.py").write_text("B = 1\n")
    generated = tmp_path / "generated"
    _record(generated, book, "one", "book/one.md", ["src/a.py", "data/groups.csv"])
    _record(generated, book, "two", "book/two.md", ["src/b.py", "data/snapshots/s1/manifest.json"])
    docs = ["book/one.md", "book/two.md", "book/three.md"]  # three: no record
    assert sphinxext.stale_documents(generated, book, docs, []) == {}

    (book / "src" / "a.py").write_text("A = 2\n")
    stale = sphinxext.stale_documents(generated, book, docs, ["src/a.py"])
    assert stale == {
        "book/one.md": ("src/a.py changed", ["one"]),
        "book/three.md": ("no dependency record, and src/a.py changed", []),
    }
    (book / "src" / "a.py").write_text("A = 1\n")  # back to the recorded content: nothing stale
    (book / "data" / "snapshots" / "s1" / "manifest.json").write_text('{"name": "s1", "new": 1}')
    stale = sphinxext.stale_documents(generated, book, docs, [])
    assert list(stale) == ["book/two.md"] and "manifest.json changed" in stale["book/two.md"][0]
    # a record of another format counts as absent (the page depends on everything)
    (generated / "deps" / "two.json").write_text(json.dumps({"format": 0, "document": "book/two.md", "files": []}))
    assert sphinxext.stale_documents(generated, book, docs, []) == {}
    assert set(sphinxext.stale_documents(generated, book, docs, ["x"])) == {"book/two.md", "book/three.md"}


def test_diff_hashes():
    assert sphinxext.diff_hashes({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == ["b", "c"]
    assert sphinxext.diff_hashes({"a": "1", "gone": "2"}, {"a": "1"}) == ["gone"]
    assert sphinxext.diff_hashes(None, {"a": "1"}) == ["a"]


def test_forget_execution_and_generated(tmp_path):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    chapter = tmp_path / "book" / "c.md"
    chapter.parent.mkdir()
    chapter.write_text(
        "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "# C\n\n```{code-cell} ipython3\nprint(1)\n```\n")
    other = chapter.with_name("d.md")
    other.write_text(chapter.read_text().replace("print(1)", "print(2)"))
    cache = get_cache(tmp_path / ".jupyter_cache")
    for path in (chapter, other):
        cache.cache_notebook_bundle(CacheBundleIn(sphinxext.read_notebook(path), str(path)), check_validity=False)
    assert sphinxext.is_cached(cache, chapter) and sphinxext.is_cached(cache, other)
    assert len(sphinxext.forget_execution(cache, chapter)) == 1
    assert not sphinxext.is_cached(cache, chapter) and sphinxext.is_cached(cache, other)

    generated = tmp_path / "generated"
    for rel in ("results/c.json", "data/c/f.svg", "data/c/t.csv", "cells/c/t.json", "figures/c/old.svg",
                "deps/c.json", "results/d.json", "data/d/g.svg"):
        (generated / rel).parent.mkdir(parents=True, exist_ok=True)
        (generated / rel).write_text("x")
    sphinxext.forget_generated(generated, "c")
    left = sorted(p.relative_to(generated).as_posix() for p in generated.rglob("*") if p.is_file())
    assert left == ["data/d/g.svg", "results/d.json"]


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
def _executions(book: Path) -> dict[str, float]:
    """``{page: time of its cached execution}`` from the mini book's jupyter-cache."""
    from jupyter_cache import get_cache

    cache = get_cache(book / "_build" / ".jupyter_cache")
    return {Path(r.uri).stem: r.created.timestamp() for r in cache.list_cache_records()}


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.slow
def test_minibook_cache_reuse_and_per_chapter_invalidation(tmp_path):
    """Cold build executes every chapter; a warm build none; a change to a module or a data
    file re-executes only the chapters that used it (and pages without a deps record on
    any change to the project's inputs); a page pasting from a re-executed one is re-read."""
    book = _booksite.assemble_minibook(tmp_path / "mb")
    log = tmp_path / "executions.log"

    package = Path(sphinxext.hubcommunity.__file__).parent

    def package_state() -> dict[str, str]:
        return {k: v for k, v in sphinxext.input_hashes(book, package).items() if k.startswith("hubcommunity/")}

    seen = {"package": package_state()}  # the package as of the previous build's start

    def run(expected_new: list[str], why: str):
        before, package_before = _lines(log), seen["package"]
        seen["package"] = package_state()
        result = _booksite.build_minibook(book, MINIBOOK_EXEC_LOG=str(log))
        assert result.ok, result.log[-3000:]
        new = _lines(log)[len(before):]
        notes = [line for line in result.log.splitlines() if line.startswith("hubcommunity:")]
        if package_state() != package_before and "plain" not in expected_new:
            # The checkout is shared: someone changed the package since the previous build. The page
            # without a deps record rightly depends on all of it; tolerate that one execution.
            new = [n for n in new if n != "plain"]
        assert sorted(new) == sorted(expected_new), f"{why}: executed {new}, expected {expected_new}; {notes}"
        return result

    first = run(["demo", "demo2", "plain"], "cold build")
    html = (first.html_dir / "book" / "demo.html").read_text()
    assert "760,000" in html and "81.3%" in html
    # the chapter id <-> page mapping is recorded by the kernel, not guessed
    deps = {c: json.loads((first.generated_dir / "deps" / f"{c}.json").read_text()) for c in ("demo", "demo2")}
    assert deps["demo"]["document"] == "book/demo.md" and deps["demo2"]["document"] == "book/demo2.md"
    assert not (first.generated_dir / "deps" / "plain.json").exists()  # no ChapterResults: no record
    demo_files = {f["path"] for f in deps["demo"]["files"]}
    assert {"data/demo.csv", "lib/minilib/counts.py"} <= demo_files
    assert not {"data/other.csv", "lib/minilib/shares.py"} & demo_files

    start = time.perf_counter()
    second = run([], "warm build")
    warm = time.perf_counter() - start
    assert not re.search(r"hubcommunity: book/demo2?\.md: (re-)?executing", second.log)
    assert driver.unexecuted_chapters(book) == []
    assert warm < 60
    executed = _executions(book)
    demo_page = (second.html_dir / "book" / "demo.html").read_bytes()
    assert '<span class="pasted-text">42</span>' in (second.html_dir / "book" / "plain.html").read_text()

    # A module only demo2 imports: demo2 alone re-executes; the page pasting from it is re-read.
    shares = book / "lib" / "minilib" / "shares.py"
    shares.write_text(shares.read_text().replace("SCALE = 1", "SCALE = 2"))
    third = run(["demo2"], "after editing lib/minilib/shares.py")
    assert "hubcommunity: book/demo2.md: re-executing, lib/minilib/shares.py changed" in third.log
    now = _executions(book)
    assert now["demo"] == executed["demo"] and now["plain"] == executed["plain"]
    assert now["demo2"] > executed["demo2"]
    assert (third.html_dir / "book" / "demo.html").read_bytes() == demo_page
    assert '<span class="pasted-text">84</span>' in (third.html_dir / "book" / "demo2.html").read_text()
    assert '<span class="pasted-text">84</span>' in (third.html_dir / "book" / "plain.html").read_text(), (
        "plain pastes demo2's number: it must be re-read when demo2 re-executes")

    # A data file only demo reads: demo re-executes, and so does plain (no deps record).
    (book / "data" / "demo.csv").write_text("kind,count\nmodel,500\ndataset,500\nspace,0\n")
    fourth = run(["demo", "plain"], "after changing data/demo.csv")
    assert "hubcommunity: book/demo.md: re-executing, data/demo.csv changed" in fourth.log
    assert "book/plain.md: re-executing, no dependency record" in fourth.log
    html = (fourth.html_dir / "book" / "demo.html").read_text()
    assert ">500<" in html and "50.0%" in html and "760,000" not in html
    record = json.loads((fourth.html_dir / "results" / "demo.json").read_text())
    assert {n["key"]: n["value"] for n in record["numbers"]} == {"n_models": 500, "model_share": 0.5}

    # Editing a code cell: jupyter-cache no longer matches until the next build executes it.
    chapter = book / "book" / "demo.md"
    chapter.write_text(chapter.read_text().replace("res.save();", "res.save()\nprint('edited')"))
    assert driver.unexecuted_chapters(book) == [chapter]
    run(["demo"], "after editing a code cell")


@pytest.mark.slow
def test_a_raising_cell_fails_the_build(tmp_path):
    book = _booksite.assemble_minibook(tmp_path / "mb")
    chapter = book / "book" / "demo.md"
    chapter.write_text(chapter.read_text() + "\n```{code-cell} ipython3\nraise RuntimeError('boom in a cell')\n```\n")
    result = _booksite.build_minibook(book)
    assert not result.ok
    assert "boom in a cell" in result.log or "RuntimeError" in result.log
    assert chapter in driver.unexecuted_chapters(book)  # the build stops there: later pages may not run either


@pytest.mark.slow
def test_minibook_site_files():
    result = _booksite.minibook()
    site = result.html_dir
    page = (site / "book" / "demo.html").read_text()
    assert re.search(r'caption-number">Fig\. 1\.1', page) and re.search(r'caption-number">Table 1\.1', page)
    # Figure and table files at stable addresses (data/<chapter>/<key>.<ext>), not _downloads/<hash>/
    links = re.findall(r'href="\.\./(data/[^"]+)"', page)
    assert sorted(links) == sorted(f"data/demo/{f}" for f in [
        "fig-demo-bars.svg", "fig-demo-bars.csv", "fig-demo-bars.vl.json", "fig-demo-bars.full.csv",
        "tbl-demo-counts.csv", "tbl-demo-wide.csv"])
    for link in links:
        assert (site / link).is_file(), link
    assert "_downloads/" not in page
    assert results_paths_missing(site) == []
    # one year on the page: the footer's copyright year is the citation year
    from hubcommunity import citation
    year = citation.load_book_citation().year
    assert re.search(rf"Copyright {year}\b", page), "footer year differs from the citation year"
    cite_years = set(re.findall(r'class="hc-cite-text">[^<]*?\((\d{4})\)', page))
    assert cite_years == {str(year)}, cite_years
    assert page.count('<details class="hc-cite">') == 3  # one per figure and table (1 + 2), collapsed
    assert "\u2026" not in page.split('class="hc-cite-bibtex"', 1)[1]  # whole captions
    assert (site / "_static" / "hubcommunity-vega.js").stat().st_size > 100_000
    assert json.loads((site / "results" / "index.json").read_text())["chapters"][0]["chapter"] == "demo"

    # Each executed page offers its executed notebook (outputs included) in the download menu.
    for name, expected in (("demo", "application/papermill.record/text/plain"), ("plain", "plain page executed")):
        html = (site / "book" / f"{name}.html").read_text()
        links = re.findall(r'href="(\.\./_sources/[^"]+\.ipynb)"', html)
        assert links == [f"../_sources/book/{name}.ipynb"], links
        notebook = json.loads((site / "book" / links[0]).resolve().read_text())
        outputs = [o for c in notebook["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
        assert expected in json.dumps(outputs), f"{name}.ipynb: no executed outputs"
    assert ".ipynb" not in (site / "book" / "intro.html").read_text()  # not a notebook: nothing to offer


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
    assert results_paths_missing(site) == [], "paths listed in results/*.json that the site does not have"


def results_paths(record: dict) -> list[str]:
    """Every file path a results record lists (figures: svg, csv, spec, full_csv; tables: csv)."""
    return [item[kind] for item in record.get("figures", []) + record.get("tables", [])
            for kind in ("svg", "csv", "spec", "full_csv") if kind in item]


def results_paths_missing(site: Path) -> list[str]:
    """``chapter: path`` for every path in ``site/results/*.json`` that is not a file of the site."""
    missing = []
    for path in sorted((site / "results").glob("*.json")):
        if path.name == "index.json":
            continue
        for rel in results_paths(json.loads(path.read_text())):
            if not (site / rel).is_file():
                missing.append(f"{path.stem}: {rel}")
    return missing


def test_results_paths_check_finds_a_missing_file(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "data" / "c").mkdir(parents=True)
    (tmp_path / "data" / "c" / "fig.svg").write_text("<svg/>")
    (tmp_path / "results" / "c.json").write_text(json.dumps({
        "figures": [{"key": "fig", "svg": "data/c/fig.svg", "csv": "data/c/fig.csv"}], "tables": []}))
    (tmp_path / "results" / "index.json").write_text("{}")
    assert results_paths_missing(tmp_path) == ["c: data/c/fig.csv"]


def test_publish_data_replaces_the_sites_copy(tmp_path):
    generated, site = tmp_path / "generated", tmp_path / "site"
    (generated / "data" / "c").mkdir(parents=True)
    (generated / "data" / "c" / "t.csv").write_text("a\n1\n")
    (generated / "cells" / "c").mkdir(parents=True)
    (generated / "cells" / "c" / "t.json").write_text("{}")
    (site / "data" / "gone").mkdir(parents=True)
    (site / "data" / "gone" / "old.csv").write_text("x")
    assert sphinxext.publish_data(generated, site) == ["data/c/t.csv"]
    assert not (site / "data" / "gone").exists() and not (site / "cells").exists()


def test_static_fingerprint_follows_the_sites_own_files(tmp_path):
    """A changed stylesheet or script must re-read the pages (else Sphinx copies no static file)."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "book.css").write_text("p {}")
    (b / "charts.js").write_text("1;")
    first = sphinxext.static_fingerprint([a, b])
    assert first == sphinxext.static_fingerprint([a, b])
    (b / "charts.js").write_text("2;")
    second = sphinxext.static_fingerprint([a, b])
    (b / "new.css").write_text("")
    assert len({first, second, sphinxext.static_fingerprint([a, b])}) == 3


def test_text_column_kinds():
    """Names and ids never wrap; sentences keep a wide minimum; the rest wraps normally."""
    assert sphinxext.text_column_kind(["model", "leaderboard-pr-bot"]) == ["hc-short"]
    assert sphinxext.text_column_kind(["stabilityai/stable-diffusion-xl-base-1.0"]) == ["hc-short"]
    assert sphinxext.text_column_kind(["no commit histories in the capture"]) == []
    assert sphinxext.text_column_kind(["heavy-tailed; power law favoured over exponential; inconclusive"]) == ["hc-long"]
    assert sphinxext.text_column_kind([]) == ["hc-short"]
    for text, number in [("12,345", True), ("-0.5", True), ("73.1%", True), ("1.2e-05", True), ("< 0.001", True),
                         ("2024-07-11", True), ("−3", True), ("model", False), ("3 of 4", False), ("v1.2", False)]:
        assert bool(sphinxext.NUMBER_TEXT.match(text)) is number, text
