"""Per-repository details as work units of one request each: commit pages, discussion pages, threads.

For one repository the collector makes the calls the paper's scripts made
through ``list_repo_commits`` and ``get_repo_discussions``, plus the thread
details that carry participants. Each call is a :class:`Unit` that any worker
of the shared pool can run, so a repository with thousands of threads keeps
every worker busy instead of one:

- ``commits``: ``GET /api/{type}s/{repo}/commits/main?limit=1000``, page ``k``.
  The first page's ``X-Total-Count`` header and ``Link: <...p=1...>; rel="next"``
  give every other page at once (``p=1..n-1``, fetched in parallel); without
  them the pages are followed one ``Link`` at a time. When every page is in:
  one ``commits`` record ``{"repo": {"name", "type"}, "commits": [...as sent, newest first...]}``.
- ``threads``: ``GET /api/{type}s/{repo}/discussions?p=k``; the first page's
  ``count`` gives the other pages, fetched in parallel.
- ``thread``: ``GET /api/{type}s/{repo}/discussions/{num}`` per listed thread ->
  one ``discussions`` record each, the details object as sent (it carries
  ``repo {name, type}``; added if missing).

401/403/404 answers (and answers of the wrong JSON shape) become ``fetch_errors``
records: ``{"repo_id", "repo_type", "scope", "http_status", "reason", "error_code"}``,
with ``scope`` ``"commits"`` (any commit page failed: no ``commits`` record),
``"repository"`` (a discussions page failed: no threads, as in the reference
capture's errors) or ``"thread"`` (plus the listing's ``num, isPullRequest,
status, title, author, createdAt``).

:class:`RepoWork` is the state of one repository: which units it still needs,
what its finished units gave. Checkpointing is exact because every unit's
result is journaled together with the unit's key (:meth:`Unit.key`), in one
commit: a thread's record with ``t:...``; a commit page or discussions page of
a history or list that has more pages still to come, as an internal
``progress`` record with ``cp:...`` / ``lp:...``; the finished commit history
with ``c:...``, the finished thread list with ``l:...`` (and, if threads are
left to fetch, a ``progress`` record naming them), and the repository with
``repo:...`` once all its units are done.
:meth:`RepoWork.restore` rebuilds the state of an interrupted repository from
its done keys and progress records, so a resumed run redoes only unfinished units.

Incremental mode passes a :class:`Reuse` with an earlier snapshot's records
for this repository: the commit record is reused when ``sha`` and
``lastModified`` did not change; the discussions list is always asked (a new
thread does not change a repository's ``sha``), and a thread's details are
reused when its status, title and number of comments are unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .http import FetchError, HubHttp, Page

THREAD_FIELDS = ("num", "isPullRequest", "status", "title", "author", "createdAt")
#: Commits per page asked (the Hub's largest page; its client libraries default to 50-100).
COMMITS_PAGE_LIMIT = 1000
UNIT_KINDS = ("commits", "threads", "thread")
_CODE = {"commits": "cp", "threads": "lp", "thread": "t"}


@dataclass
class Reuse:
    """What an earlier snapshot holds for one repository."""

    commits: dict | None = None
    threads: dict[int, dict] = field(default_factory=dict)


def fetch_error(repo_type: str, repo_id: str, scope: str, exc: FetchError, **extra) -> dict:
    """A ``fetch_errors`` record for ``exc`` (no URL, header or token in it)."""
    rec = {"repo_id": repo_id, "repo_type": repo_type, "scope": scope, "http_status": exc.status,
           "reason": exc.reason, "error_code": exc.error_code}
    rec.update(extra)
    return rec


def repo_key(repo_type: str, repo_id: str) -> str:
    """Journal key of a finished repository."""
    return f"repo:{repo_type}:{repo_id}"


def commits_key(repo_type: str, repo_id: str) -> str:
    """Journal key of a repository's finished commit history (record or error written)."""
    return f"c:{repo_type}:{repo_id}"


def threads_key(repo_type: str, repo_id: str) -> str:
    """Journal key of a repository's finished thread list (its threads to fetch are known)."""
    return f"l:{repo_type}:{repo_id}"


def split_key(key: str) -> tuple[str, str, str, int | None]:
    """``"cp:model:org/name:3"`` -> ``("cp", "model", "org/name", 3)``; part None for repo/c/l keys."""
    code, repo_type, rest = key.split(":", 2)
    if code in ("cp", "lp", "t"):
        repo_id, part = rest.rsplit(":", 1)
        return code, repo_type, repo_id, int(part)
    return code, repo_type, rest, None


@dataclass(frozen=True)
class Unit:
    """One request's worth of work below a repository.

    Attributes:
        kind: ``"commits"`` (a commit page), ``"threads"`` (a discussions page) or
            ``"thread"`` (one thread's details).
        repo_type, repo_id: the repository.
        part: the page index, or the thread number.
        url: path (``/api/...``) or absolute URL to GET.
        params: query parameters, as pairs.
    """

    kind: str
    repo_type: str
    repo_id: str
    part: int
    url: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        """The journal key marking this unit done."""
        return f"{_CODE[self.kind]}:{self.repo_type}:{self.repo_id}:{self.part}"


def execute(http: HubHttp, unit: Unit) -> Page | FetchError:
    """Run ``unit``'s request: the :class:`~.http.Page`, or the :class:`~.http.FetchError` it failed with."""
    try:
        return http.get(unit.url, list(unit.params) or None)
    except FetchError as exc:
        return exc


@dataclass
class Outcome:
    """What handling a unit (or starting a repository) produced.

    Attributes:
        units: units to schedule next.
        records: ``{stream: [record, ...]}`` to journal (``progress`` is internal).
        done: journal keys to commit with the records.
        finished: whether the repository is now done (its ``repo:`` key is in ``done``).
        reused_commits, reused_threads: records taken from an earlier snapshot.
    """

    units: list[Unit] = field(default_factory=list)
    records: dict[str, list[dict]] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    finished: bool = False
    reused_commits: int = 0
    reused_threads: int = 0

    def add(self, stream: str, record: dict) -> None:
        """Append ``record`` to ``stream``."""
        self.records.setdefault(stream, []).append(record)


def _with_page(url: str, p: int) -> str:
    """``url`` with its query parameter ``p`` set to ``p``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "p"] + [("p", str(p))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _next_is_page_one(next_url: str | None) -> bool:
    if not next_url:
        return False
    return dict(parse_qsl(urlsplit(next_url).query)).get("p") == "1"


def _total(page_record: dict) -> int | None:
    try:
        return int(page_record.get("total"))
    except (TypeError, ValueError):
        return None


def _unchanged(old: dict, item: dict) -> bool:
    """Whether a thread's listing ``item`` matches the earlier ``old`` details."""
    n_comments = sum(1 for e in old.get("events", []) if e.get("type") == "comment")
    return (old.get("status") == item.get("status") and old.get("title") == item.get("title")
            and ("numComments" not in item or item["numComments"] == n_comments))


class RepoWork:
    """The details of one repository in progress (see the module docstring).

    Args:
        repo_type, repo_id: the repository.
        commits, discussions: which details to collect.
        reuse: an earlier snapshot's records for it (incremental mode), or None.
    """

    def __init__(self, repo_type: str, repo_id: str, *, commits: bool = True, discussions: bool = True,
                 reuse: Reuse | None = None) -> None:
        self.repo_type, self.repo_id = repo_type, repo_id
        self.want_commits, self.want_threads = commits, discussions
        self.reuse = reuse
        self.repo = {"name": repo_id, "type": repo_type}
        # commit history
        self.commits_done = not commits
        self.commit_pages: dict[int, dict] = {}
        self.commit_pending: set[int] = set()
        # discussions
        self.threads_done = not discussions
        self.list_pages: dict[int, dict] = {}
        self.list_pending: set[int] = set()
        self.list_done = not discussions
        self.thread_items: dict[int, dict] = {}
        self.thread_pending: set[int] = set()
        self._finish_emitted = False

    @property
    def key(self) -> str:
        """The repository's journal key."""
        return repo_key(self.repo_type, self.repo_id)

    @property
    def finished(self) -> bool:
        """Whether every unit of the repository is done."""
        return self.commits_done and self.threads_done

    # -- units ----------------------------------------------------------------------
    def _commit_unit(self, k: int, url: str | None = None) -> Unit:
        if url is None:
            return Unit("commits", self.repo_type, self.repo_id, 0, f"/api/{self.repo_type}s/{self.repo_id}/commits/main",
                        (("limit", str(COMMITS_PAGE_LIMIT)),))
        return Unit("commits", self.repo_type, self.repo_id, k, url)

    def _list_unit(self, k: int) -> Unit:
        return Unit("threads", self.repo_type, self.repo_id, k, f"/api/{self.repo_type}s/{self.repo_id}/discussions",
                    (("p", str(k)),))

    def _thread_unit(self, num: int) -> Unit:
        return Unit("thread", self.repo_type, self.repo_id, num,
                    f"/api/{self.repo_type}s/{self.repo_id}/discussions/{num}")

    # -- starting and resuming -------------------------------------------------------
    def start(self) -> Outcome:
        """The first units of a repository not started before (and any reused records)."""
        return self.restore(set(), [])

    def restore(self, done: set[str], progress: Iterable[dict]) -> Outcome:
        """Rebuild an interrupted repository from its done keys and ``progress`` records.

        Returns the units still to run (and, for parts not started, what
        :meth:`start` would emit). A part with no progress starts afresh.
        """
        out = Outcome()
        progress = list(progress)
        if self.want_commits:
            if commits_key(self.repo_type, self.repo_id) in done:
                self.commits_done = True
            else:
                pages = {r["page"]: r for r in progress if r.get("kind") == "commit_page"}
                if 0 in pages:
                    self.commit_pages = pages
                    self._plan_commit_pages(out)
                elif self.reuse is not None and self.reuse.commits is not None:
                    self._finish_commits(out, record=self.reuse.commits)
                    out.reused_commits = 1
                else:
                    self.commit_pending = {0}
                    out.units.append(self._commit_unit(0))
        if self.want_threads:
            if threads_key(self.repo_type, self.repo_id) in done:
                self.list_done = True
                plan = next((r for r in progress if r.get("kind") == "thread_plan"), {"fetch": []})
                for item in plan["fetch"]:
                    self.thread_items[item["num"]] = item
                    if f"t:{self.repo_type}:{self.repo_id}:{item['num']}" not in done:
                        self.thread_pending.add(item["num"])
                        out.units.append(self._thread_unit(item["num"]))
                self.threads_done = not self.thread_pending
            else:
                pages = {r["page"]: r for r in progress if r.get("kind") == "thread_list_page"}
                if 0 in pages:
                    self.list_pages = pages
                    self._plan_list_pages(out)
                else:
                    self.list_pending = {0}
                    out.units.append(self._list_unit(0))
        self._maybe_finish(out)
        return out

    # -- results ------------------------------------------------------------------------
    def handle(self, unit: Unit, result: Page | FetchError) -> Outcome:
        """Take the result of ``unit``; return what it produced (records, keys, next units)."""
        out = Outcome()
        if unit.kind == "commits":
            self._on_commit_page(unit, result, out)
        elif unit.kind == "threads":
            self._on_list_page(unit, result, out)
        else:
            self._on_thread(unit, result, out)
        self._maybe_finish(out)
        return out

    def _maybe_finish(self, out: Outcome) -> None:
        if self.finished and not self._finish_emitted:
            self._finish_emitted = True
            out.done.append(self.key)
            out.finished = True

    # commits
    def _on_commit_page(self, unit: Unit, result: Page | FetchError, out: Outcome) -> None:
        if self.commits_done or unit.part not in self.commit_pending:
            return  # the history already failed on another page
        self.commit_pending.discard(unit.part)
        if isinstance(result, Page) and not isinstance(result.body, list):
            result = FetchError(None, f"commits page is not a JSON array ({type(result.body).__name__})")
        if isinstance(result, FetchError):
            self.commit_pending.clear()
            self.commit_pages.clear()
            self._finish_commits(out, error=fetch_error(self.repo_type, self.repo_id, "commits", result))
            return
        record = {"kind": "commit_page", "repo": self.repo, "page": unit.part, "commits": result.body,
                  "next": result.next_url, "total": result.header("x-total-count")}
        self.commit_pages[unit.part] = record
        out.done.append(unit.key)
        self._plan_commit_pages(out)
        if not self.commits_done:  # kept for a resumed run until the history is complete
            out.add("progress", {"unit": unit.key, **record})

    def _plan_commit_pages(self, out: Outcome) -> None:
        """Schedule the commit pages still missing (from page 0's total, or the last page's link)."""
        first = self.commit_pages[0]
        total, size = _total(first), len(first["commits"])
        if first["next"] and total is not None and size > 0 and _next_is_page_one(first["next"]):
            wanted = {k: _with_page(first["next"], k) for k in range(1, math.ceil(total / size))}
        else:  # follow the Link chain: the page after the last one fetched
            last = max(self.commit_pages)
            nxt = self.commit_pages[last]["next"]
            wanted = {last + 1: nxt} if nxt else {}
        for k, url in sorted(wanted.items()):
            if k not in self.commit_pages and k not in self.commit_pending:
                self.commit_pending.add(k)
                out.units.append(self._commit_unit(k, url))
        if not self.commit_pending and all(k in self.commit_pages for k in wanted):
            commits = [c for k in sorted(self.commit_pages) for c in self.commit_pages[k]["commits"]]
            self._finish_commits(out, record={"repo": self.repo, "commits": commits})

    def _finish_commits(self, out: Outcome, record: dict | None = None, error: dict | None = None) -> None:
        if record is not None:
            out.add("commits", record)
        if error is not None:
            out.add("fetch_errors", error)
        out.done.append(commits_key(self.repo_type, self.repo_id))
        self.commits_done = True
        self.commit_pages = {}

    # discussions
    def _on_list_page(self, unit: Unit, result: Page | FetchError, out: Outcome) -> None:
        if self.list_done or unit.part not in self.list_pending:
            return
        self.list_pending.discard(unit.part)
        if isinstance(result, Page) and not isinstance(result.body, dict):
            result = FetchError(None, f"discussions page is not a JSON object ({type(result.body).__name__})")
        if isinstance(result, FetchError):
            self.list_pending.clear()
            self.list_pages.clear()
            out.add("fetch_errors", fetch_error(self.repo_type, self.repo_id, "repository", result,
                                                endpoint="discussions"))
            self._finish_list(out, [])
            return
        body = result.body
        record = {"kind": "thread_list_page", "repo": self.repo, "page": unit.part,
                  "items": body.get("discussions") or [], "count": body.get("count", 0), "start": body.get("start", 0)}
        self.list_pages[unit.part] = record
        out.done.append(unit.key)
        self._plan_list_pages(out)
        if not self.list_done:  # kept for a resumed run until the list is complete
            out.add("progress", {"unit": unit.key, **record})

    def _plan_list_pages(self, out: Outcome) -> None:
        first = self.list_pages[0]
        size = len(first["items"])
        single = not first["items"] or first["start"] + size >= first["count"]
        wanted = range(1, 1 if single else math.ceil(first["count"] / size))
        for k in wanted:
            if k not in self.list_pages and k not in self.list_pending:
                self.list_pending.add(k)
                out.units.append(self._list_unit(k))
        if not self.list_pending:
            items: dict[int, dict] = {}
            for k in sorted(self.list_pages):
                for item in self.list_pages[k]["items"]:
                    items.setdefault(item["num"], item)
            self._finish_list(out, [items[n] for n in sorted(items)])

    def _finish_list(self, out: Outcome, items: list[dict]) -> None:
        """The thread list is complete: reuse unchanged threads, schedule the others."""
        fetch = []
        for item in items:
            old = self.reuse.threads.get(item["num"]) if self.reuse is not None else None
            if old is not None and _unchanged(old, item):
                out.add("discussions", old)
                out.reused_threads += 1
            else:
                fetch.append({k: item.get(k) for k in THREAD_FIELDS})
        if fetch:  # the threads a resumed run still has to fetch
            out.add("progress", {"unit": threads_key(self.repo_type, self.repo_id), "kind": "thread_plan",
                                 "repo": self.repo, "fetch": fetch})
        out.done.append(threads_key(self.repo_type, self.repo_id))
        self.list_done = True
        self.list_pages = {}
        for item in fetch:
            self.thread_items[item["num"]] = item
            self.thread_pending.add(item["num"])
            out.units.append(self._thread_unit(item["num"]))
        self.threads_done = not self.thread_pending

    def _on_thread(self, unit: Unit, result: Page | FetchError, out: Outcome) -> None:
        if unit.part not in self.thread_pending:
            return
        self.thread_pending.discard(unit.part)
        item = self.thread_items.pop(unit.part)
        if isinstance(result, Page) and not isinstance(result.body, dict):
            result = FetchError(None, f"thread details are not a JSON object ({type(result.body).__name__})")
        if isinstance(result, FetchError):
            out.add("fetch_errors", fetch_error(self.repo_type, self.repo_id, "thread", result, **item))
        else:
            thread = result.body
            thread.setdefault("repo", dict(self.repo))
            out.add("discussions", thread)
        out.done.append(unit.key)
        self.threads_done = self.list_done and not self.thread_pending
