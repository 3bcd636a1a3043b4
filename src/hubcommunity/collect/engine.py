"""Run every repository's detail units on one shared pool, checkpointed exactly.

:func:`collect_details` takes the listed repositories whose details are not
committed yet, turns each into a :class:`~.details.RepoWork` and keeps a
queue of ready :class:`~.details.Unit`\\ s (one request each) that a pool of
worker threads runs through the shared :class:`~.http.HubHttp` (and so its
rate scheduler). The calling thread coordinates: it hands results back to
their repository, queues the units they make ready (the other pages of a
long commit history, every thread of a repository with thousands of them),
and starts new repositories only when the queue runs short, so the workers
always have work while the number of repositories in progress stays small.

Results are journaled in batches (:class:`~.checkpoint.Journal`): each
unit's records go in the same commit as its key, so a run killed at any
moment loses only its uncommitted units. On resume, repositories with
committed units are rebuilt by :meth:`~.details.RepoWork.restore` from the
journal (their keys and internal ``progress`` records) and continue where
they stopped; nothing is fetched twice into the snapshot, nothing is lost.

The same engine runs a plan's pilot sample with no journal at all
(``journal=None``): records are then dropped, only the requests counted.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from .checkpoint import Journal
from .details import Outcome, RepoWork, Reuse, Unit, execute, split_key
from .http import HubHttp

#: Journal key codes of the units below a repository.
SUBUNIT_CODES = ("cp", "lp", "t", "c", "l")


@dataclass
class EngineStats:
    """What the engine did: repositories finished, units run (per ``(repo_type, unit kind)``), records reused,
    and the most repositories in progress at once."""

    repos_done: int = 0
    units_run: int = 0
    reused_commits: int = 0
    reused_threads: int = 0
    max_open_repos: int = 0
    units_by_kind: dict[tuple[str, str], int] = field(default_factory=dict)


def open_repos_in_journal(journal: Journal) -> set[tuple[str, str]]:
    """Repositories with committed units below them but not finished (an interrupted run's)."""
    started, finished = set(), set()
    for key in journal.done:
        code = key.split(":", 1)[0]
        if code == "repo":
            _, t, rid, _ = split_key(key)
            finished.add((t, rid))
        elif code in SUBUNIT_CODES:
            _, t, rid, _ = split_key(key)
            started.add((t, rid))
    return started - finished


def forget_finished_subunits(journal: Journal) -> None:
    """Drop from memory the keys of units below repositories already finished."""
    finished = {key[len("repo:"):] for key in journal.done if key.startswith("repo:")}
    stale = []
    for key in journal.done:
        code = key.split(":", 1)[0]
        if code in SUBUNIT_CODES:
            _, t, rid, _ = split_key(key)
            if f"{t}:{rid}" in finished:
                stale.append(key)
    journal.forget(stale)


def progress_by_repo(journal: Journal, repos: set[tuple[str, str]]) -> dict[tuple[str, str], list[dict]]:
    """The committed ``progress`` records of ``repos`` (read once, streaming)."""
    out: dict[tuple[str, str], list[dict]] = {r: [] for r in repos}
    if not repos:
        return out
    for rec in journal.iter_records("progress"):
        key = (rec["repo"]["type"], rec["repo"]["name"])
        if key in out:
            out[key].append(rec)
    return out


def collect_details(http: HubHttp, journal: Journal | None, repos: Iterable[tuple[str, dict]], *,
                    commits: bool, discussions: bool, reuse_for: Callable[[str, dict], Reuse] | None = None,
                    max_concurrency: int = 8, batch_size: int = 200, batch_seconds: float = 30.0,
                    on_repo_done: Callable[[int], None] | None = None,
                    on_tick: Callable[[], None] | None = None) -> EngineStats:
    """Fetch the details of ``repos`` on a pool of ``max_concurrency`` workers; journal them.

    Args:
        http: the shared HTTP client (rate scheduler, retries, counters).
        journal: where to commit results (None: a pilot run, results dropped).
        repos: ``(repo_type, listing record)`` of every repository not finished yet;
            repositories that have committed units in ``journal`` are resumed
            (see :func:`open_repos_in_journal`), the others started. When some
            are resumed, ``repos`` is iterated twice (pass a list or a re-iterable).
        commits, discussions: which details to collect.
        reuse_for: ``reuse_for(repo_type, listing record)`` -> :class:`~.details.Reuse`
            (incremental mode), or None.
        max_concurrency: worker threads (requests in flight at most).
        batch_size: units per journal commit (at most this many are redone after a crash).
        batch_seconds: longest time (s) between journal commits.
        on_repo_done: called with the number of repositories just finished (progress bars).
        on_tick: called after each round of results (progress bar postfix).

    Returns:
        :class:`EngineStats`.
    """
    engine = _Engine(http, journal, repos, commits=commits, discussions=discussions, reuse_for=reuse_for,
                     max_concurrency=max_concurrency, on_repo_done=on_repo_done)
    committer = _Committer(journal) if journal is not None else None
    try:
        engine.run(committer, batch_size, batch_seconds, on_tick)
    finally:
        if committer is not None:
            committer.close()
    return engine.stats


class _Engine:
    """The coordinator's state: open repositories, ready units, the batch being gathered."""

    def __init__(self, http: HubHttp, journal: Journal | None, repos: Iterable[tuple[str, dict]], *,
                 commits: bool, discussions: bool, reuse_for, max_concurrency: int, on_repo_done) -> None:
        self.http, self.commits, self.discussions, self.reuse_for = http, commits, discussions, reuse_for
        self.max_concurrency, self.on_repo_done = max_concurrency, on_repo_done
        self.stats = EngineStats()
        if journal is not None:
            forget_finished_subunits(journal)
        interrupted = open_repos_in_journal(journal) if journal is not None else set()
        self.progress = progress_by_repo(journal, interrupted) if journal is not None else {}
        self.done_keys = journal.done if journal is not None else set()
        self.resumed: deque[tuple[str, dict]] = deque()
        if interrupted:  # interrupted repositories first: they hold committed work (two passes over ``repos``)
            self.resumed.extend((t, rec) for t, rec in repos if (t, rec["id"]) in interrupted)
            self.fresh: Iterator[tuple[str, dict]] = (
                (t, rec) for t, rec in repos if (t, rec["id"]) not in interrupted)
        else:
            self.fresh = iter(repos)
        self.ready: deque[Unit] = deque()
        self.open: dict[tuple[str, str], RepoWork] = {}
        self.batch = _Batch()

    def apply(self, work: RepoWork, out: Outcome) -> None:
        """Queue an outcome's units, gather its records and keys, close a finished repository."""
        self.ready.extend(out.units)
        self.batch.add(out)
        self.stats.reused_commits += out.reused_commits
        self.stats.reused_threads += out.reused_threads
        if out.finished:
            self.open.pop((work.repo_type, work.repo_id), None)
            self.stats.repos_done += 1
            if self.on_repo_done:
                self.on_repo_done(1)

    def open_next(self) -> bool:
        """Start (or resume) the next repository; False when there is none."""
        if self.resumed:
            t, rec = self.resumed.popleft()
            work = self._new(t, rec)
            self.apply(work, work.restore(self.done_keys, self.progress.pop((t, rec["id"]), [])))
            return True
        item = next(self.fresh, None)
        if item is None:
            return False
        work = self._new(*item)
        self.apply(work, work.start())
        return True

    def _new(self, repo_type: str, rec: dict) -> RepoWork:
        reuse = self.reuse_for(repo_type, rec) if self.reuse_for is not None else None
        work = RepoWork(repo_type, rec["id"], commits=self.commits, discussions=self.discussions, reuse=reuse)
        self.open[(repo_type, rec["id"])] = work
        return work

    def run(self, committer: "_Committer | None", batch_size: int, batch_seconds: float, on_tick) -> None:
        """Run every unit; hand a batch to ``committer`` every ``batch_size`` keys or ``batch_seconds``."""
        low_water = max_in_flight = 2 * self.max_concurrency
        batch = self.batch

        def flush() -> None:
            if committer is not None and (batch.done or batch.has_records()):
                committer.submit(batch.done, batch.records)
            batch.clear()

        with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="details") as pool:
            running: dict[Future, Unit] = {}
            exhausted = False
            while True:
                while not exhausted and len(self.ready) < low_water:
                    exhausted = not self.open_next()
                self.stats.max_open_repos = max(self.stats.max_open_repos, len(self.open))
                while self.ready and len(running) < max_in_flight:
                    unit = self.ready.popleft()
                    running[pool.submit(execute, self.http, unit)] = unit
                if not running:
                    break
                finished, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
                for fut in finished:
                    unit = running.pop(fut)
                    result = fut.result()  # an unexpected exception stops the run; committed work is kept
                    self.stats.units_run += 1
                    kind = (unit.repo_type, unit.kind)
                    self.stats.units_by_kind[kind] = self.stats.units_by_kind.get(kind, 0) + 1
                    work = self.open.get((unit.repo_type, unit.repo_id))
                    if work is not None:  # else: a page of a history or list that failed on another page
                        self.apply(work, work.handle(unit, result))
                if on_tick:
                    on_tick()
                if batch.units >= batch_size or (batch.units and time.monotonic() - batch.started >= batch_seconds):
                    flush()
            flush()
        if self.open:  # cannot happen: a repository with no unit left is finished
            raise RuntimeError(f"repositories left unfinished: {sorted(self.open)[:5]}")


class _Committer:
    """Commit batches to the journal in a thread of its own, in order, merging batches that queue up.

    The coordinator hands a batch over and goes on (a commit waits for fsync);
    batches waiting together become one commit (still all-or-nothing). An error
    while committing (disk full) is raised in the coordinator at the next
    :meth:`submit` or at :meth:`close`.
    """

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._cond = threading.Condition()
        self._queue: list[tuple[list[str], dict[str, list[dict]]]] = []
        self._closing = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="journal-commit", daemon=True)
        self._thread.start()

    def submit(self, done: list[str], records: dict[str, list[dict]]) -> None:
        """Queue a batch (its lists are handed over, not copied)."""
        with self._cond:
            if self._error is not None:
                raise self._error
            self._queue.append((done, records))
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    return
                batches, self._queue = self._queue, []
            done: list[str] = []
            records: dict[str, list[dict]] = {}
            for d, recs in batches:
                done.extend(d)
                for stream, rs in recs.items():
                    records.setdefault(stream, []).extend(rs)
            try:
                self.journal.commit(done, records)
                # keys below a repository are read back only when a run resumes: not kept in memory
                self.journal.forget(k for k in done if not k.startswith("repo:"))
            except BaseException as exc:  # noqa: BLE001 - handed to the coordinator
                with self._cond:
                    self._error = exc
                return

    def close(self) -> None:
        """Commit what is queued, stop the thread; raise any commit error."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join()
        if self._error is not None:
            raise self._error


class _Batch:
    """Records and keys waiting for the next journal commit."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:  # new lists: the old ones were handed to the committer
        self.done: list[str] = []
        self.records: dict[str, list[dict]] = {}
        self.units = 0
        self.started = time.monotonic()

    def add(self, out: Outcome) -> None:
        self.done.extend(out.done)
        self.units += len(out.done)
        for stream, recs in out.records.items():
            self.records.setdefault(stream, []).extend(recs)

    def has_records(self) -> bool:
        return any(self.records.values())
