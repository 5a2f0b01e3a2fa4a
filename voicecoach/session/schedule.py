"""Spaced repetition over key points (SM-2), derived from the recorded sessions.

Every graded question of every session is one review of each of its key points. The point's status
in the question's latest grade (a saved regrade wins) gives an SM-2 quality: covered without a
probe 5, covered only after the interviewer probed it 3, partial 2, missing 1, contradicted 0.
SM-2 then keeps, per (question, point), an ease factor and an interval: a pass (quality >= 3)
grows the interval (1 day, 6 days, then interval x ease); a failure resets it to 0, so a missed
point is due again at once (SM-2 repeats failed items in the same sitting; here: the next session)
-- unless the question as a whole was answered strong: then nothing of it is due before
``STRONG_REST`` has passed, so practising twice in a row does not repeat a strong answer.

The schedule is a cache of the recordings, kept in ``review-schedule.json`` beside the session
folders so that choosing questions does not re-read every session: it records which sessions it
has applied (with their file's size and mtime). It is rebuilt from the recordings when it is
missing, damaged, from another schema, or when an applied session changed (a regrade), vanished,
or a session appeared that is older than the last one applied (an import). Written atomically;
a schedule that cannot be written is only a lost cache, never a failed command.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from voicecoach.errors import SessionError
from voicecoach.grading.models import Grade
from voicecoach.rubric.loader import LoadedRubric, RubricBank
from voicecoach.session.models import Session
from voicecoach.session.store import SESSION_FILE, SessionStore, atomic_write_text

SCHEDULE_FILE = "review-schedule.json"
SCHEDULE_SCHEMA = "voicecoach.review/v1"
START_EASE = 2.5
MIN_EASE = 1.3
PASS_QUALITY = 3
# status -> SM-2 quality (0-5); "covered" after a probe of that very point is PROBED_QUALITY
QUALITY = {"covered": 5, "partial": 2, "missing": 1, "contradicted": 0}
PROBED_QUALITY = 3
STRONG_REST = timedelta(days=1)


class PointReview(BaseModel):
    """SM-2 state of one key point of one question, after its latest review."""

    question: str
    point: str
    ease: float = START_EASE
    repetitions: int = Field(0, description="passes in a row since the last failure")
    interval_days: float = 0.0
    due: str = Field(description="ISO time from which the point is due again")
    reviewed_at: str
    quality: int = Field(ge=0, le=5)
    status: str
    session: str


class QuestionReview(BaseModel):
    """When a question was last asked and how it went."""

    question: str
    asked_at: str
    level: str
    session: str


class ReviewSchedule(BaseModel):
    """The whole schedule file."""

    schema_: str = Field(SCHEDULE_SCHEMA, alias="schema")
    sessions: dict[str, str] = Field(
        default_factory=dict, description="applied session id -> file stamp (size:mtime_ns)"
    )
    last_applied: tuple[str, str] | None = Field(None, description="(created_at, id), newest")
    points: dict[str, PointReview] = Field(default_factory=dict, description="'question/point'")
    questions: dict[str, QuestionReview] = Field(default_factory=dict)

    model_config = {"populate_by_name": True}

    def point_reviews(self, question_id: str) -> list[PointReview]:
        """The reviews of one question's points (any order)."""
        return [review for review in self.points.values() if review.question == question_id]

    def by_due(self, bank: RubricBank | None = None) -> list[PointReview]:
        """Every point's review, earliest due first; with a bank, only points it still has."""
        reviews = [
            r for r in self.points.values()
            if bank is None or (r.question in bank and _has_point(bank[r.question], r.point))
        ]
        return sorted(reviews, key=lambda r: (parse_time(r.due), r.question, r.point))

    def apply(self, session: Session) -> None:
        """Review every graded question of ``session`` (sessions must come oldest first)."""
        for question_id, grade, when, probed in graded_questions(session):
            self.questions[question_id] = QuestionReview(
                question=question_id, asked_at=when, level=grade.level, session=session.id
            )
            for point in grade.key_points:
                key = f"{question_id}/{point.id}"
                quality = (
                    PROBED_QUALITY if point.status == "covered" and point.id in probed
                    else QUALITY[point.status]
                )
                ease, repetitions, interval = sm2(self.points.get(key), quality)
                due = parse_time(when) + timedelta(days=interval)
                if grade.level == "strong":
                    due = max(due, parse_time(when) + STRONG_REST)
                self.points[key] = PointReview(
                    question=question_id, point=point.id, ease=ease, repetitions=repetitions,
                    interval_days=interval, due=due.isoformat(), reviewed_at=when,
                    quality=quality, status=point.status, session=session.id,
                )
        self.last_applied = (session.created_at, session.id)


def _has_point(loaded: LoadedRubric, point_id: str) -> bool:
    return any(point.id == point_id for point in loaded.rubric.key_points)


def parse_time(value: str) -> datetime:
    """An ISO time from a session or the schedule; naive times are taken as UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def sm2(previous: PointReview | None, quality: int) -> tuple[float, int, float]:
    """One SM-2 step (Wozniak 1990): the new (ease, repetitions, interval in days)."""
    ease = previous.ease if previous else START_EASE
    repetitions = previous.repetitions if previous else 0
    interval = previous.interval_days if previous else 0.0
    if quality >= PASS_QUALITY:
        interval = 1.0 if repetitions == 0 else 6.0 if repetitions == 1 else round(interval * ease)
        repetitions += 1
    else:
        repetitions, interval = 0, 0.0
    ease = max(MIN_EASE, ease + 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
    return round(ease, 3), repetitions, interval


def graded_questions(session: Session) -> Iterator[tuple[str, Grade, str, set[str]]]:
    """(question id, latest grade, when it was answered, key points the interviewer probed);
    a question skipped or left unanswered is not a review."""
    grades = session.latest_grades()
    for question_id, turns in session.turns_by_question().items():
        home = session.graded_turn(question_id)
        if home is None or question_id not in grades:
            continue
        probed = {turn.targets for turn in turns if turn.kind == "followup" and turn.targets}
        when = home.ended_at or home.started_at or session.created_at
        yield question_id, grades[question_id], when, probed


def _stamp(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _read(path: Path) -> ReviewSchedule | None:
    """The saved schedule, or None when it is missing, damaged or from another schema."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        schedule = ReviewSchedule.model_validate(data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError):
        return None
    return schedule if schedule.schema_ == SCHEDULE_SCHEMA else None


def load_schedule(store: SessionStore) -> ReviewSchedule:
    """The schedule for every readable session in ``store``, updated (and saved) as needed.

    Damaged sessions are skipped (``voicecoach sessions`` lists them with the reason) and tried
    again next time.
    """
    path = store.root / SCHEDULE_FILE
    stamps: dict[str, str] = {}
    for session_id in store.ids():
        try:
            stamps[session_id] = _stamp(store.session_dir(session_id) / SESSION_FILE)
        except OSError:
            continue
    saved = _read(path)
    schedule = saved or ReviewSchedule()
    if any(stamps.get(sid) != stamp for sid, stamp in schedule.sessions.items()):
        schedule = ReviewSchedule()  # a session was regraded or removed: replay them all
    new = _load_sessions(store, [sid for sid in stamps if sid not in schedule.sessions])
    last = schedule.last_applied
    if new and last is not None and (new[0].created_at, new[0].id) < last:
        schedule = ReviewSchedule()  # an older session arrived (an import): replay in time order
        new = _load_sessions(store, list(stamps))
    for session in new:
        schedule.apply(session)
        schedule.sessions[session.id] = stamps[session.id]
    if new or (saved is None and stamps):
        _save(path, schedule)
    return schedule


def _load_sessions(store: SessionStore, session_ids: list[str]) -> list[Session]:
    """The readable sessions among ``session_ids``, oldest first."""
    sessions = []
    for session_id in session_ids:
        try:
            sessions.append(store.load(session_id))
        except SessionError:
            continue
    return sorted(sessions, key=lambda s: (s.created_at, s.id))


def _save(path: Path, schedule: ReviewSchedule) -> None:
    with contextlib.suppress(OSError):  # only a cache: the next run rebuilds it
        atomic_write_text(path, schedule.model_dump_json(indent=2, by_alias=True) + "\n")
