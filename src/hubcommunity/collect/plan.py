"""Plan a collection before starting it: how many requests, how long at the account's quota.

``hubcommunity collect --plan`` estimates a collection's requests as

    listing pages + sum over repository types of  (repositories in scope) x (mean requests per repository)

where the mean requests per repository (commit pages + discussion-list pages +
thread details; :class:`RequestCosts`) come either from an earlier snapshot
(:func:`costs_from_snapshots`: counted from its records, exactly as the
collector would page them) or from a small pilot sample collected now
(:func:`pilot_costs`: the real collector's units run on a few repositories per
type, requests counted, records dropped). The repositories in scope come from
the live listing (which the plan runs: one request per 1,000 repositories), or
from an earlier snapshot's listing (``listing_from``, no network).

The wall time is ``requests / (safety x quota / window)``, the pace the
collector keeps (:mod:`.scheduler`). The quota is the account's: read from the
first answer's ``RateLimit-Policy`` (bucket ``api``), or given (``quota``), or,
with neither, the free account's documented 1,000 per 5 minutes (said so).
Retries are not counted: they come on top (a few per thousand on a healthy Hub).
"""

from __future__ import annotations

import math
import random
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .checkpoint import Journal
from .details import COMMITS_PAGE_LIMIT
from .listing import REPO_TYPES, STREAM_OF, in_sample, list_repos
from .ratelimit import API_TIERS, TIER_WINDOW_SECONDS, Policy

#: Threads per page of the Hub's discussions list.
DISCUSSION_PAGE_SIZE = 50
#: Repositories per listing page the collector asks for.
LISTING_PAGE_SIZE = 1000
#: Repositories per type in a pilot sample, when neither a snapshot nor a size is given.
DEFAULT_PILOT = 30


@dataclass
class RequestCosts:
    """Mean requests per repository of one type, and where the means come from.

    Attributes:
        repo_type: ``model``, ``dataset`` or ``space``.
        repos: repositories the means are taken over.
        commit_pages, list_pages, threads: mean requests per repository for its
            commit history, its discussion-list pages and its thread details.
        source: where the means come from (a snapshot, a pilot, another type's).
        notes: assumptions made (said in the plan's text).
    """

    repo_type: str
    repos: int
    commit_pages: float
    list_pages: float
    threads: float
    source: str
    notes: list[str] = field(default_factory=list)

    def per_repo(self, details: Iterable[str]) -> float:
        """Mean requests per repository for the ``details`` collected (``commits``, ``discussions``)."""
        details = set(details)
        return ((self.commit_pages if "commits" in details else 0.0)
                + (self.list_pages + self.threads if "discussions" in details else 0.0))


# ----------------------------------------------------------------------------- means from snapshots


def _capture_date(snap, kind: str) -> str | None:
    captured = snap.captured_at or {}
    return captured.get(kind)


def costs_from_snapshots(paths: Iterable[str | Path], repo_types: Iterable[str] = REPO_TYPES, *,
                         commit_page_size: int = COMMITS_PAGE_LIMIT,
                         thread_page_size: int = DISCUSSION_PAGE_SIZE) -> dict[str, RequestCosts]:
    """Mean requests per repository, counted from earlier snapshots' records (streamed).

    The repositories are those of the snapshots' listings (``models``, ``datasets``,
    ``spaces`` streams). Where the details (discussions) were captured before the
    listing, only repositories created before the details' capture date count,
    with their details (the two captures joined on what existed at both).
    Per repository: ``ceil(commits / commit_page_size)`` commit pages (one if the
    history failed or is empty), ``max(1, ceil(threads / thread_page_size))``
    discussion pages (one if the list failed), one request per thread (thread
    errors included).

    Args:
        paths: snapshot directories (their streams are pooled).
        repo_types: the types to estimate.
        commit_page_size, thread_page_size: page sizes of the collector's requests.

    Returns:
        ``{repo_type: RequestCosts}`` for every type with a listing. A type whose
        snapshots hold no discussions (or no commits) gets the other types' means
        for that part, or, for commits with no data anywhere, one page per
        repository (a lower bound); each such assumption is in ``notes``.

    Raises:
        ValueError: no snapshot holds a listing of any of ``repo_types``, or none holds discussions.
    """
    from ..snapshot import open_snapshot

    snaps = [open_snapshot(p) for p in paths]
    names = ", ".join(s.name for s in snaps)
    repo_types = tuple(repo_types)
    details_date = min((d for s in snaps for d in [_capture_date(s, "discussions")] if d), default=None)
    threads: Counter = Counter()
    list_failed: set[tuple[str, str]] = set()
    commit_pages: dict[tuple[str, str], int] = {}
    has_threads = {t: False for t in repo_types}
    has_commits = {t: False for t in repo_types}
    for snap in snaps:
        for rec, _ in snap.iter_records("discussions"):
            key = (rec["repo"].get("type", "model"), rec["repo"]["name"])
            if key[0] in has_threads:
                has_threads[key[0]] = True
                threads[key] += 1
        for rec, _ in snap.iter_records("commits"):
            key = (rec["repo"]["type"], rec["repo"]["name"])
            if key[0] in has_commits:
                has_commits[key[0]] = True
                commit_pages[key] = max(1, math.ceil(len(rec.get("commits") or []) / commit_page_size))
        defaults = (snap.stream("fetch_errors").defaults if snap.stream("fetch_errors") else {}) or {}
        for rec, _ in snap.iter_records("fetch_errors"):
            key = (rec.get("repo_type") or defaults.get("repo_type", "model"), rec["repo_id"])
            if key[0] not in has_threads:
                continue
            if rec.get("scope") == "thread":
                threads[key] += 1
                has_threads[key[0]] = True
            elif rec.get("scope") == "repository":
                list_failed.add(key)
                has_threads[key[0]] = True
            elif rec.get("scope") == "commits":
                commit_pages[key] = 1
                has_commits[key[0]] = True
    listed: dict[str, set[str]] = {t: set() for t in repo_types}
    has_listing = {t: False for t in repo_types}
    for snap in snaps:
        for t in repo_types:
            if snap.stream(STREAM_OF[t]) is None:
                continue
            has_listing[t] = True
            listing_date = _capture_date(snap, STREAM_OF[t])
            cutoff = (details_date if has_threads[t] and details_date and listing_date and details_date < listing_date
                      else None)
            for rec, _ in snap.iter_records(STREAM_OF[t]):
                if cutoff is None or str(rec.get("createdAt") or "")[:10] < cutoff:
                    listed[t].add(rec["id"])
    if not any(has_listing.values()):
        raise ValueError(f"no listing of {', '.join(repo_types)} in {names}: per-repository means need the "
                         "repositories they are taken over (add a snapshot with a listing)")
    if not any(has_threads.values()):
        raise ValueError(f"no discussions in {names}: cannot estimate discussion requests per repository")

    out: dict[str, RequestCosts] = {}
    for t in repo_types:
        if not has_listing[t]:
            continue
        ids = listed[t]
        n = len(ids)
        n_threads = sum(threads[(t, rid)] for rid in ids) if has_threads[t] else 0
        pages = sum(1 if (t, rid) in list_failed else max(1, math.ceil(threads[(t, rid)] / thread_page_size))
                    for rid in ids)
        commits = sum(commit_pages.get((t, rid), 1) for rid in ids)
        note = [] if not has_threads[t] or details_date is None or not any(
            _capture_date(s, STREAM_OF[t]) and details_date < _capture_date(s, STREAM_OF[t]) for s in snaps) else [
            f"{t}s created before {details_date} (the discussions' capture) only"]
        out[t] = RequestCosts(t, n, commits / n if n else 1.0, pages / n if n else 1.0,
                              n_threads / n if n else 0.0, f"snapshot(s) {names}", note)
    with_threads = [out[t] for t in out if has_threads[t] and out[t].repos]
    with_commits = [out[t] for t in out if has_commits[t] and out[t].repos]
    if not with_threads:
        raise ValueError(f"no listed repository of {names} has discussions data: cannot take means over them")
    for t, c in out.items():
        if not has_threads[t]:
            src = ", ".join(f"{o.repo_type}s'" for o in with_threads)
            c.list_pages = sum(o.list_pages * o.repos for o in with_threads) / sum(o.repos for o in with_threads)
            c.threads = sum(o.threads * o.repos for o in with_threads) / sum(o.repos for o in with_threads)
            c.notes.append(f"no discussions of {t}s in the snapshots: {src} means assumed")
        if not has_commits[t]:
            if with_commits:
                c.commit_pages = (sum(o.commit_pages * o.repos for o in with_commits)
                                  / sum(o.repos for o in with_commits))
                c.notes.append(f"no commit histories of {t}s in the snapshots: other types' means assumed")
            else:
                c.commit_pages = 1.0
                c.notes.append(f"no commit histories in the snapshots: one page per {t} assumed "
                               f"(a lower bound: longer histories than {commit_page_size:,} commits take more)")
    return out


# ----------------------------------------------------------------------------- means from a pilot


def pilot_costs(http, listed: dict[str, list[dict]], n: int, details: Iterable[str], *, seed: int = 0,
                max_concurrency: int = 8) -> tuple[dict[str, RequestCosts], int]:
    """Mean requests per repository measured on a pilot sample: ``n`` listed repositories per type.

    Runs the collector's own units (:func:`.engine.collect_details`) on a
    random sample (``seed``) of each type's listed repositories, counting one
    request per unit (retries excluded), and drops the records.

    Returns:
        ``({repo_type: RequestCosts}, requests the pilot made, retries included)``.
    """
    from .engine import collect_details

    details = tuple(details)
    costs: dict[str, RequestCosts] = {}
    before = http.counters.requests
    for t, recs in listed.items():
        chosen = random.Random(f"{seed}:{t}").sample(list(recs), min(n, len(recs)))
        if not chosen:
            continue
        stats = collect_details(http, None, [(t, r) for r in chosen], commits="commits" in details,
                                discussions="discussions" in details, max_concurrency=max_concurrency)
        by_kind = stats.units_by_kind
        k = len(chosen)
        costs[t] = RequestCosts(t, k, by_kind.get((t, "commits"), 0) / k, by_kind.get((t, "threads"), 0) / k,
                                by_kind.get((t, "thread"), 0) / k, "a pilot sample")
    return costs, http.counters.requests - before


def _reservoir(items: Iterable[dict], n: int, rng: random.Random) -> list[dict]:
    """A uniform random sample of ``n`` of ``items`` in one pass (memory: ``n`` items)."""
    out: list[dict] = []
    for i, item in enumerate(items):
        if i < n:
            out.append(item)
        else:
            j = rng.randrange(i + 1)
            if j < n:
                out[j] = item
    return out


# ----------------------------------------------------------------------------- the plan


def about_count(n: float) -> str:
    """``4_100_000`` -> ``"about 4.1 M"``, ``12_345`` -> ``"about 12,000"``, ``830`` -> ``"about 830"``."""
    if n >= 1e6:
        return f"about {n / 1e6:.2g} M" if n < 1e7 else f"about {n / 1e6:,.0f} M"
    if n >= 1e4:
        return f"about {round(n, -3):,.0f}"
    if n >= 1e3:
        return f"about {round(n, -2):,.0f}"
    return f"about {round(n):,}"


def about_duration(seconds: float) -> str:
    """A rounded duration: ``"about 14 days"``, ``"about 5.7 days"``, ``"about 3.2 hours"``, ``"about 40 s"``."""
    for unit, size in (("days", 86400), ("hours", 3600), ("min", 60)):
        if seconds >= size:
            value = seconds / size
            return f"about {value:.2g} {unit}" if value < 10 else f"about {value:,.0f} {unit}"
    return f"about {seconds:.2g} s" if seconds < 10 else f"about {seconds:,.0f} s"


@dataclass
class Plan:
    """An estimate of a collection (see the module docstring).

    Attributes:
        repos: repositories in scope per type.
        listing_requests: listing pages the collection asks for.
        costs: mean requests per repository per type.
        details: the details collected.
        policy: the account's API quota; ``policy_source`` says where it comes from.
        safety: the fraction of the quota the collector uses.
        spent_requests: requests the plan itself made (listing, pilot).
    """

    repos: dict[str, int]
    listing_requests: int
    costs: dict[str, RequestCosts]
    details: tuple[str, ...]
    policy: Policy
    policy_source: str
    safety: float = 0.985
    spent_requests: int = 0

    def detail_requests(self) -> dict[str, float]:
        """Expected detail requests per type."""
        return {t: n * self.costs[t].per_repo(self.details) if t in self.costs else 0.0
                for t, n in self.repos.items()}

    @property
    def requests(self) -> float:
        """Expected requests of the whole collection."""
        return self.listing_requests + sum(self.detail_requests().values())

    def seconds(self, policy: Policy | None = None) -> float:
        """Expected wall time (s) at ``policy`` (default: the account's)."""
        policy = policy or self.policy
        return self.requests / (policy.rate * self.safety)

    def alternatives(self) -> list[Policy]:
        """The documented plans with a higher API quota than the account's (at most two)."""
        higher = sorted({q for q in API_TIERS.values() if q / TIER_WINDOW_SECONDS > self.policy.rate})
        return [Policy(q, TIER_WINDOW_SECONDS) for q in higher[:2]]

    def headline(self) -> str:
        """E.g. ``"about 2.3 M requests, about 7.9 days at 1,000 per 5 min; about 3.2 days at 2,500 per 5 min"``."""
        parts = [f"{about_count(self.requests)} requests, {about_duration(self.seconds())} at {self.policy.text()}"]
        parts += [f"{about_duration(self.seconds(p))} at {p.text()}" for p in self.alternatives()]
        return "; ".join(parts)

    def text(self) -> str:
        """The plan as printed by ``hubcommunity collect --plan``."""
        lines = [f"plan: {self.headline()}"]
        detail = self.detail_requests()
        lines.append(f"  listing: {self.listing_requests:,} requests (pages of {LISTING_PAGE_SIZE:,})")
        for t, n in self.repos.items():
            c = self.costs.get(t)
            if c is None:
                lines.append(f"  {t}s: {n:,} in scope; no per-repository means (not estimated)")
                continue
            parts = []
            if "commits" in self.details:
                parts.append(f"{c.commit_pages:.2f} commit pages")
            if "discussions" in self.details:
                parts.append(f"{c.list_pages:.2f} discussion pages + {c.threads:.2f} threads")
            lines.append(f"  {t}s: {n:,} in scope x {c.per_repo(self.details):.2f} requests "
                         f"({' + '.join(parts) or 'listing only'}) = {about_count(detail[t])} requests; "
                         f"means from {c.source} over {c.repos:,} {t}s")
            lines += [f"    note: {note}" for note in c.notes]
        lines.append(f"  quota: {self.policy.text()} ({self.policy_source}); the collector uses "
                     f"{self.safety:.1%} of it; retries not counted")
        if self.spent_requests:
            lines.append(f"  this plan made {self.spent_requests:,} requests (listing and pilot)")
        return "\n".join(lines)


def listing_counts_from_snapshot(path: str | Path, repo_types: Iterable[str], *, author: str | None,
                                 sample: float | None, seed: int, limit: int | None) -> tuple[dict[str, int], int]:
    """Repositories in scope per type, and listing pages, from an earlier snapshot's listing (no network)."""
    from ..snapshot import open_snapshot

    snap = open_snapshot(path)
    counts, pages = {}, 0
    for t in repo_types:
        if snap.stream(STREAM_OF[t]) is None:
            continue
        listed = kept = 0
        for rec, _ in snap.iter_records(STREAM_OF[t]):
            if author and rec["id"].split("/")[0] != author:
                continue
            listed += 1
            if in_sample(rec["id"], sample, seed):
                kept += 1
        counts[t] = kept if limit is None else min(kept, limit)
        pages += max(1, math.ceil(listed / LISTING_PAGE_SIZE))
    return counts, pages


def plan_collection(repo_types: Iterable[str] = REPO_TYPES, author: str | None = None, sample: float | None = None,
                    seed: int = 0, limit: int | None = None, details: Iterable[str] = ("commits", "discussions"),
                    *, endpoint: str | None = None, token: str | None = None, plan_from: Iterable[str] = (),
                    pilot: int | None = None, listing_from: str | None = None, quota: Policy | None = None,
                    max_concurrency: int = 8, safety: float = 0.985, timeout: float = 30.0,
                    progress: bool = False) -> Plan:
    """Estimate the requests and wall time of ``collect`` with the same scope (see the module docstring).

    Args:
        repo_types, author, sample, seed, limit, details: the scope, as for :func:`~hubcommunity.collect.collect`.
        endpoint, token: the Hub (for a live listing or a pilot).
        plan_from: earlier snapshots to take per-repository means from.
        pilot: pilot sample size per type (default :data:`DEFAULT_PILOT` when ``plan_from`` is empty).
        listing_from: a snapshot whose listing gives the repositories in scope (no live listing).
        quota: the account's API quota (default: the first answer's ``RateLimit-Policy``).
        max_concurrency, safety, timeout: as for ``collect``.
        progress: show a progress bar while listing.

    Raises:
        ValueError: nothing to take means from, or an offline plan asked for a pilot.
        CollectError: a listing page failed for good.
    """
    from . import DEFAULT_ENDPOINT, resolve_token
    from .http import Counters, HubHttp
    from .scheduler import RateScheduler

    repo_types, details, plan_from = tuple(repo_types), tuple(details), tuple(plan_from)
    if not plan_from and pilot is None:
        pilot = DEFAULT_PILOT
    if listing_from is not None and pilot:
        raise ValueError("a pilot sample needs the live listing: drop --listing-from, or give --plan-from")
    costs: dict[str, RequestCosts] = {}
    if plan_from:
        costs = costs_from_snapshots(plan_from, repo_types)
    http = None
    spent = 0
    if listing_from is not None:
        repos, listing_requests = listing_counts_from_snapshot(listing_from, repo_types, author=author,
                                                               sample=sample, seed=seed, limit=limit)
    else:
        if endpoint is None:
            from huggingface_hub import constants

            endpoint = constants.ENDPOINT or DEFAULT_ENDPOINT
        scheduler = RateScheduler(safety=safety, policies={"api": quota} if quota else None)
        http = HubHttp(endpoint.rstrip("/"), resolve_token(token), scheduler, Counters(), timeout=timeout)
        repos, listed = {}, {}
        with tempfile.TemporaryDirectory(prefix="hubcommunity-plan-") as tmp:
            journal = Journal(Path(tmp)).open()
            for t in repo_types:
                repos[t] = list_repos(http, journal, t, author=author, sample=sample, seed=seed, limit=limit,
                                      page_size=LISTING_PAGE_SIZE)
                if pilot:
                    listed[t] = _reservoir(journal.iter_records(STREAM_OF[t]), pilot, random.Random(f"{seed}:{t}"))
        listing_requests = http.counters.requests
        if pilot and details:
            pilot_means, _ = pilot_costs(http, listed, pilot, details, seed=seed, max_concurrency=max_concurrency)
            for t, c in pilot_means.items():
                costs.setdefault(t, c)
        spent = http.counters.requests
    if quota is not None:
        policy, source = quota, "given"
    elif http is not None and http.scheduler.policy is not None:
        policy, source = http.scheduler.policy, "the Hub's RateLimit-Policy for this account"
    else:
        policy = Policy(API_TIERS["free"], TIER_WINDOW_SECONDS)
        source = "assumed: a free account's documented quota; give --quota Q/W"
    if not details:
        costs = {t: RequestCosts(t, 0, 0.0, 0.0, 0.0, "listing only") for t in repos}
    return Plan(repos=repos, listing_requests=listing_requests, costs=costs, details=details, policy=policy,
                policy_source=source, safety=safety, spent_requests=spent)
