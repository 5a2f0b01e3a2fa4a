"""Both TTS engines for real: audio comes back, rate and voice matter, mistakes are errors."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from voicecoach.errors import ConfigError
from voicecoach.speech.tts import create_tts

SENTENCE = "A decision tree splits the data on the feature that reduces impurity the most."


def voiced_seconds(samples: np.ndarray, rate: int) -> float:
    frames = samples[: len(samples) // 320 * 320].reshape(-1, 320)
    return float((np.sqrt((frames**2).mean(axis=1)) > 0.02).sum() * 320 / rate)


def test_pyttsx3_synthesizes_the_whole_sentence() -> None:
    tts = create_tts("pyttsx3")
    clip = tts.synthesize(SENTENCE)
    assert tts.name == "pyttsx3" and tts.voice == "gmw/en-us"
    assert clip.sample_rate == 22050
    words = len(SENTENCE.split())
    assert 2.5 < clip.duration < words / 120 * 60 + 1.5  # about 170 wpm plus a pause
    assert voiced_seconds(clip.samples, clip.sample_rate) > 2.0
    assert tts.synthesize("  ").duration == 0


def test_pyttsx3_rate_changes_the_length_and_voice_aliases_resolve() -> None:
    slow = create_tts("pyttsx3", rate=110).synthesize(SENTENCE).duration
    fast = create_tts("pyttsx3", rate=230).synthesize(SENTENCE).duration
    assert slow > 1.6 * fast
    assert create_tts("pyttsx3", voice="en-us").voice == "gmw/en-us"
    assert create_tts("pyttsx3", voice="English (America)").voice == "gmw/en-us"


def test_pyttsx3_unknown_voice_is_an_error_that_lists_voices() -> None:
    with pytest.raises(ConfigError, match=r"unknown pyttsx3/espeak-ng voice 'zz-robot'.*gmw/en"):
        create_tts("pyttsx3", voice="zz-robot")


def test_pyttsx3_is_safe_from_two_threads() -> None:
    """The interviewer synthesizes ahead on a worker while the main thread may synthesize too."""
    tts = create_tts("pyttsx3")
    results: dict[int, float] = {}

    def work(index: int) -> None:
        results[index] = tts.synthesize(f"Question number {index}. {SENTENCE}").duration

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == [0, 1, 2] and min(results.values()) > 3.0


def test_piper_bundled_voice_and_rate() -> None:
    tts = create_tts("piper")
    assert tts.voice == "en_US-joe-medium" and tts.voices() == ["en_US-joe-medium"]
    normal = tts.synthesize(SENTENCE + " " + SENTENCE)
    assert normal.sample_rate == 22050
    words = 2 * len(SENTENCE.split())
    assert 130 < words / normal.duration * 60 < 210
    slow = create_tts("piper", rate=120).synthesize(SENTENCE + " " + SENTENCE)
    assert slow.duration > 1.25 * normal.duration


def test_piper_deterministic_renders_a_text_the_same_way_every_time() -> None:
    from voicecoach.speech.tts_piper import PiperTts

    varied = PiperTts()
    first, second = varied.synthesize(SENTENCE), varied.synthesize(SENTENCE)
    assert len(first.samples) != len(second.samples) or not np.allclose(first.samples,
                                                                        second.samples)
    steady = PiperTts(deterministic=True)
    first, second = steady.synthesize(SENTENCE), steady.synthesize(SENTENCE)
    assert np.array_equal(first.samples, second.samples) and first.duration > 1.0


def test_piper_unknown_voice_and_unknown_engine_and_bad_rate() -> None:
    with pytest.raises(ConfigError, match="unknown Piper voice 'amy'"):
        create_tts("piper", voice="amy")
    with pytest.raises(ConfigError, match=r"unknown TTS engine 'festival'.*pyttsx3, piper"):
        create_tts("festival")
    with pytest.raises(ConfigError, match="between 40 and 400"):
        create_tts("pyttsx3", rate=1000)


def test_piper_broken_voice_file_is_an_error_naming_it(tmp_path: Path) -> None:
    """A file that is not a voice is an error that names it, not onnxruntime's traceback."""
    broken = tmp_path / "mine.onnx"
    broken.write_bytes(b"not an onnx model")
    (tmp_path / "mine.onnx.json").write_text('{"audio": {"sample_rate": 22050}}')
    with pytest.raises(ConfigError, match=r"cannot load the Piper voice .*mine\.onnx"):
        create_tts("piper", voice=str(broken))


def test_pyttsx3_voice_keeps_its_rate_whatever_rendered_before() -> None:
    """On Linux the espeak-ng program synthesizes: nothing is kept between calls, so a voice
    renders at its own rate whatever rate an earlier voice in the process used (the pyttsx3
    espeak driver kept a stale rate and is no longer used on Linux)."""
    from voicecoach.speech.tts_pyttsx3 import Pyttsx3Tts

    slow = Pyttsx3Tts(rate=150)
    assert slow.program is not None  # setup installs espeak-ng
    before = slow.synthesize(SENTENCE)
    fast = Pyttsx3Tts(rate=320).synthesize(SENTENCE)  # a different rate in between
    after = slow.synthesize(SENTENCE)
    assert abs(before.duration - after.duration) < 0.05
    assert before.duration > 1.6 * fast.duration
    assert before.sample_rate == after.sample_rate == fast.sample_rate


def test_pyttsx3_without_the_espeak_program_on_linux_names_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil
    import sys

    from voicecoach.errors import MissingDependencyError
    from voicecoach.speech.tts_pyttsx3 import Pyttsx3Tts

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MissingDependencyError, match="apt-get install espeak-ng"):
        Pyttsx3Tts()


def test_pyttsx3_program_failure_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from voicecoach.errors import VoicecoachError as TtsFailure
    from voicecoach.speech.tts_pyttsx3 import Pyttsx3Tts

    tts = Pyttsx3Tts()
    monkeypatch.setattr(tts, "program", "/bin/false")
    with pytest.raises(TtsFailure, match="produced no audio"):
        tts.synthesize(SENTENCE)
