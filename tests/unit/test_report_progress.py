"""Progress across sessions: per-topic points in time order, trend, damaged sessions listed."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.fixtures.report import fake_grade
from voicecoach.session.progress import collect_progress


def test_levels_move_per_topic_and_damaged_sessions_are_listed(
    recorded_session, mini_bank, mini_bank_dir, monkeypatch
) -> None:
    store, first = recorded_session
    second = first.model_copy(deep=True, update={"id": "s2", "created_at": "2999-01-01T00:00:00"})
    second.turns[2].grade = fake_grade(mini_bank["binary-cross-entropy"], "log probability")
    store.save(second)
    (store.root / "s3").mkdir()
    (store.root / "s3" / "session.json").write_text("{")

    progress = collect_progress(store, mini_bank)
    assert [sid for sid, *_ in progress.sessions] == ["s1", "s2"]
    losses = progress.topics["losses"]
    assert [(p.level, p.score) for p in losses] == [("weak", 25.0), ("strong", 100.0)]
    assert progress.trend("losses") == "up" and progress.trend("trees") == "same"
    assert "damaged" in progress.damaged["s3"]

    from voicecoach.cli import app

    monkeypatch.setenv("VOICECOACH_RECORDINGS", str(store.root))
    result = CliRunner().invoke(app, ["progress", "--json", "--rubrics", str(mini_bank_dir)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["topics"]["losses"]["trend"] == "up"
    assert set(payload["damaged"]) == {"s3"}
