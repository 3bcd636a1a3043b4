"""Fault injection and rate limiting for the fake Hub.

A :class:`Faults` object is handed to :class:`~hubcommunity.fakehub.server.FakeHub`
and consulted before each request is answered:

- ``rules``: :class:`FaultRule` objects; each one matches request paths by a
  regular expression and fires on the first ``times`` matching requests
  (or on every ``every``-th one): an HTTP status (429 with ``Retry-After`` and
  ``RateLimit`` headers, 500/502/503, 401/403/404), a slow answer (``delay``
  seconds), or a truncated body (the connection closes half-way through).
- ``rate_limit``: ``(quota, window_seconds)``, a fixed-window limiter like the
  Hub's, sending on every response the IETF-draft headers the Hub sends::

      RateLimit: "api";r=<remaining>;t=<seconds to reset>
      RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window>

  and answering 429 (with ``Retry-After``) once the quota is spent.
- ``deleted_after_listing``: repository ids that the listing still shows but
  whose detail endpoints answer 404 (deleted between listing and detail).
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field


@dataclass
class FaultRule:
    """One injected fault.

    Args:
        path: regular expression searched in the request path (without query).
        kind: ``"status"`` (answer ``status``), ``"slow"`` (sleep ``delay`` s, then
            answer normally) or ``"truncate"`` (send half the body, then close).
        status: HTTP status for ``kind="status"``.
        times: how many matching requests the fault fires on (``None``: no limit).
        every: fire on every ``every``-th matching request instead of the first ones.
        retry_after: seconds sent as ``Retry-After`` (and ``t=``) with a 429.
        delay: seconds to wait for ``kind="slow"``.
        message: the error body's ``error`` text.
    """

    path: str
    kind: str = "status"
    status: int = 503
    times: int | None = 1
    every: int | None = None
    retry_after: int = 1
    delay: float = 0.0
    message: str | None = None
    matched: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("status", "slow", "truncate"):
            raise ValueError(f"FaultRule.kind must be status, slow or truncate, not {self.kind!r}")
        self._re = re.compile(self.path)

    def take(self, path: str) -> bool:
        """Whether this rule fires on a request for ``path`` (updates its counters)."""
        if not self._re.search(path):
            return False
        self.matched += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.every is not None and self.matched % self.every != 0:
            return False
        self.fired += 1
        return True


class FixedWindowLimiter:
    """The Hub's fixed-window limiter: ``quota`` requests per ``window`` seconds.

    Windows are aligned on the limiter's creation time. Requests answered 429
    do not count against the quota.
    """

    def __init__(self, quota: int, window: float, resource: str = "api") -> None:
        self.quota, self.window, self.resource = quota, float(window), resource
        self._t0 = time.monotonic()
        self._lock = threading.Lock()
        self._index = -1
        self._used = 0

    def admit(self) -> tuple[bool, dict[str, str]]:
        """Count one request; return (allowed, headers to send with the answer)."""
        with self._lock:
            now = time.monotonic()
            index = int((now - self._t0) // self.window)
            if index != self._index:
                self._index, self._used = index, 0
            reset = max(1, math.ceil(self._t0 + (index + 1) * self.window - now))
            allowed = self._used < self.quota
            if allowed:
                self._used += 1
            remaining = self.quota - self._used
        headers = {
            "RateLimit": f'"{self.resource}";r={remaining};t={reset}',
            "RateLimit-Policy": f'"fixed window";"{self.resource}";q={self.quota};w={int(self.window)}',
        }
        if not allowed:
            headers["Retry-After"] = str(reset)
        return allowed, headers


@dataclass
class Faults:
    """Everything that can go wrong on the fake Hub (see the module docstring)."""

    rules: list[FaultRule] = field(default_factory=list)
    rate_limit: tuple[int, float] | None = None
    deleted_after_listing: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.limiter = FixedWindowLimiter(*self.rate_limit) if self.rate_limit else None

    def pick(self, path: str) -> FaultRule | None:
        """The first rule that fires for ``path``, if any (thread-safe)."""
        with self._lock:
            for rule in self.rules:
                if rule.take(path):
                    return rule
        return None
