"""Question selection: explicit ids, topic, count, time budget, natural order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fixtures.tracks import graded_session as session
from voicecoach.agent.select import Selection, select_questions, spread
from voicecoach.errors import ConfigError, RubricError
from voicecoach.rubric.loader import RubricBank, load_bank
from voicecoach.session.schedule import ReviewSchedule


def ids(bank: RubricBank, selection: Selection, schedule: ReviewSchedule | None = None,
        now: datetime | None = None) -> list[str]:
    return [loaded.id for loaded in select_questions(bank, selection, schedule, now)]


def test_explicit_ids_in_the_given_order(real_bank: RubricBank) -> None:
    assert ids(real_bank, Selection(questions=("max-depth", "kmeans"))) == ["max-depth", "kmeans"]
    assert ids(real_bank, Selection(questions=("kmeans", "kmeans"))) == ["kmeans"]  # never twice
    with pytest.raises(RubricError, match="known ids"):
        ids(real_bank, Selection(questions=("no-such-question",)))


def test_default_spreads_six_questions_in_natural_order(real_bank: RubricBank) -> None:
    chosen = select_questions(real_bank, Selection())
    assert len(chosen) == min(6, len(real_bank))
    orders = [loaded.rubric.order for loaded in chosen]
    assert orders == sorted(orders)
    # outside the design track a design case offers only its framing stage
    standalone = [r for r in real_bank.ordered()
                  if not r.rubric.case or r.rubric.stage == "framing"]
    assert chosen[0].id == standalone[0].id and chosen[-1].id == standalone[-1].id


def test_topic_count_and_minutes(real_bank: RubricBank) -> None:
    trees = ids(real_bank, Selection(topic="trees", count=2))
    assert len(trees) == 2
    assert all(real_bank[q].rubric.topic == "trees" for q in trees)
    assert len(ids(real_bank, Selection(minutes=9))) == 2
    with pytest.raises(ConfigError, match="topics:"):
        ids(real_bank, Selection(topic="astrology"))


def test_spread_keeps_ends() -> None:
    items = list(range(10))
    assert spread(items, 3) == [0, 4, 9]  # type: ignore[arg-type]
    assert spread(items, 20) == items  # type: ignore[arg-type]


# --- tracks, design cases and choice from the recorded sessions (fixed clock) ---------------

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def reviewed(answers: dict[str, str], days_ago: float = 0.0) -> ReviewSchedule:
    """A schedule after one session answering each question 'strong' (both points covered) or
    'partial' (the noise point missing)."""
    when = (NOW - timedelta(days=days_ago)).isoformat()
    statuses = {"strong": {"limits-complexity": "covered", "noise": "covered"},
                "partial": {"limits-complexity": "covered", "noise": "missing"}}
    schedule = ReviewSchedule()
    schedule.apply(session("s1", when, {q: statuses[level] for q, level in answers.items()}))
    return schedule


def test_tracks_pick_their_questions_and_reference_is_whole_in_order(
    tracked_bank_dir: Path,
) -> None:
    bank = load_bank(tracked_bank_dir)
    assert ids(bank, Selection(track="reference")) == ["ref-one", "ref-two", "ref-three"]
    assert ids(bank, Selection(track="deep-learning")) == ["deep-a", "deep-b"]
    assert ids(bank, Selection(track="ml-fundamentals", topic="deep-learning")) == ["deep-b"]
    assert len(ids(bank, Selection(track="ml-fundamentals"))) == 5
    with pytest.raises(ConfigError, match=r"unknown track 'x'; tracks: deep-learning \(2\)"):
        ids(bank, Selection(track="x"))
    with pytest.raises(ConfigError, match="no questions on topic 'trees' in track"):
        ids(bank, Selection(track="reference", topic="trees"))


def test_design_cases_are_blocks_in_stage_order_only_in_the_design_track(
    tracked_bank_dir: Path,
) -> None:
    bank = load_bank(tracked_bank_dir)
    # no count: the first case whole, then what else fits the default six
    assert ids(bank, Selection(track="ml-system-design")) == [
        "shop-framing", "shop-label", "shop-model", "ads-framing", "ads-label"]
    assert ids(bank, Selection(track="ml-system-design", count=2)) == [
        "shop-framing", "shop-label"]
    assert ids(bank, Selection(track="ml-system-design", count=4)) == [
        "shop-framing", "shop-label", "shop-model"]  # a second case is not cut to fit
    from tests.fixtures.tracks import TRACKED, write_tracked_bank

    cold = write_tracked_bank(tracked_bank_dir.parent / "cold", {
        **TRACKED, "cold-label": (900, ["ml-system-design"], "cold", "label")})
    # a case without a framing stage is not asked (lint names it)
    assert "cold-label" not in ids(load_bank(cold), Selection(track="ml-system-design", count=9))
    everything = ids(bank, Selection(count=20))
    assert "shop-framing" in everything and "ads-framing" in everything
    assert "shop-label" not in everything and "untracked" in everything
    assert ids(bank, Selection(topic="ml-system-design")) == ["shop-framing", "ads-framing"]
    only_stages = write_tracked_bank(tracked_bank_dir.parent / "stages", {
        "late-label": (10, ["ml-system-design"], "late", "label")})
    with pytest.raises(ConfigError, match="can be asked on its own"):
        ids(load_bank(only_stages), Selection())


def test_due_points_come_first_and_strong_answers_rest(tracked_bank_dir: Path) -> None:
    bank = load_bank(tracked_bank_dir)
    fundamentals = Selection(track="ml-fundamentals", count=2)
    schedule = reviewed({"fund-b": "partial", "ref-one": "strong", "deep-b": "strong"})
    # fund-b's missed point is due now; the strong ones rest; a new one fills the other place
    assert ids(bank, fundamentals, schedule, NOW) == ["fund-a", "fund-b"]
    # a day later the strong answers' points are due as well, fund-b's the most overdue
    tomorrow = NOW + timedelta(days=1, minutes=1)
    three = Selection(track="ml-fundamentals", count=3)
    assert ids(bank, three, schedule, tomorrow) == ["ref-one", "fund-b", "deep-b"]
    # one place: the most overdue point wins
    assert ids(bank, Selection(track="ml-fundamentals", count=1), schedule, tomorrow) == [
        "fund-b"]


def test_seen_questions_fill_only_when_new_ones_run_out(tracked_bank_dir: Path) -> None:
    bank = load_bank(tracked_bank_dir)
    schedule = reviewed({"deep-a": "strong"}, days_ago=0.5)
    later = reviewed({"deep-b": "strong"}, days_ago=0.1)
    schedule.points.update(later.points)
    schedule.questions.update(later.questions)
    assert ids(bank, Selection(track="deep-learning", count=1), schedule, NOW) == ["deep-a"]
    assert ids(bank, Selection(track="reference", count=2), schedule, NOW) == [
        "ref-one", "ref-three"]  # spread over the new ones
