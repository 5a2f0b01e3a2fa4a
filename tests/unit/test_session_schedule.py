"""SM-2 over key points from recorded sessions: qualities, intervals and ease, the strong rest,
regrades, and the schedule file (incremental, rebuilt when damaged, stale or out of order)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.fixtures.tracks import graded_session as session
from tests.fixtures.tracks import point_grade as grade
from voicecoach.session.models import Regrade
from voicecoach.session.schedule import (
    SCHEDULE_FILE,
    PointReview,
    ReviewSchedule,
    load_schedule,
    parse_time,
    sm2,
)
from voicecoach.session.store import SessionStore

T0 = "2026-01-01T10:00:00+00:00"


def after(days: float) -> str:
    return (parse_time(T0) + timedelta(days=days)).isoformat()


def test_sm2_passes_grow_the_interval_and_a_failure_resets_it() -> None:
    schedule = ReviewSchedule()
    history = []
    for n, (days, status) in enumerate([(0, "covered"), (1, "covered"), (7, "covered"),
                                        (23, "missing")]):
        schedule.apply(session(f"s{n}", after(days), {"q": {"a": status, "b": "covered"}}))
        history.append(schedule.points["q/a"])
    assert [r.interval_days for r in history] == [1.0, 6.0, 16.0, 0.0]  # 16 = round(6 x 2.7)
    assert [r.ease for r in history[:3]] == [2.6, 2.7, 2.8]
    assert history[2].due == after(23)
    assert (history[3].repetitions, history[3].due) == (0, after(23))  # due again at once
    assert history[3].ease == pytest.approx(2.8 + 0.1 - 4 * (0.08 + 4 * 0.02))
    assert sm2(None, 0)[0] == 1.7
    assert sm2(PointReview(question="q", point="a", ease=1.7, due=T0, reviewed_at=T0, quality=0,
                           status="contradicted", session="s"), 0)[0] == 1.3  # the floor


def test_quality_from_status_and_probes() -> None:
    schedule = ReviewSchedule()
    schedule.apply(session("s1", T0, {"q": {"said": "covered", "probed": "covered",
                                            "half": "partial", "no": "missing",
                                            "wrong": "contradicted"}}, probed={"q": "probed"}))
    quality = {r.point: r.quality for r in schedule.point_reviews("q")}
    assert quality == {"said": 5, "probed": 3, "half": 2, "no": 1, "wrong": 0}
    due = {r.point: r.due for r in schedule.point_reviews("q")}
    assert due["no"] == due["half"] == T0 and due["said"] == due["probed"] == after(1)


def test_a_strong_answer_rests_a_day_even_with_a_missed_minor_point() -> None:
    schedule = ReviewSchedule()
    schedule.apply(session("s1", T0, {"q": {"a": "covered", "b": "covered", "d": "covered",
                                            "c": "missing"}}))
    assert schedule.questions["q"].level == "strong"
    reviews = {r.point: r for r in schedule.point_reviews("q")}
    assert reviews["c"].interval_days == 0 and reviews["c"].due == after(1)


def test_schedule_file_is_incremental_and_rebuilt_when_stale(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "rec")
    assert load_schedule(store).points == {}
    assert not (store.root / SCHEDULE_FILE).exists()  # nothing recorded: nothing written
    store.save(session("s1", T0, {"q": {"a": "missing"}}))
    schedule = load_schedule(store)
    assert schedule.points["q/a"].status == "missing"
    path = store.root / SCHEDULE_FILE
    assert set(json.loads(path.read_text())["sessions"]) == {"s1"}

    store.save(session("s2", after(1), {"q": {"a": "covered"}}))
    schedule = load_schedule(store)
    assert schedule.points["q/a"].status == "covered" and schedule.points["q/a"].session == "s2"
    assert schedule.points["q/a"].interval_days == 1.0

    # a saved regrade of the older session changes the replayed history
    s1 = store.load("s1")
    s1.turns[0].regrades.append(Regrade(grade=grade("q", {"a": "covered"})))
    store.save(s1)
    schedule = load_schedule(store)
    assert schedule.points["q/a"].repetitions == 2 and schedule.points["q/a"].interval_days == 6

    # an imported session older than the last one applied: replayed in time order
    store.save(session("imported", after(0.5), {"q": {"a": "missing"}}))
    schedule = load_schedule(store)
    assert (schedule.points["q/a"].session, schedule.points["q/a"].repetitions) == ("s2", 1)

    # the file matches a rebuild from scratch, and a damaged file is rebuilt
    path.write_text("{ not json")
    assert load_schedule(store).points == schedule.points
    assert json.loads(path.read_text())["schema"] == "voicecoach.review/v1"


def test_damaged_sessions_are_skipped_and_retried(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "rec")
    store.save(session("s1", T0, {"q": {"a": "missing"}}))
    (store.root / "s2").mkdir()
    (store.root / "s2" / "session.json").write_text("{")
    schedule = load_schedule(store)
    assert set(schedule.sessions) == {"s1"}
    store.save(session("s2", after(1), {"q": {"a": "covered"}}))
    assert load_schedule(store).points["q/a"].session == "s2"


def test_removed_session_is_forgotten(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "rec")
    store.save(session("s1", T0, {"q": {"a": "missing"}}))
    store.save(session("s2", after(1), {"r": {"a": "covered"}}))
    assert set(load_schedule(store).questions) == {"q", "r"}
    (store.root / "s1" / "session.json").unlink()
    assert set(load_schedule(store).questions) == {"r"}
