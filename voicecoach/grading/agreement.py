"""Agreement between the grader and labelled answers: exact, adjacent, quadratic weighted kappa.

Used by ``voicecoach rubrics test`` (each rubric's own ``examples``) and by the grading benchmark
(an evaluation set beyond the examples). Levels are ordinal: weak < partial < strong.
"""

from __future__ import annotations

from collections.abc import Sequence

from voicecoach.rubric.schema import LEVELS, Level


def quadratic_weighted_kappa(expected: Sequence[Level], predicted: Sequence[Level]) -> float:
    """Cohen's kappa with quadratic weights over the three levels.

    1.0 is perfect agreement, 0 chance level. When the labels leave no room for chance
    disagreement (every answer the same level on both sides) it is 1.0 if all agree, else 0.0.
    """
    n = len(expected)
    if n == 0 or n != len(predicted):
        return 0.0
    k = len(LEVELS)
    index = {level: i for i, level in enumerate(LEVELS)}
    observed = [[0.0] * k for _ in range(k)]
    for e, p in zip(expected, predicted, strict=True):
        observed[index[e]][index[p]] += 1
    row = [sum(observed[i]) for i in range(k)]
    col = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    weight = [[(i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)]
    disagreement = sum(weight[i][j] * observed[i][j] for i in range(k) for j in range(k))
    chance = sum(weight[i][j] * row[i] * col[j] / n for i in range(k) for j in range(k))
    if chance == 0:
        return 1.0 if disagreement == 0 else 0.0
    return 1.0 - disagreement / chance


def exact_agreement(expected: Sequence[Level], predicted: Sequence[Level]) -> float:
    """Share of answers whose level matches the label."""
    pairs = list(zip(expected, predicted, strict=True))
    return sum(e == p for e, p in pairs) / len(pairs) if pairs else 0.0


def adjacent_agreement(expected: Sequence[Level], predicted: Sequence[Level]) -> float:
    """Share of answers within one level of the label."""
    pairs = list(zip(expected, predicted, strict=True))
    if not pairs:
        return 0.0
    return sum(abs(LEVELS.index(e) - LEVELS.index(p)) <= 1 for e, p in pairs) / len(pairs)
