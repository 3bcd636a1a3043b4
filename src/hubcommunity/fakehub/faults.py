"""Fault injection and rate limiting for the fake Hub.

A :class:`Faults` object is handed to :class:`~hubcommunity.fakehub.server.FakeHub`
and consulted before each request is answered:

- ``rules``: :class:`FaultRule` objects; each one matches request paths by a
  regular expression and fires on the first ``times`` matching requests
  (or on every ``every``-th one): an HTTP status (429 with ``Retry-After`` and
  ``RateLimit`` headers, 500/502/503, 401/403/404), a slow answer (``delay``
  seconds), or a truncated body (the connection closes half-way through).
- ``rate_limit``: ``(quota, window_seconds)``, a fixed-window limiter of the
  ``api`` bucket like the Hub's, sending on every response the IETF-draft
  headers the Hub sends (https://huggingface.co/docs/hub/rate-limits)::

      RateLimit: "api";r=<remaining>;t=<seconds to reset>
      RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window>

  and answering 429 (with ``Retry-After``) once the quota is spent.
  ``rate_limits`` limits any other buckets the same way (``resolvers``,
  ``pages``, or made-up ones), and ``bucket_rules`` makes chosen paths count
  against several buckets at once: their answers then list one item per
  bucket, e.g. ``RateLimit: "api";r=9;t=1, "threads";r=0;t=1``.
- ``deleted_after_listing``: repository ids that the listing still shows but
  whose detail endpoints answer 404 (deleted between listing and detail).
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field

from ..collect.ratelimit import Policy, Remaining, bucket_of, format_policies, format_rate_limits


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
    """The Hub's fixed-window limiter: ``quota`` requests per ``window`` seconds, for one bucket.

    Windows are aligned on the limiter's creation time. Requests answered 429
    do not count against the quota.
    """

    def __init__(self, quota: int, window: float, resource: str = "api") -> None:
        self.quota, self.window, self.resource = quota, float(window), resource
        self._t0 = time.monotonic()
        self._lock = threading.Lock()
        self._index = -1
        self._used = 0

    def _roll(self, now: float) -> float:
        """Start a new window if one began; return the seconds until the current one ends."""
        index = int((now - self._t0) // self.window)
        if index != self._index:
            self._index, self._used = index, 0
        return self._t0 + (index + 1) * self.window - now

    def peek(self) -> bool:
        """Whether a request would be admitted now (counts nothing)."""
        with self._lock:
            self._roll(time.monotonic())
            return self._used < self.quota

    def take(self, count: bool = True) -> tuple[bool, Remaining]:
        """Admit one request if the quota allows (and ``count``); return (allowed, where it stands)."""
        with self._lock:
            reset = max(1, math.ceil(self._roll(time.monotonic())))
            allowed = self._used < self.quota
            if allowed and count:
                self._used += 1
            return allowed, Remaining(self.quota - self._used, reset)

    @property
    def policy(self) -> Policy:
        """This limiter's quota."""
        return Policy(self.quota, self.window)

    def admit(self) -> tuple[bool, dict[str, str]]:
        """Count one request; return (allowed, headers to send with the answer)."""
        allowed, rem = self.take()
        headers = {"RateLimit": format_rate_limits({self.resource: rem}),
                   "RateLimit-Policy": format_policies({self.resource: self.policy})}
        if not allowed:
            headers["Retry-After"] = str(int(rem.reset))
        return allowed, headers


@dataclass
class Faults:
    """Everything that can go wrong on the fake Hub (see the module docstring).

    Args:
        rules: injected faults, tried in order.
        rate_limit: ``(quota, window_seconds)`` of the ``api`` bucket.
        rate_limits: ``{bucket: (quota, window_seconds)}`` for any buckets (``api``,
            ``resolvers``, ``pages``, or made-up ones that ``bucket_rules`` route to).
        bucket_rules: ``[(path regex, (bucket, ...)), ...]``: the first rule whose regex
            is found in a request path gives the buckets it counts against; other
            paths count against their documented bucket (:func:`~hubcommunity.collect.ratelimit.bucket_of`).
        deleted_after_listing: repository ids whose detail endpoints answer 404.
    """

    rules: list[FaultRule] = field(default_factory=list)
    rate_limit: tuple[int, float] | None = None
    deleted_after_listing: set[str] = field(default_factory=set)
    rate_limits: dict[str, tuple[int, float]] = field(default_factory=dict)
    bucket_rules: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        limits = dict(self.rate_limits)
        if self.rate_limit:
            limits.setdefault("api", self.rate_limit)
        self.limiters = {name: FixedWindowLimiter(q, w, name) for name, (q, w) in limits.items()}
        self.limiter = self.limiters.get("api")
        self._bucket_rules = [(re.compile(rx), tuple(names)) for rx, names in self.bucket_rules]

    def buckets_of(self, path: str) -> tuple[str, ...]:
        """The buckets a request for ``path`` counts against."""
        for rx, names in self._bucket_rules:
            if rx.search(path):
                return names
        return (bucket_of(path),)

    def admit(self, path: str) -> tuple[bool, dict[str, str]]:
        """Count a request for ``path`` against its limited buckets, all or none.

        Returns (allowed, the ``RateLimit``/``RateLimit-Policy`` headers naming each
        limited bucket, plus ``Retry-After`` when refused). No limited bucket: (True, {}).
        """
        limiters = [self.limiters[n] for n in self.buckets_of(path) if n in self.limiters]
        if not limiters:
            return True, {}
        with self._lock:  # all buckets or none
            allowed = all(lim.peek() for lim in limiters)
            states = {lim.resource: lim.take(count=allowed)[1] for lim in limiters}
        headers = {"RateLimit": format_rate_limits(states),
                   "RateLimit-Policy": format_policies({lim.resource: lim.policy for lim in limiters})}
        if not allowed:
            spent = [rem.reset for rem in states.values() if rem.remaining <= 0] or [1]
            headers["Retry-After"] = str(int(max(spent)))
        return allowed, headers

    def pick(self, path: str) -> FaultRule | None:
        """The first rule that fires for ``path``, if any (thread-safe)."""
        with self._lock:
            for rule in self.rules:
                if rule.take(path):
                    return rule
        return None
