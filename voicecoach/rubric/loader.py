"""Load rubric YAML safely, keeping line numbers so every error reads ``path:line: field: message``.

PyYAML's ``safe_load`` forgets where values came from, so we also ``compose`` the node tree and map
a pydantic error location (``("key_points", 2, "weight")``) back to the node's line. A rubric's
content hash (sha256 of the file bytes) travels with it so grades can say exactly what graded them.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from voicecoach.errors import RubricError
from voicecoach.rubric.schema import Rubric

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedRubric:
    """A validated rubric with the file it came from and its content hash."""

    rubric: Rubric
    path: Path
    sha256: str

    @property
    def id(self) -> str:
        return self.rubric.id

    def line_of(self, location: Location) -> int:
        """Line (1-based) of a field in the source file; 1 if it cannot be found."""
        root = yaml.compose(self.path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        return line_for(root, location)


@dataclass(frozen=True)
class Problem:
    """One problem in a rubric file, formatted the way editors and CI logs understand."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.path}:{self.line}:{field} {self.message}"


def line_for(root: yaml.Node | None, location: Location) -> int:
    """Walk the YAML node tree along ``location``; return the line of the deepest node reached."""
    node = root
    line = node.start_mark.line + 1 if node is not None else 1
    for part in location:
        if isinstance(node, yaml.MappingNode):
            match = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == part
                ),
                None,
            )
            if match is None:
                break
            key_node, node = match
            # extra keys and missing values are best reported at the key itself
            line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _duplicate_keys(node: yaml.Node | None, path: Location = ()) -> Iterator[tuple[Location, int]]:
    """Yield (location, line) of keys defined twice in one mapping: YAML keeps the last silently."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                yield (*path, key), key_node.start_mark.line + 1
            seen.add(key)
            yield from _duplicate_keys(value_node, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*path, index))


def _format_location(location: Location) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the plain data, from one parse.

    libyaml's loader when PyYAML has it: the bank is loaded at every start of ``practice``, and
    parsing twice in pure Python took 0.4 s of the 3 s budget to the first question.
    """
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def parse_rubric(path: Path) -> tuple[LoadedRubric | None, list[Problem]]:
    """Parse and validate one file; return the rubric (if valid) and every problem found."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(path, 1, "", f"cannot read file: {error.strerror or error}")]
    text = raw.decode("utf-8", errors="replace")
    try:
        root, data = _compose_and_construct(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error)
        return None, [Problem(path, line, "", f"invalid YAML: {reason}")]
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "", "a rubric must be a YAML mapping (key: value)")]

    problems = [
        Problem(path, line, _format_location(loc), "key defined twice (YAML keeps only the last)")
        for loc, line in _duplicate_keys(root)
    ]
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            location = tuple(item["loc"])
            message = item["msg"]
            if item["type"] == "extra_forbidden":
                message = "unknown field (check the spelling; see rubrics/README.md)"
            elif item["type"] == "missing":
                message = "required field is missing"
            elif "input" in item and item["type"] not in {"value_error", "assertion_error"}:
                message = f"{message} (got {item['input']!r})"
            problems.append(
                Problem(path, line_for(root, location), _format_location(location), message)
            )
        return None, problems
    loaded = LoadedRubric(rubric=rubric, path=path, sha256=hashlib.sha256(raw).hexdigest())
    return loaded, problems


def load_rubric(path: Path) -> LoadedRubric:
    """Load one rubric or raise RubricError naming file, line and field."""
    loaded, problems = parse_rubric(Path(path))
    if problems or loaded is None:
        raise RubricError("\n".join(str(p) for p in problems))
    return loaded


def rubric_files(paths: list[Path]) -> list[Path]:
    """YAML files named by ``paths`` (files as given, folders searched recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.y*ml") if p.suffix in {".yaml", ".yml"}))
        elif path.exists():
            found.append(path)
        else:
            raise RubricError(f"{path}: no such file or folder")
    return found


class RubricBank(Mapping[str, LoadedRubric]):
    """The question bank: rubrics by id, plus interview order."""

    def __init__(self, rubrics: dict[str, LoadedRubric], source: Path | None = None) -> None:
        self._rubrics = rubrics
        self.source = source

    def __getitem__(self, question_id: str) -> LoadedRubric:
        return self._rubrics[question_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rubrics)

    def __len__(self) -> int:
        return len(self._rubrics)

    def get_rubric(self, question_id: str) -> LoadedRubric:
        """The rubric with this id, or a RubricError that names the ids that do exist (in a
        bank of 111, the closest few and where to find the rest: one readable line)."""
        if question_id not in self._rubrics:
            ids = sorted(self._rubrics)
            if len(ids) <= 10:
                known = ", ".join(ids) or "none"
            else:
                close = difflib.get_close_matches(question_id, ids, n=5, cutoff=0.4)
                known = (", ".join(close) + ", ..." if close else f"{len(ids)} questions") + (
                    " (`voicecoach rubrics list` shows them all)"
                )
            raise RubricError(f"unknown question id {question_id!r}; known ids: {known}")
        return self._rubrics[question_id]

    def ordered(self) -> list[LoadedRubric]:
        """Rubrics in natural interview order (fundamentals first), ties by id."""
        return sorted(self._rubrics.values(), key=lambda r: (r.rubric.order, r.id))

    def by_topic(self, topic: str) -> list[LoadedRubric]:
        """Rubrics of one topic, in interview order."""
        return [r for r in self.ordered() if r.rubric.topic == topic]


def load_bank(directory: Path | None = None) -> RubricBank:
    """Load every rubric under ``directory`` (default: the configured bank); any error raises."""
    if directory is None:
        from voicecoach.config import load_settings

        directory = load_settings().rubrics_dir
    directory = Path(directory)
    if not directory.is_dir():
        raise RubricError(f"{directory}: rubric folder not found (set VOICECOACH_RUBRICS)")
    rubrics: dict[str, LoadedRubric] = {}
    errors: list[str] = []
    for path in rubric_files([directory]):
        loaded, problems = parse_rubric(path)
        errors.extend(str(p) for p in problems)
        if loaded is None:
            continue
        if loaded.id in rubrics:
            errors.append(
                f"{path}:1: id: duplicate id {loaded.id!r} (also in {rubrics[loaded.id].path})"
            )
            continue
        rubrics[loaded.id] = loaded
    if errors:
        raise RubricError("\n".join(errors))
    return RubricBank(rubrics, source=directory)
