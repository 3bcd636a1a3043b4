"""``python -m hubcommunity.collect ...``: the ``hubcommunity collect`` command alone.

Same arguments and behaviour as ``hubcommunity collect`` (see
:func:`hubcommunity.collect.register_cli`), without importing the other
stages (tables, results): it starts in a fraction of a second, which tests and
benchmarks that run the collector as a separate process use.
"""

from __future__ import annotations

import argparse
import sys

from . import register_cli


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` as ``hubcommunity collect`` does and run it."""
    parser = argparse.ArgumentParser(prog="python -m hubcommunity.collect")
    register_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["collect", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
