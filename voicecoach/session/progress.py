"""How the candidate's levels moved per topic across sessions, oldest first.

Each session contributes its overall score (``Session.overall_score``, as every command shows it)
and, per topic it touched, the mean score of that topic's questions (latest grade of each, so
saved regrades count) and the level that mean reaches on the levels' usual scale. Damaged
sessions are listed with their error and skipped, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voicecoach.errors import SessionError
from voicecoach.rubric.loader import RubricBank
from voicecoach.rubric.schema import LEVELS
from voicecoach.session.models import Session
from voicecoach.session.store import SessionStore


@dataclass(frozen=True)
class TopicPoint:
    """One topic in one session."""

    session_id: str
    created_at: str
    score: float
    level: str
    questions: dict[str, str]  # question id -> level


@dataclass
class Progress:
    """Per topic, a point per session that covered it; plus sessions that could not be read."""

    sessions: list[tuple[str, str, float | None]] = field(default_factory=list)  # id, date, score
    topics: dict[str, list[TopicPoint]] = field(default_factory=dict)
    damaged: dict[str, str] = field(default_factory=dict)

    def trend(self, topic: str) -> str:
        """'up', 'down', 'same' (first vs last session) or 'once' for a single session."""
        points = self.topics[topic]
        if len(points) < 2:
            return "once"
        first, last = points[0], points[-1]
        rank: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
        delta = rank[last.level] - rank[first.level]
        if delta == 0:
            delta = round(last.score - first.score)
        return "up" if delta > 0 else "down" if delta < 0 else "same"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sessions": [
                {"id": sid, "created_at": created, "score": score}
                for sid, created, score in self.sessions
            ],
            "topics": {
                topic: {
                    "trend": self.trend(topic),
                    "points": [
                        {
                            "session": p.session_id,
                            "created_at": p.created_at,
                            "score": p.score,
                            "level": p.level,
                            "questions": p.questions,
                        }
                        for p in points
                    ],
                }
                for topic, points in self.topics.items()
            },
            "damaged": self.damaged,
        }


def _level_of(levels: list[str]) -> str:
    """The level a topic's mean reaches: the mean of its questions' level ranks, rounded."""
    rank: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
    mean_rank = sum(rank[level] for level in levels) / len(levels)
    return LEVELS[int(mean_rank + 0.5)]


def _topic_points(session: Session, bank: RubricBank | None) -> dict[str, TopicPoint]:
    by_topic: dict[str, dict[str, tuple[float, str]]] = {}
    for question_id, grade in session.latest_grades().items():
        loaded = bank.get(question_id) if bank is not None else None
        topic = loaded.rubric.topic if loaded else question_id
        by_topic.setdefault(topic, {})[question_id] = (grade.score, grade.level)
    points = {}
    for topic, questions in by_topic.items():
        scores = [score for score, _ in questions.values()]
        levels = [level for _, level in questions.values()]
        mean = round(sum(scores) / len(scores), 1)
        points[topic] = TopicPoint(
            session.id,
            session.created_at,
            mean,
            _level_of(levels),
            {question_id: level for question_id, (_, level) in questions.items()},
        )
    return points


def collect_progress(store: SessionStore, bank: RubricBank | None) -> Progress:
    """Read every session and gather per-topic points in chronological order."""
    progress = Progress()
    sessions: list[Session] = []
    for session_id in store.ids():
        try:
            sessions.append(store.load(session_id))
        except SessionError as error:
            progress.damaged[session_id] = str(error)
    for session in sorted(sessions, key=lambda s: (s.created_at, s.id)):
        points = _topic_points(session, bank)
        if not points:
            continue
        progress.sessions.append((session.id, session.created_at, session.overall_score()))
        for topic, point in points.items():
            progress.topics.setdefault(topic, []).append(point)
    return progress
