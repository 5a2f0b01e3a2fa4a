"""The live terminal view of ``voicecoach practice``, driven only by interviewer events.

The interviewer emits events (``question``, ``listening_started``, ``transcript``, …) and, while
listening, high-rate ``level`` and ``silence`` updates. This view turns them into what a person at
the desk needs: what is happening now, a microphone meter proving they are heard, how long they
have spoken, the countdown before the answer is taken as finished, the key hints, the last
transcript, and (``--show-latency``) where the time between answer and next question went.
When stdout is not a terminal it prints plain lines instead, so logs and pipes stay readable.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

KEY_HINTS = "Enter = done · r = repeat question · s = skip · q = end interview"
STATE_BY_EVENT = {
    "speaking_started": "speaking",
    "speaking_finished": "waiting",
    "listening_started": "listening",
    "speech_started": "listening",
    "answer_ended": "transcribing",
    "transcript": "thinking",
    "grade": "thinking",
    "summary": "feedback",
    "session_finished": "done",
}
STATE_STYLE = {
    "speaking": "bold cyan",
    "listening": "bold green",
    "transcribing": "bold yellow",
    "thinking": "bold magenta",
    "feedback": "bold blue",
}
METER_WIDTH = 30


def level_meter(rms: float, width: int = METER_WIDTH) -> Text:
    """A bar for a 0..1 RMS level; speech around 0.05-0.3 RMS fills a good part of it."""
    # perceptual scale: square root, so quiet speech still moves the bar
    filled = min(width, round(min(1.0, max(0.0, rms) * 4) ** 0.5 * width))
    style = "green" if filled < width * 0.8 else "red"
    return Text("█" * filled, style=style) + Text("·" * (width - filled), style="dim")


@dataclass
class LatencyTracker:
    """Per-stage latency from event times: answer end → transcript → grade → next speech."""

    answer_ended: float | None = None
    transcript: float | None = None
    graded: float | None = None
    last_line: str = ""
    history: list[dict[str, float]] = field(default_factory=list)

    def observe(self, kind: str, t: float) -> None:
        if kind == "answer_ended":
            self.answer_ended, self.transcript, self.graded = t, None, None
        elif kind == "transcript":
            self.transcript = t
        elif kind == "grade":
            self.graded = t
        elif kind == "speaking_started" and self.answer_ended is not None:
            stages = {"total": t - self.answer_ended}
            if self.transcript is not None:
                stages["stt"] = self.transcript - self.answer_ended
                if self.graded is not None:
                    stages["grade"] = self.graded - self.transcript
                    stages["respond"] = t - self.graded
            self.history.append(stages)
            self.last_line = "latency " + "  ".join(f"{k} {v:.2f}s" for k, v in stages.items())
            self.answer_ended = None


class LiveView:
    """Renders interviewer events; thread-safe because capture callbacks arrive on audio threads."""

    def __init__(
        self,
        console: Console | None = None,
        *,
        show_latency: bool = False,
        live: bool | None = None,
    ) -> None:
        self.console = console or Console()
        self.live_mode = self.console.is_terminal if live is None else live
        self.show_latency = show_latency
        self.state = "starting"
        self.prompt = ""
        self.question_number = 0
        self.level = 0.0
        self.answer_started: float | None = None
        self.now = 0.0
        self.silence_left: float | None = None
        self.last_transcript = ""
        self.latency = LatencyTracker()
        self._lock = threading.Lock()
        self._live: Live | None = None

    def __enter__(self) -> LiveView:
        if self.live_mode:
            self._live = Live(self.render(), console=self.console, refresh_per_second=12,
                              transient=False)
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None

    def handle(self, event: dict[str, Any]) -> None:
        """Update from one event (the same dicts written to ``--events``)."""
        kind = str(event.get("type", ""))
        t = float(event.get("t", self.now))
        with self._lock:
            self.now = max(self.now, t)
            self.latency.observe(kind, t)
            self.state = STATE_BY_EVENT.get(kind, self.state)
            line = self._apply(kind, event, t)
            if self._live is not None:
                self._live.update(self.render())
        if line and not self.live_mode:
            self.console.print(line, highlight=False, markup=False)
        elif line and self._live is not None and kind in {"question", "followup", "transcript",
                                                            "summary", "error", "fallback"}:
            self._live.console.print(line, highlight=False, markup=False)

    def _apply(self, kind: str, event: dict[str, Any], t: float) -> str | None:
        """Change state for one event; return the plain line that records it, if any."""
        if kind in {"question", "followup"}:
            self.prompt = str(event.get("question", ""))
            if kind == "question":
                self.question_number += 1
                return f"Q{self.question_number}: {self.prompt}"
            return f"  follow-up: {self.prompt}"
        if kind == "listening_started":
            self.answer_started, self.silence_left, self.level = t, None, 0.0
            return f"  listening… ({KEY_HINTS})"
        if kind == "level":
            self.level = float(event.get("rms", 0.0))
        elif kind == "silence":
            remaining = event.get("remaining")
            self.silence_left = None if remaining is None else float(remaining)
        elif kind == "answer_ended":
            self.silence_left = None
        elif kind == "transcript":
            self.last_transcript = str(event.get("text", ""))
            return f"  you said: {self.last_transcript or '(nothing heard)'}"
        elif kind == "speaking_started" and self.show_latency and self.latency.last_line:
            return f"  {self.latency.last_line}"
        elif kind == "fallback":
            return f"  (LLM skipped: {event.get('reason', 'unknown')}; using the rubric probe)"
        elif kind == "error":
            return f"error: {event.get('message', '')}"
        elif kind == "summary":
            return "Feedback ready."
        return None

    def render(self) -> RenderableType:
        """The live panel: state, meter, timers, hints, last transcript, latency."""
        style = STATE_STYLE.get(self.state, "bold")
        header = Text(f"● {self.state}", style=style)
        if self.question_number:
            header.append(f"   question {self.question_number}", style="dim")
        parts: list[RenderableType] = [header]
        if self.prompt:
            parts.append(Text(self.prompt, style="italic"))
        if self.state == "listening" and self.answer_started is not None:
            elapsed = max(0.0, self.now - self.answer_started)
            meter = Text("mic ") + level_meter(self.level) + Text(f"  {elapsed:4.0f}s")
            if self.silence_left is not None:
                meter.append(f"   finishing in {self.silence_left:.1f}s", style="yellow")
            parts += [meter, Text(KEY_HINTS, style="dim")]
        if self.last_transcript:
            parts.append(Text("you said: ", style="bold") + Text(self.last_transcript))
        if self.show_latency and self.latency.last_line:
            parts.append(Text(self.latency.last_line, style="dim"))
        return Panel(Group(*parts), title="voicecoach", border_style="grey50")
