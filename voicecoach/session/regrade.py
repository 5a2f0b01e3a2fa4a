"""Grade recorded answers again with the current rubrics, and explain every difference.

Regrading never re-transcribes: it reads each question's stored transcripts, so a session whose
audio is gone still regrades. Grades carry their provenance (rubric id, version, content hash,
key-point weights, grader and settings), which is what lets a regrade say *why* a level moved:
the rubric file changed, a weight changed, a key point was added, the grader changed — or,
when none of these did, that the grading code itself changed.

``--save`` appends a :class:`Regrade` to the question's last graded turn; the original grade and
earlier regrades are never overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from voicecoach.errors import SessionError
from voicecoach.grading.grader import AnswerGrader, grade_answer
from voicecoach.grading.models import Grade
from voicecoach.rubric.loader import RubricBank
from voicecoach.session.models import Regrade, Session, latest_grade
from voicecoach.session.store import SessionStore


@dataclass(frozen=True)
class PointChange:
    """One key point whose verdict differs between the old and the new grade."""

    id: str
    old_status: str | None  # None: the point did not exist in the old rubric
    new_status: str | None  # None: the point was removed from the rubric
    old_evidence: str = ""
    new_evidence: str = ""

    def describe(self) -> str:
        if self.old_status is None:
            return f"{self.id}: new key point, {self.new_status}"
        if self.new_status is None:
            return f"{self.id}: removed from the rubric (was {self.old_status})"
        quote = self.new_evidence or self.old_evidence
        said = f' — "{_clip(quote)}"' if quote else ""
        return f"{self.id}: {self.old_status} → {self.new_status}{said}"


@dataclass
class AnswerRegrade:
    """One question of one session graded again: old and new grade, what flipped and why."""

    session_id: str
    question_id: str
    turn_index: int
    old: Grade | None
    new: Grade | None = None
    flipped: list[PointChange] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        """True when the score, the level or any key point's verdict moved."""
        if self.new is None:
            return False
        if self.old is None:
            return True
        return (
            self.old.score != self.new.score
            or self.old.level != self.new.level
            or bool(self.flipped)
        )

    @property
    def provenance_changed(self) -> bool:
        if self.new is None:
            return False
        return self.old is None or bool(provenance_reasons(self.old, self.new))

    def as_dict(self) -> dict[str, Any]:
        def brief(grade: Grade | None) -> dict[str, Any] | None:
            if grade is None:
                return None
            return {
                "score": grade.score,
                "level": grade.level,
                "rubric_version": grade.provenance.rubric_version,
                "rubric_hash": grade.provenance.rubric_hash,
                "grader": grade.provenance.grader,
            }

        return {
            "session": self.session_id,
            "question_id": self.question_id,
            "turn": self.turn_index,
            "old": brief(self.old),
            "new": brief(self.new),
            "changed": self.changed,
            "flipped": [
                {
                    "id": p.id,
                    "old": p.old_status,
                    "new": p.new_status,
                    "old_evidence": p.old_evidence,
                    "new_evidence": p.new_evidence,
                }
                for p in self.flipped
            ],
            "reasons": self.reasons,
            "error": self.error,
        }


@dataclass
class SessionRegrade:
    """All regraded questions of one session, or the reason it could not be read."""

    session_id: str
    answers: list[AnswerRegrade] = field(default_factory=list)
    error: str | None = None
    saved: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "session": self.session_id,
            "error": self.error,
            "saved": self.saved,
            "answers": [answer.as_dict() for answer in self.answers],
        }


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(digest: str) -> str:
    return digest[:10] if digest else "?"


def provenance_reasons(old: Grade, new: Grade) -> list[str]:
    """What differs in how the two grades were made: rubric, weights, grader, settings."""
    reasons: list[str] = []
    a, b = old.provenance, new.provenance
    if a.rubric_version != b.rubric_version:
        reasons.append(f"rubric version {a.rubric_version} → {b.rubric_version}")
    if a.rubric_hash != b.rubric_hash:
        reasons.append(
            f"rubric file changed (sha256 {_short(a.rubric_hash)} → {_short(b.rubric_hash)})"
        )
    old_points = {p.id: p for p in old.key_points}
    new_points = {p.id: p for p in new.key_points}
    for point_id, point in new_points.items():
        before = old_points.get(point_id)
        if before is None:
            reasons.append(f"key point {point_id} added (weight {point.weight:g})")
            continue
        if before.weight != point.weight:
            reasons.append(f"weight of {point_id} changed {before.weight:g} → {point.weight:g}")
        if before.required != point.required:
            state = "required" if point.required else "optional"
            reasons.append(f"{point_id} is now {state}")
    reasons.extend(
        f"key point {point_id} removed" for point_id in old_points if point_id not in new_points
    )
    if a.grader != b.grader:
        reasons.append(f"grader changed {a.grader} → {b.grader}")
    elif a.grader_version != b.grader_version:
        reasons.append(f"{a.grader} grader version {a.grader_version} → {b.grader_version}")
    old_settings, new_settings = _flat(a.settings.model_dump()), _flat(b.settings.model_dump())
    if a.grader == b.grader and old_settings != new_settings:
        diffs = [
            f"{key}: {old_settings.get(key)!r} → {new_settings.get(key)!r}"
            for key in sorted(set(old_settings) | set(new_settings))
            if old_settings.get(key) != new_settings.get(key)
        ]
        reasons.append("grader settings changed (" + "; ".join(diffs) + ")")
    return reasons


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested settings as ``{"guards.salad_min_tokens": 6, …}``, to name what changed."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def explain(old: Grade | None, new: Grade) -> tuple[list[PointChange], list[str]]:
    """The key points that flipped and the reasons the new grade differs from the old one."""
    if old is None:
        return [], ["no earlier grade recorded"]
    old_points = {p.id: p for p in old.key_points}
    new_points = {p.id: p for p in new.key_points}
    flipped = [
        PointChange(
            point_id,
            old_points[point_id].status if point_id in old_points else None,
            new_points[point_id].status if point_id in new_points else None,
            old_points[point_id].evidence if point_id in old_points else "",
            new_points[point_id].evidence if point_id in new_points else "",
        )
        for point_id in dict.fromkeys([*old_points, *new_points])
        if point_id not in old_points
        or point_id not in new_points
        or old_points[point_id].status != new_points[point_id].status
    ]
    reasons = provenance_reasons(old, new)
    old_hits = {m.id for m in old.misconceptions}
    new_hits = {m.id for m in new.misconceptions}
    reasons.extend(f"misconception {m} now detected" for m in sorted(new_hits - old_hits))
    reasons.extend(f"misconception {m} no longer detected" for m in sorted(old_hits - new_hits))
    if set(old.caps_applied) != set(new.caps_applied):
        before = ", ".join(sorted(old.caps_applied)) or "none"
        after = ", ".join(sorted(new.caps_applied)) or "none"
        reasons.append(f"caps applied: {before} → {after}")
    result_moved = old.score != new.score or old.level != new.level or flipped
    if result_moved and not reasons:
        reasons.append(
            "same rubric file, weights and grader settings: the grading code changed "
            f"({old.provenance.grader} grader)"
        )
    return flipped, reasons


def regrade_session(
    session: Session, bank: RubricBank, *, grader: AnswerGrader = grade_answer
) -> list[AnswerRegrade]:
    """Grade each question of ``session`` again from its stored transcripts (never the audio)."""
    results: list[AnswerRegrade] = []
    for question_id, turns in session.turns_by_question().items():
        home = session.graded_turn(question_id) or turns[-1]
        result = AnswerRegrade(session.id, question_id, home.index, latest_grade(home))
        if question_id not in bank:
            result.error = f"rubric {question_id!r} is not in the bank {bank.source}"
            results.append(result)
            continue
        result.new = grader(bank[question_id], session.answer(question_id))
        result.flipped, result.reasons = explain(result.old, result.new)
        results.append(result)
    return results


def save_regrades(session: Session, results: Sequence[AnswerRegrade]) -> int:
    """Append each new grade that differs (in result or provenance) to its turn; return count."""
    by_index = {turn.index: turn for turn in session.turns}
    saved = 0
    for result in results:
        if result.new is None or not (result.changed or result.provenance_changed):
            continue
        reason = "; ".join(result.reasons) or "regraded"
        by_index[result.turn_index].regrades.append(Regrade(grade=result.new, reason=reason))
        saved += 1
    return saved


def regrade_sessions(
    store: SessionStore,
    session_ids: Sequence[str],
    bank: RubricBank,
    *,
    save: bool = False,
    grader: AnswerGrader = grade_answer,
) -> list[SessionRegrade]:
    """Regrade several sessions; a damaged one is reported and the others still regrade."""
    reports: list[SessionRegrade] = []
    for session_id in session_ids:
        report = SessionRegrade(session_id)
        try:
            session = store.load(session_id)
        except SessionError as error:
            report.error = str(error)
            reports.append(report)
            continue
        report.answers = regrade_session(session, bank, grader=grader)
        if save:
            report.saved = save_regrades(session, report.answers)
            if report.saved:
                store.save(session)
        reports.append(report)
    return reports
