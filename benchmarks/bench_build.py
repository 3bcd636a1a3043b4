"""Whole-book build times and peak memory: cold (empty execution cache), warm (no change),
and after touching one module (only the chapters that import it re-execute).

Builds the book with the same driver as ``make book`` (``hubcommunity.build``) into
a separate output folder (``_build/bench``; the main ``_build`` is not touched):
first cold (the folder deleted, so every chapter executes), then warm (immediately
again, nothing changed: no chapter executes), then with a comment appended to
``src/hubcommunity/analysis/adoption.py`` (restored byte for byte afterwards),
reporting which chapters re-executed and why. Peak memory is the largest total
RSS of the build's whole process tree (jupyter-book, Sphinx and the chapter
kernels), sampled every 0.2 s from /proc. Targets: cold <= 10 min, warm <= 30 s
on this 2-core machine (issue 15), peak <= 6 GB (issue 2). The machine is shared:
compare ratios within a run.

``--smoke``: the same three builds of a two-page book (an introduction and one
chapter of the test suite's mini book, which reads a data file and imports a
helper module, the file touched), in a temporary folder.

Run: ``.venv/bin/python benchmarks/bench_build.py [--smoke] [--out DIR]``
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import harness

ROOT = harness.ROOT
sys.path.insert(0, str(ROOT / "src"))

from hubcommunity.build import BuildResult, build, toc_documents  # noqa: E402

#: Appended to the touched module (a comment: no behaviour changes, the content does).
TOUCH = "\n# touched by benchmarks/bench_build.py\n"
MINIBOOK = ROOT / "tests" / "fixtures" / "minibook"
SMOKE_TOC = """format: jb-book
root: book/intro
options:
  numbered: true
chapters:
  - file: book/demo2
"""
SMOKE_INTRO = "# Smoke book\n\nThe introduction and one chapter of the test suite's mini book.\n"


def _tree_rss(pid: int) -> int:
    """Total resident memory (bytes) of ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack += children.get(p, [])
    return total


class PeakMemory:
    """Sample the total RSS of this process's tree in a thread; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class Book:
    """What to build: the real book, or the two-page smoke book."""

    def __init__(self, root: Path, output: Path, touch: Path, env: dict[str, str] | None = None,
                 require_snapshots: bool = True):
        self.root, self.output, self.touch, self.env = root, output, touch, env or {}
        self.require_snapshots = require_snapshots

    def build(self) -> BuildResult:
        return build(self.root, output=self.output, echo=False, env=self.env,
                     require_snapshots=self.require_snapshots)


def smoke_book(tmp: Path) -> Book:
    """The test suite's mini book, introduction and one chapter, assembled in ``tmp``."""
    dest = tmp / "minibook"
    shutil.copytree(MINIBOOK, dest)
    shutil.copy2(ROOT / "_config.yml", dest / "_config.yml")
    shutil.copytree(ROOT / "book" / "_static", dest / "book" / "_static")
    shutil.copy2(ROOT / "book" / "references.bib", dest / "book" / "references.bib")
    (dest / "_toc.yml").write_text(SMOKE_TOC)
    (dest / "book" / "intro.md").write_text(SMOKE_INTRO)
    return Book(dest, dest, dest / "lib" / "minilib" / "shares.py", {"MINIBOOK_ROOT": str(dest)},
                require_snapshots=False)


def timed_build(book: Book) -> tuple[float, int, bool, list[str]]:
    """Build; return (seconds, peak bytes, ok, the extension's per-chapter lines: which executed and why)."""
    with PeakMemory() as mem:
        result = book.build()
    if not result.ok:
        print(result.log[-4000:])
    executed = [line.split("hubcommunity: ", 1)[1] for line in result.log.splitlines()
                if line.startswith("hubcommunity: ") and "executing" in line]
    return result.seconds, mem.peak, result.ok, executed


def touched_build(book: Book) -> tuple[float, int, bool, list[str]]:
    """Append :data:`TOUCH` to the book's module, build, then restore it exactly (unless someone
    else changed it meanwhile: then it is left alone and a warning printed)."""
    module = book.touch
    original = module.read_bytes()
    module.write_bytes(original + TOUCH.encode())
    try:
        return timed_build(book)
    finally:
        if module.read_bytes() == original + TOUCH.encode():
            module.write_bytes(original)
        else:
            print(f"warning: {module} changed during the benchmark; not restored (remove the "
                  f"line {TOUCH.strip()!r} by hand if it is there)", file=sys.stderr)


def run(smoke: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        if smoke:
            book = smoke_book(Path(tmp))
        else:
            book = Book(ROOT, ROOT / "_build" / "bench", ROOT / "src" / "hubcommunity" / "analysis" / "adoption.py")
            if book.output.exists():
                shutil.rmtree(book.output)
        pages = [p.relative_to(book.root).as_posix() for p in toc_documents(book.root)]
        cold_s, cold_mem, ok1, cold_ran = timed_build(book)
        warm_s, warm_mem, ok2, warm_ran = timed_build(book)
        touch_s, touch_mem, ok3, touch_ran = touched_build(book)
        if not smoke:
            shutil.rmtree(book.output, ignore_errors=True)
    if not (ok1 and ok2 and ok3):
        raise SystemExit("bench_build: a build failed (log above)")
    gib = 2 ** 30
    return {"pages": len(pages), "cold_seconds": round(cold_s, 1), "cold_peak_gib": round(cold_mem / gib, 2),
            "cold_executed": len(cold_ran), "warm_seconds": round(warm_s, 1), "warm_peak_gib": round(warm_mem / gib, 2),
            "warm_executed": warm_ran, "touched_module": book.touch.relative_to(book.root).as_posix(),
            "touched_seconds": round(touch_s, 1), "touched_executed": touch_ran,
            "warm_over_cold": round(warm_s / cold_s, 3), "touched_over_cold": round(touch_s / cold_s, 3),
            "peak_gib": round(max(cold_mem, warm_mem, touch_mem) / gib, 2),
            "ram_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / gib, 1)}


if __name__ == "__main__":
    raise SystemExit(harness.main("build", run, targets=[
        harness.Target("cold_seconds", "<=", 600, "whole book, cold build (s)"),
        harness.Target("warm_seconds", "<=", 30, "whole book, warm build, nothing changed (s)"),
        harness.Target("peak_gib", "<=", 6, "whole book build: peak memory of the process tree (GiB)"),
    ]))
