"""A fake Hugging Face Hub for tests and benchmarks (no network).

- :class:`FakeHub` — a real HTTP server on 127.0.0.1 speaking the Hub API's shapes;
- :func:`generate_fixture` / :class:`HubFixture` — small deterministic Hub data;
- :class:`Faults` / :class:`FaultRule` — fault injection and a fixed-window rate limiter;
- :func:`hubcommunity.fakehub.testing.collected_snapshot` — collect a snapshot from a fake Hub.

The real ``huggingface_hub`` client reads ``HF_ENDPOINT`` when it is imported,
so a process that wants ``HfApi()``'s default endpoint to be a fake Hub must set
``HF_ENDPOINT`` before importing it (e.g. run it as a subprocess).
"""

from .faults import FaultRule, Faults, FixedWindowLimiter
from .fixtures import HubFixture, generate_fixture
from .server import FakeHub

__all__ = ["FakeHub", "FaultRule", "Faults", "FixedWindowLimiter", "HubFixture", "generate_fixture"]
