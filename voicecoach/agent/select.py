"""Which questions an interview asks, and in what order.

A real interviewer starts with fundamentals and ends with a practical framing question; the bank
encodes that as each rubric's ``order``. Explicit ``--questions`` are asked as given (the user chose
them, each once). Otherwise the pool is the bank, a track or a topic, grouped into units (a
question, or in the design track a design case's stages as one block, see ``rubric.tracks``), and
the recorded sessions decide what comes back (``session.schedule``, SM-2 over key points):

1. units with a key point due for review (missed last time: due at once), most overdue first;
2. units never asked, spread evenly over the pool so a short interview still runs from the basics
   to the practical end instead of only covering the first topic;
3. only when those run out, units asked before and not yet due, soonest due first.

A question answered strong is not due again for at least a day whatever its points say, so
practising twice in a row asks new questions (see ``session.schedule``). The chosen units are
asked in interview order. The reference track is the whole reference interview unless a count
or time budget is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from voicecoach.errors import ConfigError
from voicecoach.rubric.loader import LoadedRubric, RubricBank
from voicecoach.rubric.tracks import DESIGN_TRACK, REFERENCE_TRACK, Unit, track_rubrics, units
from voicecoach.session.schedule import ReviewSchedule, parse_time

T = TypeVar("T")

DEFAULT_COUNT = 6
# A question with its probes takes about this long in a spoken interview (reference: ~3-5 min).
MINUTES_PER_QUESTION = 4.0


@dataclass(frozen=True)
class Selection:
    """How to choose questions: explicit ids, a topic, a count or a time budget."""

    questions: tuple[str, ...] = ()  # explicit ids, asked in this order
    topic: str | None = None  # only this topic
    track: str | None = None  # only this practice track
    count: int | None = None  # how many (default DEFAULT_COUNT)
    minutes: float | None = None  # a time budget; sets the count when count is not given


def spread(items: list[T], count: int) -> list[T]:
    """``count`` items evenly spaced over ``items`` (first and last included), order kept."""
    if count >= len(items):
        return list(items)
    if count == 1:
        return [items[0]]
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def wanted_count(selection: Selection, default: int = DEFAULT_COUNT) -> int:
    """The number of questions asked for, from ``count`` or the time budget."""
    if selection.count is not None:
        if selection.count < 1:
            raise ConfigError("--count must be at least 1")
        return selection.count
    if selection.minutes is not None:
        if selection.minutes <= 0:
            raise ConfigError("--minutes must be positive")
        return max(1, int(selection.minutes // MINUTES_PER_QUESTION))
    return default


def due_at(loaded: LoadedRubric, schedule: ReviewSchedule) -> datetime | None:
    """When a question is next due (None: never asked): its earliest due key point. Points no
    longer in the rubric are ignored; a question whose points all changed is due at once."""
    asked = schedule.questions.get(loaded.id)
    if asked is None:
        return None
    current = {point.id for point in loaded.rubric.key_points}
    dues = [parse_time(r.due) for r in schedule.point_reviews(loaded.id) if r.point in current]
    return min(dues) if dues else parse_time(asked.asked_at)


def prioritised(candidates: list[Unit], schedule: ReviewSchedule, now: datetime,
                room: int) -> list[Unit]:
    """Due units (most overdue first), then new ones (spread), then the rest (soonest due).
    A block is judged by the stages that would be asked (its first ``room``)."""
    due: list[tuple[datetime, Unit]] = []
    new: list[Unit] = []
    later: list[tuple[datetime, Unit]] = []
    for unit in candidates:
        known = [d for d in (due_at(loaded, schedule) for loaded in unit[:room]) if d is not None]
        if not known:
            new.append(unit)
        else:
            (due if min(known) <= now else later).append((min(known), unit))
    first = [unit for _, unit in sorted(due, key=lambda pair: pair[0])]
    rest = [unit for _, unit in sorted(later, key=lambda pair: pair[0])]
    room_for_new = max(0, room - sum(len(unit) for unit in first))
    return first + spread_units(new, room_for_new) + rest


def spread_units(candidates: list[Unit], room: int) -> list[Unit]:
    """Single questions spread evenly over the pool for ``room`` places, then the others in
    order; blocks (design cases) simply in order."""
    if room < 1 or any(len(unit) > 1 for unit in candidates):
        return candidates
    chosen = spread(candidates, room)
    return chosen + [unit for unit in candidates if unit not in chosen]


def fill(ranked: list[Unit], count: int, *, strict: bool) -> list[Unit]:
    """Whole units in rank order while they fit. A first unit larger than the count is cut to its
    first stages when the count was asked for (``strict``), else asked whole."""
    plan: list[Unit] = []
    room = count
    for unit in ranked:
        if room <= 0:
            break
        if len(unit) <= room:
            plan.append(unit)
        elif not plan:
            plan.append(unit[:room] if strict else unit)
        else:
            continue
        room -= len(plan[-1])
    return plan


def select_questions(
    bank: RubricBank,
    selection: Selection,
    schedule: ReviewSchedule | None = None,
    now: datetime | None = None,
) -> list[LoadedRubric]:
    """The interview plan; unknown ids, topics or tracks raise a one-line error listing what
    exists. ``schedule`` (the recorded sessions' reviews) and ``now`` make choice come back to
    what was missed; without a schedule every question counts as new."""
    if selection.questions:
        plan = [bank.get_rubric(question_id) for question_id in dict.fromkeys(selection.questions)]
        if selection.count is not None or selection.minutes is not None:
            plan = plan[: wanted_count(selection)]
        return plan
    pool = bank.ordered()
    if selection.track is not None:
        pool = track_rubrics(bank, selection.track)
    if selection.topic is not None:
        pool = [loaded for loaded in pool if loaded.rubric.topic == selection.topic]
        if not pool:
            topics = ", ".join(sorted({r.rubric.topic for r in bank.values()})) or "none"
            where = f" in track {selection.track!r}" if selection.track else ""
            raise ConfigError(f"no questions on topic {selection.topic!r}{where}; topics: {topics}")
    if not pool:
        raise ConfigError("the question bank is empty")
    candidates = units(pool, blocks=selection.track == DESIGN_TRACK)
    if not candidates:
        raise ConfigError("no question here can be asked on its own (design-case stages come "
                          "with their case: use --track ml-system-design)")
    whole = selection.track == REFERENCE_TRACK
    count = wanted_count(selection, default=len(pool) if whole else DEFAULT_COUNT)
    ranked = prioritised(candidates, schedule or ReviewSchedule(), now or datetime.now(UTC),
                         count)
    strict = selection.count is not None or selection.minutes is not None
    chosen = fill(ranked, count, strict=strict)
    position = {loaded.id: index for index, loaded in enumerate(pool)}
    chosen.sort(key=lambda unit: position[unit[0].id])
    return [loaded for unit in chosen for loaded in unit]
