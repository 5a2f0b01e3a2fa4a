"""The package layout is layered, and this test keeps it so: every ``voicecoach`` module imports
only from its own layer or a lower one.

rubric → speech/audio → llm → grading → session → feedback → agent/report (README, "Layout").
Imports are read from the source (``import``, ``from … import``, also under ``TYPE_CHECKING``
and inside functions), plus the by-name imports registries use: ``importlib.import_module(
"voicecoach.x")`` and ``"voicecoach.x.y:Class"`` strings.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import voicecoach

PACKAGE = Path(voicecoach.__file__).parent

# Lowest first. Modules of one layer may import each other; a layer never imports a higher one.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "config", "loading"}),
    frozenset({"rubric"}),
    frozenset({"speech", "audio"}),
    frozenset({"llm"}),
    frozenset({"grading"}),
    frozenset({"session"}),
    frozenset({"feedback"}),
    frozenset({"agent", "report", "ui"}),
    frozenset({"cli", "init_config"}),
)
RANK = {area: rank for rank, layer in enumerate(LAYERS) for area in layer}
_BY_NAME = re.compile(r"^voicecoach\.([a-z_]+)(?:\.[a-z_]+)*(?::[A-Za-z_]+)?$")


def _area(module: str) -> str | None:
    """``voicecoach.grading.grader`` → ``grading``; None outside the package."""
    parts = module.split(".")
    return parts[1] if parts[0] == "voicecoach" and len(parts) > 1 else None


def _is_module(area: str) -> bool:
    return (PACKAGE / area).is_dir() or (PACKAGE / f"{area}.py").is_file()


def imported_areas(path: Path) -> set[tuple[str, int]]:
    """``(area, line)`` for every voicecoach import in one source file."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            if node.module == "voicecoach":
                modules = [f"voicecoach.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _BY_NAME.match(node.value)
            if match and _is_module(match.group(1)):  # not "voicecoach.toml"
                modules = [f"voicecoach.{match.group(1)}"]
        for module in modules:
            if (area := _area(module)) is not None:
                found.add((area, getattr(node, "lineno", 0)))
    return found


def _own_area(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_every_area_has_a_layer() -> None:
    areas = {_own_area(p) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"
             or p.parent != PACKAGE}
    assert areas <= set(RANK), f"add these to LAYERS: {sorted(areas - set(RANK))}"


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE and path.name == "__init__.py":
            continue
        own = _own_area(path)
        for area, line in sorted(imported_areas(path)):
            if area not in RANK:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports unknown {area}")
            elif RANK[area] > RANK[own]:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} imports {area}")
    assert not upward, "imports from a lower layer up to a higher one:\n" + "\n".join(upward)


def test_the_scanner_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import voicecoach.rubric.schema\n"
        "if TYPE_CHECKING:\n"
        "    from voicecoach.session.models import Session\n"
        "def f():\n"
        "    from voicecoach import feedback\n"
        "    importlib.import_module('voicecoach.speech.stt')\n"
        "ENGINES = {'x': 'voicecoach.agent.voice:Speaker'}\n",
        encoding="utf-8",
    )
    assert {area for area, _ in imported_areas(source)} == {
        "rubric", "session", "feedback", "speech", "agent"
    }
