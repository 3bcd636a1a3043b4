"""The ``hubcommunity`` command.

Each stage module that offers subcommands defines ``register_cli(subparsers)``,
which adds its subparsers and sets ``func`` (called with the parsed args and
returning an exit code). This file only collects them, so stages can add
commands without touching each other.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules asked for subcommands, in the order they appear in ``--help``.
STAGE_MODULES = (
    "hubcommunity.snapshot",
    "hubcommunity.collect",
    "hubcommunity.tables",
    "hubcommunity.results",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every stage's subcommands."""
    parser = argparse.ArgumentParser(
        prog="hubcommunity",
        description="Collect Hugging Face Hub snapshots, build tidy tables, print results.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in STAGE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # stage not written yet
                continue
            raise
        register = getattr(module, "register_cli", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse ``argv`` and run the chosen subcommand."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
