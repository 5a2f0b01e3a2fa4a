"""End-of-answer rules on synthetic VAD probabilities, and Silero on real synthesized speech."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from voicecoach.audio.clip import AudioClip
from voicecoach.audio.vad import EndpointConfig, Endpointer, VoiceDetector

FRAME = 0.032


def run(config: EndpointConfig, pattern: list[tuple[float, float]]) -> list[tuple[float, str]]:
    """Feed (probability, seconds) segments; return (time, decision) until a final decision."""
    endpointer = Endpointer(config, FRAME)
    events: list[tuple[float, str]] = []
    for probability, seconds in pattern:
        for _ in range(round(seconds / FRAME)):
            decision = endpointer.update(probability)
            if decision is not None:
                events.append((round(endpointer.elapsed, 3), decision))
                if decision not in ("speech_start", "pause", "turn_check", "ceiling"):
                    return events
    return events


def test_thinking_pause_does_not_end_the_answer_but_long_silence_does() -> None:
    events = run(EndpointConfig(turn="silence", end_silence=3.0),
                 [(0.0, 1.0), (0.9, 4.0), (0.05, 2.0), (0.9, 3.0), (0.05, 10.0)])
    kinds = [kind for _, kind in events]
    assert kinds == ["speech_start", "pause", "pause", "silence"]
    end_of_speech = 1.0 + 4.0 + 2.0 + 3.0
    assert events[-1][0] == pytest.approx(end_of_speech + 3.0, abs=2 * FRAME)


def test_silence_left_counts_down_in_pauses_after_the_answer_started() -> None:
    endpointer = Endpointer(EndpointConfig(turn="silence", end_silence=2.0), FRAME)
    for _ in range(20):
        endpointer.update(0.0)
    assert endpointer.silence_left is None  # nothing said yet: no countdown
    for _ in range(20):
        endpointer.update(0.9)
    assert endpointer.silence_left is None  # speaking
    for _ in range(10):
        endpointer.update(0.0)
    assert endpointer.silence_left is None  # 0.32 s: a gap between words
    for _ in range(20):
        endpointer.update(0.0)
    assert endpointer.silence_left == pytest.approx(2.0 - 30 * FRAME, abs=1e-6)
    endpointer.update(0.9)
    assert endpointer.silence_left is None


def test_model_rule_asks_again_as_the_pause_grows_then_nudges_at_the_ceiling_then_ends() -> None:
    config = EndpointConfig(turn="model", turn_checks=(0.3, 1.5, 3.0), think_ceiling=8.0,
                            phrase_pause=1.0)
    events = run(config, [(0.0, 1.0), (0.9, 3.0), (0.05, 2.0), (0.9, 2.0), (0.05, 20.0)])
    kinds = [kind for _, kind in events]
    assert kinds == ["speech_start", "turn_check", "pause", "turn_check",  # the 2 s pause
                     "turn_check", "pause", "turn_check", "turn_check", "ceiling", "silence"]
    end_of_speech = 1.0 + 3.0 + 2.0 + 2.0
    checks = [t - end_of_speech for t, kind in events if kind == "turn_check"][2:]
    assert checks == pytest.approx([0.3, 1.5, 3.0], abs=2 * FRAME)
    times = {kind: t for t, kind in events}
    assert times["ceiling"] == pytest.approx(end_of_speech + 8.0, abs=2 * FRAME)
    assert times["silence"] == pytest.approx(end_of_speech + 16.0, abs=2 * FRAME)


def test_speech_start_needs_min_speech_and_a_cough_is_not_an_answer() -> None:
    events = run(EndpointConfig(no_speech_timeout=3.0, min_speech=0.25),
                 [(0.9, 0.1), (0.0, 5.0)])
    assert [kind for _, kind in events] == ["no_speech"]
    assert events[0][0] == pytest.approx(3.0, abs=FRAME)


def test_hysteresis_keeps_a_dip_between_words_voiced() -> None:
    endpointer = Endpointer(EndpointConfig(phrase_pause=0.1), FRAME)
    for _ in range(20):
        endpointer.update(0.9)
    decisions = [endpointer.update(0.4) for _ in range(10)]  # below start, above stay-voiced
    assert decisions == [None] * 10
    assert endpointer.speech_seconds == pytest.approx(30 * FRAME)


def test_max_length_ends_a_long_answer_and_reports_no_speech_if_silent() -> None:
    talk = run(EndpointConfig(max_seconds=5.0), [(0.9, 10.0)])
    assert talk[-1][1] == "max_length" and talk[-1][0] == pytest.approx(5.0, abs=FRAME)
    quiet = run(EndpointConfig(max_seconds=5.0, no_speech_timeout=30.0), [(0.0, 10.0)])
    assert quiet == [(pytest.approx(5.0, abs=FRAME), "no_speech")]


def test_speech_start_and_end_times_are_recorded() -> None:
    endpointer = Endpointer(EndpointConfig(end_silence=1.0), FRAME)
    for probability, frames in ((0.0, 31), (0.9, 62), (0.0, 40)):
        for _ in range(frames):
            endpointer.update(probability)
    assert endpointer.speech_start == pytest.approx(31 * FRAME)
    assert endpointer.speech_end == pytest.approx(93 * FRAME)


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> AudioClip:
    path = Path(tmp_path_factory.mktemp("vad")) / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "The learning rate controls the step size."],
                   check=True, timeout=30)
    return AudioClip.load(path).resampled(16000)


def test_silero_finds_speech_and_not_silence_in_any_block_size(spoken: AudioClip) -> None:
    detector = VoiceDetector()
    audio = spoken.with_silence(1.0, 1.0).samples
    probabilities: list[float] = []
    for start in range(0, len(audio), 700):  # blocks that do not match the 512-sample window
        probabilities += detector.probabilities(audio[start:start + 700])
    assert len(probabilities) == len(audio) // detector.window
    voiced = np.array(probabilities) >= 0.5
    per_second = round(1 / detector.frame_seconds)
    assert not voiced[: per_second // 2].any()  # leading silence
    assert not voiced[-per_second // 2:].any()  # trailing silence
    assert voiced.mean() > 0.4 * spoken.duration / (spoken.duration + 2)
