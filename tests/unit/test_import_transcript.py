"""Transcript import: parsing, question matching, follow-ups, self-assessment and feedback, the
saved session (fake grader here; tests/integration/test_report_reference.py uses the real ones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.report import fake_grade, fake_summarize
from voicecoach.errors import SessionError
from voicecoach.session.importer import (
    import_transcript,
    parse_transcript,
    plan_turns,
    question_sentences,
)
from voicecoach.session.store import SessionStore

REFERENCE = Path("/work/shared/reference/ml-mock-interview-transcript.txt")

TRANSCRIPT = """\
Mock interview, exported
Ann: Hi! Can you hear me? Tell me about yourself, what are you studying?
Bob: I study statistics.
Ann: Alright.
Bob: And some computer vision.
Ann: A common parameter used in decision trees is max depth. Why is that a good parameter?
Bob: It limits the complexity of the tree
so that it does not grow too large.
Ann: Can you explain a bit more why a deeper tree would learn patterns you don't want it to learn?
Bob: It starts fitting the noise.
Ann: Right, it memorises the noise, right? So do you know the formula for the binary
cross-entropy loss?
Bob: Not off the top of my head. It is about probability.
Ann: OK. Before I share my feedback, how do you think this interview went?
Bob: I need to practise formulas.
Ann: You did well on trees; learn the cross-entropy formula.
Bob: Thanks! Do you have tips for my career?
Ann: Keep practising.
"""


def test_parse_joins_continuation_lines_and_skips_the_title() -> None:
    utterances = parse_transcript(TRANSCRIPT, ["Ann", "Bob"])
    assert utterances[0].speaker == "Ann" and utterances[0].line == 2
    joined = next(u for u in utterances if u.text.startswith("It limits"))
    assert joined.text.endswith("so that it does not grow too large.")
    assert not any("exported" in u.text for u in utterances)


def test_parse_reference_speakers() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    utterances = parse_transcript(text, ["Admiral Hex", "Spasmodic Gyroscope"])
    assert {u.speaker for u in utterances} == {"Admiral Hex", "Spasmodic Gyroscope"}
    assert len(utterances) > 100


def test_tag_questions_are_not_questions() -> None:
    asks = question_sentences("It learns the noise, right? So how do you know if it overfits?")
    assert asks == ["It learns the noise, right? So how do you know if it overfits?"]
    assert question_sentences("So the input is a user and product pair, isn't it?") == []


def test_plan_matches_questions_followups_unmatched_and_feedback(mini_bank) -> None:
    plan = plan_turns(parse_transcript(TRANSCRIPT, ["Ann", "Bob"]), "Ann", mini_bank)
    kinds = [(t.kind, t.question_id) for t in plan.turns]
    assert kinds == [
        ("unmatched", None),
        ("question", "max-depth"),
        ("followup", "max-depth"),
        ("question", "binary-cross-entropy"),
        ("self_assessment", None),
    ]
    assert plan.turns[0].answers == ["I study statistics.", "And some computer vision."]
    assert plan.turns[2].targets == "noise"
    assert plan.self_assessment == "I need to practise formulas."
    assert plan.feedback == "You did well on trees; learn the cross-entropy formula."
    assert plan.skipped_after_feedback == 2


def test_import_saves_a_graded_session(tmp_path: Path, mini_bank) -> None:
    source = tmp_path / "t.txt"
    source.write_text(TRANSCRIPT)
    store = SessionStore(tmp_path / "rec")
    session = import_transcript(
        source, store, mini_bank, interviewer="Ann", candidate="Bob", session_id="imp",
        grader=fake_grade, summarizer=fake_summarize,
    )
    stored = store.load("imp")
    assert stored.status == "imported" and stored == session
    grades = stored.latest_grades()
    assert grades["max-depth"].level == "strong"  # question and follow-up answers joined
    assert grades["binary-cross-entropy"].score == 25.0
    assert stored.turns[2].grade is not None and stored.turns[1].grade is None
    assert stored.config["import"]["interviewer_feedback"].startswith("You did well")
    assert stored.summary is not None and stored.summary.gaps[0].text == "formula"
    with pytest.raises(SessionError, match="already exists"):
        import_transcript(source, store, mini_bank, interviewer="Ann", candidate="Bob",
                          session_id="imp", grader=fake_grade, summarizer=fake_summarize)


def test_unknown_speaker_names_the_speakers_found(tmp_path: Path, mini_bank) -> None:
    source = tmp_path / "t.txt"
    source.write_text(TRANSCRIPT)
    with pytest.raises(SessionError, match="speakers found: 'Ann', 'Bob'"):
        import_transcript(source, SessionStore(tmp_path), mini_bank, interviewer="Hex",
                          candidate="Bob", grader=fake_grade, summarizer=fake_summarize)


def test_nothing_matching_the_bank_is_an_error(tmp_path: Path, mini_bank) -> None:
    source = tmp_path / "t.txt"
    source.write_text("Ann: How was your weekend?\nBob: Fine.\n")
    with pytest.raises(SessionError, match="nothing to grade"):
        import_transcript(source, SessionStore(tmp_path), mini_bank, interviewer="Ann",
                          candidate="Bob", grader=fake_grade, summarizer=fake_summarize)
