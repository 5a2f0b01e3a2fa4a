"""``voicecoach transcribe`` / ``models`` wiring with a scripted engine (the real one is in
tests/integration/test_stt_engines.py): JSON shape, per-file errors, clean stdout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from voicecoach.cli import app
from voicecoach.speech import stt as stt_module
from voicecoach.speech.stt import SttOptions, as_samples
from voicecoach.speech.transcript import Transcript, Word

runner = CliRunner()


class ScriptedStt:
    """Reads the file like the real engines (so bad files fail the same way), says one line."""

    name = "scripted"

    def __init__(self, model: str, **kwargs: object) -> None:
        self.model, self.options, self.kwargs = model, SttOptions(), kwargs

    def transcribe(self, audio: Path | np.ndarray, *, prompt: str | None = None,
                   word_timestamps: bool = True) -> Transcript:
        samples = as_samples(audio)
        return Transcript(text=f"heard {prompt or 'nothing'}", duration=len(samples) / 16_000,
                          words=[Word(word="heard", start=0.1, end=0.4, probability=0.9)],
                          engine=self.name, model=self.model, seconds=0.01)


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> list[ScriptedStt]:
    made: list[ScriptedStt] = []

    def create(engine: str, model: str, **kwargs: object) -> ScriptedStt:
        made.append(ScriptedStt(model, engine=engine, **kwargs))
        return made[-1]

    monkeypatch.setattr(stt_module, "create_stt", create)
    return made


def wav(path: Path, seconds: float = 1.0) -> Path:
    sf.write(path, np.zeros(int(16_000 * seconds), dtype=np.float32), 16_000)
    return path


def test_json_has_one_object_per_good_file_and_errors_go_to_stderr(
        tmp_path: Path, scripted: list[ScriptedStt]) -> None:
    good = wav(tmp_path / "a.wav", 2.0)
    (tmp_path / "bad.wav").write_text("not audio")
    result = runner.invoke(app, ["transcribe", str(good), str(tmp_path / "missing.wav"),
                                 str(tmp_path / "bad.wav"), "--json", "--prompt", "Q?"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [d["path"] for d in data] == [str(good)]
    item = data[0]
    assert set(item) >= {"path", "text", "duration", "words", "engine", "model", "seconds"}
    assert item["text"] == "heard Q?" and item["duration"] == 2.0
    assert item["words"] == [{"word": "heard", "start": 0.1, "end": 0.4, "probability": 0.9}]
    assert "missing.wav: file not found" in result.stderr
    assert "bad.wav: not a readable audio file" in result.stderr


def test_flags_reach_the_engine(tmp_path: Path, scripted: list[ScriptedStt]) -> None:
    result = runner.invoke(app, ["transcribe", str(wav(tmp_path / "a.wav")), "--stt",
                                 "openai-whisper", "--model", "base", "--allow-download"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "heard nothing"
    engine = scripted[0]
    assert engine.model == "base"
    assert engine.kwargs["engine"] == "openai-whisper"
    assert engine.kwargs["allow_download"] is True


def test_models_list_and_convert_refuses_unbundled_names() -> None:
    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0 and "tiny.en" in listed.stdout
    result = runner.invoke(app, ["models", "convert-openai", "--model", "small.en"])
    assert result.exit_code != 0
    assert "bundled" in str(result.exception)


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["transcribe", "--help"])
    assert "voicecoach transcribe a.wav b.wav --json" in result.stdout
