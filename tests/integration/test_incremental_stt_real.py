"""Incremental transcription with the real parts: Silero VAD finds the pauses in Piper speech and
faster-whisper (tiny.en) transcribes the pieces while the answer WAV grows.

The file grows in 0.25 s steps through ``step()`` (what the background thread runs on each poll),
so the test is deterministic; the threaded path runs in the interviewer and voice tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.fixtures.speech_audio import ANSWERS, SpeechSynth
from tests.fixtures.wer import wer
from voicecoach.audio.wavwriter import GrowingWav
from voicecoach.speech.incremental import IncrementalOptions, IncrementalTranscription
from voicecoach.speech.stt import SttEngine, create_stt, load_audio

RATE = 16000
QUESTION = "How does the maximum depth of a decision tree affect overfitting?"


@pytest.fixture(scope="module")
def stt() -> SttEngine:
    return create_stt("faster-whisper", "tiny.en")


@pytest.fixture(scope="module")
def two_part_answer(speech_synth: SpeechSynth) -> tuple[np.ndarray, str]:
    """Two spoken sentences with a thinking pause between them and 3 s of silence after."""
    first = load_audio(speech_synth.clip(ANSWERS["max-depth"]))
    second = load_audio(speech_synth.clip(ANSWERS["kmeans"]))
    pause, end = np.zeros(RATE, dtype=np.float32), np.zeros(3 * RATE, dtype=np.float32)
    text = f"{ANSWERS['max-depth']} {ANSWERS['kmeans']}"
    return np.concatenate([first, pause, second, end]), text


def stream(stt: SttEngine, audio: np.ndarray, path: Path,
           options: IncrementalOptions) -> IncrementalTranscription:
    live = IncrementalTranscription(stt, path, QUESTION, options)
    with GrowingWav(path) as wav:
        for offset in range(0, len(audio), RATE // 4):
            wav.write(audio[offset:offset + RATE // 4])
            wav.flush()
            assert live.step()
    return live


def test_the_answer_is_transcribed_before_it_ends_as_well_as_whole(
        stt: SttEngine, two_part_answer: tuple[np.ndarray, str], tmp_path: Path) -> None:
    audio, text = two_part_answer
    path = tmp_path / "answer.wav"
    transcript = stream(stt, audio, path, IncrementalOptions()).finish()
    whole = stt.transcribe(path, prompt=QUESTION)
    assert transcript.settings["transcribed_after_end"] is False  # ready when the answer ended
    assert wer(text, transcript.text) <= 0.10, transcript.text
    assert wer(text, transcript.text) <= wer(text, whole.text) + 0.05, (transcript.text, whole.text)
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and starts[0] >= 0 and starts[-1] < len(audio) / RATE


def test_a_long_answer_in_committed_pieces_keeps_its_words_and_times(
        stt: SttEngine, two_part_answer: tuple[np.ndarray, str], tmp_path: Path) -> None:
    audio, text = two_part_answer
    transcript = stream(stt, audio, tmp_path / "answer.wav",
                        IncrementalOptions(commit_seconds=4.0)).finish()
    pieces = transcript.settings["pieces"]
    assert len(pieces) >= 2, pieces
    assert wer(text, transcript.text) <= 0.12, transcript.text
    # the second sentence's first word ("K-means") is timed after the pause, not at piece start
    kmeans = next(w for w in transcript.words if w.word.lower().lstrip().startswith("k"))
    assert kmeans.start >= pieces[1][0] - 0.05
    ends = [w.end for w in transcript.words]
    assert ends == sorted(ends)
