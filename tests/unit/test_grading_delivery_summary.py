"""Delivery metrics from word timings (pace, fillers, pauses) and the session summary."""

from __future__ import annotations

from voicecoach.feedback.summary import summarize
from voicecoach.grading import grade_answer
from voicecoach.grading.delivery import count_fillers, delivery_metrics
from voicecoach.rubric.loader import RubricBank
from voicecoach.session.models import Session, Turn
from voicecoach.speech.transcript import Transcript, Word


def timed(text: str, step: float = 0.4, pauses: dict[int, float] | None = None) -> Transcript:
    words, t = [], 0.0
    for i, w in enumerate(text.split()):
        t += (pauses or {}).get(i, 0.0)
        words.append(Word(word=" " + w, start=t, end=t + step * 0.8))
        t += step
    return Transcript(text=text, words=words, duration=t, engine="test", model="m")


def test_no_timings_no_metrics() -> None:
    assert delivery_metrics(Transcript.from_text("typed answer")) is None


def test_comfortable_pace_has_no_notes() -> None:
    metrics = delivery_metrics(timed(" ".join(["word"] * 60)))  # 0.4 s a word: 150 wpm
    assert metrics is not None
    assert 145 <= metrics.words_per_minute <= 155
    assert metrics.notes == [] and metrics.fillers == 0


def test_slow_and_fast_pace_are_flagged_when_sustained() -> None:
    slow = delivery_metrics(timed(" ".join(["word"] * 30), step=0.7))  # ~86 wpm over 21 s
    fast = delivery_metrics(timed(" ".join(["word"] * 60), step=0.25))  # 240 wpm over 15 s
    short = delivery_metrics(timed("word word word", step=0.7))  # too short to be "sustained"
    assert slow is not None and any("slow pace" in n for n in slow.notes)
    assert fast is not None and any("fast pace" in n for n in fast.notes)
    assert short is not None and short.notes == []


def test_fillers_are_told_apart_from_meaning() -> None:
    words = timed("um so it's like, overfitting, you know, it looks like a tree and "
                  "it's a kind of regulariser, uh, sort of").words
    counts = count_fillers(words)
    assert counts == {"um": 1, "like": 1, "you know": 1, "uh": 1, "sort of": 1}


def test_filler_rate_bands_and_long_pauses() -> None:
    text = " ".join(["um it overfits"] * 20)  # 20 fillers in 60 words
    metrics = delivery_metrics(timed(text, pauses={10: 3.0, 30: 7.0}))
    assert metrics is not None
    assert metrics.fillers == 20 and metrics.filler_counts == {"um": 20}
    assert metrics.fillers_per_minute >= 12
    assert metrics.long_pauses == 2 and metrics.longest_pause >= 7.0
    assert any("frequent fillers" in n for n in metrics.notes)
    assert any("long pause" in n for n in metrics.notes)


def make_session(bank: RubricBank, answers: list[tuple[str, str]]) -> Session:
    session = Session(id="s1")
    for index, (question_id, text) in enumerate(answers):
        loaded = bank[question_id]
        answer = timed(text)
        session.turns.append(Turn(index=index, kind="question", question_id=question_id,
                                  prompt=loaded.rubric.question, answer=answer,
                                  grade=grade_answer(loaded, answer)))
    return session


def test_summary_items_link_questions_and_evidence(bank: RubricBank) -> None:
    kmeans = bank["kmeans"].rubric.examples[1].text
    session = make_session(bank, [
        ("kmeans", kmeans),
        ("max-depth", "If the tree is too deep it will overfit the training data."),
        ("euclidean-distance", "You square each coordinate and add them up."),
    ])
    summary = summarize(session, bank)
    assert summary.verdict and 1 <= len(summary.strengths) <= 3
    assert "kmeans" in {s.question_id for s in summary.strengths}
    answers = " ".join(t.answer.text for t in session.turns if t.answer)
    for item in summary.strengths:
        assert item.evidence and item.evidence.removesuffix(" …") in answers  # verbatim
    assert {g.topic for g in summary.gaps} == {"trees", "clustering"}
    for gap in summary.gaps:
        assert gap.idea and not gap.text.startswith("missed")
    assert 1 <= len(summary.advice) <= 2
    assert all(a.question_id in bank for a in summary.advice)
    dumped = summary.model_dump()
    assert set(dumped) == {"verdict", "self_review", "strengths", "gaps", "delivery", "advice"}


def test_summary_of_a_strong_session_has_no_gaps_and_one_practice(bank: RubricBank) -> None:
    strong = next(e.text for e in bank["kmeans"].rubric.examples if e.level == "strong")
    summary = summarize(make_session(bank, [("kmeans", strong)]), bank)
    assert summary.gaps == [] and "above the bar" in summary.verdict
    assert len(summary.advice) == 1


def test_summary_of_an_empty_session(bank: RubricBank) -> None:
    summary = summarize(Session(id="empty"), bank)
    assert summary.strengths == [] and summary.gaps == [] and summary.advice == []
    assert "nothing to judge" in summary.verdict
