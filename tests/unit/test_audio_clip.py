"""AudioClip and GrowingWav: shapes, rates, files that survive a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voicecoach.audio.clip import AudioClip, concatenate
from voicecoach.audio.wavwriter import GrowingWav
from voicecoach.errors import VoicecoachError


def tone(freq: float, seconds: float, rate: int) -> AudioClip:
    t = np.arange(round(seconds * rate)) / rate
    return AudioClip((0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)


def dominant_frequency(clip: AudioClip) -> float:
    spectrum = np.abs(np.fft.rfft(clip.samples))
    return float(np.fft.rfftfreq(len(clip.samples), 1 / clip.sample_rate)[np.argmax(spectrum)])


def test_stereo_is_mixed_down_and_duration_follows_rate() -> None:
    clip = AudioClip(np.ones((22050, 2), dtype=np.float64), 22050)
    assert clip.samples.dtype == np.float32 and clip.samples.shape == (22050,)
    assert clip.duration == pytest.approx(1.0)


def test_save_load_round_trip_is_16_bit_wav(tmp_path: Path) -> None:
    clip = tone(440, 0.5, 16000)
    path = clip.save(tmp_path / "sub" / "a.wav")
    info = sf.info(str(path))
    assert (info.format, info.subtype, info.samplerate, info.frames) == ("WAV", "PCM_16", 16000,
                                                                          8000)
    assert np.max(np.abs(AudioClip.load(path).samples - clip.samples)) < 1e-3
    assert not any(p.name.endswith(".partial") for p in path.parent.iterdir())


def test_load_bad_file_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.wav"
    bad.write_text("not audio")
    with pytest.raises(VoicecoachError, match="cannot read audio"):
        AudioClip.load(bad)


def test_resample_keeps_pitch_and_length() -> None:
    clip = tone(440, 1.0, 22050).resampled(16000)
    assert clip.sample_rate == 16000 and len(clip.samples) == 16000
    assert dominant_frequency(clip) == pytest.approx(440, abs=2)


def test_downsampling_filters_what_cannot_be_represented() -> None:
    # 7.9 kHz is fine at 16 kHz, 10 kHz would alias to 6 kHz: the low-pass must remove it
    high = tone(10000, 0.5, 44100).resampled(16000)
    kept = tone(3000, 0.5, 44100).resampled(16000)
    assert np.sqrt(np.mean(high.samples**2)) < 0.1 * np.sqrt(np.mean(kept.samples**2))


def test_concatenate_with_gap_and_padding() -> None:
    a, b = tone(300, 0.5, 16000), tone(300, 0.25, 32000)
    joined = concatenate([a, b], gap=0.5)
    assert joined.sample_rate == 16000
    assert joined.duration == pytest.approx(1.25, abs=1e-3)
    assert a.with_silence(1.0, 0.5).duration == pytest.approx(2.0)


def test_growing_wav_is_readable_after_each_flush_before_close(tmp_path: Path) -> None:
    path = tmp_path / "growing.wav"
    wav = GrowingWav(path)
    assert sf.info(str(path)).frames == 0
    wav.write(np.full(8000, 0.25, dtype=np.float32))
    wav.flush()
    assert sf.info(str(path)).frames == 8000
    wav.write(np.full(4000, -2.0, dtype=np.float32))  # clipped, not wrapped
    wav.close()
    samples, rate = sf.read(str(path), dtype="float32")
    assert rate == 16000 and len(samples) == 12000
    assert samples[-1] == pytest.approx(-1.0, abs=1e-4)
    assert samples[0] == pytest.approx(0.25, abs=1e-4)


def test_growing_wav_survives_sigkill(tmp_path: Path) -> None:
    """A process killed outright (no close, no atexit) leaves a valid WAV of what was flushed."""
    path = tmp_path / "killed.wav"
    script = textwrap.dedent(f"""
        import os, signal, numpy as np
        from voicecoach.audio.wavwriter import GrowingWav
        wav = GrowingWav({str(path)!r})
        for _ in range(4):
            wav.write(np.full(1600, 0.1, dtype=np.float32))
            wav.flush()
        wav.write(np.full(1600, 0.1, dtype=np.float32))  # written but never flushed
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[2],
                            env={**os.environ}, timeout=60)
    assert result.returncode == -signal.SIGKILL
    samples, rate = sf.read(str(path), dtype="float32")
    assert rate == 16000 and len(samples) >= 6400
