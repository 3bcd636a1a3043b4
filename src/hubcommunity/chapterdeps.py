"""What one chapter's execution depended on: recorded in the kernel, checked by the build.

A chapter executes in its own Jupyter kernel during ``make book``. While it runs,
this module records the files its results depend on, so that the next build
re-executes exactly the chapters whose inputs changed (see
:mod:`hubcommunity.sphinxext`):

* **package code**: at :meth:`~hubcommunity.results.ChapterResults.save`, the file of
  every ``hubcommunity`` module in :data:`sys.modules`, and of every other module
  loaded from under the book root (so the transitive imports: a change to
  ``analysis/fitting.py`` affects only the chapters that imported it);
* **files opened under the book root**: an audit hook (:pep:`578`, ``open`` event)
  collects every file opened for reading under the book root (``data/`` files,
  ``book/references.bib``, ...) and under ``$HUBCOMMUNITY_SNAPSHOTS``. A file inside
  a snapshot (``.../<snapshot>/raw/...``, the parquet cache ``.../tables/...``)
  counts as that snapshot's ``manifest.json``, which changes whenever the snapshot
  does (the parquet cache is derived, never an input). ``_build/``, ``.git/``,
  ``.venv/`` and ``__pycache__/`` are never inputs.

Recording happens only inside a book build: the build's Sphinx extension sets
``$HUBCOMMUNITY_DOCUMENT`` (the page being executed, relative to the book root)
and ``$HUBCOMMUNITY_BOOK_ROOT`` before the kernel starts. Run by hand, a chapter
records nothing and writes no record.

The record, ``<generated>/deps/<chapter>.json``::

    {"format": 1, "chapter": "rq1", "document": "book/rq1_activity.md",
     "files": [{"path": "src/hubcommunity/analysis/activity.py", "sha256": "..."}, ...]}

Paths are relative to the book root (absolute when outside it), POSIX separators.

Limitation: files opened by native code without Python's ``open`` (e.g.
``pyarrow.parquet.read_table(path)``) raise no audit event. Inside a snapshot this
does not matter (the manifest stands for the snapshot); elsewhere, read through
``open``/pandas (``pandas.read_parquet`` opens the file in Python) or the chapter
will not be re-executed when that file changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

#: Version of the record's layout; a record of another format counts as absent.
DEPS_FORMAT = 1

#: Environment variables set by the build for the kernel.
DOCUMENT_ENV = "HUBCOMMUNITY_DOCUMENT"
BOOK_ROOT_ENV = "HUBCOMMUNITY_BOOK_ROOT"

#: Folder names whose files are never inputs (derived, tooling, bytecode).
IGNORED_PARTS = frozenset({"_build", ".git", ".venv", "__pycache__", ".ipynb_checkpoints"})

#: File marking a snapshot directory.
MANIFEST = "manifest.json"

#: Package name whose modules count as code inputs.
PACKAGE = "hubcommunity"


# -- pure helpers --------------------------------------------------------------------
def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of the file's bytes (raises OSError if unreadable)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_read_mode(mode, flags) -> bool:
    """True if an ``open`` audit event's ``mode`` (str, or None for ``os.open``) and
    ``flags`` (int) open a file for reading (``r``, ``r+``, ``O_RDONLY``, ``O_RDWR``)."""
    if isinstance(mode, str):
        return "r" in mode or "+" in mode
    if isinstance(flags, int):
        return (flags & os.O_ACCMODE) != os.O_WRONLY
    return True


def input_file(path: Path, roots: tuple[Path, ...]) -> Path | None:
    """Map an opened file to the file that stands for it as an input, or None.

    ``path``: absolute, not resolved (symlinks kept, so a linked ``raw/`` stays
    inside its snapshot). ``roots``: absolute folders whose files can be inputs.
    Returns None for files outside every root, under :data:`IGNORED_PARTS`, or
    missing; the snapshot's ``manifest.json`` for a file inside a snapshot
    (a folder, between the file and its root, holding a manifest); else ``path``.
    """
    for root in roots:
        try:
            rel = path.relative_to(root)
        except ValueError:
            continue
        if IGNORED_PARTS.intersection(rel.parts):
            return None
        folder = path.parent
        while True:
            manifest = folder / MANIFEST
            if manifest.is_file():
                return manifest
            if folder == root or root not in folder.parents:
                break
            folder = folder.parent
        return path if path.is_file() else None
    return None


def display_path(path: Path, book_root: Path) -> str:
    """``path`` relative to ``book_root`` (POSIX) when inside it, else absolute."""
    try:
        return path.relative_to(book_root).as_posix()
    except ValueError:
        return path.as_posix()


def module_files(book_root: Path | None = None, modules: dict | None = None,
                 package: str = PACKAGE) -> list[Path]:
    """Return the source files of the loaded modules (default :data:`sys.modules`) that are
    project code: every module of ``package``, and every module whose file lies under
    ``book_root`` (outside :data:`IGNORED_PARTS`, so not ``.venv``). Sorted, absolute;
    modules without a file are skipped."""
    modules = sys.modules if modules is None else modules
    root = Path(os.path.abspath(book_root)) if book_root is not None else None
    files = set()
    for name, module in list(modules.items()):
        filename = getattr(module, "__file__", None)
        if not filename or not os.path.isfile(filename):
            continue
        path = Path(os.path.abspath(filename))
        if name == package or name.startswith(package + "."):
            files.add(path)
        elif root is not None and root in path.parents and not IGNORED_PARTS.intersection(
                path.relative_to(root).parts):
            files.add(path)
    return sorted(files)


def make_record(chapter: str, document: str, files: list[Path], book_root: Path) -> dict:
    """Return the deps record of ``chapter`` (see the module doc): each file with its sha256."""
    entries = {}
    for path in files:
        try:
            entries[display_path(path, book_root)] = file_sha256(path)
        except OSError:
            continue  # vanished since it was opened (a temporary file): not an input
    return {
        "format": DEPS_FORMAT,
        "chapter": chapter,
        "document": document,
        "files": [{"path": p, "sha256": h} for p, h in sorted(entries.items())],
    }


def changed_files(record: dict, book_root: Path) -> list[str]:
    """Return the recorded paths whose content now differs from the record (or that
    are gone), in record order; empty when the chapter's inputs are unchanged."""
    changed = []
    for entry in record.get("files", []):
        path = Path(entry["path"])
        if not path.is_absolute():
            path = book_root / path
        try:
            now = file_sha256(path)
        except OSError:
            now = None
        if now != entry["sha256"]:
            changed.append(entry["path"])
    return changed


def read_record(path: Path) -> dict | None:
    """Return the deps record at ``path``, or None if absent, unreadable or of another format."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != DEPS_FORMAT:
        return None
    if not isinstance(record.get("document"), str) or not isinstance(record.get("files"), list):
        return None
    return record


def record_path(generated: Path, chapter: str) -> Path:
    """``<generated>/deps/<chapter>.json``."""
    return Path(generated) / "deps" / f"{chapter}.json"


# -- the recorder (kernel side) ----------------------------------------------------------
class Recorder:
    """Collect the files opened for reading under ``roots`` (an audit hook; cheap per event).

    The hook only stores path strings; mapping and hashing happen in :meth:`inputs`.
    """

    def __init__(self, book_root: Path, extra_roots: tuple[Path, ...] = ()):
        self.book_root = Path(os.path.abspath(book_root))
        roots = {self.book_root, Path(os.path.realpath(book_root))}
        for extra in extra_roots:
            roots |= {Path(os.path.abspath(extra)), Path(os.path.realpath(extra))}
        self.roots = tuple(sorted(roots))
        self._prefixes = tuple(str(r) + os.sep for r in self.roots)
        self.opened: set[str] = set()
        self.active = True

    def hook(self, event: str, args: tuple) -> None:
        """``sys.addaudithook`` callback: note ``open`` events under a root (never raises)."""
        if event != "open" or not self.active:
            return
        try:
            path = args[0]
            if isinstance(path, int):
                return
            path = os.fsdecode(os.fspath(path))
            if not os.path.isabs(path):
                path = os.path.abspath(path)
            if path.startswith(self._prefixes) and is_read_mode(args[1], args[2] if len(args) > 2 else None):
                self.opened.add(path)
        except Exception:  # an audit hook must never break the chapter's open()
            return

    def inputs(self) -> list[Path]:
        """Return the input files (see :func:`input_file`) for everything opened so far."""
        self.active = False  # the mapping below opens nothing, but stat()s: keep it out
        try:
            found = {input_file(Path(os.path.normpath(p)), self.roots) for p in sorted(self.opened)}
        finally:
            self.active = True
        return sorted(p for p in found if p is not None)


_RECORDER: Recorder | None = None


def snapshot_roots() -> tuple[Path, ...]:
    """The folders named in ``$HUBCOMMUNITY_SNAPSHOTS`` (they may lie outside the book)."""
    env = os.environ.get("HUBCOMMUNITY_SNAPSHOTS", "")
    return tuple(Path(p) for p in env.split(os.pathsep) if p)


def start() -> Recorder | None:
    """Start recording if this kernel runs inside a book build; return the recorder.

    Idempotent (one audit hook per process; audit hooks cannot be removed).
    Returns None outside a build (``$HUBCOMMUNITY_DOCUMENT`` unset).
    """
    global _RECORDER
    if _RECORDER is not None:
        return _RECORDER
    root = os.environ.get(BOOK_ROOT_ENV)
    if not os.environ.get(DOCUMENT_ENV) or not root:
        return None
    package_dir = Path(__file__).resolve().parent  # its data files, when the package is outside the book
    _RECORDER = Recorder(Path(root), (*snapshot_roots(), package_dir))
    sys.addaudithook(_RECORDER.hook)
    return _RECORDER


def write(generated: Path, chapter: str) -> Path | None:
    """Write ``<generated>/deps/<chapter>.json`` (modules loaded now + files opened since
    :func:`start`); return its path, or None outside a build (nothing written)."""
    recorder = _RECORDER
    document = os.environ.get(DOCUMENT_ENV)
    if recorder is None or not document:
        return None
    files = sorted(set(module_files(recorder.book_root)) | set(recorder.inputs()))
    record = make_record(chapter, document, files, recorder.book_root)
    path = record_path(generated, chapter)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
