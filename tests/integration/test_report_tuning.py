"""Done-when for regrade: editing one weight in a copy of the real bank and running `regrade`
changes exactly the answers to that question, and says why. Also: a truncated session.json and
missing WAVs give a clear message while the other sessions still list, replay and regrade."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.fixtures.report import run_cli
from voicecoach.rubric.loader import load_bank
from voicecoach.session.store import SessionStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(reference_store: tuple[Path, Path, str], tmp_path_factory) -> tuple[Path, Path]:
    """Two copies of the imported session plus a damaged one, and a private copy of the bank."""
    recordings, bank, session_id = reference_store
    root = tmp_path_factory.mktemp("tuning")
    store = SessionStore(root / "recordings")
    for copy_id in ("a-first", "b-second"):
        session = SessionStore(recordings).load(session_id).model_copy(update={"id": copy_id})
        session.turns[3].answer_audio = "turns/003-answer.wav"  # recorded, then lost
        store.save(session)
    damaged = store.session_dir("c-damaged")
    damaged.mkdir(parents=True)
    text = (store.session_dir("a-first") / "session.json").read_text()
    (damaged / "session.json").write_text(text[: len(text) // 3])
    shutil.copytree(bank, root / "bank")
    return store.root, root / "bank"


def _regrade(recordings: Path, bank: Path, *extra: str) -> list[dict]:
    result = run_cli(
        ["regrade", "--all", "--json", "--rubrics", str(bank), *extra],
        # the grader that graded the imported session (``reference_store``): the regrade then
        # differs only where the bank does
        {"VOICECOACH_RECORDINGS": str(recordings), "VOICECOACH_GRADER": "patterns"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _pick_point(bank: Path, recordings: Path) -> tuple[str, str, float]:
    """A (question, key point, weight) whose weight change must move the score: the question has
    one covered and one missing point."""
    session = SessionStore(recordings).load("a-first")
    for question_id, grade in session.latest_grades().items():
        statuses = {p.status for p in grade.key_points}
        if {"covered", "missing"} <= statuses:
            point = next(p for p in grade.key_points if p.status == "covered")
            return question_id, point.id, point.weight
    raise AssertionError("no question with both covered and missing points")


def test_unchanged_bank_changes_nothing(workspace: tuple[Path, Path]) -> None:
    recordings, bank = workspace
    reports = _regrade(recordings, bank)
    assert {r["session"] for r in reports} == {"a-first", "b-second", "c-damaged"}
    for report in reports:
        if report["session"] != "c-damaged":
            assert report["error"] is None
            assert not [a for a in report["answers"] if a["changed"]], report


def test_one_weight_edit_changes_exactly_that_question(workspace: tuple[Path, Path]) -> None:
    recordings, bank = workspace
    question_id, point_id, weight = _pick_point(bank, recordings)
    loaded = load_bank(bank)[question_id]
    index = next(i for i, p in enumerate(loaded.rubric.key_points) if p.id == point_id)
    line = loaded.line_of(("key_points", index, "weight"))
    lines = loaded.path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "weight:" in lines[line - 1]
    new_weight = weight * 4
    lines[line - 1] = lines[line - 1].split("weight:")[0] + f"weight: {new_weight:g}\n"
    loaded.path.write_text("".join(lines), encoding="utf-8")

    reports = {r["session"]: r for r in _regrade(recordings, bank)}
    for session_id in ("a-first", "b-second"):
        changed = [a for a in reports[session_id]["answers"] if a["changed"]]
        assert [a["question_id"] for a in changed] == [question_id]
        [answer] = changed
        assert answer["new"]["score"] > answer["old"]["score"]  # a covered point weighs more
        assert f"weight of {point_id} changed {weight:g} → {new_weight:g}" in answer["reasons"]
        assert any(r.startswith("rubric file changed") for r in answer["reasons"])
    assert "damaged" in reports["c-damaged"]["error"]


def test_damaged_session_gives_one_clear_line_and_others_still_work(
    workspace: tuple[Path, Path],
) -> None:
    recordings, bank = workspace
    env = {"VOICECOACH_RECORDINGS": str(recordings), "VOICECOACH_GRADER": "patterns"}
    listed = run_cli(["sessions", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert rows["a-first"]["error"] is None and "damaged" in rows["c-damaged"]["error"]

    replay = run_cli(["replay", "c-damaged"], env)
    assert replay.returncode == 1
    [message] = replay.stderr.strip().splitlines()
    assert "c-damaged" in message and "damaged" in message and "Traceback" not in replay.stderr

    replay = run_cli(["replay", "a-first", "--turn", "3"], env)  # its WAV is missing
    assert replay.returncode == 0, replay.stderr
    assert "turn 3" in replay.stdout

    regrade = run_cli(["regrade", "--all", "--rubrics", str(bank)], env)
    assert regrade.returncode == 0
    assert "skipped c-damaged" in regrade.stderr.replace("\n", " ")
    assert "a-first" in regrade.stdout and "b-second" in regrade.stdout

    report = run_cli(["report", "b-second", "--format", "md", "--rubrics", str(bank)], env)
    assert report.returncode == 0 and "## What to work on" in report.stdout


def test_save_keeps_old_grades(workspace: tuple[Path, Path]) -> None:
    recordings, bank = workspace
    before = SessionStore(recordings).load("b-second")
    _regrade(recordings, bank, "--save")
    after = SessionStore(recordings).load("b-second")
    assert [t.grade for t in after.turns] == [t.grade for t in before.turns]
    # the weight edited above is still in the bank copy: its answers got a saved regrade
    assert sum(len(t.regrades) for t in after.turns) > sum(len(t.regrades) for t in before.turns)
    again = {r["session"]: r for r in _regrade(recordings, bank)}
    assert not [a for a in again["b-second"]["answers"] if a["changed"]]
