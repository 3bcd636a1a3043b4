"""The book-level helpers: the build environment, and the two Sphinx
extensions ("cite this" blocks; rebuilding pages that paste glue from other pages),
the extensions checked in real Sphinx builds of tiny books."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import hubcommunity
from hubcommunity import citation, environment
from hubcommunity.sphinx_crossglue import cross_glue_sources

ROOT = Path(__file__).resolve().parents[1]


# -- environment -----------------------------------------------------------------------
def test_package_versions_reads_installed_metadata():
    table = environment.package_versions(["hubcommunity", "pandas", "surely-not-a-package-xyz"])
    assert table.to_dict("records") == [
        {"package": "hubcommunity", "version": hubcommunity.__version__},
        {"package": "pandas", "version": pd.__version__},
        {"package": "surely-not-a-package-xyz", "version": "not installed"},
    ]


def test_git_revision_of_a_real_repository(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    assert environment.git_revision(tmp_path) == ""  # not a checkout
    run = lambda *a: subprocess.run(["git", "-C", str(tmp_path), *a], check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (tmp_path / "f").write_text("1")
    run("add", "f")
    run("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "x")
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert environment.git_revision(tmp_path) == head
    (tmp_path / "f").write_text("2")
    assert environment.git_revision(tmp_path) == head + "+changes"


def test_snapshot_summary_reads_manifests(tmp_path):
    snap = tmp_path / "snap-a"
    (snap / "raw").mkdir(parents=True)
    (snap / "manifest.json").write_text(
        '{"name": "snap-a", "captured_at": {"models": "2025-01-02"}, "license": "CC0",'
        ' "source": {"url": "https://github.com/o/r", "commit": "0123456789abcdef"},'
        ' "created_by": "hubcommunity 9", "streams": [{"kind": "models", "format": "pages",'
        ' "files": [], "records": 5, "sha256": {}}]}'
    )
    table = environment.snapshot_summary([snap])
    assert table.to_dict("records") == [{
        "snapshot": "snap-a", "stream": "models", "captured": "2025-01-02", "records": 5,
        "source": "o/r @ 0123456789", "license": "CC0", "created_by": "hubcommunity 9",
    }]


def test_platform_summary_names_this_interpreter():
    import platform

    summary = environment.platform_summary()
    assert summary["python"] == platform.python_version()
    assert summary["hubcommunity"] == hubcommunity.__version__


# -- Sphinx: "cite this" -----------------------------------------------------------------
def _sphinx_build(src: Path, out: Path, extensions: list[str], extra_conf: str = "") -> Path:
    """Build ``src`` to HTML in ``out`` with ``sphinx-build -W`` in a fresh process; return ``out``.

    A subprocess, because Sphinx applications in one process share node registries.
    """
    (src / "conf.py").write_text(
        f"extensions = {extensions!r}\nnumfig = True\nexclude_patterns = ['_build']\n"
        "html_theme = 'basic'\n" + extra_conf
    )
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(src), str(out)],
        capture_output=True, text=True, timeout=170,
    )
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def test_cite_blocks_under_labelled_figures_and_tables(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    (src / "index.md").write_text(textwrap.dedent("""\
        # Demo

        ```{figure} dot.svg
        :name: fig-demo-dot

        A dot & a caption. {download}`Download <dot.svg>`
        ```

        ```{figure} dot.svg

        An unlabelled figure.
        ```

        ```{table} Counts per kind
        :name: tbl-demo-counts

        | kind | n |
        |---|---|
        | a | 1 |
        ```
        """))
    out = _sphinx_build(src, tmp_path / "out", ["myst_parser", "hubcommunity.sphinx_cite"],
                        "html_baseurl = 'https://example.org/book/'\n")
    page = (out / "index.html").read_text()
    blocks = re.findall(r'<details class="hc-cite">.*?</details>', page, re.S)
    assert len(blocks) == 2, "one block per labelled item, none for the unlabelled figure"
    version = hubcommunity.__version__
    assert "Cite this figure" in blocks[0]
    title = citation.load_book_citation().title
    assert (f"Figure 1 (fig-demo-dot): A dot &amp; a caption. In: {title}, version {version}. "
            "https://example.org/book/index.html#fig-demo-dot") in blocks[0]
    key = "hubcommunity" + version.replace(".", "-")
    assert f"@misc{{{key}:fig-demo-dot," in blocks[0]
    assert "Download" not in blocks[0], "download links are not part of the cited caption"
    assert "Cite this table" in blocks[1] and "Table 1 (tbl-demo-counts): Counts per kind" in blocks[1]
    # the block follows its item: the figure's anchor comes before its own block
    assert page.index('id="fig-demo-dot"') < page.index(blocks[0]) < page.index('id="tbl-demo-counts"')


# -- Sphinx: cross-page glue -------------------------------------------------------------
def test_cross_glue_sources_known_answers():
    text = (
        "a {glue:text}`rq1_activity.md::share:s` b {glue}`../x/rq2.md::n` "
        "c {glue:text}`local_key` d {glue:text}`rq1_activity.md::other:.1%` `{glue:text}`"
    )
    assert cross_glue_sources(text) == ["rq1_activity.md", "../x/rq2.md"]


NOTEBOOK_HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def _chapter(value: str) -> str:
    return NOTEBOOK_HEADER + textwrap.dedent(f"""\
        # Chapter

        ```{{code-cell}} python3
        from hubcommunity.results import Text
        from myst_nb import glue
        glue("share", Text("{value}"), display=False)
        ```

        Local {{glue:text}}`share`.
        """)


@pytest.mark.timeout(180)
def test_page_pasting_from_another_is_rebuilt_when_that_page_changes(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text("# Book\n\n```{toctree}\nchapter\nsummary\n```\n")
    (src / "chapter.md").write_text(_chapter("12,345"))
    (src / "summary.md").write_text("# Summary\n\nPasted {glue:text}`chapter.md::share:s`.\n")
    conf = "nb_execution_mode = 'cache'\nnb_execution_cache_path = '_build/.jupyter_cache'\n"
    exts = ["myst_nb", "hubcommunity.sphinx_crossglue"]
    out = _sphinx_build(src, tmp_path / "out", exts, conf)
    assert '<span class="pasted-text">12,345</span>' in (out / "summary.html").read_text()
    (src / "chapter.md").write_text(_chapter("67,890"))
    _sphinx_build(src, tmp_path / "out", exts, conf)
    assert '<span class="pasted-text">67,890</span>' in (out / "summary.html").read_text(), (
        "the summary page kept the old number: it was not rebuilt when the chapter changed"
    )
