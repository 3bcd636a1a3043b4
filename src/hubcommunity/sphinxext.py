"""Sphinx extension for the book: execution-cache invalidation, offline charts, results files.

Loaded from ``_config.yml`` (``sphinx.extra_extensions``). It does five things:

1. **Cache invalidation, per chapter.** jupyter-cache re-executes a notebook only
   when its code cells change. Chapters also depend on package code and data, so
   each chapter records, while it executes, the files it used
   (``<generated>/deps/<chapter>.json``, :mod:`hubcommunity.chapterdeps`: the
   ``hubcommunity`` modules it imported, the data files it opened, a snapshot's
   manifest for any file of that snapshot, and the page it was executed from). Before
   Sphinx reads (``env-get-outdated``), every chapter whose recorded files changed
   loses its cached execution and its generated files together (results JSON,
   figures, tables, deps record) and is returned for re-reading, so it executes
   again; one line per chapter says why. Pages without a record (no
   ``ChapterResults``/``save()``) depend on everything: they re-execute when any of
   :func:`fingerprint_inputs` changed since the last build (``.inputs.json``).
   Pages pasting glue from a re-read page are re-read too
   (:mod:`hubcommunity.sphinx_crossglue`). A change to ``requirements.lock`` or to
   the set of snapshots (:func:`global_fingerprint`) drops the whole execution
   cache and the generated files; a change to the extensions themselves (the
   ``hubcommunity`` modules loaded in Sphinx) or to the site's own stylesheets and
   scripts (:func:`static_fingerprint`) re-reads every page without re-executing any
   (config value ``hubcommunity_fingerprint``).
2. **Where chapters write.** ``$HUBCOMMUNITY_GENERATED_DIR`` is set to
   ``<build root>/generated`` beside this build's ``.jupyter_cache`` (the kernel
   inherits it), so concurrent builds into different output folders never share
   files.
3. **Offline charts.** The Vega/Vega-Lite/vega-embed bundle from ``vl-convert``
   and ``hubcommunity-charts.js`` are added to the site's ``_static``; glued
   figures (:class:`hubcommunity.figures.render.ChartDisplay`) are drawn by them.
4. **Markup and results.** The ``{results-table}`` directive (a numbered table
   from ``ChapterResults.table``, drawn the one way every table is drawn; with
   :func:`place_table_captions`, which places the caption of every captioned table
   above it, in the text column), the ``{downloads}`` role (links to a figure's
   SVG/CSV/spec/full data or a table's CSV at their stable site paths), and, after an
   HTML build, the results JSON files copied into ``<site>/results/`` with
   ``index.json`` and ``index.html``, and ``data/<chapter>/`` into ``<site>/data/``.
5. **Executed notebooks.** Each notebook page's executed notebook (outputs included,
   from the execution cache) is written to ``<site>/_sources/<page>.ipynb`` and
   offered in the page's download menu next to the ``.md`` source.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

import hubcommunity
from hubcommunity import chapterdeps, publishing
from hubcommunity.figures import render
from hubcommunity.results import GENERATED_ENV

logger = logging.getLogger(__name__)

#: Name of the file, inside a generated directory, recording the fingerprint it was made with.
STAMP_NAME = ".fingerprint"

#: Name of the file, inside a generated directory, holding :func:`input_hashes` of the last build.
INPUTS_NAME = ".inputs.json"

#: Folders of a generated directory copied as they are into the site (so that the paths
#: in ``results/<chapter>.json`` are paths of the site): ``data/<chapter>/<key>.<ext>``.
PUBLISHED_AREAS = ("data",)

#: Folders earlier versions wrote per chapter (``figures/``, ``tables/``); still cleaned up.
LEGACY_AREAS = ("figures", "tables")

#: Data files (under ``data/``, outside ``data/snapshots/``) that count as chapter inputs.
DATA_SUFFIXES = {".csv", ".tsv", ".json", ".yml", ".yaml", ".txt"}


# -- fingerprint ---------------------------------------------------------------------
def fingerprint_inputs(book_root: Path, package_dir: Path | None = None) -> list[Path]:
    """Return the files whose content decides whether cached executions are valid.

    ``package_dir`` (default: the installed ``hubcommunity``): every ``*.py``,
    ``*.csv``, ``*.json`` (not ``__pycache__``, not the site-side ``static/``).
    ``book_root``: ``requirements.lock``; under ``data/`` every data file
    (:data:`DATA_SUFFIXES`) outside ``snapshots/``, and each
    ``data/snapshots/<name>/manifest.json``. Sorted, absolute paths.
    """
    package_dir = Path(package_dir or Path(hubcommunity.__file__).parent)
    files = [
        p for p in package_dir.rglob("*")
        if p.is_file() and p.suffix in {".py", ".csv", ".json"}
        and "__pycache__" not in p.parts and "static" not in p.relative_to(package_dir).parts
    ]
    lock = book_root / "requirements.lock"
    if lock.is_file():
        files.append(lock)
    data = book_root / "data"
    if data.is_dir():
        snapshots = data / "snapshots"
        files += [
            p for p in data.rglob("*")
            if p.is_file() and p.suffix in DATA_SUFFIXES and snapshots not in p.parents
        ]
        files += sorted(snapshots.glob("*/manifest.json"))
    return sorted(set(files))


def input_hashes(book_root: Path, package_dir: Path | None = None) -> dict[str, str]:
    """Return ``{name: sha256}`` of :func:`fingerprint_inputs` (what a page without a
    deps record depends on); names are relative to
    ``book_root`` (``src/hubcommunity/x.py``, ``data/bots.csv``), or ``hubcommunity/...``
    for package files outside it."""
    package_dir = Path(package_dir or Path(hubcommunity.__file__).parent)
    out = {}
    for path in fingerprint_inputs(book_root, package_dir):
        if book_root in path.parents:
            name = path.relative_to(book_root).as_posix()
        elif package_dir in path.parents:
            name = f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"
        else:
            name = path.as_posix()
        out[name] = chapterdeps.file_sha256(path)
    return out


def global_fingerprint(book_root: Path) -> str:
    """Return a hex SHA-256 over what invalidates *every* chapter's execution: the
    pinned versions (``requirements.lock``), the names of the snapshots under
    ``data/snapshots`` (a chapter may read all of them) and the deps record format."""
    digest = hashlib.sha256(f"deps-format {chapterdeps.DEPS_FORMAT}\n".encode())
    lock = book_root / "requirements.lock"
    digest.update(lock.read_bytes() if lock.is_file() else b"<no lock>")
    for manifest in sorted((book_root / "data" / "snapshots").glob("*/manifest.json")):
        digest.update(b"\0snapshot " + manifest.parent.name.encode())
    return digest.hexdigest()


def machinery_fingerprint(modules: dict | None = None) -> str:
    """Hex SHA-256 of the ``hubcommunity`` modules loaded in this (the Sphinx) process: the
    extensions that turn executed notebooks into pages. A change re-reads every page
    (no re-execution: the execution cache is kept)."""
    digest = hashlib.sha256()
    for path in chapterdeps.module_files(None, modules):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def static_fingerprint(directories: list[Path]) -> str:
    """Hex SHA-256 of every file under ``directories`` (the site's own stylesheets and
    scripts: ``book/_static``, the package's ``figures/static``). A change re-reads every
    page, which also makes Sphinx copy the changed file into the site (a build with no
    page out of date copies no static file)."""
    digest = hashlib.sha256()
    for directory in directories:
        for path in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def reconcile_cache(generated: Path, cache: Path, current: str) -> bool:
    """Keep or drop the execution cache and the generated files together.

    If ``generated/.fingerprint`` holds ``current`` (:func:`global_fingerprint`),
    nothing happens (returns False). Otherwise both directories are deleted,
    ``generated`` is recreated with the new stamp, and True is returned (every
    chapter must execute again).
    """
    stamp = generated / STAMP_NAME
    if stamp.is_file() and stamp.read_text().strip() == current:
        return False
    for directory in (cache, generated):
        if directory.exists():
            shutil.rmtree(directory)
    generated.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    return True


# -- per-chapter invalidation ------------------------------------------------------------
def read_inputs_stamp(generated: Path) -> dict[str, str] | None:
    """Return the :func:`input_hashes` saved by the last build, or None if there is none."""
    try:
        data = json.loads((generated / INPUTS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_inputs_stamp(generated: Path, hashes: dict[str, str]) -> None:
    """Save ``hashes`` as ``generated/.inputs.json`` (atomically)."""
    generated.mkdir(parents=True, exist_ok=True)
    tmp = generated / f".{INPUTS_NAME}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(hashes, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(generated / INPUTS_NAME)


def diff_hashes(old: dict[str, str] | None, new: dict[str, str]) -> list[str]:
    """Names added, removed or changed between two :func:`input_hashes` (all of ``new``
    when ``old`` is None), sorted."""
    if old is None:
        return sorted(new)
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def deps_records(generated: Path) -> dict[str, list[dict]]:
    """Return ``{document: [record, ...]}`` from ``generated/deps/*.json`` (usable records only)."""
    out: dict[str, list[dict]] = {}
    for path in sorted((generated / "deps").glob("*.json")):
        record = chapterdeps.read_record(path)
        if record is not None:
            record.setdefault("chapter", path.stem)
            out.setdefault(record["document"], []).append(record)
    return out


def _names(paths: list[str], limit: int = 3) -> str:
    """``a, b, c and 4 more``."""
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def stale_documents(
    generated: Path, book_root: Path, documents: list[str], inputs_changed: list[str]
) -> dict[str, tuple[str, list[str]]]:
    """Decide which notebook pages must execute again because their inputs changed.

    ``documents``: the notebook pages, paths relative to ``book_root``
    (``book/rq1_activity.md``). ``inputs_changed``: :func:`diff_hashes` of the
    whole-project inputs since the last build. A page with a deps record is stale
    when a file in it changed; a page without one (no ``ChapterResults``, or no
    ``save()``) when anything in ``inputs_changed`` did. Returns
    ``{document: (reason, [chapter ids whose generated files go with it])}``.
    """
    records = deps_records(generated)
    stale = {}
    for document in documents:
        recs = records.get(document)
        chapters = [r["chapter"] for r in recs or []]
        if recs:
            changed = sorted({p for r in recs for p in chapterdeps.changed_files(r, book_root)})
            if changed:
                stale[document] = (f"{_names(changed)} changed", chapters)
        elif inputs_changed:
            stale[document] = (f"no dependency record, and {_names(inputs_changed)} changed", chapters)
    return stale


def read_notebook(path: Path):
    """Return the notebook (nbformat) of a chapter source, ``.md`` (MyST) or ``.ipynb``."""
    import nbformat
    from myst_nb.core.read import read_myst_markdown_notebook

    if path.suffix == ".ipynb":
        return nbformat.read(path, as_version=4)
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)


def is_cached(cache, path: Path) -> bool:
    """True if jupyter-cache ``cache`` holds a successful execution of ``path``'s current code."""
    try:
        cache.match_cache_notebook(read_notebook(path))
    except KeyError:
        return False
    return True


def forget_execution(cache, path: Path) -> list[int]:
    """Delete ``path``'s cached executions (by notebook URI and by its current code);
    return the record ids removed."""
    path = Path(path).absolute()
    pks = {r.pk for r in cache.list_cache_records() if Path(r.uri) == path}
    try:
        pks.add(cache.match_cache_notebook(read_notebook(path)).pk)
    except (KeyError, OSError):
        pass
    for pk in sorted(pks):
        try:
            cache.remove_cache(pk)
        except KeyError:  # its notebook file was already gone: drop the record itself
            from jupyter_cache.cache.db import NbCacheRecord

            NbCacheRecord.remove_records([pk], cache.db)
    return sorted(pks)


def forget_generated(generated: Path, chapter: str) -> None:
    """Delete what chapter ``chapter`` wrote: results JSON, its published files
    (``data/<chapter>/``), its table cells (``cells/<chapter>/``) and its deps record."""
    for path in (generated / "results" / f"{chapter}.json", chapterdeps.record_path(generated, chapter)):
        path.unlink(missing_ok=True)
    for area in PUBLISHED_AREAS + ("cells",) + LEGACY_AREAS:
        shutil.rmtree(generated / area / chapter, ignore_errors=True)


# -- Sphinx events -------------------------------------------------------------------
def build_root(app: Sphinx) -> Path:
    """The folder holding this build's output, cache and generated files (``_build``)."""
    return Path(app.outdir).resolve().parent


def _cache_path(app: Sphinx) -> Path:
    cache = Path(app.config.nb_execution_cache_path or build_root(app) / ".jupyter_cache")
    return cache if cache.is_absolute() else Path(app.srcdir) / cache


def _on_config_inited(app: Sphinx, config) -> None:
    root = build_root(app)
    book_root = Path(app.srcdir)
    generated = root / "generated"
    cache = _cache_path(app)
    current = global_fingerprint(book_root)
    if reconcile_cache(generated, cache, current):
        logger.info("hubcommunity: requirements.lock or the set of snapshots changed "
                    "(fingerprint %s): execution cache cleared, every chapter executes", current[:12])
    os.environ[GENERATED_ENV] = str(generated)
    os.environ[chapterdeps.BOOK_ROOT_ENV] = str(book_root)
    hashes = input_hashes(book_root)
    app._hubcommunity_inputs = (hashes, diff_hashes(read_inputs_stamp(generated), hashes))
    own_static = [Path(app.srcdir) / p for p in config.html_static_path] + [render.STATIC_DIR]
    config.hubcommunity_fingerprint = current + machinery_fingerprint() + static_fingerprint(own_static)
    published, baseurl = publishing.theme_options(os.environ)
    if published:  # a publishing build: repository and launch buttons (see publishing.py)
        config.html_theme_options = {**config.html_theme_options, **published}
    if baseurl:
        config.html_baseurl = baseurl
    static = root / "static-vega"
    render.write_bundle(static)
    config.html_static_path = [*config.html_static_path, str(render.STATIC_DIR), str(static)]


def _notebook_documents(env) -> dict[str, Path]:
    """``{docname: source path}`` of the pages that are executable notebooks."""
    from hubcommunity.build import is_notebook

    out = {}
    for docname in sorted(env.found_docs):
        path = Path(env.doc2path(docname))
        if path.is_file() and is_notebook(path):
            out[docname] = path
    return out


def _on_env_get_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Before reading: drop the cached execution and generated files of every chapter
    whose inputs changed, and return those pages (plus pages without a cached
    execution, and pages pasting from any re-read page) for Sphinx to re-read."""
    from jupyter_cache import get_cache

    from hubcommunity import sphinx_crossglue

    book_root = Path(app.srcdir)
    generated = build_root(app) / "generated"
    hashes, inputs_changed = app._hubcommunity_inputs
    notebooks = _notebook_documents(env)
    relative = {docname: path.relative_to(book_root).as_posix() for docname, path in notebooks.items()}
    stale = stale_documents(generated, book_root, list(relative.values()), inputs_changed)
    cache = get_cache(_cache_path(app))
    reread, messages = set(), []
    for docname, path in notebooks.items():
        document = relative[docname]
        cached = is_cached(cache, path)
        if document in stale:
            reason, chapters = stale[document]
            forget_execution(cache, path)
            for chapter in chapters:
                forget_generated(generated, chapter)
            reread.add(docname)
            if cached:
                messages.append(f"{document}: re-executing, {reason}")
        if not cached:
            why = "page source changed" if docname in set(changed) else "no cached execution"
            messages.append(f"{document}: executing, {why}")
            reread.add(docname)
    app._hubcommunity_messages = messages
    write_inputs_stamp(generated, hashes)  # after the invalidation: a crash before it repeats it
    touched = reread | set(added) | set(changed) | set(removed)
    pasting = sphinx_crossglue.dependents(env, touched)
    return sorted((reread | set(pasting)) - set(added) - set(changed))


def _on_env_before_read_docs(app: Sphinx, env, docnames: list[str]) -> None:
    """Print, one line per chapter, which chapters execute and why (after Sphinx's summary)."""
    for message in getattr(app, "_hubcommunity_messages", []):
        logger.info("hubcommunity: %s", message)
    app._hubcommunity_messages = []


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    """Tell the kernel about to execute ``docname`` which page it is (for its deps record)."""
    path = Path(app.env.doc2path(docname))
    try:
        os.environ[chapterdeps.DOCUMENT_ENV] = path.relative_to(app.srcdir).as_posix()
    except ValueError:
        os.environ[chapterdeps.DOCUMENT_ENV] = path.as_posix()


def executed_notebook(cache, source: Path):
    """Return ``source``'s notebook with the outputs of its cached execution merged in
    (every output, glue values included), or None if it has no cached execution."""
    try:
        _, notebook = cache.merge_match_into_notebook(read_notebook(source))
    except KeyError:
        return None
    return notebook


def _offer_notebook(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Put the page's executed notebook in the site as ``_sources/<page>.ipynb`` and list
    it in the theme's download menu (sphinx-book-theme shows ``context["ipynb_source"]``
    as ".ipynb"). The notebook is the cached execution (all outputs, glue values
    included); pages executed without the cache fall back to myst-nb's
    ``_build/jupyter_execute/<page>.ipynb`` (glue outputs removed)."""
    if doctree is None or app.builder.format != "html" or pagename not in app.env.found_docs:
        return
    from hubcommunity.build import is_notebook

    source = Path(app.env.doc2path(pagename))
    if source.suffix == ".ipynb" or not source.is_file() or not is_notebook(source):
        return
    import nbformat
    from jupyter_cache import get_cache

    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    notebook = executed_notebook(get_cache(_cache_path(app)), source)
    fallback = build_root(app) / "jupyter_execute" / f"{pagename}.ipynb"
    if notebook is None and not fallback.is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if notebook is not None:
        nbformat.write(notebook, target)
    else:
        shutil.copyfile(fallback, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _on_build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    generated = Path(os.environ.get(GENERATED_ENV, build_root(app) / "generated"))
    write_results_site(generated / "results", Path(app.outdir) / "results")
    publish_data(generated, Path(app.outdir))


def publish_data(generated: Path, site: Path) -> list[str]:
    """Copy ``generated/data/`` to ``site/data/`` (replacing what an earlier build put there),
    so every figure's and table's files have a stable address in the site:
    ``data/<chapter>/<key>.csv``, ``.svg``, ``.vl.json``, ``.full.csv``. Returns the
    copied paths relative to ``site``, sorted."""
    copied = []
    for area in PUBLISHED_AREAS:
        source, target = generated / area, site / area
        if target.exists():
            shutil.rmtree(target)
        if not source.is_dir():
            continue
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*"))
        copied += [p.relative_to(site).as_posix() for p in target.rglob("*") if p.is_file()]
    return sorted(copied)


def write_results_site(source: Path, target: Path) -> list[str]:
    """Copy ``source/*.json`` to ``target/`` and write ``index.json`` and ``index.html``.

    Returns the chapter ids copied. ``index.json`` is ``{"chapters": [{"chapter",
    "file", "numbers", "tables", "figures"}]}``; ``index.html`` lists every number.
    """
    target.mkdir(parents=True, exist_ok=True)
    entries, sections = [], []
    for path in sorted(source.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        shutil.copyfile(path, target / path.name)
        entries.append({
            "chapter": record.get("chapter", path.stem),
            "file": path.name,
            "numbers": len(record.get("numbers", [])),
            "tables": len(record.get("tables", [])),
            "figures": len(record.get("figures", [])),
        })
        rows = "".join(
            f"<tr><td><code>{html.escape(n['key'])}</code></td><td>{html.escape(n['formatted'])}</td>"
            f"<td>{html.escape(repr(n['value']))}</td><td>{html.escape(n.get('unit', ''))}</td>"
            f"<td>{html.escape(n.get('description', ''))}</td></tr>"
            for n in record.get("numbers", [])
        )
        sections.append(
            f'<h2 id="{html.escape(path.stem)}">{html.escape(path.stem)} '
            f'(<a href="{html.escape(path.name)}">{html.escape(path.name)}</a>)</h2>'
            "<table><thead><tr><th>key</th><th>as quoted</th><th>value</th><th>unit</th>"
            f"<th>description</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    (target / "index.json").write_text(json.dumps({"chapters": entries}, indent=1) + "\n")
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Results: every number the book quotes</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;display:block;overflow-x:auto;max-width:100%}"
        "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}</style>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '</head><body><p><a href="../index.html">Back to the book</a></p>'
        "<h1>Results: every number the book quotes</h1>"
        '<p>One JSON file per chapter (key, value, formatted text, unit, description); '
        'all of them listed in <a href="index.json">index.json</a>.</p>'
        + "".join(sections) + "</body></html>\n"
    )
    (target / "index.html").write_text(page, encoding="utf-8")
    return [e["chapter"] for e in entries]


# -- markup ------------------------------------------------------------------------
def _generated_dir() -> Path:
    from hubcommunity.results import output_dir

    return output_dir()


def find_generated(area: str, key: str, suffix: str) -> Path | None:
    """Return ``<generated>/<area>/<chapter>/<key><suffix>`` for the one chapter that has it.

    ``area`` is ``data`` (published files) or ``cells`` (a table as displayed). Returns
    None if absent; raises ``ValueError`` if two chapters wrote the same key.
    """
    hits = sorted((_generated_dir() / area).glob(f"*/{key}{suffix}"))
    if len(hits) > 1:
        raise ValueError(f"key {key!r} written by several chapters: {[h.parent.name for h in hits]}")
    return hits[0] if hits else None


#: Text of a cell that is a number (``12,345``, ``-0.5``, ``73.1%``, ``1.2e-05``, ``< 0.001``,
#: ``2024-07-11``): right-aligned, tabular figures, never wrapped. The browser test uses the same rule.
NUMBER_TEXT = re.compile(
    r"^(?:[<>≤≥~≈]\s?)?[-+−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[eE][-+−]?\d+)?\s?%?$"
    r"|^\d{4}-\d{2}(?:-\d{2})?$"
)

#: A text column whose cells are all at most this long (characters: names, labels)
#: is never wrapped (class ``hc-short``), so ``leaderboard-pr-bot`` stays on one line.
SHORT_TEXT = 24

#: ... and so is a column of single tokens (ids, snapshot names, model ids: no space) up
#: to this long, which would otherwise break at hyphens and slashes.
TOKEN_TEXT = 60

#: A text column with a cell longer than this (characters) gets a wider minimum width
#: (class ``hc-long``): a table with a sentence in a cell scrolls rather than squeezing the
#: sentence into a tall, narrow column.
LONG_TEXT = 40

#: Tables with more rows than this are shown collapsed ("Show all N rows"), caption visible.
COLLAPSE_ROWS = 60


def text_column_kind(values: list[str]) -> list[str]:
    """Classes for the cells of a text column: ``["hc-short"]`` (never wrapped) when every
    cell is at most :data:`SHORT_TEXT` characters, or a single token of at most
    :data:`TOKEN_TEXT`; ``["hc-long"]`` (wider minimum) when a cell is longer than
    :data:`LONG_TEXT`; else ``[]``."""
    longest = max((len(v) for v in values), default=0)
    if longest <= SHORT_TEXT or (longest <= TOKEN_TEXT and not any(" " in v.strip() for v in values)):
        return ["hc-short"]
    return ["hc-long"] if longest > LONG_TEXT else []


class ResultsTableDirective(SphinxDirective):
    """``{results-table} KEY`` with ``:name:`` and the caption as content: a numbered table.

    Reads the cells ``ChapterResults.table(KEY, ...)`` wrote while the chapter executed
    (``cells/<chapter>/KEY.json``) and draws them the one way every table of the book is
    drawn: headers as given by ``labels=``, number cells right-aligned with tabular
    figures and never wrapped (class ``hc-num``), text cells wrapping within a readable
    width (``hc-text``; short names and ids never wrap, ``hc-short``, :func:`text_column_kind`;
    columns holding sentences, :data:`LONG_TEXT`, keep a wider minimum, ``hc-long``),
    the notes under the table, all in a container that scrolls
    sideways when the table is wider than the text column (the caption stays in the
    column: :func:`place_table_captions`). Options: ``:collapsed:`` shows only the caption
    and a "Show all N rows" toggle (default for more than :data:`COLLAPSE_ROWS` rows),
    ``:expanded:`` never collapses, ``:class:`` adds classes to the table.
    """

    required_arguments = 1
    has_content = True
    option_spec = {"name": directives.unchanged, "class": directives.class_option,
                   "collapsed": directives.flag, "expanded": directives.flag}

    def run(self) -> list[nodes.Node]:
        key = self.arguments[0]
        try:
            path = find_generated("cells", key, ".json")
        except ValueError as exc:
            raise self.error(str(exc)) from exc
        if path is None:
            raise self.error(
                f"results-table: no table {key!r}; call res.table({key!r}, df) in a code cell "
                f"before this directive (looked in {_generated_dir() / 'cells'})"
            )
        self.env.note_dependency(str(path))
        cells = json.loads(path.read_text(encoding="utf-8"))
        table = nodes.table(classes=["hc-results-table", *self.options.get("class", [])])
        if self.content:
            caption, messages = self.state.inline_text(" ".join(self.content), self.lineno)
            table += nodes.title("", "", *caption)
            table += messages
        columns = cells["columns"]
        numeric = cells.get("numeric") or [False] * len(columns)
        group = nodes.tgroup(cols=len(columns))
        table += group
        group += [nodes.colspec(colwidth=1) for _ in columns]
        kinds = [[] if num else text_column_kind([str(r[i]) for r in cells["rows"]])
                 for i, num in enumerate(numeric)]
        head = nodes.thead()
        group += head
        head += self._row(columns, numeric, kinds, header=True)
        body = nodes.tbody()
        group += body
        for row in cells["rows"]:
            body += self._row(row, numeric, kinds)
        self.add_name(table)

        holder = nodes.container(classes=["hc-table"])
        scroll = nodes.container("", table, classes=["hc-table-scroll"])
        n_rows = len(cells["rows"])
        collapsed = "collapsed" in self.options or (n_rows > COLLAPSE_ROWS and "expanded" not in self.options)
        if collapsed:
            holder["classes"].append("hc-table-collapsed")
            holder += nodes.raw("", f'<details class="hc-table-rows"><summary>Show all {n_rows:,} rows</summary>',
                                format="html")
            holder += scroll
            holder += nodes.raw("", "</details>", format="html")
        else:
            holder += scroll
        notes = cells.get("notes") or []
        if notes:
            box = nodes.container(classes=["hc-table-notes"])
            for note in notes:
                inline, messages = self.state.inline_text(str(note), self.lineno)
                box += nodes.paragraph("", "", *inline)
                box += messages
            holder += box
        return [holder]

    @staticmethod
    def _row(values: list[str], numeric: list[bool], kinds: list[list[str]], header: bool = False) -> nodes.row:
        row = nodes.row()
        for value, is_num, kind in zip(values, numeric, kinds):
            text = str(value)
            number = is_num or (not header and bool(NUMBER_TEXT.match(text.strip())))
            classes = ["hc-num"] if number else ["hc-text", *([] if header else kind)]
            entry = nodes.entry(classes=classes)
            entry += nodes.paragraph(text=text)
            row += entry
        return row


def place_table_captions(app: Sphinx, doctree: nodes.document, docname: str) -> int:
    """HTML only: draw every captioned table as ``div.hc-table`` (the table's id) holding its
    caption *above* a sideways-scrolling ``div.hc-table-scroll`` with the table.

    A ``<caption>`` inside a ``<table>`` is as wide as the table, so a table wider than
    the text column would cut its caption off; here the caption is a paragraph
    (``p.hc-table-caption``, with the "Table 3.1" number and a permalink) in the text
    column, and only the table scrolls. ``{results-table}`` builds the containers
    already; ``{table}``, ``{list-table}`` and ``{csv-table}`` get them here. Runs on
    ``doctree-resolved`` (numbers are known, cross-references resolved), before the cite
    blocks (:mod:`hubcommunity.sphinx_cite`). Returns how many tables it placed.
    """
    if app.builder.format != "html":
        return 0
    numbers = getattr(app.env, "toc_fignumbers", {}).get(docname, {}).get("table", {})
    prefix = app.config.numfig_format.get("table", "Table %s")
    placed = 0
    for table in list(doctree.findall(nodes.table)):
        titles = [c for c in table.children if isinstance(c, nodes.title)]
        if not titles:
            continue
        scroll = table.parent
        if not (isinstance(scroll, nodes.container) and "hc-table-scroll" in scroll["classes"]):
            scroll = nodes.container(classes=["hc-table-scroll"])
            table.replace_self(scroll)
            scroll += table
        holder = scroll.parent
        if not (isinstance(holder, nodes.container) and "hc-table" in holder["classes"]):
            holder = nodes.container(classes=["hc-table"])
            scroll.replace_self(holder)
            holder += scroll
        anchor = table["ids"][0] if table["ids"] else ""
        holder["ids"], table["ids"] = list(table["ids"]), []
        holder["names"], table["names"] = list(table["names"]), []
        title = titles[0]
        table.remove(title)
        caption = nodes.paragraph(classes=["hc-table-caption"])
        number = numbers.get(anchor)
        if number:
            label = prefix % ".".join(map(str, number))
            caption += nodes.inline(label + " ", label + " ", classes=["caption-number"])
        caption += nodes.inline("", "", *title.children, classes=["caption-text"])
        if anchor:
            caption += nodes.reference("", "#", refuri=f"#{anchor}", internal=True,
                                       classes=["headerlink"], reftitle="Link to this table")
        holder.insert(0, caption)
        placed += 1
    return placed


#: (label, suffix) of the files the ``{downloads}`` role links, in order.
DOWNLOADS = (
    ("SVG", ".svg"),
    ("CSV", ".csv"),
    ("Vega-Lite spec", ".vl.json"),
    ("full data (CSV)", ".full.csv"),
)


def site_link(docname: str, site_path: str) -> str:
    """Relative URL from page ``docname`` (``book/rq1_activity``) to ``site_path``
    (``data/rq1/fig-rq1-ccdf.csv``), for the HTML builder's ``<docname>.html`` pages."""
    return posixpath.relpath(site_path, posixpath.dirname(docname) or ".")


class DownloadsRole(SphinxRole):
    """``{downloads}`KEY``` -> "Data: SVG · CSV · Vega-Lite spec" for a figure (plus "full
    data (CSV)" when the plotted series are thinned), "Data: CSV" for a table: links to the
    files at their stable addresses in the site (``data/<chapter>/KEY.<ext>``, the paths the
    results JSON lists), not Sphinx's content-hashed ``_downloads/`` copies."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        key = self.text.strip()
        found = []
        try:
            for label, suffix in DOWNLOADS:
                path = find_generated("data", key, suffix)
                if path is not None:
                    found.append((label, path))
        except ValueError as exc:
            return [], [self.inliner.reporter.error(str(exc), line=self.lineno)]
        if not found:
            msg = self.inliner.reporter.error(
                f"downloads: nothing generated for {key!r} (call res.figure/res.table first; "
                f"looked in {_generated_dir() / 'data'})", line=self.lineno)
            return [], [msg]
        generated = _generated_dir()
        out: list[nodes.Node] = [nodes.Text("Data: ")]
        for i, (label, path) in enumerate(found):
            self.env.note_dependency(str(path))
            if i:
                out.append(nodes.Text(" · "))
            site_path = path.relative_to(generated).as_posix()
            ref = nodes.reference("", label, refuri=site_link(self.env.docname, site_path),
                                  classes=["hc-download"])
            out.append(ref)
        recipe = regenerate_recipe(generated, found[0][1].parent.name, key)
        if recipe and not any(path.name.endswith(".full.csv") for _, path in found):
            out += [nodes.Text(" · full data: "), nodes.literal(recipe, recipe)]
        return [nodes.inline("", "", *out, classes=["hc-downloads"])], []


def regenerate_recipe(generated: Path, chapter: str, key: str) -> str:
    """The ``regenerate=`` text recorded for figure ``key`` in ``results/<chapter>.json``, or ``""``."""
    try:
        record = json.loads((generated / "results" / f"{chapter}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    for fig in record.get("figures", []):
        if fig.get("key") == key:
            return str(fig.get("regenerate") or "")
    return ""


def _dedupe_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Drop repeated ``<script>`` entries from a page (sphinx-thebe registers its inline
    config once per read pass, and a repeated ``const`` declaration is a page error)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        attrs = getattr(script, "attributes", {}) or {}
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def setup(app: Sphinx) -> dict:
    """Register the config value, events, ``{results-table}``, ``{downloads}`` and the chart scripts."""
    app.add_config_value("hubcommunity_fingerprint", "", "env")
    app.connect("config-inited", _on_config_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-before-read-docs", _on_env_before_read_docs)
    app.connect("source-read", _on_source_read)
    app.connect("html-page-context", _offer_notebook, priority=500)  # before the theme's buttons (501)
    app.connect("build-finished", _on_build_finished)
    app.add_directive("results-table", ResultsTableDirective)
    app.connect("doctree-resolved", place_table_captions, priority=400)  # before the cite blocks (500+)
    app.add_role("downloads", DownloadsRole())
    app.connect("html-page-context", _dedupe_scripts, priority=100)  # before handlers that return a template (emit_firstresult stops there)
    # Modules: the bundle's top-level names stay out of the page's global scope, and
    # modules run in order after the page is parsed (bundle first, then the charts).
    app.add_js_file(render.BUNDLE_NAME, priority=400, type="module")
    app.add_js_file("hubcommunity-charts.js", priority=401, type="module")
    app.add_css_file("hubcommunity-charts.css")
    app.add_css_file("hubcommunity-tables.css")
    return {"version": hubcommunity.__version__, "parallel_read_safe": True, "parallel_write_safe": True}
