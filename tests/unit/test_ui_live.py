"""The live view: plain lines off a terminal, a panel with meter and countdown on one."""

from __future__ import annotations

import io

from rich.console import Console

from voicecoach.ui.live import LatencyTracker, LiveView, level_meter

EVENTS = [
    {"type": "session_started", "t": 0.0},
    {"type": "question", "t": 0.1, "question_id": "max-depth", "question": "Why max depth?"},
    {"type": "speaking_started", "t": 0.2},
    {"type": "speaking_finished", "t": 2.0},
    {"type": "listening_started", "t": 2.1},
    {"type": "level", "t": 3.0, "rms": 0.2},
    {"type": "silence", "t": 6.0, "remaining": 1.5},
    {"type": "answer_ended", "t": 9.0},
    {"type": "transcript", "t": 9.6, "text": "it overfits"},
    {"type": "grade", "t": 9.7, "level": "partial", "score": 40},
    {"type": "followup", "t": 9.8, "question": "Why would it learn noise?", "targets": "noise"},
    {"type": "speaking_started", "t": 10.0},
]


def plain_output(show_latency: bool) -> str:
    buffer = io.StringIO()
    view = LiveView(Console(file=buffer, width=120), show_latency=show_latency, live=False)
    with view:
        for event in EVENTS:
            view.handle(event)
    return buffer.getvalue()


def test_plain_mode_prints_the_conversation() -> None:
    text = plain_output(show_latency=False)
    assert "Q1: Why max depth?" in text
    assert "you said: it overfits" in text
    assert "follow-up: Why would it learn noise?" in text
    assert "latency" not in text


def test_latency_line_splits_the_stages() -> None:
    text = plain_output(show_latency=True)
    assert "latency total 1.00s  stt 0.60s  grade 0.10s  respond 0.30s" in text


def test_live_panel_shows_meter_countdown_and_hints() -> None:
    buffer = io.StringIO()
    view = LiveView(Console(file=buffer, width=120), live=False)
    for event in EVENTS[:7]:
        view.handle(event)
    console = Console(file=io.StringIO(), width=120)
    console.print(view.render())
    rendered = console.file.getvalue()  # type: ignore[attr-defined]
    assert "listening" in rendered
    assert "finishing in 1.5s" in rendered
    assert "Enter = done" in rendered
    assert "█" in rendered


def test_meter_scales_and_clamps() -> None:
    assert level_meter(0.0).plain.count("█") == 0
    assert level_meter(5.0).plain.count("█") == len(level_meter(5.0).plain)
    assert 0 < level_meter(0.05).plain.count("█") < level_meter(0.2).plain.count("█")


def test_latency_without_transcript_reports_total_only() -> None:
    tracker = LatencyTracker()
    tracker.observe("answer_ended", 1.0)
    tracker.observe("speaking_started", 1.5)
    assert tracker.history == [{"total": 0.5}]
