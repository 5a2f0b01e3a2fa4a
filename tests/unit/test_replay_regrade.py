"""Regrade plumbing with a transparent fake grader: flips, reasons from provenance, versioned
save, damaged sessions skipped. The real-bank weight-edit test is in tests/integration."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.report import fake_grade
from voicecoach.rubric.loader import load_bank
from voicecoach.session.models import Session, combined_answer
from voicecoach.session.regrade import regrade_sessions


def test_unchanged_bank_regrades_to_the_same_grades(recorded_session, mini_bank) -> None:
    store, _ = recorded_session
    [report] = regrade_sessions(store, ["s1"], mini_bank, grader=fake_grade)
    assert report.error is None
    assert [a.question_id for a in report.answers] == ["max-depth", "binary-cross-entropy"]
    assert not any(a.changed for a in report.answers)
    assert all(a.reasons == [] for a in report.answers)


def test_weight_edit_changes_only_that_question_and_says_why(
    recorded_session, mini_bank_dir: Path
) -> None:
    store, _ = recorded_session
    path = mini_bank_dir / "losses/binary-cross-entropy.yaml"
    path.write_text(path.read_text().replace("weight: 3", "weight: 1"))
    [report] = regrade_sessions(store, ["s1"], load_bank(mini_bank_dir), grader=fake_grade)
    by_id = {a.question_id: a for a in report.answers}
    assert not by_id["max-depth"].changed
    bce = by_id["binary-cross-entropy"]
    assert bce.changed
    assert bce.old is not None and bce.new is not None
    assert (bce.old.score, bce.new.score) == (25.0, 50.0)
    assert "weight of formula changed 3 → 1" in bce.reasons
    assert any(r.startswith("rubric file changed") for r in bce.reasons)
    assert bce.flipped == []  # the verdicts are the same; only the aggregation moved


def test_new_accept_phrase_flips_a_point_with_its_evidence(
    recorded_session, mini_bank_dir: Path
) -> None:
    store, _ = recorded_session
    path = mini_bank_dir / "losses/binary-cross-entropy.yaml"
    path.write_text(path.read_text().replace('accept: ["log"]', 'accept: ["formula"]'))
    [report] = regrade_sessions(store, ["s1"], load_bank(mini_bank_dir), grader=fake_grade)
    bce = next(a for a in report.answers if a.question_id == "binary-cross-entropy")
    [flip] = bce.flipped
    assert (flip.id, flip.old_status, flip.new_status) == ("formula", "missing", "covered")
    assert "formula: missing → covered" in flip.describe()


def test_save_appends_versioned_regrades_and_never_overwrites(
    recorded_session, mini_bank_dir: Path
) -> None:
    store, session = recorded_session
    original = session.turns[2].grade
    path = mini_bank_dir / "losses/binary-cross-entropy.yaml"
    path.write_text(path.read_text().replace("weight: 3", "weight: 1"))
    bank = load_bank(mini_bank_dir)
    [report] = regrade_sessions(store, ["s1"], bank, save=True, grader=fake_grade)
    assert report.saved == 1
    stored = store.load("s1")
    assert stored.turns[2].grade == original
    [regrade] = stored.turns[2].regrades
    assert regrade.grade.score == 50.0 and "weight of formula" in regrade.reason
    assert stored.turns[1].regrades == []  # unchanged answers are not re-saved
    # a second run compares with the saved regrade: nothing left to change or save
    [again] = regrade_sessions(store, ["s1"], bank, save=True, grader=fake_grade)
    assert again.saved == 0 and not any(a.changed for a in again.answers)
    assert len(store.load("s1").turns[2].regrades) == 1


def test_damaged_session_is_reported_and_others_still_regrade(
    recorded_session, mini_bank
) -> None:
    store, _ = recorded_session
    broken = store.create("s0-broken")
    text = broken.model_dump_json(by_alias=True)
    (store.session_dir("s0-broken") / "session.json").write_text(text[: len(text) // 2])
    reports = regrade_sessions(store, store.ids(), mini_bank, grader=fake_grade)
    by_id = {r.session_id: r for r in reports}
    assert "damaged" in (by_id["s0-broken"].error or "")
    assert len(by_id["s1"].answers) == 2 and by_id["s1"].error is None


def test_missing_audio_does_not_matter(recorded_session, mini_bank) -> None:
    store, session = recorded_session
    assert not (store.session_dir("s1") / session.turns[0].answer_audio).exists()
    [report] = regrade_sessions(store, ["s1"], mini_bank, grader=fake_grade)
    assert report.answers[0].new is not None


def test_combined_answer_keeps_word_times_increasing(recorded_session) -> None:
    _, session = recorded_session
    assert isinstance(session, Session)
    combined = combined_answer(session.turns[:2])
    starts = [w.start for w in combined.words]
    assert starts == sorted(starts) and len(starts) == len(combined.text.split())
