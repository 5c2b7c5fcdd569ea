"""``cg3``: the entry point. Each subcommand lives in a module of its own in this package.

A subcommand module exposes ``register(subparsers)``, which adds its parser and sets
``handler`` (a function taking the parsed arguments and returning the exit code) as a default.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from renderer_service.cli.common import USAGE_ERROR, UsageError

Handler = Callable[[argparse.Namespace], int]

FALLBACK_EXAMPLES = {
    "save": "example: cg3 save clan_cats.json -o clan --include living --order rank",
}
"""An example for the ``--help`` of subcommands whose module gives none."""


def _subcommand_modules() -> list[ModuleType]:
    """The modules that each add a subcommand, in the order ``--help`` lists them."""
    from renderer_service.cli import (
        batch,
        catalog,
        diff,
        faults,
        load,
        pack,
        render,
        save,
        scale_out,
        serve,
        soak,
    )

    return [serve, render, batch, catalog, diff, pack, save, load, soak, faults, scale_out]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cg3",
        description="Draw ClanGen / Lifegen cats: run the render service or render without one.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _subcommand_modules():
        module.register(subparsers)
    for name, sub in subparsers.choices.items():
        if not sub.epilog and name in FALLBACK_EXAMPLES:
            sub.epilog = FALLBACK_EXAMPLES[name]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except UsageError as error:
        print(f"cg3 {args.command}: {error}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
