"""On-disk models of a recorded interview (``recordings/<id>/session.json``).

A session is a list of turns. Each turn is one thing the interviewer said (a question, a follow-up,
the self-assessment request) and the candidate's answer to it, with audio paths relative to the
session directory, the transcript with word timings, and the grade of the question so far.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from voicecoach.grading.models import Grade
from voicecoach.speech.transcript import Transcript

SESSION_SCHEMA = "voicecoach.session/v1"
TurnKind = Literal["question", "followup", "self_assessment", "unmatched"]
SessionStatus = Literal["in_progress", "finished", "interrupted", "imported"]


def utc_now() -> str:
    """ISO-8601 UTC timestamp, second precision: sortable and readable."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Regrade(BaseModel):
    """A later grade of a turn's answer, stored beside the original, never overwriting it."""

    grade: Grade
    created_at: str = Field(default_factory=utc_now)
    reason: str = ""


class Turn(BaseModel):
    """One interviewer utterance and the candidate's answer to it."""

    index: int = Field(ge=0)
    kind: TurnKind
    question_id: str | None = None
    prompt: str = Field(description="what the interviewer said")
    targets: str | None = Field(None, description="key point id a follow-up probes")
    policy: str = Field("rubric", description="which policy produced the prompt (rubric, llm, …)")
    answer: Transcript | None = None
    question_audio: str | None = Field(None, description="path relative to the session dir")
    answer_audio: str | None = None
    grade: Grade | None = None
    regrades: list[Regrade] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    started_at: str = Field(default_factory=utc_now)
    ended_at: str | None = None


class Session(BaseModel):
    """A whole interview: configuration, turns, self-assessment and the closing summary."""

    schema_: str = Field(SESSION_SCHEMA, alias="schema")
    id: str
    status: SessionStatus = "in_progress"
    created_at: str = Field(default_factory=utc_now)
    updated_at: str = Field(default_factory=utc_now)
    candidate: str = ""
    config: dict[str, Any] = Field(default_factory=dict, description="settings used")
    questions: list[str] = Field(default_factory=list, description="planned question ids")
    turns: list[Turn] = Field(default_factory=list)
    self_assessment: str | None = None
    summary: dict[str, Any] | None = None

    model_config = {"populate_by_name": True}

    def final_grades(self) -> dict[str, Grade]:
        """The last grade recorded for each question, in question order."""
        grades: dict[str, Grade] = {}
        for turn in self.turns:
            if turn.question_id and turn.grade is not None:
                grades[turn.question_id] = turn.grade
        return grades

    def overall_score(self) -> float | None:
        """Mean of the questions' final scores, or None when nothing was graded."""
        grades = self.final_grades()
        if not grades:
            return None
        return round(sum(g.score for g in grades.values()) / len(grades), 1)
