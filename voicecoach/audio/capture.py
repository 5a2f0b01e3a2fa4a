"""Record one spoken answer from the microphone into a WAV on disk, ending it at the right time.

The audio callback only copies blocks into a queue; this thread writes them to a
:class:`~voicecoach.audio.wavwriter.GrowingWav` (header valid after every flush, so Ctrl-C or a
crash loses nothing already said), runs Silero VAD on them and asks the
:class:`~voicecoach.audio.vad.Endpointer` whether the answer is over. Timing is counted in
samples, not wall-clock time, so a slow ``phrase_check`` (it may run Whisper) delays the decision
but never shortens the silence the candidate is granted.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from voicecoach.audio.devices import audio_error, resolve_device, running, sounddevice
from voicecoach.audio.vad import SAMPLE_RATE, WINDOW, EndpointConfig, Endpointer, VoiceDetector
from voicecoach.audio.wavwriter import GrowingWav
from voicecoach.errors import AudioDeviceError

EndedBy = Literal["silence", "stop", "phrase", "max_length", "no_speech"]
BLOCK = WINDOW  # one Silero window: 32 ms
FLUSH_SECONDS = 0.5  # how much audio a crash can lose at most
LEVEL_SECONDS = 0.1  # level-meter update interval
PHRASE_WINDOW = 4.0  # seconds of recent audio handed to phrase_check
DEAD_MIC_SECONDS = 5.0  # an open stream that delivers nothing this long is an error


@dataclass(frozen=True)
class CaptureResult:
    """What was recorded and why recording stopped (times in seconds into the file)."""

    path: Path
    duration: float
    speech_seconds: float
    ended_by: EndedBy
    speech_start: float | None = None
    speech_end: float | None = None


def record_answer(
    path: Path,
    *,
    device: str | int | None = None,
    end_silence: float = 3.0,
    max_seconds: float = 180.0,
    stop: threading.Event | None = None,
    on_level: Callable[[float], None] | None = None,
    on_speech_start: Callable[[], None] | None = None,
    on_silence: Callable[[float | None], None] | None = None,
    phrase_check: Callable[[np.ndarray], bool] | None = None,
    no_speech_timeout: float = 30.0,
) -> CaptureResult:
    """Record 16 kHz mono from ``device`` into ``path`` until the answer ends.

    Ends on ``end_silence`` s of silence after speech, ``stop`` being set (Enter), a
    ``phrase_check`` that returns True for the last few seconds after a ~1 s pause (a spoken
    "I'm done"), ``max_seconds``, or nothing said within ``no_speech_timeout``.
    ``on_level`` gets the RMS level about ten times a second and ``on_silence`` as often the
    seconds of silence still needed to end the answer (None while speaking); all callbacks run
    on this thread.
    """
    config = EndpointConfig(
        end_silence=end_silence, max_seconds=max_seconds, no_speech_timeout=no_speech_timeout
    )
    sd = sounddevice()
    index = resolve_device(device, "input")
    blocks: queue.Queue[np.ndarray] = queue.Queue()

    def callback(indata: np.ndarray, _frames: int, _time: Any, _status: Any) -> None:
        blocks.put(indata[:, 0].copy())

    try:
        stream = sd.InputStream(
            samplerate=SAMPLE_RATE, channels=1, dtype="float32", blocksize=BLOCK,
            device=index, callback=callback,
        )
    except (sd.PortAudioError, ValueError) as error:
        raise audio_error(error, "input") from None

    detector = VoiceDetector()
    endpointer = Endpointer(config, detector.frame_seconds)
    recent: deque[np.ndarray] = deque(maxlen=round(PHRASE_WINDOW * SAMPLE_RATE / BLOCK))
    ended_by: EndedBy | None = None
    with GrowingWav(Path(path), SAMPLE_RATE) as wav, running(sd, stream, "input"):
        flushed_at = level_at = 0
        idle = 0.0
        while ended_by is None:
            if stop is not None and stop.is_set():
                ended_by = "stop"
                break
            try:
                block = blocks.get(timeout=0.1)
            except queue.Empty:
                idle += 0.1
                if idle >= DEAD_MIC_SECONDS:
                    raise AudioDeviceError(
                        "the microphone delivers no audio: check that it is connected, not "
                        "muted and not used by another program, or pick another one with "
                        "VOICECOACH_INPUT_DEVICE; or practise without audio: "
                        "`voicecoach practice --text`"
                    ) from None
                continue
            idle = 0.0
            wav.write(block)
            recent.append(block)
            if wav.frames - level_at >= LEVEL_SECONDS * SAMPLE_RATE:
                level_at = wav.frames
                if on_level is not None:
                    on_level(float(np.sqrt(np.mean(np.square(block)))))
                if on_silence is not None:
                    on_silence(endpointer.silence_left)
            for probability in detector.probabilities(block):
                ended_by = _decide(endpointer.update(probability), recent, on_speech_start,
                                   phrase_check)
                if ended_by is not None:
                    break
            if wav.frames - flushed_at >= FLUSH_SECONDS * SAMPLE_RATE:
                wav.flush()
                flushed_at = wav.frames
        frames = wav.frames
    return CaptureResult(
        path=Path(path),
        duration=frames / SAMPLE_RATE,
        speech_seconds=round(endpointer.speech_seconds, 3),
        ended_by=ended_by,
        speech_start=endpointer.speech_start,
        speech_end=endpointer.speech_end,
    )


def _decide(
    decision: str | None,
    recent: deque[np.ndarray],
    on_speech_start: Callable[[], None] | None,
    phrase_check: Callable[[np.ndarray], bool] | None,
) -> EndedBy | None:
    """Act on one endpointer decision; return why recording ends, if it does."""
    if decision == "speech_start":
        if on_speech_start is not None:
            on_speech_start()
        return None
    if decision == "pause":
        if phrase_check is not None and recent and phrase_check(np.concatenate(list(recent))):
            return "phrase"
        return None
    if decision in ("silence", "no_speech", "max_length"):
        return decision  # type: ignore[return-value]
    return None
