"""Bulk listings of models, datasets and spaces, page by page, resumable.

``GET /api/{models,datasets,spaces}?limit=1000&expand=...`` (the query
``HfApi.list_models(expand=[...])`` sends), following the cursor in each
answer's ``Link: <...>; rel="next"`` header. Each page is committed to the
journal with the next cursor, so a resumed run continues from the last page
written. Records are the repository objects exactly as the Hub sent them;
only the selection (``author`` is a server-side filter; ``sample`` and
``limit`` are applied here) decides which of them are kept.
"""

from __future__ import annotations

import hashlib
from typing import Callable

from .checkpoint import Journal
from .http import FetchError, HubHttp

#: ``expand`` fields asked per repository type (valid values of huggingface_hub's
#: ``ExpandModelProperty_T`` / ``ExpandDatasetProperty_T`` / ``ExpandSpaceProperty_T``).
EXPAND = {
    "model": ("author", "likes", "downloads", "downloadsAllTime", "createdAt", "lastModified", "tags",
              "pipeline_tag", "library_name", "gated", "private", "sha"),
    "dataset": ("author", "likes", "downloads", "downloadsAllTime", "createdAt", "lastModified", "tags",
                "gated", "private", "sha", "disabled"),
    "space": ("author", "likes", "createdAt", "lastModified", "tags", "private", "sha", "sdk", "models",
              "disabled"),
}
STREAM_OF = {"model": "models", "dataset": "datasets", "space": "spaces"}
REPO_TYPES = tuple(STREAM_OF)


class CollectError(RuntimeError):
    """The collection cannot go on (e.g. a listing page failed for good)."""


def in_sample(repo_id: str, fraction: float | None, seed: int) -> bool:
    """Whether ``repo_id`` is in the reproducible sample of ``fraction`` for ``seed``.

    Hash-based (sha256 of ``"<seed>:<repo_id>"`` as a number in [0, 1)), so the
    selection of a repository depends only on its id and the seed, never on
    listing order or on which other repositories exist. ``fraction`` None or
    >= 1 selects everything.
    """
    if fraction is None or fraction >= 1:
        return True
    digest = hashlib.sha256(f"{seed}:{repo_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def listing_params(repo_type: str, author: str | None, page_size: int) -> list[tuple[str, str]]:
    """Query parameters of the first listing page (as ``HfApi.list_models`` builds them)."""
    params = [("limit", str(page_size))] + [("expand", f) for f in EXPAND[repo_type]]
    if author:
        params.append(("author", author))
    return params


def list_repos(http: HubHttp, journal: Journal, repo_type: str, *, author: str | None, sample: float | None,
               seed: int, limit: int | None, page_size: int = 1000,
               on_page: Callable[[int, int], None] | None = None) -> int:
    """List every repository of ``repo_type`` into the journal; return how many were kept.

    Resumes after the last committed page. ``on_page(listed, kept)`` is called
    after each page (for progress bars). Raises :class:`CollectError` if a
    page cannot be fetched.
    """
    key = f"list:{repo_type}"
    state = journal.last_state(key) or {"next": None, "page": -1, "kept": 0, "listed": 0, "done": False}
    if state["done"]:
        return state["kept"]
    url = state["next"] or f"/api/{repo_type}s"
    params = None if state["next"] else listing_params(repo_type, author, page_size)
    kept, listed, page_no = state["kept"], state["listed"], state["page"] + 1
    while True:
        try:
            page = http.get(url, params)
        except FetchError as exc:
            raise CollectError(f"listing {repo_type}s failed at page {page_no}: {exc}") from None
        if not isinstance(page.body, list):
            raise CollectError(f"listing {repo_type}s page {page_no}: expected a JSON array, got "
                               f"{type(page.body).__name__}")
        chosen = [r for r in page.body if in_sample(r["id"], sample, seed)]
        if limit is not None:
            chosen = chosen[: max(0, limit - kept)]
        kept += len(chosen)
        listed += len(page.body)
        done = page.next_url is None or (limit is not None and kept >= limit)
        new_state = {"next": page.next_url, "page": page_no, "kept": kept, "listed": listed, "done": done}
        journal.commit([f"{key}:{page_no}"], {STREAM_OF[repo_type]: chosen}, {key: new_state})
        if on_page:
            on_page(len(page.body), len(chosen))
        if done:
            return kept
        url, params, page_no = page.next_url, None, page_no + 1
