"""The result of grading one answer against one rubric.

A grade is data, not prose: statuses with evidence quotes, misconception hits, the score and level
computed by code, the proposed follow-up, and the provenance needed to explain a regrade (rubric id,
version and content hash, grader name and settings, STT model).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from voicecoach.rubric.schema import Level, PointStatus


class KeyPointGrade(BaseModel):
    """Verdict for one key point, with the transcript span that supports it."""

    id: str
    status: PointStatus
    evidence: str = Field("", description="verbatim quote from the answer; empty when missing")
    start: int = Field(-1, description="offset of the evidence in the answer text; -1 if none")
    end: int = Field(-1, description="end offset of the evidence (exclusive); -1 if none")
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    weight: float = 1.0
    required: bool = True
    note: str = Field("", description="why the grader decided so, when it is not obvious")


class MisconceptionHit(BaseModel):
    """A misconception found in the answer, with the quote that shows it."""

    id: str
    evidence: str
    severity: str = "minor"
    correction: str = ""


class FollowUp(BaseModel):
    """The probe the interviewer would ask next, and the key point it targets."""

    question: str
    targets: str


class Delivery(BaseModel):
    """How the answer was spoken, from word timestamps."""

    words: int = 0
    speaking_seconds: float = 0.0
    words_per_minute: float = 0.0
    fillers: int = 0
    fillers_per_minute: float = 0.0
    filler_counts: dict[str, int] = Field(default_factory=dict)
    long_pauses: int = 0
    longest_pause: float = 0.0
    notes: list[str] = Field(default_factory=list)


class GradeProvenance(BaseModel):
    """Everything that determined this grade, so a regrade can say why it differs."""

    rubric_id: str
    rubric_version: int
    rubric_hash: str
    grader: str
    grader_settings: dict[str, Any] = Field(default_factory=dict)
    stt_engine: str = ""
    stt_model: str = ""
    graded_at: str = ""


class Grade(BaseModel):
    """One answer graded against one rubric."""

    question_id: str
    score: float = Field(ge=0.0, le=100.0)
    level: Level
    key_points: list[KeyPointGrade]
    misconceptions: list[MisconceptionHit] = Field(default_factory=list)
    followup: FollowUp | None = None
    delivery: Delivery | None = None
    provenance: GradeProvenance
    caps_applied: list[str] = Field(default_factory=list, description="which caps lowered it")
    notes: list[str] = Field(
        default_factory=list, description="sentences the grader ignored and why, fallbacks used"
    )
