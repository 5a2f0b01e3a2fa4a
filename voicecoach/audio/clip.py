"""An in-memory mono audio clip: what TTS produces, playback consumes and tests compare.

Samples are float32 in [-1, 1], one channel, so every engine (espeak-ng's 22050 Hz s16, Piper's
float 22050 Hz, the 16 kHz microphone) meets in one shape. Files are written as 16-bit PCM WAV:
every tool (soundfile, Whisper, pacat, a browser) reads it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from voicecoach.errors import VoicecoachError


@dataclass(frozen=True)
class AudioClip:
    """Mono float32 samples and their rate in Hz."""

    samples: np.ndarray
    sample_rate: int

    def __post_init__(self) -> None:
        samples = np.asarray(self.samples, dtype=np.float32)
        if samples.ndim == 2:  # (frames, channels): mix down, so callers never care
            samples = samples.mean(axis=1, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"audio must be mono (frames,), got shape {samples.shape}")
        if self.sample_rate <= 0:
            raise ValueError(f"sample rate must be positive, got {self.sample_rate}")
        object.__setattr__(self, "samples", samples)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate

    def save(self, path: Path | str) -> Path:
        """Write a 16-bit PCM WAV atomically (a reader never sees half a file)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        sf.write(partial, np.clip(self.samples, -1.0, 1.0), self.sample_rate,
                 subtype="PCM_16", format="WAV")
        os.replace(partial, target)
        return target

    @classmethod
    def load(cls, path: Path | str) -> AudioClip:
        """Read any file libsndfile understands (WAV, FLAC, OGG), mixed down to mono."""
        try:
            samples, rate = sf.read(str(path), dtype="float32", always_2d=False)
        except (sf.LibsndfileError, RuntimeError, OSError) as error:
            raise VoicecoachError(f"cannot read audio file {path}: {error}") from None
        return cls(samples=samples, sample_rate=int(rate))

    def resampled(self, rate: int) -> AudioClip:
        """The clip at another rate (speech quality: windowed-sinc low-pass, then linear).

        No scipy/soxr dependency for this one job: a 63-tap low-pass before linear interpolation
        keeps aliasing out of a 22050 → 16000 Hz conversion, which is all speech needs.
        """
        if rate == self.sample_rate or len(self.samples) == 0:
            return AudioClip(self.samples, rate) if len(self.samples) == 0 else self
        samples = self.samples
        if rate < self.sample_rate:
            samples = _low_pass(samples, cutoff=0.5 * rate / self.sample_rate)
        count = round(len(samples) * rate / self.sample_rate)
        old_times = np.arange(len(samples)) / self.sample_rate
        new_times = np.arange(count) / rate
        return AudioClip(np.interp(new_times, old_times, samples).astype(np.float32), rate)

    def with_silence(self, before: float = 0.0, after: float = 0.0) -> AudioClip:
        """The clip padded with silence (seconds) on either side."""
        pad = [np.zeros(round(s * self.sample_rate), dtype=np.float32) for s in (before, after)]
        return AudioClip(np.concatenate([pad[0], self.samples, pad[1]]), self.sample_rate)


def concatenate(clips: list[AudioClip], gap: float = 0.0) -> AudioClip:
    """Clips one after another (all resampled to the first one's rate), ``gap`` s between."""
    if not clips:
        raise ValueError("nothing to concatenate")
    rate = clips[0].sample_rate
    silence = np.zeros(round(gap * rate), dtype=np.float32)
    parts: list[np.ndarray] = []
    for index, clip in enumerate(clips):
        if index:
            parts.append(silence)
        parts.append(clip.resampled(rate).samples)
    return AudioClip(np.concatenate(parts), rate)


def _low_pass(samples: np.ndarray, cutoff: float, taps: int = 63) -> np.ndarray:
    """Hamming-windowed sinc FIR; ``cutoff`` is a fraction of the sample rate (< 0.5)."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
    kernel /= kernel.sum()
    return np.convolve(samples, kernel, mode="same").astype(np.float32)
