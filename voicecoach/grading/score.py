"""Score and level from key-point statuses: pure code, so a weight edit regrades instantly.

``score = 100 × Σ(weight × credit) / Σ(weight)`` with credit 1 for covered, 0.5 for partial; the
level comes from the rubric's thresholds; then the caps: a major misconception lowers the score
and the level, a required point contradicted or not covered lowers the level
(rubrics/README.md, "Score and level").
"""

from __future__ import annotations

from collections.abc import Sequence

from voicecoach.grading.models import KeyPointGrade, MisconceptionHit
from voicecoach.rubric.schema import LEVELS, Level, Rubric

CREDIT = {"covered": 1.0, "partial": 0.5, "missing": 0.0, "contradicted": 0.0}


def _lower(level: Level, cap: Level) -> Level:
    return level if LEVELS.index(level) <= LEVELS.index(cap) else cap


def _capped(level: Level, cap: Level, reason: str, notes: list[str]) -> Level:
    """``level`` held to ``cap``, noting why when it was lowered (one wording for every cap)."""
    if _lower(level, cap) == level:
        return level
    notes.append(f"level capped at {cap}: {reason}")
    return cap


def _hard_caps(rubric: Rubric, level: Level, misconceptions: Sequence[MisconceptionHit],
               extra_cap: tuple[Level, str] | None, notes: list[str]) -> Level:
    """The caps no level rule may lift: a major misconception, a ceiling from outside."""
    majors = [m.id for m in misconceptions if m.severity == "major"]
    if majors:
        level = _capped(level, rubric.caps.major_misconception,
                        f"major misconception ({', '.join(majors)})", notes)
    if extra_cap is not None:
        level = _capped(level, extra_cap[0], extra_cap[1], notes)
    return level


def level_for(score: float, rubric: Rubric) -> Level:
    """The level the thresholds give a score, before caps."""
    if score >= rubric.thresholds.strong:
        return "strong"
    if score >= rubric.thresholds.partial:
        return "partial"
    return "weak"


def relevelled(
    rubric: Rubric,
    score: float,
    level: Level,
    learnt: Level,
    points: Sequence[KeyPointGrade],
    misconceptions: Sequence[MisconceptionHit],
    extra_cap: tuple[Level, str] | None = None,
) -> tuple[float, Level, list[str]]:
    """``(score, level, notes)`` where a grader decided the level itself (``learnt``) instead of
    the thresholds: the hard caps still hold (a major misconception, an order to the grader; the
    learnt level already weighs a required point not covered or contradicted), and the score is
    moved into the band of the level it reports, so a card never says "score 62, strong".

    The learnt level refines the arithmetic; it moves at most one level from it, so no fitted
    weight can turn a weak answer strong (or a strong one weak) on its own, and it never lowers
    an answer whose every required point was found covered with no misconception (the level
    guide calls that strong; the card would tick every required point and call the answer
    partial), nor calls weak an answer with a point found covered (where the judge misreads a
    correct sentence as contradicting, its probabilities pull the level down with it: a spoken
    "it memorizes the noise and overfits" was graded weak). Measured on the labelled answers
    (training/judge/fit_level.py) against the unbounded fit: test exact 0.744 -> 0.736, voices
    0.789 -> 0.809, rubric examples of unseen questions 0.591 -> 0.602, answers two levels out
    on unseen questions 15 -> 18 (test) and 8 -> 6 (their rubric examples).
    """
    here = LEVELS.index(level)
    learnt = LEVELS[min(max(LEVELS.index(learnt), here - 1), here + 1)]
    if LEVELS.index(learnt) < here and not misconceptions and points and (
            all(p.status == "covered" for p in points if p.required)
            or (learnt == "weak" and any(p.status == "covered" for p in points))):
        learnt = level
    notes: list[str] = []
    if learnt != level:
        notes.append(f"level {learnt}, learnt from the judge's probabilities "
                     f"(the rubric's arithmetic gave {level})")
    final = _hard_caps(rubric, learnt, misconceptions, extra_cap, notes)
    strong, partial = rubric.thresholds.strong, rubric.thresholds.partial
    banded = {"strong": max(score, strong), "partial": min(max(score, partial), strong - 1),
              "weak": min(score, partial - 1)}[final]
    return round(banded, 1), final, notes


def aggregate(
    rubric: Rubric,
    points: Sequence[KeyPointGrade],
    misconceptions: Sequence[MisconceptionHit],
    *,
    extra_cap: tuple[Level, str] | None = None,
) -> tuple[float, Level, list[str]]:
    """``(score, level, caps_applied)`` for these verdicts under this rubric.

    ``extra_cap`` is a ceiling from outside the rubric (e.g. the answer told the grader what to
    do) with the reason to record.
    """
    total = sum(p.weight for p in points) or 1.0
    score = 100.0 * sum(p.weight * CREDIT[p.status] for p in points) / total
    caps: list[str] = []
    majors = [m.id for m in misconceptions if m.severity == "major"]
    if majors and score > rubric.caps.major_misconception_score:
        score = rubric.caps.major_misconception_score
        caps.append(f"score capped at {score:g}: major misconception ({', '.join(majors)})")
    level = level_for(score, rubric)
    if majors:
        level = _capped(level, rubric.caps.major_misconception,
                        f"major misconception ({', '.join(majors)})", caps)
    wrong = [p.id for p in points if p.required and p.status == "contradicted"]
    if wrong:
        level = _capped(level, rubric.caps.contradicted_required,
                        f"required point contradicted ({', '.join(wrong)})", caps)
    missing = [p.id for p in points if p.required and p.status != "covered"]
    if missing:
        level = _capped(level, rubric.caps.missing_required,
                        f"required point not covered ({', '.join(missing)})", caps)
    if extra_cap is not None:
        level = _capped(level, extra_cap[0], extra_cap[1], caps)
    return round(score, 1), level, caps
