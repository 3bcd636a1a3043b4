"""A real HTTP server on 127.0.0.1 that speaks the Hugging Face Hub API's shapes.

Endpoints (what ``huggingface_hub`` and the collector call):

- ``GET /api/{models,datasets,spaces}``: listing with cursor pagination through a
  ``Link: <...>; rel="next"`` header; query ``limit`` (page size, at most 1000),
  ``expand`` / ``expand[]`` (only ``_id``, ``id`` and the asked fields are sent),
  ``author``, ``full``, ``cursor``.
- ``GET /api/{type}s/{owner}/{name}``: repository info (every field).
- ``GET /api/{type}s/{owner}/{name}/commits/{rev}``: commits, newest first, paginated
  with ``p`` and ``limit`` and a ``Link`` header.
- ``GET /api/{type}s/{owner}/{name}/discussions``: ``{discussions, count, start,
  numClosedDiscussions}``, page ``p`` of ``discussion_page_size``.
- ``GET /api/{type}s/{owner}/{name}/discussions/{num}``: thread details with events.
- ``GET /api/whoami-v2``: the token's user (401 without a token).

Errors have the Hub's shape ``{"error": "..."}`` and its ``X-Error-Code`` header
(``RepoNotFound``, ``GatedRepo``, ...). Every request is counted per path in
:attr:`FakeHub.requests` and logged in :attr:`FakeHub.log`, and the
``Authorization`` headers seen are kept in :attr:`FakeHub.tokens_seen`.

Use it as a context manager::

    with FakeHub(generate_fixture(seed=1)) as hub:
        ... hub.url ...
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from .faults import FaultRule, Faults
from .fixtures import HubFixture, listing_item_of

#: Fields a listing sends when no ``expand`` is given (what the Hub sends by default).
DEFAULT_LISTING_FIELDS = {
    "model": ("_id", "id", "likes", "downloads", "tags", "pipeline_tag", "library_name", "createdAt", "private"),
    "dataset": ("_id", "id", "author", "likes", "downloads", "tags", "lastModified", "createdAt", "sha",
                "gated", "disabled", "private"),
    "space": ("_id", "id", "author", "likes", "tags", "lastModified", "createdAt", "sdk", "private"),
}
TYPE_OF_SEGMENT = {"models": "model", "datasets": "dataset", "spaces": "space"}
_REPO_PATH = re.compile(
    r"^/api/(?P<seg>models|datasets|spaces)/(?P<repo>[^/]+/[^/]+)"
    r"(?:/(?P<kind>commits)/(?P<rev>[^/]+)|/(?P<disc>discussions)(?:/(?P<num>\d+))?)?$"
)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"$offset": offset}).encode()).decode().rstrip("=")


def _offset(cursor: str) -> int:
    pad = "=" * (-len(cursor) % 4)
    return int(json.loads(base64.urlsafe_b64decode(cursor + pad))["$offset"])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: "_Server"

    def log_message(self, format, *args):  # noqa: A002 - silence stderr logging
        return

    # -- plumbing -----------------------------------------------------------------
    def _send(self, status: int, body: object, headers: dict[str, str] | None = None,
              truncate: bool = False) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if truncate:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

    def _error(self, status: int, message: str, code: str | None = None, extra: dict | None = None) -> None:
        headers = dict(extra or {})
        if code:
            headers["X-Error-Code"] = code
        headers["X-Error-Message"] = message
        self._send(status, {"error": message}, headers)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        hub = self.server.hub
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query)
        hub._record(path, split.query, self.headers.get("Authorization"))
        allowed, rl_headers = hub.faults.admit(path)
        if not allowed:
            hub._count_status(429)
            self._error(429, "You have exceeded our rate limit", "RateLimited", rl_headers)
            return
        rule = hub.faults.pick(path)
        truncate = False
        if rule is not None:
            if rule.kind == "slow":
                time.sleep(rule.delay)
            elif rule.kind == "truncate":
                truncate = True
            else:
                hub._count_status(rule.status)
                self._fault_status(rule, rl_headers, hub.faults.buckets_of(path)[0])
                return
        status, body, headers = hub._answer(path, query)
        headers.update(rl_headers)
        hub._count_status(status)
        if status >= 400:
            self._error(status, body["error"], headers.pop("X-Error-Code", None), headers)
        else:
            self._send(status, body, headers, truncate=truncate)

    def _fault_status(self, rule: FaultRule, rl_headers: dict[str, str], bucket: str) -> None:
        headers = dict(rl_headers)
        status = rule.status
        if status == 429:  # the policy header, if any, comes from the limiter
            headers.update({"Retry-After": str(rule.retry_after), "RateLimit": f'"{bucket}";r=0;t={rule.retry_after}'})
        messages = {401: ("Invalid credentials in Authorization header", "GatedRepo"),
                    403: ("Discussions are disabled for this repo", None),
                    404: ("Repository not found", "RepoNotFound"),
                    429: ("You have exceeded our rate limit", "RateLimited")}
        message, code = messages.get(status, (f"Injected server error {status}", None))
        self._error(status, rule.message or message, code, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, hub: "FakeHub", port: int = 0) -> None:
        self.hub = hub
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request, client_address) -> None:
        """Ignore clients that hang up (timeouts on purpose); report anything else."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class FakeHub:
    """The fake Hub: a threading HTTP server on an ephemeral port of 127.0.0.1.

    Args:
        fixture: the data served (see :func:`~hubcommunity.fakehub.fixtures.generate_fixture`).
        faults: fault injection and rate limiting (:class:`~hubcommunity.fakehub.faults.Faults`).
        commit_page_size: commits per page (the Hub's default is 50).
        discussion_page_size: threads per discussions page (the Hub sends 50).
        max_listing_page: the largest ``limit`` a listing honours (the Hub's is 1000).
        port: the port on 127.0.0.1 (0, the default: any free port).
    """

    def __init__(self, fixture: HubFixture, faults: Faults | None = None, *, commit_page_size: int = 50,
                 discussion_page_size: int = 50, max_listing_page: int = 1000, port: int = 0) -> None:
        self.fixture = fixture
        self.port = port
        self.faults = faults or Faults()
        self.commit_page_size = commit_page_size
        self.discussion_page_size = discussion_page_size
        self.max_listing_page = max_listing_page
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.log: list[tuple[float, str, str]] = []
        self.tokens_seen: set[str] = set()
        self._lock = threading.Lock()
        self._threads_by_num: dict[tuple[str, str], tuple[int, dict[int, dict]]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------
    def start(self) -> "FakeHub":
        """Start serving in a background thread; return ``self``."""
        self._server = _Server(self, self.port)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="fakehub")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The endpoint, e.g. ``http://127.0.0.1:54321`` (use as ``HF_ENDPOINT``)."""
        assert self._server is not None, "FakeHub is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- bookkeeping --------------------------------------------------------------
    def _record(self, path: str, query: str, auth: str | None) -> None:
        with self._lock:
            self.requests[path] += 1
            self.log.append((time.monotonic(), path, query))
            if auth:
                self.tokens_seen.add(auth)

    def _count_status(self, status: int) -> None:
        with self._lock:
            self.statuses[status] += 1

    def total_requests(self) -> int:
        """Number of requests received (answered or not)."""
        return sum(self.requests.values())

    def requests_matching(self, pattern: str) -> int:
        """Number of requests whose path matches the regular expression ``pattern``."""
        rx = re.compile(pattern)
        return sum(n for p, n in self.requests.items() if rx.search(p))

    # -- the API ------------------------------------------------------------------
    def _answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict | list, dict[str, str]]:
        """Return (status, JSON body, headers) for a GET of ``path`` with ``query``."""
        if path == "/api/whoami-v2":
            return self._whoami()
        m = re.fullmatch(r"/api/(models|datasets|spaces)", path)
        if m:
            return self._listing(TYPE_OF_SEGMENT[m.group(1)], path, query)
        m = _REPO_PATH.match(path)
        if not m:
            return 404, {"error": f"Sorry, we can't find the page you are looking for: {path}"}, {}
        repo_type, repo_id = TYPE_OF_SEGMENT[m.group("seg")], m.group("repo")
        repo = self.fixture.repo(repo_type, repo_id)
        if repo is None or repo_id in self.faults.deleted_after_listing:
            return 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"}
        key = (repo_type, repo_id)
        if m.group("kind") == "commits":
            if key in self.fixture.gated_commits:
                return 401, {"error": f"Access to model {repo_id} is restricted. You must have access to it "
                                      "and be authenticated to access it. Please log in."}, {"X-Error-Code": "GatedRepo"}
            if m.group("rev") != "main":
                return 404, {"error": f"Invalid rev id: {m.group('rev')}"}, {"X-Error-Code": "RevisionNotFound"}
            return self._commits(path, query, self.fixture.commits[key])
        if m.group("disc"):
            if key in self.fixture.discussions_disabled:
                return 403, {"error": "Discussions are disabled for this repo"}, {}
            threads = self.fixture.discussions.get(key, [])
            if m.group("num") is None:
                return self._discussion_list(query, threads)
            num = int(m.group("num"))
            if (repo_type, repo_id, num) in self.fixture.missing_threads:
                return 404, {"error": "Revision not found"}, {"X-Error-Code": "RevisionNotFound"}
            thread = self._thread_by_num(key, threads, num)
            if thread is not None:
                return 200, thread, {}
            return 404, {"error": "Discussion not found"}, {}
        return 200, {**repo, "siblings": []}, {}

    def _thread_by_num(self, key: tuple[str, str], threads: list[dict], num: int) -> dict | None:
        """Thread ``num`` of ``threads`` (indexed by number; the index follows the list's length)."""
        with self._lock:
            cached = self._threads_by_num.get(key)
            if cached is None or cached[0] != len(threads):
                cached = (len(threads), {t["num"]: t for t in threads})
                self._threads_by_num[key] = cached
        return cached[1].get(num)

    def _whoami(self):
        return 200, {"type": "user", "id": "0" * 24, "name": "fake-user", "fullname": "Fake User",
                     "isPro": False, "orgs": [], "auth": {"type": "access_token",
                                                          "accessToken": {"displayName": "fake", "role": "read"}}}, {}

    def _next_link(self, path: str, query: dict[str, list[str]], **override: object) -> str:
        q = [(k, v) for k, vs in query.items() if k not in override for v in vs]
        q += [(k, str(v)) for k, v in override.items()]
        return f'<{self.url}{path}?{urlencode(q)}>; rel="next"'

    def _listing(self, repo_type: str, path: str, query: dict[str, list[str]]):
        items = self.fixture.repos.get(repo_type, [])
        author = query.get("author", [None])[0]
        if author:
            items = [r for r in items if r["id"].split("/")[0] == author]
        limit = min(int(query.get("limit", [self.max_listing_page])[0]), self.max_listing_page)
        start = _offset(query["cursor"][0]) if "cursor" in query else 0
        page = items[start:start + limit]
        expand = query.get("expand", []) + query.get("expand[]", [])
        full = query.get("full", ["false"])[0].lower() in ("1", "true")
        if expand:
            fields = ("_id", "id", *expand)
        elif full:
            fields = None
        else:
            fields = DEFAULT_LISTING_FIELDS[repo_type]
        body = []
        for r in page:
            obj = dict(r) if fields is None else {k: r[k] for k in fields if k in r}
            if repo_type == "model" and "id" in obj and fields is not None and not expand:
                obj["modelId"] = r["id"]
            body.append(obj)
        headers = {}
        if start + limit < len(items):
            headers["Link"] = self._next_link(path, query, cursor=_cursor(start + limit))
        return 200, body, headers

    def _commits(self, path: str, query: dict[str, list[str]], commits: list[dict]):
        p = int(query.get("p", ["0"])[0])
        size = min(int(query.get("limit", [self.commit_page_size])[0]), self.commit_page_size)
        page = commits[p * size:(p + 1) * size]
        headers = {"X-Total-Count": str(len(commits))}
        if (p + 1) * size < len(commits):
            headers["Link"] = self._next_link(path, query, p=p + 1)
        return 200, page, headers

    def _discussion_list(self, query: dict[str, list[str]], threads: list[dict]):
        p = int(query.get("p", ["0"])[0])
        size = self.discussion_page_size
        ordered = sorted(threads, key=lambda t: -t["num"])  # the Hub lists newest first
        page = ordered[p * size:(p + 1) * size]
        return 200, {
            "discussions": [listing_item_of(t) for t in page],
            "count": len(threads),
            "start": p * size,
            "numClosedDiscussions": sum(1 for t in threads if t["status"] != "open"),
        }, {}
