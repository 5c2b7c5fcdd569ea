"""The package's floors: imports only run downward, through each floor's face, with no circles.

The imports are read from the code with ``ast`` (nothing is imported), so a lazy import inside
a function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "renderer_service"
NAME = "renderer_service"

FLOORS: tuple[frozenset[str], ...] = (
    frozenset({"config", "renderer"}),
    frozenset({"saves"}),
    frozenset({"wire"}),
    frozenset({"packs"}),
    frozenset({"work"}),
    frozenset({"harness", "runtime"}),
    frozenset({"drills"}),
    frozenset({"service"}),
    frozenset({"app"}),
    frozenset({"server"}),
    frozenset({"cli"}),
)
"""Bottom to top. A part may import its own modules and any part on a lower floor; parts that
share a floor do not import each other. The drills sit on a floor of their own, just above the
harness, since they start the service with its launcher."""

FACED = frozenset({"renderer", "saves", "wire", "packs", "work", "harness", "runtime", "drills"})
"""Floors that other floors use only through their face (``__init__``). The top floors (``app``,
``server``, ``cli``) are entry points, used by naming their entry modules: importing the app's
face must not build an application."""

ROOT_MODULES = frozenset({"__init__.py", "config.py", "service.py"})
"""The only modules at the package root; everything else lives in a floor's folder."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, module) for each module of the package that ``path`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield node.lineno, target
                break


def part_of(module: str) -> str:
    """The floor part a module belongs to: ``renderer_service.work.render`` -> ``work``."""
    return module.split(".")[1] if "." in module else ""


def floor_of(part: str) -> int:
    for index, parts in enumerate(FLOORS):
        if part in parts:
            return index
    raise AssertionError(f"{part!r} is on no floor: add it to FLOORS in {__name__}")


def graph() -> dict[str, list[tuple[int, str]]]:
    found = modules()
    known = set(found)
    return {name: list(imported(name, path, known)) for name, path in found.items()}


def upward_imports(edges: dict[str, list[tuple[int, str]]]) -> list[str]:
    wrong = []
    for name, targets in edges.items():
        here = part_of(name)
        if not here:
            continue  # the package's own __init__
        for line, target in targets:
            there = part_of(target)
            if there == here:
                continue
            if floor_of(there) >= floor_of(here):
                wrong.append(
                    f"{name}:{line} imports {target} (floor {there!r} is not below {here!r})"
                )
    return wrong


def circles(edges: dict[str, list[tuple[int, str]]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for _, target in edges.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_every_import_runs_to_a_lower_floor() -> None:
    assert upward_imports(graph()) == []


def test_no_module_imports_itself_back_through_others() -> None:
    assert circles(graph()) == []


def deep_imports(edges: dict[str, list[tuple[int, str]]]) -> list[str]:
    deep = []
    for name, targets in edges.items():
        for line, target in targets:
            outside = part_of(name) and part_of(target) != part_of(name)
            if outside and part_of(target) in FACED and target.count(".") > 1:
                deep.append(f"{name}:{line} imports {target}")
    return deep


def test_other_floors_import_a_floor_through_its_face() -> None:
    """Only a floor's ``__init__`` is imported from outside it, so that file is its surface."""
    assert deep_imports(graph()) == []


def test_the_package_root_holds_only_the_entry_modules() -> None:
    loose = {path.name for path in PACKAGE.glob("*.py")}
    assert loose == ROOT_MODULES


def test_every_part_of_the_package_is_on_a_floor() -> None:
    for name in modules():
        if part_of(name):
            floor_of(part_of(name))


# The checks themselves, on made-up graphs: each must catch what it is there to catch.


def test_an_import_from_a_higher_floor_is_caught() -> None:
    edges = {"renderer_service.renderer.x": [(3, "renderer_service.work.render")]}
    assert upward_imports(edges) == [
        "renderer_service.renderer.x:3 imports renderer_service.work.render "
        "(floor 'work' is not below 'renderer')"
    ]


def test_an_import_between_parts_of_one_floor_is_caught() -> None:
    edges = {"renderer_service.runtime.queue": [(1, "renderer_service.harness")]}
    assert len(upward_imports(edges)) == 1


def test_a_circle_is_caught() -> None:
    edges = {
        "a": [(1, "b")],
        "b": [(1, "c")],
        "c": [(1, "a")],
        "d": [(1, "a")],
    }
    assert circles(edges) == [["a", "b", "c"]]


@pytest.mark.parametrize("part", ["nowhere"])
def test_a_part_on_no_floor_is_caught(part: str) -> None:
    with pytest.raises(AssertionError, match="on no floor"):
        floor_of(part)


def test_an_import_past_a_face_is_caught() -> None:
    edges = {
        "renderer_service.service": [(7, "renderer_service.work.render")],
        "renderer_service.app.main": [(2, "renderer_service.work")],
        "renderer_service.work.diff": [(4, "renderer_service.work.render")],
    }
    assert deep_imports(edges) == [
        "renderer_service.service:7 imports renderer_service.work.render"
    ]


def test_benchmarks_import_only_what_the_package_has() -> None:
    """The programs outside the package (``bench/``) name modules and names that exist: a
    module that moved breaks them at once, not the day someone runs them."""
    import importlib

    missing = []
    for path in sorted((PACKAGE.parent / "bench").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(NAME):
                continue
            module = importlib.import_module(node.module or NAME)
            missing += [
                f"{path.name}:{node.lineno} {node.module}.{alias.name}"
                for alias in node.names
                if not hasattr(module, alias.name)
                and importlib.util.find_spec(f"{node.module}.{alias.name}") is None
            ]
    assert missing == []
