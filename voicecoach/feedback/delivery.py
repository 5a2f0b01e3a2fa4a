"""Delivery over a whole session: per-answer metrics (``grading.delivery``) added up, and the
coaching notes each question's answers earned.

The report's delivery section and the summary's delivery notes both come from here, so they
count the same answers the same way.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from voicecoach.grading.delivery import delivery_metrics
from voicecoach.grading.models import Delivery
from voicecoach.session.models import Session, SummaryItem

QUOTE_WORDS = 12  # a delivery note quotes the opening words of the question's first answer


class PacePoint(BaseModel):
    """Speaking pace of one answered turn."""

    turn: int
    question_id: str | None
    words_per_minute: float
    fillers_per_minute: float


class SessionDelivery(BaseModel):
    """Delivery over the whole session, from word timings; empty when answers had none."""

    timed: bool = False
    words: int = 0
    speaking_seconds: float = 0.0
    words_per_minute: float | None = None
    fillers: int = 0
    fillers_per_minute: float | None = None
    long_pauses: int = 0
    pace: list[PacePoint] = Field(default_factory=list)
    notes: list[SummaryItem] = Field(default_factory=list)


def turn_delivery(session: Session) -> list[tuple[int, str | None, Delivery]]:
    """``(turn index, question id, metrics)`` for each answer that has word timings."""
    found = []
    for turn in session.turns:
        if turn.answer is None or not turn.answer.words:
            continue
        metrics = delivery_metrics(turn.answer)
        if metrics is not None and metrics.speaking_seconds > 0:
            found.append((turn.index, turn.question_id, metrics))
    return found


def delivery_notes(session: Session) -> list[SummaryItem]:
    """Each question's delivery notes (one per kind), quoting the opening words of its answer."""
    items: list[SummaryItem] = []
    seen: set[tuple[str, str]] = set()  # (question id, kind of note)
    quotes: dict[str, str] = {}
    for turn in session.turns:
        if turn.answer is None or not turn.answer.words or not turn.question_id:
            continue
        metrics = delivery_metrics(turn.answer)
        if metrics is None:
            continue
        quote = quotes.setdefault(
            turn.question_id, " ".join(turn.answer.text.split()[:QUOTE_WORDS])
        )
        for note in metrics.notes:
            kind = (turn.question_id, note.split(" (")[0])
            if kind not in seen:
                seen.add(kind)
                items.append(SummaryItem(question_id=turn.question_id, text=note, evidence=quote))
    return items


def session_delivery(session: Session, notes: list[SummaryItem]) -> SessionDelivery:
    """Words, speaking time, pace and fillers over every timed answer, with ``notes``."""
    per_turn = turn_delivery(session)
    if not per_turn:
        return SessionDelivery(notes=notes)
    words = sum(d.words for _, _, d in per_turn)
    seconds = sum(d.speaking_seconds for _, _, d in per_turn)
    fillers = sum(d.fillers for _, _, d in per_turn)
    minutes = seconds / 60 if seconds else 0.0
    return SessionDelivery(
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
