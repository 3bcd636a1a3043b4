"""Serve a fake Hub on 127.0.0.1 until interrupted, to try the collector offline.

    python -m hubcommunity.fakehub --port 8765 --models 300 --rate 200/2
    hubcommunity collect /tmp/fake-snapshot --endpoint http://127.0.0.1:8765

The data are :func:`~hubcommunity.fakehub.fixtures.generate_fixture`'s (same
seed, same Hub); ``--rate Q/W`` enforces a fixed window of Q requests per W
seconds with the Hub's ``RateLimit`` / ``RateLimit-Policy`` headers.
"""

from __future__ import annotations

import argparse
import time

from .faults import Faults
from .fixtures import generate_fixture
from .server import FakeHub


def parse_rate(text: str) -> tuple[int, float]:
    """Parse ``"Q/W"`` (requests per window of W seconds) into ``(Q, W)``."""
    try:
        quota, window = text.split("/")
        return int(quota), float(window)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--rate takes Q/W, e.g. 200/2, not {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    """Start the server, print its endpoint and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m hubcommunity.fakehub", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", type=int, default=120)
    parser.add_argument("--datasets", type=int, default=40)
    parser.add_argument("--spaces", type=int, default=60)
    parser.add_argument("--rate", type=parse_rate, default=None, help="Q/W: at most Q requests per W seconds")
    args = parser.parse_args(argv)
    fixture = generate_fixture(seed=args.seed, n_models=args.models, n_datasets=args.datasets,
                               n_spaces=args.spaces)
    with FakeHub(fixture, Faults(rate_limit=args.rate), port=args.port) as hub:
        print(f"fake Hub serving on {hub.url} (Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
