"""Helpers for tests (here and in other stages): a snapshot collected from a fake Hub.

:func:`collected_snapshot` starts a :class:`~hubcommunity.fakehub.FakeHub` fed
from :func:`~hubcommunity.fakehub.generate_fixture`, runs the real collector
(:func:`hubcommunity.collect.collect`) into ``dest_dir``, stops the server and
returns the snapshot directory: a snapshot with models, datasets, spaces (with
``models`` links), commits with authors, discussions with events and fetch
errors, whose exact contents are known from the fixture (same options, same
snapshot)::

    from hubcommunity.fakehub.testing import collected_snapshot
    snap = collected_snapshot(tmp_path, seed=3, n_models=60)
    tables = hubcommunity.tables.load_tables([snap])

The collector builds every URL from the endpoint it is given, so this runs in
process; only code that uses ``HfApi()``'s default endpoint needs
``HF_ENDPOINT`` set before ``huggingface_hub`` is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .faults import Faults
from .fixtures import HubFixture, generate_fixture
from .server import FakeHub

#: A token the fake Hub accepts; tests grep written files for it.
FAKE_TOKEN = "hf_fakehubTOKEN0123456789abcdefNEVERWRITE"

#: Collector options that keep fake-Hub collections fast (short backoff and timeouts).
FAST_COLLECT = {"progress": False, "backoff_base": 0.01, "timeout": 5.0, "batch_size": 50, "max_concurrency": 4}


def collected_snapshot_and_fixture(dest_dir: str | Path, *, faults: Faults | None = None,
                                   collect_options: dict[str, Any] | None = None,
                                   server_options: dict[str, Any] | None = None,
                                   **fixture_options: Any) -> tuple[Path, HubFixture, FakeHub]:
    """Like :func:`collected_snapshot`, also returning the fixture and the (stopped) server with its counters."""
    fixture = generate_fixture(**fixture_options)
    snapshot = Path(dest_dir) / f"fakehub-seed{fixture.seed}"
    options = {**FAST_COLLECT, "token": FAKE_TOKEN, **(collect_options or {})}
    from ..collect import collect

    with FakeHub(fixture, faults, **(server_options or {})) as hub:
        collect(snapshot, endpoint=hub.url, **options)
    return snapshot, fixture, hub


def collected_snapshot(dest_dir: str | Path, **fixture_options: Any) -> Path:
    """Collect a snapshot from a fake Hub into ``dest_dir/fakehub-seed<seed>`` and return its path.

    ``fixture_options`` go to :func:`~hubcommunity.fakehub.generate_fixture`
    (``seed``, ``n_models``, ``n_datasets``, ``n_spaces``, ``n_users``); also
    accepted: ``faults``, ``collect_options`` (extra :func:`collect` arguments)
    and ``server_options`` (:class:`FakeHub` arguments).
    """
    return collected_snapshot_and_fixture(dest_dir, **fixture_options)[0]
