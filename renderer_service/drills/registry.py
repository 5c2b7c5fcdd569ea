"""The drills by subcommand name, each as the three pieces a command line needs."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from renderer_service.drills import faults, load, scale_out, soak, soak_memory


def no_check(_parser: argparse.ArgumentParser, _args: argparse.Namespace) -> None:
    """For a drill whose arguments argparse checks in full."""


@dataclass(frozen=True)
class Drill:
    add_arguments: Callable[[argparse.ArgumentParser], None]
    """Adds the drill's options to a parser."""
    check: Callable[[argparse.ArgumentParser, argparse.Namespace], None]
    """Calls ``parser.error`` for parsed arguments out of their bounds."""
    run: Callable[[argparse.Namespace], int]
    """Runs the drill; its exit code."""


DRILLS: dict[str, Drill] = {
    "load": Drill(load.add_arguments, load.check_arguments, load.main),
    "soak": Drill(soak.add_arguments, soak.check_arguments, soak_memory.soak_either),
    "faults": Drill(faults.add_arguments, no_check, faults.main),
    "scale-out": Drill(scale_out.add_arguments, scale_out.check_arguments, scale_out.main),
}
