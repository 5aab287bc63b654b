"""The layer rule (docs/architecture.md, "Floors"; issue 12's acceptance): a lower floor never imports a higher one.

Every module under src/lightdose is parsed with :mod:`ast`; its imports — at module level, inside functions and
under ``if TYPE_CHECKING`` alike, since a lazy import hides a dependency without removing it — are mapped to
floors by :data:`FLOOR_OF`, and none may go up. Imports within a floor are fine. The package's own
``lightdose/__init__.py`` is the lazy facade (``lightdose.plan`` loads the planner) and is allowed by name; a
module that reaches the planner *through* the facade (``import lightdose`` … ``lightdose.plan``) is checked as if
it imported the planner.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "lightdose"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

FLOORS = ("ground", "optics", "anatomy and devices", "transport", "thermal", "physiology", "planning",
          "present and sweep", "records", "cli and web")
"""The floors, lowest first (docs/architecture.md; ../shared/docs/DESIGN.md "The house")."""

FLOOR_OF = {
    # ground: conventions, limits, parameters and file handling that every stage shares; no stage physics
    "units": 0, "errors": 0, "model_base": 0, "limits": 0, "parameters": 0, "provenance": 0, "output_files": 0,
    "input_files": 0, "data": 0,
    # tissue optics; the tissue preset library (tissues.py) builds optics' Tissue, so it sits with optics
    "optics": 1, "tissues": 1,
    "anatomy": 2, "devices": 2,
    "transport": 3,
    "thermal": 4,
    "physiology": 5,
    "planning": 6,
    # wings that will come (DESIGN: "sweep on planning; present on planning; cli and web on present; records on
    # planning and present (web shows records)")
    "present": 7, "sweep": 7,
    "records": 8,
    "cli": 9, "web": 9,
}
"""Floor (index into :data:`FLOORS`) of each top-level module or package of lightdose."""

FACADE = "lightdose"
"""The package's ``__init__``: its lazy imports are allowed by name."""

KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {
    # (importing module, imported module): why it is still there and who fixes it. Empty: the rule holds.
}
"""Upward edges that exist today and are to be removed by their modules' owners; listed so that they are visible
and so that no new one slips in. :func:`test_known_violations_are_still_there` asks for an entry to be deleted
once its edge is gone."""


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        path = _path_of(self.importer).relative_to(ROOT)
        return (f"{path}:{self.line}: {self.importer} ({FLOORS[floor_of(self.importer)]}) imports {self.imported} "
                f"({FLOORS[floor_of(self.imported)]})")


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by the name of its ``__init__``)."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = _modules()


def _path_of(module: str) -> Path:
    return MODULES[module]


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def floor_of(module: str) -> int:
    """The floor of a dotted lightdose module name (the facade itself is the ground floor)."""
    parts = module.split(".")
    if parts == [FACADE]:
        return 0
    if parts[1] not in FLOOR_OF:
        raise KeyError(f"lightdose.{parts[1]} has no floor: add it to FLOOR_OF in {Path(__file__).name} and to "
                       f"docs/architecture.md")
    return FLOOR_OF[parts[1]]


def _facade_attributes() -> dict[str, str]:
    """Attributes the facade loads lazily (``lightdose.plan`` → ``lightdose.planning``), from its ``__getattr__``."""
    tree = ast.parse(MODULES[FACADE].read_text(encoding="utf-8"))
    lazy = {}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and function.name == "__getattr__":
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module:
                    lazy.update({alias.asname or alias.name: node.module for alias in node.names})
    return lazy


FACADE_ATTRIBUTES = _facade_attributes()


def _longest_module(dotted: str) -> str | None:
    """The longest prefix of `dotted` that is a module of the package (`lightdose.devices.get` → lightdose.devices)."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in MODULES:
            return ".".join(parts[:n])
    return None


def _member(package: str, name: str) -> str:
    """What ``from package import name`` imports: a submodule, a facade attribute, or the package itself."""
    if f"{package}.{name}" in MODULES:
        return f"{package}.{name}"
    if package == FACADE and name in FACADE_ATTRIBUTES:
        return _longest_module(FACADE_ATTRIBUTES[name]) or package
    return package


def _ours(dotted: str) -> bool:
    return dotted == FACADE or dotted.startswith(FACADE + ".")


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The module a ``from … import`` reads from, relative imports (``from ..y import z``) resolved."""
    if not node.level:
        return node.module or ""
    base = package.split(".")
    return ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))


def imports_of(module: str) -> list[tuple[str, int]]:
    """(imported lightdose module, line) for every import of `module`, top-level or not."""
    return imports_in(MODULES[module].read_text(encoding="utf-8"), module, _is_package(module))


def imports_in(source: str, module: str, is_package: bool = False) -> list[tuple[str, int]]:
    """(imported lightdose module, line) for every import in `source`, the text of `module`."""
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    binds_facade = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _ours(alias.name):
                    found.append((_longest_module(alias.name) or FACADE, node.lineno))
                    binds_facade |= alias.asname is None or alias.name == FACADE
        elif isinstance(node, ast.ImportFrom) and _ours(source := _absolute(node, package)):
            target = _longest_module(source)
            assert target is not None, f"{module}:{node.lineno}: {source} is not a lightdose module"
            found.extend((_member(target, alias.name) if target == source else target, node.lineno)
                         for alias in node.names)
    if binds_facade:  # `import lightdose` … `lightdose.plan(...)`, `lightdose.devices.get(...)`
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == FACADE:
                found.append((_member(FACADE, node.attr), node.lineno))
    return found


def _edges() -> list[Edge]:
    return [Edge(module, imported, line)
            for module in MODULES if module != FACADE
            for imported, line in imports_of(module)]


def upward_edges() -> list[Edge]:
    return [e for e in _edges() if floor_of(e.imported) > floor_of(e.importer)]


def test_every_module_has_a_floor():
    missing = sorted({m.split(".")[1] for m in MODULES if m != FACADE and m.split(".")[1] not in FLOOR_OF})
    assert not missing, f"no floor for lightdose.{{{', '.join(missing)}}}: add to FLOOR_OF and docs/architecture.md"


def test_no_import_goes_up_a_floor():
    new = [str(e) for e in upward_edges() if (e.importer, e.imported) not in KNOWN_VIOLATIONS]
    assert not new, "imports that go up a floor (docs/architecture.md, 'Floors'):\n" + "\n".join(new)


def test_known_violations_are_still_there():
    """An entry of KNOWN_VIOLATIONS whose edge is gone is to be deleted, so that the list stays true."""
    present = {(e.importer, e.imported) for e in upward_edges()}
    gone = sorted(set(KNOWN_VIOLATIONS) - present)
    assert not gone, f"fixed, delete from KNOWN_VIOLATIONS: {gone}"


def _documented_floors() -> list[list[str]]:
    """The names on each line of docs/architecture.md's floor diagram, lowest floor first."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Floors", 1)[1]
    diagram = section.split("```", 2)[1]
    lines = [re.sub(r"\(ground floor\)", "", line) for line in diagram.splitlines()]
    return [[w for w in re.findall(r"[a-z_]+", line) if w != "and"] for line in lines if line.strip()]


def test_the_table_agrees_with_docs_architecture():
    """Each line of the documented diagram is one floor of FLOOR_OF, each higher than the line before it."""
    floors = []
    for names in _documented_floors():
        assert names, "an empty line in the floor diagram"
        unknown = [n for n in names if n not in FLOOR_OF]
        assert not unknown, f"docs/architecture.md names {unknown}, which FLOOR_OF does not have"
        assert len({FLOOR_OF[n] for n in names}) == 1, f"{names} share a line of the diagram but not a floor"
        floors.append(FLOOR_OF[names[0]])
    assert floors == sorted(set(floors)), f"the diagram's lines are not on rising floors: {floors}"


@pytest.mark.parametrize(("source", "is_package", "expected"), [
    ("import lightdose\nlightdose.plan(s)", False, [("lightdose", 1), ("lightdose.planning", 2)]),
    ("from lightdose import devices, __version__", False, [("lightdose.devices", 1), ("lightdose", 1)]),
    ("def f():\n    from ..planning.plan import plan", False, [("lightdose.planning.plan", 2)]),
    ("if TYPE_CHECKING:\n    from lightdose.present import plan", False, [("lightdose.present.plan", 2)]),
    ("from . import pennes1d", True, [("lightdose.thermal.pennes1d", 1)]),
    ("from .pennes1d import make_grid", False, [("lightdose.thermal.pennes1d", 1)]),
    ("import numpy\nfrom typing import TYPE_CHECKING", False, []),
], ids=["facade-attribute", "from-package", "relative-in-function", "type-checking", "relative-in-package",
        "relative-in-module", "third-party"])
def test_imports_are_found_wherever_they_are(source, is_package, expected):
    """The collector itself: lazy, relative, type-only and facade imports are all seen (as lightdose.thermal or
    lightdose.thermal.burn would write them)."""
    assert imports_in(source, "lightdose.thermal" if is_package else "lightdose.thermal.burn", is_package) == expected
