"""The environment a build ran in: Python, platform, package versions, code revision, snapshots.

The reproducibility appendix prints these while the book is built, so the
published site records the environment that actually produced it rather than
one typed by hand. Pure reads of the running interpreter, installed package
metadata, the checkout's git revision (if any) and the snapshots' manifests.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd

from hubcommunity import __version__, paths

#: Packages whose versions decide the book's numbers and pages (distribution names).
KEY_PACKAGES = (
    "hubcommunity",
    "huggingface_hub",
    "pandas",
    "pyarrow",
    "numpy",
    "scipy",
    "networkx",
    "powerlaw",
    "scikit-posthocs",
    "rapidfuzz",
    "altair",
    "vl-convert-python",
    "jupyter-book",
    "sphinx",
    "myst-nb",
    "myst-parser",
    "sphinxcontrib-bibtex",
    "jupytext",
)


def package_versions(names=KEY_PACKAGES) -> pd.DataFrame:
    """Return ``package``, ``version`` for each distribution in ``names``.

    A package that is not installed gets the version ``"not installed"``.
    """
    rows = []
    for name in names:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "not installed"
        rows.append({"package": name, "version": version})
    return pd.DataFrame(rows, columns=["package", "version"])


def git_revision(root: Path | None = None) -> str:
    """Return ``<commit>`` (plus ``+changes`` if the tree is dirty) of the checkout, or ``""``.

    Empty when ``root`` is not a git checkout or git is not installed.
    """
    root = Path(root) if root is not None else paths.project_root()
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return commit + ("+changes" if dirty else "")


def platform_summary() -> dict[str, str]:
    """Return the interpreter and machine the build ran on (strings)."""
    return {
        "hubcommunity": __version__,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "executable": Path(sys.executable).name,
    }


def source_label(source) -> str:
    """Return a manifest's ``source`` as one short string: ``owner/repo @ commit10`` for GitHub."""
    if not isinstance(source, dict):
        return str(source or "")
    where = str(source.get("url", "")).removeprefix("https://github.com/")
    if source.get("commit"):
        where += f" @ {str(source['commit'])[:10]}"
    return where or str(source.get("citation", ""))


def snapshot_summary(directories=None) -> pd.DataFrame:
    """Return one row per snapshot stream, from the manifests.

    Columns: ``snapshot, stream, captured`` (ISO date), ``records`` (int),
    ``source`` (:func:`source_label`), ``license``, ``created_by``.
    ``directories`` defaults to :func:`hubcommunity.snapshot.snapshot_dirs`
    (``$HUBCOMMUNITY_SNAPSHOTS`` or ``data/snapshots/``).
    """
    from hubcommunity.snapshot import open_snapshot, snapshot_dirs

    columns = ["snapshot", "stream", "captured", "records", "source", "license", "created_by"]
    rows = []
    for directory in snapshot_dirs() if directories is None else directories:
        snap = open_snapshot(directory, validate=False)
        for stream in snap.streams:
            rows.append({
                "snapshot": snap.name,
                "stream": stream.kind,
                "captured": snap.captured_at.get(stream.kind, ""),
                "records": stream.records,
                "source": source_label(snap.manifest.get("source")),
                "license": str(snap.manifest.get("license", "") or ""),
                "created_by": str(snap.manifest.get("created_by", "") or ""),
            })
    return pd.DataFrame(rows, columns=columns)
