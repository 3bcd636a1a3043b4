"""Whole-book build times and peak memory: cold (empty execution cache), warm (no change),
and after touching one module (only the chapters that import it re-execute).

    .venv/bin/python benchmarks/bench_build.py [--output DIR] [--keep] [--touch MODULE]

Builds the book with the same driver as ``make book`` (``hubcommunity.build``) into
a separate output folder (default ``_build/bench``; the main ``_build`` is not
touched): first cold (the folder deleted, so every chapter executes), then warm
(immediately again, nothing changed: no chapter executes), then with a comment
appended to ``--touch`` (default ``src/hubcommunity/analysis/adoption.py``; the file
is restored byte for byte afterwards), printing which chapters re-executed and why.
Peak memory is the largest total RSS of the
build's whole process tree (jupyter-book, Sphinx and the chapter kernels), sampled
every 0.2 s from /proc. Targets (issue 2): warm <= 30 s, cold <= 10 min, peak <= 6 GB.
Prints the machine and the versions. The machine is shared: compare ratios within a run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import threading
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hubcommunity.build import build, toc_documents  # noqa: E402

#: Appended to the touched module (a comment: no behaviour changes, the content does).
TOUCH = "\n# touched by benchmarks/bench_build.py\n"


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


def timed_build(output: Path) -> tuple[float, int, bool, list[str]]:
    """Build into ``output``; return (seconds, peak bytes, ok, the extension's per-chapter
    lines: which chapters executed and why)."""
    with PeakMemory() as mem:
        result = build(ROOT, output=output, echo=False)
    if not result.ok:
        print(result.log[-4000:])
    executed = [line.split("hubcommunity: ", 1)[1] for line in result.log.splitlines()
                if line.startswith("hubcommunity: ") and "executing" in line]
    return result.seconds, mem.peak, result.ok, executed


def touched_build(output: Path, module: Path) -> tuple[float, int, bool, list[str]]:
    """Append :data:`TOUCH` to ``module``, build, then restore it exactly (unless someone
    else changed it meanwhile: then it is left alone and a warning printed)."""
    original = module.read_bytes()
    module.write_bytes(original + TOUCH.encode())
    try:
        return timed_build(output)
    finally:
        if module.read_bytes() == original + TOUCH.encode():
            module.write_bytes(original)
        else:
            print(f"warning: {module} changed during the benchmark; not restored (remove the "
                  f"line {TOUCH.strip()!r} by hand if it is there)", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "bench")
    parser.add_argument("--keep", action="store_true", help="keep the output folder afterwards")
    parser.add_argument("--touch", type=Path, default=Path("src/hubcommunity/analysis/adoption.py"),
                        help="module to append a comment to for the third build (restored afterwards)")
    args = parser.parse_args()

    mem_total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {mem_total / 2**30:.1f} GiB RAM, "
          f"{platform.platform()}")
    print("versions: python " + platform.python_version() + ", " + ", ".join(
        f"{p} {version(p)}" for p in ("jupyter-book", "sphinx", "myst-nb", "jupyter-cache",
                                      "altair", "vl-convert-python", "pandas", "pyarrow")))
    chapters = [p.relative_to(ROOT).as_posix() for p in toc_documents(ROOT)]
    print(f"pages: {len(chapters)} ({', '.join(chapters)})")

    if args.output.exists():
        shutil.rmtree(args.output)
    cold_s, cold_mem, ok1, cold_ran = timed_build(args.output)
    warm_s, warm_mem, ok2, warm_ran = timed_build(args.output)
    module = args.touch if args.touch.is_absolute() else ROOT / args.touch
    touch_s, touch_mem, ok3, touch_ran = touched_build(args.output, module)
    print(f"cold build: {cold_s:7.1f} s  peak {cold_mem / 2**30:.2f} GiB  "
          f"(target <= 600 s, <= 6 GiB)  {'ok' if ok1 else 'FAILED'}  executed {len(cold_ran)} chapters")
    print(f"warm build: {warm_s:7.1f} s  peak {warm_mem / 2**30:.2f} GiB  "
          f"(target <= 30 s)  {'ok' if ok2 else 'FAILED'}  executed {len(warm_ran)} chapters")
    for line in warm_ran:
        print(f"    {line}")
    print(f"after touching {module.relative_to(ROOT) if ROOT in module.parents else module}: "
          f"{touch_s:7.1f} s  peak {touch_mem / 2**30:.2f} GiB  {'ok' if ok3 else 'FAILED'}  "
          f"executed {len(touch_ran)} chapters:")
    for line in touch_ran:
        print(f"    {line}")
    print(f"warm/cold: {warm_s / cold_s:.3f}   touched/cold: {touch_s / cold_s:.3f}")
    if not args.keep:
        shutil.rmtree(args.output, ignore_errors=True)
    return 0 if ok1 and ok2 and ok3 else 1


if __name__ == "__main__":
    sys.exit(main())
