"""Play an AudioClip on the speaker, blocking until it has been heard (or ``stop`` is set).

A callback stream rather than ``sounddevice.play``: that one uses a single global stream, so a
second player (a test, the UI) would silently cut the first off, and it cannot be stopped from
another thread without stopping everybody's audio.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from voicecoach.audio.clip import AudioClip
from voicecoach.audio.devices import audio_error, resolve_device, running, sounddevice

BLOCK_FRAMES = 1024


def play(
    clip: AudioClip,
    device: str | int | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Play ``clip`` on ``device`` (name, index, None = configured or default output)."""
    sd = sounddevice()
    index = resolve_device(device, "output")
    try:
        rate = _playable_rate(sd, index, clip.sample_rate)
    except sd.PortAudioError as error:
        raise audio_error(error, "output") from None
    samples = clip.resampled(rate).samples
    position = 0
    finished = threading.Event()

    def callback(outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        nonlocal position
        chunk = samples[position:position + frames]
        outdata[: len(chunk), 0] = chunk
        outdata[len(chunk):, 0] = 0.0
        position += len(chunk)
        if len(chunk) < frames:
            raise sd.CallbackStop

    try:
        stream = sd.OutputStream(
            samplerate=rate, channels=1, dtype="float32", device=index,
            blocksize=BLOCK_FRAMES, callback=callback, finished_callback=finished.set,
        )
    except sd.PortAudioError as error:
        raise audio_error(error, "output") from None
    with running(sd, stream, "output"):
        timeout = len(samples) / rate + 5.0
        waited = 0.0
        while not finished.wait(0.05):
            waited += 0.05
            if (stop is not None and stop.is_set()) or waited > timeout:
                stream.abort()
                return


def _playable_rate(sd: Any, index: int | None, rate: int) -> int:
    """``rate`` when the device accepts it, else the device's own default rate."""
    try:
        sd.check_output_settings(device=index, samplerate=rate, channels=1, dtype="float32")
        return rate
    except sd.PortAudioError as error:
        if "sample rate" not in str(error).lower():
            raise
        info: Any = sd.query_devices(index, kind="output")
        return int(info["default_samplerate"])
