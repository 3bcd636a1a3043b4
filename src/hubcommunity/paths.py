"""Where things live in a checkout of the book.

All paths are absolute :class:`pathlib.Path` objects. The project root is the
directory holding ``_config.yml``; it can be overridden with the environment
variable ``HUBCOMMUNITY_ROOT`` (useful for tests that build a book elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """Return the book's root directory (the one with ``_config.yml``).

    Order: ``$HUBCOMMUNITY_ROOT``; the checkout this package was installed
    from (editable install, ``src/`` layout); the current directory or a parent.
    """
    env = os.environ.get("HUBCOMMUNITY_ROOT")
    if env:
        return Path(env).resolve()
    source_checkout = Path(__file__).resolve().parents[2]
    if (source_checkout / "_config.yml").exists():
        return source_checkout
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "_config.yml").exists():
            return candidate
    raise FileNotFoundError(
        "Cannot find the book's root (a directory with _config.yml); "
        "set HUBCOMMUNITY_ROOT to your checkout."
    )


def data_dir() -> Path:
    """Project-authored data files (license groups, bots, owner kinds)."""
    return project_root() / "data"


def snapshots_dir() -> Path:
    """Where snapshots (linked or collected) live: ``data/snapshots/``."""
    return data_dir() / "snapshots"


def shared_reference_dir() -> Path:
    """The read-only reference captures, ``../shared/reference-data`` by default.

    Override with ``$HUBCOMMUNITY_REFERENCE_DATA``.
    """
    env = os.environ.get("HUBCOMMUNITY_REFERENCE_DATA")
    if env:
        return Path(env).resolve()
    return (project_root().parent / "shared" / "reference-data").resolve()


def build_dir() -> Path:
    """The book's build directory, ``_build/``."""
    return project_root() / "_build"


def generated_dir() -> Path:
    """Files chapters write while executing (figure SVG/CSV/spec, results JSON).

    Lives beside the execution cache so that both are kept or dropped together.
    """
    return build_dir() / "generated"
