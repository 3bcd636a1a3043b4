"""The live collector: capture (a sample of) the Hugging Face Hub into a raw snapshot.

:func:`collect` lists models, datasets and spaces in bulk (``expand=`` fields,
spaces with ``models``), then fetches each repository's commit history and
discussions with their events as units of one request each (commit pages,
discussion pages, thread details: :mod:`.details`) on one shared thread pool
(:mod:`.engine`), paced just under every rate-limit bucket the Hub announces
(:mod:`.scheduler`), through ``huggingface_hub``'s HTTP session (:mod:`.http`).
:func:`~.plan.plan_collection` estimates a collection's requests and wall time
before it starts (``--plan``). It writes the snapshot layout of ``CONTRIBUTING.md``::

    DEST/manifest.json
    DEST/raw/{models,datasets,spaces,commits,discussions,fetch_errors}/<stream>-<seq>.jsonl.gz

Records are the Hub's JSON as sent (see :mod:`.listing` and :mod:`.details`
for the exact shapes). Work is committed in batches to a journal
(:mod:`.checkpoint`), so a killed run resumes with ``resume=True``, redoes
only the units it had not committed, and loses or duplicates nothing.
``incremental_from`` reuses an earlier snapshot for unchanged repositories,
streamed through an on-disk index (:mod:`.incremental`).

The token comes from ``token``, ``HF_TOKEN`` or the huggingface_hub login;
it is sent only in the ``Authorization`` header and never written anywhere.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from .. import __version__
from .checkpoint import STATE_DIR, STREAMS, Journal, atomic_write_bytes
from .details import repo_key
from .http import Counters, HubHttp
from .listing import EXPAND, REPO_TYPES, STREAM_OF, CollectError, list_repos
from .ratelimit import Policy
from .scheduler import RateScheduler
from .plan import plan_collection

__all__ = ["CollectError", "Summary", "collect", "plan_collection", "register_cli"]

log = logging.getLogger(__name__)
DETAILS = ("commits", "discussions")
DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass
class Summary:
    """What a collection did. ``requests`` counts every HTTP attempt, retries included."""

    snapshot: Path
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    repos_listed: dict[str, int] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)
    wire: dict[str, Any] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    resumed: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (stored as the manifest's ``summary``)."""
        return {
            "requests": self.requests, "retries": self.retries, "rate_limited_429": self.rate_limited,
            "errors_by_kind": self.errors_by_kind, "records": self.records, "repos_listed": self.repos_listed,
            "reused": self.reused, "wire": self.wire, "elapsed_seconds": round(self.elapsed_seconds, 3),
            "resumed": self.resumed,
        }

    def text(self) -> str:
        """A few human-readable lines."""
        recs = ", ".join(f"{k} {v:,}" for k, v in self.records.items())
        errs = ", ".join(f"{k} {v:,}" for k, v in self.errors_by_kind.items()) or "none"
        return (f"snapshot {self.snapshot}\n"
                f"requests {self.requests:,} (retries {self.retries:,}, 429 answers {self.rate_limited:,}) "
                f"in {self.elapsed_seconds:,.1f} s\n"
                f"records: {recs}\nfetch errors: {errs}\n"
                f"reused from earlier snapshot: {self.reused or 'nothing'}")


def resolve_token(token: str | None) -> str | None:
    """``token``, else ``HF_TOKEN`` / the huggingface_hub login (``huggingface_hub.get_token``)."""
    if token:
        return token
    from huggingface_hub import get_token

    return get_token()


def _requested(repo_types, author, sample, seed, limit, details, incremental_from, endpoint) -> dict[str, Any]:
    return {
        "repo_types": list(repo_types), "author": author, "sample": sample,
        "seed": seed if sample is not None else None, "limit": limit, "details": list(details),
        "expand": {t: list(EXPAND[t]) for t in repo_types},
        "commits_revision": "main" if "commits" in details else None,
        "incremental_from": str(incremental_from) if incremental_from else None,
        "endpoint": endpoint,
    }


def _progress(progress: bool, **kw):
    from tqdm.auto import tqdm

    return tqdm(disable=not progress, file=sys.stderr, dynamic_ncols=True, **kw)


def collect(dest: str | Path, repo_types: Iterable[str] = REPO_TYPES, author: str | None = None,
            sample: float | None = None, seed: int = 0, limit: int | None = None,
            details: Iterable[str] = DETAILS, incremental_from: str | Path | None = None,
            endpoint: str | None = None, token: str | None = None, max_concurrency: int = 8,
            progress: bool = True, resume: bool = False, *, page_size: int = 1000, batch_size: int = 200,
            batch_seconds: float = 30.0, timeout: float = 30.0, max_retries: int = 6,
            backoff_base: float = 1.0, rate_safety: float = 0.985, name: str | None = None) -> Summary:
    """Collect a snapshot of the Hub into ``dest``; return a :class:`Summary`.

    Args:
        dest: the snapshot directory to create (or to resume with ``resume=True``).
        repo_types: any of ``"model"``, ``"dataset"``, ``"space"``.
        author: only repositories of this user or organisation (server-side filter).
        sample: keep a reproducible fraction (0-1] of repositories, chosen by a hash
            of ``seed`` and the repository id (see :func:`.listing.in_sample`).
        limit: keep at most this many repositories per type (after sampling).
        details: any of ``"commits"``, ``"discussions"``; empty for listings only.
        incremental_from: an earlier snapshot directory whose details are reused for
            repositories whose ``sha`` and ``lastModified`` did not change.
        endpoint: the Hub URL (default ``HF_ENDPOINT`` as read by huggingface_hub,
            else https://huggingface.co). Every URL is built from it.
        token: a Hub token; default ``HF_TOKEN`` or the huggingface_hub login.
        max_concurrency: worker threads fetching repository details.
        progress: show tqdm progress bars on stderr.
        resume: continue an interrupted collection in ``dest``.
        page_size, batch_size, batch_seconds, timeout, max_retries, backoff_base, rate_safety:
            listing page size; repositories per committed batch and the longest time
            (s) between commits; request timeout (s); retries of 5xx/timeouts; first
            backoff (s); fraction of the allowed request rate to use.
        name: the snapshot's name in the manifest (default: ``dest``'s directory name).

    Raises:
        FileExistsError: ``dest`` holds a collection and ``resume`` is False.
        ValueError: bad arguments, or ``resume`` with different arguments.
        CollectError: a listing page failed for good.
    """
    t0 = time.monotonic()
    dest = Path(dest)
    repo_types = tuple(repo_types)
    details = tuple(details)
    bad = [t for t in repo_types if t not in REPO_TYPES] + [d for d in details if d not in DETAILS]
    if bad or not repo_types:
        raise ValueError(f"unknown repository types or details: {bad or 'none given'}")
    if sample is not None and not 0 < sample <= 1:
        raise ValueError(f"sample must be a fraction in (0, 1], got {sample}")
    if endpoint is None:
        from huggingface_hub import constants

        endpoint = constants.ENDPOINT or DEFAULT_ENDPOINT
    endpoint = endpoint.rstrip("/")
    requested = _requested(repo_types, author, sample, seed, limit, details, incremental_from, endpoint)

    state_dir = dest / STATE_DIR
    run_file = state_dir / "run.json"
    if (dest / "manifest.json").exists() and not state_dir.exists():
        if not resume:
            raise FileExistsError(f"{dest} already holds a finished snapshot")
        manifest = json.loads((dest / "manifest.json").read_text())
        summary = Summary(dest, resumed=True)
        summary.records = {s["kind"]: s["records"] for s in manifest.get("streams", [])}
        return summary
    if run_file.exists():
        if not resume:
            raise FileExistsError(f"{dest} holds an interrupted collection: resume it with resume=True (--resume)")
        previous = json.loads(run_file.read_text())
        if previous["requested"] != requested:
            raise ValueError(f"{dest}: --resume with different options than the interrupted run: "
                             f"was {previous['requested']}, now {requested}")
        started_at = previous["started_at"]
    else:
        if dest.exists() and any(dest.iterdir()):
            raise FileExistsError(f"{dest} exists and is not empty")
        state_dir.mkdir(parents=True, exist_ok=True)
        started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        atomic_write_bytes(run_file, json.dumps({"requested": requested, "started_at": started_at}).encode())
    journal = Journal(dest).open()
    summary = Summary(dest, resumed=bool(journal.entries))

    counters = Counters()
    http = HubHttp(endpoint, resolve_token(token), RateScheduler(safety=rate_safety), counters,
                   timeout=timeout, max_retries=max_retries, backoff_base=backoff_base)

    # 1. listings (one thread per type: they share the scheduler)
    bars = {t: _progress(progress, desc=f"list {t}s", unit=" repos", position=i)
            for i, t in enumerate(repo_types)}

    def _list(t: str) -> int:
        return list_repos(http, journal, t, author=author, sample=sample, seed=seed, limit=limit,
                          page_size=page_size, on_page=lambda listed, kept: bars[t].update(kept))

    with ThreadPoolExecutor(max_workers=len(repo_types), thread_name_prefix="list") as pool:
        kept = dict(zip(repo_types, pool.map(_list, repo_types)))
    for b in bars.values():
        b.close()
    summary.repos_listed = kept

    # 2. per-repository details, as units of one request each on one pool
    if details:
        index = None
        if incremental_from is not None:
            from .incremental import PreviousIndex

            index = PreviousIndex.open_or_build(incremental_from, state_dir / "previous.sqlite")
        try:
            _collect_details(http, journal, repo_types, details, index.reuse_for if index else None,
                             max_concurrency, progress, batch_size, batch_seconds, summary, counters)
        finally:
            if index is not None:
                index.close()

    # 3. manifest, then drop the journal
    _finish(dest, journal, requested, started_at, name, summary, counters, t0)
    shutil.rmtree(state_dir)
    return summary


class _PendingRepos:
    """Listed repositories (first occurrence of each id) whose details are not committed yet.

    Streamed from the journal's listing parts; iterable more than once.
    """

    def __init__(self, journal: Journal, repo_types: tuple[str, ...]) -> None:
        self.journal, self.repo_types = journal, repo_types

    def __iter__(self) -> Iterator[tuple[str, dict]]:
        seen: set[tuple[str, str]] = set()
        for t in self.repo_types:
            for rec in self.journal.iter_records(STREAM_OF[t]):
                key = (t, rec["id"])
                if key in seen:
                    continue
                seen.add(key)
                if repo_key(t, rec["id"]) not in self.journal.done:
                    yield t, rec


def _count_pending(journal: Journal, repo_types: tuple[str, ...]) -> int:
    listed = {t: journal.last_state(f"list:{t}") or {} for t in repo_types}
    finished = sum(1 for k in journal.done if k.startswith("repo:"))
    return max(0, sum(s.get("kept", 0) for s in listed.values()) - finished)


def _collect_details(http: HubHttp, journal: Journal, repo_types, details, reuse_for, max_concurrency: int,
                     progress: bool, batch_size: int, batch_seconds: float, summary: Summary,
                     counters: Counters) -> None:
    from .engine import collect_details

    bar = _progress(progress, desc="details", unit=" repos", total=_count_pending(journal, repo_types))
    stats = collect_details(
        http, journal, _PendingRepos(journal, repo_types), commits="commits" in details,
        discussions="discussions" in details, reuse_for=reuse_for, max_concurrency=max_concurrency,
        batch_size=batch_size, batch_seconds=batch_seconds, on_repo_done=bar.update,
        on_tick=lambda: bar.set_postfix(req=counters.requests, r429=counters.rate_limited, refresh=False))
    bar.close()
    if reuse_for is not None:
        summary.reused = {"commits": stats.reused_commits, "threads": stats.reused_threads}


def _finish(dest: Path, journal: Journal, requested: dict, started_at: str, name: str | None,
            summary: Summary, counters: Counters, t0: float) -> None:
    """Write ``manifest.json`` from the journal (streams, counts, sha256) and fill ``summary``."""
    from huggingface_hub import __version__ as hub_version

    from ..snapshot import Stream, write_manifest

    streams, captured = [], {}
    for s in STREAMS:
        parts = journal.parts(s)
        if not parts:
            continue
        streams.append(Stream(kind=s, files=[p.file for p in parts], format="records",
                              records=sum(p.records for p in parts),
                              sha256={p.file: p.sha256 for p in parts},
                              sizes={p.file: p.size for p in parts}).to_json())
        last = max(e.time for e in journal.entries if any(p.stream == s for p in e.parts))
        captured[s] = datetime.fromtimestamp(last, timezone.utc).date().isoformat()
    errors: dict[str, int] = {}
    for rec in journal.iter_records("fetch_errors"):
        key = f"{rec['scope']}:{rec['http_status']}"
        errors[key] = errors.get(key, 0) + 1
    summary.records = {s["kind"]: s["records"] for s in streams}
    summary.errors_by_kind = dict(sorted(errors.items()))
    summary.requests, summary.retries, summary.rate_limited = counters.requests, counters.retries, counters.rate_limited
    summary.wire = counters.to_json()
    summary.elapsed_seconds = time.monotonic() - t0
    manifest = {
        "name": name or dest.name,
        "description": (f"Live capture of the Hugging Face Hub API ({', '.join(requested['repo_types'])}; "
                        f"details: {', '.join(requested['details']) or 'none'}) by hubcommunity.collect."),
        "source": {"endpoint": requested["endpoint"], "api": "Hugging Face Hub REST API"},
        "license": "Hub metadata; subject to the Hugging Face terms of service and each repository's terms",
        "captured_at": captured,
        "started_at": started_at,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "client": {"huggingface_hub": hub_version},
        "requested": requested,
        "streams": streams,
        "created_by": f"hubcommunity {__version__}",
        "summary": summary.to_json(),
    }
    write_manifest(dest, manifest)


# ----------------------------------------------------------------------------- CLI


def parse_quota(text: str) -> Policy:
    """``"1000/300"`` (requests per window of seconds) -> ``Policy(1000, 300.0)``."""
    try:
        quota, window = text.split("/")
        policy = Policy(int(quota.replace(",", "").replace("_", "")), float(window))
    except ValueError:
        raise ValueError(f"--quota takes Q/W (requests per window of W seconds), e.g. 1000/300, not {text!r}") \
            from None
    if policy.quota <= 0 or policy.window <= 0:
        raise ValueError(f"--quota must be positive, not {text!r}")
    return policy


def _cmd_plan(args: Any, details: list[str]) -> int:
    from .plan import plan_collection

    try:
        quota = parse_quota(args.quota) if args.quota else None
        plan = plan_collection(repo_types=args.types, author=args.author, sample=args.sample, seed=args.seed,
                               limit=args.limit, details=details, endpoint=args.endpoint,
                               plan_from=args.plan_from or (), pilot=args.pilot, listing_from=args.listing_from,
                               quota=quota, max_concurrency=args.max_concurrency, progress=not args.no_progress)
    except (ValueError, CollectError) as exc:
        print(f"hubcommunity collect --plan: {exc}", file=sys.stderr)
        return 2
    print(plan.text())
    return 0


def _cmd_collect(args: Any) -> int:
    details = [d for d, off in (("commits", args.no_commits), ("discussions", args.no_discussions)) if not off]
    if args.plan:
        return _cmd_plan(args, details)
    if args.dest is None:
        print("hubcommunity collect: give the snapshot directory DEST (or --plan to estimate only)", file=sys.stderr)
        return 2
    try:
        summary = collect(args.dest, repo_types=args.types, author=args.author, sample=args.sample,
                          seed=args.seed, limit=args.limit, details=details,
                          incremental_from=args.incremental_from, endpoint=args.endpoint,
                          max_concurrency=args.max_concurrency, progress=not args.no_progress,
                          resume=args.resume, batch_size=args.batch_size)
    except (FileExistsError, ValueError, CollectError) as exc:
        print(f"hubcommunity collect: {exc}", file=sys.stderr)
        return 2
    print(summary.text())
    return 0


def register_cli(subparsers: Any) -> None:
    """Add the ``collect`` subcommand."""
    p = subparsers.add_parser(
        "collect", help="capture (a sample of) the Hub into a snapshot directory, or --plan one",
        description="Collect listings, commit histories and discussions from the Hugging Face Hub API into a "
                    "raw snapshot. The token comes from HF_TOKEN or `hf auth login`; it is never written. "
                    "With --plan, estimate the requests and wall time first (nothing is written).")
    p.add_argument("dest", nargs="?", help="snapshot directory to create (e.g. data/snapshots/hub-2026-11)")
    p.add_argument("--types", nargs="+", choices=REPO_TYPES, default=list(REPO_TYPES), metavar="TYPE",
                   help="repository types: model dataset space (default: all)")
    p.add_argument("--author", help="only repositories of this user or organisation")
    p.add_argument("--sample", type=float, metavar="FRACTION", help="reproducible random fraction of repositories")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N repositories per type")
    p.add_argument("--no-commits", action="store_true", help="skip commit histories")
    p.add_argument("--no-discussions", action="store_true", help="skip discussions and pull requests")
    p.add_argument("--incremental-from", metavar="SNAPSHOT", help="reuse an earlier snapshot for unchanged repos")
    p.add_argument("--resume", action="store_true", help="continue an interrupted collection in DEST")
    p.add_argument("--endpoint", help="Hub URL (default: HF_ENDPOINT or https://huggingface.co)")
    p.add_argument("--max-concurrency", type=int, default=8, help="parallel requests (default 8)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--batch-size", type=int, default=200,
                   help="work units (one request each) per checkpoint (default 200; at most this many requests "
                        "are redone after a crash)")
    g = p.add_argument_group("planning (--plan: estimate, collect nothing)")
    g.add_argument("--plan", action="store_true",
                   help="print the estimated requests and wall time of this collection, then stop")
    g.add_argument("--plan-from", nargs="+", metavar="SNAPSHOT",
                   help="take requests per repository from earlier snapshot(s) (default: a pilot sample)")
    g.add_argument("--pilot", type=int, metavar="N",
                   help="measure requests per repository on N listed repositories per type "
                        "(default 30 when --plan-from is not given)")
    g.add_argument("--listing-from", metavar="SNAPSHOT",
                   help="count the repositories in scope in this snapshot's listing instead of listing live "
                        "(with --plan-from: no network at all)")
    g.add_argument("--quota", metavar="Q/W",
                   help="the account's API quota, Q requests per W seconds (default: read from the Hub's "
                        "RateLimit-Policy header; e.g. 1000/300 for a free account)")
    p.set_defaults(func=_cmd_collect)
