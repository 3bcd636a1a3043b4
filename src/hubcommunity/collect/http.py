"""HTTP GETs to the Hub API through ``huggingface_hub``'s own HTTP session.

Why not ``HfApi.list_models`` & co. directly: they return dataclasses (losing
fields and the API's JSON shape) and retry 429/5xx *inside* the client
(``huggingface_hub.utils.http_backoff``, up to 5 retries with its own sleeps),
where a collector can neither count nor schedule them. So the collector asks
for the same URLs with the same query parameters as ``HfApi`` does
(``/api/models?expand=...``, ``/api/{type}s/{repo}/commits/main``,
``/api/{type}s/{repo}/discussions?p=N``, ``/api/{type}s/{repo}/discussions/{num}``),
through the client's shared ``httpx`` session (:func:`huggingface_hub.utils.get_session`)
with the client's headers (:func:`huggingface_hub.utils.build_hf_headers`: token,
user agent), and keeps the JSON exactly as sent. Every retry happens here,
once, and is counted in :class:`Counters`.

Retries: 429 waits for ``Retry-After`` (or the ``RateLimit`` reset), paced by
:class:`~hubcommunity.collect.scheduler.RateScheduler` per rate-limit bucket; 408/5xx, timeouts,
dropped connections and truncated bodies back off exponentially with full
jitter. 401/403/404 (gated, private, disabled, deleted) raise
:class:`FetchError` at once, for the caller to record as a ``fetch_errors`` record.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx2
from huggingface_hub.utils import build_hf_headers, get_session

from .. import __version__
from .scheduler import RateScheduler, route_of

RETRY_STATUSES = frozenset({408, 500, 502, 503, 504})


class FetchError(Exception):
    """A request that failed for good: ``status`` (None for a network failure) and ``reason``."""

    def __init__(self, status: int | None, reason: str, error_code: str | None = None) -> None:
        super().__init__(f"HTTP {status}: {reason}")
        self.status, self.reason, self.error_code = status, reason, error_code


@dataclass
class Counters:
    """What the collector did on the wire (thread-safe via :meth:`add`)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    timeouts: int = 0
    truncated: int = 0
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    waited_seconds: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, **deltas: float) -> None:
        """Add ``deltas`` to the named counters."""
        with self._lock:
            for k, v in deltas.items():
                setattr(self, k, getattr(self, k) + v)

    def count(self, counter: str, key: Any) -> None:
        """Increment ``self.<counter>[key]``."""
        with self._lock:
            getattr(self, counter)[key] += 1

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        with self._lock:
            return {
                "requests": self.requests, "retries": self.retries, "rate_limited_429": self.rate_limited,
                "timeouts": self.timeouts, "truncated_or_dropped": self.truncated,
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "errors_by_kind": dict(sorted(self.errors.items())),
                "rate_limit_wait_seconds": round(self.waited_seconds, 3),
            }


@dataclass
class Page:
    """One answer: its parsed JSON ``body``, the ``next`` link (if any) and the headers."""

    body: Any
    next_url: str | None
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or None."""
        name = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == name), None)


def _retry_after(headers: httpx2.Headers) -> float | None:
    value = headers.get("retry-after")
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


class HubHttp:
    """GET JSON from a Hub endpoint with scheduling, retries and counters.

    Args:
        endpoint: e.g. ``https://huggingface.co`` (no trailing slash needed).
        token: a Hub token, or None for anonymous access. Sent only in the
            ``Authorization`` header; never logged or stored.
        scheduler: the shared :class:`RateScheduler`.
        counters: the shared :class:`Counters`.
        timeout: seconds per request (connect and read).
        max_retries: retries of a 5xx/timeout/truncated answer before giving up.
        max_rate_limited: retries of 429 answers before giving up.
        backoff_base / backoff_cap: exponential backoff (seconds): the n-th retry
            waits ``uniform(0, min(cap, base * 2**n))`` ("full jitter").
    """

    def __init__(self, endpoint: str, token: str | None, scheduler: RateScheduler, counters: Counters, *,
                 timeout: float = 30.0, max_retries: int = 6, max_rate_limited: int = 30,
                 backoff_base: float = 1.0, backoff_cap: float = 60.0, seed: int | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.scheduler, self.counters = scheduler, counters
        self.timeout, self.max_retries, self.max_rate_limited = timeout, max_retries, max_rate_limited
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self._headers = build_hf_headers(token=token if token else False, library_name="hubcommunity",
                                         library_version=__version__)
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()

    def url(self, path: str) -> str:
        """The absolute URL of an API ``path`` such as ``/api/models``."""
        return path if path.startswith("http") else f"{self.endpoint}{path}"

    def _backoff(self, attempt: int) -> float:
        with self._rng_lock:
            return self._rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** attempt))

    def get(self, path_or_url: str, params: dict | list | None = None) -> Page:
        """GET ``path_or_url`` and return its :class:`Page`; raise :class:`FetchError` on 4xx or giving up."""
        url = self.url(path_or_url)
        route = route_of(url)
        failures = rate_limited = 0
        while True:
            ticket = self.scheduler.acquire(route)
            self.counters.add(requests=1)
            try:
                response = get_session().get(url, params=params, headers=self._headers, timeout=self.timeout)
                content = response.content
            except (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError) as exc:
                self.scheduler.release(ticket)
                kind = "timeouts" if isinstance(exc, httpx2.TimeoutException) else "truncated"
                self.counters.add(**{kind: 1})
                failures += 1
                if failures > self.max_retries:
                    self.counters.count("errors", f"gave-up:{type(exc).__name__}")
                    raise FetchError(None, f"{type(exc).__name__} after {failures} attempts") from None
                self.counters.add(retries=1)
                time.sleep(self._backoff(failures - 1))
                continue
            status = response.status_code
            retry_after = _retry_after(response.headers)
            self.scheduler.observe(ticket, status, response.headers, retry_after)
            self.counters.count("statuses", status)
            if status == 429:
                self.counters.add(rate_limited=1)
                rate_limited += 1
                if rate_limited > self.max_rate_limited:
                    self.counters.count("errors", "gave-up:429")
                    raise FetchError(429, f"still rate limited after {rate_limited} attempts")
                self.counters.add(retries=1, waited_seconds=retry_after or 0.0)
                continue  # the scheduler holds every worker until Retry-After has passed
            if status in RETRY_STATUSES:
                failures += 1
                if failures > self.max_retries:
                    self.counters.count("errors", f"gave-up:{status}")
                    raise FetchError(status, f"HTTP {status} after {failures} attempts")
                self.counters.add(retries=1)
                time.sleep(self._backoff(failures - 1))
                continue
            if status >= 400:
                reason = response.headers.get("x-error-message") or _error_text(content) or response.reason_phrase
                raise FetchError(status, reason, response.headers.get("x-error-code"))
            try:
                body = json.loads(content)
            except ValueError:
                self.counters.add(truncated=1)
                failures += 1
                if failures > self.max_retries:
                    self.counters.count("errors", "gave-up:invalid-json")
                    raise FetchError(status, f"invalid JSON after {failures} attempts") from None
                self.counters.add(retries=1)
                time.sleep(self._backoff(failures - 1))
                continue
            next_url = response.links.get("next", {}).get("url")
            return Page(body, next_url, dict(response.headers))


def _error_text(content: bytes) -> str | None:
    try:
        body = json.loads(content)
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None
