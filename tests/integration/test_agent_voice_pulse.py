"""A whole spoken interview through the real audio path: questions played by TTS on a virtual
speaker, answers spoken into a virtual microphone (private PulseAudio, tests/fixtures/pulse.py),
captured with VAD endpointing, transcribed by the real STT, graded by the real grader.

The simulated candidate reads the interviewer's ``--events`` file and starts talking when it sees
``listening_started`` — the same stream the live view and the benchmark use.
"""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest

from tests.fixtures.pulse import PulseAudio
from tests.fixtures.voice_session import complete_lines
from voicecoach.agent.practice import PracticeRequest, run_practice
from voicecoach.agent.select import Selection
from voicecoach.audio.clip import AudioClip
from voicecoach.config import load_settings
from voicecoach.speech.tts import create_tts

pytestmark = pytest.mark.slow

VAGUE = "If the depth is too high, the tree gets big and it will overfit."
# GOOD names what depth controls in so many words: under CI load tiny.en has heard "depth" as
# "map" and "splitting" as "living", and this test is about the audio path, not about how the
# grader reads a borderline phrasing through transcription errors (the judge's quality is
# measured in benchmarks/bench_judge.py and training/judge/evaluate.py)
GOOD = (
    "Because depth controls how complex the tree is. A deeper tree keeps splitting until each "
    "leaf holds just a few training samples, so it memorizes the noise in the training data."
)
SELF = "I think I should have explained the noise part straight away."


def candidate(pulse: PulseAudio, events: Path, answers: list[AudioClip],
              stop: threading.Event) -> None:
    """Answer each time the interviewer starts listening."""
    seen = fed = 0
    while not stop.is_set() and fed < len(answers):
        lines = complete_lines(events)
        for line in lines[seen:]:
            if json.loads(line)["type"] == "listening_started" and fed < len(answers):
                pulse.play_into_mic(answers[fed].with_silence(before=0.6))
                fed += 1
        seen = len(lines)
        time.sleep(0.05)


def test_spoken_interview_with_probe_self_assessment_and_feedback(
    pulse: PulseAudio, tmp_path: Path
) -> None:
    tts = create_tts("pyttsx3", rate=170)
    answers = [tts.synthesize(text).resampled(16000) for text in (VAGUE, GOOD, SELF)]
    events = tmp_path / "events.jsonl"
    stop = threading.Event()
    talker = threading.Thread(target=candidate, args=(pulse, events, answers, stop), daemon=True)
    talker.start()
    settings = load_settings(recordings_dir=tmp_path / "recordings", end_silence=1.5,
                             stt_model="tiny.en", tts_rate=320)
    try:
        session = run_practice(
            PracticeRequest(selection=Selection(questions=("max-depth",)), events=str(events),
                            session_id="voice"),
            settings, out=io.StringIO(),
        )
    finally:
        stop.set()
        talker.join(timeout=5)
    log = [json.loads(line) for line in complete_lines(events)]
    kinds = [e["type"] for e in log]
    assert kinds.count("speech_started") == 3  # VAD heard each answer
    followups = [e for e in log if e["type"] == "followup"]
    assert len(followups) == 1 and followups[0]["targets"] == "learns-noise"
    assert session.status == "finished"
    assert [t.kind for t in session.turns] == ["question", "followup", "self_assessment"]
    first, second, last = session.turns
    assert first.answer is not None and "overfit" in first.answer.text.lower().replace(" ", "")
    assert second.answer is not None and "noise" in second.answer.text.lower()
    assert second.grade is not None and "learns-noise" in {
        kp.id for kp in second.grade.key_points if kp.status == "covered"
    }
    assert session.self_assessment and last.answer is not None
    assert session.summary is not None
    folder = tmp_path / "recordings" / "voice"
    for turn in session.turns:
        assert turn.question_audio and (folder / turn.question_audio).is_file()
        assert turn.answer_audio and (folder / turn.answer_audio).is_file()
    assert first.timings["next_speech_latency"] > 0
