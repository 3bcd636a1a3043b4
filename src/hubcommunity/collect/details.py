"""Per-repository details: commit history and discussions with their events.

For one repository (one journal *unit*) this makes the calls the paper's
scripts made through ``list_repo_commits`` and ``get_repo_discussions``, plus
the thread details that carry participants:

- ``GET /api/{type}s/{repo}/commits/main`` and its ``Link`` pages -> one
  ``commits`` record ``{"repo": {"name", "type"}, "commits": [...as sent...]}``;
- ``GET /api/{type}s/{repo}/discussions?p=N`` until ``start + len == count``;
- ``GET /api/{type}s/{repo}/discussions/{num}`` per thread -> one
  ``discussions`` record each, the details object as sent (it carries
  ``repo {name, type}``; added if missing).

401/403/404 answers become ``fetch_errors`` records:
``{"repo_id", "repo_type", "scope", "http_status", "reason", "error_code"}``,
with ``scope`` ``"commits"`` (commit history), ``"repository"`` (the
discussions list, as in the reference capture's errors) or ``"thread"`` (plus
the listing's ``num, isPullRequest, status, title, author, createdAt``).

Incremental mode passes a :class:`Reuse` with an earlier snapshot's records
for this repository: the commit record is reused when ``sha`` and
``lastModified`` did not change; the discussions list is always asked (a new
thread does not change a repository's ``sha``), and a thread's details are
reused when its status, title and number of comments are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .http import FetchError, HubHttp

THREAD_FIELDS = ("num", "isPullRequest", "status", "title", "author", "createdAt")


@dataclass
class Reuse:
    """What an earlier snapshot holds for one repository."""

    commits: dict | None = None
    threads: dict[int, dict] = field(default_factory=dict)


@dataclass
class RepoResult:
    """Records for one repository, per stream, and how many were reused."""

    records: dict[str, list[dict]] = field(default_factory=lambda: {"commits": [], "discussions": [], "fetch_errors": []})
    reused_commits: bool = False
    reused_threads: int = 0


def fetch_error(repo_type: str, repo_id: str, scope: str, exc: FetchError, **extra) -> dict:
    """A ``fetch_errors`` record for ``exc`` (no URL, header or token in it)."""
    rec = {"repo_id": repo_id, "repo_type": repo_type, "scope": scope, "http_status": exc.status,
           "reason": exc.reason, "error_code": exc.error_code}
    rec.update(extra)
    return rec


def fetch_commits(http: HubHttp, repo_type: str, repo_id: str, revision: str = "main") -> dict:
    """Every commit of ``revision`` (newest first) as one ``commits`` record; raises :class:`FetchError`."""
    commits: list[dict] = []
    url: str | None = f"/api/{repo_type}s/{repo_id}/commits/{revision}"
    while url is not None:
        page = http.get(url)
        if not isinstance(page.body, list):
            raise FetchError(None, f"commits page is not a JSON array ({type(page.body).__name__})")
        commits.extend(page.body)
        url = page.next_url
    return {"repo": {"name": repo_id, "type": repo_type}, "commits": commits}


def list_threads(http: HubHttp, repo_type: str, repo_id: str) -> list[dict]:
    """The discussions list items of ``repo_id`` (all pages); raises :class:`FetchError`."""
    items: list[dict] = []
    p = 0
    while True:
        body = http.get(f"/api/{repo_type}s/{repo_id}/discussions", [("p", str(p))]).body
        batch = body.get("discussions") or []
        items.extend(batch)
        if not batch or body.get("start", 0) + len(batch) >= body.get("count", 0):
            return items
        p += 1


def _unchanged(old: dict, item: dict) -> bool:
    """Whether a thread's listing ``item`` matches the earlier ``old`` details."""
    n_comments = sum(1 for e in old.get("events", []) if e.get("type") == "comment")
    return (old.get("status") == item.get("status") and old.get("title") == item.get("title")
            and ("numComments" not in item or item["numComments"] == n_comments))


def fetch_repo(http: HubHttp, repo_type: str, repo_id: str, *, commits: bool = True, discussions: bool = True,
               reuse: Reuse | None = None) -> RepoResult:
    """Fetch the details of one repository (see the module docstring)."""
    out = RepoResult()
    recs = out.records
    if commits:
        if reuse is not None and reuse.commits is not None:
            recs["commits"].append(reuse.commits)
            out.reused_commits = True
        else:
            try:
                recs["commits"].append(fetch_commits(http, repo_type, repo_id))
            except FetchError as exc:
                recs["fetch_errors"].append(fetch_error(repo_type, repo_id, "commits", exc))
    if discussions:
        try:
            items = list_threads(http, repo_type, repo_id)
        except FetchError as exc:
            recs["fetch_errors"].append(fetch_error(repo_type, repo_id, "repository", exc, endpoint="discussions"))
            items = []
        for item in sorted(items, key=lambda i: i["num"]):
            old = reuse.threads.get(item["num"]) if reuse is not None else None
            if old is not None and _unchanged(old, item):
                recs["discussions"].append(old)
                out.reused_threads += 1
                continue
            try:
                thread = http.get(f"/api/{repo_type}s/{repo_id}/discussions/{item['num']}").body
            except FetchError as exc:
                extra = {k: item.get(k) for k in THREAD_FIELDS}
                recs["fetch_errors"].append(fetch_error(repo_type, repo_id, "thread", exc, **extra))
                continue
            thread.setdefault("repo", {"name": repo_id, "type": repo_type})
            recs["discussions"].append(thread)
    return out
