"""Real transcription with the default engine (faster-whisper, bundled tiny.en) of speech that the
test synthesizes with Piper: WER bounds, word timings, silence and noise, the CLI, and base."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from tests.fixtures.speech_audio import ANSWERS, FILLER_ANSWER, SpeechSynth
from tests.fixtures.wer import normalize, wer
from voicecoach.cli import app
from voicecoach.speech.stt import SttEngine, create_stt

pytestmark = pytest.mark.slow
QUESTIONS = {
    "max-depth": "A common parameter of decision trees is max depth. Why tune it?",
    "kmeans": "How does k-means work?",
}




@pytest.fixture(scope="module")
def stt() -> SttEngine:
    return create_stt("faster-whisper", "tiny.en")


@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_piper_answers_are_transcribed_within_wer_bound(
        stt: SttEngine, speech_synth: SpeechSynth, answer: str) -> None:
    transcript = stt.transcribe(speech_synth.clip(ANSWERS[answer]), prompt=QUESTIONS[answer])
    assert wer(ANSWERS[answer], transcript.text) <= 0.10, transcript.text
    assert (transcript.engine, transcript.model) == ("faster-whisper", "tiny.en")
    assert transcript.settings["beam_size"] == 5 and transcript.settings["vad_filter"]
    assert QUESTIONS[answer] in transcript.settings["initial_prompt"]


def test_words_have_ordered_timings_and_probabilities(
        stt: SttEngine, speech_synth: SpeechSynth) -> None:
    transcript = stt.transcribe(speech_synth.clip(ANSWERS["max-depth"]))
    words = transcript.words
    assert len(words) >= 15
    assert all(0 <= w.probability <= 1 for w in words)
    assert all(w.start <= w.end <= transcript.duration + 0.05 for w in words)
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    assert 0.9 * len(normalize(transcript.text).split()) <= len(words)
    assert np.mean([w.probability for w in words]) > 0.6


def test_espeak_speech_also_works(stt: SttEngine, speech_synth: SpeechSynth) -> None:
    text = ANSWERS["max-depth"]
    transcript = stt.transcribe(speech_synth.clip(text, engine="espeak-ng", rate=150),
                                prompt=QUESTIONS["max-depth"])
    assert wer(text, transcript.text) <= 0.25, transcript.text


def test_fillers_are_kept(stt: SttEngine, speech_synth: SpeechSynth) -> None:
    transcript = stt.transcribe(speech_synth.clip(FILLER_ANSWER),
                                prompt="What does regularization do?")
    said = normalize(transcript.text).split()
    assert sum(w in {"um", "uh", "umm"} for w in said) >= 2, transcript.text


def test_quick_text_reads_the_end_of_an_answer_fast_and_keeps_a_thinking_filler(
        stt: SttEngine, speech_synth: SpeechSynth) -> None:
    """The turn decision's decode: the last 4 s of real Piper speech, short window, greedy."""
    import time

    from voicecoach.speech.stt import load_audio, quick_words

    samples = load_audio(speech_synth.clip(ANSWERS["kmeans"]))
    tail = np.concatenate([samples[-4 * 16_000:], np.zeros(4_800, np.float32)])
    quick_words(stt, tail)  # warm
    started = time.perf_counter()
    heard = quick_words(stt, tail)
    quick = time.perf_counter() - started
    started = time.perf_counter()
    full = stt.transcribe(tail, word_timestamps=False).text
    slow = time.perf_counter() - started
    last = normalize(ANSWERS["kmeans"]).split()[-3:]
    assert normalize(heard).split()[-3:] == last, heard
    assert wer(normalize(full), normalize(heard)) <= 0.25, (full, heard)
    assert quick < slow, (quick, slow)  # the point of it: no 30 s window, no beam
    thinking = load_audio(speech_synth.clip("Hmm, let me think."))
    assert "think" in normalize(quick_words(stt, thinking)), quick_words(stt, thinking)
    assert quick_words(stt, np.zeros(3 * 16_000, np.float32)) == ""  # no "you" in silence


def test_silence_and_noise_give_no_text(stt: SttEngine) -> None:
    rng = np.random.default_rng(7)
    seconds = 16_000 * 6
    for audio in (np.zeros(seconds, np.float32),
                  (rng.standard_normal(seconds) * 0.05).astype(np.float32),
                  (0.2 * np.sin(2 * np.pi * 120 * np.arange(seconds) / 16_000)).astype(np.float32)):
        transcript = stt.transcribe(audio, prompt="Why does a deep tree overfit?")
        assert transcript.text == "" and transcript.words == []


def test_hallucination_filter_works_without_the_vad(speech_synth: SpeechSynth) -> None:
    from voicecoach.speech.stt import SttOptions

    raw = create_stt(options=SttOptions(vad_filter=False))
    silence = np.zeros(16_000 * 5, np.float32)
    assert raw.transcribe(silence, prompt="What is k-means?").text == ""
    speech = raw.transcribe(speech_synth.clip(ANSWERS["kmeans"]), prompt=QUESTIONS["kmeans"])
    assert wer(ANSWERS["kmeans"], speech.text) <= 0.15


def test_cli_transcribes_good_files_and_reports_bad_ones(
        speech_synth: SpeechSynth, tmp_path: Path) -> None:
    good = speech_synth.clip(ANSWERS["kmeans"])
    stereo_44k = tmp_path / "stereo.wav"  # another rate and two channels: resampled, mixed down
    samples, rate = sf.read(good, dtype="float32")
    t_new = np.arange(int(len(samples) * 44_100 / rate)) / 44_100
    resampled = np.interp(t_new, np.arange(len(samples)) / rate, samples)
    sf.write(stereo_44k, np.stack([resampled, resampled], axis=1), 44_100)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    result = CliRunner().invoke(app, ["transcribe", str(good), str(empty), str(stereo_44k),
                                      "--json", "--prompt", QUESTIONS["kmeans"]])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [d["path"] for d in data] == [str(good), str(stereo_44k)]
    for item in data:
        assert wer(ANSWERS["kmeans"], item["text"]) <= 0.10, item["text"]
        assert item["words"] and set(item["words"][0]) == {"word", "start", "end", "probability"}
        assert item["engine"] == "faster-whisper" and item["model"] == "tiny.en"
        assert item["seconds"] > 0 and item["duration"] > 5
    assert "empty.wav: the file is empty" in result.stderr


def test_bundled_base_model_loads_from_memory(speech_synth: SpeechSynth) -> None:
    base = create_stt("faster-whisper", "base")
    transcript = base.transcribe(speech_synth.clip(ANSWERS["max-depth"]),
                                 prompt=QUESTIONS["max-depth"])
    assert transcript.model == "base"
    assert wer(ANSWERS["max-depth"], transcript.text) <= 0.10, transcript.text
