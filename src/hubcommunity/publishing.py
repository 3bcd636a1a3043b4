"""Where the published book lives: repository and launch buttons, from the environment.

The book has no fixed public address, so ``_config.yml`` names none. A publishing
build (``.github/workflows/publish.yml``) sets ``HUBCOMMUNITY_REPOSITORY_URL``
(and optionally ``HUBCOMMUNITY_REPOSITORY_BRANCH`` and ``HUBCOMMUNITY_BASEURL``),
and :func:`theme_options` turns them into sphinx-book-theme options: a repository
button, an issues button, and a Binder launch button on every executable
chapter. A local build sets none and gets none (only the offline download menu).
"""

from __future__ import annotations

from collections.abc import Mapping

REPOSITORY_ENV = "HUBCOMMUNITY_REPOSITORY_URL"
BRANCH_ENV = "HUBCOMMUNITY_REPOSITORY_BRANCH"
BASEURL_ENV = "HUBCOMMUNITY_BASEURL"

#: Launch service: Binder opens a chapter's MyST source in JupyterLab, where jupytext
#: (in environment.yml's pinned requirements) shows it as a notebook. Colab is left
#: out: it opens only .ipynb files, and the repository holds the chapters as .md.
LAUNCH_BUTTONS = {
    "notebook_interface": "jupyterlab",
    "binderhub_url": "https://mybinder.org",
}


def theme_options(environ: Mapping[str, str]) -> tuple[dict, str | None]:
    """Return ``(html_theme_options to add, html_baseurl or None)`` for ``environ``.

    Empty options when ``HUBCOMMUNITY_REPOSITORY_URL`` is unset. The URL must be a
    ``https://github.com/<owner>/<repo>`` address (the launch services read public
    GitHub repositories); anything else raises ``ValueError`` naming the variable.
    """
    url = environ.get(REPOSITORY_ENV, "").strip().rstrip("/")
    if not url:
        return {}, None
    parts = url.removeprefix("https://github.com/").split("/")
    if not url.startswith("https://github.com/") or len(parts) != 2 or not all(parts):
        raise ValueError(f"{REPOSITORY_ENV}={url!r}: expected https://github.com/<owner>/<repo>")
    options = {
        "repository_url": url,
        "repository_branch": environ.get(BRANCH_ENV, "").strip() or "main",
        "path_to_docs": "",
        "use_repository_button": True,
        "use_issues_button": True,
        "launch_buttons": dict(LAUNCH_BUTTONS),
    }
    baseurl = environ.get(BASEURL_ENV, "").strip() or None
    if baseurl and not baseurl.endswith("/"):
        baseurl += "/"
    return options, baseurl
