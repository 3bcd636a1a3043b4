"""Sphinx extension: rebuild pages that paste glue values from other pages.

myst-nb (1.x) lets a page paste a value glued in another page,
``{glue:text}`rq1_activity.md::models_zero_downloads_share:s```: the value is
read, at write time, from the other page's ``<docname>.glue.json`` in the
execution output folder. Sphinx does not know about that dependency, so after
an incremental build in which only ``rq1_activity`` changed, the page that
pastes from it would keep the old number. This extension tells Sphinx to
re-read such pages whenever a page they paste from is re-read.

Enable it in ``_config.yml``::

    sphinx:
      extra_extensions:
        - hubcommunity.sphinx_crossglue

Note the ``:s`` (or another format spec) at the end of a cross-page
``{glue:text}``: without one, myst-nb 1.4 splits ``page.md::key`` at the last
colon and fails.
"""

from __future__ import annotations

import re
from pathlib import Path

#: A glue role whose content names another page: ``{glue...}`path.md::key...```.
CROSS_GLUE = re.compile(r"\{glue(?::[a-z]+)?\}`([^`\s]+?)::[^`]*`")


def cross_glue_sources(text: str) -> list[str]:
    """Return the relative page paths a MyST text pastes glue from, in order, unique.

    ``"{glue:text}`rq1.md::k:s` and {glue}`../x/rq2.md::n`"`` -> ``["rq1.md", "../x/rq2.md"]``.
    """
    seen: dict[str, None] = {}
    for match in CROSS_GLUE.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def dependents(env, changed: set[str]) -> list[str]:
    """Return the documents (not in ``changed``) that paste glue from a document in ``changed``."""
    out = []
    for docname in sorted(env.found_docs - changed):
        source = Path(env.doc2path(docname))
        try:
            text = source.read_text(encoding="utf-8")
        except OSError:
            continue
        for rel in cross_glue_sources(text):
            _, filepath = env.relfn2path(rel, docname)
            if env.path2doc(filepath) in changed:
                out.append(docname)
                break
    return out


def _outdated(app, env, added, changed, removed):
    """``env-get-outdated`` handler: also re-read pages pasting from re-read pages."""
    touched = set(added) | set(changed) | set(removed)
    return dependents(env, touched) if touched else []


def setup(app):
    """Register the extension with Sphinx."""
    app.connect("env-get-outdated", _outdated)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
