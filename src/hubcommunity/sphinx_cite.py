"""Sphinx extension: one collapsed "Cite" control under every labelled figure and table.

Enable it in ``_config.yml``::

    sphinx:
      extra_extensions:
        - hubcommunity.sphinx_cite

For every ``figure`` node (``{figure}``, ``{glue:figure}``) and every table
(``{table}``, list tables, ``{results-table}``; in HTML a ``div.hc-table`` placed by
:func:`hubcommunity.sphinxext.place_table_captions`) that has a label, the HTML page
gets a collapsed ``<details class="hc-cite">`` whose summary is the one word "Cite";
opened, it holds a plain-text citation and a BibTeX entry
(:func:`hubcommunity.citation.item_citation`): the book's authors, year, title and
version from ``CITATION.cff``, the item's number in the book, its label and its URL
(absolute when the site's address is known: ``html_baseurl``, else the ``url`` of
``CITATION.cff``; else the page path). Unlabelled items get nothing: they cannot be
cited stably.

The footer's copyright year is set to the citation year (``date-released`` of
``CITATION.cff``, else the build year), so the page and its citations agree.

Runs on ``doctree-resolved`` (numbers are assigned by then), HTML builders only.
"""

from __future__ import annotations

import html

from docutils import nodes

from hubcommunity import citation

#: CSS class of the block (the browser test and the stylesheet, ``hubcommunity-tables.css``
#: shipped by :mod:`hubcommunity.sphinxext`, find it by this).
CSS_CLASS = "hc-cite"

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


def _caption_node(node: nodes.Element) -> nodes.Element | None:
    """The caption of a figure, the title of a table, or the caption paragraph of a placed table."""
    for child in node.children:
        if isinstance(child, (nodes.caption, nodes.title)):
            return child
        if isinstance(child, nodes.paragraph) and "hc-table-caption" in child.get("classes", []):
            for inline in child.children:
                if isinstance(inline, nodes.inline) and "caption-text" in inline.get("classes", []):
                    return inline
            return child
    return None


def item_caption(node: nodes.Element) -> str:
    """Return the caption (figures) or title (tables) of ``node`` as plain text, or ``""``.

    Download links in the caption (``{downloads}``, class ``hc-downloads``; any
    ``download_reference``) are left out: they are not part of what is cited.
    """
    found = _caption_node(node)
    if found is None:
        return ""
    caption = found.deepcopy()
    for link in list(caption.findall(nodes.Element)):
        if "hc-downloads" in link.get("classes", []) or link.tagname == "download_reference":
            if link.parent is not None:
                link.parent.remove(link)
    return caption.astext().strip()


def item_number(env, docname: str, kind: str, anchor: str) -> str:
    """Return the item's number in the book (``"3.2"``) from Sphinx's numbering, or ``""``."""
    numbers = getattr(env, "toc_fignumbers", {}).get(docname, {}).get(kind, {})
    number = numbers.get(anchor)
    return ".".join(str(n) for n in number) if number else ""


def cite_block_html(snippet: dict[str, str], kind: str) -> str:
    """Return the HTML ``<details>`` block for one snippet from :func:`item_citation`:
    collapsed, summary "Cite", the text and the BibTeX inside."""
    word = citation.KIND_WORDS[kind].lower()
    return (
        f'<details class="{CSS_CLASS}"><summary title="Cite this {word}: text and BibTeX">Cite</summary>'
        f'<p class="hc-cite-text">{html.escape(snippet["text"])}</p>'
        f'<pre class="hc-cite-bibtex">{html.escape(snippet["bibtex"])}</pre></details>'
    )


def citable_items(doctree: nodes.document):
    """Yield ``(kind, node)`` for every figure and table of ``doctree``: figures, tables placed
    in a ``div.hc-table`` (the container carries the label), and other tables."""
    for node in doctree.findall(nodes.figure):
        yield "figure", node
    for node in doctree.findall(nodes.container):
        if "hc-table" in node.get("classes", []):
            yield "table", node
    for node in doctree.findall(nodes.table):
        yield "table", node


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
    """Insert one collapsed cite control after every labelled figure, and at the end of
    every labelled table's container (after its notes).

    Returns how many blocks were added.
    """
    if app.builder.format != "html":
        return 0
    book = _book(app)
    page = app.builder.get_target_uri(docname)
    added = 0
    for kind, node in list(citable_items(doctree)):
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
        markup = cite_block_html(snippet, kind)
        block = nodes.raw("", markup, format="html")
        if isinstance(node, nodes.container):
            node += block
        else:
            parent = node.parent
            parent.insert(parent.index(node) + 1, block)
        added += 1
    return added


def set_copyright_year(app, config) -> None:
    """Make the footer's year the citation year (``CITATION.cff`` ``date-released``, else the
    build year), so a reader sees one year on the page and in its citations."""
    year = str(citation.load_book_citation().year)
    config.copyright = year


def setup(app):
    """Register the extension with Sphinx."""
    app.connect("config-inited", set_copyright_year)
    app.connect("doctree-resolved", add_cite_blocks, priority=600)  # after place_table_captions (400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
