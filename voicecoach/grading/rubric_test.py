"""``voicecoach rubrics test``: grade every rubric's own examples and measure agreement.

For each question: level agreement with the examples' labels (exact, adjacent, quadratic
weighted kappa), key-point agreement (covered or not, against each example's ``covers``) and
misconception agreement (found or not, against ``misconceptions``); then the same over the whole
bank. Every disagreement is listed, because each one is either a pattern to fix or a label to
reconsider (rubrics/README.md, "Tuning workflow").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from voicecoach.grading.agreement import (
    adjacent_agreement,
    exact_agreement,
    quadratic_weighted_kappa,
)
from voicecoach.grading.grader import AnswerGrader, grade_answer
from voicecoach.rubric.loader import LoadedRubric
from voicecoach.rubric.schema import Level


@dataclass
class ExampleResult:
    """One example graded: the label, the grade and where they differ."""

    question_id: str
    index: int
    text: str
    expected: Level
    predicted: Level
    score: float
    point_agreement: list[bool]
    misconception_agreement: list[bool]
    disagreements: list[str] = field(default_factory=list)


@dataclass
class Agreement:
    """Agreement figures over a set of example results."""

    examples: int
    exact: float
    adjacent: float
    kappa: float
    points: float
    misconceptions: float

    @classmethod
    def of(cls, results: Sequence[ExampleResult]) -> Agreement:
        expected = [r.expected for r in results]
        predicted = [r.predicted for r in results]
        points = [a for r in results for a in r.point_agreement]
        wrong = [a for r in results for a in r.misconception_agreement]
        return cls(
            examples=len(results),
            exact=exact_agreement(expected, predicted),
            adjacent=adjacent_agreement(expected, predicted),
            kappa=quadratic_weighted_kappa(expected, predicted),
            points=sum(points) / len(points) if points else 1.0,
            misconceptions=sum(wrong) / len(wrong) if wrong else 1.0,
        )


def test_rubric(
    loaded: LoadedRubric, grader: AnswerGrader = grade_answer
) -> list[ExampleResult]:
    """Grade each example of one rubric and compare with its labels."""
    rubric = loaded.rubric
    results = []
    for index, example in enumerate(rubric.examples):
        grade = grader(loaded, example.text)
        status = {p.id: p.status for p in grade.key_points}
        found = {m.id for m in grade.misconceptions}
        notes: list[str] = []
        if grade.level != example.level:
            notes.append(f"level {grade.level} (score {grade.score:g}), labelled {example.level}")
        point_agreement = []
        for point in rubric.key_points:
            said = point.id in example.covers
            graded = status.get(point.id) == "covered"
            point_agreement.append(said == graded)
            if said != graded:
                notes.append(
                    f"{point.id}: graded {status.get(point.id, 'missing')}, "
                    f"labelled {'covered' if said else 'not covered'}"
                )
        misconception_agreement = []
        for item in rubric.misconceptions:
            said = item.id in example.misconceptions
            misconception_agreement.append(said == (item.id in found))
            if said != (item.id in found):
                notes.append(f"misconception {item.id}: {'missed' if said else 'false alarm'}")
        results.append(
            ExampleResult(
                rubric.id, index, example.text, example.level, grade.level, grade.score,
                point_agreement, misconception_agreement, notes,
            )
        )
    return results
