"""Lint rubric meaning, beyond what the schema can check on one field at a time.

The schema guarantees types; lint guarantees the rubric makes sense as an interview: ids unique,
every required point can be probed, examples point at things that exist, patterns are well formed,
the file is named after its id, and there are enough graded examples to test the rubric.
"""

from __future__ import annotations

import re
from pathlib import Path

from voicecoach.rubric.loader import LoadedRubric, Location, Problem, parse_rubric, rubric_files
from voicecoach.rubric.tracks import FRAMING_STAGE

MIN_EXAMPLES = 4
_PATTERN_TERM = re.compile(r"^[\w'+\-=./^()]+\*?(?:\|[\w'+\-=./^()]+\*?)*$")


def _problem(loaded: LoadedRubric, location: Location, field: str, message: str) -> Problem:
    return Problem(loaded.path, loaded.line_of(location), field, message)


def _pattern_problems(
    loaded: LoadedRubric, location: Location, field: str, pattern: str
) -> list[Problem]:
    terms = pattern.split()
    if not terms:
        return [_problem(loaded, location, field, "empty pattern")]
    bad = [term for term in terms if not _PATTERN_TERM.match(term) or term.startswith("|")]
    if bad:
        return [
            _problem(loaded, location, field, f"malformed pattern term(s) {bad} in {pattern!r}")
        ]
    return []


def lint_rubric(loaded: LoadedRubric) -> list[Problem]:
    """Every meaning problem of one valid rubric."""
    rubric = loaded.rubric
    problems: list[Problem] = []
    if loaded.path.stem != rubric.id:
        problems.append(
            _problem(loaded, ("id",), "id", f"file name {loaded.path.name!r} does not match id")
        )
    point_ids = [p.id for p in rubric.key_points]
    for index, point in enumerate(rubric.key_points):
        where: Location = ("key_points", index)
        if point_ids.count(point.id) > 1:
            problems.append(
                _problem(
                    loaded, (*where, "id"), f"key_points[{index}].id", f"duplicate id {point.id!r}"
                )
            )
        if point.required and not (point.probe and point.probe.strip()):
            problems.append(
                _problem(
                    loaded,
                    where,
                    f"key_points[{index}].probe",
                    "a required key point needs a probe",
                )
            )
        for kind in ("accept", "partial"):
            for n, pattern in enumerate(getattr(point, kind)):
                problems += _pattern_problems(
                    loaded, (*where, kind, n), f"key_points[{index}].{kind}[{n}]", pattern
                )
    misconception_ids = [m.id for m in rubric.misconceptions]
    for index, item in enumerate(rubric.misconceptions):
        where = ("misconceptions", index)
        if misconception_ids.count(item.id) > 1:
            problems.append(
                _problem(
                    loaded,
                    (*where, "id"),
                    f"misconceptions[{index}].id",
                    f"duplicate id {item.id!r}",
                )
            )
        for n, pattern in enumerate(item.patterns):
            problems += _pattern_problems(
                loaded, (*where, "patterns", n), f"misconceptions[{index}].patterns[{n}]", pattern
            )
    for index, example in enumerate(rubric.examples):
        where = ("examples", index)
        for point_id in example.covers:
            if point_id not in point_ids:
                problems.append(
                    _problem(
                        loaded,
                        (*where, "covers"),
                        f"examples[{index}].covers",
                        f"unknown key point {point_id!r}; known: {', '.join(point_ids)}",
                    )
                )
        for misconception_id in example.misconceptions:
            if misconception_id not in misconception_ids:
                problems.append(
                    _problem(
                        loaded,
                        (*where, "misconceptions"),
                        f"examples[{index}].misconceptions",
                        f"unknown misconception {misconception_id!r}",
                    )
                )
    if len(rubric.examples) < MIN_EXAMPLES:
        problems.append(
            _problem(
                loaded,
                ("examples",),
                "examples",
                f"{len(rubric.examples)} graded examples; at least {MIN_EXAMPLES} are needed",
            )
        )
    levels_seen = {example.level for example in rubric.examples}
    if rubric.examples and len(levels_seen) < 2:
        problems.append(
            _problem(loaded, ("examples",), "examples", "examples should span more than one level")
        )
    return problems


def lint_paths(paths: list[Path]) -> tuple[list[LoadedRubric], list[Problem]]:
    """Lint every rubric file under ``paths``, including ids that clash across files."""
    loaded_rubrics: list[LoadedRubric] = []
    problems: list[Problem] = []
    first_seen: dict[str, LoadedRubric] = {}
    for path in rubric_files(paths):
        loaded, file_problems = parse_rubric(path)
        problems += file_problems
        if loaded is None:
            continue
        problems += lint_rubric(loaded)
        if loaded.id in first_seen:
            problems.append(
                _problem(
                    loaded,
                    ("id",),
                    "id",
                    f"duplicate id {loaded.id!r} (also in {first_seen[loaded.id].path})",
                )
            )
        else:
            first_seen[loaded.id] = loaded
        loaded_rubrics.append(loaded)
    return loaded_rubrics, problems + case_problems(loaded_rubrics)


def case_problems(rubrics: list[LoadedRubric]) -> list[Problem]:
    """A design case is asked as a block from its framing stage (``rubric.tracks``): every stage
    names its case and the reverse, stage names are unique in a case, and one is the framing."""
    problems: list[Problem] = []
    cases: dict[str, list[LoadedRubric]] = {}
    for loaded in rubrics:
        rubric = loaded.rubric
        if bool(rubric.case) != bool(rubric.stage):
            field = "stage" if rubric.case else "case"
            problems.append(_problem(loaded, ("case" if rubric.case else "stage",), field,
                                     "'case' and 'stage' go together (a stage of a design case)"))
        if rubric.case:
            cases.setdefault(rubric.case, []).append(loaded)
    for case, stages in cases.items():
        names = [loaded.rubric.stage for loaded in stages]
        for loaded in stages:
            if names.count(loaded.rubric.stage) > 1:
                problems.append(_problem(loaded, ("stage",), "stage",
                                         f"case {case!r} has more than one {loaded.rubric.stage!r}"
                                         " stage"))
        if FRAMING_STAGE not in names:
            first = min(stages, key=lambda loaded: (loaded.rubric.order, loaded.id))
            problems.append(_problem(
                first, ("case",), "case",
                f"case {case!r} has no {FRAMING_STAGE!r} stage (stages: {', '.join(names)}); the "
                "design track starts a case with it, and later stages need it as context",
            ))
    return problems
