"""Replay: every turn printed with word timestamps and grades, --turn, --regrade side by side,
audio problems as one line, interactive keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tests.fixtures.report import fake_grade, timed
from voicecoach.errors import SessionError
from voicecoach.rubric.loader import load_bank
from voicecoach.session.replay import replay_session, timestamped_lines


def _console() -> Console:
    return Console(record=True, width=140, color_system=None)


def test_non_interactive_prints_every_turn(recorded_session, mini_bank) -> None:
    store, session = recorded_session
    console = _console()
    shown = replay_session(session, store.session_dir("s1"), console, interactive=False)
    out = console.export_text()
    assert shown == 3
    assert "turn 1 · followup · max-depth" in out
    assert "[00:00.0] Because a deep tree learns the noise" in out
    assert "strong 100" in out and "weak 25" in out
    assert "audio not played" in out


def test_single_turn_and_unknown_turn(recorded_session) -> None:
    store, session = recorded_session
    console = _console()
    assert replay_session(session, store.session_dir("s1"), console, turn=2) == 1
    assert "binary-cross-entropy" in console.export_text()
    with pytest.raises(SessionError, match="no turn 9"):
        replay_session(session, store.session_dir("s1"), console, turn=9)


def test_regrade_shows_current_rubric_beside_recorded(
    recorded_session, mini_bank_dir: Path
) -> None:
    store, session = recorded_session
    path = mini_bank_dir / "losses/binary-cross-entropy.yaml"
    path.write_text(path.read_text().replace('accept: ["log"]', 'accept: ["formula"]'))
    console = _console()
    replay_session(
        session, store.session_dir("s1"), console, turn=2,
        bank=load_bank(mini_bank_dir), grader=fake_grade,
    )
    out = console.export_text()
    assert "current rubric: strong 100" in out
    assert "✗ missing" in out and "✓ covered ←" in out


def test_interactive_q_quits_and_missing_audio_is_one_line(recorded_session) -> None:
    store, session = recorded_session
    console = _console()
    keys = iter(["", "q"])
    shown = replay_session(
        session, store.session_dir("s1"), console, interactive=True, read_key=lambda: next(keys)
    )
    out = console.export_text()
    assert shown == 2
    assert out.count("audio missing: 000-answer.wav") == 1
    assert "Enter: next turn · q: quit" in out


def test_corrupt_wav_is_reported_not_fatal(recorded_session) -> None:
    store, session = recorded_session
    wav = store.session_dir("s1") / "turns" / "000-answer.wav"
    wav.write_bytes(b"RIFF not really a wav")
    console = _console()
    shown = replay_session(
        session, store.session_dir("s1"), console, turn=0, interactive=True, read_key=lambda: ""
    )
    out = console.export_text()
    assert shown == 1
    assert "000-answer.wav" in out or "audio playback is not installed" in out


def test_timestamped_lines_break_at_pauses() -> None:
    first = timed("one two three")
    later = timed("four five", start=5.0)
    first.words += later.words
    assert timestamped_lines(first) == ["[00:00.0] one two three", "[00:05.0] four five"]


def test_cli_replay_no_audio_and_damaged_session(recorded_session, monkeypatch) -> None:
    from voicecoach.cli import app

    store, _ = recorded_session
    monkeypatch.setenv("VOICECOACH_RECORDINGS", str(store.root))
    broken = store.session_dir("broken")
    broken.mkdir()
    (broken / "session.json").write_text('{"schema": "voicecoach.session/v1", "id": "bro')
    runner = CliRunner()
    result = runner.invoke(app, ["replay", "s1", "--no-audio"])
    assert result.exit_code == 0, result.output
    assert "audio off (--no-audio)" in result.output and "turn 2" in result.output
    result = runner.invoke(app, ["replay", "broken"])
    assert result.exit_code != 0
    assert isinstance(result.exception, SessionError)
    assert "damaged" in str(result.exception)
