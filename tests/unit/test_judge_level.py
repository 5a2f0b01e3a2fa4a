"""The judge's learnt level (``voicecoach.grading.judge.level``) and how a grade applies it:
the shipped file is read and recorded, a broken one is an error naming it, the rubric's hard
caps still hold over it, and a card's score sits in the band of the level it reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from voicecoach.errors import ConfigError
from voicecoach.grading import grade_answer
from voicecoach.grading.judge.level import (
    FEATURES,
    LEVEL_FILE,
    LevelModel,
    installed_level_model,
)
from voicecoach.grading.judge.model import DATA_DIR
from voicecoach.grading.models import MisconceptionHit
from voicecoach.grading.score import relevelled
from voicecoach.rubric.loader import RubricBank

TREE = ("A deeper tree keeps splitting until the leaves hold a sample or two, so it fits the "
        "noise of the training set and does worse on new data.")


def test_the_shipped_level_model_reads_and_decides_a_level() -> None:
    model = installed_level_model()
    assert model is not None, f"{DATA_DIR / LEVEL_FILE} is not installed"
    assert len(model.sha256) == 64 and model.fitted["split"] == "dev"
    assert model.level(model.mean) in ("weak", "partial", "strong")


def test_grades_record_the_level_model_that_decided(bank: RubricBank) -> None:
    grade = grade_answer(bank["max-depth"], TREE, grader="judge")
    model = installed_level_model()
    assert model is not None
    assert grade.provenance.settings.level_sha256 == model.sha256  # type: ignore[attr-defined]


@pytest.mark.parametrize("damage", [
    lambda d: "not json {",
    lambda d: json.dumps({**d, "features": d["features"][:-1]}),
    lambda d: json.dumps({**d, "weights": d["weights"][:-1]}),
    lambda d: json.dumps({k: v for k, v in d.items() if k != "mean"}),
], ids=["not json", "other features", "short weights", "no mean"])
def test_a_broken_level_file_is_an_error_naming_it(tmp_path: Path, damage: object) -> None:
    shutil.copy(DATA_DIR / LEVEL_FILE, tmp_path / LEVEL_FILE)
    data = json.loads((tmp_path / LEVEL_FILE).read_text())
    (tmp_path / LEVEL_FILE).write_text(damage(data))  # type: ignore[operator]
    with pytest.raises(ConfigError, match=rf"{tmp_path / LEVEL_FILE}.*fit_level\.py"):
        installed_level_model(tmp_path)


def test_without_a_level_file_the_rubric_decides(tmp_path: Path) -> None:
    assert installed_level_model(tmp_path) is None


def _model(level_index: int) -> LevelModel:
    """A model that says one level whatever it reads."""
    weights = np.zeros((len(FEATURES) + 1, 3))
    weights[0, level_index] = 1.0
    return LevelModel(np.zeros(len(FEATURES)), np.ones(len(FEATURES)), weights, {})


def test_a_major_misconception_caps_the_learnt_level(bank: RubricBank) -> None:
    rubric = bank["max-depth"].rubric
    major = MisconceptionHit(id="x", evidence="deeper trees underfit", severity="major",
                             correction="they overfit")
    score, level, notes = relevelled(rubric, 60.0, "partial", "strong", [], [major])
    assert level == rubric.caps.major_misconception
    assert any("major misconception" in n for n in notes)
    assert score < rubric.thresholds.strong


def test_the_score_is_moved_into_the_band_of_the_level_reported(bank: RubricBank) -> None:
    rubric = bank["max-depth"].rubric
    strong, partial = rubric.thresholds.strong, rubric.thresholds.partial
    score, level, notes = relevelled(rubric, strong - 5.0, "partial", "strong", [], [])
    assert (level, score) == ("strong", strong) and "learnt" in notes[0]
    score, level, _ = relevelled(rubric, strong + 5.0, "strong", "partial", [], [])
    assert level == "partial" and partial <= score < strong
    score, level, _ = relevelled(rubric, partial + 2.0, "partial", "weak", [], [])
    assert level == "weak" and score < partial
    assert relevelled(rubric, 50.0, "partial", "partial", [], []) == (50.0, "partial", [])


def test_the_learnt_level_moves_at_most_one_level_from_the_rubric(bank: RubricBank) -> None:
    rubric = bank["max-depth"].rubric
    assert relevelled(rubric, 10.0, "weak", "strong", [], [])[1] == "partial"
    assert relevelled(rubric, 95.0, "strong", "weak", [], [])[1] == "partial"
    assert _model(2).level(np.zeros(len(FEATURES))) == "strong"


def test_the_learnt_level_never_lowers_an_answer_with_every_required_point_covered(
    bank: RubricBank,
) -> None:
    loaded = bank["max-depth"]
    covered = [p.model_copy(update={"status": "covered"})
               for p in grade_answer(loaded, TREE, grader="judge").key_points]
    assert relevelled(loaded.rubric, 100.0, "strong", "partial", covered, [])[1] == "strong"
    optional = [p.model_copy(update={"status": "partial"}) if not p.required else p
                for p in covered]
    assert any(not p.required for p in covered)
    assert relevelled(loaded.rubric, 90.0, "strong", "partial", optional, [])[1] == "strong"
    required = next(i for i, p in enumerate(covered) if p.required)
    one_short = [p.model_copy(update={"status": "partial"}) if i == required else p
                 for i, p in enumerate(covered)]
    assert relevelled(loaded.rubric, 90.0, "strong", "partial", one_short, [])[1] == "partial"


def test_the_learnt_level_calls_weak_only_an_answer_with_no_point_covered(
    bank: RubricBank,
) -> None:
    loaded = bank["max-depth"]
    points = grade_answer(loaded, TREE, grader="judge").key_points
    required = [i for i, p in enumerate(points) if p.required]
    one = [p.model_copy(update={"status": "covered" if i == required[0] else "missing"})
           for i, p in enumerate(points)]
    assert relevelled(loaded.rubric, 40.0, "partial", "weak", one, [])[1] == "partial"
    none = [p.model_copy(update={"status": "partial"}) for p in points]
    assert relevelled(loaded.rubric, 40.0, "partial", "weak", none, [])[1] == "weak"
