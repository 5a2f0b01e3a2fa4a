"""Which questions an interview asks, and in what order.

A real interviewer starts with fundamentals and ends with a practical framing question; the bank
encodes that as each rubric's ``order``. Explicit ``--questions`` are asked as given (the user chose
them); otherwise questions are taken in natural order, and when fewer are wanted than the bank
(or topic) holds, they are spread evenly across it so a short interview still runs from the basics
to the practical end instead of only covering the first topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.errors import ConfigError
from voicecoach.rubric.loader import LoadedRubric, RubricBank

DEFAULT_COUNT = 6
# A question with its probes takes about this long in a spoken interview (reference: ~3-5 min).
MINUTES_PER_QUESTION = 4.0


@dataclass(frozen=True)
class Selection:
    """How to choose questions: explicit ids, a topic, a count or a time budget."""

    questions: tuple[str, ...] = ()  # explicit ids, asked in this order
    topic: str | None = None  # only this topic
    count: int | None = None  # how many (default DEFAULT_COUNT)
    minutes: float | None = None  # a time budget; sets the count when count is not given


def spread(items: list[LoadedRubric], count: int) -> list[LoadedRubric]:
    """``count`` items evenly spaced over ``items`` (first and last included), order kept."""
    if count >= len(items):
        return list(items)
    if count == 1:
        return [items[0]]
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def wanted_count(selection: Selection) -> int:
    """The number of questions asked for, from ``count`` or the time budget."""
    if selection.count is not None:
        if selection.count < 1:
            raise ConfigError("--count must be at least 1")
        return selection.count
    if selection.minutes is not None:
        if selection.minutes <= 0:
            raise ConfigError("--minutes must be positive")
        return max(1, int(selection.minutes // MINUTES_PER_QUESTION))
    return DEFAULT_COUNT


def select_questions(bank: RubricBank, selection: Selection) -> list[LoadedRubric]:
    """The interview plan; unknown ids or topics raise a one-line error listing what exists."""
    if selection.questions:
        plan = [bank.get_rubric(question_id) for question_id in selection.questions]
        if selection.count is not None or selection.minutes is not None:
            plan = plan[: wanted_count(selection)]
        return plan
    pool = bank.ordered()
    if selection.topic is not None:
        pool = bank.by_topic(selection.topic)
        if not pool:
            topics = ", ".join(sorted({r.rubric.topic for r in bank.values()})) or "none"
            raise ConfigError(f"no questions on topic {selection.topic!r}; topics: {topics}")
    if not pool:
        raise ConfigError("the question bank is empty")
    return spread(pool, wanted_count(selection))
