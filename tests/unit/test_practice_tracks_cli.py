"""Tracks and practice that comes back, through the real CLI (Typer runner, real offline grader,
real session store) on a small tracked bank: every track runs, strong answers are not repeated in
the next session, a missed key point comes back within two sessions, and ``progress`` shows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.fixtures.tracks import PARTIAL, STRONG, TRACKED
from voicecoach.cli import app
from voicecoach.errors import ConfigError
from voicecoach.session.schedule import SCHEDULE_FILE
from voicecoach.session.store import SessionStore

runner = CliRunner()


@pytest.fixture
def recordings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SessionStore:
    monkeypatch.setenv("VOICECOACH_RECORDINGS", str(tmp_path / "recordings"))
    return SessionStore(tmp_path / "recordings")


def practise(bank: Path, tmp_path: Path, session_id: str, answers: list[str], *args: str) -> None:
    script = tmp_path / f"{session_id}.yaml"
    script.write_text(yaml.safe_dump([*answers, "It went fine."]), encoding="utf-8")
    result = runner.invoke(app, [
        "practice", "--text", "--rubrics", str(bank), "--answers", str(script),
        "--session-id", session_id, "--max-probes", "0", *args,
    ])
    assert result.exit_code == 0, result.output + repr(result.exception)


def asked(store: SessionStore, session_id: str) -> list[str]:
    session = store.load(session_id)
    return [t.question_id for t in session.turns if t.kind == "question" and t.question_id]


@pytest.mark.parametrize("track", ["ml-fundamentals", "deep-learning", "ml-system-design",
                                   "reference"])
def test_practice_count_two_runs_for_each_track(
    track: str, tracked_bank_dir: Path, tmp_path: Path, recordings: SessionStore
) -> None:
    practise(tracked_bank_dir, tmp_path, "one", [STRONG, STRONG], "--track", track, "--count", "2")
    questions = asked(recordings, "one")
    assert len(questions) == 2 == len(set(questions))
    assert all(track in TRACKED[q][1] for q in questions)
    if track == "ml-system-design":  # one case, its stages in stage order from the framing
        assert questions == ["shop-framing", "shop-label"]
    if track == "reference":  # the reference interview's order, spread from first to last
        assert questions == ["ref-one", "ref-three"]
    session = recordings.load("one")
    assert session.status == "finished" and session.config["track"] == track


def test_two_strong_sessions_in_a_row_repeat_no_question(
    tracked_bank_dir: Path, tmp_path: Path, recordings: SessionStore
) -> None:
    for session_id in ("first", "second"):
        practise(tracked_bank_dir, tmp_path, session_id, [STRONG, STRONG],
                 "--track", "ml-fundamentals", "--count", "2")
    first, second = asked(recordings, "first"), asked(recordings, "second")
    assert len(first) == len(second) == 2
    grades = recordings.load("first").latest_grades()
    assert {g.level for g in grades.values()} == {"strong"}
    assert not set(first) & set(second), (first, second)


def test_a_missed_key_point_comes_back_within_two_sessions(
    tracked_bank_dir: Path, tmp_path: Path, recordings: SessionStore
) -> None:
    practise(tracked_bank_dir, tmp_path, "s1", [PARTIAL, STRONG],
             "--track", "ml-fundamentals", "--count", "2")
    missed_in = asked(recordings, "s1")[0]
    grade = recordings.load("s1").latest_grades()[missed_in]
    assert [kp.id for kp in grade.key_points if kp.status == "missing"] == ["noise"]

    result = runner.invoke(app, ["progress", "--json", "--rubrics", str(tracked_bank_dir)])
    assert result.exit_code == 0, result.output
    due = [(r["question"], r["point"]) for r in json.loads(result.stdout)["reviews"]
           if r["is_due"]]
    assert due == [(missed_in, "noise")]
    table = runner.invoke(app, ["progress", "--rubrics", str(tracked_bank_dir)],
                          env={"COLUMNS": "200"})
    assert "1 key point(s) due now" in table.stdout and missed_in in table.stdout

    later: list[str] = []
    for session_id in ("s2", "s3"):
        practise(tracked_bank_dir, tmp_path, session_id, [STRONG, STRONG],
                 "--track", "ml-fundamentals", "--count", "2")
        later += asked(recordings, session_id)
    assert missed_in in later
    assert len(later) == len(set(later))  # and nothing else came back twice

    result = runner.invoke(app, ["progress", "--json", "--rubrics", str(tracked_bank_dir)])
    assert not [r for r in json.loads(result.stdout)["reviews"] if r["is_due"]]


def test_the_schedule_file_is_rebuilt_when_damaged(
    tracked_bank_dir: Path, tmp_path: Path, recordings: SessionStore
) -> None:
    practise(tracked_bank_dir, tmp_path, "s1", [PARTIAL, STRONG],
             "--track", "ml-fundamentals", "--count", "2")
    schedule = recordings.root / SCHEDULE_FILE
    assert runner.invoke(app, ["progress", "--rubrics", str(tracked_bank_dir)]).exit_code == 0
    assert schedule.is_file()
    schedule.write_text("{ not json", encoding="utf-8")
    practise(tracked_bank_dir, tmp_path, "s2", [STRONG, STRONG],
             "--track", "ml-fundamentals", "--count", "2")
    assert asked(recordings, "s1")[0] in asked(recordings, "s2")
    assert json.loads(schedule.read_text(encoding="utf-8"))["schema"] == "voicecoach.review/v1"


def test_unknown_or_empty_track_names_the_known_tracks(
    tracked_bank_dir: Path, tmp_path: Path, recordings: SessionStore
) -> None:
    result = runner.invoke(app, ["practice", "--text", "--track", "astrology",
                                 "--rubrics", str(tracked_bank_dir)])
    assert isinstance(result.exception, ConfigError)
    assert "unknown track 'astrology'" in str(result.exception)
    assert "ml-fundamentals (5)" in str(result.exception)
    assert "reference (3)" in str(result.exception)
    only_fundamentals = {q: v for q, v in TRACKED.items() if v[1] == ["ml-fundamentals"]}
    from tests.fixtures.tracks import write_tracked_bank

    small = write_tracked_bank(tmp_path / "small", only_fundamentals)
    result = runner.invoke(app, ["practice", "--text", "--track", "deep-learning",
                                 "--rubrics", str(small)])
    assert isinstance(result.exception, ConfigError)
    assert "track 'deep-learning' has no questions" in str(result.exception)
    assert "deep-learning (0)" in str(result.exception)


def test_rubrics_list_shows_tracks_and_design_cases(tracked_bank_dir: Path) -> None:
    result = runner.invoke(app, ["rubrics", "list", "--json", "--rubrics", str(tracked_bank_dir)])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["deep-b"]["tracks"] == ["deep-learning", "ml-fundamentals"]
    assert rows["deep-b"]["topic"] == "deep-learning"
    assert (rows["shop-label"]["case"], rows["shop-label"]["stage"]) == ("shop", "label")
    assert rows["untracked"]["tracks"] == [] and rows["untracked"]["case"] is None
    table = runner.invoke(app, ["rubrics", "list", "--rubrics", str(tracked_bank_dir)],
                          env={"COLUMNS": "200"})
    assert "shop/label" in table.stdout and "deep-learning, ml-fundamentals" in table.stdout


def test_lint_checks_design_cases(tracked_bank_dir: Path, tmp_path: Path) -> None:
    clean = runner.invoke(app, ["rubrics", "lint", str(tracked_bank_dir)])
    assert clean.exit_code == 0, clean.output
    from tests.fixtures.tracks import write_tracked_bank

    broken = write_tracked_bank(tmp_path / "broken", {
        "cold-label": (10, ["ml-system-design"], "cold", "label"),
        "cold-model": (20, ["ml-system-design"], "cold", "label"),
    })
    result = runner.invoke(app, ["rubrics", "lint", str(broken)])
    assert result.exit_code == 1
    assert "case 'cold' has no 'framing' stage" in result.output
    assert "case 'cold' has more than one 'label' stage" in result.output
