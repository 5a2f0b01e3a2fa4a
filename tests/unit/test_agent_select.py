"""Question selection: explicit ids, topic, count, time budget, natural order."""

from __future__ import annotations

import pytest

from voicecoach.agent.select import Selection, select_questions, spread
from voicecoach.errors import ConfigError, RubricError
from voicecoach.rubric.loader import RubricBank


def ids(bank: RubricBank, selection: Selection) -> list[str]:
    return [loaded.id for loaded in select_questions(bank, selection)]


def test_explicit_ids_in_the_given_order(real_bank: RubricBank) -> None:
    assert ids(real_bank, Selection(questions=("max-depth", "kmeans"))) == ["max-depth", "kmeans"]
    with pytest.raises(RubricError, match="known ids"):
        ids(real_bank, Selection(questions=("no-such-question",)))


def test_default_spreads_six_questions_in_natural_order(real_bank: RubricBank) -> None:
    chosen = select_questions(real_bank, Selection())
    assert len(chosen) == min(6, len(real_bank))
    orders = [loaded.rubric.order for loaded in chosen]
    assert orders == sorted(orders)
    # outside the design track a design case offers only its framing stage
    standalone = [r for r in real_bank.ordered() if not r.rubric.case or r.rubric.stage == "framing"]
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
