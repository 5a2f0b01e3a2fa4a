"""STT building blocks without a model: options, prompt, hallucination filter, audio loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voicecoach.errors import ConfigError
from voicecoach.speech.stt import (
    FILLER_PROMPT,
    SAMPLE_RATE,
    AudioFileError,
    SttOptions,
    assemble,
    build_prompt,
    create_stt,
    is_hallucination,
    load_audio,
    options_dict,
)
from voicecoach.speech.transcript import Segment, Word


def seg(text: str, no_speech: float = 0.1, logprob: float = -0.3, ratio: float = 1.2) -> Segment:
    return Segment(text=text, start=0.0, end=1.0, no_speech_prob=no_speech,
                   avg_logprob=logprob, compression_ratio=ratio)


def test_prompt_is_question_then_filler_cue() -> None:
    assert build_prompt("Why do trees overfit?", SttOptions()) == (
        f"Why do trees overfit? {FILLER_PROMPT}")
    assert build_prompt(None, SttOptions(filler_prompt=False)) is None
    assert build_prompt("  Q?  ", SttOptions(filler_prompt=False)) == "Q?"


@pytest.mark.parametrize(("segment", "dropped"), [
    (seg("A deeper tree overfits."), False),
    (seg("Thanks for watching!", no_speech=0.9, logprob=-1.4), True),  # Whisper's silence rule
    (seg("uh...", no_speech=0.8, logprob=-0.7), True),  # the filler prompt echoed in silence
    (seg("Um, a deeper tree overfits.", no_speech=0.8, logprob=-0.5), False),  # real words kept
    (seg("um", no_speech=0.2), False),  # a real filler in speech is kept
    (seg("the the the the the the the the", ratio=3.1), True),  # looping text
    (seg(" ... "), True),
    # 21 words in 0.7 s at the end of a clip (seen on a Piper answer, no_speech_prob 0.79)
    (Segment(text="If you have any questions, please visit our website at www.example.com or "
                  "visit our website at www.example.com.", start=18.06, end=18.74,
             no_speech_prob=0.79, avg_logprob=-0.82, compression_ratio=1.5), True),
    (seg("42"), False),
])
def test_hallucination_rules(segment: Segment, dropped: bool) -> None:
    assert is_hallucination(segment, SttOptions()) is dropped


def test_assemble_drops_hallucinated_segments_and_their_words() -> None:
    good = (seg("Gini impurity."), [Word(word="Gini", start=0, end=0.4),
                                    Word(word="impurity.", start=0.4, end=1)])
    bad = (seg("Thanks for watching!", no_speech=0.95, logprob=-1.5),
           [Word(word="Thanks", start=2, end=2.5)])
    result = assemble([good, bad], duration=3.0, engine="e", model="m",
                      settings=options_dict(SttOptions()), seconds=0.5)
    assert result.text == "Gini impurity."
    assert [w.word for w in result.words] == ["Gini", "impurity."]
    assert result.settings["dropped_segments"] == 1
    assert result.settings["beam_size"] == 5 and result.engine == "e"


def test_unknown_engine_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="faster-whisper"):
        create_stt("wav2vec")


def test_load_audio_resamples_and_mixes_down(tmp_path: Path) -> None:
    t = np.arange(44_100) / 44_100
    stereo = np.stack([np.sin(2 * np.pi * 440 * t)] * 2, axis=1) * 0.5
    path = tmp_path / "tone.flac"
    sf.write(path, stereo, 44_100)
    samples = load_audio(path)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert abs(len(samples) - SAMPLE_RATE) <= 1
    assert 0.4 < float(np.abs(samples).max()) < 0.55


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.wav", None, "file not found"),
    ("empty.wav", b"", "the file is empty"),
    ("text.wav", b"this is not audio at all", "not a readable audio file"),
])
def test_bad_files_say_what_is_wrong(tmp_path: Path, name: str, content: bytes | None,
                                     message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AudioFileError, match=message):
        load_audio(path)


def test_zero_length_audio_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 16_000)
    with pytest.raises(AudioFileError, match="0 seconds"):
        load_audio(path)
