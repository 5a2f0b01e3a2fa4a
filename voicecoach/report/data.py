"""Everything a report shows, gathered once from a session and the bank; writers only format it.

The report uses each question's latest grade (a saved regrade wins over the live grade). The
summary is the one stored with the session; when it is missing (a crashed session) or grades were
regraded since, it is computed again from the grades, and ``summary_source`` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from voicecoach.grading.models import Delivery, Grade
from voicecoach.rubric.loader import RubricBank
from voicecoach.session.models import Session
from voicecoach.session.regrade import combined_answer, latest_grade, turns_by_question

POINT_CREDIT = {"covered": 1.0, "partial": 0.5, "missing": 0.0, "contradicted": 0.0}


class Item(BaseModel):
    """One strength, gap, delivery note or piece of advice, linked to its evidence."""

    question_id: str | None = None
    text: str
    evidence: str = ""


class PointRow(BaseModel):
    id: str
    status: str
    evidence: str = ""
    weight: float = 1.0
    description: str = ""


class MisconceptionRow(BaseModel):
    id: str
    evidence: str
    correction: str = ""


class QuestionRow(BaseModel):
    """One bank question as the candidate answered it."""

    question_id: str
    topic: str
    question: str
    score: float | None
    level: str | None
    key_points: list[PointRow] = Field(default_factory=list)
    misconceptions: list[MisconceptionRow] = Field(default_factory=list)
    followups: int = 0
    answer: str = ""
    regraded: bool = False
    rubric_version: int | None = None


class PacePoint(BaseModel):
    """Speaking pace of one answered turn."""

    turn: int
    question_id: str | None
    words_per_minute: float
    fillers_per_minute: float


class DeliveryReport(BaseModel):
    """Delivery over the whole session, from word timings; empty when answers had none."""

    timed: bool = False
    words: int = 0
    speaking_seconds: float = 0.0
    words_per_minute: float | None = None
    fillers: int = 0
    fillers_per_minute: float | None = None
    long_pauses: int = 0
    pace: list[PacePoint] = Field(default_factory=list)
    notes: list[Item] = Field(default_factory=list)


class TopicRow(BaseModel):
    """Coverage of one topic: weighted share of key points covered (partial counts half)."""

    topic: str
    questions: int
    coverage: float
    mean_score: float


class ReportData(BaseModel):
    """The whole report, also the JSON format's schema."""

    session: dict[str, Any]
    overall_score: float | None
    questions: list[QuestionRow]
    topics: list[TopicRow]
    strengths: list[Item]
    gaps: list[Item]
    advice: list[Item]
    delivery: DeliveryReport
    self_assessment: str | None = None
    interviewer_feedback: str | None = None
    summary_source: Literal["stored", "computed"] = "stored"
    notes: list[str] = Field(default_factory=list)


def effective_session(session: Session) -> Session:
    """A copy whose turns carry their latest grade, so summaries see saved regrades."""
    copy = session.model_copy(deep=True)
    for turn in copy.turns:
        turn.grade = latest_grade(turn)
    return copy


def _items(raw: Any) -> list[Item]:
    """Summary items from the stored dict, tolerant of plain strings."""
    items: list[Item] = []
    for entry in raw or []:
        if isinstance(entry, Mapping):
            items.append(
                Item(
                    question_id=entry.get("question_id"),
                    text=str(entry.get("text", "")),
                    evidence=str(entry.get("evidence", "") or ""),
                )
            )
        elif isinstance(entry, str):
            items.append(Item(text=entry))
    return items


def _question_rows(session: Session, bank: RubricBank) -> list[QuestionRow]:
    rows: list[QuestionRow] = []
    for question_id, turns in turns_by_question(session).items():
        grades = [(turn, latest_grade(turn)) for turn in turns]
        graded = [(turn, grade) for turn, grade in grades if grade is not None]
        grade: Grade | None = graded[-1][1] if graded else None
        loaded = bank.get(question_id)
        rubric = loaded.rubric if loaded else None
        descriptions = {p.id: p.description for p in rubric.key_points} if rubric else {}
        question = next((t.prompt for t in turns if t.kind == "question"), turns[0].prompt)
        rows.append(
            QuestionRow(
                question_id=question_id,
                topic=rubric.topic if rubric else "unknown",
                question=rubric.question if rubric else question,
                score=grade.score if grade else None,
                level=grade.level if grade else None,
                key_points=[
                    PointRow(
                        id=p.id,
                        status=p.status,
                        evidence=p.evidence,
                        weight=p.weight,
                        description=descriptions.get(p.id, ""),
                    )
                    for p in (grade.key_points if grade else [])
                ],
                misconceptions=[
                    MisconceptionRow(id=m.id, evidence=m.evidence, correction=m.correction)
                    for m in (grade.misconceptions if grade else [])
                ],
                followups=sum(1 for t in turns if t.kind == "followup"),
                answer=combined_answer(turns).text,
                regraded=bool(graded and graded[-1][0].regrades),
                rubric_version=grade.provenance.rubric_version if grade else None,
            )
        )
    return rows


def _topic_rows(rows: list[QuestionRow]) -> list[TopicRow]:
    topics: dict[str, list[QuestionRow]] = {}
    for row in rows:
        if row.score is not None:
            topics.setdefault(row.topic, []).append(row)
    result = []
    for topic, members in topics.items():
        weight = sum(p.weight for r in members for p in r.key_points) or 1.0
        credit = sum(
            POINT_CREDIT.get(p.status, 0.0) * p.weight for r in members for p in r.key_points
        )
        result.append(
            TopicRow(
                topic=topic,
                questions=len(members),
                coverage=round(credit / weight, 3),
                mean_score=round(sum(r.score or 0.0 for r in members) / len(members), 1),
            )
        )
    return result


def _turn_delivery(session: Session) -> list[tuple[int, str | None, Delivery]]:
    """Delivery metrics of each answer that has word timings."""
    try:
        from voicecoach.grading.delivery import delivery_metrics
    except ImportError:  # grading without delivery metrics: no pace data
        return []
    found = []
    for turn in session.turns:
        if turn.answer is None or not turn.answer.words:
            continue
        metrics = delivery_metrics(turn.answer)
        if metrics is not None and metrics.speaking_seconds > 0:
            found.append((turn.index, turn.question_id, metrics))
    return found


def _delivery(session: Session, notes: list[Item]) -> DeliveryReport:
    per_turn = _turn_delivery(session)
    if not per_turn:
        return DeliveryReport(notes=notes)
    words = sum(d.words for _, _, d in per_turn)
    seconds = sum(d.speaking_seconds for _, _, d in per_turn)
    fillers = sum(d.fillers for _, _, d in per_turn)
    minutes = seconds / 60 if seconds else 0.0
    return DeliveryReport(
        timed=True,
        words=words,
        speaking_seconds=round(seconds, 1),
        words_per_minute=round(words / minutes, 1) if minutes else None,
        fillers=fillers,
        fillers_per_minute=round(fillers / minutes, 1) if minutes else None,
        long_pauses=sum(d.long_pauses for _, _, d in per_turn),
        pace=[
            PacePoint(
                turn=index,
                question_id=question_id,
                words_per_minute=round(d.words_per_minute, 1),
                fillers_per_minute=round(d.fillers_per_minute, 1),
            )
            for index, question_id, d in per_turn
        ],
        notes=notes,
    )


Summarizer = Callable[[Session, RubricBank], Any]


def _default_summarizer(session: Session, bank: RubricBank) -> Any:
    from voicecoach.grading.summary import summarize

    return summarize(session, bank)


def build_report(
    session: Session, bank: RubricBank, *, summarizer: Summarizer = _default_summarizer
) -> ReportData:
    """Gather the report of one session."""
    notes: list[str] = []
    regraded = any(turn.regrades for turn in session.turns)
    summary = session.summary
    source: Literal["stored", "computed"] = "stored"
    if summary is None or regraded:
        computed = summarizer(effective_session(session), bank)
        summary = computed.model_dump() if hasattr(computed, "model_dump") else dict(computed)
        source = "computed"
        notes.append(
            "summary computed from saved regrades"
            if regraded
            else "no stored summary (session ended early): computed from its grades"
        )
    rows = _question_rows(session, bank)
    missing = [row.question_id for row in rows if row.question_id not in bank]
    if missing:
        notes.append(f"rubrics no longer in the bank: {', '.join(missing)}")
    scores = [row.score for row in rows if row.score is not None]
    imported = session.config.get("import") if isinstance(session.config, dict) else None
    return ReportData(
        session={
            "id": session.id,
            "created_at": session.created_at,
            "status": session.status,
            "candidate": session.candidate,
            "turns": len(session.turns),
        },
        overall_score=round(sum(scores) / len(scores), 1) if scores else None,
        questions=rows,
        topics=_topic_rows(rows),
        strengths=_items(summary.get("strengths")),
        gaps=_items(summary.get("gaps")),
        advice=_items(summary.get("advice")),
        delivery=_delivery(session, _items(summary.get("delivery"))),
        self_assessment=session.self_assessment,
        interviewer_feedback=imported.get("interviewer_feedback") if imported else None,
        summary_source=source,
        notes=notes,
    )
