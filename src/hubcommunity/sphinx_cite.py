"""Sphinx extension: a "Cite this figure/table" block under every labelled figure and table.

Enable it in ``_config.yml``::

    sphinx:
      extra_extensions:
        - hubcommunity.sphinx_cite

For every ``figure`` node (``{figure}``, ``{glue:figure}``) and ``table`` node
(``{table}``, list tables, ``{results-table}``) that has a label, the HTML page gets
a collapsed ``<details class="hc-cite">`` block holding a plain-text citation and a
BibTeX entry (:func:`hubcommunity.citation.item_citation`): the book's authors,
year, title and version from ``CITATION.cff``, the item's number in the book,
its label and its URL (``html_baseurl`` or the ``url`` of ``CITATION.cff``, else
relative). Unlabelled items get nothing: they cannot be cited stably.

Runs on ``doctree-resolved`` (numbers are assigned by then), HTML builders only.
"""

from __future__ import annotations

import html

from docutils import nodes

from hubcommunity import citation

#: CSS class of the block (the browser test and the stylesheet can find it by this).
CSS_CLASS = "hc-cite"

_STYLE = (
    "<style>details.hc-cite{margin:.3em 0 1em;font-size:.85em}"
    "details.hc-cite summary{cursor:pointer;color:var(--pst-color-text-muted,#555)}"
    "details.hc-cite pre{white-space:pre-wrap;font-size:.9em}</style>"
)


def item_label(node: nodes.Element) -> tuple[str, str]:
    """Return ``(label, anchor)`` of a figure/table node: its explicit name and its id.

    Both empty when the node has no explicit label (docutils gives unlabelled
    items automatic ids such as ``id1``, which are not stable and not cited).
    """
    ids = node.get("ids", [])
    names = node.get("names", [])
    if not ids or not names:
        return "", ""
    anchor = nodes.make_id(names[0])
    return names[0], anchor if anchor in ids else ids[0]


def item_caption(node: nodes.Element) -> str:
    """Return the caption (figures) or title (tables) of ``node`` as plain text, or ``""``.

    Download links in the caption (``{downloads}``, class ``hc-downloads``; any
    ``download_reference``) are left out: they are not part of what is cited.
    """
    for child in node.children:
        if isinstance(child, (nodes.caption, nodes.title)):
            caption = child.deepcopy()
            for link in list(caption.findall(nodes.Element)):
                if "hc-downloads" in link.get("classes", []) or link.tagname == "download_reference":
                    if link.parent is not None:
                        link.parent.remove(link)
            return caption.astext().strip()
    return ""


def item_number(env, docname: str, kind: str, anchor: str) -> str:
    """Return the item's number in the book (``"3.2"``) from Sphinx's numbering, or ``""``."""
    numbers = getattr(env, "toc_fignumbers", {}).get(docname, {}).get(kind, {})
    number = numbers.get(anchor)
    return ".".join(str(n) for n in number) if number else ""


def cite_block_html(snippet: dict[str, str], kind: str) -> str:
    """Return the HTML ``<details>`` block for one snippet from :func:`item_citation`."""
    word = citation.KIND_WORDS[kind].lower()
    return (
        f'<details class="{CSS_CLASS}"><summary>Cite this {word}</summary>'
        f'<p class="hc-cite-text">{html.escape(snippet["text"])}</p>'
        f'<pre class="hc-cite-bibtex">{html.escape(snippet["bibtex"])}</pre></details>'
    )


def _book(app):
    """Return the book's citation metadata, cached on the app, with the site's base URL."""
    book = getattr(app, "_hc_book_citation", None)
    if book is None:
        book = citation.load_book_citation()
        base = getattr(app.config, "html_baseurl", "") or book.url
        if base != book.url:
            book = citation.BookCitation(**{**book.__dict__, "url": base})
        app._hc_book_citation = book
    return book


def add_cite_blocks(app, doctree: nodes.document, docname: str) -> int:
    """Insert a cite block after every labelled figure and table of ``doctree``.

    Returns how many blocks were added.
    """
    if app.builder.format != "html":
        return 0
    book = _book(app)
    page = app.builder.get_target_uri(docname)
    added = 0
    for kind, cls in (("figure", nodes.figure), ("table", nodes.table)):
        for node in list(doctree.findall(cls)):
            label, anchor = item_label(node)
            if not label:
                continue
            snippet = citation.item_citation(
                book,
                kind=kind,
                label=label,
                page=page,
                number=item_number(app.env, docname, kind, anchor),
                caption=item_caption(node),
            )
            block = nodes.raw("", cite_block_html(snippet, kind), format="html")
            if added == 0:
                block = nodes.raw("", _STYLE + block.astext(), format="html")
            parent = node.parent
            parent.insert(parent.index(node) + 1, block)
            added += 1
    return added


def setup(app):
    """Register the extension with Sphinx."""
    app.connect("doctree-resolved", add_cite_blocks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
