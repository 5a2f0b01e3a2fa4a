"""On-disk models of a recorded interview (``recordings/<id>/session.json``), and its facts.

A session is a list of turns. Each turn is one thing the interviewer said (a question, a follow-up,
the self-assessment request) and the candidate's answer to it, with audio paths relative to the
session directory, the transcript with word timings, and the grade of the question so far.

:class:`Session` owns the facts every command reports, so they cannot disagree: what the candidate
said to a question (:meth:`Session.answer`, one join for live grading, import, regrade and report),
each question's latest grade (a saved regrade wins over the live grade), the overall score, and
the typed closing summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, field_validator

from voicecoach.grading.models import Grade
from voicecoach.session.moves import MoveRecord
from voicecoach.speech.transcript import Transcript, Word

if TYPE_CHECKING:
    from voicecoach.rubric.loader import RubricBank

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
    moves: list[MoveRecord] = Field(
        default_factory=list, description="requests instead of answers (repeat, don't know, …)"
    )
    started_at: str = Field(default_factory=utc_now)
    ended_at: str | None = None


class SummaryItem(BaseModel):
    """One line of feedback, linked to its question and to what the candidate said."""

    question_id: str = ""
    text: str
    evidence: str = ""
    topic: str = ""
    questions: list[str] = Field(default_factory=list, description="all questions it is about")
    idea: str = Field("", description="a gap's correct idea, in a sentence or two")


class SessionSummary(BaseModel):
    """The closing feedback stored with a session (built by ``voicecoach.feedback``)."""

    verdict: str = Field("", description="the overall verdict against a bar")
    self_review: str = Field("", description="the self-assessment acknowledged and compared")
    strengths: list[SummaryItem] = Field(default_factory=list)
    gaps: list[SummaryItem] = Field(default_factory=list)
    delivery: list[SummaryItem] = Field(default_factory=list)
    advice: list[SummaryItem] = Field(default_factory=list)

    @field_validator("strengths", "gaps", "delivery", "advice", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        """Older sessions may store an item as a bare string: keep it as the item's text."""
        if isinstance(value, list):
            return [{"text": item} if isinstance(item, str) else item for item in value]
        return value


def join_texts(texts: Iterable[str]) -> str:
    """Answer texts as one answer: a sentence end between them (added when one lacks it), so one
    answer's last words never run into the next answer's first sentence."""
    parts = [text.strip() for text in texts if text.strip()]
    return " ".join(part if part[-1] in ".?!" else part + "." for part in parts)


def combined_answer(turns: Sequence[Turn]) -> Transcript:
    """Everything the candidate said across ``turns`` (a question and its follow-ups), as one
    transcript: texts joined by :func:`join_texts`, word timings shifted so they keep increasing.

    The one way answers are joined: live grading, import, regrade and report all call it, so
    the same turns always grade the same.
    """
    answered = [turn.answer for turn in turns if turn.answer is not None]
    if not answered:
        return Transcript.from_text("")
    words: list[Word] = []
    offset = 0.0
    for answer in answered:
        words.extend(
            Word(word=w.word, start=w.start + offset, end=w.end + offset, probability=w.probability)
            for w in answer.words
        )
        offset += answer.duration or (answer.words[-1].end if answer.words else 0.0)
    first = answered[0]
    return Transcript(
        text=join_texts(answer.text for answer in answered),
        words=words,
        duration=offset,
        engine=first.engine,
        model=first.model,
        settings=first.settings,
    )


def latest_grade(turn: Turn) -> Grade | None:
    """The most recent grade of a turn: its last regrade, else the grade recorded live."""
    return turn.regrades[-1].grade if turn.regrades else turn.grade


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
    summary: SessionSummary | None = None

    model_config = {"populate_by_name": True}

    def turns_by_question(self) -> dict[str, list[Turn]]:
        """The question and follow-up turns of each bank question, in session order."""
        grouped: dict[str, list[Turn]] = {}
        for turn in self.turns:
            if turn.question_id and turn.kind in ("question", "followup"):
                grouped.setdefault(turn.question_id, []).append(turn)
        return grouped

    def answer(self, question_id: str) -> Transcript:
        """Everything the candidate said to one question (see :func:`combined_answer`)."""
        return combined_answer(self.turns_by_question().get(question_id, []))

    def graded_turn(self, question_id: str) -> Turn | None:
        """The turn that holds the question's grade: its last graded turn (regrades go there)."""
        graded = [t for t in self.turns_by_question().get(question_id, []) if t.grade is not None]
        return graded[-1] if graded else None

    def latest_grades(self) -> dict[str, Grade]:
        """Each graded question's latest grade (a saved regrade wins), in question order."""
        grades: dict[str, Grade] = {}
        for question_id in self.turns_by_question():
            turn = self.graded_turn(question_id)
            grade = latest_grade(turn) if turn is not None else None
            if grade is not None:
                grades[question_id] = grade
        return grades

    def overall_score(self) -> float | None:
        """Mean of the questions' latest scores, or None when nothing was graded: the one overall
        score that ``sessions``, ``report``, ``progress`` and the live feedback all show."""
        grades = self.latest_grades()
        if not grades:
            return None
        # a question asked and not answered (skipped, "I don't know" twice) counts as zero
        asked = [q for q in self.turns_by_question() if q in grades or self._given_up(q)]
        return round(sum(grades[q].score if q in grades else 0.0 for q in asked) / len(asked), 1)

    def _given_up(self, question_id: str) -> bool:
        """Whether the candidate skipped this question or said they did not know it."""
        return any(move.kind in ("skip", "dont_know")
                   for turn in self.turns_by_question().get(question_id, [])
                   for move in turn.moves)


# builds a session's closing summary from its latest grades (``voicecoach.feedback.summarize``,
# a layer above this one, is passed down by the commands that need it)
Summarizer = Callable[[Session, "RubricBank"], SessionSummary]
