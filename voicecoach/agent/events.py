"""The interviewer's event stream: one JSON object per line, ``{"type", "t", ...}``.

Events are the interviewer's only side channel. The live terminal view, the tests and the latency
benchmark all read the same stream, so what a test asserts is exactly what a user would see, and
latency (end of answer → next speech start) is measured from the same clock. Each line is flushed
as it is written so a reader tailing the file (or a pipe) sees it at once.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "session_started",
        "question",
        "followup",
        "speaking_started",
        "speaking_finished",
        "listening_started",
        "speech_started",
        "answer_ended",
        "answer_resumed",  # the answer went on after it seemed over (speech, or its words)
        "turn_checks",  # the turn model's verdicts at the pauses of one answer
        "nudge",  # "take your time" after a long pause in an unfinished answer
        "transcript",
        "grade",
        "fallback",
        "move",  # a request instead of an answer (repeat, let me think, I don't know, …)
        "summary",
        "session_finished",
        "error",
        # high-rate updates while listening, for the live view (not written to --events)
        "level",
        "silence",
    }
)
HIGH_RATE: frozenset[str] = frozenset({"level", "silence"})

Listener = Callable[[dict[str, Any]], None]


class EventSink:
    """Stamps events with seconds since start and fans them out to a file and listeners.

    ``path`` is a file path, ``"-"`` for stdout, or None for no file. High-rate meter events go to
    listeners only, so an ``--events`` file stays readable. Thread-safe: capture callbacks arrive
    on audio threads.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        listeners: list[Listener] | None = None,
        keep: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._start = clock()
        self.started_epoch = time.time()  # wall clock at t = 0, so others can line events up
        self._lock = threading.Lock()
        self._listeners: list[Listener] = list(listeners or [])
        self._owned: IO[str] | None = None
        self._stream: IO[str] | None = None
        if path == "-":
            self._stream = sys.stdout
        elif path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # kept open for the whole session and closed in close(): events stream line by line
            self._owned = self._stream = Path(path).open("a", encoding="utf-8")  # noqa: SIM115
        self.kept: list[dict[str, Any]] | None = [] if keep else None

    @property
    def to_stdout(self) -> bool:
        """Whether events go to stdout (then human-readable output must go to stderr)."""
        return self._stream is sys.stdout

    def now(self) -> float:
        """Seconds since the sink was created: the ``t`` of an event emitted now."""
        return round(self._clock() - self._start, 4)

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Record one event and return it; unknown types are a programming error."""
        if kind not in EVENT_TYPES:
            raise ValueError(f"unknown event type {kind!r}")
        event: dict[str, Any] = {"type": kind, "t": self.now(), **fields}
        with self._lock:
            if self._stream is not None and kind not in HIGH_RATE:
                self._stream.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
                self._stream.flush()
            if self.kept is not None and kind not in HIGH_RATE:
                self.kept.append(event)
        for listener in self._listeners:
            listener(event)
        return event

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None
        self._stream = None

    def __enter__(self) -> EventSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
