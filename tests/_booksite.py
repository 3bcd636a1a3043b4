"""Shared by the book-build and browser tests: build each site once per test session.

``main_book()`` builds the real book exactly as ``make book`` does (same driver,
same ``_build/``), so ``make test`` after ``make book`` reuses its execution cache.
``minibook()`` builds the small self-contained book of ``tests/fixtures/minibook``
(one chapter with a glued number, a table and a chart) with the real ``_config.yml``
into ``_build/test-minibook`` (kept between sessions, so it is warm too).
Both are memoised, so the two test modules share one build of each.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hubcommunity.build import BuildResult, build

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "minibook"


def link_reference() -> None:
    """Link the reference captures as ``make book`` does; fail the test with its message if absent."""
    proc = subprocess.run([sys.executable, "-m", "hubcommunity.cli", "link-reference"],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"hubcommunity link-reference failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")


def assemble_minibook(dest: Path) -> Path:
    """Copy the mini book to ``dest`` with the real ``_config.yml``, static files and bibliography."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURE, dest, dirs_exist_ok=True)
    shutil.copy2(ROOT / "_config.yml", dest / "_config.yml")
    shutil.copytree(ROOT / "book" / "_static", dest / "book" / "_static", dirs_exist_ok=True)
    shutil.copy2(ROOT / "book" / "references.bib", dest / "book" / "references.bib")
    return dest


def build_minibook(dest: Path, **env: str) -> BuildResult:
    """Build the mini book at ``dest`` (its chapter reads ``$MINIBOOK_ROOT``)."""
    return build(dest, require_snapshots=False, echo=False, env={"MINIBOOK_ROOT": str(dest), **env})


def _require_ok(result: BuildResult, what: str) -> BuildResult:
    if not result.ok:
        tail = "\n".join(result.log.splitlines()[-60:])
        pytest.fail(f"{what} build failed ({result.returncode}):\n{tail}")
    return result


@functools.lru_cache(maxsize=None)
def main_book() -> BuildResult:
    """Build the real book once per session, like ``make book``."""
    link_reference()
    return _require_ok(build(ROOT, echo=False), "book")


@functools.lru_cache(maxsize=None)
def minibook() -> BuildResult:
    """Build the mini book once per session into ``_build/test-minibook``."""
    dest = ROOT / "_build" / "test-minibook"
    # Refresh the sources (the copy keeps its _build/, so the cache stays warm).
    for name in ("book", "data"):
        if (dest / name).exists():
            shutil.rmtree(dest / name)
    assemble_minibook(dest)
    return _require_ok(build_minibook(dest), "mini book")


def environment_note() -> str:
    """One line naming the interpreter (for failure messages)."""
    return f"python {sys.version.split()[0]} at {sys.executable}; cwd {os.getcwd()}"
