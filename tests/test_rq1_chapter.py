"""The RQ1 chapter's conventions that a build alone would not catch."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)```", re.S)


def _cells(page: Path) -> list[str]:
    return CELL.findall(page.read_text(encoding="utf-8"))


def test_no_chapter_filters_warnings():
    """Any warning must reach the build (where it fails it): no chapter may silence one."""
    silencing = re.compile(r"filterwarnings|simplefilter|catch_warnings|warnings\.resetwarnings")
    offenders = [f"{page.name}: {line.strip()}" for page in sorted((ROOT / "book").glob("*.md"))
                 for cell in _cells(page) for line in cell.splitlines() if silencing.search(line)]
    assert offenders == []


def test_rq1_analysis_cells_show_their_code_on_request():
    """Cells that make a table or figure are hide-input (code one click away), not removed."""
    for cell in _cells(ROOT / "book" / "rq1_activity.md"):
        if "res.table(" in cell or "res.figure(" in cell:
            assert ":tags: [hide-input]" in cell.splitlines()[0] + cell, cell[:200]
            assert cell.rstrip().endswith(";"), "a hide-input cell must not print its last value"
