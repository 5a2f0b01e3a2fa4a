"""The event stream and the answer sources (typed, scripted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from voicecoach.agent.candidates import (
    ListenContext,
    ScriptedSource,
    TypedSource,
    load_script,
)
from voicecoach.agent.events import EventSink
from voicecoach.errors import ConfigError


def test_events_are_json_lines_flushed_with_increasing_t(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    seen: list[dict[str, Any]] = []
    ticks = iter([0.0, 0.5, 1.25, 2.0])
    sink = EventSink(path, listeners=[seen.append], clock=lambda: next(ticks))
    sink.emit("question", question_id="max-depth", question="Why?")
    # flushed per line: readable before close
    first = json.loads(path.read_text().splitlines()[0])
    assert first == {"type": "question", "t": 0.5, "question_id": "max-depth", "question": "Why?"}
    sink.emit("level", rms=0.2)  # high-rate: listeners only
    sink.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [e["type"] for e in lines] == ["question"]
    assert [e["type"] for e in seen] == ["question", "level"]
    with pytest.raises(ValueError, match="unknown event"):
        EventSink(None).emit("bogus")


def context(tmp_path: Path) -> ListenContext:
    return ListenContext("Why?", tmp_path / "turns" / "000-answer.wav", EventSink(None))


def test_scripted_yaml_text_wav_and_commands(tmp_path: Path) -> None:
    wav = tmp_path / "a1.wav"
    wav.write_bytes(b"RIFF0000WAVE")
    script = tmp_path / "answers.yaml"
    script.write_text("- it overfits\n- a1.wav\n- /skip\n- {command: quit}\n", encoding="utf-8")
    source = ScriptedSource.from_file(script)
    assert source.has_audio
    ctx = context(tmp_path)
    assert source.listen(ctx).text == "it overfits"
    audio = source.listen(ctx)
    assert audio.audio == ctx.answer_path and ctx.answer_path.read_bytes() == b"RIFF0000WAVE"
    assert source.listen(ctx).command == "skip"
    assert source.listen(ctx).command == "quit"
    exhausted = source.listen(ctx)
    assert exhausted.command == "quit" and exhausted.ended_by == "script_exhausted"


def test_scripted_jsonl_and_errors(tmp_path: Path) -> None:
    script = tmp_path / "answers.jsonl"
    script.write_text('"first"\n{"text": "second"}\n', encoding="utf-8")
    assert [item.text for item in load_script(script)] == ["first", "second"]
    script.write_text('"first"\n{broken\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"answers.jsonl:2"):
        load_script(script)
    bad = tmp_path / "bad.yaml"
    bad.write_text("answer: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="list of answers"):
        load_script(bad)


def test_typed_source_commands_and_eof(tmp_path: Path) -> None:
    lines = iter(["  my answer ", "/repeat", "/SKIP", "/q"])
    source = TypedSource(lambda prompt: next(lines))
    ctx = context(tmp_path)
    assert source.listen(ctx).text == "my answer"
    assert [source.listen(ctx).command for _ in range(3)] == ["repeat", "skip", "quit"]

    def eof(prompt: str) -> str:
        raise EOFError

    assert TypedSource(eof).listen(ctx).command == "quit"
