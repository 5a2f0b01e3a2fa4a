"""openai-whisper from a checkpoint converted from the bundled CTranslate2 tiny.en: the conversion
is verified by decoding the same clips with both engines, greedy at fp32 (WER within 0.01)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.fixtures.speech_audio import ANSWERS, SpeechSynth
from tests.fixtures.wer import wer
from voicecoach.cli import app
from voicecoach.speech.stt import SttEngine, SttOptions, create_stt

pytest.importorskip("torch")
pytest.importorskip("whisper")
pytestmark = pytest.mark.slow
GREEDY_FP32 = SttOptions(beam_size=1, compute_type="float32", filler_prompt=False)




@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Converted through the CLI, into a folder of the test's own (not the user's cache)."""
    out = tmp_path_factory.mktemp("openai") / "tiny.en.pt"
    result = CliRunner().invoke(app, ["models", "convert-openai", "--model", "tiny.en",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    return out


@pytest.fixture(scope="module")
def openai_stt(checkpoint: Path) -> SttEngine:
    return create_stt("openai-whisper", str(checkpoint), options=GREEDY_FP32)


def test_converted_checkpoint_decodes_like_ctranslate2(
        openai_stt: SttEngine, speech_synth: SpeechSynth) -> None:
    ct2 = create_stt("faster-whisper", "tiny.en", options=GREEDY_FP32)
    for text in ANSWERS.values():
        clip = speech_synth.clip(text)
        theirs = openai_stt.transcribe(clip, word_timestamps=False)
        ours = ct2.transcribe(clip, word_timestamps=False)
        assert abs(wer(text, theirs.text) - wer(text, ours.text)) <= 0.01, (theirs.text, ours.text)
        assert wer(text, theirs.text) <= 0.15, theirs.text


def test_word_timestamps_use_the_alignment_heads(
        openai_stt: SttEngine, speech_synth: SpeechSynth) -> None:
    transcript = openai_stt.transcribe(speech_synth.clip(ANSWERS["kmeans"]))
    words = transcript.words
    assert len(words) >= 15 and all(0 <= w.probability <= 1 for w in words)
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    # the alignment heads place the last word near the end of speech (clip has 0.5 s of tail)
    assert transcript.duration - 2.0 < words[-1].end <= transcript.duration + 0.05
    assert transcript.engine == "openai-whisper"


def test_silence_is_not_transcribed(openai_stt: SttEngine) -> None:
    assert openai_stt.transcribe(np.zeros(16_000 * 5, np.float32)).text == ""


def test_bundled_name_converts_into_the_user_cache(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, speech_synth: SpeechSynth) -> None:
    monkeypatch.setenv("VOICECOACH_CACHE", str(tmp_path))
    result = CliRunner().invoke(app, ["transcribe", str(speech_synth.clip(ANSWERS["max-depth"])),
                                      "--stt", "openai-whisper", "--json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "openai-whisper" / "tiny.en.pt").is_file()
    assert '"engine": "openai-whisper"' in result.stdout
