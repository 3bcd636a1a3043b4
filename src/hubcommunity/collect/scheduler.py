"""Rate-limit-aware request pacing for the collector.

The Hub limits API calls per fixed window (5 minutes on huggingface.co) and
says so on every answer with IETF-draft headers (draft-ietf-httpapi-ratelimit-
headers; parsed by :func:`huggingface_hub.utils.parse_ratelimit_headers`)::

    RateLimit: "api";r=<remaining>;t=<seconds until the window resets>
    RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window seconds>

:class:`RateScheduler` paces requests evenly at ``safety * q / w`` requests per
second (default safety 0.985). Evenly paced requests can put at most
``safety * q + 2`` requests (one for a late wake-up catching up) into *any*
window of ``w`` seconds, wherever the server's window boundaries fall: under
``q`` for the Hub's quotas (hundreds per window), so the run stays just under
the limit instead of
hitting it and backing off. It also watches ``r``: if the budget is spent
(another process shares the token), it waits for ``t``. A 429 pauses every
worker until ``Retry-After`` (or ``t``) has passed.

Until the first answer arrives the quota is unknown, so only one request is
in flight; if the server sends no ``RateLimit`` headers at all, requests are
only bounded by the worker count (and 429s, if any, by ``Retry-After``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Mapping

from huggingface_hub.utils import parse_ratelimit_headers


@dataclass
class Policy:
    """A fixed-window quota: ``quota`` requests per ``window`` seconds."""

    quota: int
    window: float

    @property
    def rate(self) -> float:
        """Allowed requests per second."""
        return self.quota / self.window


class RateScheduler:
    """Decide when the next request may be sent (thread-safe).

    Args:
        safety: fraction of the allowed rate to use (0 < safety <= 1).
        clock / sleep: injectable for unit tests (monotonic seconds).

    Use: ``ticket = s.acquire()`` before a request, then
    ``s.observe(ticket, status, headers)`` with the answer (or
    ``s.release(ticket)`` if no answer came).
    """

    def __init__(self, safety: float = 0.985, clock=time.monotonic, sleep=time.sleep) -> None:
        if not 0 < safety <= 1:
            raise ValueError(f"safety must be in (0, 1], got {safety}")
        self.safety = safety
        self._clock, self._sleep = clock, sleep
        self._cond = threading.Condition()
        self.policy: Policy | None = None
        self._headers_seen = False
        self._probe_in_flight = False
        self._next_slot = 0.0
        self._pause_until = 0.0
        self._issued = 0
        self._remaining: int | None = None
        self._remaining_seq = 0
        self._reset_at = 0.0

    # -- sending ------------------------------------------------------------------
    def acquire(self) -> int:
        """Block until a request may be sent; return its ticket (a sequence number)."""
        while True:
            with self._cond:
                now = self._clock()
                wait = self._wait_time(now)
                if wait <= 0:
                    self._issued += 1
                    if not self._headers_seen:
                        self._probe_in_flight = True
                    if self.policy is not None:
                        interval = 1.0 / (self.policy.rate * self.safety)
                        # a late wake-up (sleep overshoot) may catch up by at most one slot,
                        # so at most one request more than the paced rate lands in any window
                        self._next_slot = max(self._next_slot, now - interval) + interval
                    return self._issued
                if wait == float("inf"):
                    self._cond.wait(timeout=1.0)
                    continue
            self._sleep(min(wait, 1.0))

    def _wait_time(self, now: float) -> float:
        """Seconds to wait before the next request may go (``inf``: wait for an answer)."""
        if now < self._pause_until:
            return self._pause_until - now
        if not self._headers_seen and self._probe_in_flight:
            return float("inf")
        if self._remaining is not None and now < self._reset_at:
            in_flight_since = self._issued - self._remaining_seq
            if self._remaining - in_flight_since <= 0:
                return self._reset_at - now
        if self.policy is not None and now < self._next_slot:
            return self._next_slot - now
        return 0.0

    # -- answers ------------------------------------------------------------------
    def observe(self, ticket: int, status: int | None, headers: Mapping[str, str] | None,
                retry_after: float | None = None) -> None:
        """Learn from an answer: quota, remaining budget, and pauses on 429.

        ``retry_after`` (seconds) is the caller's reading of ``Retry-After``.
        """
        info = parse_ratelimit_headers(headers) if headers is not None else None
        with self._cond:
            now = self._clock()
            self._headers_seen = True
            self._probe_in_flight = False
            if info is not None:
                if info.limit and info.window_seconds:
                    self.policy = Policy(info.limit, float(info.window_seconds))
                if ticket >= self._remaining_seq or now >= self._reset_at:
                    self._remaining, self._remaining_seq = info.remaining, ticket
                    self._reset_at = now + info.reset_in_seconds
            if status == 429:
                pause = retry_after
                if pause is None and info is not None and info.remaining == 0:
                    pause = info.reset_in_seconds
                self._pause_until = max(self._pause_until, now + (pause if pause is not None else 1.0))
            self._cond.notify_all()

    def release(self, ticket: int) -> None:
        """Forget a request that got no answer (timeout, connection error)."""
        with self._cond:
            self._probe_in_flight = False
            self._cond.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every request for ``seconds``."""
        with self._cond:
            self._pause_until = max(self._pause_until, self._clock() + seconds)
