"""Where the reference captures came from: publish their converter and its notes with the site.

The reference captures are read in place from ``../shared/reference-data`` (linked as
snapshots by ``hubcommunity link-reference``). Beside them lie the two files that say
exactly how each was made from its public source: ``README.md`` (what was converted,
dropped, replaced or is missing, per capture) and ``prepare.py`` (the script that built
the folder from the source repositories). The data chapter copies both into its folder
of the site (``data/data/reference-data-README.md``, ``data/data/reference-data-prepare.py``)
so a reader of the published book can read them, and links them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

#: The files that document the reference captures, and the names they get in the site.
REFERENCE_DOCS = {"README.md": "reference-data-README.md", "prepare.py": "reference-data-prepare.py"}


def reference_folder(snapshots: pd.DataFrame) -> Path | None:
    """The folder holding the reference captures, found through the snapshots' ``raw`` links.

    ``snapshots``: ``Tables.snapshots`` (column ``path``: the snapshot directory). Returns
    the first parent of a snapshot's resolved ``raw/`` that holds every file of
    :data:`REFERENCE_DOCS`, or ``None`` (a snapshot collected live has none).
    """
    for path in dict.fromkeys(snapshots["path"].astype(str)):
        raw = (Path(path) / "raw").resolve()
        for folder in (raw.parent, raw.parent.parent):
            if all((folder / name).is_file() for name in REFERENCE_DOCS):
                return folder
    return None


def publish_reference_docs(snapshots: pd.DataFrame, directory: Path | str, chapter: str) -> dict[str, str]:
    """Copy the reference captures' README and converter into ``directory/data/<chapter>/``.

    ``directory``: the chapter's output directory (``ChapterResults.directory``), whose
    ``data/`` the build publishes at the site's root. Returns ``{source name: path in the
    site}`` (e.g. ``{"README.md": "data/data/reference-data-README.md"}``), empty when no
    reference folder is linked.
    """
    folder = reference_folder(snapshots)
    if folder is None:
        return {}
    target = Path(directory) / "data" / chapter
    target.mkdir(parents=True, exist_ok=True)
    published = {}
    for name, site_name in REFERENCE_DOCS.items():
        shutil.copyfile(folder / name, target / site_name)
        published[name] = f"data/{chapter}/{site_name}"
    return published


def reference_docs_markdown(published: dict[str, str], prefix: str = "../") -> str:
    """One sentence of Markdown linking the published files (``prefix``: from the page to the site root)."""
    if not published:
        return ("*This build links no reference captures, so the reference folder's `README.md` and "
                "`prepare.py` are not published with it.*")
    links = " and ".join(f'<a href="{prefix}{path}">{name}</a>' for name, path in published.items())
    return (f"The reference folder's notes and its converter, as this build read them: {links} "
            "(copied from `../shared/reference-data/`).")
