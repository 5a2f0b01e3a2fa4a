"""play() hands every sample to the device, in order, and stops early when asked (fake stream;
the real path to a speaker is tests/integration/test_audio_pulse.py)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from voicecoach.audio import playback
from voicecoach.audio.clip import AudioClip


class CallbackStop(Exception):
    pass


class PortAudioError(Exception):
    pass


class FakeOutputStream:
    played: list[np.ndarray]
    aborted = False
    rate = 0

    def __init__(self, *, samplerate: int, callback: Any, finished_callback: Any,
                 blocksize: int, **_: Any) -> None:
        type(self).rate = samplerate
        self.callback, self.finished, self.blocksize = callback, finished_callback, blocksize
        self.active = threading.Event()

    def start(self) -> None:
        self.active.set()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while self.active.is_set():
            out = np.full((self.blocksize, 1), np.nan, dtype=np.float32)
            try:
                self.callback(out, self.blocksize, None, None)
            except CallbackStop:
                self.played.append(out[:, 0].copy())
                self.finished()
                return
            self.played.append(out[:, 0].copy())
            time.sleep(0.005)

    def abort(self) -> None:
        type(self).aborted = True
        self.active.clear()

    def close(self, ignore_errors: bool = True) -> None:
        self.active.clear()


def fake(rates_ok: bool = True) -> tuple[SimpleNamespace, type[FakeOutputStream]]:
    stream = type("Stream", (FakeOutputStream,), {"played": [], "aborted": False})

    def check_output_settings(**kwargs: Any) -> None:
        if not rates_ok and kwargs["samplerate"] != 48000:
            raise PortAudioError("Invalid sample rate")

    sd = SimpleNamespace(
        OutputStream=stream, CallbackStop=CallbackStop, PortAudioError=PortAudioError,
        check_output_settings=check_output_settings,
        query_devices=lambda *a, **k: {"default_samplerate": 48000.0},
    )
    return sd, stream


@pytest.fixture(autouse=True)
def no_env_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOICECOACH_OUTPUT_DEVICE", raising=False)


def test_every_sample_is_played_in_order_then_silence(monkeypatch: pytest.MonkeyPatch) -> None:
    sd, stream = fake()
    monkeypatch.setattr(playback, "sounddevice", lambda: sd)
    clip = AudioClip(np.linspace(-0.5, 0.5, 5000, dtype=np.float32), 16000)
    playback.play(clip)
    out = np.concatenate(stream.played)
    assert stream.rate == 16000 and not stream.aborted
    assert np.array_equal(out[:5000], clip.samples)
    assert not np.isnan(out).any() and (out[5000:] == 0).all()


def test_unsupported_rate_is_resampled_to_the_device_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sd, stream = fake(rates_ok=False)
    monkeypatch.setattr(playback, "sounddevice", lambda: sd)
    playback.play(AudioClip(np.zeros(22050, dtype=np.float32), 22050))
    assert stream.rate == 48000
    assert sum(len(block) for block in stream.played) >= 48000


def test_stop_event_cuts_playback_short(monkeypatch: pytest.MonkeyPatch) -> None:
    sd, stream = fake()
    monkeypatch.setattr(playback, "sounddevice", lambda: sd)
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    playback.play(AudioClip(np.ones(16000 * 600, dtype=np.float32) * 0.1, 16000), stop=stop)
    assert time.monotonic() - started < 2.0 and stream.aborted
