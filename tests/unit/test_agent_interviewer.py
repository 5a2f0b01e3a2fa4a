"""The interview loop with a scripted candidate, a transparent fake grader and printed questions.

The same flow with the real grader (and the CLI) is in tests/integration/test_agent_practice.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.agent import fake_grade, fake_summarize
from voicecoach.agent.candidates import Reply, ScriptedSource, ScriptItem
from voicecoach.agent.events import EventSink
from voicecoach.agent.interviewer import SELF_ASSESSMENT_PROMPT, Interviewer, InterviewOptions
from voicecoach.agent.policy import RubricPolicy
from voicecoach.agent.voice import PrintSpeaker
from voicecoach.rubric.loader import RubricBank
from voicecoach.session.models import Session, join_texts
from voicecoach.session.store import SessionStore

VAGUE = "if the depth is too high the tree gets big and it will overfit"
GOOD = ("a deeper tree is more complex: it keeps splitting until each leaf has a few samples, "
        "so it picks up on noise and memorizes the training data")


def run(
    bank: RubricBank,
    tmp_path: Path,
    answers: list[str],
    questions: tuple[str, ...] = ("max-depth",),
    **kwargs: Any,
) -> tuple[Session, list[dict[str, Any]], list[str], SessionStore]:
    store = SessionStore(tmp_path / "recordings")
    session = store.create("s1", questions=list(questions))
    sink = EventSink(None, keep=True)
    said: list[str] = []
    interviewer = Interviewer(
        bank=bank, plan=[bank.get_rubric(q) for q in questions], store=store, session=session,
        source=ScriptedSource([ScriptItem(text=a) for a in answers]),
        speaker=PrintSpeaker(said.append), policy=RubricPolicy(), events=sink,
        grader=fake_grade, summarizer=fake_summarize, write=lambda line: None,
        options=InterviewOptions(record_question_audio=False, **kwargs),
    )
    result = interviewer.run()
    assert sink.kept is not None
    return result, sink.kept, said, store


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events if e["type"] not in ("speaking_started", "speaking_finished")]


def test_probe_then_move_on_then_self_assessment_and_feedback(
    real_bank: RubricBank, tmp_path: Path
) -> None:
    _, events, said, store = run(real_bank, tmp_path, [VAGUE, GOOD, "I rushed a bit"])
    assert types(events) == [
        "session_started", "question", "listening_started", "answer_ended", "transcript", "grade",
        "followup", "listening_started", "answer_ended", "transcript", "grade",
        "listening_started", "answer_ended", "transcript", "summary", "session_finished",
    ]
    followup = next(e for e in events if e["type"] == "followup")
    assert followup["targets"] == "learns-noise"
    assert "patterns you don't want" in followup["question"]
    assert said[-2] == SELF_ASSESSMENT_PROMPT and said[-1].startswith("Thanks")
    # accumulated grading: the points covered by the first answer stay covered
    second = [e for e in events if e["type"] == "grade"][1]
    assert {"overfitting", "learns-noise"} <= set(second["covered"])
    saved = store.load("s1")
    assert saved.status == "finished"
    assert [t.kind for t in saved.turns] == ["question", "followup", "self_assessment"]
    assert saved.turns[1].targets == "learns-noise" and saved.turns[1].policy == "rubric"
    assert saved.self_assessment == "I rushed a bit"
    assert saved.summary is not None and saved.summary.advice
    assert "grade_seconds" in saved.turns[0].timings
    assert saved.turns[0].timings["next_speech_latency"] >= 0


def test_probes_at_most_max_probes_then_moves_on(real_bank: RubricBank, tmp_path: Path) -> None:
    session, events, _, _ = run(
        real_bank, tmp_path,
        ["it is a setting of the tree", "the tree gets worse", "it has to do with the data",
         "meh"], max_probes=2,
    )
    assert types(events).count("followup") == 2
    targets = [e["targets"] for e in events if e["type"] == "followup"]
    assert len(set(targets)) == 2  # never the same point twice
    assert session.self_assessment == "meh"


def test_skip_repeat_and_quit(real_bank: RubricBank, tmp_path: Path) -> None:
    session, events, said, _ = run(
        real_bank, tmp_path, ["/repeat", "/skip", VAGUE, "/quit", "ok I guess"],
        questions=("max-depth", "kmeans", "gini-impurity"),
    )
    questions = [e["question_id"] for e in events if e["type"] == "question"]
    assert questions == ["max-depth", "kmeans"]  # quit during kmeans' follow-up
    assert said.count(real_bank["max-depth"].rubric.question) == 2  # repeated
    kinds = [(t.kind, t.question_id) for t in session.turns]
    # the follow-up interrupted by /quit is kept: the move is recorded on it
    assert kinds == [("question", "max-depth"), ("question", "kmeans"), ("followup", "kmeans"),
                     ("self_assessment", None)]
    assert session.turns[0].answer is None  # skipped, still recorded as asked
    assert [m.kind for m in session.turns[0].moves] == ["repeat", "skip"]
    assert [m.kind for m in session.turns[2].moves] == ["end"]
    assert session.status == "finished" and session.summary is not None


def test_ctrl_c_keeps_finished_turns(real_bank: RubricBank, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "recordings")
    session = store.create("s2")
    answers = iter([VAGUE])

    class Interrupting(ScriptedSource):
        def listen(self, context: Any) -> Any:
            try:
                return ScriptedSource([ScriptItem(text=next(answers))]).listen(context)
            except StopIteration:
                raise KeyboardInterrupt from None

    sink = EventSink(None, keep=True)
    interviewer = Interviewer(
        bank=real_bank, plan=[real_bank.get_rubric("max-depth")], store=store, session=session,
        source=Interrupting([]), speaker=PrintSpeaker(lambda text: None), policy=RubricPolicy(),
        events=sink, grader=fake_grade, summarizer=fake_summarize, write=lambda line: None,
        options=InterviewOptions(record_question_audio=False),
    )
    with pytest.raises(KeyboardInterrupt):
        interviewer.run()
    saved = store.load("s2")
    assert saved.status == "interrupted"
    assert len(saved.turns) == 1 and saved.turns[0].grade is not None
    assert sink.kept is not None and sink.kept[-1]["type"] == "session_finished"


def test_spoken_feedback_fits_45_seconds_in_the_interviewers_order() -> None:
    from voicecoach.feedback.text import SPOKEN_SECONDS, spoken_feedback, spoken_seconds
    from voicecoach.session.models import SessionSummary

    long_idea = " ".join(["word"] * 30) + ". A second sentence that is never said."
    summary = SessionSummary.model_validate({
        "verdict": "Overall this was borderline for an ML engineer role.",
        "self_review": "You were harder on yourself than the grades.",
        "strengths": [{"topic": "trees", "text": "Trees: max depth", "evidence": "noise"}],
        "gaps": [{"topic": t, "text": f"{t.capitalize()}: q", "idea": long_idea}
                 for t in ("losses", "overfitting", "optimization")],
        "advice": [{"topic": "losses", "text": "Write the loss in NumPy."},
                   {"topic": "overfitting", "text": "Not said."}],
    })
    said = spoken_feedback(summary)
    assert spoken_seconds(said) <= SPOKEN_SECONDS
    order = ["borderline", "harder on yourself", "What went well: trees",
             "To work on: losses, overfitting and optimization", "On losses: word",
             "To practise: Write the loss in NumPy."]
    positions = [said.index(part) for part in order]
    assert positions == sorted(positions)
    assert "second sentence" not in said and "Not said" not in said
    assert "Trees:" not in said  # the written heading is not read out


def test_a_spoken_answer_is_graded_ahead_at_its_pauses_with_the_earlier_answers(
    real_bank: RubricBank, tmp_path: Path
) -> None:
    """While a microphone answer is transcribed at its pauses, the interviewer grades the text
    so far (with the question's earlier answers) in the background and drops that grade: each
    turn keeps the grade of its whole answer."""
    import threading

    ahead: list[str] = []
    final: list[str] = []
    graded_ahead = threading.Event()

    def grader(loaded: Any, answer: Any) -> Any:
        text = answer if isinstance(answer, str) else answer.text
        (ahead if text.endswith("so it memorizes.") else final).append(text)
        if text.endswith("so it memorizes."):
            graded_ahead.set()
        return fake_grade(loaded, answer)

    class Live:
        def finish(self, path: Path | None = None) -> Any:
            raise AssertionError("typed answers are not finished from the file")

        def cancel(self) -> None:
            pass

    told: list[Any] = []

    def live_transcriber(path: Path, prompt: str, on_text: Any) -> Live:
        told.append(on_text)
        if on_text is not None:
            graded_ahead.clear()
            on_text("so it memorizes")  # a pause in the answer being spoken
            assert graded_ahead.wait(10), "the text so far was not graded"
        return Live()

    class Microphone(ScriptedSource):
        live_audio = True

    store = SessionStore(tmp_path / "recordings")
    session = store.create("s3", questions=["max-depth"])
    interviewer = Interviewer(
        bank=real_bank, plan=[real_bank.get_rubric("max-depth")], store=store, session=session,
        source=Microphone([ScriptItem(text=a) for a in (VAGUE, GOOD, "I rushed a bit")]),
        speaker=PrintSpeaker(lambda text: None), policy=RubricPolicy(),
        events=EventSink(None), grader=grader, summarizer=fake_summarize,
        write=lambda line: None, live_transcriber=live_transcriber,
        options=InterviewOptions(record_question_audio=False, grade_ahead=True),
    )
    result = interviewer.run()
    assert ahead == [join_texts(["so it memorizes"]), join_texts([VAGUE, "so it memorizes"])]
    assert final == [join_texts([VAGUE]), join_texts([VAGUE, GOOD])]
    loaded = real_bank.get_rubric("max-depth")
    first, probe = result.turns[0].grade, result.turns[1].grade
    assert first is not None and probe is not None
    assert first.key_points == fake_grade(loaded, join_texts([VAGUE])).key_points
    assert probe.key_points == fake_grade(loaded, join_texts([VAGUE, GOOD])).key_points
    assert told[-1] is None  # the self-assessment is not graded


def test_grading_ahead_reads_the_newest_text_and_never_holds_up_closing() -> None:
    import threading

    from voicecoach.agent.ahead import AheadGrader

    started, release = threading.Event(), threading.Event()
    read: list[str] = []

    def slow(text: str) -> None:
        read.append(text)
        started.set()
        release.wait(10)
        if text == "boom":
            raise RuntimeError("a failing grade is logged, not raised")

    grader = AheadGrader(slow)
    grader.offer("one")
    assert started.wait(10)
    grader.offer("two")  # while "one" is being read
    grader.offer("boom")  # replaces "two" before it is read
    release.set()
    deadline = threading.Event()
    for _ in range(100):
        if read == ["one", "boom"]:
            break
        deadline.wait(0.05)
    assert read == ["one", "boom"]
    release.clear()
    grader.offer("three")
    for _ in range(100):
        if read[-1] == "three":
            break
        deadline.wait(0.05)
    grader.close()  # returns while "three" is still being read
    assert read == ["one", "boom", "three"]
    release.set()


class ResumingSource:
    """A microphone stand-in: answers end by the turn model; ``resumed`` says the candidate
    spoke again before the interviewer's voice started (the first ``resume_times`` times)."""

    name = "resuming"

    def __init__(self, replies: list[str], resume_times: int = 0) -> None:
        self.replies, self.resume_times = list(replies), resume_times
        self.contexts: list[Any] = []

    def listen(self, context: Any) -> Reply:
        self.contexts.append(context)
        return Reply(text=self.replies.pop(0), ended_by="turn")

    def resumed(self) -> bool:
        if self.resume_times:
            self.resume_times -= 1
            return True
        return False


def run_with(bank: RubricBank, tmp_path: Path, source: ResumingSource
             ) -> tuple[Session, list[dict[str, Any]], list[str]]:
    store = SessionStore(tmp_path / "recordings")
    session = store.create("s3", questions=["max-depth"])
    sink = EventSink(None, keep=True)
    said: list[str] = []
    interviewer = Interviewer(
        bank=bank, plan=[bank.get_rubric("max-depth")], store=store, session=session,
        source=source, speaker=PrintSpeaker(said.append), policy=RubricPolicy(), events=sink,
        grader=fake_grade, summarizer=fake_summarize, write=lambda line: None,
        options=InterviewOptions(record_question_audio=False, max_probes=0),
    )
    result = interviewer.run()
    assert sink.kept is not None
    return result, sink.kept, said


def test_speech_before_the_interviewer_talks_continues_the_same_answer(
        real_bank: RubricBank, tmp_path: Path) -> None:
    source = ResumingSource(["if the depth is too high it overfits.", GOOD, "fine"],
                            resume_times=1)
    session, events, said = run_with(real_bank, tmp_path, source)
    # what followed the first half (the self-assessment prompt) was not said over the candidate:
    # it is said once, after the whole answer, which was graded as one
    assert said.count(SELF_ASSESSMENT_PROMPT) == 1
    assert [c.resume for c in source.contexts] == [False, True, False]
    assert [e["type"] for e in events].count("answer_resumed") == 1
    assert [t.kind for t in session.turns] == ["question", "self_assessment"]
    assert session.turns[0].answer is not None and session.turns[0].answer.text == GOOD
    assert session.self_assessment == "fine"
