"""End to end, as a user at a desk: ``voicecoach practice`` (the installed command, a child
process) speaks through a virtual speaker and listens to a virtual microphone of a private
PulseAudio daemon; the candidate's answers are Piper speech played into that microphone when the
``--events`` stream says ``listening_started``.

Two questions, one vague answer, default settings (the turn model decides when an answer is
over): the interviewer must speak each question (the speaker sink records it), end-point and
transcribe each answer, wait through a 3.6 s thinking pause after "Hmm, let me think." and a
2.5 s pause in mid-sentence without a word, probe the vagueness with the right follow-up,
speak feedback, and save a session whose report names the gap.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.fixtures.pulse import PulseAudio
from tests.fixtures.speech_audio import SpeechSynth
from tests.fixtures.voice_session import Asked, SpokenSession, run_spoken_session, voicecoach
from voicecoach.audio.clip import AudioClip, concatenate

pytestmark = pytest.mark.slow

THINKING = "Hmm, let me think."
THINKING_PAUSE = 3.6  # seconds of silence after it: the fixed 3 s rule cut answers here
# a pause where the words so far could be a whole sentence, inside the self-assessment (asked in
# every session, whatever the grades): only "few words so far" keeps the turn open
MID_SENTENCE = ("I think I should have explained", "why deep trees overfit.")
MID_PAUSE = 2.5

ANSWERS: dict[Asked, str] = {
    ("max-depth", "question"): "If the depth is too high, the tree gets big and it will overfit.",
    ("max-depth", "followup"): "Hmm, I'm not sure. Maybe it just takes longer to train.",
    ("kmeans", "question"): (
        "You choose the number of clusters k. Every point goes to the centroid that is nearest "
        "to it. Then each centroid moves to the mean of its points, and you repeat until the "
        "assignments stop changing."
    ),  # said after "Hmm, let me think." and a thinking pause
    ("kmeans", "followup"): "The centroids start at k randomly chosen points.",
    (None, "self_assessment"): " ".join(MID_SENTENCE),  # said with a 2.5 s pause in it
}


@pytest.fixture(scope="module")
def spoken(pulse: PulseAudio, speech_synth: SpeechSynth,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[SpokenSession, Path]:
    clips = {asked: AudioClip.load(speech_synth.clip(text)) for asked, text in ANSWERS.items()}
    thinking = AudioClip.load(speech_synth.clip(THINKING, pause_after=0.0))
    clips[("kmeans", "question")] = concatenate(
        [thinking, clips[("kmeans", "question")]], gap=THINKING_PAUSE)
    head, tail = (AudioClip.load(speech_synth.clip(part, pause_after=0.0))
                  for part in MID_SENTENCE)
    clips[(None, "self_assessment")] = concatenate([head, tail], gap=MID_PAUSE)
    workdir = tmp_path_factory.mktemp("e2e-voice")
    session = run_spoken_session(
        pulse,
        ["--questions", "max-depth,kmeans", "--max-probes", "1", "--session-id", "e2e"],
        lambda asked: clips[asked], workdir,
        env={"VOICECOACH_TTS_RATE": "260"},
    )
    return session, workdir


def test_the_interview_runs_to_the_end_through_the_audio_stack(
        spoken: tuple[SpokenSession, Path]) -> None:
    session, _ = spoken
    assert session.returncode == 0, session.output[-3000:]
    assert session.answered[:3] == [("max-depth", "question"), ("max-depth", "followup"),
                                    ("kmeans", "question")]
    assert session.answered[-1] == (None, "self_assessment")
    # VAD heard each answer (twice for one the words sent back to listening)
    assert len(session.of("speech_started")) >= len(session.answered)
    assert {e["ended_by"] for e in session.of("answer_ended")} <= {"turn", "silence", "phrase"}
    finished = session.of("session_finished")
    assert finished and finished[0]["status"] == "finished"


def heard_whole(events: list[dict[str, Any]], after: int) -> int:
    """Index of the first transcript after ``after`` that was not then resumed: an answer judged
    over at a pause between sentences is transcribed, then continued when the candidate goes on,
    and transcribed again whole."""
    for i in range(after + 1, len(events)):
        if events[i]["type"] != "transcript":
            continue
        following = [e["type"] for e in events[i + 1:] if e["type"] in (
            "transcript", "answer_resumed", "listening_started")][:1]
        if following != ["answer_resumed"]:
            return i
    raise AssertionError("no transcript")


def last_end(events: list[dict[str, Any]], start: int, stop: int) -> int:
    """Index of the last ``answer_ended`` between two events (an answer may be resumed)."""
    return max(i for i in range(start, stop) if events[i]["type"] == "answer_ended")


def test_a_thinking_pause_is_waited_through_silently_and_kept_in_one_answer(
        spoken: tuple[SpokenSession, Path]) -> None:
    session, _ = spoken
    events = session.events
    asked = next(i for i, e in enumerate(events)
                 if e["type"] == "question" and e["question_id"] == "kmeans")
    heard = heard_whole(events, asked)
    listening = next(i for i, e in enumerate(events) if i > asked
                     and e["type"] == "listening_started")
    # from the start of listening to the (last) end of the answer the interviewer said nothing:
    # no "take your time" (3.6 s is under the 8 s ceiling), no "All right." over the candidate
    ended = last_end(events, listening, heard)
    checks = [e["checks"] for e in events[listening:heard] if e["type"] == "turn_checks"]
    assert not [e for e in events[listening:ended] if e["type"] in ("speaking_started", "nudge")
                ], checks
    text = events[heard]["text"].lower()
    assert "think" in text and "centroid" in text and "stop changing" in text, text
    # ...and so is a 2.5 s pause in mid-sentence (in the self-assessment)
    listening = next(i for i, e in enumerate(events) if e["type"] == "listening_started"
                     and e["question_id"] is None)
    rest = heard_whole(events, listening)
    ended = last_end(events, listening, rest)
    assert not [e for e in events[listening:ended] if e["type"] in ("speaking_started", "nudge")]
    text = events[rest]["text"].lower()
    assert "explained" in text and "overfit" in text.replace(" ", ""), text
    # quick turns: the median wait after an answer is far below the old fixed 3 s
    latencies = session.next_speech_latencies()
    assert latencies and statistics.median(latencies) < 2.0, latencies


def test_each_answer_is_transcribed_and_the_vague_one_gets_the_right_probe(
        spoken: tuple[SpokenSession, Path]) -> None:
    session, _ = spoken
    events = session.events
    transcripts = [events[i]["text"].lower() for i, e in enumerate(events)
                   if e["type"] == "transcript" and heard_whole(events, i - 1) == i]
    assert "overfit" in transcripts[0].replace(" ", "")
    assert "not sure" in transcripts[1]
    assert "centroid" in transcripts[2]
    followups = session.of("followup")
    assert followups[0]["question_id"] == "max-depth"
    assert followups[0]["targets"] == "learns-noise"
    assert "noise" in followups[0]["question"].lower() or "pattern" in followups[0][
        "question"].lower()
    grades = session.of("grade")
    assert grades[0]["level"] != "strong"  # the vague answer is not praised


def test_the_speaker_played_every_question_and_the_spoken_feedback(
        spoken: tuple[SpokenSession, Path]) -> None:
    session, _ = spoken
    assert session.speaker is not None
    samples = session.speaker.samples
    rate = session.speaker.sample_rate
    spoken_events = session.of("speaking_started")
    # greeting, 2 questions, 1-2 follow-ups, self-assessment prompt, feedback
    assert len(spoken_events) >= 6
    assert all(e.get("audio_seconds", 0) > 0.3 for e in spoken_events)
    loud = np.abs(samples) > 0.01
    assert loud.mean() > 0.1  # the sink carried speech, not silence
    # the feedback (the last utterance) reached the speaker: sound in the last seconds played
    feedback_seconds = spoken_events[-1]["audio_seconds"]
    tail = samples[-round((feedback_seconds + 1.0) * rate):]
    assert np.abs(tail).max() > 0.05
    assert session.of("summary")


def test_the_saved_session_report_names_the_gap(spoken: tuple[SpokenSession, Path]) -> None:
    session, workdir = spoken
    env = {"VOICECOACH_RECORDINGS": str(workdir / "recordings")}
    report = voicecoach("report", "e2e", "--format", "md", env=env)
    assert report.returncode == 0, report.stderr
    text = report.stdout.lower()
    assert "## what to work on" in text, report.stdout
    gaps = text.split("## what to work on", 1)[1].split("\n## ", 1)[0]
    assert "max-depth" in gaps and "noise" in gaps, report.stdout  # why deep trees overfit
    folder = workdir / "recordings" / "e2e"
    assert (folder / "session.json").is_file()
    assert len(list(folder.rglob("*-answer.wav"))) == len(session.answered)
