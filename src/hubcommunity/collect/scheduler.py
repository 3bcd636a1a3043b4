"""Rate-limit-aware request pacing for the collector, per rate-limit bucket.

The Hub limits requests per fixed window (5 minutes on huggingface.co)
separately for each *bucket* (``api``, ``resolvers``, ``pages``; see
:mod:`.ratelimit`) and names the bucket on every answer::

    RateLimit: "api";r=<remaining>;t=<seconds until the window resets>
    RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window seconds>

:class:`RateScheduler` keeps one state per bucket it has heard of. A request
has a *route* (its documented bucket and the kind of endpoint,
:func:`.ratelimit.route_of`, e.g. ``api:discussion``); the buckets named in
the answers to a route's requests are the buckets that route counts against
(usually just its documented one; a list of several items means several), and
a request waits until *every* one of them allows it:

- pacing: each bucket's requests go evenly at ``safety * q / w`` per second
  (default safety 0.985). Evenly paced requests, of which a late one may catch
  up a few slots (:meth:`RateScheduler.catch_up_slots`), put at most
  ``safety * q + k + 1`` requests into *any* window of ``w`` seconds, wherever
  the server's window boundaries fall: under ``q`` for the Hub's quotas
  (hundreds per window), so the run stays just under the limit instead of
  hitting it and backing off;
- budget: if a bucket's ``r`` is spent (another process shares the token), its
  requests wait for ``t``;
- 429: the buckets the answer names (else the route's) pause until
  ``Retry-After`` (or ``t``) has passed.

Until the first answer on a route arrives (it says which buckets the route
counts against), only one request of that route is in flight; if the server sends no ``RateLimit``
headers at all, requests are only bounded by the worker count (and 429s, if
any, by ``Retry-After``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Mapping

from .ratelimit import Policy, bucket_of_route, parse_policies, parse_rate_limits, route_of

__all__ = ["Bucket", "Policy", "RateScheduler", "Ticket", "route_of"]


@dataclass
class Bucket:
    """What the scheduler knows of one rate-limit bucket."""

    name: str
    policy: Policy | None = None
    next_slot: float = 0.0          # monotonic time before which the next request may not go
    pause_until: float = 0.0        # after a 429
    issued: int = 0                 # requests sent against this bucket
    remaining: int | None = None    # the server's r, as of request number remaining_seq
    remaining_seq: int = 0
    reset_at: float = 0.0


@dataclass(frozen=True)
class Ticket:
    """A request allowed to go: its route and, per bucket, its sequence number."""

    route: str
    seqs: dict[str, int] = field(default_factory=dict)


class RateScheduler:
    """Decide when the next request may be sent (thread-safe).

    Args:
        safety: fraction of each bucket's allowed rate to use (0 < safety <= 1).
        policies: quotas known in advance (``{bucket: Policy}``), e.g. from a flag;
            answers' ``RateLimit-Policy`` headers replace them.
        clock / sleep: injectable for unit tests (monotonic seconds).

    Use: ``ticket = s.acquire(route)`` before a request (``route`` from
    :func:`.ratelimit.route_of`, e.g. ``"api:commits"``), then
    ``s.observe(ticket, status, headers)`` with the answer (or
    ``s.release(ticket)`` if no answer came).
    """

    def __init__(self, safety: float = 0.985, policies: Mapping[str, Policy] | None = None,
                 clock=time.monotonic, sleep=time.sleep) -> None:
        if not 0 < safety <= 1:
            raise ValueError(f"safety must be in (0, 1], got {safety}")
        self.safety = safety
        self._clock, self._sleep = clock, sleep
        self._cond = threading.Condition()
        self.buckets: dict[str, Bucket] = {}
        self.routes: dict[str, set[str]] = {}
        self._seen: set[str] = set()          # routes that have had an answer
        self._probing: set[str] = set()       # routes with their first request in flight
        for name, policy in (policies or {}).items():
            self._bucket(name).policy = policy

    # -- bookkeeping --------------------------------------------------------------
    def _bucket(self, name: str) -> Bucket:
        if name not in self.buckets:
            self.buckets[name] = Bucket(name)
        return self.buckets[name]

    def _route_buckets(self, route: str) -> list[Bucket]:
        names = self.routes.setdefault(route, {bucket_of_route(route)})
        return [self._bucket(n) for n in sorted(names)]

    @property
    def policy(self) -> Policy | None:
        """The ``api`` bucket's quota, if known (what the collector's requests count against)."""
        b = self.buckets.get("api")
        return b.policy if b else None

    def policies(self) -> dict[str, Policy]:
        """Every bucket's known quota."""
        with self._cond:
            return {n: b.policy for n, b in self.buckets.items() if b.policy is not None}

    def catch_up_slots(self, policy: Policy) -> int:
        """Slots a late request may catch up: half the headroom ``(1 - safety) * quota``, at least 1.

        Evenly paced requests that catch up at most ``k`` slots put at most
        ``safety * quota + k + 1`` requests into any window, under the quota
        whenever ``k + 1 <= (1 - safety) * quota`` (e.g. 7 for the Hub's 1,000 per
        5 minutes at the default safety; 1 for small test quotas).
        """
        return max(1, int((1 - self.safety) * policy.quota / 2))

    # -- sending ------------------------------------------------------------------
    def acquire(self, route: str = "api:list") -> Ticket:
        """Block until a request on ``route`` may be sent; return its :class:`Ticket`.

        A caller that may go (no pause, budget left, quota known or probing done)
        reserves the next paced slot of every bucket of its route at once and
        sleeps until it, so each waiting worker wakes once, at its own slot. A
        worker that wakes later than the catch-up allowance after its slot (a busy
        CPU) gives the slot up and reserves another: every request goes at most
        ``catch_up_slots`` intervals after its slot, which keeps the bound on any window.
        """
        while True:
            with self._cond:
                now = self._clock()
                buckets = self._route_buckets(route)
                wait = self._wait_time(route, buckets, now)
                if wait == float("inf"):
                    self._cond.wait(timeout=1.0)
                    continue
                if wait <= 0:
                    slot, late = self._reserve(route, buckets, now)
            if wait > 0:
                self._sleep(min(wait, 1.0))
                continue
            if slot > now:
                self._sleep(slot - now)
            with self._cond:
                now = self._clock()
                if any(now < b.pause_until for b in buckets):
                    continue  # a 429 paused the route meanwhile
                if now > slot + late:
                    continue  # woke too late for this slot: take another
                seqs = {}
                for b in buckets:
                    b.issued += 1
                    seqs[b.name] = b.issued
                return Ticket(route, seqs)

    def _reserve(self, route: str, buckets: list[Bucket], now: float) -> tuple[float, float]:
        """Reserve the next paced slot of every bucket of ``route``.

        Returns (when the slot is, monotonic s; how late after it the request may still go, s).
        """
        if route not in self._seen:
            self._probing.add(route)
        slot, late = now, float("inf")
        for b in buckets:
            if b.policy is not None:
                interval = 1.0 / (b.policy.rate * self.safety)
                # a slot missed by a late wake-up may be caught up within `burst` intervals, so at
                # most burst + 1 requests more than the paced rate land in any window: still under
                # the quota (see catch_up_slots)
                burst = self.catch_up_slots(b.policy)
                slot = max(slot, b.next_slot, now - burst * interval)
                late = min(late, burst * interval)
        for b in buckets:
            if b.policy is not None:
                b.next_slot = slot + 1.0 / (b.policy.rate * self.safety)
        return slot, late

    def _wait_time(self, route: str, buckets: list[Bucket], now: float) -> float:
        """Seconds to wait before a request on ``route`` may reserve a slot (``inf``: wait for an answer).

        Pauses (429) and spent budgets hold a route; pacing is by reserved slots.
        """
        if route not in self._seen and route in self._probing:
            return float("inf")  # the first answer tells which buckets the route counts against
        wait = 0.0
        for b in buckets:
            if now < b.pause_until:
                wait = max(wait, b.pause_until - now)
            if b.remaining is not None and now < b.reset_at:
                in_flight_since = b.issued - b.remaining_seq
                if b.remaining - in_flight_since <= 0:
                    wait = max(wait, b.reset_at - now)
        return wait

    # -- answers ------------------------------------------------------------------
    def observe(self, ticket: Ticket, status: int | None, headers: Mapping[str, str] | None,
                retry_after: float | None = None) -> None:
        """Learn from an answer: which buckets the route counts against, quotas, budgets, 429 pauses.

        ``retry_after`` (seconds) is the caller's reading of ``Retry-After``.
        """
        limits = parse_rate_limits(headers) if headers is not None else {}
        policies = parse_policies(headers) if headers is not None else {}
        with self._cond:
            now = self._clock()
            route = ticket.route
            self._seen.add(route)
            self._probing.discard(route)
            named = set(limits) | set(policies)
            if named:
                self.routes.setdefault(route, {bucket_of_route(route)}).update(named)
            for name, policy in policies.items():
                self._bucket(name).policy = policy
            for name, rem in limits.items():
                b = self._bucket(name)
                seq = ticket.seqs.get(name, b.issued)
                if seq >= b.remaining_seq or now >= b.reset_at:
                    b.remaining, b.remaining_seq = rem.remaining, seq
                    b.reset_at = now + rem.reset
            if status == 429:
                spent = [n for n, rem in limits.items() if rem.remaining == 0]
                targets = spent or sorted(self.routes.get(route, {bucket_of_route(route)}))
                for name in targets:
                    pause = retry_after
                    if pause is None and name in limits:
                        pause = limits[name].reset
                    b = self._bucket(name)
                    b.pause_until = max(b.pause_until, now + (pause if pause is not None else 1.0))
            self._cond.notify_all()

    def release(self, ticket: Ticket) -> None:
        """Forget a request that got no answer (timeout, connection error)."""
        with self._cond:
            self._probing.discard(ticket.route)
            self._cond.notify_all()

    def pause(self, seconds: float, route: str = "api:list") -> None:
        """Hold every request on ``route`` for ``seconds``."""
        with self._cond:
            for b in self._route_buckets(route):
                b.pause_until = max(b.pause_until, self._clock() + seconds)

