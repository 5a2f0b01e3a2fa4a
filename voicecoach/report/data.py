"""Everything a report shows, gathered once from a session and the bank; writers only format it.

The report uses each question's latest grade (a saved regrade wins over the live grade). The
summary is the one stored with the session; when it is missing (a crashed session) or grades were
regraded since, it is computed again from the grades, and ``summary_source`` says so.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from voicecoach.feedback.delivery import SessionDelivery, session_delivery
from voicecoach.feedback.summary import summarize
from voicecoach.grading.models import Grade
from voicecoach.grading.score import CREDIT
from voicecoach.rubric.loader import RubricBank
from voicecoach.session.models import Session, SessionSummary, Summarizer, SummaryItem, latest_grade


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
    verdict: str = ""
    self_review: str = ""
    strengths: list[SummaryItem]
    gaps: list[SummaryItem]
    advice: list[SummaryItem]
    delivery: SessionDelivery
    self_assessment: str | None = None
    interviewer_feedback: str | None = None
    summary_source: Literal["stored", "computed"] = "stored"
    notes: list[str] = Field(default_factory=list)


def _question_rows(session: Session, bank: RubricBank) -> list[QuestionRow]:
    rows: list[QuestionRow] = []
    for question_id, turns in session.turns_by_question().items():
        home = session.graded_turn(question_id)
        grade: Grade | None = latest_grade(home) if home is not None else None
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
                answer=session.answer(question_id).text,
                regraded=bool(home is not None and home.regrades),
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
            CREDIT.get(p.status, 0.0) * p.weight for r in members for p in r.key_points
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


def build_report(
    session: Session, bank: RubricBank, *, summarizer: Summarizer = summarize
) -> ReportData:
    """Gather the report of one session."""
    notes: list[str] = []
    regraded = any(turn.regrades for turn in session.turns)
    summary: SessionSummary | None = session.summary
    source: Literal["stored", "computed"] = "stored"
    if summary is None or regraded:
        summary = summarizer(session, bank)
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
    imported = session.config.get("import") if isinstance(session.config, dict) else None
    return ReportData(
        session={
            "id": session.id,
            "created_at": session.created_at,
            "status": session.status,
            "candidate": session.candidate,
            "turns": len(session.turns),
        },
        overall_score=session.overall_score(),
        questions=rows,
        topics=_topic_rows(rows),
        verdict=summary.verdict,
        self_review=summary.self_review,
        strengths=summary.strengths,
        gaps=summary.gaps,
        advice=summary.advice,
        delivery=session_delivery(session, summary.delivery),
        self_assessment=session.self_assessment,
        interviewer_feedback=imported.get("interviewer_feedback") if imported else None,
        summary_source=source,
        notes=notes,
    )
