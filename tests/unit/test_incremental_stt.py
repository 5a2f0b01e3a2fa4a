"""Incremental transcription: where it cuts, what it reuses, how it falls back.

A stand-in detector calls every non-zero window speech and a stand-in engine records which audio
it was asked for, so each decision is checked exactly and without timing; ``step()`` is what the
background thread runs on each poll. tests/integration/test_incremental_stt_real.py runs Silero
and Whisper on real speech.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voicecoach.audio.wavwriter import GrowingWav
from voicecoach.speech.incremental import (
    IncrementalOptions,
    IncrementalTranscription,
    read_growing_wav,
)
from voicecoach.speech.transcript import Segment, Transcript, Word

RATE = 16000


class EnergyDetector:
    """Speech = a window that is not all zeros; a partial window waits, as in VoiceDetector."""

    def __init__(self) -> None:
        self.pending = np.zeros(0, dtype=np.float32)

    def probabilities(self, samples: np.ndarray) -> list[float]:
        audio = np.concatenate([self.pending, samples])
        whole = len(audio) // 512 * 512
        self.pending = audio[whole:]
        return [float(np.any(audio[i:i + 512] != 0)) for i in range(0, whole, 512)]


class RecordingStt:
    """Returns one word per call, named after the call, spanning the speech it was given."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[int, str | None]] = []  # (samples, prompt)
        self.fail = fail

    def transcribe(self, audio: Path | np.ndarray, *, prompt: str | None = None,
                   word_timestamps: bool = True) -> Transcript:
        if self.fail:
            raise RuntimeError("decoder broke")
        assert isinstance(audio, np.ndarray)
        self.calls.append((len(audio), prompt))
        voiced = np.flatnonzero(audio)
        start = float(voiced[0] / RATE) if len(voiced) else 0.0
        end = float(voiced[-1] / RATE) if len(voiced) else 0.0
        word = f"piece{len(self.calls)}"
        return Transcript(text=word, words=[Word(word=word, start=start, end=end)],
                          segments=[Segment(text=word, start=start, end=end)],
                          duration=len(audio) / RATE, engine="fake", model="m",
                          settings={"beam_size": 5}, seconds=0.01)


def speech(seconds: float) -> np.ndarray:
    return np.full(round(seconds * RATE), 0.1, dtype=np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def follow(tmp_path: Path, stt: RecordingStt, **options: float) -> tuple[
        IncrementalTranscription, GrowingWav]:
    path = tmp_path / "answer.wav"
    wav = GrowingWav(path)
    live = IncrementalTranscription(stt, path, "Why limit depth?",
                                    IncrementalOptions(**options), detector=EnergyDetector)
    return live, wav


def append(live: IncrementalTranscription, wav: GrowingWav, audio: np.ndarray) -> None:
    """Append in 0.25 s polls, as the background thread would see the file grow."""
    for offset in range(0, len(audio), RATE // 4):
        wav.write(audio[offset:offset + RATE // 4])
        wav.flush()
        assert live.step()


def test_the_end_of_answer_silence_is_used_to_transcribe_so_nothing_is_left_after_it(
        tmp_path: Path) -> None:
    stt = RecordingStt()
    live, wav = follow(tmp_path, stt)
    append(live, wav, np.concatenate([speech(5), silence(3)]))
    wav.close()
    transcript = live.finish()
    assert len(stt.calls) == 1  # at the pause; finish reused it
    # speech (5 s, as the fake VAD sees it) + about the 0.8 s pause, not the 3 s that follow
    assert 5.3 * RATE <= stt.calls[0][0] < 6.0 * RATE
    assert transcript.settings["transcribed_after_end"] is False
    assert transcript.text == "piece1" and transcript.duration == pytest.approx(8.0, abs=0.05)
    assert transcript.settings["incremental"] is True and transcript.settings["beam_size"] == 5


def test_speech_after_a_short_speculation_is_transcribed_again_from_the_same_start(
        tmp_path: Path) -> None:
    stt = RecordingStt()
    live, wav = follow(tmp_path, stt)
    append(live, wav, np.concatenate([speech(3), silence(1), speech(2), silence(0.3)]))
    wav.close()
    transcript = live.finish()
    assert len(stt.calls) == 2
    assert stt.calls[1][0] == pytest.approx(6.3 * RATE, abs=RATE * 0.05)  # from 0, whole answer
    assert transcript.text == "piece2"  # the speculation was dropped, not duplicated
    assert transcript.settings["transcribed_after_end"] is True


def test_long_answers_are_committed_in_pieces_with_times_and_context_carried(
        tmp_path: Path) -> None:
    stt = RecordingStt()
    live, wav = follow(tmp_path, stt, commit_seconds=4.0)
    audio = np.concatenate([speech(4), silence(1), speech(4), silence(1), speech(2), silence(3)])
    append(live, wav, audio)
    wav.close()
    transcript = live.finish()
    assert transcript.text == "piece1 piece2 piece3"
    assert transcript.settings["transcribed_after_end"] is False
    pieces = transcript.settings["pieces"]
    assert len(pieces) == 3 and pieces[0][0] == 0.0 and pieces[1][0] == pieces[0][1]
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert starts[1] == pytest.approx(5.0, abs=0.1) and starts[2] == pytest.approx(10.0, abs=0.1)
    assert transcript.segments[2].start == pytest.approx(10.0, abs=0.1)
    assert stt.calls[0][1] == "Why limit depth?"
    assert stt.calls[2][1] == "Why limit depth? piece1 piece2"  # committed text as context


def test_a_long_run_without_a_long_pause_is_cut_at_a_short_one(tmp_path: Path) -> None:
    stt = RecordingStt()
    live, wav = follow(tmp_path, stt, long_pending=6.0)
    append(live, wav, np.concatenate([speech(7), silence(0.3)]))
    assert len(stt.calls) == 1  # 0.3 s would not do before 6 s of pending speech


def test_a_file_that_is_not_a_growing_wav_falls_back_to_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "answer.wav"
    sf.write(path, np.concatenate([speech(1), silence(1)]), 8000)  # 8 kHz: not ours to follow
    stt = RecordingStt()
    live = IncrementalTranscription(stt, path, "q", detector=EnergyDetector)
    assert live.step() is False
    transcript = live.finish()
    assert len(stt.calls) == 1 and stt.calls[0][0] == pytest.approx(4 * RATE, abs=2)  # resampled
    assert transcript.settings["transcribed_after_end"] is True


def test_a_failure_while_following_loses_nothing(tmp_path: Path) -> None:
    stt = RecordingStt(fail=True)
    live, wav = follow(tmp_path, stt, poll=0.01)
    wav.write(np.concatenate([speech(2), silence(1)]))
    wav.close()
    live.start()
    live._thread.join(timeout=5)  # the thread stopped on the decoder error
    stt.fail = False
    transcript = live.finish()
    assert transcript.text == "piece1" and stt.calls[0][0] == 3 * RATE


def test_cancel_stops_following(tmp_path: Path) -> None:
    stt = RecordingStt()
    live, wav = follow(tmp_path, stt, poll=0.01)
    live.start()
    live.cancel()
    assert not live._thread.is_alive()
    wav.close()


def test_reading_a_growing_wav_from_an_offset(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    with GrowingWav(path) as wav:
        wav.write(np.linspace(-0.5, 0.5, 1000, dtype=np.float32))
        wav.flush()
        part = read_growing_wav(path, 600)
    assert part is not None and len(part) == 400
    assert part[-1] == pytest.approx(0.5, abs=1e-3)
    assert read_growing_wav(tmp_path / "missing.wav", 0) is None


def test_the_text_so_far_is_told_at_each_pause_and_a_failure_there_changes_nothing(
        tmp_path: Path) -> None:
    """The interviewer grades the answer so far at its pauses (the judge then has most of it
    read when the answer ends); a failure in that work must not touch the transcription."""
    told: list[str] = []

    def on_text(text: str) -> None:
        told.append(text)
        raise RuntimeError("grading ahead failed")

    stt = RecordingStt()
    path = tmp_path / "answer.wav"
    wav = GrowingWav(path)
    live = IncrementalTranscription(stt, path, "Why limit depth?",
                                    IncrementalOptions(commit_seconds=4.0),
                                    detector=EnergyDetector, on_text=on_text)
    append(live, wav, np.concatenate([speech(4), silence(1), speech(2), silence(3)]))
    wav.close()
    assert told == ["piece1", "piece1 piece2"]  # committed piece, then it and the speculation
    assert live.finish().text == "piece1 piece2"
