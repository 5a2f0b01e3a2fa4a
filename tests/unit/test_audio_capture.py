"""record_answer's decisions and file handling, fed by a fake input stream (no audio device).

The fake only replaces PortAudio: the blocks go through the real queue, GrowingWav, Silero VAD
and endpointing. The same code runs against a real (virtual) microphone in
tests/integration/test_audio_pulse.py.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from voicecoach.audio import capture
from voicecoach.audio.capture import CaptureHooks
from voicecoach.audio.clip import AudioClip, concatenate
from voicecoach.audio.turntaking import TurnJudge
from voicecoach.audio.vad import EndpointConfig
from voicecoach.errors import AudioDeviceError


class FakeInputStream:
    """Delivers ``audio`` then silence (or nothing) in 512-sample blocks, 20x real time."""

    audio = np.zeros(0, dtype=np.float32)
    then_silence = True

    def __init__(self, *, callback: Any, blocksize: int, **_: Any) -> None:
        self.callback, self.blocksize = callback, blocksize
        self.running = threading.Event()

    def start(self) -> None:
        self.running.set()
        threading.Thread(target=self._feed, daemon=True).start()

    def close(self, ignore_errors: bool = True) -> None:
        self.running.clear()

    def _feed(self) -> None:
        position = 0
        while self.running.is_set():
            block = self.audio[position:position + self.blocksize]
            position += self.blocksize
            if len(block) < self.blocksize:
                if not self.then_silence:
                    time.sleep(0.01)
                    continue
                block = np.concatenate([block, np.zeros(self.blocksize - len(block), np.float32)])
            self.callback(block.reshape(-1, 1), self.blocksize, None, None)
            time.sleep(self.blocksize / 16000 / 20)


class PortAudioError(Exception):
    pass


class UnstartableStream(FakeInputStream):
    def start(self) -> None:
        raise PortAudioError("Error starting stream: Device unavailable [PaErrorCode -9985]")


@pytest.fixture
def fake_mic(monkeypatch: pytest.MonkeyPatch) -> type[FakeInputStream]:
    stream = type("Stream", (FakeInputStream,), {})
    fake = SimpleNamespace(InputStream=stream, PortAudioError=PortAudioError)
    monkeypatch.setattr(capture, "sounddevice", lambda: fake)
    monkeypatch.delenv("VOICECOACH_INPUT_DEVICE", raising=False)
    return stream


def espeak(text: str, path: Path) -> AudioClip:
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, timeout=30)
    return AudioClip.load(path).resampled(16000)


@pytest.fixture(scope="module")
def answer(tmp_path_factory: pytest.TempPathFactory) -> tuple[AudioClip, float]:
    """Two sentences with a 1.8 s thinking pause between them; and where speech ends."""
    folder = Path(tmp_path_factory.mktemp("capture"))
    first = espeak("Overfitting means the model memorises the training data.", folder / "a.wav")
    second = espeak("Regularisation and more data both help.", folder / "b.wav")
    clip = concatenate([first, second], gap=1.8).with_silence(before=0.5)
    return clip, clip.duration


def test_answer_with_a_thinking_pause_ends_after_the_configured_silence(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float], tmp_path: Path
) -> None:
    clip, speech_end = answer
    fake_mic.audio = clip.samples
    started: list[float] = []
    levels: list[float] = []
    countdown: list[float | None] = []
    result = capture.record_answer(
        tmp_path / "a.wav", endpoint=EndpointConfig(turn="silence", end_silence=2.5),
        hooks=CaptureHooks(on_speech_start=lambda: started.append(1.0),
                           on_level=levels.append, on_silence=countdown.append))
    assert result.ended_by == "silence"
    assert started == [1.0]
    assert result.duration == pytest.approx(speech_end + 2.5, abs=0.4)
    assert result.speech_start == pytest.approx(0.5, abs=0.2)
    assert result.speech_end is not None and result.speech_end > speech_end - 0.5
    assert 0.5 * (clip.duration - 2.3) < result.speech_seconds < clip.duration
    recorded, rate = sf.read(str(result.path), dtype="float32")
    assert rate == 16000 and len(recorded) == round(result.duration * 16000)
    assert np.allclose(recorded[: len(clip.samples)], clip.samples, atol=2e-4)  # nothing lost
    assert max(levels) > 0.01 and len(levels) >= result.duration * 7
    # the live view's countdown: shown in pauses, counting down to the end of the answer
    shown = [left for left in countdown if left is not None]
    assert len(countdown) == len(levels) and countdown[0] is None
    assert shown and max(shown) <= 2.0 and min(shown) < 0.3  # after 0.5 s of pause; reaches ~0
    last_pause = shown[-10:]
    assert last_pause == sorted(last_pause, reverse=True)


def test_stop_event_ends_recording_at_once(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float], tmp_path: Path
) -> None:
    fake_mic.audio = answer[0].samples
    stop = threading.Event()
    result = capture.record_answer(tmp_path / "a.wav", stop=stop,
                                   hooks=CaptureHooks(on_speech_start=stop.set))
    assert result.ended_by == "stop"
    assert result.duration < 2.0
    assert sf.info(str(result.path)).frames == round(result.duration * 16000)


def test_phrase_check_runs_after_a_pause_and_can_end_the_answer(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float], tmp_path: Path
) -> None:
    fake_mic.audio = answer[0].samples
    seen: list[float] = []

    def words(recent: np.ndarray) -> str:
        seen.append(len(recent) / 16000)
        return "I'm done." if len(seen) == 2 else "and"  # the second pause: the end

    result = capture.record_answer(tmp_path / "a.wav",
                                   endpoint=EndpointConfig(turn="silence", end_silence=3.0),
                                   judge=TurnJudge(None, words))
    assert result.ended_by == "phrase"
    assert len(seen) == 2 and all(0.9 < s <= 4.01 for s in seen)
    assert result.duration < answer[1] + 1.5


def test_nothing_said_is_no_speech(fake_mic: type[FakeInputStream], tmp_path: Path) -> None:
    fake_mic.audio = np.zeros(0, dtype=np.float32)
    result = capture.record_answer(tmp_path / "a.wav",
                                   endpoint=EndpointConfig(no_speech_timeout=2.0))
    assert (result.ended_by, result.speech_seconds) == ("no_speech", 0.0)
    assert result.duration == pytest.approx(2.0, abs=0.1)


def test_max_length(fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float],
                    tmp_path: Path) -> None:
    fake_mic.audio = answer[0].samples
    result = capture.record_answer(tmp_path / "a.wav", endpoint=EndpointConfig(max_seconds=2.0))
    assert result.ended_by == "max_length"
    assert result.duration == pytest.approx(2.0, abs=0.1)


def test_ctrl_c_keeps_everything_recorded(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float], tmp_path: Path
) -> None:
    fake_mic.audio = answer[0].samples
    path = tmp_path / "a.wav"
    count = 0

    def on_level(_: float) -> None:
        nonlocal count
        count += 1
        if count == 25:  # ~2.5 s in
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        capture.record_answer(path, hooks=CaptureHooks(on_level=on_level))
    recorded, _ = sf.read(str(path), dtype="float32")
    assert len(recorded) >= 2.4 * 16000
    assert np.allclose(recorded, answer[0].samples[: len(recorded)], atol=2e-4)


def test_a_microphone_that_delivers_nothing_is_a_clear_error(
    fake_mic: type[FakeInputStream], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_mic.then_silence = False
    monkeypatch.setattr(capture, "DEAD_MIC_SECONDS", 0.5)
    with pytest.raises(AudioDeviceError, match=r"delivers no audio.*--text"):
        capture.record_answer(tmp_path / "a.wav")


def test_stream_that_cannot_open_is_an_audio_device_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(**_: Any) -> None:
        raise PortAudioError("Error querying device -1")

    fake = SimpleNamespace(InputStream=broken, PortAudioError=PortAudioError)
    monkeypatch.setattr(capture, "sounddevice", lambda: fake)
    monkeypatch.delenv("VOICECOACH_INPUT_DEVICE", raising=False)
    with pytest.raises(AudioDeviceError) as caught:
        capture.record_answer(tmp_path / "a.wav")
    message = str(caught.value)
    assert "no default microphone" in message and "--text" in message
    assert "VOICECOACH_INPUT_DEVICE" in message and "\n" not in message


def test_stream_that_cannot_start_is_an_audio_device_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = SimpleNamespace(InputStream=UnstartableStream, PortAudioError=PortAudioError)
    monkeypatch.setattr(capture, "sounddevice", lambda: fake)
    monkeypatch.delenv("VOICECOACH_INPUT_DEVICE", raising=False)
    with pytest.raises(AudioDeviceError, match="cannot open the microphone"):
        capture.record_answer(tmp_path / "a.wav")


class FakeTurnModel:
    """Smart Turn stand-in: 'complete' from the n-th call on (before that 0.1: under every bar
    but the 0 after 3 s); records what it was given."""

    def __init__(self, complete_from: int) -> None:
        self.complete_from, self.heard = complete_from, []  # type: int, list[float]

    def probability(self, audio: np.ndarray) -> float:
        self.heard.append(len(audio) / 16000)
        return 0.9 if len(self.heard) >= self.complete_from else 0.1


def test_the_turn_model_ends_the_answer_at_the_first_pause_it_calls_complete(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float], tmp_path: Path
) -> None:
    clip, speech_end = answer
    fake_mic.audio = clip.samples
    model = FakeTurnModel(complete_from=4)  # the thinking pause: "not yet"; the end: "done"
    judge = TurnJudge(model, lambda recent: "Regularisation and more data both help.")
    result = capture.record_answer(tmp_path / "a.wav", judge=judge)
    assert result.ended_by == "turn"
    # asked at 0.4, 1 and 1.5 s into the 1.8 s pause (each time "not yet"), then at 0.4 s
    assert [v.done for v in judge.verdicts] == [False, False, False, True]
    assert [v.silence for v in judge.verdicts] == pytest.approx([0.3, 1.0, 1.5, 0.3], abs=0.04)
    assert result.duration == pytest.approx(speech_end + 0.4, abs=0.35)  # no 3 s wait
    assert all(0 < heard <= 8.0 for heard in model.heard)


def test_a_pause_the_model_doubts_still_ends_at_3_s(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float], tmp_path: Path
) -> None:
    clip, speech_end = answer
    fake_mic.audio = clip.samples
    judge = TurnJudge(FakeTurnModel(complete_from=10**6), lambda recent: "both help.")
    result = capture.record_answer(tmp_path / "a.wav", judge=judge)
    assert (result.ended_by, result.nudged) == ("turn", 0)
    assert result.duration == pytest.approx(speech_end + 3.0, abs=0.35)  # not the 8 s ceiling


def test_words_that_say_keep_going_overrule_the_model_until_the_ceiling(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float], tmp_path: Path
) -> None:
    clip, speech_end = answer
    fake_mic.audio = clip.samples
    nudges: list[float] = []
    judge = TurnJudge(FakeTurnModel(complete_from=1), lambda recent: "Hmm, let me think.")
    result = capture.record_answer(
        tmp_path / "a.wav", judge=judge, endpoint=EndpointConfig(think_ceiling=3.0),
        hooks=CaptureHooks(on_nudge=lambda: nudges.append(1.0)))
    assert {v.reason for v in judge.verdicts} == {"words"}  # every check, even after 3 s
    assert len(judge.verdicts) == 3 + 5  # 0.3, 1, 1.5 s in the pause; 0.3, 1, 1.5, 3, 4 at the end
    assert (result.ended_by, result.nudged, nudges) == ("silence", 1, [1.0])
    assert result.duration == pytest.approx(speech_end + 6.0, abs=0.4)  # nudge at 3 s, end at 6


def test_a_resumed_answer_that_goes_on_speaking_ends_at_its_next_finished_pause(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float], tmp_path: Path
) -> None:
    """Resumed with the candidate already talking: the new audio begins with voice, so there is
    no step from silence to voice; the judged pause must still be over, and the real end of
    the answer judged (it waited for the 8 s ceiling)."""
    clip, _ = answer
    samples = clip.samples
    loud = np.abs(samples) > 0.01
    gap = next(i for i in range(16000, len(samples)) if not loud[i - 16000:i].any())
    resumed_at = gap + int(np.argmax(loud[gap:])) + 8000  # 0.5 s into the second sentence
    fake_mic.audio = samples[resumed_at:]  # the rest of the answer, voiced from its first block
    judge = TurnJudge(FakeTurnModel(complete_from=1),
                      lambda recent: "Regularisation and more data both help.")
    result = capture.record_answer(tmp_path / "a.wav", judge=judge,
                                   before=samples[:resumed_at])
    assert result.ended_by == "turn"
    assert judge.verdicts[-1].reason == "model" and judge.verdicts[-1].done
    assert result.duration < clip.duration + 1.5  # not held to the ceiling


def test_a_shared_microphone_keeps_speech_from_between_answers(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float], tmp_path: Path
) -> None:
    clip, _ = answer
    fake_mic.audio = clip.samples
    with capture.Microphone() as mic:
        time.sleep(clip.duration / 20 + 0.3)  # the whole answer arrives while nobody listens
        assert mic.resumed()  # the candidate spoke since the (previous) answer ended
        result = capture.record_answer(tmp_path / "a.wav", mic=mic,
                                       endpoint=EndpointConfig(turn="silence", end_silence=1.0,
                                                               no_speech_timeout=5.0))
    recorded, _ = sf.read(str(result.path), dtype="float32")
    assert result.ended_by == "silence"  # the speech in the backlog began the answer
    assert result.speech_seconds > 0.5  # the second sentence is in it
    assert len(recorded) < len(clip.samples) + 2.0 * 16000  # the leading silence was dropped


def test_quiet_is_measured_on_the_arriving_audio_and_broken_by_any_voice(
    fake_mic: type[FakeInputStream], answer: tuple[AudioClip, float]
) -> None:
    clip, _ = answer
    fake_mic.audio = np.zeros(16000 * 2, dtype=np.float32)
    with capture.Microphone() as mic:
        assert mic.quiet_for(0.5, timeout=2.0)  # half a second of silence arrived
        # more quiet than the stream will ever deliver in time: not quiet, not a hang
        assert not mic.quiet_for(60.0, timeout=0.3)
    fake_mic.audio = clip.samples
    with capture.Microphone() as mic:
        assert not mic.quiet_for(clip.duration, timeout=2.0)  # the candidate spoke in it
