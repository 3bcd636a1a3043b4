"""Sphinx extension for the book: execution-cache invalidation, offline charts, results files.

Loaded from ``_config.yml`` (``sphinx.extra_extensions``). It does four things:

1. **Cache invalidation.** jupyter-cache re-executes a notebook only when its code
   cells change. Chapters also depend on the package code, the project data files
   and the snapshots' manifests, so :func:`fingerprint` hashes those, and when the
   fingerprint differs from the one the build's generated files were made with,
   the execution cache *and* the generated files are deleted together (they never
   go stale or missing apart) and the config value ``hubcommunity_fingerprint``
   (rebuild ``env``) changes, which makes Sphinx re-read every page, so every
   chapter executes again. A build after no change reuses both.
2. **Where chapters write.** ``$HUBCOMMUNITY_GENERATED_DIR`` is set to
   ``<build root>/generated`` beside this build's ``.jupyter_cache`` (the kernel
   inherits it), so concurrent builds into different output folders never share
   files.
3. **Offline charts.** The Vega/Vega-Lite/vega-embed bundle from ``vl-convert``
   and ``hubcommunity-charts.js`` are added to the site's ``_static``; glued
   figures (:class:`hubcommunity.figures.render.ChartDisplay`) are drawn by them.
4. **Markup and results.** The ``{results-table}`` directive (a numbered table
   from ``ChapterResults.table``), the ``{downloads}`` role (download links to a
   figure's SVG/CSV/spec or a table's CSV), and, after an HTML build, the results
   JSON files copied into ``<site>/results/`` with ``index.json`` and ``index.html``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

import hubcommunity
from hubcommunity.figures import render
from hubcommunity.results import GENERATED_ENV

logger = logging.getLogger(__name__)

#: Name of the file, inside a generated directory, recording the fingerprint it was made with.
STAMP_NAME = ".fingerprint"

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


def fingerprint(book_root: Path, package_dir: Path | None = None) -> str:
    """Return a hex SHA-256 over the names and contents of :func:`fingerprint_inputs`."""
    package_dir = Path(package_dir or Path(hubcommunity.__file__).parent)
    digest = hashlib.sha256()
    for path in fingerprint_inputs(book_root, package_dir):
        for base in (package_dir, book_root):
            if base in path.parents:
                name = f"{base.name}/{path.relative_to(base).as_posix()}"
                break
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def reconcile_cache(generated: Path, cache: Path, current: str) -> bool:
    """Keep or drop the execution cache and the generated files together.

    If ``generated/.fingerprint`` holds ``current``, nothing happens (returns
    False). Otherwise both directories are deleted, ``generated`` is recreated with
    the new stamp, and True is returned (every chapter must execute again).
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


# -- Sphinx events -------------------------------------------------------------------
def build_root(app: Sphinx) -> Path:
    """The folder holding this build's output, cache and generated files (``_build``)."""
    return Path(app.outdir).resolve().parent


def _on_config_inited(app: Sphinx, config) -> None:
    root = build_root(app)
    generated = root / "generated"
    cache = Path(config.nb_execution_cache_path or root / ".jupyter_cache")
    if not cache.is_absolute():
        cache = Path(app.srcdir) / cache
    current = fingerprint(Path(app.srcdir))
    if reconcile_cache(generated, cache, current):
        logger.info("hubcommunity: inputs changed (fingerprint %s): execution cache cleared", current[:12])
    os.environ[GENERATED_ENV] = str(generated)
    config.hubcommunity_fingerprint = current
    static = root / "static-vega"
    render.write_bundle(static)
    config.html_static_path = [*config.html_static_path, str(render.STATIC_DIR), str(static)]


def _on_build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    generated = Path(os.environ.get(GENERATED_ENV, build_root(app) / "generated"))
    write_results_site(generated / "results", Path(app.outdir) / "results")


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
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}</style>"
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


def find_generated(kind: str, key: str, suffix: str) -> Path | None:
    """Return ``<generated>/<kind>/<chapter>/<key><suffix>`` for the one chapter that has it.

    ``kind`` is ``figures`` or ``tables``. Returns None if absent; raises
    ``ValueError`` if two chapters wrote the same key.
    """
    hits = sorted((_generated_dir() / kind).glob(f"*/{key}{suffix}"))
    if len(hits) > 1:
        raise ValueError(f"key {key!r} written by several chapters: {[h.parent.name for h in hits]}")
    return hits[0] if hits else None


class ResultsTableDirective(SphinxDirective):
    """``{results-table} KEY`` with ``:name:`` and the caption as content: a numbered table.

    Reads the cells ``ChapterResults.table(KEY, ...)`` wrote while the chapter executed.
    """

    required_arguments = 1
    has_content = True
    option_spec = {"name": directives.unchanged, "class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        key = self.arguments[0]
        try:
            path = find_generated("tables", key, ".json")
        except ValueError as exc:
            raise self.error(str(exc)) from exc
        if path is None:
            raise self.error(
                f"results-table: no table {key!r}; call res.table({key!r}, df) in a code cell "
                f"before this directive (looked in {_generated_dir() / 'tables'})"
            )
        self.env.note_dependency(str(path))
        cells = json.loads(path.read_text(encoding="utf-8"))
        table = nodes.table(classes=["hc-results-table", *self.options.get("class", [])])
        if self.content:
            caption, messages = self.state.inline_text(" ".join(self.content), self.lineno)
            table += nodes.title("", "", *caption)
            table += messages
        ncols = len(cells["columns"])
        group = nodes.tgroup(cols=ncols)
        table += group
        group += [nodes.colspec(colwidth=1) for _ in range(ncols)]
        head = nodes.thead()
        group += head
        head += self._row(cells["columns"])
        body = nodes.tbody()
        group += body
        for row in cells["rows"]:
            body += self._row(row)
        self.add_name(table)
        return [table]

    @staticmethod
    def _row(values: list[str]) -> nodes.row:
        row = nodes.row()
        for value in values:
            entry = nodes.entry()
            entry += nodes.paragraph(text=str(value))
            row += entry
        return row


#: (label, kind, suffix) of the files the ``{downloads}`` role links, in order.
DOWNLOADS = (
    ("SVG", "figures", ".svg"),
    ("CSV", "figures", ".csv"),
    ("Vega-Lite spec", "figures", ".vl.json"),
    ("CSV", "tables", ".csv"),
)


class DownloadsRole(SphinxRole):
    """``{downloads}`KEY``` -> "Download: SVG · CSV · Vega-Lite spec" for a figure
    (or "Download: CSV" for a table): Sphinx download links to the generated files."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        key = self.text.strip()
        found = []
        try:
            for label, kind, suffix in DOWNLOADS:
                path = find_generated(kind, key, suffix)
                if path is not None:
                    found.append((label, path))
        except ValueError as exc:
            return [], [self.inliner.reporter.error(str(exc), line=self.lineno)]
        if not found:
            msg = self.inliner.reporter.error(
                f"downloads: nothing generated for {key!r} (call res.figure/res.table first; "
                f"looked in {_generated_dir()})", line=self.lineno)
            return [], [msg]
        srcdir = Path(self.env.srcdir)
        out: list[nodes.Node] = [nodes.Text("Download: ")]
        for i, (label, path) in enumerate(found):
            if i:
                out.append(nodes.Text(" · "))
            target = "/" + os.path.relpath(path, srcdir).replace(os.sep, "/")
            ref = addnodes.download_reference(
                "", "", reftarget=target, refdoc=self.env.docname, refexplicit=True,
                refdomain="", reftype="download", classes=["hc-download"])
            ref += nodes.literal(label, label, classes=["xref", "download"])
            out.append(ref)
        return [nodes.inline("", "", *out, classes=["hc-downloads"])], []


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
    app.connect("build-finished", _on_build_finished)
    app.add_directive("results-table", ResultsTableDirective)
    app.add_role("downloads", DownloadsRole())
    app.connect("html-page-context", _dedupe_scripts, priority=100)  # before handlers that return a template (emit_firstresult stops there)
    # Modules: the bundle's top-level names stay out of the page's global scope, and
    # modules run in order after the page is parsed (bundle first, then the charts).
    app.add_js_file(render.BUNDLE_NAME, priority=400, type="module")
    app.add_js_file("hubcommunity-charts.js", priority=401, type="module")
    app.add_css_file("hubcommunity-charts.css")
    return {"version": hubcommunity.__version__, "parallel_read_safe": True, "parallel_write_safe": True}
